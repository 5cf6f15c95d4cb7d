package inspect

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// trustAt is the policy of the default mode: roots (nil: the system's)
// at a fixed time.
func trustAt(roots *x509.CertPool, at time.Time) *clientsecure.Trust {
	return &clientsecure.Trust{Roots: roots, Time: func() time.Time { return at }}
}

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
		errText  string // in Reason
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
		c, err := NewChain(tc.sent, tc.host, 443, trustAt(tc.roots, tc.at))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if c.Verified != tc.verified || (tc.errText == "") != (c.Reason == "") || !strings.Contains(c.Reason, tc.errText) {
			t.Errorf("%s: verified %v (%q), want %v (%q)", tc.name, c.Verified, c.Reason, tc.verified, tc.errText)
		}
		if c.PinMatched != nil {
			t.Errorf("%s: pin_matched %v without pins", tc.name, *c.PinMatched)
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
	if _, err := NewChain(nil, "localhost", 443, trustAt(nil, testcerts.Now)); err == nil || !strings.HasPrefix(err.Error(), "inspect: ") {
		t.Errorf("NewChain(nil) error %v, want an inspect error", err)
	}
}

// The verdict is the library's, every rule included: x509 alone accepts
// a 1024-bit RSA key, which connections refuse, and so must the chain
// shown (issue 12: one verifier).
func TestNewChainIsTheLibrarysVerdict(t *testing.T) {
	p := testcerts.Shared()
	roots := testcerts.Pool(p.Root.Cert)
	weak := p.Intermediate.Leaf(testcerts.Template{Key: testcerts.Key{RSABits: 1024}})
	if _, err := weak.Cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: testcerts.Pool(p.Intermediate.Cert), DNSName: "localhost", CurrentTime: testcerts.Now}); err != nil {
		t.Fatalf("x509 itself refuses the weak leaf (%v): the test shows nothing", err)
	}
	c, err := NewChain(weak.Chain, "localhost", 443, trustAt(roots, testcerts.Now))
	if err != nil {
		t.Fatal(err)
	}
	if c.Verified || !strings.Contains(c.Reason, "1024-bit RSA key") || c.AnchorSource != AnchorLastSent {
		t.Errorf("weak key: verified %v (%q), anchor %s", c.Verified, c.Reason, c.AnchorSource)
	}
	_, want := trustAt(roots, testcerts.Now).Verify("localhost", weak.Chain)
	if want == nil {
		t.Fatal("the library accepts the weak key")
	}
}

func TestNewChainPins(t *testing.T) {
	p := testcerts.Shared()
	roots := testcerts.Pool(p.Root.Cert)
	leaf := clientsecure.CertificatePins(p.Good.Cert)
	other := clientsecure.CertificatePins(p.OtherRoot.Cert)
	rootSPKI := clientsecure.CertificatePins(p.Root.Cert).SPKI
	at := func() time.Time { return testcerts.Now }
	for _, tc := range []struct {
		name     string
		trust    *clientsecure.Trust
		sent     []*x509.Certificate
		verified bool
		matched  bool
		reason   string
		source   string
	}{
		{"chain and pin", &clientsecure.Trust{Roots: roots, Time: at, Pins: []clientsecure.Pin{leaf.SPKI}}, p.Good.Chain, true, true, "", AnchorCAFile},
		{"root pin on the verified chain", &clientsecure.Trust{Roots: roots, Time: at, Pins: []clientsecure.Pin{rootSPKI}}, p.Good.Chain, true, true, "", AnchorCAFile},
		{"chain, no pin matches", &clientsecure.Trust{Roots: roots, Time: at, Pins: []clientsecure.Pin{other.SPKI}}, p.Good.Chain, false, false, "certificate pin mismatch", AnchorCAFile},
		{"chain fails, pin matches what was sent", &clientsecure.Trust{Time: at, Pins: []clientsecure.Pin{leaf.SHA1}}, p.Good.Chain, false, true, "unknown authority", AnchorLastSent},
		{"pin-only matches", &clientsecure.Trust{PinOnly: true, Time: at, Pins: []clientsecure.Pin{leaf.SHA1}}, p.Good.Chain, true, true, "", AnchorLastSent},
		{"pin-only finds the anchor in the roots", &clientsecure.Trust{PinOnly: true, Roots: roots, Time: at, Pins: []clientsecure.Pin{leaf.SHA1}}, p.Good.Chain, true, true, "", AnchorCAFile},
		{"pin-only, no match", &clientsecure.Trust{PinOnly: true, Time: at, Pins: []clientsecure.Pin{other.SHA1}}, p.Good.Chain, false, false, "certificate pin mismatch", AnchorLastSent},
	} {
		c, err := NewChain(tc.sent, "localhost", 443, tc.trust)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if c.Verified != tc.verified || c.PinMatched == nil || *c.PinMatched != tc.matched || !strings.Contains(c.Reason, tc.reason) || (tc.reason == "") != (c.Reason == "") {
			t.Errorf("%s: verified %v pin_matched %v reason %q; want %v %v %q", tc.name, c.Verified, c.PinMatched, c.Reason, tc.verified, tc.matched, tc.reason)
		}
		if c.AnchorSource != tc.source {
			t.Errorf("%s: anchor source %s, want %s", tc.name, c.AnchorSource, tc.source)
		}
	}
}

