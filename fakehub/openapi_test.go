package fakehub_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	. "github.com/clientsecure/clientsecure/fakehub"
)

// GitHub's published OpenAPI description of api.github.com, fetched by
// scripts/fetch-openapi into the git-ignored cache (it is never copied into
// the repository).
const (
	descriptionFile = "../.cache/openapi/api.github.com.json"
	fetchCommand    = "scripts/fetch-openapi"
)

// openapiCase is one request whose answer must be what the description
// documents for its operation. Every route fakehub serves has its cases in
// openapiCases, with each status it answers.
type openapiCase struct {
	name string
	// op is the operation in the description: its method and path
	// template, "GET /repos/{owner}/{repo}".
	op string
	// path is what is requested, query included; its segments must match
	// op's template (escape a '/' inside a parameter as %2F).
	path string
	// status is what fakehub must answer.
	status int
	// token, if set, is sent as "token TOKEN".
	token string
	// revalidate sends the request twice, the second time with
	// If-None-Match and the first answer's ETag.
	revalidate bool
	// arrange prepares the Hub before the request (FailNext...); nil for
	// nothing.
	arrange func(*Hub)
}

// openapiScenario is what the cases are served: testdata/example.json
// (a passing, a failing and a pending ref, a private repository and a
// paginated one) and testdata/pulls.json (pull requests, a fork, branch
// rules and protection), plus a repository without commits and one whose
// ref has a status of every state and a check run of every status and
// conclusion.
func openapiScenario(t *testing.T) *Scenario {
	t.Helper()
	sc := exampleScenario(t)
	sc.Repos = append(sc.Repos, pullsScenario(t).Repos...)
	every := Ref{Name: "main"}
	for _, state := range []string{"error", "failure", "pending", "success"} {
		every.Statuses = append(every.Statuses, Status{State: state, Context: "ci/" + state, Description: "the " + state + " one"})
	}
	for _, status := range []string{"queued", "in_progress", "waiting", "requested", "pending"} {
		every.CheckRuns = append(every.CheckRuns, CheckRun{Name: status, Status: status})
	}
	// The description's enum lacks stale and startup_failure, which
	// GitHub does send (and fakehub serves); see notes/openapi.md.
	for _, conclusion := range []string{"action_required", "cancelled", "failure", "neutral", "success", "skipped", "timed_out"} {
		every.CheckRuns = append(every.CheckRuns, CheckRun{Name: conclusion, Conclusion: conclusion, Title: conclusion, Summary: "it ended " + conclusion,
			App: &App{Slug: "circleci", Name: "CircleCI"}})
	}
	sc.Repos = append(sc.Repos,
		Repo{Owner: "clientsecure", Name: "empty"},
		Repo{Owner: "clientsecure", Name: "every-state", Description: "a status of every state, a check run of every status", Refs: []Ref{every}})
	return sc
}

const (
	opRepo       = "GET /repos/{owner}/{repo}"
	opStatus     = "GET /repos/{owner}/{repo}/commits/{ref}/status"
	opCheckRuns  = "GET /repos/{owner}/{repo}/commits/{ref}/check-runs"
	opPull       = "GET /repos/{owner}/{repo}/pulls/{pull_number}"
	opRules      = "GET /repos/{owner}/{repo}/rules/branches/{branch}"
	opProtection = "GET /repos/{owner}/{repo}/branches/{branch}/protection/required_status_checks"
)

// openapiToken is the token the cases' Hub requires when a case asks for
// one (private repositories, bad credentials).
const openapiToken = "ghp_openapiTestToken"

func requireToken(h *Hub) { h.RequireToken(openapiToken) }

