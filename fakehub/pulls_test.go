package fakehub_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-github/v93/github"

	. "github.com/clientsecure/clientsecure/fakehub"
)

// A pull request from the same repository and one from a fork, as
// go-github reads them.
func TestPull(t *testing.T) {
	srv := startServer(t, pullsScenario(t))
	gh := ghClient(t, srv, "")
	ctx := context.Background()
	main, _, err := gh.Repositories.GetBranch(ctx, "blinkyboard", "firmware", "main", 0)
	if err == nil {
		t.Fatalf("fakehub serves branches now (%v): use them below", main)
	}
	statusSHA := func(owner, ref string) string {
		t.Helper()
		cs, _, err := gh.Repositories.GetCombinedStatus(ctx, owner, "firmware", ref, nil)
		if err != nil {
			t.Fatal(err)
		}
		return cs.GetSHA()
	}

	same, _, err := gh.PullRequests.Get(ctx, "blinkyboard", "firmware", 7)
	if err != nil {
		t.Fatal(err)
	}
	if same.GetNumber() != 7 || same.GetState() != "open" || same.GetTitle() != "Blink faster on low battery" ||
		same.GetBody() != "Halves the blink period below 3.3 V." || same.GetMerged() || !same.GetMergeable() ||
		same.GetHTMLURL() != srv.URL+"/blinkyboard/firmware/pull/7" || same.GetURL() != srv.URL+"/repos/blinkyboard/firmware/pulls/7" ||
		same.GetUser().GetLogin() != "blinkyboard" || same.GetAuthorAssociation() != "OWNER" || same.GetMaintainerCanModify() {
		t.Errorf("pull 7: %+v", same)
	}
	head, base := same.GetHead(), same.GetBase()
	if head.GetRef() != "patch-1" || head.GetLabel() != "blinkyboard:patch-1" || head.GetSHA() != statusSHA("blinkyboard", "patch-1") ||
		head.GetRepo().GetFullName() != "blinkyboard/firmware" || head.GetRepo().GetFork() || head.GetUser().GetLogin() != "blinkyboard" {
		t.Errorf("pull 7 head: %+v", head)
	}
	if base.GetRef() != "main" || base.GetLabel() != "blinkyboard:main" || base.GetSHA() != statusSHA("blinkyboard", "main") ||
		base.GetRepo().GetDefaultBranch() != "main" {
		t.Errorf("pull 7 base: %+v", base)
	}
	if same.GetStatusesURL() != srv.URL+"/repos/blinkyboard/firmware/statuses/"+head.GetSHA() {
		t.Errorf("pull 7 statuses_url %s", same.GetStatusesURL())
	}

	fork, _, err := gh.PullRequests.Get(ctx, "blinkyboard", "firmware", 8)
	if err != nil {
		t.Fatal(err)
	}
	head = fork.GetHead()
	if head.GetRef() != "fix-typo" || head.GetLabel() != "contributor:fix-typo" || head.GetSHA() != statusSHA("contributor", "fix-typo") ||
		head.GetRepo().GetFullName() != "contributor/firmware" || !head.GetRepo().GetFork() || head.GetUser().GetLogin() != "contributor" ||
		fork.GetUser().GetLogin() != "contributor" || fork.GetAuthorAssociation() != "CONTRIBUTOR" || !fork.GetMaintainerCanModify() ||
		fork.GetBase().GetRepo().GetFullName() != "blinkyboard/firmware" || fork.GetBase().GetRepo().GetFork() {
		t.Errorf("pull 8 (a fork's): %+v, head %+v", fork, head)
	}
	// The fork is a fork wherever it is shown.
	if repo, _, err := gh.Repositories.Get(ctx, "contributor", "firmware"); err != nil || !repo.GetFork() {
		t.Errorf("GET the fork: fork %v, %v", repo.GetFork(), err)
	}

	merged, _, err := gh.PullRequests.Get(ctx, "blinkyboard", "firmware", 3)
	if err != nil {
		t.Fatal(err)
	}
	if merged.GetState() != "closed" || !merged.GetMerged() || merged.ClosedAt == nil || merged.MergedAt == nil ||
		merged.GetMergedBy().GetLogin() != "blinkyboard" || merged.Mergeable != nil || merged.GetBase().GetRef() != "release/1.x" {
		t.Errorf("pull 3 (merged): %+v", merged)
	}
}

