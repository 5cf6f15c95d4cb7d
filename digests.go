package clientsecure

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
)

// digests hashes one certificate lazily and at most once per algorithm, so
// that checking several pins costs one hash per certificate, not one per
// pin.
type digests struct {
	cert               *x509.Certificate
	c1, c256, s1, s256 []byte
}

func (d *digests) certSHA1() []byte {
	if d.c1 == nil {
		h := sha1.Sum(d.cert.Raw)
		d.c1 = h[:]
	}
	return d.c1
}

func (d *digests) certSHA256() []byte {
	if d.c256 == nil {
		h := sha256.Sum256(d.cert.Raw)
		d.c256 = h[:]
	}
	return d.c256
}

func (d *digests) spkiSHA1() []byte {
	if d.s1 == nil {
		h := sha1.Sum(d.cert.RawSubjectPublicKeyInfo)
		d.s1 = h[:]
	}
	return d.s1
}

func (d *digests) spkiSHA256() []byte {
	if d.s256 == nil {
		h := sha256.Sum256(d.cert.RawSubjectPublicKeyInfo)
		d.s256 = h[:]
	}
	return d.s256
}

// CertificatePins returns the pins that match cert: its SHA-1 and SHA-256
// fingerprints and its public key's SHA-256, in that order.
func CertificatePins(cert *x509.Certificate) []Pin {
	d := &digests{cert: cert}
	return []Pin{
		{kind: CertSHA1, hash: string(d.certSHA1())},
		{kind: CertSHA256, hash: string(d.certSHA256())},
		{kind: SPKISHA256, hash: string(d.spkiSHA256())},
	}
}
