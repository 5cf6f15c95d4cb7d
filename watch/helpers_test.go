package watch

import (
	"context"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/buildstatus"
	"github.com/clientsecure/clientsecure/fakehub"
	"github.com/clientsecure/clientsecure/fakehubtest"
	"github.com/clientsecure/clientsecure/internal/fakeclock"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

func newFakeClock() *fakeclock.Clock {
	// Whole seconds, like the rate limit's reset.
	return fakeclock.New(testcerts.Now.Truncate(time.Second))
}

// hubFixture is a fakehub on loopback and a buildstatus client of it over a
// ConditionalTransport, as `status --watch` builds it.
type hubFixture struct {
	srv    *fakehubtest.Server
	hub    *fakehub.Hub
	ct     *buildstatus.ConditionalTransport
	hc     *http.Client
	client *buildstatus.Client
	clock  *fakeclock.Clock
}

func newHubFixture(t *testing.T, sc *fakehub.Scenario) *hubFixture {
	t.Helper()
	srv := fakehubtest.NewServer(sc, testcerts.Shared().Good.TLS())
	t.Cleanup(srv.Close)
	f := &hubFixture{srv: srv, hub: srv.Hub, clock: newFakeClock()}
	srv.Hub.SetClock(f.clock.Now)
	// A fresh window on the test's clock, as GitHub would have it.
	srv.Hub.SetRateLimit(5000, f.clock.Now().Add(time.Hour))
	trust := &clientsecure.Trust{
		Roots: testcerts.Pool(testcerts.Shared().Root.Cert),
		Time:  func() time.Time { return testcerts.Now },
	}
	f.hc = clientsecure.NewClient(trust)
	f.ct = buildstatus.NewConditionalTransport(f.hc.Transport)
	f.hc.Transport = f.ct
	t.Cleanup(f.hc.CloseIdleConnections)
	c, err := buildstatus.NewClient(f.hc, srv.URL, "ghp_watchtesttoken")
	if err != nil {
		t.Fatal(err)
	}
	c.SetClock(f.clock.Now)
	f.client = c
	return f
}

// watcher is a Watcher of targets on the fixture, recording what it
// reports; stop cancels it.
func (f *hubFixture) watcher(targets ...Target) (*Watcher, *recorder) {
	rec := &recorder{}
	w := &Watcher{
		Check:    f.client.Checker(buildstatus.Want{}),
		Targets:  targets,
		Interval: time.Minute,
		Clock:    f.clock,
		Rand:     func() float64 { return 0.5 },
		OnChange: rec.change,
		OnRound:  rec.round,
	}
	return w, rec
}

type recorder struct {
	mu      sync.Mutex
	changes []Change
	rounds  []Round
}

func (r *recorder) change(c Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.changes = append(r.changes, c)
}

func (r *recorder) round(rd Round) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rounds = append(r.rounds, rd)
	return nil
}

// runUntil runs w until its clock's n-th sleep, and returns Run's error.
func runUntil(t *testing.T, w *Watcher, clock *fakeclock.Clock, n int, during func(n int, until time.Time)) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	clock.OnSleep(func(k int, until time.Time) {
		if during != nil {
			during(k, until)
		}
		if k >= n {
			cancel()
		}
	})
	err := w.Run(ctx)
	if ctx.Err() == context.DeadlineExceeded {
		t.Fatal("the watcher did not stop")
	}
	return err
}

func pendingScenario() *fakehub.Scenario {
	return &fakehub.Scenario{Repos: []fakehub.Repo{{
		Owner: "octo", Name: "app",
		Refs: []fakehub.Ref{
			{Name: "main", Statuses: []fakehub.Status{{State: "pending", Context: "ci"}}},
			{Name: "dev", Statuses: []fakehub.Status{{State: "failure", Context: "lint"}, {State: "success", Context: "ci"}}},
		},
	}}}
}

// post adds a status to a ref of octo/app, later than any before.
func post(hub *fakehub.Hub, ref, state string) {
	hub.Update(func(sc *fakehub.Scenario) {
		for i := range sc.Repos[0].Refs {
			r := &sc.Repos[0].Refs[i]
			if r.Name == ref {
				at := time.Date(2026, 2, 1, 0, 0, len(r.Statuses), 0, time.UTC)
				r.Statuses = append(r.Statuses, fakehub.Status{State: state, Context: "ci", CreatedAt: at})
			}
		}
	})
}

// restartOn serves a fresh Hub of sc at addr, where a server was just
// closed: the same port, new connections.
func restartOn(t *testing.T, addr string, sc *fakehub.Scenario) *fakehub.Hub {
	t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the old socket may take a moment to let go
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("listening again on %s: %v", addr, err)
	}
	srv := fakehubtest.NewUnstartedServer(sc, testcerts.Shared().Good.TLS())
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.Hub
}

// noLeak fails the test if, once it is done, more goroutines run than
// when noLeak was called. Connections close asynchronously, and one whose
// request was cancelled is idle only once the server has heard of it, so
// it closes idle connections and lets them settle, for a while.
func noLeak(t *testing.T, hc *http.Client) func() {
	t.Helper()
	before := runtime.NumGoroutine()
	return func() {
		t.Helper()
		var now int
		for range 300 {
			hc.CloseIdleConnections()
			if now = runtime.NumGoroutine(); now <= before {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Errorf("%d goroutines left running, %d before:\n%s", now, before, strings.TrimSpace(string(buf)))
	}
}