// An unknown pull request is GitHub's 404; so is a number that is none.
func TestPullNotFound(t *testing.T) {
	srv := startServer(t, pullsScenario(t))
	for _, path := range []string{
		"/repos/blinkyboard/firmware/pulls/99",
		"/repos/blinkyboard/firmware/pulls/0",
		"/repos/blinkyboard/firmware/pulls/seven",
		"/repos/blinkyboard/firmware/pulls/-7",
		"/repos/contributor/firmware/pulls/8", // the fork's own list has no 8
		"/repos/blinkyboard/nothing/pulls/7",
	} {
		resp, body := get(t, srv, "GET", path, nil)
		var e ErrorBody
		if err := json.Unmarshal(body, &e); err != nil || resp.StatusCode != 404 || e.Message != "Not Found" || e.DocumentationURL != DocsPull {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
	_, _, err := ghClient(t, srv, "").PullRequests.Get(context.Background(), "blinkyboard", "firmware", 99)
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != 404 || er.Message != "Not Found" {
		t.Errorf("go-github: %v", err)
	}
	for _, path := range []string{"/repos/blinkyboard/firmware/pulls/", "/repos/blinkyboard/firmware/pulls/7/files"} {
		if resp, _ := get(t, srv, "GET", path, nil); resp.StatusCode != 404 || Route(path) != "" {
			t.Errorf("%s: %d, route %q", path, resp.StatusCode, Route(path))
		}
	}
}

// The base repository's commit endpoints know a pull request's head: by
// its full SHA and as pull/N/head, also when it is a fork's commit, whose
// statuses and check runs are the fork's.
func TestPullHeadResolves(t *testing.T) {
	srv := startServer(t, pullsScenario(t))
	gh := ghClient(t, srv, "")
	ctx := context.Background()
	fork, _, err := gh.PullRequests.Get(ctx, "blinkyboard", "firmware", 8)
	if err != nil {
		t.Fatal(err)
	}
	sha := fork.GetHead().GetSHA()
	for _, ref := range []string{sha, strings.ToUpper(sha), "pull/8/head", "refs/pull/8/head"} {
		cs, _, err := gh.Repositories.GetCombinedStatus(ctx, "blinkyboard", "firmware", ref, nil)
		if err != nil || cs.GetState() != "failure" || cs.GetSHA() != sha || cs.GetCommitURL() != srv.URL+"/repos/blinkyboard/firmware/commits/"+sha {
			t.Errorf("status of %s: %q %s at %s, %v", ref, cs.GetState(), cs.GetSHA(), cs.GetCommitURL(), err)
		}
		runs, _, err := gh.Checks.ListCheckRunsForRef(ctx, "blinkyboard", "firmware", ref, nil)
		if err != nil || runs.GetTotal() != 2 || runs.CheckRuns[0].GetConclusion() != "failure" || runs.CheckRuns[1].GetStatus() != "queued" ||
			runs.CheckRuns[0].GetHeadSHA() != sha {
			t.Errorf("check runs of %s: %+v, %v", ref, runs, err)
		}
	}
	cs, _, err := gh.Repositories.GetCombinedStatus(ctx, "blinkyboard", "firmware", "pull/7/head", nil)
	if err != nil || cs.GetState() != "success" {
		t.Errorf("pull/7/head: %q, %v", cs.GetState(), err)
	}
	// Not a short SHA of the fork's head: GitHub resolves those in the
	// repository that has the commit only; nor pull/N/merge, nor heads of
	// pull requests that do not exist.
	for _, ref := range []string{sha[:12], "pull/8/merge", "pull/9/head", "pull/x/head", "heads/pull/8/head"} {
		_, _, err := gh.Repositories.GetCombinedStatus(ctx, "blinkyboard", "firmware", ref, nil)
		var er *github.ErrorResponse
		if !errors.As(err, &er) || er.Response.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %v; want 422", ref, err)
		}
	}
}

// rulesJSON is the answer TestRules expects for blinkyboard/firmware's main.
const rulesJSON = `[{"type":"required_status_checks","parameters":{"strict_required_status_checks_policy":true,` +
	`"required_status_checks":[{"context":"build","integration_id":15368},{"context":"host tests"}]},` +
	`"ruleset_source_type":"Repository","ruleset_source":"blinkyboard/firmware","ruleset_id":1}]`

func TestRules(t *testing.T) {
	srv := startServer(t, pullsScenario(t))
	tests := []struct {
		path   string
		status int
		body   string // exactly; "" for an error body checked below
		link   string
	}{
		{"/repos/blinkyboard/firmware/rules/branches/main", 200, rulesJSON, ""},
		{"/repos/BlinkyBoard/Firmware/rules/branches/main", 200, rulesJSON, ""},
		{"/api/v3/repos/blinkyboard/firmware/rules/branches/main", 200, rulesJSON, ""},
		{"/repos/blinkyboard/firmware/rules/branches/patch-1", 200, `[]`, ""},
		{"/repos/blinkyboard/firmware/rules/branches/release/1.x", 200, `[]`, ""},
		{"/repos/blinkyboard/firmware/rules/branches/nothing", 200, `[]`, ""},
		{"/repos/actions-only/firmware/rules/branches/main", 200, `[{"type":"required_status_checks","parameters":{"strict_required_status_checks_policy":false,"required_status_checks":[{"context":"build"}]},"ruleset_source_type":"Repository","ruleset_source":"actions-only/firmware","ruleset_id":2}]`, ""},
		{"/repos/blinkyboard/firmware/rules/branches/main?per_page=1", 200, rulesJSON, ""},
		{"/repos/blinkyboard/firmware/rules/branches/main?per_page=1&page=2", 200, `[]`,
			`<` + srv.URL + `/repos/blinkyboard/firmware/rules/branches/main?page=1&per_page=1>; rel="prev", <` + srv.URL + `/repos/blinkyboard/firmware/rules/branches/main?page=1&per_page=1>; rel="first"`},
		{"/repos/legacy-ghes/firmware/rules/branches/main", 404, "", ""},
		{"/repos/blinkyboard/nothing/rules/branches/main", 404, "", ""},
		{"/repos/blinkyboard/firmware/rules/branches/", 404, "", ""},
	}
	for _, tt := range tests {
		resp, body := get(t, srv, "GET", tt.path, nil)
		if resp.StatusCode != tt.status || resp.Header.Get("Link") != tt.link {
			t.Errorf("%s: %d, Link %q; want %d, %q", tt.path, resp.StatusCode, resp.Header.Get("Link"), tt.status, tt.link)
		}
		if tt.body != "" && string(body) != tt.body {
			t.Errorf("%s: body\n%s\nwant\n%s", tt.path, body, tt.body)
		}
		if tt.status == 404 {
			var e ErrorBody
			if err := json.Unmarshal(body, &e); err != nil || e.Message != "Not Found" || e.DocumentationURL != DocsRules {
				t.Errorf("%s: %s", tt.path, body)
			}
		}
	}
	// go-github reads them.
	rules, _, err := ghClient(t, srv, "").Repositories.ListRulesForBranch(context.Background(), "blinkyboard", "firmware", "main", nil)
	if err != nil || len(rules.RequiredStatusChecks) != 1 {
		t.Fatalf("go-github: %+v, %v", rules, err)
	}
	p := rules.RequiredStatusChecks[0].Parameters
	if !p.StrictRequiredStatusChecksPolicy || len(p.RequiredStatusChecks) != 2 || p.RequiredStatusChecks[0].GetIntegrationID() != 15368 ||
		p.RequiredStatusChecks[1].Context != "host tests" || p.RequiredStatusChecks[1].IntegrationID != nil {
		t.Errorf("go-github: %+v", p)
	}
}

func TestProtection(t *testing.T) {
	srv := startServer(t, pullsScenario(t))
	srv.Hub.RequireToken("right")
	const policy = `{"url":"%s/repos/blinkyboard/firmware/branches/main/protection/required_status_checks","strict":true,` +
		`"contexts":["ci/jenkins"],"contexts_url":"%[1]s/repos/blinkyboard/firmware/branches/main/protection/required_status_checks/contexts",` +
		`"checks":[{"context":"ci/jenkins","app_id":123}]}`
	token := http.Header{"Authorization": {"token right"}}
	tests := []struct {
		path    string
		header  http.Header
		status  int
		message string // or the body of a 200
	}{
		{"/repos/blinkyboard/firmware/branches/main/protection/required_status_checks", token, 200, strings.ReplaceAll(policy, "%[1]s", "%s")},
		{"/repos/blinkyboard/firmware/branches/release/1.x/protection/required_status_checks", token, 200,
			`{"url":"%s/repos/blinkyboard/firmware/branches/release/1.x/protection/required_status_checks","strict":false,"contexts":["ci/jenkins"],` +
				`"contexts_url":"%s/repos/blinkyboard/firmware/branches/release/1.x/protection/required_status_checks/contexts","checks":[{"context":"ci/jenkins","app_id":null}]}`},
		{"/repos/blinkyboard/firmware/branches/main/protection/required_status_checks", nil, 404, "Not Found"},
		{"/repos/blinkyboard/firmware/branches/main/protection/required_status_checks", http.Header{"Authorization": {"token wrong"}}, 401, "Bad credentials"},
		{"/repos/blinkyboard/firmware/branches/patch-1/protection/required_status_checks", token, 404, "Branch not protected"},
		{"/repos/blinkyboard/firmware/branches/nothing/protection/required_status_checks", token, 404, "Branch not found"},
		{"/repos/actions-only/firmware/branches/main/protection/required_status_checks", token, 403, "Resource not accessible by integration"},
		{"/repos/actions-only/firmware/branches/nothing/protection/required_status_checks", token, 403, "Resource not accessible by integration"},
		{"/repos/actions-only/firmware/branches/main/protection/required_status_checks", nil, 404, "Not Found"},
		{"/repos/blinkyboard/nothing/branches/main/protection/required_status_checks", token, 404, "Not Found"},
		{"/repos/blinkyboard/firmware/branches//protection/required_status_checks", token, 404, "Not Found"},
	}
	for _, tt := range tests {
		resp, body := get(t, srv, "GET", tt.path, tt.header)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: %d %s; want %d", tt.path, resp.StatusCode, body, tt.status)
			continue
		}
		if tt.status == 200 {
			if want := strings.ReplaceAll(tt.message, "%s", srv.URL); string(body) != want {
				t.Errorf("%s: body\n%s\nwant\n%s", tt.path, body, want)
			}
			continue
		}
		var e ErrorBody
		if err := json.Unmarshal(body, &e); err != nil || e.Message != tt.message || e.Status != strconv.Itoa(tt.status) ||
			tt.status != 401 && e.DocumentationURL != DocsProtection {
			t.Errorf("%s: %s; want %q", tt.path, body, tt.message)
		}
	}

	// A token without admin rights: protection is hidden, whatever the branch.
	srv.Hub.Update(func(sc *Scenario) { sc.Repos[0].ProtectionAccess = "hidden" })
	for _, branch := range []string{"main", "patch-1", "nothing"} {
		path := "/repos/blinkyboard/firmware/branches/" + branch + "/protection/required_status_checks"
		if resp, body := get(t, srv, "GET", path, token); resp.StatusCode != 404 || !strings.Contains(string(body), `"message":"Not Found"`) {
			t.Errorf("hidden, %s: %d %s", branch, resp.StatusCode, body)
		}
	}

	// go-github reads it, and tells the 403 and the 404s apart.
	srv.Hub.Update(func(sc *Scenario) { sc.Repos[0].ProtectionAccess = "read" })
	gh := ghClient(t, srv, "right")
	ctx := context.Background()
	checks, _, err := gh.Repositories.GetRequiredStatusChecks(ctx, "blinkyboard", "firmware", "main")
	if err != nil || !checks.Strict || len(checks.GetChecks()) != 1 || checks.GetChecks()[0].GetAppID() != 123 {
		t.Errorf("go-github: %+v, %v", checks, err)
	}
	if _, _, err := gh.Repositories.GetRequiredStatusChecks(ctx, "blinkyboard", "firmware", "patch-1"); !errors.Is(err, github.ErrBranchNotProtected) {
		t.Errorf("go-github, unprotected: %v; want ErrBranchNotProtected", err)
	}
	_, _, err = gh.Repositories.GetRequiredStatusChecks(ctx, "actions-only", "firmware", "main")
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response.StatusCode != 403 {
		t.Errorf("go-github, forbidden: %v", err)
	}
}

