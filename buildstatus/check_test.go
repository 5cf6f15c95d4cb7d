package buildstatus

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure/fakehub"
	"github.com/clientsecure/clientsecure/fakehubtest"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// startHub serves sc (nil: the document's esp8266/Arduino) and returns the
// server and its client, verifying at testcerts.Now.
func startHub(t *testing.T, sc *fakehub.Scenario) (*fakehubtest.Server, *http.Client) {
	t.Helper()
	srv := fakehubtest.NewServer(sc, testcerts.Shared().Good.TLS())
	t.Cleanup(srv.Close)
	hc := srv.ClientAt(testcerts.Now)
	t.Cleanup(hc.CloseIdleConnections)
	return srv, hc
}

func oneRef(ref fakehub.Ref) *fakehub.Scenario {
	if ref.Name == "" {
		ref.Name = "main"
	}
	return &fakehub.Scenario{Repos: []fakehub.Repo{{Owner: "acme", Name: "widget", Refs: []fakehub.Ref{ref}}}}
}

func ok(state string, context string) fakehub.Status {
	return fakehub.Status{State: state, Context: context}
}

func checkRun(name, status, conclusion string) fakehub.CheckRun {
	return fakehub.CheckRun{Name: name, Status: status, Conclusion: conclusion}
}

func TestCheckTheDocumentsReply(t *testing.T) {
	srv, hc := startHub(t, nil)
	c := newTestClient(t, hc, srv.URL, testToken)
	res, err := c.Check(testCtx(t), Target{Owner: "esp8266", Repo: "Arduino", Ref: ""}, Want{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Repo != "esp8266/Arduino" || res.Ref != "master" || res.State != StateSuccess || len(res.SHA) != 40 || res.Error != "" {
		t.Errorf("result %+v", res)
	}
	want := []Context{
		{Name: "codecov/project", Kind: KindStatus, State: StateSuccess, Conclusion: "success",
			URL: "https://codecov.io/gh/esp8266/Arduino", Description: "27.62% (+0.00%) compared to 0718188"},
		{Name: "continuous-integration/travis-ci/push", Kind: KindStatus, State: StateSuccess, Conclusion: "success",
			URL: "https://travis-ci.org/esp8266/Arduino", Description: "The Travis CI build passed"},
	}
	if fmt.Sprint(res.Contexts) != fmt.Sprint(want) {
		t.Errorf("contexts\n got %+v\nwant %+v", res.Contexts, want)
	}
	st := srv.Hub.Stats()
	if st.Requests != 3 || st.WithToken != 3 {
		t.Errorf("hub stats %+v: want 3 requests (repository, statuses, check runs), all with the token", st)
	}
}

func TestCheckVerdicts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ref      fakehub.Ref
		want     State
		contexts int
	}{
		{"success", fakehub.Ref{
			Statuses:  []fakehub.Status{ok("success", "travis")},
			CheckRuns: []fakehub.CheckRun{checkRun("build", "completed", "success")},
		}, StateSuccess, 2},
		{"failure", fakehub.Ref{
			Statuses:  []fakehub.Status{ok("success", "travis")},
			CheckRuns: []fakehub.CheckRun{checkRun("build", "completed", "failure"), checkRun("lint", "in_progress", "")},
		}, StateFailure, 3},
		{"error status", fakehub.Ref{Statuses: []fakehub.Status{ok("error", "travis")}}, StateFailure, 1},
		{"pending", fakehub.Ref{
			Statuses:  []fakehub.Status{ok("success", "travis")},
			CheckRuns: []fakehub.CheckRun{checkRun("build", "queued", "")},
		}, StatePending, 2},
		{"pending status", fakehub.Ref{Statuses: []fakehub.Status{ok("pending", "travis")}}, StatePending, 1},
		{"no status", fakehub.Ref{}, StateNoStatus, 0},
		{"statuses only", fakehub.Ref{Statuses: []fakehub.Status{ok("success", "a"), ok("success", "b")}}, StateSuccess, 2},
		// The combined status of this ref is "pending" with zero statuses:
		// it means nothing, and must not make the verdict pending.
		{"check runs only", fakehub.Ref{CheckRuns: []fakehub.CheckRun{checkRun("build", "completed", "success")}}, StateSuccess, 1},
		{"all skipped", fakehub.Ref{CheckRuns: []fakehub.CheckRun{
			checkRun("deploy", "completed", "skipped"), checkRun("release", "completed", "skipped"),
		}}, StateSuccess, 2},
		{"stale", fakehub.Ref{CheckRuns: []fakehub.CheckRun{
			checkRun("build", "completed", "success"), checkRun("old", "completed", "stale"),
		}}, StateFailure, 2}, // stale is final: it never turns green
		{"cancelled", fakehub.Ref{CheckRuns: []fakehub.CheckRun{
			checkRun("build", "completed", "success"), checkRun("test", "completed", "cancelled"),
		}}, StateFailure, 2},
		{"neutral", fakehub.Ref{CheckRuns: []fakehub.CheckRun{checkRun("lint", "completed", "neutral")}}, StateSuccess, 1},
		{"a status superseded", fakehub.Ref{Statuses: []fakehub.Status{
			{State: "failure", Context: "ci", CreatedAt: t0}, {State: "success", Context: "ci", CreatedAt: t0.Add(time.Minute)},
		}}, StateSuccess, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, hc := startHub(t, oneRef(tc.ref))
			res, err := newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "acme", Repo: "widget", Ref: "main"}, Want{})
			if err != nil {
				t.Fatal(err)
			}
			if res.State != tc.want || len(res.Contexts) != tc.contexts {
				t.Errorf("got %v with %d contexts, want %v with %d: %+v", res.State, len(res.Contexts), tc.want, tc.contexts, res.Contexts)
			}
		})
	}
}

