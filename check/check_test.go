package check

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/inspect"
	"github.com/clientsecure/clientsecure/internal/testcerts"
	"github.com/clientsecure/clientsecure/scan"
)

var day = 24 * time.Hour

// world is a set of loopback hosts and the trust a check runs with.
type world struct {
	t       *testing.T
	routes  resolver
	servers map[string]*server
	roots   []*x509.Certificate
}

func newWorld(t *testing.T, roots ...*x509.Certificate) *world {
	return &world{t: t, routes: resolver{}, servers: map[string]*server{}, roots: roots}
}

// serve starts host:port presenting leaf.
func (w *world) serve(hostport string, leaf *testcerts.Leaf, protos ...string) *server {
	s := startServer(w.t, leaf, protos...)
	w.routes[hostport] = s.addr()
	w.servers[hostport] = s
	return s
}

// check writes files into a new tree, scans it and judges it at
// testcerts.Now.
func (w *world) check(files map[string]string, opts ...func(*scan.Options, *Options)) (*Report, string) {
	w.t.Helper()
	dir := w.t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			w.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
	return w.checkDir(dir, opts...), dir
}

func (w *world) checkDir(dir string, opts ...func(*scan.Options, *Options)) *Report {
	w.t.Helper()
	so := scan.Options{}
	co := Options{Trust: w.trust(), Dial: w.routes.dial}
	for _, o := range opts {
		o(&so, &co)
	}
	res, err := scan.Tree([]string{dir}, so)
	if err != nil {
		w.t.Fatal(err)
	}
	return Run(context.Background(), res, co)
}

func (w *world) trust() *clientsecure.Trust {
	return &clientsecure.Trust{Roots: testcerts.Pool(w.roots...), Time: func() time.Time { return testcerts.Now }}
}

func docSHA1(c *x509.Certificate) string { s := sha1.Sum(c.Raw); return inspect.DocumentHex(s[:]) }
func colonSHA256(c *x509.Certificate) string {
	s := sha256.Sum256(c.Raw)
	return inspect.ColonHex(s[:])
}

// fingerprintSketch is the document's sketch for host with fp.
func fingerprintSketch(host string, port int, fp string) string {
	return fmt.Sprintf(`const char* host = %q;
const int httpsPort = %d;
const char* fingerprint = %q;
void setup() {
  client.setFingerprint(fingerprint);
  client.connect(host, httpsPort);
}
`, host, port, fp)
}

// anchorSketch trusts pemText as an X509List anchor.
func anchorSketch(host string, port int, pemText []byte) string {
	return rawSketch(host, port, "anchor_pem", pemText, "BearSSL::X509List anchor(anchor_pem);\n  client.setTrustAnchors(&anchor);")
}

// keySketch trusts der as setKnownKey's key.
func keySketch(host string, port int, der []byte) string {
	return rawSketch(host, port, "pubkey", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), "BearSSL::PublicKey key(pubkey);\n  client.setKnownKey(&key);")
}

// rawSketch holds pemText in a raw string named name and uses it with
// calls before connecting to host.
func rawSketch(host string, port int, name string, pemText []byte, calls string) string {
	return fmt.Sprintf("const char *host = %q;\nconst int port = %d;\nstatic const char %s[] PROGMEM = R\"EOF(\n%s)EOF\";\nvoid setup() {\n  %s\n  client.connect(host, port);\n}\n", host, port, name, pemText, calls)
}

func pinSketch(host string, port int, pin string) string {
	return fmt.Sprintf("val host = %q\nval port = %d\nval pinner = CertificatePinner.Builder().add(host, %q).build()\n", host, port, pin)
}

func leafFor(a *testcerts.Authority, host string, notAfter time.Time) *testcerts.Leaf {
	return a.Leaf(testcerts.Template{DNSNames: []string{host}, NotBefore: testcerts.Now.Add(-30 * day), NotAfter: notAfter})
}

// only is the one finding of r.
func only(t *testing.T, r *Report) *Finding {
	t.Helper()
	if len(r.Findings) != 1 {
		for _, f := range r.Findings {
			t.Logf("%s:%d %s %s %s", f.Item.File, f.Item.Line, f.Item.Kind, f.State, f.Message)
		}
		t.Fatalf("%d findings, want 1", len(r.Findings))
	}
	return r.Findings[0]
}

func want(t *testing.T, f *Finding, state State, matches Match, days int) {
	t.Helper()
	if f.State != state || f.Matches != matches {
		t.Fatalf("%s %s (use %s): got %s matching %s, want %s matching %s (%s)", f.Item.File, f.Item.Kind, f.Item.Use, f.State, f.Matches, state, matches, f.Message)
	}
	if days == noDays {
		if _, ok := f.DaysLeft(testcerts.Now); ok {
			t.Errorf("days left reported for a %s item", state)
		}
		return
	}
	if d, ok := f.DaysLeft(testcerts.Now); !ok || d != days {
		t.Errorf("days left %d (%v), want %d", d, ok, days)
	}
}

