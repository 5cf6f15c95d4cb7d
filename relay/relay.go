package relay

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/clientsecure/clientsecure/buildstatus"
	"github.com/clientsecure/clientsecure/watch"
)

// Config is what a Relay serves and how it asks upstream. Set it before
// New; the Relay keeps its own copy.
type Config struct {
	Targets []watch.Target  // the refs served (required)
	Check   watch.CheckFunc // upstream: a (*buildstatus.Client).Checker (required)
	// Interval is the least time between two polls of a ref (required);
	// the server's X-Poll-Interval raises it.
	Interval time.Duration
	Timeout  time.Duration // bounds each upstream check; 0 means none
	Clock    watch.Clock   // nil means watch.RealClock
	// DeviceToken, if not empty, is what devices must present.
	DeviceToken string
	Metrics     *Metrics // nil means a fresh, unexported set
	// OnRound, if set, is called after each poll (for logs and tests),
	// from the poller's goroutine.
	OnRound func(watch.Round)
}

// Relay holds the last verdict of each ref and serves them to devices. It
// is an http.Handler; Run keeps its verdicts current.
type Relay struct {
	cfg     Config
	clock   watch.Clock
	metrics *Metrics

	mu      sync.RWMutex
	entries []*entry
}

// entry is one served ref.
type entry struct {
	target watch.Target
	ref    string // resolved: the default branch's name once known
	last   *verdict
	body   []byte              // last encoded without age, the common reply
	kind   ErrorKind           // the last poll's error, "" if it answered
	polled bool                // at least one answer or error
	seen   *buildstatus.Result // the poll last stored
}

// New checks cfg and returns a Relay with no verdict yet.
func New(cfg Config) (*Relay, error) {
	switch {
	case len(cfg.Targets) == 0:
		return nil, errors.New("relay: no refs to serve")
	case cfg.Check == nil:
		return nil, errors.New("relay: no upstream check")
	case cfg.Interval <= 0:
		return nil, fmt.Errorf("relay: interval %v is not positive", cfg.Interval)
	}
	r := &Relay{cfg: cfg, clock: cfg.Clock, metrics: cfg.Metrics}
	if r.clock == nil {
		r.clock = watch.RealClock
	}
	if r.metrics == nil {
		r.metrics = NewMetrics()
	}
	for _, t := range cfg.Targets {
		r.entries = append(r.entries, &entry{target: t, ref: t.Ref})
	}
	r.metrics.watchAges(r)
	return r, nil
}

// Metrics is the Relay's metrics.
func (r *Relay) Metrics() *Metrics { return r.metrics }

// Run polls upstream until ctx is done and returns its error.
func (r *Relay) Run(ctx context.Context) error {
	w := &watch.Watcher{
		Check:    r.cfg.Check,
		Targets:  r.cfg.Targets,
		Interval: r.cfg.Interval,
		Timeout:  r.cfg.Timeout,
		Clock:    r.clock,
		OnRound: func(round watch.Round) error {
			r.update(round)
			if r.cfg.OnRound != nil {
				r.cfg.OnRound(round)
			}
			return nil
		},
	}
	return w.Run(ctx)
}

// update stores what a poll learnt. A round lists every ref, polled in it
// or not; a ref polled anew has a Result other than the one last seen.
func (r *Relay) update(round watch.Round) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, s := range round.Statuses {
		e := r.entries[i]
		if s.Result == nil || s.Result == e.seen {
			continue
		}
		e.seen = s.Result
		e.polled = true
		if s.Ref != "" {
			e.ref = s.Ref
		}
		name := e.name()
		if s.Err != nil || s.State == buildstatus.StateError {
			e.kind = Classify(s.Err)
			r.metrics.upstreamErrors.WithLabelValues(name, string(e.kind)).Inc()
			continue
		}
		e.kind = ""
		e.last = verdictOf(s.Result, round.Time)
		e.body = e.last.encode(-1)
		r.metrics.setVerdict(name, e.last.state)
	}
}

func (e *entry) name() string {
	t := e.target
	t.Ref = e.ref
	return t.String()
}

// ErrorKind is what a device is told when upstream failed: a kind, never
// upstream's own words.
type ErrorKind string

const (
	KindUnauthorized ErrorKind = "unauthorized"
	KindRateLimited  ErrorKind = "rate limited"
	KindNotFound     ErrorKind = "not found"
	KindUnreachable  ErrorKind = "unreachable"
)

// Classify sorts an upstream error into the kinds devices see. A server
// that failed verification is unreachable: the relay would not talk to it.
func Classify(err error) ErrorKind {
	var ae *buildstatus.APIError
	if errors.As(err, &ae) {
		switch ae.Kind {
		case buildstatus.Unauthorized, buildstatus.Forbidden:
			return KindUnauthorized
		case buildstatus.RateLimited:
			return KindRateLimited
		case buildstatus.NotFound, buildstatus.Invalid:
			return KindNotFound
		}
	}
	return KindUnreachable
}

// lookup finds the entry a device path names: owner and repository
// case-insensitively (as GitHub does), the ref exactly. pending reports a
// default-branch entry of the same repository whose branch is not known
// yet, which might be the one asked for.
func (r *Relay) lookup(owner, repo, ref string) (e *entry, pending bool) {
	for _, c := range r.entries {
		if !strings.EqualFold(c.target.Owner, owner) || !strings.EqualFold(c.target.Repo, repo) {
			continue
		}
		if c.ref == ref {
			return c, false
		}
		if c.ref == "" {
			pending = true
		}
	}
	return nil, pending
}
