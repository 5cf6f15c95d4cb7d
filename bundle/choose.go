package bundle

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"time"
)

// Why an anchor is in a bundle.
const (
	Chosen    = "chosen"    // one of the fewest anchors that cover every host
	Alternate = "alternate" // --alternates: another candidate that verifies a host
	Spare     = "spare"     // --spare: the user's choice
)

// Anchor is one trust anchor of a bundle.
type Anchor struct {
	Cert  *x509.Certificate
	Why   string  // Chosen, Alternate or Spare
	Hosts []*Host // the bundle's hosts it verifies, in the hosts' order
}

// Bundle is the trust store chosen for a set of hosts.
type Bundle struct {
	Hosts []*Host
	// Anchors are sorted by subject DER, then by DER: the order every
	// format writes them in (ESP-IDF's binary search needs it).
	Anchors []*Anchor
	// Minimal reports whether the chosen anchors are proven the fewest:
	// false when the exact search gave up (see [Choose]) and kept the best
	// cover it had found.
	Minimal bool
	// At is the time the hosts were verified at, for days left.
	At time.Time
}

// Options are what Choose adds to the fewest anchors.
type Options struct {
	// Alternates adds, for each host, every other candidate that verifies
	// it, so that a server switching chains does not break the device.
	Alternates bool
	// Spare are anchors to add whatever they cover (a CA's announced next
	// root).
	Spare []*x509.Certificate
}

// searchBudget bounds the exact search, in nodes visited. Real host sets
// need a few dozen: each host is verified by one to three anchors.
const searchBudget = 1 << 20

// Choose picks the fewest anchors that verify every verified host (hosts
// no candidate verifies are left out), then adds what opts asks for.
//
// # Algorithm
//
// Choosing the fewest anchors is set cover: the hosts are the elements,
// each anchor the set of hosts it verifies. Hosts verified by exactly the
// same anchors are one element, and an anchor is a bit set over elements.
// Greedy cover (the anchor covering most uncovered elements, ties to the
// later not_after) gives a first answer; then a branch-and-bound search
// proves or improves it: take the uncovered element with the fewest
// anchors, try each of its anchors in turn (later not_after first), and
// drop a branch that cannot beat the best cover found (its size plus a
// lower bound, uncovered elements over the most any anchor covers).
// Among covers of the fewest anchors, the one whose anchors' not_after,
// soonest first, is latest wins (the bundle lasts longest), then the one
// with the smaller SHA-256s, so the answer is deterministic.
//
// With m elements, k candidate anchors and a cover of s, greedy costs
// O(s·k·m/64) and the search O(k^s) in the worst case; it stops after
// searchBudget nodes, keeping the best cover found, and Minimal says
// whether it finished. Web PKI host sets finish in a few dozen nodes.
func (v Verifier) Choose(hosts []*Host, opts Options) *Bundle {
	b := &Bundle{Hosts: hosts, At: v.now()}
	p := newProblem(hosts)
	chosen, minimal := p.solve()
	b.Minimal = minimal
	add := func(c *x509.Certificate, why string) {
		for _, a := range b.Anchors {
			if a.Cert.Equal(c) {
				return
			}
		}
		b.Anchors = append(b.Anchors, &Anchor{Cert: c, Why: why})
	}
	for _, i := range chosen {
		add(p.anchors[i], Chosen)
	}
	if opts.Alternates {
		for _, h := range hosts {
			for _, c := range h.anchors() {
				add(c, Alternate)
			}
		}
	}
	for _, c := range opts.Spare {
		add(c, Spare)
	}
	sortAnchors(b.Anchors)
	b.cover(func(a *x509.Certificate, h *Host) bool {
		_, err := v.chains(poolOf(a), h)
		return err == nil
	})
	return b
}

// cover fills each anchor's hosts: the hosts whose verified chains end
// at it and, for a spare (which the candidates may not hold), the hosts
// verify says it verifies alone.
func (b *Bundle) cover(verify func(a *x509.Certificate, h *Host) bool) {
	for _, a := range b.Anchors {
		a.Hosts = nil
		for _, h := range b.Hosts {
			// The chains found against the candidates are every chain to a
			// candidate; only a spare can verify a host none of them ends at.
			if h.Verified() && (h.verifiedBy(a.Cert) || a.Why == Spare && verify(a.Cert, h)) {
				a.Hosts = append(a.Hosts, h)
			}
		}
	}
}

// AnchorsOf are the bundle's anchors that verify h.
func (b *Bundle) AnchorsOf(h *Host) []*Anchor {
	var out []*Anchor
	for _, a := range b.Anchors {
		if slices.Contains(a.Hosts, h) {
			out = append(out, a)
		}
	}
	return out
}

func sortAnchors(anchors []*Anchor) {
	sort.SliceStable(anchors, func(i, j int) bool {
		a, b := anchors[i].Cert, anchors[j].Cert
		if c := bytes.Compare(a.RawSubject, b.RawSubject); c != 0 {
			return c < 0
		}
		return bytes.Compare(a.Raw, b.Raw) < 0
	})
}

// problem is the set cover: anchors[i] covers the elements in sets[i].
type problem struct {
	anchors []*x509.Certificate
	sets    []bitset
	of      [][]int // of[e]: the anchors covering element e, later not_after first
	all     bitset  // every element
	budget  int

	best []int // the best cover found
}