func TestCheckReadsEveryPage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ref   fakehub.Ref
		count int
		fail  string
	}{
		{"150 check runs, the failure on page 2", fakehub.Ref{
			Generate:  &fakehub.Generate{CheckRuns: 150},
			CheckRuns: []fakehub.CheckRun{checkRun("zz-the-one-that-failed", "completed", "failure")},
		}, 151, "zz-the-one-that-failed"},
		{"150 statuses, the failure on page 2", fakehub.Ref{
			Generate: &fakehub.Generate{Statuses: 150},
			Statuses: []fakehub.Status{ok("failure", "zz-the-one-that-failed")},
		}, 151, "zz-the-one-that-failed"},
		{"both lists long", fakehub.Ref{
			Generate:  &fakehub.Generate{Statuses: 230, CheckRuns: 205},
			CheckRuns: []fakehub.CheckRun{checkRun("late", "completed", "timed_out")},
		}, 436, "late"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, hc := startHub(t, oneRef(tc.ref))
			c := newTestClient(t, hc, srv.URL, "")
			res, err := c.Check(testCtx(t), Target{Owner: "acme", Repo: "widget", Ref: "main"}, Want{})
			if err != nil {
				t.Fatal(err)
			}
			if res.State != StateFailure || len(res.Contexts) != tc.count || res.Contexts[0].Name != tc.fail {
				t.Errorf("got %v with %d contexts, first %+v; want failure of %s among %d",
					res.State, len(res.Contexts), res.Contexts[0], tc.fail, tc.count)
			}
		})
	}
}

func TestLaterPagesAskForTheCommit(t *testing.T) {
	srv, hc := startHub(t, oneRef(fakehub.Ref{
		SHA:      "1111111111111111111111111111111111111111",
		Generate: &fakehub.Generate{Statuses: 101, CheckRuns: 101},
	}))
	c := newTestClient(t, hc, srv.URL, "")
	var lines []string
	c.SetTrace(func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) })
	res, err := c.Check(testCtx(t), Target{Owner: "acme", Repo: "widget", Ref: "main"}, Want{})
	if err != nil || res.State != StateSuccess || res.SHA != "1111111111111111111111111111111111111111" {
		t.Fatalf("%+v %v", res, err)
	}
	trace := strings.Join(lines, "\n")
	for _, want := range []string{
		"/commits/main/status?page=1&per_page=100",
		"/commits/1111111111111111111111111111111111111111/status?page=2&per_page=100",
		"/commits/main/check-runs?filter=latest&page=1&per_page=100",
		"/commits/1111111111111111111111111111111111111111/check-runs?filter=latest&page=2&per_page=100",
	} {
		if !strings.Contains(trace, "requesting URL: /repos/acme/widget"+want) {
			t.Errorf("no request for %s in\n%s", want, trace)
		}
	}
}

