package clientsecure

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
)

// digests hashes one certificate lazily and at most once per algorithm, so
// that checking several pins costs one hash per certificate, not one per
// pin. The digests live in the struct, not on the heap: pin checks run in
// every handshake, and a digests value stays on its caller's stack.
type digests struct {
	cert       *x509.Certificate
	have       uint8 // which of the digests below are computed
	c1, s1     [sha1.Size]byte
	c256, s256 [sha256.Size]byte
}

const (
	haveC1 = 1 << iota
	haveC256
	haveS1
	haveS256
)

func (d *digests) certSHA1() []byte {
	if d.have&haveC1 == 0 {
		d.c1, d.have = sha1.Sum(d.cert.Raw), d.have|haveC1
	}
	return d.c1[:]
}

func (d *digests) certSHA256() []byte {
	if d.have&haveC256 == 0 {
		d.c256, d.have = sha256.Sum256(d.cert.Raw), d.have|haveC256
	}
	return d.c256[:]
}

func (d *digests) spkiSHA1() []byte {
	if d.have&haveS1 == 0 {
		d.s1, d.have = sha1.Sum(d.cert.RawSubjectPublicKeyInfo), d.have|haveS1
	}
	return d.s1[:]
}

func (d *digests) spkiSHA256() []byte {
	if d.have&haveS256 == 0 {
		d.s256, d.have = sha256.Sum256(d.cert.RawSubjectPublicKeyInfo), d.have|haveS256
	}
	return d.s256[:]
}

// CertPins are the pins that match one certificate, as CertificatePins
// returns them.
type CertPins struct {
	SHA1   Pin // SHA-1 of the certificate: the document's fingerprint, setFingerprint
	SHA256 Pin // SHA-256 of the certificate: ESP32 verify, browsers
	SPKI   Pin // SHA-256 of the public key: OkHttp, curl, HPKP
}

// CertificatePins returns the pins that match cert: its SHA-1 and SHA-256
// fingerprints and its public key's SHA-256.
func CertificatePins(cert *x509.Certificate) CertPins {
	d := &digests{cert: cert}
	return CertPins{
		SHA1:   Pin{kind: CertSHA1, hash: string(d.certSHA1())},
		SHA256: Pin{kind: CertSHA256, hash: string(d.certSHA256())},
		SPKI:   Pin{kind: SPKISHA256, hash: string(d.spkiSHA256())},
	}
}
