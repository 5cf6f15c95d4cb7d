package watch

import (
	"time"
)

// resetMargin is waited past a rate limit's reset: the server's clock and
// ours are not the same clock, and a request a second early is refused.
const resetMargin = time.Second

// maxResetWait bounds a wait for a rate limit's reset. GitHub's window is
// an hour; a reset further away says that our clock and the server's
// disagree, and is not worth waiting days for.
const maxResetWait = time.Hour

// untilReset is how long until reset, at most maxResetWait, plus the margin.
func untilReset(now, reset time.Time) time.Duration {
	return min(reset.Sub(now), maxResetWait) + resetMargin
}

// Rate is the server's rate limit as last seen.
type Rate struct {
	Limit     int       // X-RateLimit-Limit, 0 if never sent
	Remaining int       // X-RateLimit-Remaining, -1 if never sent
	Reset     time.Time // X-RateLimit-Reset, zero if never sent
}

// known reports whether the limit applies at now: a reset in the past
// means the window has already been refilled.
func (r Rate) known(now time.Time) bool {
	return r.Remaining >= 0 && r.Reset.After(now)
}

// Spend counts requests.
type Spend struct {
	Requests    int // answers received
	NotModified int // of those, 304s: free
}

// Full is the requests that counted against the rate limit.
func (s Spend) Full() int { return s.Requests - s.NotModified }

func (s *Spend) add(o Spend) {
	s.Requests += o.Requests
	s.NotModified += o.NotModified
}

// Why a Watcher waits as long as it does, in Round.Wait.
const (
	WaitInterval     = "interval"        // the poll interval (Watcher.Interval)
	WaitPollInterval = "X-Poll-Interval" // the server asked for a longer one
	WaitPaced        = "paced"           // spread out so the rate limit lasts until its reset
	WaitRateReset    = "rate limit"      // rate limit spent (or nearly): until it resets
	WaitBackoff      = "backoff"         // after an error
)

// pacing is what pace decides from.
type pacing struct {
	now      time.Time
	interval time.Duration // the poll interval, already raised to X-Poll-Interval
	rate     Rate
	// reserve is what one poll of every target may cost if all changed:
	// the rate limit must never go below it.
	reserve int
	// fullPerRound is the requests a round has lately spent against the
	// limit, on average: 0 while nothing changes.
	fullPerRound float64
}

// pace returns how long to wait until the next poll, and whether that is
// a wait for the rate limit to reset (which holds back every target).
//
// With fewer requests left than the reserve, it waits for the reset: a
// burst of changes must not run into the limit. Otherwise, if spending at
// the recent rate would exhaust what is left above the reserve before the
// reset, it spreads the rounds out evenly until then.
func pace(p pacing) (time.Duration, bool) {
	if !p.rate.known(p.now) {
		return p.interval, false
	}
	wait := untilReset(p.now, p.rate.Reset)
	spare := p.rate.Remaining - p.reserve
	if spare < 0 {
		return wait, true
	}
	if p.fullPerRound <= 0 {
		return p.interval, false
	}
	rounds := float64(spare) / p.fullPerRound
	if rounds < 1 {
		return wait, true
	}
	return max(p.interval, time.Duration(float64(wait)/rounds)), false
}

// maxShift bounds the doubling in backoff, far past any useful delay, so
// that the shift cannot overflow.
const maxShift = 20

// backoff is the wait before retry n (1 for the first) after errors:
// base doubled each time up to limit, with "equal jitter": half fixed,
// half random, so that many watchers retrying do not come back in step,
// and none comes back sooner than half the base.
func backoff(n int, base, limit time.Duration, rand func() float64) time.Duration {
	d := base << min(max(n-1, 0), maxShift)
	if d > limit || d <= 0 {
		d = limit
	}
	half := d / 2
	return half + time.Duration(rand()*float64(d-half))
}

// window keeps what was spent in the last hour, for "requests an hour".
type window struct {
	entries []spentAt
}

type spentAt struct {
	t time.Time
	s Spend
}

func (w *window) add(t time.Time, s Spend) {
	w.entries = append(w.entries, spentAt{t, s})
	cut := 0
	for cut < len(w.entries) && !w.entries[cut].t.After(t.Add(-time.Hour)) {
		cut++
	}
	w.entries = w.entries[cut:]
}

// total is the spend of the last hour, and the number of rounds in it.
func (w *window) total() (Spend, int) {
	var s Spend
	for _, e := range w.entries {
		s.add(e.s)
	}
	return s, len(w.entries)
}
