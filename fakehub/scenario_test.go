package fakehub_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	. "github.com/clientsecure/clientsecure/fakehub"
)

func TestParseExample(t *testing.T) {
	srv := startServer(t, exampleScenario(t))
	gh := ghClient(t, srv, "")
	ctx := context.Background()
	tests := []struct {
		repo, ref, status string
		checks            int
	}{
		{"Arduino", "master", "success", 0},
		{"Arduino", "2.3.0", "success", 0},
		{"Arduino", "broken", "failure", 2},
		{"Arduino", "feature/mfln", "pending", 2}, // no statuses: pending, as GitHub says
		{"many-checks", "main", "success", 151},
	}
	for _, tt := range tests {
		owner := map[string]string{"Arduino": "esp8266", "many-checks": "clientsecure"}[tt.repo]
		cs, _, err := gh.Repositories.GetCombinedStatus(ctx, owner, tt.repo, tt.ref, nil)
		if err != nil || cs.GetState() != tt.status {
			t.Errorf("%s@%s: state %q, %v; want %s", tt.repo, tt.ref, cs.GetState(), err, tt.status)
		}
		runs, _, err := gh.Checks.ListCheckRunsForRef(ctx, owner, tt.repo, tt.ref, nil)
		if err != nil || runs.GetTotal() != tt.checks {
			t.Errorf("%s@%s: %d check runs, %v; want %d", tt.repo, tt.ref, runs.GetTotal(), err, tt.checks)
		}
	}
	if _, _, err := gh.Repositories.Get(ctx, "clientsecure", "secret"); err == nil {
		t.Error("the private repository was served without a token")
	}
}

