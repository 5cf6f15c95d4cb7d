package fakehub_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	. "github.com/clientsecure/clientsecure/fakehub"
)

// 250 check runs, the failure last: following Response.NextPage reaches it
// on page 3 of 100, and every run is seen exactly once.
func TestCheckRunsPagination(t *testing.T) {
	srv := startServer(t, oneRepo(Ref{
		Name:      "main",
		Generate:  &Generate{CheckRuns: 249},
		CheckRuns: []CheckRun{{Name: "integration", Conclusion: "failure", DetailsURL: "https://ci.example/9"}},
	}))
	gh := ghClient(t, srv, "")
	opts := &github.ListCheckRunsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	var runs []*github.CheckRun
	var pages []int
	for {
		res, resp, err := gh.Checks.ListCheckRunsForRef(context.Background(), "octo", "demo", "main", opts)
		if err != nil {
			t.Fatal(err)
		}
		if res.GetTotal() != 250 {
			t.Fatalf("total_count %d, want 250", res.GetTotal())
		}
		pages = append(pages, len(res.CheckRuns))
		runs = append(runs, res.CheckRuns...)
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(pages) != 3 || pages[0] != 100 || pages[1] != 100 || pages[2] != 50 {
		t.Fatalf("page sizes %v, want [100 100 50]", pages)
	}
	ids := map[int64]bool{}
	for _, r := range runs {
		if ids[r.GetID()] {
			t.Fatalf("check run %d twice", r.GetID())
		}
		ids[r.GetID()] = true
	}
	last := runs[len(runs)-1]
	if last.GetName() != "integration" || last.GetConclusion() != "failure" || last.GetDetailsURL() != "https://ci.example/9" {
		t.Errorf("last run %v", last)
	}
	if runs[0].GetConclusion() != "success" || runs[0].GetApp().GetSlug() != "github-actions" {
		t.Errorf("first run %v", runs[0])
	}
}

func TestCheckRunShape(t *testing.T) {
	start := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	srv := startServer(t, oneRepo(Ref{Name: "main", SHA: "0123456789abcdef0123456789abcdef01234567", CheckRuns: []CheckRun{
		{Name: "build", Status: "in_progress", StartedAt: start},
		{Name: "lint", Conclusion: "neutral", Title: "2 warnings", StartedAt: start, App: &App{Slug: "circleci", Name: "CircleCI", ID: 18001}},
	}}))
	res, _, err := ghClient(t, srv, "").Checks.ListCheckRunsForRef(context.Background(), "octo", "demo", "main", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.CheckRuns) != 2 {
		t.Fatalf("%d runs", len(res.CheckRuns))
	}
	build, lint := res.CheckRuns[0], res.CheckRuns[1]
	if build.GetStatus() != "in_progress" || build.Conclusion != nil || build.CompletedAt != nil || !build.GetStartedAt().Time.Equal(start) {
		t.Errorf("in-progress run: %v", build)
	}
	if build.GetHeadSHA() != "0123456789abcdef0123456789abcdef01234567" || build.GetHTMLURL() != srv.URL+"/octo/demo/runs/"+itoa(build.GetID()) || build.GetDetailsURL() != build.GetHTMLURL() {
		t.Errorf("run urls: %v", build)
	}
	if lint.GetStatus() != "completed" || lint.GetConclusion() != "neutral" || !lint.GetCompletedAt().Time.Equal(start.Add(time.Minute)) ||
		lint.GetOutput().GetTitle() != "2 warnings" || lint.GetApp().GetID() != 18001 || lint.GetApp().GetName() != "CircleCI" {
		t.Errorf("completed run: %v", lint)
	}
	// conclusion and completed_at are JSON null, not absent, while running.
	_, body := get(t, srv, "GET", "/repos/octo/demo/commits/main/check-runs", nil)
	if !bytes.Contains(body, []byte(`"status":"in_progress","conclusion":null,"started_at":"2026-05-01T10:00:00Z","completed_at":null`)) {
		t.Errorf("running check run not as GitHub sends it:\n%s", body)
	}
}

func TestCheckRunsFilters(t *testing.T) {
	at := func(min int) time.Time { return Epoch.Add(time.Duration(min) * time.Minute) }
	srv := startServer(t, oneRepo(Ref{Name: "main", CheckRuns: []CheckRun{
		{Name: "build", Conclusion: "failure", StartedAt: at(0)},
		{Name: "test", Conclusion: "success", StartedAt: at(0)},
		{Name: "build", Conclusion: "success", StartedAt: at(5)}, // the re-run
		{Name: "test", Status: "queued", StartedAt: at(-5)},      // older, listed late
		{Name: "deploy", Status: "in_progress", StartedAt: at(1), App: &App{Slug: "other", ID: 7}},
	}}))
	gh := ghClient(t, srv, "")
	list := func(opts *github.ListCheckRunsOptions) map[string]string {
		t.Helper()
		res, _, err := gh.Checks.ListCheckRunsForRef(context.Background(), "octo", "demo", "main", opts)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range res.CheckRuns {
			got[r.GetName()] += r.GetStatus() + "/" + r.GetConclusion() + " "
		}
		if res.GetTotal() != len(res.CheckRuns) {
			t.Errorf("total_count %d for %d runs", res.GetTotal(), len(res.CheckRuns))
		}
		return got
	}
	tests := []struct {
		name string
		opts *github.ListCheckRunsOptions
		want map[string]string
	}{
		{"latest by default", nil, map[string]string{"build": "completed/success ", "test": "completed/success ", "deploy": "in_progress/ "}},
		{"all", &github.ListCheckRunsOptions{Filter: github.Ptr("all")}, map[string]string{
			"build": "completed/failure completed/success ", "test": "completed/success queued/ ", "deploy": "in_progress/ "}},
		{"check_name", &github.ListCheckRunsOptions{CheckName: github.Ptr("build"), Filter: github.Ptr("all")}, map[string]string{"build": "completed/failure completed/success "}},
		{"status", &github.ListCheckRunsOptions{Status: github.Ptr("in_progress")}, map[string]string{"deploy": "in_progress/ "}},
		{"app_id", &github.ListCheckRunsOptions{AppID: github.Ptr(int64(7))}, map[string]string{"deploy": "in_progress/ "}},
	}
	for _, tt := range tests {
		got := list(tt.opts)
		if len(got) != len(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			}
		}
	}
}

// A ref with statuses only has zero check runs: an empty list, not null.
func TestNoCheckRuns(t *testing.T) {
	srv := startServer(t, nil)
	_, body := get(t, srv, "GET", "/repos/esp8266/Arduino/commits/master/check-runs", nil)
	if string(body) != `{"total_count":0,"check_runs":[]}` {
		t.Errorf("body %s", body)
	}
}
