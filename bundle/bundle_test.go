package bundle

import (
	"crypto/x509"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// TestCrossSignedChains: a server sending a cross-signed intermediate is
// verified by both roots, and both count.
func TestCrossSignedChains(t *testing.T) {
	a := sharedAnchors()
	hosts := observe(t, a.Candidates(), target(t, server(t, a.Cross, nil)))
	if len(hosts) != 1 || !hosts[0].Verified() {
		t.Fatalf("hosts %+v", hosts)
	}
	var got []string
	for _, c := range hosts[0].anchors() {
		got = append(got, c.Subject.CommonName)
	}
	slices.Sort(got)
	if want := []string{"bundle test root A", "bundle test root B"}; !slices.Equal(got, want) {
		t.Errorf("anchors %v, want %v", got, want)
	}
}

// TestChooseFewest: the cross-signed host and the RootB host share RootB,
// so two anchors (B, C) cover three hosts; --alternates adds RootA.
func TestChooseFewest(t *testing.T) {
	a := sharedAnchors()
	hosts := observe(t, a.Candidates(),
		target(t, server(t, a.Cross, nil)),
		target(t, server(t, a.OnlyB, nil)),
		target(t, server(t, a.OnlyC, nil)),
	)
	v := Verifier{Time: fixedClock}
	b := v.Choose(hosts, Options{})
	if got, want := subjects(b), []string{"bundle test root B", "bundle test root C"}; !slices.Equal(got, want) || !b.Minimal {
		t.Fatalf("anchors %v (minimal %v), want %v", got, b.Minimal, want)
	}
	for _, an := range b.Anchors {
		if an.Why != Chosen {
			t.Errorf("%s: why %q", an.Cert.Subject, an.Why)
		}
	}
	if n := len(b.AnchorsOf(hosts[0])); n != 1 {
		t.Errorf("cross-signed host verified by %d of the bundle's anchors, want 1 (B)", n)
	}
	if got := len(b.Anchors[0].Hosts); got != 2 {
		t.Errorf("root B covers %d hosts, want 2", got)
	}

	alt := v.Choose(hosts, Options{Alternates: true})
	if got := subjects(alt); len(got) != 3 || !slices.Contains(got, "bundle test root A") {
		t.Fatalf("with alternates: %v", got)
	}
	for _, an := range alt.Anchors {
		if an.Cert.Equal(a.RootA.Cert) && (an.Why != Alternate || len(an.Hosts) != 1) {
			t.Errorf("root A: why %q, %d hosts", an.Why, len(an.Hosts))
		}
	}
}

// TestChooseExactBeatsGreedy is the classic instance greedy gets wrong:
// G covers four hosts and has the latest not_after, but T1 and T2
// together cover all six; greedy would take G, T1 and T2.
func TestChooseExactBeatsGreedy(t *testing.T) {
	root := func(name string, years int) *testcerts.Authority {
		return testcerts.NewRootWith(name, testcerts.Template{NotAfter: testcerts.Now.Add(time.Duration(years) * 365 * 24 * time.Hour)})
	}
	t1, t2, g := root("T1", 10), root("T2", 10), root("G", 30)
	var hosts []*Host
	add := func(port int, roots ...*testcerts.Authority) {
		// One leaf per root, the same name: what the host's chains end at.
		h := &Host{Name: "localhost", Port: port}
		for _, r := range roots {
			l := r.Leaf(testcerts.Template{})
			h.Chains = append(h.Chains, []*x509.Certificate{l.Cert, r.Cert})
		}
		hosts = append(hosts, h)
	}
	add(1, t1, g)
	add(2, t1, g)
	add(3, t1)
	add(4, t2, g)
	add(5, t2, g)
	add(6, t2)
	p := newProblem(hosts)
	if greedy := p.greedy(); len(greedy) != 3 {
		t.Fatalf("greedy found %d anchors; the instance is meant to fool it into 3", len(greedy))
	}
	b := Verifier{Time: fixedClock}.Choose(hosts, Options{})
	if got := subjects(b); !slices.Equal(got, []string{"T1", "T2"}) || !b.Minimal {
		t.Fatalf("anchors %v (minimal %v), want [T1 T2]", got, b.Minimal)
	}
}

// TestChooseTieLaterNotAfter: of two anchors that each cover everything,
// the one that ends later is chosen, whichever the verifier listed first.
func TestChooseTieLaterNotAfter(t *testing.T) {
	soon := testcerts.NewRootWith("soon", testcerts.Template{NotAfter: testcerts.Now.Add(2 * 365 * 24 * time.Hour)})
	late := testcerts.NewRootWith("late", testcerts.Template{NotAfter: testcerts.Now.Add(9 * 365 * 24 * time.Hour)})
	for _, order := range [][]*testcerts.Authority{{soon, late}, {late, soon}} {
		h := &Host{Name: "localhost", Port: 1}
		for _, r := range order {
			h.Chains = append(h.Chains, append(r.Leaf(testcerts.Template{}).Chain, r.Cert))
		}
		b := Verifier{Time: fixedClock}.Choose([]*Host{h}, Options{})
		if got := subjects(b); !slices.Equal(got, []string{"late"}) {
			t.Errorf("order %s first: chose %v, want [late]", order[0].Cert.Subject.CommonName, got)
		}
	}
}

// TestSpareCoverage: a spare outside the candidates still reports the
// hosts it verifies alone.
func TestSpareCoverage(t *testing.T) {
	a := sharedAnchors()
	h := offline(t, "localhost", 1, a.Cross, a.RootA.Cert)
	b := Verifier{Time: fixedClock}.Choose([]*Host{h}, Options{Spare: []*x509.Certificate{a.RootB.Cert, a.RootC.Cert}})
	for _, an := range b.Anchors {
		want := 1
		if an.Cert.Equal(a.RootC.Cert) {
			want = 0
		}
		if len(an.Hosts) != want {
			t.Errorf("%s (%s) covers %d hosts, want %d", an.Cert.Subject.CommonName, an.Why, len(an.Hosts), want)
		}
	}
	if len(b.Anchors) != 3 {
		t.Errorf("%d anchors, want root A chosen and two spares", len(b.Anchors))
	}
}

// TestUnverifiedHosts: an incomplete chain names the missing issuer; a
// chain to a root outside the candidates says so; both are identity
// errors (exit 4) and the others are still covered.
func TestUnverifiedHosts(t *testing.T) {
	a := sharedAnchors()
	hosts := observe(t, a.Candidates(),
		target(t, server(t, a.OnlyB, nil)),
		target(t, server(t, a.Incomplete, nil)),
		target(t, server(t, a.Stray, nil)),
	)
	if !hosts[0].Verified() || hosts[1].Verified() || hosts[2].Verified() {
		t.Fatalf("verified: %v %v %v", hosts[0].Verified(), hosts[1].Verified(), hosts[2].Verified())
	}
	var mi *MissingIssuerError
	if !errors.As(hosts[1].Unverified, &mi) || !strings.Contains(mi.Error(), "CN=bundle test intermediate C") {
		t.Errorf("incomplete chain: %v", hosts[1].Unverified)
	}
	var ie *clientsecure.IdentityError
	for _, h := range hosts[1:] {
		if !errors.As(h.Unverified, &ie) {
			t.Errorf("%s: %v is not an identity error", h.Addr(), h.Unverified)
		}
		if len(h.Sent) == 0 {
			t.Errorf("%s: what it sent was not kept", h.Addr())
		}
	}
	// A root outside the candidates, not sent, reads the same way: the
	// device cannot tell a missing intermediate from a missing root.
	if !errors.As(hosts[2].Unverified, &mi) || !strings.Contains(mi.Error(), "CN=bundle test stray root") {
		t.Errorf("stray root: %v", hosts[2].Unverified)
	}
	// Sent along, the root is no missing issuer: it is not a candidate.
	withRoot := offline(t, "localhost", 9, a.Stray.WithChain(append(a.Stray.Chain[1:], a.Other.Cert)...), a.Candidates()...)
	if withRoot.Verified() || errors.As(withRoot.Unverified, &mi) || !errors.As(withRoot.Unverified, &ie) {
		t.Errorf("stray chain with its root: %v", withRoot.Unverified)
	}
	b := Verifier{Time: fixedClock}.Choose(hosts, Options{})
	if got := subjects(b); !slices.Equal(got, []string{"bundle test root B"}) {
		t.Errorf("anchors %v", got)
	}
}

// TestRedirects follows a URL across hosts and refuses loops, http://
// and an eleventh redirect, each an error of the host that sent it.
func TestRedirects(t *testing.T) {
	a := sharedAnchors()
	final := server(t, a.OnlyC, nil)
	finalURL := urlTarget(t, final, "/download").URL.String()
	var loopURL string
	redirects := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/release":
			http.Redirect(w, r, finalURL, http.StatusFound)
		case r.URL.Path == "/plain":
			http.Redirect(w, r, "http://localhost:1/x", http.StatusFound)
		case r.URL.Path == "/a":
			http.Redirect(w, r, "/b", http.StatusFound)
		case r.URL.Path == "/b":
			http.Redirect(w, r, loopURL, http.StatusMovedPermanently)
		case strings.HasPrefix(r.URL.Path, "/n/"):
			http.Redirect(w, r, r.URL.Path+"x", http.StatusFound) // a new URL every time
		}
	})
	first := server(t, a.OnlyB, redirects)
	loopURL = urlTarget(t, first, "/a").URL.String()

	cases := []struct {
		path    string
		hosts   int
		problem string // in the first host's error
	}{
		{"/release", 2, ""},
		{"/plain", 1, "redirects to http://localhost:1/x: refused"},
		{"/a", 1, "redirect loop: "},
		{"/n/", 1, "more than 10 redirects"},
	}
	for _, c := range cases {
		hosts := observe(t, a.Candidates(), urlTarget(t, first, c.path))
		if len(hosts) != c.hosts {
			t.Fatalf("%s: %d hosts, want %d", c.path, len(hosts), c.hosts)
		}
		for _, h := range hosts {
			if !h.Verified() {
				t.Errorf("%s: %s not verified: %v", c.path, h.Addr(), h.Unverified)
			}
		}
		err := hosts[0].Err
		switch {
		case c.problem == "" && err != nil:
			t.Errorf("%s: %v", c.path, err)
		case c.problem != "" && (err == nil || !strings.Contains(err.Error(), c.problem)):
			t.Errorf("%s: error %v, want %q", c.path, err, c.problem)
		}
	}
}

