package inspect

import (
	"bytes"
	"crypto/x509"
	"flag"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

// goldenCase is a chain as a server (or a file) gives it. The certificates
// come from testcerts.Deterministic, so that the golden files may hold
// fingerprints and PEM: they are the same on every run.
type goldenCase struct {
	name  string
	sent  []*x509.Certificate
	host  string
	port  int
	file  string
	roots *x509.CertPool
}

var (
	goldenOnce  sync.Once
	goldenCases []goldenCase
)

// golden makes the cases once; the order of the Leaf calls fixes their
// keys, so it must not change (or the golden files must be updated).
func golden() []goldenCase {
	goldenOnce.Do(func() {
		p := testcerts.Deterministic("inspect golden")
		day := 24 * time.Hour
		roots := testcerts.Pool(p.Root.Cert)
		soon := p.Intermediate.Leaf(testcerts.Template{
			DNSNames: []string{"api.github.com"},
			NotAfter: testcerts.Now.Add(12 * day),
			Key:      testcerts.RSA2048,
		})
		hostile := p.Intermediate.Leaf(testcerts.Template{
			CommonName: "evil\"*/\n#error pwned ??/\\",
			DNSNames:   []string{"localhost"},
		})
		goldenCases = []goldenCase{
			{name: "good", sent: p.Good.Chain, host: "localhost", port: 8443, roots: roots},
			{name: "soon", sent: soon.Chain, host: "api.github.com", port: 443, roots: roots},
			{name: "expired", sent: p.Expired.Chain, host: "localhost", port: 443, roots: roots},
			{name: "untrusted", sent: p.UntrustedRoot.Chain, host: "localhost", port: 443, roots: roots},
			{name: "ipv6", sent: p.Good.Chain, host: "::1", port: 8443, roots: roots},
			{name: "file", sent: p.SelfSigned.Chain, file: "self.pem", roots: testcerts.Pool(p.SelfSigned.Cert)},
			{name: "hostile", sent: hostile.Chain, host: `evil"host\`, port: 443, roots: roots},
		}
	})
	return goldenCases
}

func (g goldenCase) chain(t *testing.T) *Chain {
	t.Helper()
	c, err := NewChain(g.sent, g.host, g.port, &clientsecure.Trust{Roots: g.roots, Time: func() time.Time { return testcerts.Now }})
	if err != nil {
		t.Fatal(err)
	}
	c.File = g.file
	return c
}

// formats are the renderings, by golden file extension.
var formats = []struct {
	ext   string
	write func(*Chain, io.Writer) error
}{
	{"txt", func(c *Chain, w io.Writer) error { return c.WriteText(w, testcerts.Now) }},
	{"json", (*Chain).WriteJSON},
	{"pins", (*Chain).WritePins},
	{"pem", (*Chain).WritePEM},
	{"esp8266.h", (*Chain).WriteArduino},
	{"esp32.h", (*Chain).WriteESP32},
}

func TestGolden(t *testing.T) {
	for _, g := range golden() {
		c := g.chain(t)
		for _, f := range formats {
			var out bytes.Buffer
			if err := f.write(c, &out); err != nil {
				t.Errorf("%s.%s: %v", g.name, f.ext, err)
				continue
			}
			checkGolden(t, filepath.Join("testdata", "golden", g.name+"."+f.ext), out.Bytes())
		}
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./inspect -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (go test ./inspect -update rewrites it; review the diff):\n%s", path, got)
	}
}