func newProblem(hosts []*Host) *problem {
	p := &problem{budget: searchBudget}
	index := map[[32]byte]int{}
	elements := map[string]int{}
	var elementAnchors [][]int
	for _, h := range hosts {
		var ids []int
		for _, c := range h.anchors() {
			sum := sha256.Sum256(c.Raw)
			id, ok := index[sum]
			if !ok {
				id = len(p.anchors)
				index[sum] = id
				p.anchors = append(p.anchors, c)
			}
			ids = append(ids, id)
		}
		if len(ids) == 0 {
			continue // not verified: nothing can cover it
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		key := fmt.Sprint(ids)
		if _, ok := elements[key]; !ok {
			elements[key] = len(elementAnchors)
			elementAnchors = append(elementAnchors, ids)
		}
	}
	m := len(elementAnchors)
	p.all = newBitset(m)
	p.sets = make([]bitset, len(p.anchors))
	for i := range p.sets {
		p.sets[i] = newBitset(m)
	}
	for e, ids := range elementAnchors {
		p.all.set(e)
		for _, id := range ids {
			p.sets[id].set(e)
		}
		sort.SliceStable(ids, func(i, j int) bool { return p.better(ids[i], ids[j]) })
	}
	p.of = elementAnchors
	return p
}

// better orders single anchors: later not_after first, then smaller
// SHA-256, for a deterministic order.
func (p *problem) better(i, j int) bool {
	a, b := p.anchors[i], p.anchors[j]
	if !a.NotAfter.Equal(b.NotAfter) {
		return a.NotAfter.After(b.NotAfter)
	}
	sa, sb := sha256.Sum256(a.Raw), sha256.Sum256(b.Raw)
	return bytes.Compare(sa[:], sb[:]) < 0
}

// solve returns the chosen anchors' indexes and whether they are proven
// the fewest.
func (p *problem) solve() ([]int, bool) {
	if p.all.empty() {
		return nil, true
	}
	p.best = p.greedy()
	p.search(p.all.clone(), nil)
	return p.best, p.budget > 0
}

func (p *problem) greedy() []int {
	var cover []int
	left := p.all.clone()
	for !left.empty() {
		pick, most := -1, 0
		for i, s := range p.sets {
			n := s.countAnd(left)
			if n > most || (n == most && n > 0 && p.better(i, pick)) {
				pick, most = i, n
			}
		}
		cover = append(cover, pick)
		left.andNot(p.sets[pick])
	}
	return cover
}

func (p *problem) search(left bitset, chosen []int) {
	if p.budget <= 0 {
		return
	}
	p.budget--
	if left.empty() {
		if p.preferred(chosen, p.best) {
			p.best = slices.Clone(chosen)
		}
		return
	}
	// A lower bound on the anchors still needed.
	most := 0
	for _, s := range p.sets {
		most = max(most, s.countAnd(left))
	}
	need := (left.count() + most - 1) / most
	if len(chosen)+need > len(p.best) {
		return
	}
	// Branch on the uncovered element with the fewest anchors: one of
	// them must be in any cover.
	e, fewest := -1, 0
	for i := range p.of {
		if left.has(i) && (e < 0 || len(p.of[i]) < fewest) {
			e, fewest = i, len(p.of[i])
		}
	}
	for _, a := range p.of[e] {
		next := left.clone()
		next.andNot(p.sets[a])
		p.search(next, append(chosen, a))
	}
}

// preferred reports whether cover a beats cover b: fewer anchors; then
// the not_after of its anchors, soonest first, later; then smaller
// SHA-256s.
func (p *problem) preferred(a, b []int) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	a, b = p.ordered(a), p.ordered(b)
	for i := range a {
		x, y := p.anchors[a[i]], p.anchors[b[i]]
		if !x.NotAfter.Equal(y.NotAfter) {
			return x.NotAfter.After(y.NotAfter)
		}
	}
	for i := range a {
		if a[i] != b[i] {
			return p.better(a[i], b[i])
		}
	}
	return false
}

// ordered is cover sorted soonest not_after first (ties by SHA-256).
func (p *problem) ordered(cover []int) []int {
	out := slices.Clone(cover)
	sort.Slice(out, func(i, j int) bool { return p.better(out[j], out[i]) })
	return out
}

// bitset is a set of small integers.
type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (s bitset) set(i int)      { s[i/64] |= 1 << (i % 64) }
func (s bitset) has(i int) bool { return s[i/64]&(1<<(i%64)) != 0 }
func (s bitset) clone() bitset  { return slices.Clone(s) }
func (s bitset) andNot(t bitset) {
	for i := range s {
		s[i] &^= t[i]
	}
}

func (s bitset) empty() bool {
	for _, w := range s {
		if w != 0 {
			return false
		}
	}
	return true
}

func (s bitset) count() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

func (s bitset) countAnd(t bitset) int {
	n := 0
	for i := range s {
		n += bits.OnesCount64(s[i] & t[i])
	}
	return n
}

// OutOfOrder lists, as "host: anchor [i]", each host that a bundle anchor
// verifies only along a path other than the order the host sends its
// certificates in: a device that does not build paths (BearSSL) fails
// there, even though the anchor is right.
func (b *Bundle) OutOfOrder() []string {
	var out []string
	for i, a := range b.Anchors {
		for _, h := range a.Hosts {
			if slices.ContainsFunc(h.Chains, func(c []*x509.Certificate) bool { return c[len(c)-1].Equal(a.Cert) }) && !h.InOrder(a.Cert) {
				out = append(out, fmt.Sprintf("%s: anchor [%d]", h.Addr(), i))
			}
		}
	}
	return out
}
