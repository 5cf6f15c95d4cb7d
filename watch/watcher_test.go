package watch

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure/buildstatus"
	"github.com/clientsecure/clientsecure/fakehub"
)

var mainRef = Target{Owner: "octo", Repo: "app", Ref: "main"}

// K polls of an unchanged ref: one full request per list, then only 304s.
func TestUnchangedRefCostsOnlyConditionalRequests(t *testing.T) {
	f := newHubFixture(t, pendingScenario())
	w, rec := f.watcher(mainRef)
	start := f.clock.Now()
	const K = 6
	if err := runUntil(t, w, f.clock, K, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v, want context.Canceled", err)
	}

	st := f.hub.Stats()
	t.Logf("%d polls of an unchanged ref: server saw %d requests, %d answered 304 Not Modified; transport %+v",
		K, st.Requests, st.NotModified, f.ct.Stats())
	if st.Requests != 2*K || st.NotModified != 2*(K-1) || st.WithToken != 2*K {
		t.Errorf("server stats %+v; want %d requests (%d with the token), %d of them 304", st, 2*K, 2*K, 2*(K-1))
	}
	if cs := f.ct.Stats(); cs.Full() != 2 || cs.NotModified != 2*(K-1) {
		t.Errorf("transport stats %+v: want 2 full requests (one per list) and %d 304s", cs, 2*(K-1))
	}
	if len(rec.rounds) != K {
		t.Fatalf("%d rounds, want %d", len(rec.rounds), K)
	}
	last := rec.rounds[K-1]
	if last.LastHour != (Spend{Requests: 2 * K, NotModified: 2 * (K - 1)}) || last.Spent != (Spend{2, 2}) {
		t.Errorf("last round spent %+v, last hour %+v", last.Spent, last.LastHour)
	}
	if last.Rate.Limit != 5000 || last.Rate.Remaining != 4998 {
		t.Errorf("rate %+v: want 4998 of 5000 left (304s are free)", last.Rate)
	}
	for i, d := range f.clock.Waits(start) {
		if d != time.Minute {
			t.Errorf("wait %d: %v, want the 1m interval", i, d)
		}
	}
	if len(rec.changes) != 1 {
		t.Fatalf("%d changes, want only the first verdict: %+v", len(rec.changes), rec.changes)
	}
	c := rec.changes[0]
	if c.Previous != "" || c.Current != buildstatus.StatePending || c.Repo != "octo/app" || c.Ref != "main" || len(c.SHA) != 40 {
		t.Errorf("first change %+v", c)
	}
}

// A change made between two polls is reported by the next one: within one
// interval, for one full request (the list that changed).
func TestChangeReportedWithinOneInterval(t *testing.T) {
	f := newHubFixture(t, pendingScenario())
	w, rec := f.watcher(mainRef)
	start := f.clock.Now()
	runUntil(t, w, f.clock, 3, func(n int, _ time.Time) {
		if n == 1 {
			post(f.hub, "main", "success")
		}
	})
	if len(rec.changes) != 2 {
		t.Fatalf("changes %+v, want pending then success", rec.changes)
	}
	c := rec.changes[1]
	if c.Previous != buildstatus.StatePending || c.Current != buildstatus.StateSuccess {
		t.Errorf("change %s -> %s, want pending -> success", c.Previous, c.Current)
	}
	if c.Time.After(start.Add(w.Interval)) {
		t.Errorf("change reported at %v, more than one interval (%v) after the first poll at %v", c.Time, w.Interval, start)
	}
	if s := rec.rounds[1].Spent; s != (Spend{Requests: 2, NotModified: 1}) {
		t.Errorf("the poll that saw the change spent %+v, want 2 requests, 1 of them 304 (check runs unchanged)", s)
	}
}

// A failing context is named in the change.
func TestChangeNamesFailingContexts(t *testing.T) {
	f := newHubFixture(t, pendingScenario())
	w, rec := f.watcher(Target{Owner: "octo", Repo: "app", Ref: "dev"})
	runUntil(t, w, f.clock, 1, nil)
	if len(rec.changes) != 1 || rec.changes[0].Current != buildstatus.StateFailure || !slices.Equal(rec.changes[0].Failing, []string{"lint"}) {
		t.Fatalf("changes %+v, want failure naming lint", rec.changes)
	}
}

