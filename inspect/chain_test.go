package inspect

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure/internal/testcerts"
)

func TestNewChain(t *testing.T) {
	p := testcerts.Shared()
	day := 24 * time.Hour
	roots := testcerts.Pool(p.Root.Cert)
	for _, tc := range []struct {
		name     string
		sent     []*x509.Certificate
		host     string
		roots    *x509.CertPool
		at       time.Time
		verified bool
		errText  string // in VerifyError
		source   string
		anchor   *x509.Certificate
		index    int // of the anchor among those sent
	}{
		{"good", p.Good.Chain, "localhost", roots, testcerts.Now, true, "", AnchorCAFile, p.Root.Cert, -1},
		{"good by ipv4", p.Good.Chain, "127.0.0.1", roots, testcerts.Now, true, "", AnchorCAFile, p.Root.Cert, -1},
		{"good by ipv6", p.Good.Chain, "::1", roots, testcerts.Now, true, "", AnchorCAFile, p.Root.Cert, -1},
		{"rsa", p.GoodRSA.Chain, "localhost", roots, testcerts.Now, true, "", AnchorCAFile, p.Root.Cert, -1},
		{"intermediate as anchor", p.Good.Chain, "localhost", testcerts.Pool(p.Intermediate.Cert), testcerts.Now, true, "", AnchorCAFile, p.Intermediate.Cert, 1},
		{"wrong host", p.WrongHost.Chain, "localhost", roots, testcerts.Now, false, "wrong.example", AnchorLastSent, p.Intermediate.Cert, 1},
		{"no host checks no name", p.WrongHost.Chain, "", roots, testcerts.Now, true, "", AnchorCAFile, p.Root.Cert, -1},
		{"expired", p.Expired.Chain, "localhost", roots, testcerts.Now, false, "expired", AnchorLastSent, p.Intermediate.Cert, 1},
		{"expired, at a time it was valid", p.Expired.Chain, "localhost", roots, testcerts.Now.Add(-30 * day), true, "", AnchorCAFile, p.Root.Cert, -1},
		{"not yet valid", p.NotYetValid.Chain, "localhost", roots, testcerts.Now, false, "not yet valid", AnchorLastSent, p.Intermediate.Cert, 1},
		{"untrusted root", p.UntrustedRoot.Chain, "localhost", roots, testcerts.Now, false, "unknown authority", AnchorLastSent, p.UntrustedRoot.Chain[1], 1},
		{"missing intermediate", p.MissingIntermediate.Chain, "localhost", roots, testcerts.Now, false, "unknown authority", AnchorLastSent, p.Good.Cert, 0},
		{"self-signed", p.SelfSigned.Chain, "localhost", roots, testcerts.Now, false, "unknown authority", AnchorLastSent, p.SelfSigned.Cert, 0},
		{"self-signed in the ca file", p.SelfSigned.Chain, "localhost", testcerts.Pool(p.SelfSigned.Cert), testcerts.Now, true, "", AnchorCAFile, p.SelfSigned.Cert, 0},
		{"system roots do not know the test root", p.Good.Chain, "localhost", nil, testcerts.Now, false, "unknown authority", AnchorLastSent, p.Intermediate.Cert, 1},
	} {
		c, err := NewChain(tc.sent, tc.host, 443, tc.roots, tc.at)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if c.Verified != tc.verified || (tc.errText == "") != (c.VerifyError == "") || !strings.Contains(c.VerifyError, tc.errText) {
			t.Errorf("%s: verified %v (%q), want %v (%q)", tc.name, c.Verified, c.VerifyError, tc.verified, tc.errText)
		}
		if c.AnchorSource != tc.source {
			t.Errorf("%s: anchor source %q, want %q", tc.name, c.AnchorSource, tc.source)
		}
		if c.Anchor == nil || !c.Anchor.Raw.Equal(tc.anchor) {
			t.Errorf("%s: anchor %v, want %s", tc.name, c.Anchor, tc.anchor.Subject)
		}
		if got := c.AnchorIndex(); got != tc.index {
			t.Errorf("%s: anchor index %d, want %d", tc.name, got, tc.index)
		}
		if len(c.Certs) != len(tc.sent) || c.Leaf().Raw != tc.sent[0] {
			t.Errorf("%s: %d certificates described, want the %d sent, leaf first", tc.name, len(c.Certs), len(tc.sent))
		}
		if !c.Generated.Equal(tc.at) {
			t.Errorf("%s: Generated %v, want the verification time %v", tc.name, c.Generated, tc.at)
		}
	}
}

func TestNewChainEmpty(t *testing.T) {
	if _, err := NewChain(nil, "localhost", 443, nil, testcerts.Now); err == nil || !strings.HasPrefix(err.Error(), "inspect: ") {
		t.Errorf("NewChain(nil) error %v, want an inspect error", err)
	}
	if _, err := Verify(nil, "localhost", nil, testcerts.Now); err == nil {
		t.Error("Verify(nil) verified nothing")
	}
}

func TestVerify(t *testing.T) {
	p := testcerts.Shared()
	chain, err := Verify(p.Good.Chain, "localhost", testcerts.Pool(p.Root.Cert), testcerts.Now)
	if err != nil {
		t.Fatal(err)
	}
	want := []*x509.Certificate{p.Good.Cert, p.Intermediate.Cert, p.Root.Cert}
	if len(chain) != len(want) {
		t.Fatalf("verified chain has %d certificates, want leaf, intermediate, root", len(chain))
	}
	for i := range want {
		if !chain[i].Equal(want[i]) {
			t.Errorf("chain[%d] is %s, want %s", i, chain[i].Subject, want[i].Subject)
		}
	}

	_, err = Verify(p.WrongHost.Chain, "localhost", testcerts.Pool(p.Root.Cert), testcerts.Now)
	var hostErr x509.HostnameError
	if !errors.As(err, &hostErr) || !strings.HasPrefix(err.Error(), "inspect: x509: ") {
		t.Errorf("wrong host: error %v, want an inspect error wrapping x509.HostnameError", err)
	}
}

// TestSystemRoots verifies a root the system store holds against the
// system store. It needs that store to hold GlobalSign Root CA (Debian's
// ca-certificates does), and says so when it does not.
func TestSystemRoots(t *testing.T) {
	if _, err := x509.SystemCertPool(); err != nil {
		t.Skipf("no system roots: %v", err)
	}
	root := globalSign(t)
	c, err := NewChain([]*x509.Certificate{root}, "", 0, nil, testcerts.Now)
	if err != nil {
		t.Fatal(err)
	}
	var unknown x509.UnknownAuthorityError
	if _, err := Verify([]*x509.Certificate{root}, "", nil, testcerts.Now); errors.As(err, &unknown) {
		t.Skip("the system store does not hold GlobalSign Root CA")
	}
	if !c.Verified || c.AnchorSource != AnchorSystemRoots || c.AnchorIndex() != 0 {
		t.Errorf("verified %v (%s), anchor source %q index %d; want the system roots to verify it", c.Verified, c.VerifyError, c.AnchorSource, c.AnchorIndex())
	}
}

// The curl line of the pins output puts an IPv6 literal in brackets,
// whatever the port.
func TestPinsURLForIPv6(t *testing.T) {
	p := testcerts.Shared()
	for port, want := range map[int]string{0: "https://[::1]/", 443: "https://[::1]/", 8443: "https://[::1]:8443/"} {
		c, err := NewChain(p.Good.Chain, "::1", port, testcerts.Pool(p.Root.Cert), testcerts.Now)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := c.WritePins(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), " "+want) {
			t.Errorf("port %d: no %q in\n%s", port, want, b.String())
		}
	}
}
