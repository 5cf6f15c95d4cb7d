package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/clientsecure/clientsecure/buildstatus"
	"github.com/clientsecure/clientsecure/fakehub"
	"github.com/clientsecure/clientsecure/fakehubtest"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// manyRefs is one repository with n refs r0, r1, ..., each with a passing
// status, and the command-line arguments naming them.
func manyRefs(n int) (*fakehub.Scenario, []string) {
	repo := fakehub.Repo{Owner: "acme", Name: "widget"}
	var args []string
	for i := range n {
		name := fmt.Sprintf("r%d", i)
		repo.Refs = append(repo.Refs, fakehub.Ref{Name: name, Statuses: []fakehub.Status{{State: "success", Context: "ci"}}})
		args = append(args, "acme/widget@"+name)
	}
	return &fakehub.Scenario{Repos: []fakehub.Repo{repo}}, args
}

// meetingHub serves sc over HTTP/2 on loopback, counting connections and
// TLS handshakes, and answers a ref's status only once its check runs have
// been asked for, and the other way round: a client that fetched a ref's
// two lists one after the other would hang until its context ended.
type meetingHub struct {
	*fakehubtest.Server

	mu       sync.Mutex
	arrived  map[string]chan struct{} // "REF status", "REF check-runs"
	inFlight map[string]int           // requests per ref being answered
	maxRefs  int                      // the most refs being answered at once
}

func startMeetingHub(t *testing.T, sc *fakehub.Scenario) *meetingHub {
	h := &meetingHub{arrived: map[string]chan struct{}{}, inFlight: map[string]int{}}
	h.Server = fakehubtest.NewUnstartedServer(sc, testcerts.Shared().Good.TLS())
	h.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer h.meet(r)()
		h.Hub.ServeHTTP(w, r)
	})
	h.Start()
	t.Cleanup(h.Close)
	return h
}

// meet holds a list request until the ref's other list is asked for, and
// returns what to call when the request is answered.
func (h *meetingHub) meet(r *http.Request) (done func()) {
	i := strings.LastIndex(r.URL.Path, "/")
	ref, list := r.URL.Path[:i], r.URL.Path[i+1:]
	other := map[string]string{"status": "check-runs", "check-runs": "status"}[list]
	if other == "" {
		return func() {}
	}
	h.mu.Lock()
	h.inFlight[ref]++
	h.maxRefs = max(h.maxRefs, len(h.inFlight))
	mine, theirs := h.arrival(ref+" "+list), h.arrival(ref+" "+other)
	close(mine) // each ref's lists are asked for once in these tests
	h.mu.Unlock()
	select {
	case <-theirs:
	case <-r.Context().Done():
	}
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.inFlight[ref]--; h.inFlight[ref] == 0 {
			delete(h.inFlight, ref)
		}
	}
}

func (h *meetingHub) arrival(key string) chan struct{} {
	c, ok := h.arrived[key]
	if !ok {
		c = make(chan struct{})
		h.arrived[key] = c
	}
	return c
}

// `status` for many refs makes one verified connection, one handshake,
// and fetches every ref's two lists at once over it (the hub makes them
// meet), with no more refs in flight than --concurrency.
func TestStatusManyRefsShareOneConnection(t *testing.T) {
	const refs, limit = 24, 4
	sc, args := manyRefs(refs)
	srv := startMeetingHub(t, sc)
	root := filepath.Join(t.TempDir(), "root.pem")
	if err := os.WriteFile(root, testcerts.PEM(testcerts.Shared().Root.Cert), 0o644); err != nil {
		t.Fatal(err)
	}
	var connects, handshakes, verified atomic.Int64
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		ConnectStart:      func(string, string) { connects.Add(1) },
		TLSHandshakeStart: func() { handshakes.Add(1) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err == nil {
				verified.Add(1)
			}
		},
	})
	var stdout, stderr bytes.Buffer
	code := run(ctx, append([]string{
		"status", "--api-url", srv.URL, "--ca-file", root, "--at", testcerts.Now.Format(time.RFC3339),
		"--concurrency", fmt.Sprint(limit),
	}, args...), &env{
		stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
		getenv: func(string) string { return "" }, now: time.Now,
	})
	if code != exitOK || strings.Count(stdout.String(), ": success") != refs {
		t.Fatalf("exit %d, want %d refs green\nstdout:\n%s\nstderr:\n%s", code, refs, stdout.String(), stderr.String())
	}
	got := [5]int64{connects.Load(), handshakes.Load(), verified.Load(), srv.Conns(), srv.Handshakes()}
	if got != [5]int64{1, 1, 1, 1, 1} {
		t.Errorf("client connects, handshakes, verified; server connections, hellos = %v, want one of each", got)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.maxRefs > limit {
		t.Errorf("%d refs in flight at once, over --concurrency %d", srv.maxRefs, limit)
	}
}

// heldTransport answers from a fakehub Hub in memory, holding each request
// until the test releases it, so that a synctest bubble can see how many
// refs are in flight once everything is blocked.
type heldTransport struct {
	hub  *fakehub.Hub
	mu   sync.Mutex
	held map[*http.Request]chan struct{}
}

func (h *heldTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	release := make(chan struct{})
	h.mu.Lock()
	h.held[req] = release
	h.mu.Unlock()
	select {
	case <-release:
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	rec := httptest.NewRecorder()
	h.hub.ServeHTTP(rec, req)
	return rec.Result(), nil
}

// refsHeld releases every request held and returns how many refs they
// belonged to.
func (h *heldTransport) releaseAll() (refs int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	seen := map[string]bool{}
	for req, release := range h.held {
		seen[req.URL.Path[:strings.LastIndex(req.URL.Path, "/")]] = true
		close(release)
	}
	clear(h.held)
	return len(seen)
}

// checkAll has exactly limit refs in flight whenever it has that many left
// to check, never more. In a synctest bubble, synctest.Wait returns once
// every request is held, so the count is exact, not a matter of timing.
func TestCheckAllBoundsConcurrency(t *testing.T) {
	for _, limit := range []int{1, 3, 8} {
		t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sc, args := manyRefs(10)
				held := &heldTransport{hub: fakehub.New(sc), held: map[*http.Request]chan struct{}{}}
				client, err := buildstatus.NewClient(&http.Client{Transport: held}, "https://hub.invalid/", "")
				if err != nil {
					t.Fatal(err)
				}
				specs := make([]buildstatus.Target, len(args))
				for i, a := range args {
					if specs[i], err = buildstatus.ParseSpec(a); err != nil {
						t.Fatal(err)
					}
				}
				ups := &connected{plan: &apiPlan{of: map[string]int{"": 0}}, ups: []*upstream{{client: client}}}
				var outcomes []*outcome
				done := make(chan struct{})
				go func() {
					outcomes = checkAll(t.Context(), ups, specs, buildstatus.Want{}, limit)
					close(done)
				}()
				most := 0
				for {
					synctest.Wait()
					select {
					case <-done:
					default:
						n := held.releaseAll()
						if n > limit {
							t.Fatalf("%d refs in flight, --concurrency %d", n, limit)
						}
						most = max(most, n)
						continue
					}
					break
				}
				if most != min(limit, len(specs)) {
					t.Errorf("at most %d refs were in flight at once, want %d", most, min(limit, len(specs)))
				}
				for _, o := range outcomes {
					if o.err != nil || o.State != buildstatus.StateSuccess {
						t.Errorf("%s@%s: %s %v", o.Repo, o.Ref, o.State, o.err)
					}
				}
			})
		})
	}
}