// Out of requests: one 403, then nothing until the reset, then on.
func TestRateLimitWaitsForReset(t *testing.T) {
	f := newHubFixture(t, pendingScenario())
	reset := f.clock.Now().Add(10 * time.Minute)
	f.hub.SetRateLimit(0, reset)
	w, rec := f.watcher(mainRef)
	var atSleep fakehub.Stats
	runUntil(t, w, f.clock, 2, func(n int, _ time.Time) {
		if n == 1 {
			atSleep = f.hub.Stats()
		}
	})
	if len(f.clock.Sleeps()) < 1 || f.clock.Sleeps()[0].Before(reset) {
		t.Fatalf("slept until %v, want the reset at %v", f.clock.Sleeps(), reset)
	}
	if rec.rounds[0].Wait != WaitRateReset {
		t.Errorf("wait reason %q", rec.rounds[0].Wait)
	}
	if atSleep.RateLimited == 0 || atSleep.RateLimited > 2 {
		t.Errorf("%d requests refused for the rate limit before the wait; want those of one poll", atSleep.RateLimited)
	}
	end := f.hub.Stats()
	if end.RateLimited != atSleep.RateLimited {
		t.Errorf("%d more requests refused after the wait", end.RateLimited-atSleep.RateLimited)
	}
	if len(rec.rounds) != 2 {
		t.Fatalf("%d polls, want the refused one and one after the reset", len(rec.rounds))
	}
	if got := rec.rounds[1].Time; got.Before(reset) {
		t.Errorf("polled again at %v, before the reset %v", got, reset)
	}
	if len(rec.changes) != 2 || rec.changes[0].Current != buildstatus.StateError || rec.changes[1].Current != buildstatus.StatePending {
		t.Errorf("changes %+v, want error then pending", rec.changes)
	}
}

// With fewer requests left than a poll could take, the watcher waits for
// the reset rather than run into the limit.
func TestNearlySpentRateLimitWaitsForReset(t *testing.T) {
	f := newHubFixture(t, pendingScenario())
	reset := f.clock.Now().Add(30 * time.Minute)
	f.hub.SetRateLimit(3, reset)
	w, rec := f.watcher(mainRef)
	runUntil(t, w, f.clock, 2, nil)
	if got := f.clock.Sleeps()[0]; got.Before(reset) {
		t.Errorf("slept until %v, want at least the reset %v (1 request left, a poll takes 2)", got, reset)
	}
	if rec.rounds[0].Wait != WaitRateReset || rec.rounds[0].Rate.Remaining != 1 {
		t.Errorf("round %+v", rec.rounds[0])
	}
	if st := f.hub.Stats(); st.RateLimited != 0 {
		t.Errorf("%d requests refused: the watcher ran into the limit", st.RateLimited)
	}
}

// With the limit running low, polls are spread until the reset.
func TestLowRateLimitSpreadsPolls(t *testing.T) {
	f := newHubFixture(t, pendingScenario())
	f.hub.SetRateLimit(100, f.clock.Now().Add(time.Hour))
	w, rec := f.watcher(mainRef)
	start := f.clock.Now()
	runUntil(t, w, f.clock, 1, nil)
	// 98 left, 2 kept in reserve, 2 spent a poll: 48 polls in the hour
	// (and the margin's second) until the reset.
	want := (time.Hour + time.Second) / 48
	if got := f.clock.Waits(start)[0]; got != want || rec.rounds[0].Wait != WaitPaced {
		t.Errorf("waited %v (%s), want %v paced", got, rec.rounds[0].Wait, want)
	}
}

func TestPollIntervalHeaderIsHonoured(t *testing.T) {
	f := newHubFixture(t, pendingScenario())
	f.hub.SetPollInterval(300)
	w, rec := f.watcher(mainRef)
	start := f.clock.Now()
	runUntil(t, w, f.clock, 2, nil)
	for i, d := range f.clock.Waits(start) {
		if d != 5*time.Minute || rec.rounds[i].Wait != WaitPollInterval {
			t.Errorf("wait %d: %v (%s), want 5m from X-Poll-Interval", i, d, rec.rounds[i].Wait)
		}
	}
}