var openapiCases = []openapiCase{
	// The repository.
	{name: "repo", op: opRepo, path: "/repos/esp8266/Arduino", status: 200},
	{name: "repo/other case", op: opRepo, path: "/repos/ESP8266/arduino", status: 200},
	{name: "repo/enterprise", op: opRepo, path: "/api/v3/repos/esp8266/Arduino", status: 200},
	{name: "repo/private", op: opRepo, path: "/repos/clientsecure/secret", token: openapiToken, arrange: requireToken, status: 200},
	{name: "repo/empty", op: opRepo, path: "/repos/clientsecure/empty", status: 200},
	{name: "repo/not modified", op: opRepo, path: "/repos/esp8266/Arduino", revalidate: true, status: 304},
	{name: "repo/unknown", op: opRepo, path: "/repos/esp8266/nothing", status: 404},
	{name: "repo/private without token", op: opRepo, path: "/repos/clientsecure/secret", status: 404},
	{name: "repo/bad credentials", op: opRepo, path: "/repos/esp8266/Arduino", token: "wrong", arrange: requireToken, status: 401},
	{name: "repo/rate limited", op: opRepo, path: "/repos/esp8266/Arduino", arrange: exhaustRateLimit, status: 403},
	{name: "repo/secondary rate limit", op: opRepo, path: "/repos/esp8266/Arduino", arrange: failNext(403), status: 403},
	{name: "repo/too many requests", op: opRepo, path: "/repos/esp8266/Arduino", arrange: failNext(429), status: 429},
	{name: "repo/validation failed", op: opRepo, path: "/repos/esp8266/Arduino", arrange: failNext(422), status: 422},
	{name: "repo/server error", op: opRepo, path: "/repos/esp8266/Arduino", arrange: failNext(500), status: 500},
	{name: "repo/bad gateway", op: opRepo, path: "/repos/esp8266/Arduino", arrange: failNext(502), status: 502},

	// The combined status.
	{name: "status/success", op: opStatus, path: "/repos/esp8266/Arduino/commits/master/status", status: 200},
	{name: "status/failure", op: opStatus, path: "/repos/esp8266/Arduino/commits/broken/status", status: 200},
	{name: "status/none", op: opStatus, path: "/repos/esp8266/Arduino/commits/feature%2Fmfln/status", status: 200},
	{name: "status/every state", op: opStatus, path: "/repos/clientsecure/every-state/commits/main/status", status: 200},
	{name: "status/tag", op: opStatus, path: "/repos/esp8266/Arduino/commits/2.3.0/status", status: 200},
	{name: "status/private", op: opStatus, path: "/repos/clientsecure/secret/commits/main/status", token: openapiToken, arrange: requireToken, status: 200},
	{name: "status/first page", op: opStatus, path: "/repos/clientsecure/many-checks/commits/main/status?per_page=100", status: 200},
	{name: "status/last page", op: opStatus, path: "/repos/clientsecure/many-checks/commits/main/status?per_page=100&page=2", status: 200},
	{name: "status/past the end", op: opStatus, path: "/repos/clientsecure/many-checks/commits/main/status?page=9", status: 200},
	{name: "status/enterprise", op: opStatus, path: "/api/v3/repos/esp8266/Arduino/commits/master/status", status: 200},
	{name: "status/not modified", op: opStatus, path: "/repos/esp8266/Arduino/commits/master/status", revalidate: true, status: 304},
	{name: "status/unknown repo", op: opStatus, path: "/repos/esp8266/nothing/commits/master/status", status: 404},
	{name: "status/unknown ref", op: opStatus, path: "/repos/esp8266/Arduino/commits/nothing/status", status: 422},
	{name: "status/empty repo", op: opStatus, path: "/repos/clientsecure/empty/commits/main/status", status: 409},
	{name: "status/bad credentials", op: opStatus, path: "/repos/esp8266/Arduino/commits/master/status", token: "wrong", arrange: requireToken, status: 401},
	{name: "status/rate limited", op: opStatus, path: "/repos/esp8266/Arduino/commits/master/status", arrange: exhaustRateLimit, status: 403},

	// The check runs.
	{name: "check-runs/completed", op: opCheckRuns, path: "/repos/esp8266/Arduino/commits/broken/check-runs", status: 200},
	{name: "check-runs/in progress", op: opCheckRuns, path: "/repos/esp8266/Arduino/commits/feature%2Fmfln/check-runs", status: 200},
	{name: "check-runs/every status", op: opCheckRuns, path: "/repos/clientsecure/every-state/commits/main/check-runs", status: 200},
	{name: "check-runs/none", op: opCheckRuns, path: "/repos/esp8266/Arduino/commits/master/check-runs", status: 200},
	{name: "check-runs/filter all", op: opCheckRuns, path: "/repos/esp8266/Arduino/commits/broken/check-runs?filter=all", status: 200},
	{name: "check-runs/narrowed", op: opCheckRuns, path: "/repos/esp8266/Arduino/commits/feature%2Fmfln/check-runs?status=completed&check_name=style", status: 200},
	{name: "check-runs/first page", op: opCheckRuns, path: "/repos/clientsecure/many-checks/commits/main/check-runs?per_page=100", status: 200},
	{name: "check-runs/last page", op: opCheckRuns, path: "/repos/clientsecure/many-checks/commits/main/check-runs?per_page=100&page=2", status: 200},
	{name: "check-runs/enterprise", op: opCheckRuns, path: "/api/v3/repos/esp8266/Arduino/commits/broken/check-runs", status: 200},
	{name: "check-runs/not modified", op: opCheckRuns, path: "/repos/esp8266/Arduino/commits/broken/check-runs", revalidate: true, status: 304},
	{name: "check-runs/unknown repo", op: opCheckRuns, path: "/repos/esp8266/nothing/commits/broken/check-runs", status: 404},
	{name: "check-runs/unknown ref", op: opCheckRuns, path: "/repos/esp8266/Arduino/commits/nothing/check-runs", status: 422},
	{name: "check-runs/empty repo", op: opCheckRuns, path: "/repos/clientsecure/empty/commits/main/check-runs", status: 409},
	{name: "check-runs/secondary rate limit", op: opCheckRuns, path: "/repos/esp8266/Arduino/commits/broken/check-runs", arrange: failNext(429), status: 429},

	// A pull request's head, by the base repository's commit endpoints.
	{name: "status/pull head", op: opStatus, path: "/repos/blinkyboard/firmware/commits/pull%2F7%2Fhead/status", status: 200},
	{name: "status/fork's pull head", op: opStatus, path: "/repos/blinkyboard/firmware/commits/refs%2Fpull%2F8%2Fhead/status", status: 200},
	{name: "status/without Link", op: opStatus, path: "/repos/legacy-ghes/firmware/commits/main/status", status: 200},
	{name: "status/without Link, page 2", op: opStatus, path: "/repos/legacy-ghes/firmware/commits/main/status?page=2", status: 200},
	{name: "check-runs/fork's pull head", op: opCheckRuns, path: "/repos/blinkyboard/firmware/commits/pull%2F8%2Fhead/check-runs", status: 200},
	{name: "check-runs/unknown pull head", op: opCheckRuns, path: "/repos/blinkyboard/firmware/commits/pull%2F99%2Fhead/check-runs", status: 422},

	// The pull request.
	{name: "pull/same repository", op: opPull, path: "/repos/blinkyboard/firmware/pulls/7", status: 200},
	{name: "pull/fork", op: opPull, path: "/repos/blinkyboard/firmware/pulls/8", status: 200},
	{name: "pull/merged", op: opPull, path: "/repos/blinkyboard/firmware/pulls/3", status: 200},
	{name: "pull/enterprise", op: opPull, path: "/api/v3/repos/blinkyboard/firmware/pulls/8", status: 200},
	{name: "pull/not modified", op: opPull, path: "/repos/blinkyboard/firmware/pulls/7", revalidate: true, status: 304},
	{name: "pull/unknown", op: opPull, path: "/repos/blinkyboard/firmware/pulls/99", status: 404},
	{name: "pull/unknown repo", op: opPull, path: "/repos/blinkyboard/nothing/pulls/7", status: 404},
	{name: "pull/rate limited", op: opPull, path: "/repos/blinkyboard/firmware/pulls/7", arrange: exhaustRateLimit, status: 403},

	// The branch's rules.
	{name: "rules/required checks", op: opRules, path: "/repos/blinkyboard/firmware/rules/branches/main", status: 200},
	{name: "rules/forbidden protection, readable rules", op: opRules, path: "/repos/actions-only/firmware/rules/branches/main", status: 200},
	{name: "rules/none", op: opRules, path: "/repos/blinkyboard/firmware/rules/branches/patch-1", status: 200},
	{name: "rules/branch with a slash", op: opRules, path: "/repos/blinkyboard/firmware/rules/branches/release%2F1.x", status: 200},
	{name: "rules/unknown branch", op: opRules, path: "/repos/blinkyboard/firmware/rules/branches/nothing", status: 200},
	{name: "rules/past the end", op: opRules, path: "/repos/blinkyboard/firmware/rules/branches/main?per_page=1&page=2", status: 200},
	{name: "rules/not modified", op: opRules, path: "/repos/blinkyboard/firmware/rules/branches/main", revalidate: true, status: 304},
	{name: "rules/no rulesets", op: opRules, path: "/repos/legacy-ghes/firmware/rules/branches/main", status: 404},
	{name: "rules/unknown repo", op: opRules, path: "/repos/blinkyboard/nothing/rules/branches/main", status: 404},

	// Classic branch protection.
	{name: "protection/read", op: opProtection, path: "/repos/blinkyboard/firmware/branches/main/protection/required_status_checks", token: openapiToken, arrange: requireToken, status: 200},
	{name: "protection/contexts only", op: opProtection, path: "/repos/blinkyboard/firmware/branches/release%2F1.x/protection/required_status_checks", token: openapiToken, status: 200},
	{name: "protection/old GitHub Enterprise", op: opProtection, path: "/api/v3/repos/legacy-ghes/firmware/branches/main/protection/required_status_checks", token: openapiToken, status: 200},
	{name: "protection/not modified", op: opProtection, path: "/repos/blinkyboard/firmware/branches/main/protection/required_status_checks", token: openapiToken, revalidate: true, status: 304},
	{name: "protection/anonymous", op: opProtection, path: "/repos/blinkyboard/firmware/branches/main/protection/required_status_checks", status: 404},
	{name: "protection/hidden", op: opProtection, path: "/repos/blinkyboard/firmware/branches/main/protection/required_status_checks", token: openapiToken, arrange: protectionAccess("hidden"), status: 404},
	{name: "protection/forbidden", op: opProtection, path: "/repos/actions-only/firmware/branches/main/protection/required_status_checks", token: openapiToken, status: 403},
	{name: "protection/not protected", op: opProtection, path: "/repos/blinkyboard/firmware/branches/patch-1/protection/required_status_checks", token: openapiToken, status: 404},
	{name: "protection/unknown branch", op: opProtection, path: "/repos/blinkyboard/firmware/branches/nothing/protection/required_status_checks", token: openapiToken, status: 404},
	{name: "protection/bad credentials", op: opProtection, path: "/repos/blinkyboard/firmware/branches/main/protection/required_status_checks", token: "wrong", arrange: requireToken, status: 401},
}