// TestRedirectToUnverified: a redirect to a host no candidate verifies
// ends the walk there, with that host unverified and its chain kept.
func TestRedirectToUnverified(t *testing.T) {
	a := sharedAnchors()
	stray := server(t, a.Stray, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		t.Error("a request reached the unverified server")
	}))
	strayURL := urlTarget(t, stray, "/").URL.String()
	first := server(t, a.OnlyB, http.RedirectHandler(strayURL, http.StatusFound))
	hosts := observe(t, a.Candidates(), urlTarget(t, first, "/"))
	if len(hosts) != 2 || !hosts[0].Verified() || hosts[1].Verified() || len(hosts[1].Sent) == 0 {
		t.Fatalf("hosts %+v", hosts)
	}
}

// TestUnreachable: a host that refuses the connection is an error that
// is not about identity (exit 5).
func TestUnreachable(t *testing.T) {
	srv := server(t, sharedAnchors().OnlyB, nil)
	tg := target(t, srv)
	srv.Close()
	hosts := observe(t, sharedAnchors().Candidates(), tg)
	var ie *clientsecure.IdentityError
	if hosts[0].Err == nil || errors.As(hosts[0].Err, &ie) || hosts[0].Sent != nil {
		t.Fatalf("host %+v", hosts[0])
	}
}