func TestEnterpriseAPIPath(t *testing.T) {
	srv, hc := startHub(t, nil)
	res, err := newTestClient(t, hc, srv.URL+"/api/v3", "").Check(testCtx(t), Target{Owner: "esp8266", Repo: "Arduino", Ref: "master"}, Want{})
	if err != nil || res.State != StateSuccess {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestDefaultBranch(t *testing.T) {
	sc := oneRef(fakehub.Ref{Name: "develop"})
	sc.Repos[0].Refs = append(sc.Repos[0].Refs, fakehub.Ref{Name: "trunk", CheckRuns: []fakehub.CheckRun{checkRun("b", "completed", "failure")}})
	sc.Repos[0].DefaultBranch = "trunk"
	srv, hc := startHub(t, sc)
	c := newTestClient(t, hc, srv.URL, "")
	if b, err := c.DefaultBranch(testCtx(t), "acme", "widget"); err != nil || b != "trunk" {
		t.Errorf("DefaultBranch: %q %v", b, err)
	}
	res, err := c.Check(testCtx(t), Target{Owner: "acme", Repo: "widget", Ref: ""}, Want{})
	if err != nil || res.Ref != "trunk" || res.State != StateFailure {
		t.Errorf("Check of the default branch: %+v %v", res, err)
	}
}

func TestCheckErrorsFromFakehub(t *testing.T) {
	sc := oneRef(fakehub.Ref{Statuses: []fakehub.Status{ok("success", "ci")}})
	sc.Repos = append(sc.Repos, fakehub.Repo{Owner: "acme", Name: "secret", Private: true, Refs: []fakehub.Ref{{Name: "main"}}})

	t.Run("401 bad token", func(t *testing.T) {
		srv, hc := startHub(t, sc)
		srv.Hub.RequireToken("the-right-one")
		_, err := newTestClient(t, hc, srv.URL, testToken).Check(testCtx(t), Target{Owner: "acme", Repo: "widget", Ref: "main"}, Want{})
		if ae := apiError(t, err, Unauthorized); ae.StatusCode != 401 || !strings.Contains(ae.Message, "check GH_TOKEN/GITHUB_TOKEN") {
			t.Errorf("%+v", ae)
		}
	})
	t.Run("403 rate limit with reset", func(t *testing.T) {
		srv, hc := startHub(t, sc)
		now := time.Now()
		reset := now.Add(12*time.Minute + 30*time.Second).Truncate(time.Second)
		srv.Hub.SetRateLimit(0, reset)
		c := newTestClient(t, hc, srv.URL, testToken)
		c.SetClock(func() time.Time { return now })
		res, err := c.Check(testCtx(t), Target{Owner: "acme", Repo: "widget", Ref: "main"}, Want{})
		ae := apiError(t, err, RateLimited)
		if u := res.Usage; u.Remaining != 0 || !u.Reset.Equal(reset) {
			t.Errorf("usage %+v: want 0 remaining until %v", u, reset)
		}
		if ae.StatusCode != 403 || !ae.Reset.Equal(reset) {
			t.Errorf("status %d, reset %v; want 403, %v", ae.StatusCode, ae.Reset, reset)
		}
		if want := "resets at " + reset.Format("15:04:05") + " (in 13m)"; !strings.Contains(ae.Message, want) {
			t.Errorf("message %q lacks %q", ae.Message, want)
		}
	})
	t.Run("429 Retry-After", func(t *testing.T) {
		srv, hc := startHub(t, sc)
		srv.Hub.SetRetryAfter(42)
		srv.Hub.FailNext(429, 1)
		_, err := newTestClient(t, hc, srv.URL, testToken).Check(testCtx(t), Target{Owner: "acme", Repo: "widget", Ref: "main"}, Want{})
		if ae := apiError(t, err, RateLimited); ae.StatusCode != 429 || ae.RetryAfter != 42*time.Second ||
			!strings.Contains(ae.Message, "retry after 42s") {
			t.Errorf("%+v", ae)
		}
	})
	t.Run("404 unknown repository", func(t *testing.T) {
		srv, hc := startHub(t, sc)
		_, err := newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "acme", Repo: "nothing", Ref: "main"}, Want{})
		if ae := apiError(t, err, NotFound); !strings.Contains(ae.Message, "repository or ref not found (or private: set GH_TOKEN or GITHUB_TOKEN)") {
			t.Errorf("%+v", ae)
		}
	})
	t.Run("404 private without a token", func(t *testing.T) {
		srv, hc := startHub(t, sc)
		srv.Hub.RequireToken(testToken)
		_, err := newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "acme", Repo: "secret", Ref: ""}, Want{})
		if ae := apiError(t, err, NotFound); !strings.Contains(ae.Message, "repository not found (or private: set GH_TOKEN or GITHUB_TOKEN)") {
			t.Errorf("%+v", ae)
		}
		res, err := newTestClient(t, hc, srv.URL, testToken).Check(testCtx(t), Target{Owner: "acme", Repo: "secret", Ref: ""}, Want{})
		if err != nil || res.State != StateNoStatus {
			t.Errorf("with the token: %+v %v", res, err)
		}
	})
	t.Run("422 unknown ref", func(t *testing.T) {
		srv, hc := startHub(t, sc)
		_, err := newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "acme", Repo: "widget", Ref: "no-such-branch"}, Want{})
		if ae := apiError(t, err, Invalid); ae.StatusCode != 422 || !strings.Contains(ae.Message, "no commit found for ref") {
			t.Errorf("%+v", ae)
		}
	})
	t.Run("502", func(t *testing.T) {
		srv, hc := startHub(t, sc)
		srv.Hub.FailNext(502, 1)
		_, err := newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "acme", Repo: "widget", Ref: "main"}, Want{})
		apiError(t, err, Server)
	})
}

