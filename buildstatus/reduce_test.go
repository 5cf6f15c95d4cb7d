package buildstatus

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"
)

var t0 = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

func status(id int64, context, state string, created time.Time) *github.RepoStatus {
	return &github.RepoStatus{
		ID: &id, Context: &context, State: &state,
		CreatedAt:   &github.Timestamp{Time: created},
		TargetURL:   github.Ptr("https://ci.example/" + context),
		Description: github.Ptr(context + " says " + state),
	}
}

func run(id int64, name, st, conclusion string) *github.CheckRun {
	r := &github.CheckRun{ID: &id, Name: &name, Status: &st, HTMLURL: github.Ptr("https://github.example/runs/" + name)}
	if conclusion != "" {
		r.Conclusion = &conclusion
	}
	return r
}

func TestStatusStates(t *testing.T) {
	for _, tc := range []struct {
		state string
		want  State
	}{
		{"success", StateSuccess},
		{"pending", StatePending},
		{"failure", StateFailure},
		{"error", StateFailure},
		{"SUCCESS", StateSuccess},
		{"", StateFailure},           // no state: nothing vouches for it
		{"exploded", StateFailure},   // unknown: final and unvouched
		{"cancelled", StateFailure},  // not a status state
		{"successful", StateFailure}, // near misses are not success
	} {
		state, contexts := Reduce([]*github.RepoStatus{status(1, "ci", tc.state, t0)}, nil)
		if state != tc.want || len(contexts) != 1 || contexts[0].State != tc.want {
			t.Errorf("status state %q: got %v %+v, want %v", tc.state, state, contexts, tc.want)
			continue
		}
		if c := contexts[0]; c.Kind != KindStatus || c.Conclusion != tc.state || c.Name != "ci" ||
			c.URL != "https://ci.example/ci" || c.Description != "ci says "+tc.state {
			t.Errorf("status state %q: context %+v", tc.state, c)
		}
	}
}

func TestCheckRunStates(t *testing.T) {
	for _, tc := range []struct {
		status, conclusion string
		want               State
	}{
		{"completed", "success", StateSuccess},
		{"completed", "neutral", StateSuccess},
		{"completed", "skipped", StateSuccess},
		{"completed", "failure", StateFailure},
		{"completed", "timed_out", StateFailure},
		{"completed", "cancelled", StateFailure},
		{"completed", "action_required", StateFailure},
		{"completed", "startup_failure", StateFailure},
		{"completed", "stale", StateFailure},    // GitHub's mark after 14 days incomplete: final
		{"completed", "", StateFailure},         // completed without a conclusion: unvouched
		{"completed", "exploded", StateFailure}, // unknown conclusion
		{"queued", "", StatePending},
		{"in_progress", "", StatePending},
		{"waiting", "", StatePending},
		{"requested", "", StatePending},
		{"pending", "", StatePending},
		{"brand_new_status", "", StatePending}, // any status but completed is pending
		{"", "success", StateSuccess},          // a conclusion is only set on completion
		{"", "failure", StateFailure},
		{"", "", StatePending},
	} {
		if got := CheckRunState(tc.status, tc.conclusion); got != tc.want {
			t.Errorf("CheckRunState(%q, %q) = %v, want %v", tc.status, tc.conclusion, got, tc.want)
		}
		state, contexts := Reduce(nil, []*github.CheckRun{run(1, "build", tc.status, tc.conclusion)})
		if state != tc.want || len(contexts) != 1 || contexts[0].State != tc.want {
			t.Errorf("check %q/%q: got %v %+v, want %v", tc.status, tc.conclusion, state, contexts, tc.want)
			continue
		}
		wantRaw := tc.conclusion
		if wantRaw == "" {
			wantRaw = tc.status
		}
		if c := contexts[0]; c.Kind != KindCheckRun || c.Conclusion != wantRaw || c.URL != "https://github.example/runs/build" {
			t.Errorf("check %q/%q: context %+v", tc.status, tc.conclusion, c)
		}
	}
}

