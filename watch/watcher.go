package watch

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/clientsecure/clientsecure/buildstatus"
)

// CheckFunc fetches the verdict of one target: a ref (the default branch
// once resolved is passed as its name) or a pull request. A
// (*buildstatus.Client).Check with its Want is one. On error it may return
// a Result (State error) or nil.
type CheckFunc func(ctx context.Context, t Target) (*buildstatus.Result, error)

// Target is one ref or pull request to watch; a Ref "" watches the
// default branch.
type Target = buildstatus.Target

// Defaults for the Watcher's zero fields.
const (
	DefaultConcurrency = 4
	DefaultMaxBackoff  = 10 * time.Minute
)

// Watcher polls the build status of Targets until its context ends. Set
// its fields before Run and do not change them while it runs.
type Watcher struct {
	Check   CheckFunc // required
	Targets []Target  // required, at least one

	// Interval is the least time between two polls of a ref (required).
	// The server's X-Poll-Interval raises it; the rate limit may too.
	Interval time.Duration
	// Timeout bounds each check; 0 means only the context does.
	Timeout time.Duration
	// MaxBackoff caps the wait after repeated errors; 0 means
	// DefaultMaxBackoff, or Interval if that is longer.
	MaxBackoff time.Duration
	// Concurrency is how many refs are checked at once; 0 means
	// DefaultConcurrency.
	Concurrency int

	Clock Clock          // nil means RealClock
	Rand  func() float64 // jitter in [0, 1); nil means math/rand/v2

	// OnChange is called, from Run's goroutine, for every change: a
	// ref's first verdict, a new state, a new commit.
	OnChange func(Change)
	// OnRound is called, from Run's goroutine, after every poll. An
	// error from it stops Run, which returns it.
	OnRound func(Round) error
}

// Change is one ref's news.
type Change struct {
	Time     time.Time
	Target   Target // as given
	Repo     string // OWNER/REPO
	Ref      string // as resolved: the default branch's name for a Target without a ref
	SHA      string // the commit, "" if the check failed
	Previous buildstatus.State
	Current  buildstatus.State // Previous is "" on the first poll
	Failing  []string          // the names of the failing contexts
	Result   *buildstatus.Result
	Err      error // why Current is StateError
}

// Status is what a Watcher knows of one target.
type Status struct {
	Target Target
	Ref    string              // resolved ref, "" until known
	State  buildstatus.State   // "" until the first poll
	SHA    string              // the last commit seen
	Since  time.Time           // when State (or SHA) was first seen
	Result *buildstatus.Result // the last poll's, nil before the first
	Err    error               // the last poll's error
	// Settled is the last verdict that was not pending or an error, and
	// SettledAt when it was first seen: a build monitor's "last build".
	Settled   buildstatus.State
	SettledAt time.Time
	Errors    int       // errors in a row
	Next      time.Time // when it is due again
}

// Name is OWNER/REPO@REF, with the resolved ref once known, or
// OWNER/REPO#N for a pull request.
func (s Status) Name() string {
	t := s.Target
	if s.Ref != "" && t.Pull == 0 {
		t.Ref = s.Ref
	}
	return t.String()
}

// Round is the picture after one poll.
type Round struct {
	Time     time.Time
	Checked  int      // targets checked in this poll
	Statuses []Status // every target, in the order given
	Spent    Spend    // by this poll
	LastHour Spend    // by every poll of the last hour, this one included
	Rate     Rate     // the rate limit as last seen
	Next     time.Time
	Wait     string // why until Next: WaitInterval, WaitBackoff...
}

