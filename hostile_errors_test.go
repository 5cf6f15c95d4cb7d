package clientsecure_test

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// What an identity error says about a hostile or broken server: the real
// reason, in a line a terminal prints safely, however many names or
// control characters the certificates carry.
func TestIdentityErrorDetails(t *testing.T) {
	t.Parallel()
	p := sharedMatrixPKI()
	names := make([]string, 0, 1000)
	for i := range 1000 {
		names = append(names, fmt.Sprintf("n%03d.example", i))
	}
	weakRoot := testcerts.NewRootWith("weak root", testcerts.Template{Key: testcerts.Key{RSABits: 1024}})
	for _, tc := range []struct {
		name   string
		chain  []*x509.Certificate
		roots  []*x509.Certificate
		reason clientsecure.Reason
		want   string // in the first line
		not    string // nowhere in the message
	}{
		{"SHA-1-signed leaf", p.sha1Leaf.Chain, nil, invalid,
			"(CN=localhost is signed with SHA1-RSA, an insecure algorithm that is refused)", "not a trusted root"},
		{"SHA-1-signed intermediate", p.sha1Intermediate.Chain, nil, invalid,
			"(CN=clientsecure sha1 intermediate,O=clientsecure tests is signed with ECDSA-SHA1, an insecure algorithm", "not a trusted root"},
		{"RSA-1024 leaf", p.rsa1024.Chain, nil, invalid,
			"(CN=localhost has a 1024-bit RSA key, under the 2048 bits required)", ""},
		{"RSA-1024 root", weakRoot.Leaf(testcerts.Template{}).Chain, []*x509.Certificate{weakRoot.Cert}, invalid,
			"(CN=weak root,O=clientsecure tests has a 1024-bit RSA key", ""},
		{"CN only", p.cnOnly.Chain, nil, wrongHost,
			"(it names no hosts: its common name localhost is not a host name since RFC 6125; only subject alternative names are)", ""},
		{"1,000 names, none this host", p.Intermediate.Leaf(testcerts.Template{DNSNames: names}).Chain, nil, wrongHost,
			"(it is for n000.example, n001.example, n002.example, n003.example, n004.example, n005.example, n006.example, n007.example, n008.example, n009.example and 990 more)",
			"n010.example"},
		{"an escape sequence in a name", p.Intermediate.Leaf(testcerts.Template{DNSNames: []string{"evil\x1b[2J.example"}}).Chain, nil, wrongHost,
			`("it is for evil\x1b[2J.example")`, "\x1b"},
		{"an escape sequence in an expired subject", p.Intermediate.Leaf(testcerts.Template{
			CommonName: "x\x1b]0;owned\x07", NotBefore: testcerts.Now.Add(-48 * time.Hour), NotAfter: testcerts.Now.Add(-time.Hour),
		}).Chain, nil, expired, `("CN=x\x1b]0\\;owned\a valid`, "\x1b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			roots := tc.roots
			if roots == nil {
				roots = []*x509.Certificate{p.Root.Cert}
			}
			trust := &clientsecure.Trust{Roots: testcerts.Pool(roots...), Time: func() time.Time { return testcerts.Now }}
			_, err := trust.Verify(testcerts.Host, tc.chain)
			var ie *clientsecure.IdentityError
			if !errors.As(err, &ie) || ie.Reason != tc.reason {
				t.Fatalf("want %v, got %v", tc.reason, err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, tc.want) {
				t.Errorf("message\n%s\nis not one line holding\n%s", msg, tc.want)
			}
			if tc.not != "" && strings.Contains(msg, tc.not) {
				t.Errorf("message holds %q:\n%s", tc.not, msg)
			}
			// x509's own error is still there for errors.As.
			if tc.reason != invalid && errors.Unwrap(err) == nil {
				t.Error("the x509 error is not wrapped")
			}
		})
	}
}

// Pin-only and insecure modes are the user's choice to trust the pins
// alone: a weak key or a SHA-1 signature does not refuse them.
func TestPinsAloneDoNotJudgeKeys(t *testing.T) {
	t.Parallel()
	p := sharedMatrixPKI()
	for _, leaf := range []*testcerts.Leaf{p.rsa1024, p.sha1Leaf} {
		trust := &clientsecure.Trust{PinOnly: true, Pins: []clientsecure.Pin{pinsOf(leaf, 0).SPKI}}
		if _, err := trust.Verify(testcerts.Host, leaf.Chain); err != nil {
			t.Errorf("%s: %v", leaf.Cert.Subject, err)
		}
	}
}