// protectionAccess sets blinkyboard/firmware's protection_access.
func protectionAccess(access string) func(*Hub) {
	return func(h *Hub) {
		h.Update(func(sc *Scenario) {
			for i := range sc.Repos {
				if sc.Repos[i].Owner == "blinkyboard" {
					sc.Repos[i].ProtectionAccess = access
				}
			}
		})
	}
}

func exhaustRateLimit(h *Hub) { h.SetRateLimit(0, time.Now().Add(time.Hour)) }

func failNext(status int) func(*Hub) {
	return func(h *Hub) { h.FailNext(status, 1) }
}

// TestOpenAPI checks every answer in openapiCases against the description:
// status, headers it documents and body schema, with every required field.
func TestOpenAPI(t *testing.T) {
	doc := loadDescription(t)
	for _, tc := range openapiCases {
		t.Run(tc.name, func(t *testing.T) {
			if err := validateRequest(doc, tc.op, tc.path); err != nil {
				t.Fatalf("the case's request is not one the description documents: %v", err)
			}
			srv := startServer(t, openapiScenario(t))
			if tc.arrange != nil {
				tc.arrange(srv.Hub)
			}
			header := http.Header{}
			if tc.token != "" {
				header.Set("Authorization", "token "+tc.token)
			}
			if tc.revalidate {
				first, _ := get(t, srv, http.MethodGet, tc.path, header)
				header.Set("If-None-Match", first.Header.Get("ETag"))
			}
			resp, body := get(t, srv, http.MethodGet, tc.path, header)
			if resp.StatusCode != tc.status {
				t.Fatalf("GET %s: status %d, want %d; body %s", tc.path, resp.StatusCode, tc.status, body)
			}
			if err := validateAnswer(doc, tc.op, resp, body); err != nil {
				t.Errorf("GET %s: the description refuses fakehub's answer:\n%v", tc.path, err)
			}
		})
	}
}