func TestCheckRunNullConclusion(t *testing.T) {
	// JSON null decodes to a nil pointer, not "": the same as absent.
	for _, st := range []string{"queued", "in_progress", "waiting", "requested", "pending"} {
		r := &github.CheckRun{ID: github.Ptr(int64(7)), Name: github.Ptr("build"), Status: &st}
		state, contexts := Reduce(nil, []*github.CheckRun{r})
		if state != StatePending || contexts[0].Conclusion != st {
			t.Errorf("status %q, null conclusion: %v %+v", st, state, contexts)
		}
	}
}

func TestReduceOverall(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []*github.RepoStatus
		runs     []*github.CheckRun
		want     State
	}{
		{"nothing", nil, nil, StateNoStatus},
		{"nil entries only", []*github.RepoStatus{nil}, []*github.CheckRun{nil}, StateNoStatus},
		{"one success", []*github.RepoStatus{status(1, "a", "success", t0)}, nil, StateSuccess},
		{"all skipped is success, not no_status", nil,
			[]*github.CheckRun{run(1, "a", "completed", "skipped"), run(2, "b", "completed", "skipped")}, StateSuccess},
		{"pending beats success",
			[]*github.RepoStatus{status(1, "a", "success", t0), status(2, "b", "pending", t0)}, nil, StatePending},
		{"failure beats pending",
			[]*github.RepoStatus{status(1, "a", "pending", t0)},
			[]*github.CheckRun{run(1, "b", "completed", "failure"), run(2, "c", "in_progress", "")}, StateFailure},
		{"stale check fails", []*github.RepoStatus{status(1, "a", "success", t0)},
			[]*github.CheckRun{run(1, "b", "completed", "stale")}, StateFailure},
		{"neutral passes", nil, []*github.CheckRun{run(1, "b", "completed", "neutral")}, StateSuccess},
		{"cancelled fails", nil, []*github.CheckRun{run(1, "b", "completed", "cancelled")}, StateFailure},
		{"error status fails", []*github.RepoStatus{status(1, "a", "error", t0)}, nil, StateFailure},
	} {
		if got, _ := Reduce(tc.statuses, tc.runs); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestReduceNeverNilContexts(t *testing.T) {
	_, contexts := Reduce(nil, nil)
	if contexts == nil {
		t.Fatal("contexts is nil; JSON would say null, not []")
	}
}

func TestLatestStatusPerContext(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses []*github.RepoStatus
		want     State
	}{
		{"later created_at wins though listed first",
			[]*github.RepoStatus{status(1, "ci", "success", t0.Add(time.Minute)), status(2, "ci", "failure", t0)}, StateSuccess},
		{"later created_at wins listed last",
			[]*github.RepoStatus{status(2, "ci", "failure", t0), status(1, "ci", "success", t0.Add(time.Minute))}, StateSuccess},
		{"failure after success",
			[]*github.RepoStatus{status(1, "ci", "success", t0), status(2, "ci", "failure", t0.Add(time.Second))}, StateFailure},
		{"same created_at: higher id wins",
			[]*github.RepoStatus{status(9, "ci", "pending", t0), status(3, "ci", "success", t0)}, StatePending},
		{"same created_at: higher id wins, reversed",
			[]*github.RepoStatus{status(3, "ci", "success", t0), status(9, "ci", "pending", t0)}, StatePending},
		{"missing created_at is oldest",
			[]*github.RepoStatus{status(5, "ci", "success", t0), {ID: github.Ptr(int64(99)), Context: github.Ptr("ci"), State: github.Ptr("failure")}}, StateSuccess},
	} {
		state, contexts := Reduce(tc.statuses, nil)
		if state != tc.want || len(contexts) != 1 {
			t.Errorf("%s: got %v %+v, want one context, %v", tc.name, state, contexts, tc.want)
		}
	}
}

