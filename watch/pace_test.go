package watch

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure/buildstatus"
)

func TestPace(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	hour := now.Add(time.Hour)
	for _, tc := range []struct {
		name      string
		p         pacing
		want      time.Duration
		waitReset bool
	}{
		{"no rate limit seen", pacing{interval: time.Minute, rate: Rate{Remaining: -1}}, time.Minute, false},
		{"reset passed: refilled", pacing{interval: time.Minute, rate: Rate{Remaining: 0, Reset: now.Add(-time.Second)}}, time.Minute, false},
		{"plenty, nothing changing", pacing{interval: time.Minute, rate: Rate{Remaining: 4000, Reset: hour}, reserve: 2}, time.Minute, false},
		{"plenty, changing", pacing{interval: time.Minute, rate: Rate{Remaining: 4000, Reset: hour}, reserve: 2, fullPerRound: 2}, time.Minute, false},
		{"below the reserve", pacing{interval: time.Minute, rate: Rate{Remaining: 5, Reset: hour}, reserve: 6}, time.Hour + resetMargin, true},
		{"exhausted", pacing{interval: time.Minute, rate: Rate{Remaining: 0, Reset: hour}, reserve: 2}, time.Hour + resetMargin, true},
		{"low: spread", pacing{interval: time.Minute, rate: Rate{Remaining: 22, Reset: hour}, reserve: 2, fullPerRound: 2}, (time.Hour + resetMargin) / 10, false},
		{"less than a round spare", pacing{interval: time.Minute, rate: Rate{Remaining: 3, Reset: hour}, reserve: 2, fullPerRound: 2}, time.Hour + resetMargin, true},
		{"reset a day away: an hour at most", pacing{interval: time.Minute, rate: Rate{Remaining: 0, Reset: now.Add(24 * time.Hour)}, reserve: 2}, time.Hour + resetMargin, true},
		{"low, but the interval is longer", pacing{interval: time.Hour, rate: Rate{Remaining: 22, Reset: hour}, reserve: 2, fullPerRound: 2}, time.Hour, false},
	} {
		tc.p.now = now
		got, waitReset := pace(tc.p)
		if got != tc.want || waitReset != tc.waitReset {
			t.Errorf("%s: pace = %v, %v; want %v, %v", tc.name, got, waitReset, tc.want, tc.waitReset)
		}
	}
}

func TestBackoff(t *testing.T) {
	base, limit := time.Minute, 10*time.Minute
	for _, tc := range []struct {
		n      int
		rand   float64
		want   time.Duration
		reason string
	}{
		{1, 0, 30 * time.Second, "never sooner than half the interval"},
		{1, 0.999999999, time.Minute, "at most the interval"},
		{2, 0.5, 90 * time.Second, "doubled"},
		{4, 0, 4 * time.Minute, "doubled thrice"},
		{5, 0.999999999, limit, "capped"},
		{1000, 0, limit / 2, "no overflow"},
	} {
		got := backoff(tc.n, base, limit, func() float64 { return tc.rand })
		if got.Round(time.Millisecond) != tc.want {
			t.Errorf("backoff(%d) with rand %v = %v, want %v (%s)", tc.n, tc.rand, got, tc.want, tc.reason)
		}
	}
}

func TestWindowKeepsOneHour(t *testing.T) {
	var w window
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	w.add(t0, Spend{2, 0})
	w.add(t0.Add(30*time.Minute), Spend{2, 2})
	w.add(t0.Add(time.Hour), Spend{2, 1})
	s, n := w.total()
	if s != (Spend{4, 3}) || n != 2 {
		t.Errorf("last hour %+v over %d polls, want the first poll dropped", s, n)
	}
}