// A certificate Go cannot parse is described by its hashes and the
// parse error, and the chain does not verify.
func TestNewChainDERUnparsed(t *testing.T) {
	p := testcerts.Shared()
	broken := append([]byte{}, p.Intermediate.Cert.Raw...)
	broken[len(broken)-40] ^= 0xff  // inside the signature: still DER, and...
	broken = broken[:len(broken)-1] // ...cut short: no longer a certificate
	c, err := NewChainDER([][]byte{p.Good.Cert.Raw, broken}, "localhost", 443, trustAt(testcerts.Pool(p.Root.Cert), testcerts.Now))
	if err != nil {
		t.Fatal(err)
	}
	bad := c.Certs[1]
	sum := sha256Of(broken)
	if c.Verified || !strings.HasPrefix(c.Reason, "certificate [1] does not parse: x509: ") || bad.ParseError == "" || bad.Raw != nil {
		t.Errorf("verified %v reason %q parse error %q", c.Verified, c.Reason, bad.ParseError)
	}
	if !strings.EqualFold(bad.SHA256Colon(), ColonHex(sum)) || bad.SHA1.Kind() != clientsecure.CertSHA1 {
		t.Errorf("hashes %s %s", bad.SHA1, bad.SHA256Colon())
	}
	var text strings.Builder
	if err := c.WriteText(&text, testcerts.Now); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\n[1] (does not parse)\n    error:   x509: ", "    SHA-256: " + bad.SHA256Colon() + "\n", "verified: NO: certificate [1] does not parse"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	var js strings.Builder
	if err := c.WriteJSON(&js); err != nil || !strings.Contains(js.String(), `"parse_error": "x509: `) {
		t.Errorf("json %v:\n%s", err, js.String())
	}
	if err := c.WriteArduino(&strings.Builder{}); err == nil || !strings.Contains(err.Error(), "does not parse") {
		t.Errorf("arduino: %v", err)
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
	c, err := NewChain([]*x509.Certificate{root}, "", 0, trustAt(nil, testcerts.Now))
	if err != nil {
		t.Fatal(err)
	}
	var unknown x509.UnknownAuthorityError
	if _, err := root.Verify(x509.VerifyOptions{CurrentTime: testcerts.Now}); errors.As(err, &unknown) {
		t.Skip("the system store does not hold GlobalSign Root CA")
	}
	if !c.Verified || c.AnchorSource != AnchorSystemRoots || c.AnchorIndex() != 0 {
		t.Errorf("verified %v (%s), anchor source %q index %d; want the system roots to verify it", c.Verified, c.Reason, c.AnchorSource, c.AnchorIndex())
	}
}

// The curl line of the pins output puts an IPv6 literal in brackets,
// whatever the port.
func TestPinsURLForIPv6(t *testing.T) {
	p := testcerts.Shared()
	for port, want := range map[int]string{0: "https://[::1]/", 443: "https://[::1]/", 8443: "https://[::1]:8443/"} {
		c, err := NewChain(p.Good.Chain, "::1", port, trustAt(testcerts.Pool(p.Root.Cert), testcerts.Now))
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