// TestOpenAPIRefuses makes sure the validation can fail: fakehub's own
// answers, each with one field the description requires taken out (at the
// top, in a nested object, in an array's element), must be refused.
func TestOpenAPIRefuses(t *testing.T) {
	doc := loadDescription(t)
	srv := startServer(t, openapiScenario(t))
	for _, tc := range []struct {
		op, path string
		drop     []string // the path of the field to delete
		// want is in the error; "" means the dropped field's quoted
		// name. A rule is one of many kinds (oneOf), and kin-openapi
		// says only that it fits none.
		want string
	}{
		{opRepo, "/repos/esp8266/Arduino", []string{"default_branch"}, ""},
		{opRepo, "/repos/esp8266/Arduino", []string{"owner", "node_id"}, ""},
		{opStatus, "/repos/esp8266/Arduino/commits/master/status", []string{"repository", "owner", "login"}, ""},
		{opStatus, "/repos/esp8266/Arduino/commits/master/status", []string{"statuses", "0", "context"}, ""},
		{opCheckRuns, "/repos/esp8266/Arduino/commits/broken/check-runs", []string{"check_runs", "1", "app", "owner"}, ""},
		{opCheckRuns, "/repos/esp8266/Arduino/commits/broken/check-runs", []string{"total_count"}, ""},
		{opPull, "/repos/blinkyboard/firmware/pulls/8", []string{"head", "repo", "owner", "login"}, ""},
		{opPull, "/repos/blinkyboard/firmware/pulls/8", []string{"_links", "statuses"}, ""},
		{opPull, "/repos/blinkyboard/firmware/pulls/8", []string{"mergeable_state"}, ""},
		{opRules, "/repos/blinkyboard/firmware/rules/branches/main", []string{"0", "parameters", "strict_required_status_checks_policy"}, oneOfRefused},
		{opRules, "/repos/blinkyboard/firmware/rules/branches/main", []string{"0", "parameters", "required_status_checks", "0", "context"}, oneOfRefused},
		{opProtection, "/repos/blinkyboard/firmware/branches/main/protection/required_status_checks", []string{"checks", "0", "app_id"}, ""},
		{opProtection, "/repos/blinkyboard/firmware/branches/main/protection/required_status_checks", []string{"contexts_url"}, ""},
	} {
		name := tc.op + " without " + strings.Join(tc.drop, ".")
		t.Run(name, func(t *testing.T) {
			// Any token: the Hub requires none, and protection needs one.
			resp, body := get(t, srv, http.MethodGet, tc.path, http.Header{"Authorization": {"token " + openapiToken}})
			if err := validateAnswer(doc, tc.op, resp, body); err != nil {
				t.Fatalf("fakehub's own answer is refused already: %v", err)
			}
			cut, err := dropField(body, tc.drop)
			if err != nil {
				t.Fatal(err)
			}
			err = validateAnswer(doc, tc.op, resp, cut)
			want := cmp.Or(tc.want, fmt.Sprintf("%q", tc.drop[len(tc.drop)-1]))
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("the answer without %s: error %v, want one with %s", strings.Join(tc.drop, "."), err, want)
			}
		})
	}
	t.Run("an undocumented status", func(t *testing.T) {
		resp := &http.Response{StatusCode: http.StatusTeapot, Header: http.Header{"Content-Type": {JSONType}}}
		if err := validateAnswer(doc, opRepo, resp, []byte(`{"message":"teapot"}`)); err == nil {
			t.Error("a 418 was accepted")
		}
	})
	t.Run("a 304 with a body", func(t *testing.T) {
		resp := &http.Response{StatusCode: http.StatusNotModified, Header: http.Header{}}
		if err := validateAnswer(doc, opRepo, resp, []byte(`{}`)); err == nil {
			t.Error("a 304 with a body was accepted")
		}
	})
}

