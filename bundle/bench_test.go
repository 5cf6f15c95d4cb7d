package bundle

import (
	"crypto/x509"
	"fmt"
	"testing"

	"golang.org/x/crypto/x509roots/fallback/bundle"

	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// mozillaPlus is the full Mozilla store (x509roots/fallback's bundle)
// plus the test roots, which are the only ones whose keys a test holds.
func mozillaPlus(b testing.TB, extra ...*x509.Certificate) (*x509.CertPool, int) {
	pool := x509.NewCertPool()
	n := 0
	for r := range bundle.Roots() {
		c, err := x509.ParseCertificate(r.Certificate)
		if err != nil {
			b.Fatal(err)
		}
		if r.Constraint == nil {
			pool.AddCert(c)
		} else {
			pool.AddCertWithConstraint(c, r.Constraint)
		}
		n++
	}
	for _, c := range extra {
		pool.AddCert(c)
	}
	return pool, n + len(extra)
}

// benchHosts are 100 hosts' chains: a quarter each cross-signed (roots A
// and B), under B, under C, and under ten further roots of their own.
func benchHosts(b testing.TB) ([]*Host, []*x509.Certificate) {
	a := sharedAnchors()
	extra := a.Candidates()
	var inters []*testcerts.Authority
	for i := range 10 {
		r := testcerts.NewRoot(fmt.Sprintf("bench root %d", i))
		extra = append(extra, r.Cert)
		inters = append(inters, r.Intermediate(fmt.Sprintf("bench intermediate %d", i)))
	}
	var hosts []*Host
	for i := range 100 {
		var leaf *testcerts.Leaf
		switch i % 4 {
		case 0:
			leaf = a.InterA.Leaf(testcerts.Template{})
			leaf.Chain = append(leaf.Chain, a.CrossA)
		case 1:
			leaf = a.InterB.Leaf(testcerts.Template{})
		case 2:
			leaf = a.InterC.Leaf(testcerts.Template{})
		default:
			leaf = inters[(i/4)%10].Leaf(testcerts.Template{})
		}
		hosts = append(hosts, &Host{Name: testcerts.Host, Port: 1000 + i, Sent: leaf.Chain})
	}
	return hosts, extra
}

// BenchmarkChoose100 is the whole choice for 100 hosts against the full
// Mozilla store: every chain of every host verified, then the cover.
func BenchmarkChoose100(b *testing.B) {
	hosts, extra := benchHosts(b)
	pool, n := mozillaPlus(b, extra...)
	v := Verifier{Roots: pool, Time: fixedClock}
	b.ReportMetric(float64(n), "candidates")
	for b.Loop() {
		for _, h := range hosts {
			h.Chains, h.Unverified = nil, nil
			v.Judge(h)
		}
		bd := v.Choose(hosts, Options{})
		if len(bd.Anchors) != 12 || !bd.Minimal { // B, C and the ten bench roots
			b.Fatalf("%d anchors, minimal %v", len(bd.Anchors), bd.Minimal)
		}
	}
}

// BenchmarkCover100 is the set cover alone, the chains already known.
func BenchmarkCover100(b *testing.B) {
	hosts, extra := benchHosts(b)
	pool, _ := mozillaPlus(b, extra...)
	v := Verifier{Roots: pool, Time: fixedClock}
	for _, h := range hosts {
		v.Judge(h)
	}
	for b.Loop() {
		newProblem(hosts).solve()
	}
}
