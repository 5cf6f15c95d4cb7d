package testcerts

import (
	"crypto/x509"
	"time"
)

// CrossSign issues sub's CA certificate again, same subject and key,
// signed by a: the cross-signature that gives a chain through sub two
// paths, one to sub's own root and one to a.
func (a *Authority) CrossSign(sub *Authority) *x509.Certificate {
	tmpl := &x509.Certificate{
		SerialNumber:          a.src.nextSerial(),
		Subject:               sub.Cert.Subject,
		NotBefore:             sub.Cert.NotBefore,
		NotAfter:              sub.Cert.NotAfter.Add(-time.Hour),
		KeyUsage:              sub.Cert.KeyUsage,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	return create(a.src.signingRand(), tmpl, a.Cert, sub.Key.Public(), a.Key)
}
