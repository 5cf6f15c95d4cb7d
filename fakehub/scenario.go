package fakehub

import (
	"time"
)

// Scenario is what a Hub serves: repositories, their refs, and the commit
// statuses and check runs reported for each ref. Zero fields take the
// defaults described in the package documentation, so a scenario says only
// what a test cares about.
type Scenario struct {
	Repos []Repo `json:"repos"`
}

// Repo is one repository. Owner and Name are matched case-insensitively, as
// GitHub does, and served in the case written here.
type Repo struct {
	Owner string `json:"owner"`
	Name  string `json:"name"`
	// ID is the repository's numeric id; 0 numbers it after the largest id
	// given.
	ID          int64  `json:"id,omitempty"`
	Description string `json:"description,omitempty"`
	// Private repositories are served only to requests that carry a valid
	// token (see Hub.RequireToken); others get 404, as from GitHub.
	Private bool `json:"private,omitempty"`
	// DefaultBranch must name one of Refs; empty means the first ref's
	// name (or "main" for a repository without refs).
	DefaultBranch string `json:"default_branch,omitempty"`
	Refs          []Ref  `json:"refs,omitempty"`
	// Pulls are the repository's pull requests, by number.
	Pulls []Pull `json:"pulls,omitempty"`
	// Rulesets false makes GET .../rules/branches/{branch} 404, as a
	// GitHub Enterprise Server from before rulesets answers; nil or true
	// serves each branch's Rules.
	Rulesets *bool `json:"rulesets,omitempty"`
	// ProtectionAccess is what a request with an accepted token may see of
	// classic branch protection: "read" (the default), "forbidden" (403,
	// as GitHub Actions' GITHUB_TOKEN gets) or "hidden" (404, as a token
	// without admin rights gets).
	ProtectionAccess string `json:"protection_access,omitempty"`
	// StatusLinks false leaves the Link header off the combined status,
	// which GitHub does not document one for; pages still work.
	StatusLinks *bool `json:"status_links,omitempty"`
}

// Pull is one pull request: the branch Head of HeadRepo to be merged into
// the branch Base of the repository that lists it.
type Pull struct {
	Number int `json:"number"`
	// Head is a branch (a ref's name) of HeadRepo.
	Head string `json:"head"`
	// HeadRepo is "owner/name" of a repository in the scenario, the fork
	// the pull request comes from; empty means this repository.
	HeadRepo string `json:"head_repo,omitempty"`
	// Base is a branch of this repository; empty means its default branch.
	Base string `json:"base,omitempty"`
	// State is open or closed; empty means open (closed when Merged).
	State  string `json:"state,omitempty"`
	Title  string `json:"title,omitempty"` // empty: "Pull request N"
	Body   string `json:"body,omitempty"`
	Merged bool   `json:"merged,omitempty"`
}

// Rules are the branch rules (rulesets) that require status checks of a
// branch, as GET /repos/{o}/{r}/rules/branches/{branch} lists them.
type Rules struct {
	RequiredStatusChecks []RequiredCheck `json:"required_status_checks"`
	// Strict requires the branch to be up to date before merging.
	Strict bool `json:"strict,omitempty"`
}

// RequiredCheck is one check a ruleset requires: a status context or a
// check run name, optionally from one app only.
type RequiredCheck struct {
	Context       string `json:"context"`
	IntegrationID int64  `json:"integration_id,omitempty"`
}

// Protection is a branch's classic protection: the status checks it
// requires, as GET .../branches/{branch}/protection/required_status_checks
// shows them. Contexts and Checks name the same checks; either one alone
// implies the other (Checks with app_id null).
type Protection struct {
	Contexts []string          `json:"contexts,omitempty"`
	Checks   []ProtectionCheck `json:"checks,omitempty"`
	Strict   bool              `json:"strict,omitempty"`
}

// ProtectionCheck is one required check of classic protection; AppID nil
// accepts it from any app.
type ProtectionCheck struct {
	Context string `json:"context"`
	AppID   *int64 `json:"app_id,omitempty"`
}

// Ref is one commit and the names that point at it. A request's ref
// resolves by its full SHA, its branch Name, one of its Tags, or an
// unambiguous SHA prefix of at least 4 hex digits.
type Ref struct {
	// Name is the branch name ("master", "feature/x").
	Name string `json:"name,omitempty"`
	// Tags are further names for the same commit: tags, or other branches.
	Tags []string `json:"tags,omitempty"`
	// SHA is the commit's 40 hex digits; empty derives a stable one from
	// the repository and the ref's first name.
	SHA string `json:"sha,omitempty"`
	// Statuses in the order they were created: for each context the last
	// one (or the one with the latest created_at) is its current state.
	Statuses  []Status   `json:"statuses,omitempty"`
	CheckRuns []CheckRun `json:"check_runs,omitempty"`
	// Generate adds synthetic statuses and check runs before the ones
	// listed, so that a listed failure lands on the last page.
	Generate *Generate `json:"generate,omitempty"`
	// Rules and Protection are the checks the branch Name requires; a
	// ref without a Name may have neither.
	Rules      *Rules      `json:"rules,omitempty"`
	Protection *Protection `json:"protection,omitempty"`
}

