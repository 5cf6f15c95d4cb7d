package testcerts

import (
	"crypto/x509"
	"time"
)

// CrossSign makes a certificate of ca's name and key issued by by, as a
// CA's new root is cross-signed by its old one so that devices holding
// only the old root keep verifying. A chain leaf -> ... -> ca -> cross
// verifies to by's root; the same chain verifies to ca itself where ca is
// the anchor.
func CrossSign(ca, by *Authority) *x509.Certificate {
	sn := by.src.nextSerial()
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               ca.Cert.Subject,
		NotBefore:             ca.Cert.NotBefore,
		NotAfter:              ca.Cert.NotAfter,
		KeyUsage:              ca.Cert.KeyUsage,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	return create(by.src.signingRand(), tmpl, by.Cert, ca.Key.Public(), by.Key)
}

// Renewed issues a leaf like l (same names) valid from notBefore for
// days, with a new key: what a server presents after a routine renewal.
func (a *Authority) Renewed(l *Leaf, notBefore time.Time, days int) *Leaf {
	return a.Leaf(Template{
		CommonName: l.Cert.Subject.CommonName,
		DNSNames:   l.Cert.DNSNames,
		IPs:        l.Cert.IPAddresses,
		NotBefore:  notBefore,
		NotAfter:   notBefore.Add(time.Duration(days) * 24 * time.Hour),
	})
}