// A scenario's protection may give contexts, checks, or both alike.
func TestProtectionChecksAndContexts(t *testing.T) {
	app := int64(7)
	srv := startServer(t, oneRepo(
		Ref{Name: "main", Protection: &Protection{Checks: []ProtectionCheck{{Context: "build", AppID: &app}, {Context: "lint"}}}},
		Ref{Name: "both", Protection: &Protection{Contexts: []string{"lint", "build"}, Checks: []ProtectionCheck{{Context: "build"}, {Context: "lint"}}}},
		Ref{Name: "none", Protection: &Protection{}},
	))
	want := map[string]string{
		"main": `"contexts":["build","lint"],"contexts_url":"URL/contexts","checks":[{"context":"build","app_id":7},{"context":"lint","app_id":null}]`,
		"both": `"contexts":["lint","build"],"contexts_url":"URL/contexts","checks":[{"context":"build","app_id":null},{"context":"lint","app_id":null}]`,
		"none": `"contexts":[],"contexts_url":"URL/contexts","checks":[]`,
	}
	for branch, w := range want {
		u := srv.URL + "/repos/octo/demo/branches/" + branch + "/protection/required_status_checks"
		resp, body := get(t, srv, "GET", strings.TrimPrefix(u, srv.URL), http.Header{"Authorization": {"token any"}})
		if resp.StatusCode != 200 || !strings.Contains(string(body), strings.ReplaceAll(w, "URL", u)) {
			t.Errorf("%s: %d %s\nwant it to contain %s", branch, resp.StatusCode, body, w)
		}
	}
}