func TestNoTokenMeansNoAuthorization(t *testing.T) {
	srv, hc := startHub(t, nil)
	if _, err := newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "esp8266", Repo: "Arduino", Ref: "master"}, Want{}); err != nil {
		t.Fatal(err)
	}
	if st := srv.Hub.Stats(); st.Requests != 2 || st.WithToken != 0 {
		t.Errorf("hub stats %+v: want 2 requests without a token", st)
	}
}

func TestInvalidNamesNeverReachTheServer(t *testing.T) {
	srv, hc := startHub(t, nil)
	c := newTestClient(t, hc, srv.URL, "")
	for _, tc := range [][3]string{
		{"", "r", "main"}, {"o", "", "main"}, {"..", "r", "main"}, {"o", "r?x=1", "main"},
		{"o/../x", "r", "main"}, {"o", "r", "a/../../b"}, {"o", "r", "a b"}, {"o", "r", "x\n"}, {"o", "r", "/main"},
	} {
		res, err := c.Check(testCtx(t), Target{Owner: tc[0], Repo: tc[1], Ref: tc[2]}, Want{})
		if err == nil || res.State != StateError {
			t.Errorf("Check%q: %+v %v, want an error", tc, res, err)
			continue
		}
		checkErrorText(t, err)
	}
	if n := srv.Hub.Stats().Requests; n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

func TestWatchingAnUnchangedRefCostsNothing(t *testing.T) {
	srv, hc := startHub(t, oneRef(fakehub.Ref{
		Statuses:  []fakehub.Status{ok("success", "travis")},
		CheckRuns: []fakehub.CheckRun{checkRun("build", "in_progress", "")},
	}))
	srv.Hub.SetPollInterval(60)
	ct := NewConditionalTransport(hc.Transport)
	hc.Transport = ct
	c := newTestClient(t, hc, srv.URL, testToken)

	const K = 5
	for i := range K {
		res, err := c.Check(testCtx(t), Target{Owner: "acme", Repo: "widget", Ref: "main"}, Want{})
		if err != nil || res.State != StatePending || len(res.Contexts) != 2 {
			t.Fatalf("poll %d: %+v %v", i, res, err)
		}
		u := res.Usage
		wantFree := 2
		if i == 0 {
			wantFree = 0
		}
		if u.Requests != 2 || u.NotModified != wantFree || u.PollInterval != time.Minute ||
			u.RateLimit != 5000 || u.Remaining != 4998 || u.Reset.IsZero() {
			t.Errorf("poll %d: usage %+v; want 2 requests, %d free, 60s interval, 4998 of 5000 left", i, u, wantFree)
		}
	}
	// Two URLs (statuses, check runs): one full request each, then 304s.
	if st := srv.Hub.Stats(); st.Requests != 2*K || st.NotModified != 2*(K-1) {
		t.Errorf("hub stats %+v: want %d requests, %d of them 304", st, 2*K, 2*(K-1))
	}
	if st := ct.Stats(); st.Full() != 2 || st.NotModified != 2*(K-1) {
		t.Errorf("transport stats %+v: want 2 full", st)
	}

	// A change costs one full request for the list that changed.
	srv.Hub.Update(func(sc *fakehub.Scenario) {
		sc.Repos[0].Refs[0].CheckRuns[0] = checkRun("build", "completed", "failure")
	})
	res, err := c.Check(testCtx(t), Target{Owner: "acme", Repo: "widget", Ref: "main"}, Want{})
	if err != nil || res.State != StateFailure {
		t.Fatalf("after the change: %+v %v", res, err)
	}
	if st := ct.Stats(); st.Full() != 3 {
		t.Errorf("transport stats %+v after a change: want 3 full", st)
	}
}
