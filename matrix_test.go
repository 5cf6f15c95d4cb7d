package clientsecure_test

import (
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// The badssl.com case list, served on loopback from testcerts, against
// each trust mode, over real handshakes. docs/SECURITY.md holds the same
// table; TestMatrixIsDocumented keeps the two equal.

// Outcomes besides ok (trust_test.go) and the identity Reasons.
const (
	mismatch  = clientsecure.ReasonPinMismatch
	unknown   = clientsecure.ReasonUnknownAuthority
	expired   = clientsecure.ReasonExpired
	notYet    = clientsecure.ReasonNotYetValid
	wrongHost = clientsecure.ReasonWrongHost
	invalid   = clientsecure.ReasonInvalidChain
	// noTLS12 is a handshake that fails before any certificate is seen:
	// the server offers nothing from TLS 1.2 up. Not an identity error
	// (the CLI exits 5, not 4).
	noTLS12 clientsecure.Reason = -1
)

// matrixModes are the columns. Pins are taken from the case's own leaf,
// as a user would take them from `clientsecure fingerprint`: the pin
// columns show what a pin adds to (or takes from) each check.
var matrixModes = []struct {
	name  string
	trust func(root *x509.Certificate, leaf *testcerts.Leaf) *clientsecure.Trust
}{
	{"anchors", func(root *x509.Certificate, _ *testcerts.Leaf) *clientsecure.Trust {
		return &clientsecure.Trust{Roots: testcerts.Pool(root)}
	}},
	{"anchors + leaf SPKI pin", func(root *x509.Certificate, leaf *testcerts.Leaf) *clientsecure.Trust {
		return &clientsecure.Trust{Roots: testcerts.Pool(root), Pins: []clientsecure.Pin{pinsOf(leaf, 0).SPKI}}
	}},
	{"pin-only, leaf SHA-1", func(_ *x509.Certificate, leaf *testcerts.Leaf) *clientsecure.Trust {
		return &clientsecure.Trust{PinOnly: true, Pins: []clientsecure.Pin{pinsOf(leaf, 0).SHA1}}
	}},
	{"insecure", func(*x509.Certificate, *testcerts.Leaf) *clientsecure.Trust {
		return &clientsecure.Trust{Insecure: true}
	}},
	{"insecure + wrong pin", func(*x509.Certificate, *testcerts.Leaf) *clientsecure.Trust {
		wrong, _ := clientsecure.ParsePin(docSHA1)
		return &clientsecure.Trust{Insecure: true, Pins: []clientsecure.Pin{wrong}}
	}},
}

// matrixCase is a row: what the server presents, the name the client
// verifies, and the outcome per mode.
type matrixCase struct {
	name    string
	leaf    func(*matrixPKI) *testcerts.Leaf
	host    string // the name verified; "" is localhost
	version uint16 // the only TLS version the server speaks; 0 any
	slow    bool   // skipped with -short
	want    [5]clientsecure.Reason
}

var (
	verifies = [5]clientsecure.Reason{ok, ok, ok, ok, mismatch}
	chainBad = func(r clientsecure.Reason) [5]clientsecure.Reason {
		return [5]clientsecure.Reason{r, r, ok, ok, mismatch}
	}
	noTLS = [5]clientsecure.Reason{noTLS12, noTLS12, noTLS12, noTLS12, noTLS12}
)

var matrixCases = []matrixCase{
	{name: "good (ECDSA P-256)", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.Good }, want: verifies},
	{name: "good (RSA-2048)", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.GoodRSA }, want: verifies},
	{name: "good (Ed25519)", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.ed25519 }, want: verifies},
	{name: "RSA-8192 leaf", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.rsa8192() }, slow: true, want: verifies},
	{name: "IP SAN only", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.ipOnly }, host: "127.0.0.1", want: verifies},
	{name: "wildcard over one label", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.wildcard }, host: "a.clientsecure.test", want: verifies},
	{name: "1,000 SANs", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.sans1000 }, want: verifies},
	{name: "name constraint respected", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.constrainedOK }, want: verifies},
	{name: "expired", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.Expired }, want: chainBad(expired)},
	{name: "not yet valid", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.NotYetValid }, want: chainBad(notYet)},
	{name: "wrong host", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.WrongHost }, want: chainBad(wrongHost)},
	{name: "wildcard over two labels", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.wildcard }, host: "a.b.clientsecure.test", want: chainBad(wrongHost)},
	{name: "no SAN (CN=localhost only)", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.cnOnly }, want: chainBad(wrongHost)},
	{name: "self-signed", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.SelfSigned }, want: chainBad(unknown)},
	{name: "untrusted root", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.UntrustedRoot }, want: chainBad(unknown)},
	{name: "incomplete chain (no intermediate sent)", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.MissingIntermediate }, want: chainBad(unknown)},
	{name: "SHA-1-signed leaf (SHA1-RSA)", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.sha1Leaf }, want: chainBad(invalid)},
	{name: "SHA-1-signed intermediate (ECDSA-SHA1)", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.sha1Intermediate }, want: chainBad(invalid)},
	{name: "RSA-1024 leaf", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.rsa1024 }, want: chainBad(invalid)},
	{name: "name constraint violated", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.constrainedBad }, want: chainBad(invalid)},
	{name: "TLS 1.0 only", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.GoodRSA }, version: tls.VersionTLS10, want: noTLS},
	{name: "TLS 1.1 only", leaf: func(p *matrixPKI) *testcerts.Leaf { return p.GoodRSA }, version: tls.VersionTLS11, want: noTLS},
}