// With status_links false the combined status has no Link header, and its
// pages are there for a client that asks for them.
func TestStatusWithoutLinks(t *testing.T) {
	srv := startServer(t, pullsScenario(t))
	gh := ghClient(t, srv, "")
	var contexts []string
	for page := 1; page <= 3; page++ {
		cs, resp, err := gh.Repositories.GetCombinedStatus(context.Background(), "legacy-ghes", "firmware", "main", &github.ListOptions{Page: page})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Header.Get("Link") != "" || resp.NextPage != 0 || cs.GetTotalCount() != 45 {
			t.Errorf("page %d: Link %q, total %d", page, resp.Header.Get("Link"), cs.GetTotalCount())
		}
		for _, s := range cs.Statuses {
			contexts = append(contexts, s.GetContext())
		}
	}
	if len(contexts) != 45 || contexts[30] != "generated/status-031" {
		t.Errorf("%d contexts over the pages: %v", len(contexts), contexts)
	}
	// The check runs keep theirs; another repository's status keeps its.
	srv.Hub.Update(func(sc *Scenario) { sc.Repos[0].Refs[0].Generate = &Generate{Statuses: 40, CheckRuns: 40} })
	for _, path := range []string{
		"/repos/blinkyboard/firmware/commits/main/status",
		"/repos/blinkyboard/firmware/commits/main/check-runs",
	} {
		if resp, _ := get(t, srv, "GET", path, nil); !strings.Contains(resp.Header.Get("Link"), `rel="next"`) {
			t.Errorf("%s: Link %q", path, resp.Header.Get("Link"))
		}
	}
	srv.Hub.Update(func(sc *Scenario) {
		sc.Repos[2].Refs[0].CheckRuns = []CheckRun{}
		sc.Repos[2].Refs[0].Generate.CheckRuns = 40
	})
	if resp, _ := get(t, srv, "GET", "/repos/legacy-ghes/firmware/commits/main/check-runs", nil); !strings.Contains(resp.Header.Get("Link"), `rel="next"`) {
		t.Errorf("check runs of a status_links false repository: Link %q", resp.Header.Get("Link"))
	}
}

