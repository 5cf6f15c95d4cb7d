package fakehub_test

import (
	"strings"
	"testing"

	. "github.com/clientsecure/clientsecure/fakehub"
)

// pullsRepos is a base repository with main and patch-1, and a fork with
// fix-typo, followed by what a test adds to the base ("pulls": [...],
// fields of its own).
func pullsRepos(base string) string {
	return `{"repos": [{"owner": "o", "name": "r", "refs": [{"name": "main"}, {"name": "patch-1"}],` + "\n" +
		base + `}, {"owner": "c", "name": "r", "refs": [{"name": "fix-typo"}]}]}`
}

// Every refusal of a pull request, rules or protection says where.
func TestParsePullsScenarioErrors(t *testing.T) {
	tests := []struct {
		name, json string
		want       string
	}{
		{"head repo not in the scenario", pullsRepos(`"pulls": [{"number": 1, "head": "fix-typo", "head_repo": "c/other"}]`),
			`fakehub: scenario:2:58: repo o/r, pull #1: repos[0].pulls[0].head_repo: head_repo "c/other" is not a repository of the scenario ("owner/name")`},
		{"head not a branch of the head repo", pullsRepos(`"pulls": [{"number": 1, "head": "patch-1", "head_repo": "c/r"}]`),
			`fakehub: scenario:2:33: repo o/r, pull #1: repos[0].pulls[0].head: head "patch-1" is not a branch of c/r`},
		{"no head", pullsRepos(`"pulls": [{"number": 1}]`),
			`fakehub: scenario:2:11: repo o/r, pull #1: repos[0].pulls[0].head: a pull request needs a head branch`},
		{"base not a branch", pullsRepos(`"pulls": [{"number": 1, "head": "patch-1", "base": "v1.0"}]`),
			`fakehub: scenario:2:52: repo o/r, pull #1: repos[0].pulls[0].base: base "v1.0" is not a branch of o/r`},
		{"head is base", pullsRepos(`"pulls": [{"number": 1, "head": "main"}]`),
			`fakehub: scenario:2:33: repo o/r, pull #1: repos[0].pulls[0].head: head and base are both "main"`},
		{"duplicate number", pullsRepos(`"pulls": [{"number": 7, "head": "patch-1"}, {"number": 7, "head": "fix-typo", "head_repo": "c/r"}]`),
			`fakehub: scenario:2:56: repo o/r, pull #7: repos[0].pulls[1].number: number 7 is also repos[0].pulls[0]'s`},
		{"number zero", pullsRepos(`"pulls": [{"number": 0, "head": "patch-1"}]`),
			`fakehub: scenario:2:22: repo o/r, pull #0: repos[0].pulls[0].number: number 0 is not a pull request number (1 or more)`},
		{"bad state", pullsRepos(`"pulls": [{"number": 1, "head": "patch-1", "state": "merged"}]`),
			`fakehub: scenario:2:53: repo o/r, pull #1: repos[0].pulls[0].state: state "merged" is not one of open, closed`},
		{"merged but open", pullsRepos(`"pulls": [{"number": 1, "head": "patch-1", "state": "open", "merged": true}]`),
			`fakehub: scenario:2:71: repo o/r, pull #1: repos[0].pulls[0].merged: a merged pull request is closed, not "open"`},
		{"number as string", pullsRepos(`"pulls": [{"number": "7", "head": "patch-1"}]`),
			`fakehub: scenario:2:22: repos[0].pulls[0].number: want an integer, got string "7"`},
		{"unknown pull field", pullsRepos(`"pulls": [{"number": 1, "head": "patch-1", "sha": "x"}]`),
			`fakehub: scenario:2:44: repos[0].pulls[0].sha: unknown field "sha"; known here: base, body, head, head_repo, merged, number, state, title`},
		{"bad protection_access", pullsRepos(`"protection_access": "admin"`),
			`fakehub: scenario:2:22: repo o/r: repos[0].protection_access: protection_access "admin" is not one of read, forbidden, hidden`},
		{"rulesets not a bool", pullsRepos(`"rulesets": "no"`),
			`fakehub: scenario:2:13: repos[0].rulesets: want true or false, got string "no"`},
		{"rules without a branch", `{"repos": [{"owner": "o", "name": "r", "default_branch": "main", "refs": [{"name": "main"},` + "\n" +
			`{"tags": ["v1"], "rules": {"required_status_checks": []}}]}]}`,
			`fakehub: scenario:2:27: repo o/r, ref v1: repos[0].refs[1].rules: rules and protection belong to a branch: the ref needs a name`},
		{"required check without context", `{"repos": [{"owner": "o", "name": "r", "refs": [{"name": "main",` + "\n" +
			`"rules": {"required_status_checks": [{"integration_id": 5}]}}]}]}`,
			`fakehub: scenario:2:38: repo o/r, ref main: repos[0].refs[0].rules.required_status_checks[0].context: a required check needs a context`},
		{"negative integration id", `{"repos": [{"owner": "o", "name": "r", "refs": [{"name": "main",` + "\n" +
			`"rules": {"required_status_checks": [{"context": "ci", "integration_id": -5}]}}]}]}`,
			`fakehub: scenario:2:74: repo o/r, ref main: repos[0].refs[0].rules.required_status_checks[0].integration_id: integration_id -5 is negative`},
		{"unknown rules field", `{"repos": [{"owner": "o", "name": "r", "refs": [{"name": "main",` + "\n" +
			`"rules": {"required_checks": []}}]}]}`,
			`fakehub: scenario:2:11: repos[0].refs[0].rules.required_checks: unknown field "required_checks"; known here: required_status_checks, strict`},
		{"protection contexts and checks differ", `{"repos": [{"owner": "o", "name": "r", "refs": [{"name": "main",` + "\n" +
			`"protection": {"contexts": ["ci"], "checks": [{"context": "build"}]}}]}]}`,
			`fakehub: scenario:2:28: repo o/r, ref main: repos[0].refs[0].protection.contexts: contexts ["ci"] and the contexts of checks ["build"] differ; give one of them, or both alike`},
		{"protection empty context", `{"repos": [{"owner": "o", "name": "r", "refs": [{"name": "main",` + "\n" +
			`"protection": {"contexts": ["ci", ""]}}]}]}`,
			`fakehub: scenario:2:35: repo o/r, ref main: repos[0].refs[0].protection.contexts[1]: an empty context`},
		{"protection check without context", `{"repos": [{"owner": "o", "name": "r", "refs": [{"name": "main",` + "\n" +
			`"protection": {"checks": [{"app_id": 1}]}}]}]}`,
			`fakehub: scenario:2:27: repo o/r, ref main: repos[0].refs[0].protection.checks[0].context: a required check needs a context`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { refused(t, tt.json, tt.want) })
	}
	// The fixture itself is fine: each case above breaks one thing.
	if _, err := ParseScenario([]byte(pullsRepos(`"pulls": [{"number": 1, "head": "patch-1"}, {"number": 2, "head": "fix-typo", "head_repo": "C/R"}]`))); err != nil {
		t.Errorf("the valid base: %v", err)
	}
}