// Every refusal says where: line and column, and what is wrong.
func TestParseScenarioErrors(t *testing.T) {
	tests := []struct {
		name, json string
		want       string // the whole message, or its start if it ends in "..."
	}{
		{"empty", ``, `fakehub: scenario:1:1: unexpected end of JSON`},
		{"syntax", "{\"repos\": [\n  {\"owner\": \"a\" \"name\": \"b\"}]}", `fakehub: scenario:2:17: repos[0]: invalid character '"' after object key:value pair`},
		{"truncated", "{\"repos\": [\n  {\"owner\": \"a\"", `fakehub: scenario:2:16: repos[0]: unexpected end of JSON...`},
		{"trailing", `{"repos": []} {}`, `fakehub: scenario:1:15: unexpected data after the scenario's closing '}'`},
		{"not an object", `[]`, `fakehub: scenario:1:1: want an object, got an array`},
		{"unknown field", "{\"repos\": [{\"owner\": \"a\", \"name\": \"b\",\n \"refs\": [{\"name\": \"main\", \"stauses\": []}]}]}",
			`fakehub: scenario:2:28: repos[0].refs[0].stauses: unknown field "stauses"; known here: check_runs, generate, name, protection, rules, sha, statuses, tags`},
		{"case matters", `{"Repos": []}`, `fakehub: scenario:1:2: Repos: unknown field "Repos"; known here: repos`},
		{"duplicate field", `{"repos": [{"owner": "a", "owner": "b"}]}`, `fakehub: scenario:1:27: repos[0].owner: field "owner" given twice`},
		{"wrong type", "{\"repos\": [{\"owner\": \"a\", \"name\": \"b\", \"private\": \"yes\"}]}", `fakehub: scenario:1:51: repos[0].private: want true or false, got string "yes"`},
		{"not an integer", `{"repos": [{"owner": "a", "name": "b", "id": 1.5}]}`, `fakehub: scenario:1:46: repos[0].id: 1.5 is not an integer`},
		{"id as string", `{"repos": [{"owner": "a", "name": "b", "id": "7"}]}`, `fakehub: scenario:1:46: repos[0].id: want an integer, got string "7"`},
		{"bad time", "{\"repos\": [{\"owner\": \"a\", \"name\": \"b\", \"refs\": [{\"name\": \"m\",\n  \"statuses\": [{\"state\": \"success\", \"created_at\": \"2016-08-01 09:54\"}]}]}]}",
			`fakehub: scenario:2:51: repos[0].refs[0].statuses[0].created_at: "2016-08-01 09:54" is not an RFC 3339 time like "2016-08-01T09:54:38Z"`},
		{"bad state", "{\"repos\": [{\"owner\": \"esp8266\", \"name\": \"Arduino\", \"refs\": [\n {\"name\": \"master\", \"statuses\": [\n  {\"state\": \"passed\"}]}]}]}",
			`fakehub: scenario:3:13: repo esp8266/Arduino, ref master: repos[0].refs[0].statuses[0].state: state "passed" is not one of error, failure, pending, success`},
		{"conclusion without completed", `{"repos": [{"owner": "a", "name": "b", "refs": [{"name": "m", "check_runs": [{"name": "ci", "status": "queued", "conclusion": "success"}]}]}]}`,
			`fakehub: scenario:1:127: repo a/b, ref m: repos[0].refs[0].check_runs[0].conclusion: check run "ci": a conclusion needs status completed, not "queued"`},
		{"completed without conclusion", `{"repos": [{"owner": "a", "name": "b", "refs": [{"name": "m", "check_runs": [{"name": "ci", "status": "completed"}]}]}]}`,
			`fakehub: scenario:1:78: repo a/b, ref m: repos[0].refs[0].check_runs[0].conclusion: check run "ci": conclusion "" is not one of action_required, ...`},
		{"missing field is reported at its object", `{"repos": [{"owner": "a", "name": "b", "refs": [{"name": "m", "check_runs": [{"conclusion": "success"}]}]}]}`,
			`fakehub: scenario:1:78: repo a/b, ref m: repos[0].refs[0].check_runs[0].name: a check run needs a name`},
		{"bad sha", `{"repos": [{"owner": "a", "name": "b", "refs": [{"name": "m", "sha": "abc"}]}]}`,
			`fakehub: scenario:1:70: repo a/b, ref m: repos[0].refs[0].sha: sha "abc" is not 40 hex digits`},
		{"bad owner", `{"repos": [{"owner": "a b", "name": "c"}]}`, `fakehub: scenario:1:22: repo a b/c: repos[0].owner: owner "a b" is not a GitHub login ...`},
		{"duplicate repo", `{"repos": [{"owner": "a", "name": "b"}, {"owner": "A", "name": "B"}]}`, `fakehub: scenario:1:41: repos[1]: repository A/B is listed twice`},
		{"duplicate ref name", `{"repos": [{"owner": "a", "name": "b", "refs": [{"name": "m"}, {"name": "x", "tags": ["m"]}]}]}`,
			`fakehub: scenario:1:87: repo a/b, ref x: repos[0].refs[1].tags[0]: name "m" is also used at repos[0].refs[0].name`},
		{"bad ref name", `{"repos": [{"owner": "a", "name": "b", "refs": [{"name": "a..b"}]}]}`, `fakehub: scenario:1:58: repo a/b, ref a..b: repos[0].refs[0].name: "a..b" is not a valid ref name ...`},
		{"HEAD is reserved", `{"repos": [{"owner": "a", "name": "b", "refs": [{"name": "HEAD"}]}]}`, `fakehub: scenario:1:58: repo a/b, ref HEAD: repos[0].refs[0].name: "HEAD" is reserved`},
		{"bad default branch", `{"repos": [{"owner": "a", "name": "b", "default_branch": "dev", "refs": [{"name": "m"}]}]}`,
			`fakehub: scenario:1:58: repo a/b: repos[0].default_branch: default_branch "dev" is not the name of one of its refs`},
		{"duplicate id", `{"repos": [{"owner": "a", "name": "b", "refs": [{"name": "m", "statuses": [{"id": 5, "state": "success"}, {"id": 5, "state": "success"}]}]}]}`,
			`fakehub: scenario:1:114: repos[0].refs[0].statuses[1].id: id 5 is also used at repos[0].refs[0].statuses[0].id`},
		{"too many generated", `{"repos": [{"owner": "a", "name": "b", "refs": [{"name": "m", "generate": {"check_runs": 1000000}}]}]}`,
			`fakehub: scenario:1:90: repo a/b, ref m: repos[0].refs[0].generate.check_runs: 1000000 is not between 0 and 10000`},
		{"bad generated conclusion", `{"repos": [{"owner": "a", "name": "b", "refs": [{"name": "m", "generate": {"check_runs": 1, "conclusion": "ok"}}]}]}`,
			`fakehub: scenario:1:107: repo a/b, ref m: repos[0].refs[0].generate.conclusion: conclusion "ok" is not one of ...`},
		{"unicode columns count characters", "{\"repos\": [{\"description\": \"é\", \"owner\": 1}]}", `fakehub: scenario:1:42: repos[0].owner: want a string, got number 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { refused(t, tt.json, tt.want) })
	}
}

// refused checks that ParseScenario refuses data with a positioned
// *ScenarioError whose message is want, or starts with it when want ends
// in "...".
func refused(t *testing.T, data, want string) {
	t.Helper()
	sc, err := ParseScenario([]byte(data))
	if err == nil {
		t.Fatalf("accepted: %+v", sc)
	}
	var se *ScenarioError
	if !errors.As(err, &se) || se.Line == 0 {
		t.Errorf("not a positioned *ScenarioError: %#v", err)
	}
	got := err.Error()
	if prefix, ok := strings.CutSuffix(want, "..."); ok {
		if !strings.HasPrefix(got, prefix) {
			t.Errorf("error\n%s\nwant it to start with\n%s", got, prefix)
		}
	} else if got != want {
		t.Errorf("error\n%s\nwant\n%s", got, want)
	}
}

func TestSyntaxErrorUnwraps(t *testing.T) {
	_, err := ParseScenario([]byte(`{"repos": [}`))
	var syntax *json.SyntaxError
	if !errors.As(err, &syntax) {
		t.Errorf("%v does not wrap a *json.SyntaxError", err)
	}
}

// A scenario built in Go is checked the same way, without positions.
func TestValidate(t *testing.T) {
	if err := DefaultScenario().Validate(); err != nil {
		t.Fatal(err)
	}
	sc := oneRepo(Ref{Name: "main", Statuses: []Status{{State: "green"}}})
	err := sc.Validate()
	if err == nil || err.Error() != `fakehub: scenario: repo octo/demo, ref main: repos[0].refs[0].statuses[0].state: state "green" is not one of error, failure, pending, success` {
		t.Errorf("Validate: %v", err)
	}
	for name, sc := range map[string]*Scenario{
		"no name":                       oneRepo(Ref{}),
		"shared sha":                    oneRepo(Ref{Name: "a", SHA: strings.Repeat("a", 40)}, Ref{Name: "b", SHA: strings.Repeat("A", 40)}),
		"early completed":               oneRepo(Ref{Name: "a", CheckRuns: []CheckRun{{Name: "c", Conclusion: "success", StartedAt: Epoch, CompletedAt: Epoch.Add(-1)}}}),
		"running, done":                 oneRepo(Ref{Name: "a", CheckRuns: []CheckRun{{Name: "c", Status: "queued", CompletedAt: Epoch}}}),
		"app, no slug":                  oneRepo(Ref{Name: "a", CheckRuns: []CheckRun{{Name: "c", Conclusion: "success", App: &App{Name: "x"}}}}),
		"status updated before created": oneRepo(Ref{Name: "a", Statuses: []Status{{State: "success", CreatedAt: Epoch, UpdatedAt: Epoch.Add(-1)}}}),
		"negative id":                   {Repos: []Repo{{Owner: "a", Name: "b", ID: -1}}},
		"name ..":                       {Repos: []Repo{{Owner: "a", Name: ".."}}},
		"no default branch name":        oneRepo(Ref{Tags: []string{"v1"}}),
	} {
		if err := sc.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// New keeps its own copy; Update refuses to leave an invalid scenario.
func TestNewCopiesAndUpdateValidates(t *testing.T) {
	sc := DefaultScenario()
	srv := startServer(t, sc)
	sc.Repos[0].Refs[0].Statuses[0].State = "failure"
	gh := ghClient(t, srv, "")
	cs, _, err := gh.Repositories.GetCombinedStatus(context.Background(), "esp8266", "Arduino", "master", nil)
	if err != nil || cs.GetState() != "success" {
		t.Errorf("the caller's change reached the Hub: %q, %v", cs.GetState(), err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Update accepted an invalid state")
			}
		}()
		srv.Hub.Update(func(sc *Scenario) { sc.Repos[0].Refs[0].Statuses[0].State = "green" })
	}()
	cs, _, err = gh.Repositories.GetCombinedStatus(context.Background(), "esp8266", "Arduino", "master", nil)
	if err != nil || cs.GetState() != "success" {
		t.Errorf("a refused Update changed the Hub: %q, %v", cs.GetState(), err)
	}
}
