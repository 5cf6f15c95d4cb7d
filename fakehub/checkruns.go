package fakehub

import (
	"cmp"
	"fmt"
	"strconv"
)

// checkRunsJSON is GET /repos/{o}/{r}/commits/{ref}/check-runs, as
// github.ListCheckRunsResults decodes it.
type checkRunsJSON struct {
	TotalCount int            `json:"total_count"`
	CheckRuns  []checkRunJSON `json:"check_runs"`
}

// checkRunJSON is one check run, as github.CheckRun decodes it. conclusion
// and completed_at are null until the run completes, as on GitHub.
type checkRunJSON struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	NodeID       string     `json:"node_id"`
	HeadSHA      string     `json:"head_sha"`
	ExternalID   string     `json:"external_id"`
	URL          string     `json:"url"`
	HTMLURL      string     `json:"html_url"`
	DetailsURL   string     `json:"details_url"`
	Status       string     `json:"status"`
	Conclusion   *string    `json:"conclusion"`
	StartedAt    string     `json:"started_at"`
	CompletedAt  *string    `json:"completed_at"`
	Output       outputJSON `json:"output"`
	CheckSuite   suiteJSON  `json:"check_suite"`
	App          appJSON    `json:"app"`
	PullRequests []struct{} `json:"pull_requests"`
}

type outputJSON struct {
	Title            *string `json:"title"`
	Summary          *string `json:"summary"`
	Text             *string `json:"text"`
	AnnotationsCount int     `json:"annotations_count"`
	AnnotationsURL   string  `json:"annotations_url"`
}

type suiteJSON struct {
	ID int64 `json:"id"`
}

// appJSON is the GitHub App behind a check run, as github.App decodes it.
type appJSON struct {
	ID          int64             `json:"id"`
	Slug        string            `json:"slug"`
	NodeID      string            `json:"node_id"`
	Owner       userJSON          `json:"owner"`
	Name        string            `json:"name"`
	Description *string           `json:"description"`
	ExternalURL string            `json:"external_url"`
	HTMLURL     string            `json:"html_url"`
	CreatedAt   string            `json:"created_at"`
	UpdatedAt   string            `json:"updated_at"`
	Permissions map[string]string `json:"permissions"`
	Events      []string          `json:"events"`
}

// appOf is app as GitHub shows it: GitHub Actions is the github
// organization's; any other app belongs to an organization named as its
// slug. Every app may write checks and statuses, which is what it does here.
func appOf(c *call, app App) appJSON {
	owner := app.Slug
	if app.Slug == githubActions.Slug {
		owner = "github"
	}
	html := c.site + "/apps/" + app.Slug
	return appJSON{
		ID:          app.ID,
		Slug:        app.Slug,
		NodeID:      nodeID("A_", app.ID),
		Owner:       organization(c, owner, stableID("owner", owner)),
		Name:        app.Name,
		ExternalURL: html,
		HTMLURL:     html,
		CreatedAt:   timestamp(epoch),
		UpdatedAt:   timestamp(epoch),
		Permissions: map[string]string{"checks": "write", "metadata": "read", "statuses": "write"},
		Events:      []string{"check_run", "check_suite"},
	}
}

// serveCheckRuns answers with the commit's check runs: the latest per app and name
// (filter=latest, the default) or every one (filter=all), narrowed by
// check_name, status and app_id as GitHub does, a page at a time.
func serveCheckRuns(rep *reply, c *call, cm *commit) {
	q := c.r.URL.Query()
	runs := cm.latestRuns
	if q.Get("filter") == "all" {
		runs = cm.checkRuns
	}
	appID, _ := strconv.ParseInt(q.Get("app_id"), 10, 64)
	var kept []CheckRun
	for _, run := range runs {
		switch {
		case q.Has("check_name") && run.Name != q.Get("check_name"),
			q.Has("status") && run.Status != q.Get("status"),
			appID != 0 && run.App.ID != appID:
			continue
		}
		kept = append(kept, run)
	}
	p := pageOf(q, len(kept))
	lo, hi := p.bounds(len(kept))
	out := checkRunsJSON{TotalCount: len(kept), CheckRuns: make([]checkRunJSON, 0, hi-lo)}
	for _, run := range kept[lo:hi] {
		out.CheckRuns = append(out.CheckRuns, checkRunOf(c, cm, run))
	}
	rep.ok(out)
	p.setLink(rep, c)
}

func checkRunOf(c *call, cm *commit, run CheckRun) checkRunJSON {
	api := fmt.Sprintf("%s/check-runs/%d", c.repoAPI(), run.ID)
	html := fmt.Sprintf("%s/runs/%d", c.repoSite(), run.ID)
	out := checkRunJSON{
		ID:         run.ID,
		Name:       run.Name,
		NodeID:     nodeID("CR_", run.ID),
		HeadSHA:    cm.sha,
		ExternalID: "",
		URL:        api,
		HTMLURL:    html,
		DetailsURL: cmp.Or(run.DetailsURL, html),
		Status:     run.Status,
		StartedAt:  timestamp(run.StartedAt),
		Output: outputJSON{
			Title:          nullable(run.Title),
			Summary:        nullable(run.Summary),
			AnnotationsURL: api + "/annotations",
		},
		CheckSuite:   suiteJSON{ID: cm.suiteID},
		App:          appOf(c, *run.App),
		PullRequests: []struct{}{},
	}
	if run.Status == "completed" {
		out.Conclusion = nullable(run.Conclusion)
		completed := timestamp(run.CompletedAt)
		out.CompletedAt = &completed
	}
	return out
}