// Errors back off, doubling, and a success goes back to the interval.
func TestErrorsBackOff(t *testing.T) {
	clock := newFakeClock()
	start := clock.Now()
	polls := 0
	fail := errors.New("watch test: no route to host")
	var rec recorder
	w := &Watcher{
		Check: func(ctx context.Context, t Target) (*buildstatus.Result, error) {
			polls++
			if polls >= 2 && polls <= 5 {
				return nil, fail
			}
			return &buildstatus.Result{Repo: t.Owner + "/" + t.Repo, Ref: t.Ref, State: buildstatus.StateSuccess, SHA: "0123456789abcdef0123456789abcdef01234567"}, nil
		},
		Targets:    []Target{mainRef},
		Interval:   time.Minute,
		MaxBackoff: 5 * time.Minute,
		Clock:      clock,
		Rand:       func() float64 { return 0 },
		OnChange:   rec.change,
		OnRound:    rec.round,
	}
	runUntil(t, w, clock, 6, nil)
	want := []time.Duration{time.Minute, 30 * time.Second, time.Minute, 2 * time.Minute, 150 * time.Second, time.Minute}
	got := clock.Waits(start)
	if len(got) != len(want) {
		t.Fatalf("waits %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("waits %v, want %v", got, want)
			break
		}
	}
	if len(rec.changes) != 3 || rec.changes[1].Err != fail || rec.changes[1].Result.Error != fail.Error() {
		t.Errorf("changes %+v: want success, error (once), success", rec.changes)
	}
	if s := rec.rounds[3].Statuses[0]; s.Errors != 3 || s.Settled != buildstatus.StateSuccess {
		t.Errorf("status after 3 errors: %+v", s)
	}
}

// A new commit with the same state is news; the same state on the same
// commit is not.
func TestNewCommitIsAChange(t *testing.T) {
	clock := newFakeClock()
	shas := []string{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}
	polls := 0
	var rec recorder
	w := &Watcher{
		Check: func(ctx context.Context, t Target) (*buildstatus.Result, error) {
			sha := shas[min(polls, len(shas)-1)]
			polls++
			return &buildstatus.Result{Repo: t.Owner + "/" + t.Repo, Ref: t.Ref, State: buildstatus.StateSuccess, SHA: sha}, nil
		},
		Targets: []Target{mainRef}, Interval: time.Minute, Clock: clock, OnChange: rec.change,
	}
	runUntil(t, w, clock, 3, nil)
	if len(rec.changes) != 2 || rec.changes[1].SHA != shas[2] || rec.changes[1].Previous != buildstatus.StateSuccess {
		t.Errorf("changes %+v", rec.changes)
	}
}

// OnRound's error stops Run, which returns it.
func TestOnRoundStops(t *testing.T) {
	done := errors.New("done")
	w := &Watcher{
		Check: func(ctx context.Context, t Target) (*buildstatus.Result, error) {
			return &buildstatus.Result{State: buildstatus.StateSuccess}, nil
		},
		Targets: []Target{mainRef}, Interval: time.Minute, Clock: newFakeClock(),
		OnRound: func(Round) error { return done },
	}
	if err := w.Run(context.Background()); err != done {
		t.Errorf("Run: %v", err)
	}
}

func TestRunRefusesBadWatchers(t *testing.T) {
	check := func(ctx context.Context, t Target) (*buildstatus.Result, error) { return nil, nil }
	for _, w := range []*Watcher{
		{Targets: []Target{mainRef}, Interval: time.Minute},
		{Check: check, Interval: time.Minute},
		{Check: check, Targets: []Target{mainRef}},
	} {
		if err := w.Run(context.Background()); err == nil || !strings.HasPrefix(err.Error(), "watch: ") {
			t.Errorf("Run(%+v) = %v", w, err)
		}
	}
}

// A check that returns neither result nor error is an error, not a crash.
func TestCheckWithoutResult(t *testing.T) {
	clock := newFakeClock()
	var rec recorder
	w := &Watcher{
		Check:   func(ctx context.Context, t Target) (*buildstatus.Result, error) { return nil, nil },
		Targets: []Target{mainRef}, Interval: time.Minute, Clock: clock, OnChange: rec.change,
	}
	runUntil(t, w, clock, 1, nil)
	if len(rec.changes) != 1 || rec.changes[0].Current != buildstatus.StateError || rec.changes[0].Err == nil || rec.changes[0].Repo != "octo/app" {
		t.Errorf("changes %+v", rec.changes)
	}
}