// Run polls until ctx is done and returns its error, or until OnRound
// returns an error and returns that. It leaves no goroutine behind.
func (w *Watcher) Run(ctx context.Context) error {
	switch {
	case w.Check == nil:
		return errors.New("watch: no check function")
	case len(w.Targets) == 0:
		return errors.New("watch: no targets")
	case w.Interval <= 0:
		return fmt.Errorf("watch: interval %v is not positive", w.Interval)
	}
	r := newRun(w)
	for {
		now := r.clock.Now()
		if due := r.due(now); len(due) > 0 {
			results := r.checkAll(ctx, due)
			if err := ctx.Err(); err != nil {
				return err // a cancelled check is no news
			}
			round := r.record(r.clock.Now(), due, results)
			if w.OnRound != nil {
				if err := w.OnRound(round); err != nil {
					return err
				}
			}
		}
		wake, _ := r.next()
		if err := r.clock.SleepUntil(ctx, wake); err != nil {
			return err
		}
	}
}

// run is the state of one Run.
type run struct {
	w     *Watcher
	clock Clock
	rand  func() float64
	st    []Status
	cost  []int // requests the last check of each target took

	serverInterval time.Duration // X-Poll-Interval as last sent
	rate           Rate
	gate           time.Time // no poll of any target before this
	gateWhy        string
	why            []string // why each target's Next
	hour           window
}

func newRun(w *Watcher) *run {
	r := &run{w: w, clock: w.Clock, rand: w.Rand, rate: Rate{Remaining: -1}}
	if r.clock == nil {
		r.clock = RealClock
	}
	if r.rand == nil {
		r.rand = rand.Float64
	}
	now := r.clock.Now()
	for _, t := range w.Targets {
		r.st = append(r.st, Status{Target: t, Ref: t.Ref, Next: now})
		// A check is at least two lists; a default branch is looked
		// up first.
		cost := 2
		if t.Ref == "" {
			cost = 3 // or a pull request, read first likewise
		}
		r.cost = append(r.cost, cost)
		r.why = append(r.why, WaitInterval)
	}
	return r
}

func (r *run) due(now time.Time) []int {
	if now.Before(r.gate) {
		return nil
	}
	var due []int
	for i, s := range r.st {
		if !now.Before(s.Next) {
			due = append(due, i)
		}
	}
	return due
}

// next is when the next target is due, and why it waits until then.
func (r *run) next() (time.Time, string) {
	next, why := r.st[0].Next, r.why[0]
	for i, s := range r.st[1:] {
		if s.Next.Before(next) {
			next, why = s.Next, r.why[i+1]
		}
	}
	if next.Before(r.gate) {
		return r.gate, r.gateWhy
	}
	return next, why
}

type checked struct {
	res *buildstatus.Result
	err error
}

// checkAll checks the due targets, at most Concurrency at once, and
// returns when every check has.
func (r *run) checkAll(ctx context.Context, due []int) []checked {
	limit := r.w.Concurrency
	if limit <= 0 {
		limit = DefaultConcurrency
	}
	outcomes := buildstatus.CheckAll(ctx, len(due), limit, func(ctx context.Context, k int) (*buildstatus.Result, error) {
		c := r.check(ctx, due[k])
		return c.res, c.err
	})
	out := make([]checked, len(due))
	for k, o := range outcomes {
		out[k] = checked{o.Result, o.Err}
	}
	return out
}

func (r *run) check(ctx context.Context, i int) checked {
	s := &r.st[i]
	if r.w.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.w.Timeout)
		defer cancel()
	}
	// A default branch is asked for by the name it resolved to; a pull
	// request's head may move, so it is looked up every time.
	t := s.Target
	if t.Pull == 0 {
		t.Ref = s.Ref
	}
	res, err := r.w.Check(ctx, t)
	if res == nil {
		if err == nil {
			err = errors.New("watch: the check returned no result")
		}
		res = &buildstatus.Result{Repo: t.Owner + "/" + t.Repo, Ref: s.Ref, Pull: t.Pull, Contexts: []buildstatus.Context{}, Missing: []string{}}
	}
	if err != nil {
		res.State = buildstatus.StateError
		if res.Error == "" {
			res.Error = err.Error()
		}
	}
	return checked{res, err}
}
