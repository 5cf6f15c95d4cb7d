package buildstatus

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure/fakehub"
)

// apiStub answers paths from a table, as GitHub would; a path not in it
// is GitHub's 404. It records the paths asked for.
type apiStub struct {
	mu     sync.Mutex
	asked  []string
	routes map[string]func(w http.ResponseWriter, r *http.Request)
}

func (s *apiStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.asked = append(s.asked, r.URL.Path)
	h := s.routes[r.URL.Path]
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if h == nil {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`)
		return
	}
	h(w, r)
}

func (s *apiStub) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.asked {
		if p == path {
			n++
		}
	}
	return n
}

func body(text string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, text) }
}

func answer(code int, text string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		fmt.Fprint(w, text)
	}
}

const (
	appActions = 15368
	appCircle  = 18001
)

// branchMain is a ref main whose status ci/travis passed and whose check
// runs are those given ("name:app:conclusion", conclusion "" for running).
func branchMain(runs ...string) map[string]func(http.ResponseWriter, *http.Request) {
	var list []string
	for i, r := range runs {
		f := strings.Split(r, ":")
		status, conclusion := "completed", fmt.Sprintf("%q", f[2])
		if f[2] == "" {
			status, conclusion = "in_progress", "null"
		}
		list = append(list, fmt.Sprintf(`{"id":%d,"name":%q,"head_sha":%q,"status":%q,"conclusion":%s,"app":{"id":%s,"slug":"app-%s"}}`,
			i+1, f[0], shaA, status, conclusion, f[1], f[1]))
	}
	return map[string]func(http.ResponseWriter, *http.Request){
		"/repos/o/r/commits/main/status":     body(fmt.Sprintf(`{"sha":%q,"total_count":1,"statuses":[{"id":1,"context":"ci/travis","state":"success"}]}`, shaA)),
		"/repos/o/r/commits/main/check-runs": body(fmt.Sprintf(`{"total_count":%d,"check_runs":[%s]}`, len(list), strings.Join(list, ","))),
	}
}

func rulesRequiring(checks ...string) func(http.ResponseWriter, *http.Request) {
	var list []string
	for _, c := range checks {
		name, app, hasApp := strings.Cut(c, ":")
		if hasApp {
			list = append(list, fmt.Sprintf(`{"context":%q,"integration_id":%s}`, name, app))
		} else {
			list = append(list, fmt.Sprintf(`{"context":%q}`, name))
		}
	}
	return body(fmt.Sprintf(`[{"type":"required_status_checks","ruleset_source_type":"Repository","ruleset_source":"o/r","ruleset_id":1,`+
		`"parameters":{"strict_required_status_checks_policy":false,"required_status_checks":[%s]}},`+
		`{"type":"deletion","ruleset_source_type":"Repository","ruleset_source":"o/r","ruleset_id":1}]`, strings.Join(list, ",")))
}

const (
	rulesPath      = "/repos/o/r/rules/branches/main"
	protectionPath = "/repos/o/r/branches/main/protection/required_status_checks"
)

func TestRequiredChecks(t *testing.T) {
	protectTravis := body(`{"url":"x","strict":true,"contexts":["ci/travis"],"checks":[{"context":"ci/travis","app_id":null}]}`)
	for _, tc := range []struct {
		name       string
		runs       []string
		rules      func(http.ResponseWriter, *http.Request)
		protection func(http.ResponseWriter, *http.Request)
		state      State
		missing    []string
		required   []string // names of the contexts marked required
		note       string
	}{
		{"rules and protection together", []string{"build:15368:success", "lint:15368:failure"},
			rulesRequiring("build:15368"), protectTravis, StateSuccess, nil, []string{"build", "ci/travis"}, ""},
		{"a required check not reported yet is missing", []string{"lint:15368:success"},
			rulesRequiring("build"), protectTravis, StatePending, []string{"build"}, []string{"ci/travis"}, ""},
		{"the same name from another app does not fulfil it", []string{"build:18001:success"},
			rulesRequiring("build:15368"), protectTravis, StatePending, []string{"build"}, []string{"ci/travis"}, ""},
		{"a required failure fails", []string{"build:15368:failure"},
			rulesRequiring("build"), protectTravis, StateFailure, nil, []string{"build", "ci/travis"}, ""},
		{"a required check running is pending", []string{"build:15368:"},
			rulesRequiring("build"), answer(404, `{"message":"Branch not protected"}`), StatePending, nil, []string{"build"}, ""},
		{"unprotected, no rules: every check counts", []string{"lint:15368:failure"},
			body(`[]`), answer(404, `{"message":"Branch not protected"}`), StateFailure, nil, nil, "branch main requires no checks: every check counts"},
		{"protection forbidden to the token is a note", []string{"build:15368:success"},
			rulesRequiring("build"), answer(403, `{"message":"Resource not accessible by integration"}`), StateSuccess, nil, []string{"build"},
			"the branch protection of main is not readable with this token (HTTP 403)"},
		{"protection hidden from the token is a note", []string{"build:15368:success"},
			rulesRequiring("build"), answer(404, `{"message":"Not Found"}`), StateSuccess, nil, []string{"build"},
			"the branch protection of main is not readable with this token (HTTP 404)"},
		{"no rules endpoint (old GitHub Enterprise): protection alone", []string{"build:15368:failure"},
			nil, protectTravis, StateSuccess, nil, []string{"ci/travis"}, "a GitHub Enterprise Server without rulesets?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stub := &apiStub{routes: branchMain(tc.runs...)}
			if tc.rules != nil {
				stub.routes[rulesPath] = tc.rules
			}
			if tc.protection != nil {
				stub.routes[protectionPath] = tc.protection
			}
			srv, hc := tlsServer(t, stub)
			res, err := newTestClient(t, hc, srv.URL, testToken).Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{Required: true})
			if err != nil {
				t.Fatal(err)
			}
			var required []string
			for _, c := range res.Contexts {
				if c.Required {
					required = append(required, c.Name)
				}
			}
			slices.Sort(required)
			if res.State != tc.state || !slices.Equal(res.Missing, orEmpty(tc.missing)) || !slices.Equal(required, tc.required) {
				t.Errorf("state %s, missing %q, required %q; want %s, %q, %q", res.State, res.Missing, required, tc.state, tc.missing, tc.required)
			}
			notes := strings.Join(res.Notes, "\n")
			if tc.note == "" && notes != "" || !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q, want %q", notes, tc.note)
			}
		})
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// What cannot be read is an error when it is not the token's rights: a
// rate limit, a server error, a body that is not the rules.
func TestRequiredChecksErrors(t *testing.T) {
	reset := fmt.Sprint(time.Now().Add(time.Hour).Unix())
	for _, tc := range []struct {
		name       string
		rules      func(http.ResponseWriter, *http.Request)
		protection func(http.ResponseWriter, *http.Request)
		kind       ErrorKind
	}{
		{"rules: server error", answer(500, `{"message":"Server Error"}`), body(`{"strict":true,"contexts":[]}`), Server},
		{"rules: not JSON", body(`<html>`), body(`{"strict":true,"contexts":[]}`), Malformed},
		{"protection: rate limited", rulesRequiring("build"), func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", reset)
			w.WriteHeader(403)
			fmt.Fprint(w, `{"message":"API rate limit exceeded"}`)
		}, RateLimited},
		{"protection: server error", rulesRequiring("build"), answer(502, `{"message":"Bad Gateway"}`), Server},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stub := &apiStub{routes: branchMain("build:15368:success")}
			stub.routes[rulesPath], stub.routes[protectionPath] = tc.rules, tc.protection
			srv, hc := tlsServer(t, stub)
			res, err := newTestClient(t, hc, srv.URL, testToken).Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{Required: true})
			apiError(t, err, tc.kind)
			if res.State != StateError {
				t.Errorf("state %s", res.State)
			}
		})
	}
}

// Without a token, classic protection cannot be read: it is not asked for.
func TestRequiredAnonymousSkipsProtection(t *testing.T) {
	stub := &apiStub{routes: branchMain("build:15368:success")}
	stub.routes[rulesPath] = rulesRequiring("build")
	srv, hc := tlsServer(t, stub)
	res, err := newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{Required: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.State != StateSuccess || stub.count(protectionPath) != 0 || !strings.Contains(strings.Join(res.Notes, " "), "needs a token") {
		t.Errorf("state %s, %d protection requests, notes %q", res.State, stub.count(protectionPath), res.Notes)
	}
}

// --required costs no round trip of its own: the rules and the protection
// are asked at the same time as the two lists. Each of the four requests
// waits here until all four have arrived, which only concurrent requests
// can do.
func TestRequiredIsAskedConcurrently(t *testing.T) {
	routes := branchMain("build:15368:success")
	routes[rulesPath] = rulesRequiring("build")
	routes[protectionPath] = body(`{"strict":true,"contexts":["ci/travis"]}`)
	var arrived sync.WaitGroup
	arrived.Add(4)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	for path, h := range routes {
		routes[path] = func(w http.ResponseWriter, r *http.Request) {
			arrived.Done()
			select {
			case <-all:
			case <-time.After(10 * time.Second):
				t.Errorf("%s: the other requests did not come while it was open", path)
			}
			h(w, r)
		}
	}
	srv, hc := tlsServer(t, &apiStub{routes: routes})
	res, err := newTestClient(t, hc, srv.URL, testToken).Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{Required: true})
	if err != nil || res.State != StateSuccess || res.Usage.Requests != 4 {
		t.Fatalf("state %s, %d requests, %v", res.State, res.Usage.Requests, err)
	}
}

func TestExpect(t *testing.T) {
	for _, tc := range []struct {
		name    string
		runs    []string
		expect  []string
		state   State
		missing []string
	}{
		{"present", []string{"build:15368:success"}, []string{"build", "ci/travis"}, StateSuccess, nil},
		{"not started yet", []string{"build:15368:success"}, []string{"deploy"}, StatePending, []string{"deploy"}},
		{"a failure stays a failure", []string{"build:15368:failure"}, []string{"deploy"}, StateFailure, []string{"deploy"}},
		{"named twice, missing once", nil, []string{"deploy", "deploy"}, StatePending, []string{"deploy"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, hc := tlsServer(t, &apiStub{routes: branchMain(tc.runs...)})
			res, err := newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{Expect: tc.expect})
			if err != nil {
				t.Fatal(err)
			}
			if res.State != tc.state || !slices.Equal(res.Missing, orEmpty(tc.missing)) {
				t.Errorf("state %s, missing %q; want %s, %q", res.State, res.Missing, tc.state, tc.missing)
			}
		})
	}
}

// Two apps reporting "build" are two checks: the failure of one is not
// hidden by the other's later success.
func TestCheckRunsOfTwoAppsWithOneName(t *testing.T) {
	srv, hc := startHub(t, oneRef(fakehub.Ref{CheckRuns: []fakehub.CheckRun{
		{Name: "build", Conclusion: "failure", ID: 1, App: &fakehub.App{Slug: "circleci", Name: "CircleCI", ID: appCircle}},
		{Name: "build", Conclusion: "success", ID: 2},
	}}))
	res, err := newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "acme", Repo: "widget", Ref: "main"}, Want{})
	if err != nil {
		t.Fatal(err)
	}
	if res.State != StateFailure || len(res.Contexts) != 2 {
		t.Fatalf("state %s with %+v", res.State, res.Contexts)
	}
	if c := res.Contexts[0]; c.App != "circleci" || c.State != StateFailure || res.Contexts[1].App != "github-actions" {
		t.Errorf("contexts %+v", res.Contexts)
	}
}

// A list that sends no Link header but says it has more than it sent is
// asked for its next pages by number (GitHub documents no Link header on
// the combined status).
func TestListsWithoutLinkArePagedExplicitly(t *testing.T) {
	statuses := func(from, n int, state string) string {
		var list []string
		for i := from; i < from+n; i++ {
			list = append(list, fmt.Sprintf(`{"id":%d,"context":"ci-%03d","state":%q}`, i, i, state))
		}
		return fmt.Sprintf(`{"sha":%q,"total_count":150,"statuses":[%s]}`, shaA, strings.Join(list, ","))
	}
	for _, tc := range []struct {
		name  string
		page2 string
		state State
		kind  ErrorKind
	}{
		{"the failure on page 2 counts", statuses(101, 50, "failure"), StateFailure, ""},
		{"a page 2 that is empty is malformed", fmt.Sprintf(`{"sha":%q,"total_count":150,"statuses":[]}`, shaA), StateError, Malformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stub := &apiStub{routes: map[string]func(http.ResponseWriter, *http.Request){
				"/repos/o/r/check-runs":              nil,
				"/repos/o/r/commits/main/check-runs": body(`{"total_count":0,"check_runs":[]}`),
			}}
			status := func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("page") == "2" {
					fmt.Fprint(w, tc.page2)
					return
				}
				fmt.Fprint(w, statuses(1, 100, "success"))
			}
			stub.routes["/repos/o/r/commits/main/status"] = status
			stub.routes["/repos/o/r/commits/"+shaA+"/status"] = status
			srv, hc := tlsServer(t, stub)
			res, err := newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
			if tc.kind != "" {
				apiError(t, err, tc.kind)
			} else if err != nil || len(res.Contexts) != 150 {
				t.Fatalf("%d contexts, %v", len(res.Contexts), err)
			}
			if res.State != tc.state {
				t.Errorf("state %s, want %s", res.State, tc.state)
			}
		})
	}
}

func TestPullRequest(t *testing.T) {
	pull := func(headSHA string) func(http.ResponseWriter, *http.Request) {
		return body(fmt.Sprintf(`{"number":7,"state":"open","head":{"ref":"patch-1","sha":%q,"label":"fork:patch-1","repo":{"full_name":"fork/r","fork":true}},"base":{"ref":"main","sha":%q}}`, headSHA, shaB))
	}
	head := func() map[string]func(http.ResponseWriter, *http.Request) {
		return map[string]func(http.ResponseWriter, *http.Request){
			"/repos/o/r/commits/" + shaA + "/status":     body(fmt.Sprintf(`{"sha":%q,"total_count":1,"statuses":[{"id":1,"context":"ci/travis","state":"success"}]}`, shaA)),
			"/repos/o/r/commits/" + shaA + "/check-runs": body(fmt.Sprintf(`{"total_count":1,"check_runs":[{"id":1,"name":"build","head_sha":%q,"status":"in_progress","app":{"id":15368}}]}`, shaA)),
			rulesPath: rulesRequiring("ci/travis"),
		}
	}
	t.Run("a fork's head, the base's requirements", func(t *testing.T) {
		stub := &apiStub{routes: head()}
		stub.routes["/repos/o/r/pulls/7"] = pull(shaA)
		srv, hc := tlsServer(t, stub)
		res, err := newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "o", Repo: "r", Pull: 7}, Want{Required: true})
		if err != nil {
			t.Fatal(err)
		}
		// The running build is not required: ci/travis, which passed, is.
		if res.Pull != 7 || res.Ref != "patch-1" || res.SHA != shaA || res.State != StateSuccess {
			t.Errorf("result %+v", res)
		}
	})
	t.Run("one that does not exist", func(t *testing.T) {
		srv, hc := tlsServer(t, &apiStub{routes: head()})
		_, err := newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "o", Repo: "r", Pull: 7}, Want{})
		if ae := apiError(t, err, NotFound); !strings.Contains(ae.Message, "pull request #7 of o/r not found") {
			t.Errorf("message %q", ae.Message)
		}
	})
	t.Run("a head without a SHA", func(t *testing.T) {
		stub := &apiStub{routes: head()}
		stub.routes["/repos/o/r/pulls/7"] = pull("main")
		srv, hc := tlsServer(t, stub)
		_, err := newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "o", Repo: "r", Pull: 7}, Want{})
		apiError(t, err, Malformed)
	})
	t.Run("a ref and a pull request at once", func(t *testing.T) {
		_, err := newTestClient(t, trustingClient(t), "https://127.0.0.1:1", "").Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main", Pull: 7}, Want{})
		if err == nil || !strings.Contains(err.Error(), "not both") {
			t.Errorf("err %v", err)
		}
	})
}
