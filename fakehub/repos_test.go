package fakehub_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-github/v93/github"

	. "github.com/clientsecure/clientsecure/fakehub"
)

func TestRepository(t *testing.T) {
	srv := startServer(t, nil)
	repo, _, err := ghClient(t, srv, "").Repositories.Get(context.Background(), "ESP8266", "arduino")
	if err != nil {
		t.Fatal(err)
	}
	// The request's case does not matter; the answer has the scenario's.
	if repo.GetFullName() != "esp8266/Arduino" || repo.GetName() != "Arduino" || repo.GetOwner().GetLogin() != "esp8266" ||
		repo.GetDefaultBranch() != "master" || repo.GetPrivate() || repo.GetHTMLURL() != srv.URL+"/esp8266/Arduino" || repo.GetID() == 0 {
		t.Errorf("repository %v", repo)
	}
}

// GitHub Enterprise clients put /api/v3 in front of every path.
func TestEnterprisePrefix(t *testing.T) {
	srv := startServer(t, nil)
	gh, err := github.NewClient(github.WithHTTPClient(httpClient()), github.WithEnterpriseURLs(srv.URL, srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	cs, resp, err := gh.Repositories.GetCombinedStatus(context.Background(), "esp8266", "Arduino", "master", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Request.URL.Path != "/api/v3/repos/esp8266/Arduino/commits/master/status" || cs.GetState() != "success" {
		t.Errorf("path %s, state %q", resp.Request.URL.Path, cs.GetState())
	}
	if cs.GetCommitURL() != srv.URL+"/api/v3/repos/esp8266/Arduino/commits/"+cs.GetSHA() {
		t.Errorf("commit_url %q does not lead back under /api/v3", cs.GetCommitURL())
	}
}

func TestRefResolution(t *testing.T) {
	const sha = "abcdef0123456789abcdef0123456789abcdef01"
	srv := startServer(t, &Scenario{Repos: []Repo{{Owner: "octo", Name: "demo", DefaultBranch: "main", Refs: []Ref{
		{Name: "main", SHA: sha, Tags: []string{"v1.0.0"}, Statuses: []Status{{State: "success"}}},
		{Name: "feature/x", SHA: "abcd000000000000000000000000000000000000", Statuses: []Status{{State: "failure"}}},
		{Name: "v1.0.0-branch", Statuses: []Status{{State: "pending"}}},
	}}}})
	gh := ghClient(t, srv, "")
	tests := []struct {
		ref, state string
	}{
		{"main", "success"},
		{"HEAD", "success"},
		{"v1.0.0", "success"},
		{"tags/v1.0.0", "success"},
		{"refs/tags/v1.0.0", "success"},
		{"heads/main", "success"},
		{"refs/heads/main", "success"},
		{sha, "success"},
		{"ABCDEF0123456789ABCDEF0123456789ABCDEF01", "success"},
		{"abcdef0", "success"},
		{"feature/x", "failure"},
		{"abcd0", "failure"},
		{"v1.0.0-branch", "pending"},
		// Unknown, ambiguous, too short, or the wrong kind of name.
		{"abcd", ""},
		{"abc", ""},
		{"nope", ""},
		{"heads/v1.0.0", ""},
		{"tags/main", ""},
		{"0000000", ""},
	}
	for _, tt := range tests {
		cs, _, err := gh.Repositories.GetCombinedStatus(context.Background(), "octo", "demo", tt.ref, nil)
		if tt.state == "" {
			var er *github.ErrorResponse
			if !errors.As(err, &er) || er.Response.StatusCode != http.StatusUnprocessableEntity || er.Message != "No commit found for SHA: "+tt.ref {
				t.Errorf("%s: err %v; want 422 No commit found for SHA", tt.ref, err)
			}
			continue
		}
		if err != nil || cs.GetState() != tt.state {
			t.Errorf("%s: state %q, err %v; want %s", tt.ref, cs.GetState(), err, tt.state)
		}
	}
}

// A private repository is not there for a request without a token, and is
// for one with it; a public one is there for both.
func TestPrivateRepository(t *testing.T) {
	sc := &Scenario{Repos: []Repo{
		{Owner: "octo", Name: "secret", Private: true, Refs: []Ref{{Name: "main", Statuses: []Status{{State: "success"}}}}},
		{Owner: "octo", Name: "open", Refs: []Ref{{Name: "main"}}},
	}}
	srv := startServer(t, sc)
	srv.Hub.RequireToken("s3cret")
	anon, authed := ghClient(t, srv, ""), ghClient(t, srv, "s3cret")
	ctx := context.Background()

	for _, call := range []func() (*github.Response, error){
		func() (*github.Response, error) {
			_, r, err := anon.Repositories.Get(ctx, "octo", "secret")
			return r, err
		},
		func() (*github.Response, error) {
			_, r, err := anon.Repositories.GetCombinedStatus(ctx, "octo", "secret", "main", nil)
			return r, err
		},
		func() (*github.Response, error) {
			_, r, err := anon.Checks.ListCheckRunsForRef(ctx, "octo", "secret", "main", nil)
			return r, err
		},
	} {
		resp, err := call()
		var er *github.ErrorResponse
		if !errors.As(err, &er) || resp.StatusCode != http.StatusNotFound || er.Message != "Not Found" || er.DocumentationURL == "" {
			t.Errorf("private repo without token: %v", err)
		}
	}
	if repo, _, err := authed.Repositories.Get(ctx, "octo", "secret"); err != nil || !repo.GetPrivate() || repo.GetVisibility() != "private" {
		t.Errorf("private repo with token: %v, %v", repo, err)
	}
	if cs, _, err := authed.Repositories.GetCombinedStatus(ctx, "octo", "secret", "main", nil); err != nil || cs.GetState() != "success" {
		t.Errorf("private status with token: %v, %v", cs, err)
	}
	if _, _, err := anon.Repositories.Get(ctx, "octo", "open"); err != nil {
		t.Errorf("public repo without token: %v", err)
	}
	if s := srv.Hub.Stats(); s.WithToken != 2 || s.Requests != 6 {
		t.Errorf("stats %+v; want 6 requests, 2 with a token", s)
	}
}

// Without RequireToken any token opens private repositories.
func TestAnyTokenWithoutRequireToken(t *testing.T) {
	srv := startServer(t, &Scenario{Repos: []Repo{{Owner: "octo", Name: "secret", Private: true}}})
	if _, _, err := ghClient(t, srv, "whatever").Repositories.Get(context.Background(), "octo", "secret"); err != nil {
		t.Error(err)
	}
	if _, _, err := ghClient(t, srv, "").Repositories.Get(context.Background(), "octo", "secret"); err == nil {
		t.Error("private repository served without a token")
	}
}

// A repository without commits has a default branch but nothing to ask
// about, and GitHub says so with 409.
func TestEmptyRepository(t *testing.T) {
	srv := startServer(t, &Scenario{Repos: []Repo{{Owner: "octo", Name: "empty"}}})
	gh := ghClient(t, srv, "")
	repo, _, err := gh.Repositories.Get(context.Background(), "octo", "empty")
	if err != nil || repo.GetDefaultBranch() != "main" {
		t.Fatalf("repository %v, %v", repo, err)
	}
	_, resp, err := gh.Checks.ListCheckRunsForRef(context.Background(), "octo", "empty", "main", nil)
	var er *github.ErrorResponse
	if !errors.As(err, &er) || resp.StatusCode != http.StatusConflict || er.Message != "Git Repository is empty." {
		t.Errorf("check runs of an empty repository: %v", err)
	}
}
