package buildstatus

import (
	"cmp"
	"slices"
	"strings"
	"unicode"

	"github.com/google/go-github/v93/github"
)

// State is a verdict, of one context or of a whole ref.
type State string

const (
	StateSuccess  State = "success"
	StateFailure  State = "failure"
	StatePending  State = "pending"
	StateNoStatus State = "no_status" // nothing reported for the ref
	StateError    State = "error"     // the verdict could not be fetched; see Result.Error
)

// Kinds of Context.
const (
	KindStatus   = "status"
	KindCheckRun = "check_run"
)

// Context is one CI result of a ref: a commit status or a check run.
type Context struct {
	Name string `json:"name"` // a status's context, a check run's name
	Kind string `json:"kind"` // KindStatus or KindCheckRun
	// App is the slug of the app that reported a check run ("" for a
	// status): two apps may report checks of the same name.
	App   string `json:"app"`
	State State  `json:"state"` // StateSuccess, StateFailure or StatePending
	// Conclusion is what the server said, verbatim: a status's state, a
	// completed check run's conclusion, or a running check run's status
	// ("queued", "in_progress", ...).
	// Every field of DESIGN.md's context is always present in JSON, ""
	// when the server gave nothing, so consumers need no key checks.
	Conclusion  string `json:"conclusion"`
	URL         string `json:"url"`         // a status's target_url, a check run's details_url (else html_url)
	Description string `json:"description"` // a status's description, a check run's output title
	// Required says the branch requires this check (Want.Required).
	Required bool `json:"required"`

	appID int64 // the reporting app's id, which requirements name
}

// Reduce keeps the latest status per context (newest created_at, then
// highest id) and the latest check run per app and name (highest id, then
// newest started_at), classifies each as the package documentation says, and
// returns the overall state with the contexts kept.
//
// Contexts come failures first, then pending, then passes, each group by
// name and then kind. Text from the server is stripped of control
// characters, because it ends up on terminals. Nil entries are skipped.
func Reduce(statuses []*github.RepoStatus, runs []*github.CheckRun) (State, []Context) {
	contexts := make([]Context, 0, len(statuses)+len(runs))
	for _, s := range latestStatuses(statuses) {
		contexts = append(contexts, statusContext(s))
	}
	for _, r := range latestRuns(runs) {
		contexts = append(contexts, runContext(r))
	}
	slices.SortFunc(contexts, func(a, b Context) int {
		return cmp.Or(
			cmp.Compare(rank(a.State), rank(b.State)),
			strings.Compare(a.Name, b.Name),
			strings.Compare(a.Kind, b.Kind),
			strings.Compare(a.App, b.App),
		)
	})
	return overall(contexts), contexts
}

func overall(contexts []Context) State {
	if len(contexts) == 0 {
		return StateNoStatus
	}
	// Sorted, so the first context carries the worst state.
	return contexts[0].State
}

func rank(s State) int {
	switch s {
	case StateFailure:
		return 0
	case StatePending:
		return 1
	}
	return 2
}

// StatusState classifies a commit status's state.
func StatusState(state string) State {
	switch strings.ToLower(state) {
	case "success":
		return StateSuccess
	case "pending":
		return StatePending
	}
	return StateFailure // failure, error, and anything unknown
}

// CheckRunState classifies a check run by its status and conclusion.
func CheckRunState(status, conclusion string) State {
	status, conclusion = strings.ToLower(status), strings.ToLower(conclusion)
	// A conclusion is only ever set on completion, so one without a status
	// still says how the run ended.
	if status != "completed" && !(status == "" && conclusion != "") {
		return StatePending // queued, in_progress, waiting, requested, pending
	}
	switch conclusion {
	case "success", "neutral", "skipped":
		return StateSuccess
	}
	// failure, timed_out, cancelled, action_required, startup_failure,
	// stale (GitHub's mark on a run left incomplete for 14 days: final),
	// and anything unknown, including no conclusion at all.
	return StateFailure
}

func statusContext(s *github.RepoStatus) Context {
	return Context{
		Name:        clean(s.GetContext()),
		Kind:        KindStatus,
		State:       StatusState(s.GetState()),
		Conclusion:  clean(s.GetState()),
		URL:         clean(s.GetTargetURL()),
		Description: clean(s.GetDescription()),
	}
}

func runContext(r *github.CheckRun) Context {
	raw := r.GetConclusion()
	if raw == "" {
		raw = r.GetStatus()
	}
	url := r.GetDetailsURL()
	if url == "" {
		url = r.GetHTMLURL()
	}
	return Context{
		Name:        clean(r.GetName()),
		Kind:        KindCheckRun,
		App:         clean(r.GetApp().GetSlug()),
		appID:       r.GetApp().GetID(),
		State:       CheckRunState(r.GetStatus(), r.GetConclusion()),
		Conclusion:  clean(raw),
		URL:         clean(url),
		Description: clean(r.GetOutput().GetTitle()),
	}
}

// latestStatuses keeps the newest status of each context, in first-seen order.
func latestStatuses(all []*github.RepoStatus) []*github.RepoStatus {
	newer := func(a, b *github.RepoStatus) bool {
		at, bt := a.GetCreatedAt().Time, b.GetCreatedAt().Time
		if !at.Equal(bt) {
			return at.After(bt)
		}
		return a.GetID() > b.GetID()
	}
	return latest(all, (*github.RepoStatus).GetContext, newer)
}

// latestRuns keeps the newest check run of each app and name, in
// first-seen order. Run ids grow with each run, so a re-run has the higher
// id; started_at only breaks ties (the same run listed twice).
func latestRuns(all []*github.CheckRun) []*github.CheckRun {
	newer := func(a, b *github.CheckRun) bool {
		if a.GetID() != b.GetID() {
			return a.GetID() > b.GetID()
		}
		return a.GetStartedAt().After(b.GetStartedAt().Time)
	}
	type appName struct {
		app  int64
		name string
	}
	key := func(r *github.CheckRun) appName { return appName{r.GetApp().GetID(), r.GetName()} }
	return latest(all, key, newer)
}

func latest[T any, K comparable](all []*T, key func(*T) K, newer func(a, b *T) bool) []*T {
	index := make(map[K]int, len(all))
	var kept []*T
	for _, x := range all {
		if x == nil {
			continue
		}
		k := key(x)
		i, seen := index[k]
		switch {
		case !seen:
			index[k] = len(kept)
			kept = append(kept, x)
		case newer(x, kept[i]):
			kept[i] = x
		}
	}
	return kept
}

// clean drops control characters (terminal escape sequences, newlines) and
// bidirectional overrides from text the server chose.
func clean(s string) string {
	if printableASCII(s) || !strings.ContainsFunc(s, unsafeRune) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unsafeRune(r) {
			return -1
		}
		return r
	}, s)
}

// printableASCII is clean's fast path: most of what servers send is
// printable ASCII, which needs no look-up in the Unicode tables.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}