// oneOfRefused is how kin-openapi refuses an item that fits none of a
// oneOf's schemas.
const oneOfRefused = `/0: value doesn't match any schema from "oneOf"`

// dropField deletes the field at path (object keys, array indexes) from a
// JSON document.
func dropField(body []byte, path []string) ([]byte, error) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, err
	}
	node := v
	for i, key := range path {
		last := i == len(path)-1
		switch n := node.(type) {
		case map[string]any:
			if _, ok := n[key]; !ok {
				return nil, fmt.Errorf("no field %q at %s", key, strings.Join(path[:i], "."))
			}
			if last {
				delete(n, key)
			}
			node = n[key]
		case []any:
			var idx int
			if _, err := fmt.Sscan(key, &idx); err != nil || idx >= len(n) || last {
				return nil, fmt.Errorf("cannot take %q of an array of %d at %s", key, len(n), strings.Join(path[:i], "."))
			}
			node = n[idx]
		default:
			return nil, fmt.Errorf("%s is not an object or array", strings.Join(path[:i], "."))
		}
	}
	return json.Marshal(v)
}

// loadDescription reads the description once per test binary. Without the
// file the test fails under CI (which fetches it) and is skipped otherwise,
// naming the command that fetches it.
func loadDescription(t *testing.T) *openapi3.T {
	t.Helper()
	if _, err := os.Stat(descriptionFile); errors.Is(err, fs.ErrNotExist) {
		msg := fmt.Sprintf("GitHub's OpenAPI description %s is missing: run %s", descriptionFile, fetchCommand)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	start := time.Now()
	doc, err := description()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the description (%s) took %v to load", doc.Info.Version, time.Since(start).Round(time.Millisecond))
	return doc
}

var description = sync.OnceValues(func() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromFile(descriptionFile)
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", descriptionFile, err)
	}
	return doc, nil
})