// TestRecheck: --verify against the bundle alone passes for a chosen
// bundle, and fails a host once its anchor is taken out.
func TestRecheck(t *testing.T) {
	a := sharedAnchors()
	hosts := []*Host{
		offline(t, "localhost", 1, a.OnlyB, a.Candidates()...),
		offline(t, "localhost", 2, a.OnlyC, a.Candidates()...),
	}
	v := Verifier{Time: fixedClock}
	b := v.Choose(hosts, Options{})
	v.Recheck(b)
	for _, h := range hosts {
		if !h.Verified() {
			t.Fatalf("%s: %v", h.Addr(), h.Unverified)
		}
	}
	b.Anchors = b.Anchors[:1] // root B only
	v.Recheck(b)
	if hosts[0].Verified() == hosts[1].Verified() {
		t.Fatalf("after dropping an anchor: %v %v", hosts[0].Verified(), hosts[1].Verified())
	}
}

// TestInOrder: BearSSL follows the order a server sends. A cross-signed
// root after the intermediate is in order; a cross-signed twin of the
// intermediate sent after it reaches its root only out of order.
func TestInOrder(t *testing.T) {
	a := sharedAnchors()
	cross := offline(t, "localhost", 1, a.Cross, a.Candidates()...)
	if !cross.InOrder(a.RootA.Cert) || !cross.InOrder(a.RootB.Cert) {
		t.Errorf("cross-signed root: in order A %v, B %v", cross.InOrder(a.RootA.Cert), cross.InOrder(a.RootB.Cert))
	}
	leaf := a.InterA.Leaf(testcerts.Template{})
	twin := offline(t, "localhost", 2, leaf.WithChain(a.InterA.Cert, a.RootB.CrossSign(a.InterA)), a.Candidates()...)
	if !twin.InOrder(a.RootA.Cert) || twin.InOrder(a.RootB.Cert) {
		t.Errorf("cross-signed twin: in order A %v, B %v", twin.InOrder(a.RootA.Cert), twin.InOrder(a.RootB.Cert))
	}
	b := Verifier{Time: fixedClock}.Choose([]*Host{cross, twin}, Options{Spare: []*x509.Certificate{a.RootB.Cert}})
	got := b.OutOfOrder()
	if len(got) != 1 || !strings.HasPrefix(got[0], "localhost:2: anchor [") {
		t.Errorf("out of order: %v", got)
	}
}