const noDays = -1 << 30

// TestStateTable runs every row of DESIGN.md's table against loopback
// servers.
func TestStateTable(t *testing.T) {
	const host = "api.example.com"
	p := testcerts.New()
	leaf := leafFor(p.Intermediate, host, testcerts.Now.Add(60*day))
	tenDays := leafFor(p.Intermediate, host, testcerts.Now.Add(10*day))
	rootDays := int(p.Root.Cert.NotAfter.Sub(testcerts.Now) / day)
	interDays := int(p.Intermediate.Cert.NotAfter.Sub(testcerts.Now) / day)

	t.Run("current: the leaf's SHA-1 in setFingerprint", func(t *testing.T) {
		w := newWorld(t, p.Root.Cert)
		w.serve(host+":443", leaf)
		r, _ := w.check(map[string]string{"a.ino": fingerprintSketch(host, 443, docSHA1(leaf.Cert))})
		f := only(t, r)
		want(t, f, Current, MatchLeaf, 60)
		if r.Exit() != 0 {
			t.Errorf("exit %d, want 0", r.Exit())
		}
	})
	t.Run("expiring: the leaf ends within --warn-days", func(t *testing.T) {
		w := newWorld(t, p.Root.Cert)
		w.serve(host+":443", tenDays)
		r, _ := w.check(map[string]string{"a.ino": fingerprintSketch(host, 443, docSHA1(tenDays.Cert))})
		f := only(t, r)
		want(t, f, Expiring, MatchLeaf, 10)
		if f.Replacement != "" {
			t.Errorf("an expiring item has a replacement %q", f.Replacement)
		}
		if r.Exit() != 2 {
			t.Errorf("exit %d, want 2", r.Exit())
		}
		// With a shorter warning it is current again.
		r = w.checkDir(filepath.Dir(r.Findings[0].Item.File), func(_ *scan.Options, o *Options) { o.WarnDays = 5 })
		want(t, only(t, r), Current, MatchLeaf, 10)
	})
	t.Run("misused: the root's SHA-1 in setFingerprint", func(t *testing.T) {
		w := newWorld(t, p.Root.Cert)
		w.serve(host+":443", leaf)
		r, _ := w.check(map[string]string{"a.ino": fingerprintSketch(host, 443, docSHA1(p.Root.Cert))})
		f := only(t, r)
		want(t, f, Misused, MatchRoot, rootDays)
		if f.Replacement != docSHA1(leaf.Cert) {
			t.Errorf("replacement %q, want the leaf's %q", f.Replacement, docSHA1(leaf.Cert))
		}
		if r.Exit() != 1 {
			t.Errorf("exit %d, want 1", r.Exit())
		}
	})
	t.Run("misused: the intermediate's SHA-256 in verify()", func(t *testing.T) {
		w := newWorld(t, p.Root.Cert)
		w.serve(host+":443", leaf)
		src := fmt.Sprintf("const char *host = %q;\nconst char *fp256 = %q;\nvoid f() { if (!client.verify(fp256, host)) client.stop(); }\n", host, colonSHA256(p.Intermediate.Cert))
		f := only(t, mustCheck(w, map[string]string{"a.ino": src}))
		want(t, f, Misused, MatchIntermediate, interDays)
		if f.Replacement != colonSHA256(leaf.Cert) {
			t.Errorf("replacement %q, want %q", f.Replacement, colonSHA256(leaf.Cert))
		}
	})
	t.Run("stale: the server renewed its certificate", func(t *testing.T) {
		w := newWorld(t, p.Root.Cert)
		s := w.serve(host+":443", leaf)
		renewed := p.Intermediate.Renewed(leaf.WithChain(p.Intermediate.Cert), testcerts.Now.Add(-day), 90)
		s.rotate(renewed)
		r, _ := w.check(map[string]string{"a.ino": fingerprintSketch(host, 443, docSHA1(leaf.Cert))})
		f := only(t, r)
		want(t, f, Stale, MatchNone, noDays)
		if f.Replacement != docSHA1(renewed.Cert) {
			t.Errorf("replacement %q, want the renewed leaf's %q", f.Replacement, docSHA1(renewed.Cert))
		}
		if r.Exit() != 1 {
			t.Errorf("exit %d, want 1", r.Exit())
		}
	})
	t.Run("fragile: a CA-issued leaf used as trust anchor", func(t *testing.T) {
		w := newWorld(t, p.Root.Cert)
		w.serve(host+":443", leaf)
		r, _ := w.check(map[string]string{"a.ino": anchorSketch(host, 443, leaf.CertPEM())})
		f := only(t, r)
		want(t, f, Fragile, MatchLeaf, 60)
		if !strings.Contains(f.Replacement, pemBody(p.Root.Cert)) {
			t.Errorf("replacement is not the root:\n%s", f.Replacement)
		}
		if r.Exit() != 2 {
			t.Errorf("exit %d, want 2", r.Exit())
		}
	})
	t.Run("current: a self-signed leaf as its own anchor", func(t *testing.T) {
		self := testcerts.SelfSigned(testcerts.Template{DNSNames: []string{host}})
		w := newWorld(t, self.Cert)
		w.serve(host+":443", self)
		f := only(t, mustCheck(w, map[string]string{"a.ino": anchorSketch(host, 443, self.CertPEM())}))
		want(t, f, Current, MatchLeaf, 60)
	})
	t.Run("current: the root as anchor", func(t *testing.T) {
		w := newWorld(t, p.Root.Cert)
		w.serve(host+":443", leaf)
		f := only(t, mustCheck(w, map[string]string{"a.ino": anchorSketch(host, 443, testcerts.PEM(p.Root.Cert))}))
		want(t, f, Current, MatchRoot, rootDays)
	})
	t.Run("expiring: the root as anchor ends soon", func(t *testing.T) {
		old := testcerts.NewRootWith("old root", testcerts.Template{NotBefore: testcerts.Now.Add(-3650 * day), NotAfter: testcerts.Now.Add(20 * day)})
		l := leafFor(old, host, testcerts.Now.Add(15*day))
		w := newWorld(t, old.Cert)
		w.serve(host+":443", l)
		f := only(t, mustCheck(w, map[string]string{"a.ino": anchorSketch(host, 443, testcerts.PEM(old.Cert))}))
		want(t, f, Expiring, MatchRoot, 20)
	})
	t.Run("expiring: an intermediate as anchor reports its own expiry", func(t *testing.T) {
		inter := p.Root.IntermediateWith("short intermediate", testcerts.Template{NotBefore: testcerts.Now.Add(-day), NotAfter: testcerts.Now.Add(25 * day)})
		l := leafFor(inter, host, testcerts.Now.Add(20*day))
		w := newWorld(t, p.Root.Cert)
		w.serve(host+":443", l)
		f := only(t, mustCheck(w, map[string]string{"a.ino": anchorSketch(host, 443, testcerts.PEM(inter.Cert))}))
		want(t, f, Expiring, MatchIntermediate, 25)
		// And a long-lived intermediate is current, with its own days.
		w2 := newWorld(t, p.Root.Cert)
		w2.serve(host+":443", leaf)
		f = only(t, mustCheck(w2, map[string]string{"a.ino": anchorSketch(host, 443, testcerts.PEM(p.Intermediate.Cert))}))
		want(t, f, Current, MatchIntermediate, interDays)
	})
	t.Run("stale: the server moved to another CA", func(t *testing.T) {
		other := testcerts.New()
		moved := leafFor(other.Intermediate, host, testcerts.Now.Add(80*day))
		w := newWorld(t, p.Root.Cert, other.Root.Cert)
		w.serve(host+":443", moved)
		f := only(t, mustCheck(w, map[string]string{"a.ino": anchorSketch(host, 443, testcerts.PEM(p.Root.Cert))}))
		want(t, f, Stale, MatchNone, noDays)
		if !strings.Contains(f.Replacement, pemBody(other.Root.Cert)) {
			t.Errorf("replacement is not the new root:\n%s", f.Replacement)
		}
	})
	t.Run("stale: an anchor with no live root has no replacement", func(t *testing.T) {
		other := testcerts.New()
		moved := leafFor(other.Intermediate, host, testcerts.Now.Add(80*day))
		w := newWorld(t, p.Root.Cert) // the check itself does not trust the new CA
		w.serve(host+":443", moved)
		f := only(t, mustCheck(w, map[string]string{"a.ino": anchorSketch(host, 443, testcerts.PEM(p.Root.Cert))}))
		want(t, f, Stale, MatchNone, noDays)
		if f.Replacement != "" {
			t.Errorf("replacement %q for a chain that verifies to no known root", f.Replacement)
		}
	})
	t.Run("current: a cross-signed chain verifies to the old root", func(t *testing.T) {
		newRoot := testcerts.NewRootWith("new root", testcerts.Template{NotBefore: testcerts.Now.Add(-day), NotAfter: testcerts.Now.Add(7300 * day)})
		newInter := newRoot.IntermediateWith("new intermediate", testcerts.Template{NotBefore: testcerts.Now.Add(-day), NotAfter: testcerts.Now.Add(1000 * day)})
		cross := testcerts.CrossSign(newRoot, p.Root)
		l := leafFor(newInter, host, testcerts.Now.Add(60*day)).WithChain(newInter.Cert, cross)
		w := newWorld(t, p.Root.Cert)
		w.serve(host+":443", l)
		f := only(t, mustCheck(w, map[string]string{"a.ino": anchorSketch(host, 443, testcerts.PEM(p.Root.Cert))}))
		want(t, f, Current, MatchRoot, rootDays)
		// A device that already holds the new root verifies too.
		f = only(t, mustCheck(w, map[string]string{"a.ino": anchorSketch(host, 443, testcerts.PEM(newRoot.Cert))}))
		want(t, f, Current, MatchRoot, 7300)
	})
	t.Run("current and stale: public-key pins", func(t *testing.T) {
		w := newWorld(t, p.Root.Cert)
		w.serve(host+":443", leaf)
		f := only(t, mustCheck(w, map[string]string{"a.kt": pinSketch(host, 443, clientsecure.CertificatePins(p.Intermediate.Cert).SPKI.Format(clientsecure.FormatOkHttp))}))
		want(t, f, Current, MatchIntermediate, interDays)
		other := testcerts.New()
		f = only(t, mustCheck(w, map[string]string{"a.kt": pinSketch(host, 443, clientsecure.CertificatePins(other.Root.Cert).SPKI.Format(clientsecure.FormatOkHttp))}))
		want(t, f, Stale, MatchNone, noDays)
		if f.Replacement != "" {
			t.Errorf("a pin that matches nothing has no replacement, got %q", f.Replacement)
		}
	})
	t.Run("current and misused: setKnownKey", func(t *testing.T) {
		w := newWorld(t, p.Root.Cert)
		w.serve(host+":443", leaf)
		f := only(t, mustCheck(w, map[string]string{"a.ino": keySketch(host, 443, leaf.Cert.RawSubjectPublicKeyInfo)}))
		want(t, f, Current, MatchLeaf, 60)
		f = only(t, mustCheck(w, map[string]string{"a.ino": keySketch(host, 443, p.Intermediate.Cert.RawSubjectPublicKeyInfo)}))
		want(t, f, Misused, MatchIntermediate, interDays)
		if !strings.Contains(f.Replacement, "PUBLIC KEY") {
			t.Errorf("replacement %q is not a public key", f.Replacement)
		}
	})
	t.Run("unreachable: a host that is down; the rest still judged", func(t *testing.T) {
		w := newWorld(t, p.Root.Cert)
		w.serve(host+":443", leaf)
		down := w.serve("down.example.com:443", leaf)
		down.ln.Close()
		r, _ := w.check(map[string]string{
			"up/a.ino":   fingerprintSketch(host, 443, docSHA1(leaf.Cert)),
			"down/b.ino": fingerprintSketch("down.example.com", 443, docSHA1(leaf.Cert)),
		})
		states := map[string]State{}
		for _, f := range r.Findings {
			states[f.Item.Host.Name] = f.State
			if f.State == Unreachable && (f.Matches != MatchNone || !strings.Contains(f.Message, "down.example.com:443")) {
				t.Errorf("unreachable finding: matches %s, message %q", f.Matches, f.Message)
			}
		}
		if states[host] != Current || states["down.example.com"] != Unreachable {
			t.Errorf("states %v", states)
		}
		if r.Exit() != 5 {
			t.Errorf("exit %d, want 5", r.Exit())
		}
	})
	t.Run("unpaired: no host anywhere, then --host", func(t *testing.T) {
		w := newWorld(t, p.Root.Cert)
		w.serve(host+":443", leaf)
		files := map[string]string{"fp.h": fmt.Sprintf("const char fingerprint[] = %q;\n", docSHA1(leaf.Cert))}
		r, dir := w.check(files)
		f := only(t, r)
		want(t, f, Unpaired, MatchNone, noDays)
		if r.Exit() != 3 {
			t.Errorf("exit %d, want 3 (nothing judged)", r.Exit())
		}
		r = w.checkDir(dir, func(so *scan.Options, _ *Options) { so.Fallback = &scan.Host{Name: host, Port: 443} })
		want(t, only(t, r), Current, MatchLeaf, 60)
	})
}

func mustCheck(w *world, files map[string]string) *Report {
	r, _ := w.check(files)
	return r
}

// pemBody is the base64 of c's first PEM line, to find c in a rewritten
// literal.
func pemBody(c *x509.Certificate) string {
	lines := strings.Split(string(testcerts.PEM(c)), "\n")
	return lines[1]
}
