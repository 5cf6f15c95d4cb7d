package check

import (
	"crypto/x509"
	"time"

	"github.com/clientsecure/clientsecure/scan"
)

// State is the judgement of one item (DESIGN.md "check").
type State string

const (
	Current     State = "current"     // matches, and keeps working past the warning days
	Expiring    State = "expiring"    // matches, but what it depends on ends within the warning days
	Fragile     State = "fragile"     // works now, breaks at the next routine renewal
	Stale       State = "stale"       // matches nothing the host sends, or no longer verifies
	Misused     State = "misused"     // matches, but not the way the code uses it
	Unreachable State = "unreachable" // its host could not be contacted
	Unpaired    State = "unpaired"    // no host found for it
)

// Match is which certificate of the host's chain an item matches.
type Match string

const (
	MatchLeaf         Match = "leaf"
	MatchIntermediate Match = "intermediate"
	MatchRoot         Match = "root"
	MatchNone         Match = "none"
)

// Finding is the judgement of one item.
type Finding struct {
	Item    *scan.Item
	State   State
	Matches Match
	// Depends is the certificate whose expiry the item's future hangs on
	// (the leaf for a fingerprint, the anchor for an anchor); nil when
	// nothing matched.
	Depends *x509.Certificate
	// Replacement is what a fix writes in place of Item.Text, in the
	// item's own spelling; "" when there is no single safe one.
	Replacement string
	// ReplacementSummary names the replacement in one line: the
	// replacement itself for a fingerprint, what it holds for a PEM block.
	ReplacementSummary string
	// Message says what was found and what to do.
	Message string
	// Host is the host's contact, nil for an unpaired item.
	Host *HostResult
}

// NotAfter is when Depends ends; zero when nothing matched.
func (f *Finding) NotAfter() time.Time {
	if f.Depends == nil {
		return time.Time{}
	}
	return f.Depends.NotAfter
}

// DaysLeft counts whole days from at to NotAfter, negative once past;
// ok is false when nothing matched.
func (f *Finding) DaysLeft(at time.Time) (int, bool) {
	if f.Depends == nil {
		return 0, false
	}
	d := f.Depends.NotAfter.Sub(at)
	days := int(d / (24 * time.Hour))
	if d < 0 && d%(24*time.Hour) != 0 {
		days--
	}
	return days, true
}

// Report is the judgement of a whole scan.
type Report struct {
	Findings []*Finding
	Hosts    []*HostResult
	At       time.Time // the time judged at
	WarnDays int
}

// Exit is the exit code of check for r (DESIGN.md): 1 if anything is
// stale or misused, else 5 if a host was unreachable, else 2 if anything
// is expiring or fragile, else 3 if no item could be judged, else 0.
func (r *Report) Exit() int {
	has := map[State]bool{}
	for _, f := range r.Findings {
		has[f.State] = true
	}
	switch {
	case has[Stale] || has[Misused]:
		return 1
	case has[Unreachable]:
		return 5
	case has[Expiring] || has[Fragile]:
		return 2
	case !has[Current]:
		return 3
	}
	return 0
}

// Fixable lists the findings a fix would rewrite.
func (r *Report) Fixable() []*Finding {
	var out []*Finding
	for _, f := range r.Findings {
		if f.Replacement != "" && f.Replacement != f.Item.Text {
			out = append(out, f)
		}
	}
	return out
}