// Status is one commit status, as a CI service posts it.
type Status struct {
	// ID is the status's id; 0 numbers it after the largest id given.
	ID int64 `json:"id,omitempty"`
	// State is error, failure, pending or success.
	State string `json:"state"`
	// Context names the reporter; empty means "default", as on GitHub.
	Context     string `json:"context,omitempty"`
	Description string `json:"description,omitempty"`
	TargetURL   string `json:"target_url,omitempty"`
	// CreatedAt zero means the scenario epoch (2026-01-01T00:00:00Z);
	// UpdatedAt zero means CreatedAt.
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// CheckRun is one check run, as a GitHub App reports it.
type CheckRun struct {
	// ID is the check run's id; 0 numbers it after the largest id given.
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name"`
	// Status is queued, in_progress, completed, waiting, requested or
	// pending; empty means completed when Conclusion is set.
	Status string `json:"status,omitempty"`
	// Conclusion is set exactly when Status is completed: action_required,
	// cancelled, failure, neutral, success, skipped, stale, timed_out or
	// startup_failure.
	Conclusion string `json:"conclusion,omitempty"`
	// DetailsURL empty means the check run's html_url.
	DetailsURL string `json:"details_url,omitempty"`
	Title      string `json:"title,omitempty"`   // output.title
	Summary    string `json:"summary,omitempty"` // output.summary
	// StartedAt zero means the scenario epoch; CompletedAt zero means a
	// minute after StartedAt for a completed run, and must be zero for
	// one that is not.
	StartedAt   time.Time `json:"started_at,omitzero"`
	CompletedAt time.Time `json:"completed_at,omitzero"`
	// App is the GitHub App that reported it; nil means GitHub Actions.
	App *App `json:"app,omitempty"`
}

// App is the GitHub App behind a check run.
type App struct {
	ID   int64  `json:"id,omitempty"`
	Slug string `json:"slug"`
	Name string `json:"name,omitempty"` // empty means Slug
}

// Generate asks for synthetic statuses and check runs, for tests of
// pagination: contexts "generated/status-001"..., check runs
// "generated/check-001"..., one second apart from the scenario epoch.
type Generate struct {
	Statuses int `json:"statuses,omitempty"`
	// State of the generated statuses; empty means success.
	State     string `json:"state,omitempty"`
	CheckRuns int    `json:"check_runs,omitempty"`
	// CheckStatus of the generated check runs; empty means completed.
	CheckStatus string `json:"check_status,omitempty"`
	// Conclusion of the generated check runs when completed; empty
	// means success.
	Conclusion string `json:"conclusion,omitempty"`
}

// maxGenerated bounds Generate's counts: enough for any pagination test,
// small enough that a typo cannot exhaust memory.
const maxGenerated = 10000

// epoch is the time of every status and check run that gives none, fixed
// so that responses (and their ETags) do not change from run to run.
var epoch = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// DefaultScenario is the document's own reply: esp8266/Arduino, whose
// master branch has two successful statuses, Travis CI's and Codecov's,
// with the ids, descriptions, contexts and dates of the document.
func DefaultScenario() *Scenario {
	travis := time.Date(2016, time.August, 1, 9, 54, 38, 0, time.UTC)
	codecov := time.Date(2016, time.August, 1, 9, 59, 5, 0, time.UTC)
	return &Scenario{Repos: []Repo{{
		Owner:         "esp8266",
		Name:          "Arduino",
		Description:   "ESP8266 core for Arduino",
		DefaultBranch: "master",
		Refs: []Ref{{
			Name: "master",
			Statuses: []Status{{
				ID:          677326372,
				State:       "success",
				Context:     "continuous-integration/travis-ci/push",
				Description: "The Travis CI build passed",
				TargetURL:   "https://travis-ci.org/esp8266/Arduino",
				CreatedAt:   travis,
				UpdatedAt:   travis,
			}, {
				ID:          677333081,
				State:       "success",
				Context:     "codecov/project",
				Description: "27.62% (+0.00%) compared to 0718188",
				TargetURL:   "https://codecov.io/gh/esp8266/Arduino",
				CreatedAt:   codecov,
				UpdatedAt:   codecov,
			}},
		}},
	}}}
}

// Validate reports the first thing wrong with sc as a *ScenarioError
// (without a position: that needs the JSON, see ParseScenario).
func (sc *Scenario) Validate() error {
	_, err := buildIndex(sc)
	return err
}

// clone is a deep copy, so that a Hub never shares memory with its caller.
func (sc *Scenario) clone() *Scenario {
	out := &Scenario{Repos: make([]Repo, len(sc.Repos))}
	for i, repo := range sc.Repos {
		refs := make([]Ref, len(repo.Refs))
		for j, ref := range repo.Refs {
			ref.Tags = append([]string(nil), ref.Tags...)
			ref.Statuses = append([]Status(nil), ref.Statuses...)
			ref.CheckRuns = append([]CheckRun(nil), ref.CheckRuns...)
			for k, run := range ref.CheckRuns {
				ref.CheckRuns[k].App = clonePtr(run.App)
			}
			ref.Generate = clonePtr(ref.Generate)
			if ref.Rules != nil {
				rules := *ref.Rules
				rules.RequiredStatusChecks = append([]RequiredCheck(nil), rules.RequiredStatusChecks...)
				ref.Rules = &rules
			}
			if ref.Protection != nil {
				prot := *ref.Protection
				prot.Contexts = append([]string(nil), prot.Contexts...)
				prot.Checks = append([]ProtectionCheck(nil), prot.Checks...)
				for k, check := range prot.Checks {
					prot.Checks[k].AppID = clonePtr(check.AppID)
				}
				ref.Protection = &prot
			}
			refs[j] = ref
		}
		repo.Refs = refs
		repo.Pulls = append([]Pull(nil), repo.Pulls...)
		repo.Rulesets = clonePtr(repo.Rulesets)
		repo.StatusLinks = clonePtr(repo.StatusLinks)
		out.Repos[i] = repo
	}
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
