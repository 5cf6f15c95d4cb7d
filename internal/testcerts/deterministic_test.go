package testcerts

import (
	"bytes"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"testing"
)

func TestDeterministicRepeats(t *testing.T) {
	a, b := Deterministic("golden"), Deterministic("golden")
	other := Deterministic("other")
	pairs := []struct {
		name       string
		a, b, diff *x509.Certificate
	}{
		{"root", a.Root.Cert, b.Root.Cert, other.Root.Cert},
		{"intermediate", a.Intermediate.Cert, b.Intermediate.Cert, other.Intermediate.Cert},
		{"good", a.Good.Cert, b.Good.Cert, other.Good.Cert},
		{"good rsa", a.GoodRSA.Cert, b.GoodRSA.Cert, other.GoodRSA.Cert},
		{"expired", a.Expired.Cert, b.Expired.Cert, other.Expired.Cert},
		{"self-signed", a.SelfSigned.Cert, b.SelfSigned.Cert, other.SelfSigned.Cert},
		{"untrusted", a.UntrustedRoot.Cert, b.UntrustedRoot.Cert, other.UntrustedRoot.Cert},
	}
	for _, p := range pairs {
		if !bytes.Equal(p.a.Raw, p.b.Raw) {
			t.Errorf("%s: two PKIs from one seed differ", p.name)
		}
		if bytes.Equal(p.a.Raw, p.diff.Raw) {
			t.Errorf("%s: two seeds gave the same certificate", p.name)
		}
	}
	// Issuing more keeps repeating, for every kind of key.
	for _, k := range []Key{ECDSA, Ed25519} {
		if x, y := a.Intermediate.Leaf(Template{Key: k}), b.Intermediate.Leaf(Template{Key: k}); !bytes.Equal(x.Cert.Raw, y.Cert.Raw) {
			t.Errorf("a leaf (%+v) issued after Deterministic differs between runs", k)
		}
	}
}

func TestDeterministicWorks(t *testing.T) {
	p := Deterministic("works")
	opts := x509.VerifyOptions{Roots: Pool(p.Root.Cert), Intermediates: Pool(p.Intermediate.Cert), CurrentTime: Now, DNSName: Host}
	leaves := map[string]*Leaf{
		"good":     p.Good,
		"good rsa": p.GoodRSA,
		"ed25519":  p.Intermediate.Leaf(Template{Key: Ed25519}),
	}
	for name, l := range leaves {
		if _, err := l.Cert.Verify(opts); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := tls.X509KeyPair(l.ChainPEM(), l.KeyPEM()); err != nil {
			t.Errorf("%s: key does not go with its certificate: %v", name, err)
		}
	}
	if got := p.GoodRSA.Key.(*rsa.PrivateKey).N.BitLen(); got != 2048 {
		t.Errorf("rsa modulus is %d bits, want 2048", got)
	}
	if _, err := p.Expired.Cert.Verify(opts); err == nil {
		t.Error("expired leaf verifies")
	}
}

func TestEd25519Random(t *testing.T) {
	l := New().Intermediate.Leaf(Template{Key: Ed25519})
	if _, err := tls.X509KeyPair(l.ChainPEM(), l.KeyPEM()); err != nil {
		t.Fatal(err)
	}
	if l.Cert.PublicKeyAlgorithm != x509.Ed25519 {
		t.Errorf("key algorithm %v, want Ed25519", l.Cert.PublicKeyAlgorithm)
	}
}
