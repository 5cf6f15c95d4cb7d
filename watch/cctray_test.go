package watch

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure/buildstatus"
)

func TestWebURL(t *testing.T) {
	for _, tc := range []struct{ api, repo, ref, want string }{
		{"https://api.github.com", "esp8266/Arduino", "master", "https://github.com/esp8266/Arduino/commits/master"},
		{"https://api.github.com/", "cli/cli", "", "https://github.com/cli/cli"},
		{"https://ghe.example.com/api/v3", "o/r", "feature/x y", "https://ghe.example.com/o/r/commits/feature/x%20y"},
		{"https://ghe.example.com/api/v3/", "o/r", "main", "https://ghe.example.com/o/r/commits/main"},
		{"https://api.acme.ghe.com", "o/r", "main", "https://acme.ghe.com/o/r/commits/main"},
		{"https://127.0.0.1:8443", "o/r", "main", "https://127.0.0.1:8443/o/r/commits/main"},
		{"://bad", "o/r", "main", ""},
	} {
		owner, repo, _ := strings.Cut(tc.repo, "/")
		if got := WebURL(tc.api, Target{Owner: owner, Repo: repo}, tc.ref); got != tc.want {
			t.Errorf("WebURL(%q, %q, %q) = %q, want %q", tc.api, tc.repo, tc.ref, got, tc.want)
		}
	}
	pull := Target{Owner: "o", Repo: "r", Pull: 12}
	if got := WebURL("https://api.github.com", pull, "patch-1"); got != "https://github.com/o/r/pull/12" {
		t.Errorf("WebURL of a pull request = %q", got)
	}
}

func githubAPI(Target) string { return buildstatus.DefaultAPIURL }

// The feed shows each state the CCTray way, and parses as CCTray.
func TestFeedStates(t *testing.T) {
	started := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	seen := started.Add(5 * time.Minute)
	settled := started.Add(2 * time.Minute)
	sha := "0123456789abcdef0123456789abcdef01234567"
	target := func(ref string) Target { return Target{Owner: "octo", Repo: "app", Ref: ref} }
	statuses := []Status{
		{Target: target("ok"), Ref: "ok", State: buildstatus.StateSuccess, SHA: sha, Since: seen},
		{Target: target("bad"), Ref: "bad", State: buildstatus.StateFailure, SHA: sha, Since: seen},
		{Target: target("run"), Ref: "run", State: buildstatus.StatePending, SHA: sha, Since: seen, Settled: buildstatus.StateFailure, SettledAt: settled},
		{Target: target("new"), Ref: "new", State: buildstatus.StatePending, SHA: sha, Since: seen},
		{Target: target("none"), Ref: "none", State: buildstatus.StateNoStatus, SHA: sha, Since: seen},
		{Target: target("down"), Ref: "down", State: buildstatus.StateError, SHA: sha, Since: seen, Settled: buildstatus.StateSuccess, SettledAt: settled},
		{Target: Target{Owner: "octo", Repo: "app"}}, // not yet polled
	}
	f := NewFeed(githubAPI, nil, started)
	f.Update(statuses)
	srv := httptest.NewServer(f)
	defer srv.Close()

	resp, err := http.Get(srv.URL + FeedPath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/xml") {
		t.Fatalf("%s %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	if !strings.HasPrefix(string(body), "<?xml") {
		t.Errorf("no XML declaration:\n%s", body)
	}
	var doc struct {
		Projects []struct {
			Name            string `xml:"name,attr"`
			Activity        string `xml:"activity,attr"`
			LastBuildStatus string `xml:"lastBuildStatus,attr"`
			LastBuildLabel  string `xml:"lastBuildLabel,attr"`
			LastBuildTime   string `xml:"lastBuildTime,attr"`
			WebURL          string `xml:"webUrl,attr"`
		} `xml:"Project"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("cc.xml does not parse: %v\n%s", err, body)
	}
	type row struct{ name, activity, status, label, time string }
	want := []row{
		{"octo/app@ok", "Sleeping", "Success", "0123456", "2026-03-01T12:05:00Z"},
		{"octo/app@bad", "Sleeping", "Failure", "0123456", "2026-03-01T12:05:00Z"},
		{"octo/app@run", "Building", "Failure", "0123456", "2026-03-01T12:02:00Z"},
		{"octo/app@new", "Building", "Unknown", "0123456", "2026-03-01T12:05:00Z"},
		{"octo/app@none", "Sleeping", "Unknown", "0123456", "2026-03-01T12:05:00Z"},
		{"octo/app@down", "Sleeping", "Exception", "0123456", "2026-03-01T12:05:00Z"},
		{"octo/app", "Sleeping", "Unknown", "", "2026-03-01T12:00:00Z"},
	}
	if len(doc.Projects) != len(want) {
		t.Fatalf("%d projects, want %d:\n%s", len(doc.Projects), len(want), body)
	}
	for i, p := range doc.Projects {
		got := row{p.Name, p.Activity, p.LastBuildStatus, p.LastBuildLabel, p.LastBuildTime}
		if got != want[i] {
			t.Errorf("project %d: %+v, want %+v", i, got, want[i])
		}
	}
	if got := doc.Projects[0].WebURL; got != "https://github.com/octo/app/commits/ok" {
		t.Errorf("webUrl %q", got)
	}
	if got := doc.Projects[6].WebURL; got != "https://github.com/octo/app" {
		t.Errorf("webUrl of an unresolved default branch %q", got)
	}
}

func TestFeedServesOnlyCCXML(t *testing.T) {
	f := NewFeed(githubAPI, []Target{mainRef}, time.Now())
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/cc.xml", 200},
		{"HEAD", "/cc.xml", 200},
		{"POST", "/cc.xml", 405},
		{"GET", "/", 404},
		{"GET", "/cc.xml/x", 404},
	} {
		rec := httptest.NewRecorder()
		f.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, rec.Code, tc.status)
		}
		if tc.method == "HEAD" && rec.Body.Len() != 0 {
			t.Errorf("HEAD has a body")
		}
	}
	// Before the first poll, every target is there, Unknown.
	doc := f.Document()
	if len(doc.Projects) != 1 || doc.Projects[0].Name != "octo/app@main" || doc.Projects[0].LastBuildStatus != "Unknown" {
		t.Errorf("document before the first poll: %+v", doc)
	}
}

// Server text in names is escaped, so the document stays well formed.
func TestFeedEscapes(t *testing.T) {
	f := NewFeed(githubAPI, []Target{{Owner: "a", Repo: "b", Ref: `x"<&>`}}, time.Now())
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, httptest.NewRequest("GET", "/cc.xml", nil))
	var doc Projects
	if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc.Projects[0].Name != `a/b@x"<&>` {
		t.Errorf("%v %+v\n%s", err, doc, rec.Body)
	}
}