// matrixPKI is the shared PKI and the leaves the matrix adds to it.
type matrixPKI struct {
	*testcerts.PKI
	ed25519, ipOnly, wildcard, sans1000, cnOnly *testcerts.Leaf
	sha1Leaf, sha1Intermediate, rsa1024         *testcerts.Leaf
	constrainedOK, constrainedBad               *testcerts.Leaf
	rsa8192                                     func() *testcerts.Leaf
}

var sharedMatrixPKI = sync.OnceValue(func() *matrixPKI {
	p := &matrixPKI{PKI: testcerts.Shared()}
	in := p.Intermediate
	p.ed25519 = in.Leaf(testcerts.Template{Key: testcerts.Ed25519})
	p.ipOnly = in.Leaf(testcerts.Template{IPs: []net.IP{net.IPv4(127, 0, 0, 1)}})
	p.wildcard = in.Leaf(testcerts.Template{DNSNames: []string{"*.clientsecure.test"}})
	names := make([]string, 0, 1000)
	for i := range 999 {
		names = append(names, fmt.Sprintf("san-%03d.clientsecure.test", i))
	}
	p.sans1000 = in.Leaf(testcerts.Template{DNSNames: append(names, testcerts.Host)})
	p.cnOnly = in.Leaf(testcerts.Template{CommonName: testcerts.Host, NoNames: true})
	// Go still makes SHA-1 signatures; it has refused to verify them
	// since 1.18 (and without a way back since 1.24).
	rsaCA := p.Root.IntermediateWith("clientsecure rsa intermediate", testcerts.Template{Key: testcerts.RSA2048})
	p.sha1Leaf = rsaCA.Leaf(testcerts.Template{SignatureAlgorithm: x509.SHA1WithRSA})
	p.sha1Intermediate = p.Root.IntermediateWith("clientsecure sha1 intermediate", testcerts.Template{SignatureAlgorithm: x509.ECDSAWithSHA1}).Leaf(testcerts.Template{})
	p.rsa1024 = in.Leaf(testcerts.Template{Key: testcerts.Key{RSABits: 1024}})
	p.constrainedOK = p.Root.IntermediateWith("clientsecure localhost-only intermediate", testcerts.Template{PermittedDNSDomains: []string{testcerts.Host}}).Leaf(testcerts.Template{})
	p.constrainedBad = p.Root.IntermediateWith("clientsecure example.com-only intermediate", testcerts.Template{PermittedDNSDomains: []string{"example.com"}}).Leaf(testcerts.Template{})
	p.rsa8192 = sync.OnceValue(func() *testcerts.Leaf { return in.Leaf(testcerts.Template{Key: testcerts.Key{RSABits: 8192}}) })
	return p
})