// sharedResponses are GitHub's own components for statuses an operation
// does not list: GitHub answers them on every route (a bad token, the rate
// limit, a ref that names no commit, server errors), so their bodies are
// checked against what the description says of them elsewhere.
var sharedResponses = map[int]string{
	http.StatusNotModified:         "not_modified",
	http.StatusUnauthorized:        "requires_authentication",
	http.StatusForbidden:           "forbidden",
	http.StatusNotFound:            "not_found",
	http.StatusConflict:            "conflict",
	http.StatusUnprocessableEntity: "validation_failed_simple",
	http.StatusTooManyRequests:     "forbidden", // a secondary rate limit, as GitHub's 403 one
	http.StatusInternalServerError: "internal_error",
	http.StatusBadGateway:          "internal_error", // GitHub documents 500 and 503 only; fakehub's 5xx bodies are its 500's
	http.StatusServiceUnavailable:  "service_unavailable",
}

// validateAnswer checks one answer to op ("GET /repos/{owner}/{repo}")
// against the description with kin-openapi: the status must be one the
// operation documents (or one of sharedResponses), and headers and body
// must match it, strings of format date-time and uri included. All
// problems are reported, not just the first.
func validateAnswer(doc *openapi3.T, op string, resp *http.Response, body []byte) error {
	method, template, _ := strings.Cut(op, " ")
	item := doc.Paths.Value(template)
	if item == nil || item.GetOperation(method) == nil {
		return fmt.Errorf("the description has no operation %s", op)
	}
	operation := item.GetOperation(method)
	if operation.Responses.Status(resp.StatusCode) == nil {
		name, ok := sharedResponses[resp.StatusCode]
		shared := doc.Components.Responses[name]
		if !ok || shared == nil {
			return fmt.Errorf("%s: status %d is documented neither for the operation nor as a shared response", op, resp.StatusCode)
		}
		documented := *operation
		documented.Responses = openapi3.NewResponses(openapi3.WithStatus(resp.StatusCode, shared))
		operation = &documented
	}
	if resp.StatusCode == http.StatusNotModified {
		// kin-openapi does not look at a 304; its body must be empty.
		if len(body) > 0 {
			return fmt.Errorf("%s: a 304 with a body of %d bytes", op, len(body))
		}
		return nil
	}
	req, err := http.NewRequest(method, "https://fakehub.invalid"+template, nil)
	if err != nil {
		return err
	}
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{
			openapi3.EnableFormatValidation(),
			openapi3.WithStringFormatValidator("uri", openapi3.NewCallbackValidator(absoluteURI)),
		},
	}
	// Each problem on one line, where it is and what, without the
	// schema (pages of it for a repository).
	opts.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string {
		return "/" + strings.Join(err.JSONPointer(), "/") + ": " + err.Reason
	})
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req,
			Route:   &routers.Route{Spec: doc, Path: template, PathItem: item, Method: method, Operation: operation},
		},
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: opts,
	}
	return openapi3filter.ValidateResponse(context.Background(), input)
}