// A secondary rate limit's Retry-After holds every poll back.
func TestRetryAfterIsHonoured(t *testing.T) {
	f := newHubFixture(t, pendingScenario())
	f.hub.SetRetryAfter(600)
	f.hub.FailNext(429, 1)
	w, rec := f.watcher(mainRef)
	start := f.clock.Now()
	runUntil(t, w, f.clock, 1, nil)
	if got := f.clock.Waits(start)[0]; got < 10*time.Minute || rec.rounds[0].Wait != WaitRateReset {
		t.Errorf("waited %v (%s) after a 429 with Retry-After: 600", got, rec.rounds[0].Wait)
	}
}

// The server goes away and comes back on the same port: the watch reports
// the outage, dials again, and the new server answers 304 to what the old
// one sent.
func TestSurvivesServerRestart(t *testing.T) {
	sc := pendingScenario()
	f := newHubFixture(t, sc)
	addr := f.srv.Addr()
	w, rec := f.watcher(mainRef)
	var again *fakehub.Hub
	runUntil(t, w, f.clock, 3, func(n int, _ time.Time) {
		switch n {
		case 1:
			f.srv.Close()
		case 2:
			again = restartOn(t, addr, sc)
		}
	})
	var states []buildstatus.State
	for _, c := range rec.changes {
		states = append(states, c.Current)
	}
	want := []buildstatus.State{buildstatus.StatePending, buildstatus.StateError, buildstatus.StatePending}
	if !slices.Equal(states, want) {
		t.Fatalf("states %v, want %v", states, want)
	}
	if rec.changes[1].Err == nil {
		t.Error("the outage's change has no error")
	}
	if st := again.Stats(); st.Requests != 2 || st.NotModified != 2 {
		t.Errorf("restarted server: %+v, want 2 requests, both 304", st)
	}
	if rec.rounds[1].Wait != WaitBackoff {
		t.Errorf("after the outage, waited for %q, want backoff", rec.rounds[1].Wait)
	}
}

// After Run returns, nothing it started is still running: not its checks,
// not their requests.
func TestNoGoroutineLeftAfterCancel(t *testing.T) {
	f := newHubFixture(t, pendingScenario())
	check := noLeak(t, f.hc)
	w, rec := f.watcher(mainRef, Target{Owner: "octo", Repo: "app", Ref: "dev"}, Target{Owner: "octo", Repo: "app"})
	w.Concurrency = 2
	runUntil(t, w, f.clock, 3, nil)
	if len(rec.rounds) != 3 {
		t.Fatalf("%d rounds", len(rec.rounds))
	}
	check()
}

// Cancelling while a check is in flight ends Run without reporting the
// cancelled check as an error.
func TestCancelDuringCheck(t *testing.T) {
	f := newHubFixture(t, pendingScenario())
	check := noLeak(t, f.hc)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, rec := f.watcher(mainRef)
	polls := 0
	w.Check = func(ctx context.Context, t Target) (*buildstatus.Result, error) {
		polls++
		if polls == 2 {
			cancel()
		}
		return f.client.Check(ctx, t, buildstatus.Want{})
	}
	if err := w.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	if len(rec.changes) != 1 || len(rec.rounds) != 1 {
		t.Errorf("changes %+v, rounds %d: the cancelled poll was reported", rec.changes, len(rec.rounds))
	}
	check()
}

// A target without a ref watches the default branch, looked up once.
func TestDefaultBranchLookedUpOnce(t *testing.T) {
	f := newHubFixture(t, nil) // esp8266/Arduino, default branch master
	w, rec := f.watcher(Target{Owner: "esp8266", Repo: "Arduino"})
	runUntil(t, w, f.clock, 3, nil)
	if st := f.hub.Stats(); st.Requests != 3+2+2 || st.NotModified != 4 {
		t.Errorf("server stats %+v: want the repository once, then 2 lists a poll, 304 after the first", st)
	}
	if len(rec.changes) != 1 || rec.changes[0].Ref != "master" || rec.changes[0].Current != buildstatus.StateSuccess {
		t.Errorf("changes %+v", rec.changes)
	}
	if name := rec.rounds[2].Statuses[0].Name(); name != "esp8266/Arduino@master" {
		t.Errorf("status name %q", name)
	}
}