func TestParsePullsExample(t *testing.T) {
	sc := pullsScenario(t)
	if len(sc.Repos) != 4 || len(sc.Repos[0].Pulls) != 3 || sc.Repos[2].Rulesets == nil || *sc.Repos[2].Rulesets ||
		sc.Repos[2].StatusLinks == nil || *sc.Repos[2].StatusLinks || sc.Repos[3].ProtectionAccess != "forbidden" ||
		sc.Repos[0].Refs[0].Rules == nil || len(sc.Repos[0].Refs[0].Rules.RequiredStatusChecks) != 2 ||
		sc.Repos[0].Refs[0].Protection == nil || *sc.Repos[0].Refs[0].Protection.Checks[0].AppID != 123 {
		t.Errorf("testdata/pulls.json read as %+v", sc)
	}
}

// New and Update copy pull requests, rules and protection: the caller's
// scenario is not the Hub's.
func TestNewCopiesPullsRulesAndProtection(t *testing.T) {
	sc := pullsScenario(t)
	srv := startServer(t, sc)
	before, _ := get(t, srv, "GET", "/repos/blinkyboard/firmware/rules/branches/main", nil)
	sc.Repos[0].Refs[0].Rules.RequiredStatusChecks[0].Context = "changed"
	*sc.Repos[0].Refs[0].Protection.Checks[0].AppID = 1
	sc.Repos[0].Pulls[0].Title = "changed"
	*sc.Repos[2].Rulesets = true
	for _, path := range []string{
		"/repos/blinkyboard/firmware/rules/branches/main",
		"/repos/blinkyboard/firmware/branches/main/protection/required_status_checks",
		"/repos/blinkyboard/firmware/pulls/7",
	} {
		_, body := get(t, srv, "GET", path, map[string][]string{"Authorization": {"token any"}})
		if strings.Contains(string(body), `"changed"`) || strings.Contains(string(body), `"app_id":1}`) {
			t.Errorf("%s follows the caller's scenario: %s", path, body)
		}
	}
	if resp, _ := get(t, srv, "GET", "/repos/legacy-ghes/firmware/rules/branches/main", nil); resp.StatusCode != 404 {
		t.Errorf("rulesets: %d after the caller's change", resp.StatusCode)
	}
	if after, _ := get(t, srv, "GET", "/repos/blinkyboard/firmware/rules/branches/main", nil); after.Header.Get("ETag") != before.Header.Get("ETag") {
		t.Error("the rules' ETag changed")
	}
	// Update refuses a pull request whose head goes away, and keeps serving.
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Update accepted a pull request without its head branch")
			}
		}()
		srv.Hub.Update(func(sc *Scenario) { sc.Repos[1].Refs[0].Name = "renamed" })
	}()
	if resp, _ := get(t, srv, "GET", "/repos/blinkyboard/firmware/pulls/8", nil); resp.StatusCode != 200 {
		t.Errorf("after a refused Update: %d", resp.StatusCode)
	}
}