// validateRequest checks that path (with its query) is a request for op
// that the description documents, so that each case checks the operation
// it names.
func validateRequest(doc *openapi3.T, op, path string) error {
	method, template, _ := strings.Cut(op, " ")
	item := doc.Paths.Value(template)
	if item == nil || item.GetOperation(method) == nil {
		return fmt.Errorf("the description has no operation %s", op)
	}
	u, err := url.Parse(path)
	if err != nil {
		return err
	}
	params, ok := pathParams(template, strings.TrimPrefix(u.EscapedPath(), "/api/v3"))
	if !ok {
		return fmt.Errorf("%s does not match %s", u.EscapedPath(), template)
	}
	req, err := http.NewRequest(method, "https://fakehub.invalid"+path, nil)
	if err != nil {
		return err
	}
	return openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      &routers.Route{Spec: doc, Path: template, PathItem: item, Method: method, Operation: item.GetOperation(method)},
		Options:    &openapi3filter.Options{MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	})
}

// pathParams matches an escaped path against a template segment by
// segment, "{name}" taking one whole segment.
func pathParams(template, escaped string) (map[string]string, bool) {
	want, got := strings.Split(template, "/"), strings.Split(escaped, "/")
	if len(want) != len(got) {
		return nil, false
	}
	params := map[string]string{}
	for i, seg := range want {
		name, isParam := strings.CutPrefix(seg, "{")
		if !isParam {
			if seg != got[i] {
				return nil, false
			}
			continue
		}
		value, err := url.PathUnescape(got[i])
		if err != nil || value == "" {
			return nil, false
		}
		params[strings.TrimSuffix(name, "}")] = value
	}
	return params, true
}

// absoluteURI is format "uri": an absolute URI (RFC 3986), which every
// URL GitHub sends is.
func absoluteURI(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URI", s)
	}
	return nil
}