// The new routes revalidate with ETags (304, costing no rate limit) and
// answer HEAD as GET without the body.
func TestNewRoutesETagAndHead(t *testing.T) {
	srv := startServer(t, pullsScenario(t))
	token := http.Header{"Authorization": {"token any"}}
	for _, path := range []string{
		"/repos/blinkyboard/firmware/pulls/8",
		"/repos/blinkyboard/firmware/rules/branches/main",
		"/repos/blinkyboard/firmware/rules/branches/nothing",
		"/repos/blinkyboard/firmware/branches/main/protection/required_status_checks",
	} {
		first, body := get(t, srv, "GET", path, token)
		etag := first.Header.Get("ETag")
		if first.StatusCode != 200 || etag == "" {
			t.Fatalf("%s: %d, ETag %q", path, first.StatusCode, etag)
		}
		h := token.Clone()
		h.Set("If-None-Match", etag)
		again, rest := get(t, srv, "GET", path, h)
		if again.StatusCode != 304 || len(rest) != 0 || again.Header.Get("X-RateLimit-Remaining") != first.Header.Get("X-RateLimit-Remaining") {
			t.Errorf("%s revalidated: %d, %d bytes, remaining %s (was %s)", path, again.StatusCode, len(rest),
				again.Header.Get("X-RateLimit-Remaining"), first.Header.Get("X-RateLimit-Remaining"))
		}
		head, none := get(t, srv, "HEAD", path, token)
		if head.StatusCode != 200 || len(none) != 0 || head.Header.Get("ETag") != etag || head.Header.Get("Content-Length") != strconv.Itoa(len(body)) {
			t.Errorf("HEAD %s: %d, %d bytes, ETag %q", path, head.StatusCode, len(none), head.Header.Get("ETag"))
		}
	}
	// A change to the pull request's head changes the pull request.
	first, _ := get(t, srv, "GET", "/repos/blinkyboard/firmware/pulls/8", nil)
	srv.Hub.Update(func(sc *Scenario) { sc.Repos[1].Refs[0].SHA = strings.Repeat("f", 40) })
	changed, body := get(t, srv, "GET", "/repos/blinkyboard/firmware/pulls/8", http.Header{"If-None-Match": {first.Header.Get("ETag")}})
	if changed.StatusCode != 200 || !strings.Contains(string(body), `"sha":"`+strings.Repeat("f", 40)+`"`) {
		t.Errorf("after the head moved: %d %s", changed.StatusCode, body)
	}
	if resp, body := get(t, srv, "HEAD", "/repos/blinkyboard/firmware/pulls/99", nil); resp.StatusCode != 404 || len(body) != 0 {
		t.Errorf("HEAD of an unknown pull: %d, %d bytes", resp.StatusCode, len(body))
	}
}

func TestRoute(t *testing.T) {
	for path, want := range map[string]string{
		"/repos/o/r":                                                      "repo",
		"/api/v3/repos/o/r":                                               "repo",
		"/repos/o/r/commits/main/status":                                  "status",
		"/repos/o/r/commits/feature/x/check-runs":                         "check-runs",
		"/repos/o/r/pulls/7":                                              "pull",
		"/api/v3/repos/o/r/pulls/7":                                       "pull",
		"/repos/o/r/rules/branches/main":                                  "rules",
		"/repos/o/r/rules/branches/release/1.x":                           "rules",
		"/repos/o/r/branches/main/protection/required_status_checks":      "protection",
		"/repos/o/r/branches/feature/x/protection/required_status_checks": "protection",
		"/":                                   "",
		"/repos/o":                            "",
		"/repos/o/r/pulls":                    "",
		"/repos/o/r/pulls/7/commits":          "",
		"/repos/o/r/branches/main":            "",
		"/repos/o/r/branches/main/protection": "",
		"/repos/o/r/rules":                    "",
	} {
		if got := Route(path); got != want {
			t.Errorf("Route(%q) = %q, want %q", path, got, want)
		}
	}
}
