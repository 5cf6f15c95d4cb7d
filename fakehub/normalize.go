package fakehub

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The values GitHub accepts, in its documentation's order.
var (
	statusStates     = []string{"error", "failure", "pending", "success"}
	checkStatuses    = []string{"queued", "in_progress", "completed", "waiting", "requested", "pending"}
	checkConclusions = []string{"action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out", "startup_failure"}
)

// githubActions is the app of a check run that names none.
var githubActions = App{ID: 15368, Slug: "github-actions", Name: "GitHub Actions"}

func oneOf(value string, allowed []string) error {
	if slices.Contains(allowed, value) {
		return nil
	}
	return fmt.Errorf("%q is not one of %s", value, strings.Join(allowed, ", "))
}

func normalizeStatus(s Status, path, where string, next *ids) (Status, error) {
	if err := oneOf(s.State, statusStates); err != nil {
		return s, invalid(where, path+".state", "state %w", err)
	}
	if s.ID == 0 {
		next.status++
		s.ID = next.status
	}
	if s.Context == "" {
		s.Context = "default"
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = epoch
	}
	if s.UpdatedAt.IsZero() {
		s.UpdatedAt = s.CreatedAt
	}
	if s.UpdatedAt.Before(s.CreatedAt) {
		return s, invalid(where, path+".updated_at", "updated_at is before created_at")
	}
	return s, nil
}

func normalizeCheckRun(r CheckRun, path, where string, next *ids) (CheckRun, error) {
	if r.Name == "" {
		return r, invalid(where, path+".name", "a check run needs a name")
	}
	if r.Status == "" && r.Conclusion != "" {
		r.Status = "completed"
	}
	if r.Status == "" {
		return r, invalid(where, path, "check run %q needs a status or a conclusion", r.Name)
	}
	if err := oneOf(r.Status, checkStatuses); err != nil {
		return r, invalid(where, path+".status", "check run %q: status %w", r.Name, err)
	}
	if r.Status == "completed" {
		if err := oneOf(r.Conclusion, checkConclusions); err != nil {
			return r, invalid(where, path+".conclusion", "check run %q: conclusion %w", r.Name, err)
		}
	} else if r.Conclusion != "" {
		return r, invalid(where, path+".conclusion", "check run %q: a conclusion needs status completed, not %q", r.Name, r.Status)
	}
	if r.ID == 0 {
		next.checkRun++
		r.ID = next.checkRun
	}
	if r.StartedAt.IsZero() {
		r.StartedAt = epoch
	}
	switch {
	case r.Status != "completed" && !r.CompletedAt.IsZero():
		return r, invalid(where, path+".completed_at", "check run %q: completed_at needs status completed", r.Name)
	case r.Status == "completed" && r.CompletedAt.IsZero():
		r.CompletedAt = r.StartedAt.Add(time.Minute)
	case r.CompletedAt.Before(r.StartedAt) && r.Status == "completed":
		return r, invalid(where, path+".completed_at", "check run %q: completed_at is before started_at", r.Name)
	}
	app := githubActions
	if r.App != nil {
		app = *r.App
		if app.Slug == "" {
			return r, invalid(where, path+".app.slug", "check run %q: an app needs a slug", r.Name)
		}
		if app.ID == 0 {
			app.ID = stableID("app", app.Slug)
		}
		if app.Name == "" {
			app.Name = app.Slug
		}
	}
	r.App = &app
	return r, nil
}

// generate adds ref.Generate's synthetic statuses and check runs to c.
func generate(c *commit, g *Generate, path, where string, next *ids) error {
	if g == nil {
		return nil
	}
	for _, n := range []struct {
		count int
		field string
	}{{g.Statuses, "statuses"}, {g.CheckRuns, "check_runs"}} {
		if n.count < 0 || n.count > maxGenerated {
			return invalid(where, path+"."+n.field, "%d is not between 0 and %d", n.count, maxGenerated)
		}
	}
	state := cmp.Or(g.State, "success")
	if err := oneOf(state, statusStates); err != nil {
		return invalid(where, path+".state", "state %w", err)
	}
	checkStatus := cmp.Or(g.CheckStatus, "completed")
	if err := oneOf(checkStatus, checkStatuses); err != nil {
		return invalid(where, path+".check_status", "check_status %w", err)
	}
	conclusion := g.Conclusion
	switch {
	case checkStatus == "completed":
		conclusion = cmp.Or(conclusion, "success")
		if err := oneOf(conclusion, checkConclusions); err != nil {
			return invalid(where, path+".conclusion", "conclusion %w", err)
		}
	case conclusion != "":
		return invalid(where, path+".conclusion", "a conclusion needs check_status completed, not %q", checkStatus)
	}
	for i := range g.Statuses {
		s, err := normalizeStatus(Status{
			State:       state,
			Context:     fmt.Sprintf("generated/status-%03d", i+1),
			Description: fmt.Sprintf("generated status %d of %d", i+1, g.Statuses),
			CreatedAt:   epoch.Add(time.Duration(i) * time.Second),
		}, path+".state", where, next)
		if err != nil {
			return err
		}
		c.statuses = append(c.statuses, s)
	}
	for i := range g.CheckRuns {
		r, err := normalizeCheckRun(CheckRun{
			Name:       fmt.Sprintf("generated/check-%03d", i+1),
			Status:     checkStatus,
			Conclusion: conclusion,
			Title:      fmt.Sprintf("generated check run %d of %d", i+1, g.CheckRuns),
			StartedAt:  epoch.Add(time.Duration(i) * time.Second),
		}, path, where, next)
		if err != nil {
			return err
		}
		c.checkRuns = append(c.checkRuns, r)
	}
	return nil
}

// latestStatuses keeps, for each context, the status created last (the
// later one in the list when two have the same time), in the order the
// contexts first appear.
func latestStatuses(all []Status) []Status {
	return latest(all, func(s Status) (string, time.Time) { return s.Context, s.CreatedAt })
}

// latestCheckRuns keeps, for each name, the run started last, as
// filter=latest does.
func latestCheckRuns(all []CheckRun) []CheckRun {
	// Per app and name, as GitHub keeps them: two apps may report a check
	// of the same name, and each has its latest.
	return latest(all, func(r CheckRun) (string, time.Time) {
		app := "github-actions"
		if r.App != nil {
			app = r.App.Slug
		}
		return app + "\x00" + r.Name, r.StartedAt
	})
}

// latest keeps, for each key, the item with the latest time, the later in
// the list of equal times, in the order the keys first appear.
func latest[T any](all []T, keyTime func(T) (string, time.Time)) []T {
	var out []T
	at := make(map[string]int)
	for _, x := range all {
		k, t := keyTime(x)
		i, seen := at[k]
		if !seen {
			at[k] = len(out)
			out = append(out, x)
			continue
		}
		if _, kept := keyTime(out[i]); !t.Before(kept) {
			out[i] = x
		}
	}
	return out
}

// combinedState is GitHub's rule: failure if any latest status is error or
// failure, else pending if any is pending or there are none at all, else
// success.
func combinedState(latest []Status) string {
	if len(latest) == 0 {
		return "pending"
	}
	state := "success"
	for _, s := range latest {
		switch s.State {
		case "error", "failure":
			return "failure"
		case "pending":
			state = "pending"
		}
	}
	return state
}