func TestMatrix(t *testing.T) {
	p := sharedMatrixPKI()
	for _, c := range matrixCases {
		t.Run(c.name, func(t *testing.T) {
			if c.slow && testing.Short() {
				t.Skip("slow key generation and handshakes; run without -short")
			}
			t.Parallel()
			leaf := c.leaf(p)
			srv := startServer(t, leaf, c.version)
			for i, m := range matrixModes {
				t.Run(m.name, func(t *testing.T) {
					trust := m.trust(p.Root.Cert, leaf)
					trust.Time = func() time.Time { return testcerts.Now }
					trust.ServerName = cmp.Or(c.host, testcerts.Host)
					checkOutcome(t, srv, trust, c.want[i])
				})
			}
		})
	}
}

// checkOutcome dials srv under trust and asserts want: a working
// connection, or a refusal for that reason with nothing sent.
// checkOutcome dials srv under trust and checks the outcome is want, and
// that a refused server received nothing. It returns the identity error of
// a refusal, for further checks.
func checkOutcome(t *testing.T, srv *server, trust *clientsecure.Trust, want clientsecure.Reason) *clientsecure.IdentityError {
	t.Helper()
	before := srv.received.Load()
	conn, err := clientsecure.Dial(ctx(t), "tcp", srv.addr, trust)
	if want == ok {
		if err != nil {
			t.Fatalf("want verified, got %v", err)
		}
		defer conn.Close()
		roundTrip(t, conn)
		return nil
	}
	if err == nil {
		conn.Close()
		t.Fatalf("want %s, got a verified connection", cell(want))
	}
	var ie *clientsecure.IdentityError
	switch {
	case want == noTLS12:
		if errors.As(err, &ie) || !strings.Contains(err.Error(), "protocol version") {
			t.Fatalf("want a protocol version failure, got %v", err)
		}
	case !errors.As(err, &ie):
		t.Fatalf("want IdentityError %v, got %v", want, err)
	case ie.Reason != want:
		t.Fatalf("reason = %v, want %v\n%v", ie.Reason, want, err)
	}
	if got := srv.received.Load() - before; got != 0 {
		t.Errorf("refused server received %d application bytes", got)
	}
	return ie
}

// cell is an outcome as docs/SECURITY.md writes it.
func cell(r clientsecure.Reason) string {
	switch r {
	case ok:
		return "accepted"
	case mismatch:
		return "pin mismatch"
	case unknown:
		return "unknown authority"
	case expired:
		return "expired"
	case notYet:
		return "not yet valid"
	case wrongHost:
		return "wrong host"
	case invalid:
		return "invalid chain"
	case noTLS12:
		return "no TLS 1.2+ (exit 5)"
	}
	return r.String()
}

// matrixMarkdown renders the matrix as docs/SECURITY.md holds it.
func matrixMarkdown() string {
	var b strings.Builder
	b.WriteString("| server presents | ")
	for i, m := range matrixModes {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(m.name)
	}
	b.WriteString(" |\n|---|")
	b.WriteString(strings.Repeat("---|", len(matrixModes)))
	b.WriteString("\n")
	for _, c := range matrixCases {
		name := c.name
		if c.host != "" {
			name += " (verifying " + c.host + ")"
		}
		b.WriteString("| " + name + " | ")
		for i, r := range c.want {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(cell(r))
		}
		b.WriteString(" |\n")
	}
	return b.String()
}

func TestMatrixIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("docs/SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- matrix:begin (generated by TestMatrixIsDocumented) -->\n", "<!-- matrix:end -->"
	_, rest, found := strings.Cut(string(doc), begin)
	table, _, found2 := strings.Cut(rest, end)
	if !found || !found2 {
		t.Fatalf("docs/SECURITY.md lacks the %q ... %q markers", begin, end)
	}
	if want := matrixMarkdown(); table != want {
		t.Errorf("docs/SECURITY.md's matrix differs from the test's; want:\n%s", want)
	}
}
