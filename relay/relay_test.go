package relay

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure/buildstatus"
	"github.com/clientsecure/clientsecure/watch"
)

func TestRoutes(t *testing.T) {
	u := newUpstream(t, testScenario())
	tr := startRelay(t, u, relayOpts{})
	tr.waitRound(t)
	dev := tr.device()

	cases := []struct {
		path   string
		code   int
		prefix string
		has    string
	}{
		{"/repos/octo/green/commits/main/status", 200, `{"state":"success","verdict":"success","sha":"`, `"failing":[]}`},
		// Actions only: GitHub's combined status would say pending.
		{"/repos/octo/actions/commits/main/status", 200, `{"state":"success"`, `"verdict":"success"`},
		{"/repos/octo/red/commits/main/status", 200, `{"state":"failure","verdict":"failure"`, `"failing":["build"]`},
		{"/repos/OCTO/Green/commits/main/status", 200, `{"state":"success"`, ""},
		{"/repos/octo/green/commits/other/status", 404, `{"message":"Not Found"`, ""},
		{"/repos/octo/elsewhere/commits/main/status", 404, `{"message":"Not Found"`, ""},
		{"/", 404, `{"message":"Not Found"`, ""},
		{"/time", 200, `{"unix":`, ""},
	}
	for _, c := range cases {
		code, h, body := tr.get(t, dev, c.path)
		if code != c.code || !strings.HasPrefix(body, c.prefix) || !strings.Contains(body, c.has) {
			t.Errorf("GET %s: %d %q; want %d starting %q holding %q", c.path, code, body, c.code, c.prefix, c.has)
		}
		if len(body) > MaxBody {
			t.Errorf("GET %s: %d bytes, over %d", c.path, len(body), MaxBody)
		}
		if h.Get("Date") == "" || h.Get("Content-Length") == "" || h.Get("Transfer-Encoding") != "" {
			t.Errorf("GET %s: Date %q, Content-Length %q, Transfer-Encoding %q", c.path, h.Get("Date"), h.Get("Content-Length"), h.Get("Transfer-Encoding"))
		}
		if !json.Valid([]byte(body)) {
			t.Errorf("GET %s: not JSON: %q", c.path, body)
		}
	}
	var tm struct{ Unix int64 }
	_, _, body := tr.get(t, dev, "/time")
	json.Unmarshal([]byte(body), &tm)
	if d := time.Since(time.Unix(tm.Unix, 0)); d < -time.Minute || d > time.Minute {
		t.Errorf("/time says %d, %v off", tm.Unix, d)
	}
	// Device requests cost upstream nothing.
	if n := u.statusRequests("octo", "green", "main"); n != 1 {
		t.Errorf("%d upstream requests after one poll and many device requests", n)
	}
}

func TestDeviceToken(t *testing.T) {
	u := newUpstream(t, testScenario())
	tr := startRelay(t, u, relayOpts{deviceToken: "dev-s3cret"})
	tr.waitRound(t)
	dev := tr.device()
	path := "/repos/octo/green/commits/main/status"
	for _, c := range []struct {
		path string
		hdr  []string
		code int
	}{
		{path, nil, 401},
		{path, []string{"Authorization", "Bearer wrong"}, 401},
		{path, []string{"Authorization", "Basic ZGV2LXMzY3JldA=="}, 401},
		{path + "?token=wrong", nil, 401},
		{path, []string{"Authorization", "Bearer dev-s3cret"}, 200},
		{path + "?token=dev-s3cret", nil, 200},
		{"/time", nil, 200},
		{"/nothing", nil, 401}, // says nothing about what exists
	} {
		code, h, body := tr.get(t, dev, c.path, c.hdr...)
		if code != c.code {
			t.Errorf("GET %s %v: %d %s; want %d", c.path, c.hdr, code, body, c.code)
		}
		if code == 401 && !strings.HasPrefix(body, `{"message":"`) || code == 401 && h.Get("WWW-Authenticate") == "" {
			t.Errorf("401 without message or WWW-Authenticate: %q", body)
		}
	}
}

// scripted is a Relay whose upstream answers from a list, one per poll,
// on a fake clock, served without TLS.
type scripted struct {
	r      *Relay
	clock  *fakeClock
	rounds chan watch.Round
}

func newScripted(t *testing.T, answers ...func() (*buildstatus.Result, error)) *scripted {
	t.Helper()
	s := &scripted{clock: newFakeClock(), rounds: make(chan watch.Round, 10)}
	n := 0
	check := func(ctx context.Context, target watch.Target) (*buildstatus.Result, error) {
		a := answers[min(n, len(answers)-1)]
		n++
		res, err := a()
		if res != nil {
			res.Repo, res.Ref = target.Owner+"/"+target.Repo, target.Ref
		}
		return res, err
	}
	r, err := New(Config{Targets: testTargets[:1], Check: check, Interval: time.Minute, Clock: s.clock,
		OnRound: func(rd watch.Round) { s.rounds <- rd }})
	if err != nil {
		t.Fatal(err)
	}
	s.r = r
	return s
}