func TestLatestCheckRunPerName(t *testing.T) {
	started := func(r *github.CheckRun, at time.Time) *github.CheckRun {
		r.StartedAt = &github.Timestamp{Time: at}
		return r
	}
	for _, tc := range []struct {
		name string
		runs []*github.CheckRun
		want State
	}{
		{"re-run (higher id) passes", []*github.CheckRun{run(1, "build", "completed", "failure"), run(2, "build", "completed", "success")}, StateSuccess},
		{"re-run listed first", []*github.CheckRun{run(2, "build", "completed", "success"), run(1, "build", "completed", "failure")}, StateSuccess},
		{"re-run still running", []*github.CheckRun{run(1, "build", "completed", "success"), run(2, "build", "queued", "")}, StatePending},
		{"id beats started_at", []*github.CheckRun{
			started(run(2, "build", "completed", "failure"), t0),
			started(run(1, "build", "completed", "success"), t0.Add(time.Hour)),
		}, StateFailure},
		{"same id: later started_at", []*github.CheckRun{
			started(run(5, "build", "in_progress", ""), t0.Add(time.Hour)),
			started(run(5, "build", "completed", "failure"), t0),
		}, StatePending},
	} {
		state, contexts := Reduce(nil, tc.runs)
		if state != tc.want || len(contexts) != 1 {
			t.Errorf("%s: got %v %+v, want one context, %v", tc.name, state, contexts, tc.want)
		}
	}
}

func TestStatusAndCheckOfSameNameAreDistinct(t *testing.T) {
	state, contexts := Reduce(
		[]*github.RepoStatus{status(1, "build", "success", t0)},
		[]*github.CheckRun{run(1, "build", "completed", "failure")})
	if state != StateFailure || len(contexts) != 2 {
		t.Fatalf("got %v %+v", state, contexts)
	}
}

func TestContextOrder(t *testing.T) {
	_, contexts := Reduce(
		[]*github.RepoStatus{
			status(1, "zeta", "success", t0),
			status(2, "alpha", "success", t0),
			status(3, "mid", "pending", t0),
			status(4, "late", "error", t0),
			status(5, "same", "failure", t0),
		},
		[]*github.CheckRun{
			run(1, "beta", "completed", "failure"),
			run(2, "gamma", "queued", ""),
			run(3, "same", "completed", "timed_out"),
			run(4, "aaa", "completed", "success"),
		})
	var got []string
	for _, c := range contexts {
		got = append(got, string(c.State)+" "+c.Name+" "+c.Kind)
	}
	want := []string{
		"failure beta check_run",
		"failure late status",
		"failure same check_run",
		"failure same status",
		"pending gamma check_run",
		"pending mid status",
		"success aaa check_run",
		"success alpha status",
		"success zeta status",
	}
	if !slices.Equal(got, want) {
		t.Errorf("order:\n got %q\nwant %q", got, want)
	}
}

func TestCheckRunURLAndDescription(t *testing.T) {
	r := run(1, "build", "completed", "success")
	r.DetailsURL = github.Ptr("https://ci.example/details")
	r.Output = &github.CheckRunOutput{Title: github.Ptr("All 12 tests passed")}
	_, contexts := Reduce(nil, []*github.CheckRun{r})
	if c := contexts[0]; c.URL != "https://ci.example/details" || c.Description != "All 12 tests passed" {
		t.Errorf("details_url should win over html_url, title is the description: %+v", c)
	}
}

func TestServerTextIsCleaned(t *testing.T) {
	s := status(1, "ci\x1b[2J", "failure", t0)
	s.Description = github.Ptr("red\x1b[31m\nline\u202eevil")
	s.TargetURL = github.Ptr("https://ci.example/\r\nX-Injected: 1")
	_, contexts := Reduce([]*github.RepoStatus{s}, nil)
	c := contexts[0]
	if c.Name != "ci[2J" || c.Description != "red[31mlineevil" || c.URL != "https://ci.example/X-Injected: 1" {
		t.Errorf("control characters kept: %q %q %q", c.Name, c.Description, c.URL)
	}
}