func (s *scripted) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// poll lets the next poll happen and waits for it.
func (s *scripted) poll(t *testing.T, first bool) {
	t.Helper()
	if !first {
		s.clock.Advance(time.Minute)
	}
	select {
	case <-s.rounds:
	case <-time.After(10 * time.Second):
		t.Fatal("no poll")
	}
}

func (s *scripted) get(path string) (int, http.Header, string) {
	rec := httptest.NewRecorder()
	s.r.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code, rec.Header(), rec.Body.String()
}

const greenPath = "/repos/octo/green/commits/main/status"

func ok(state buildstatus.State, failing ...string) func() (*buildstatus.Result, error) {
	return func() (*buildstatus.Result, error) {
		res := &buildstatus.Result{SHA: strings.Repeat("a", 40), State: state, Contexts: []buildstatus.Context{}}
		for _, f := range failing {
			res.Contexts = append(res.Contexts, buildstatus.Context{Name: f, State: buildstatus.StateFailure})
		}
		return res, nil
	}
}

func fail(kind buildstatus.ErrorKind) func() (*buildstatus.Result, error) {
	return func() (*buildstatus.Result, error) {
		return nil, &buildstatus.APIError{Kind: kind, Message: "upstream says " + ghToken}
	}
}

func TestBeforeFirstAnswer(t *testing.T) {
	s := newScripted(t, ok(buildstatus.StateSuccess))
	code, h, body := s.get(greenPath)
	if code != 503 || h.Get("Retry-After") == "" || !strings.HasPrefix(body, `{"message":"`) {
		t.Errorf("before the first poll: %d Retry-After %q %q", code, h.Get("Retry-After"), body)
	}
}

func TestFirstAnswerAnError(t *testing.T) {
	for kind, want := range map[buildstatus.ErrorKind]string{
		buildstatus.Unauthorized: "upstream unauthorized",
		buildstatus.Forbidden:    "upstream unauthorized",
		buildstatus.RateLimited:  "upstream rate limited",
		buildstatus.NotFound:     "upstream not found",
		buildstatus.Server:       "upstream unreachable",
	} {
		s := newScripted(t, fail(kind))
		s.run(t)
		s.poll(t, true)
		code, _, body := s.get(greenPath)
		if code != 502 || body != `{"message":"`+want+`"}`+"\n" {
			t.Errorf("%s: %d %q; want 502 %q", kind, code, body, want)
		}
	}
}

func TestLastVerdictWhileUpstreamFails(t *testing.T) {
	s := newScripted(t, ok(buildstatus.StateFailure, "build"), fail(buildstatus.Server), fail(buildstatus.Server), ok(buildstatus.StateSuccess))
	s.run(t)
	s.poll(t, true)
	_, _, fresh := s.get(greenPath)
	if strings.Contains(fresh, "age_s") {
		t.Errorf("a fresh verdict has an age: %s", fresh)
	}
	s.poll(t, false) // the error backs off about an interval
	s.clock.Advance(30 * time.Second)
	code, _, body := s.get(greenPath)
	if code != 200 || !strings.HasPrefix(body, `{"state":"failure"`) || !strings.Contains(body, `"age_s":90`) {
		t.Errorf("while failing: %d %q; want the last verdict, 90 s old", code, body)
	}
}

func TestBodyFitsWithManyFailures(t *testing.T) {
	var names []string
	for i := range 40 {
		names = append(names, "a-rather-long-check-name-"+strings.Repeat("x", i))
	}
	s := newScripted(t, ok(buildstatus.StateFailure, names...))
	s.run(t)
	s.poll(t, true)
	_, _, body := s.get(greenPath)
	if len(body) > MaxBody || !json.Valid([]byte(body)) || !strings.Contains(body, `"failing_more":`) {
		t.Errorf("%d bytes: %s", len(body), body)
	}
	var v struct {
		Failing []string
		More    int `json:"failing_more"`
	}
	json.Unmarshal([]byte(body), &v)
	if len(v.Failing)+v.More != 40 || len(v.Failing) == 0 {
		t.Errorf("%d names + %d more, want 40", len(v.Failing), v.More)
	}
}

func TestNoStatusIsPending(t *testing.T) {
	s := newScripted(t, ok(buildstatus.StateNoStatus))
	s.run(t)
	s.poll(t, true)
	_, _, body := s.get(greenPath)
	if !strings.HasPrefix(body, `{"state":"pending","verdict":"no_status"`) {
		t.Errorf("no_status: %s", body)
	}
}
