package fakehub_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	. "github.com/clientsecure/clientsecure/fakehub"
)

// The document's reply, decoded by go-github as the detector will decode it.
func TestDefaultScenarioIsTheDocumentsReply(t *testing.T) {
	srv := startServer(t, DefaultScenario())
	gh := ghClient(t, srv, "")
	cs, _, err := gh.Repositories.GetCombinedStatus(context.Background(), "esp8266", "Arduino", "master", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cs.GetState() != "success" || cs.GetTotalCount() != 2 || len(cs.Statuses) != 2 {
		t.Fatalf("state %q, total %d, %d statuses; want success, 2, 2", cs.GetState(), cs.GetTotalCount(), len(cs.Statuses))
	}
	want := []struct {
		id                   int64
		context, description string
		created              time.Time
	}{
		{677326372, "continuous-integration/travis-ci/push", "The Travis CI build passed", time.Date(2016, 8, 1, 9, 54, 38, 0, time.UTC)},
		{677333081, "codecov/project", "27.62% (+0.00%) compared to 0718188", time.Date(2016, 8, 1, 9, 59, 5, 0, time.UTC)},
	}
	for i, w := range want {
		s := cs.Statuses[i]
		if s.GetID() != w.id || s.GetContext() != w.context || s.GetDescription() != w.description ||
			s.GetState() != "success" || !s.GetCreatedAt().Time.Equal(w.created) || !s.GetUpdatedAt().Time.Equal(w.created) {
			t.Errorf("status %d = %v; want %+v", i, s, w)
		}
	}
	if len(cs.GetSHA()) != 40 || cs.GetCommitURL() != srv.URL+"/repos/esp8266/Arduino/commits/"+cs.GetSHA() {
		t.Errorf("sha %q, commit_url %q", cs.GetSHA(), cs.GetCommitURL())
	}
}

// The sketch reads the first line of the body and looks for this prefix.
func TestCombinedStatusBodyStartsAsTheSketchExpects(t *testing.T) {
	srv := startServer(t, nil)
	resp, body := get(t, srv, "GET", "/repos/esp8266/Arduino/commits/master/status", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !bytes.HasPrefix(body, []byte(`{"state":"success","statuses":[{"url":"`)) || bytes.Contains(body, []byte("\n")) {
		t.Errorf("body is not one line starting with the document's prefix:\n%s", body)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", got)
	}
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Used", "X-RateLimit-Resource", "X-GitHub-Request-Id", "X-GitHub-Media-Type", "ETag"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
}

func TestCombinedState(t *testing.T) {
	at := func(min int) time.Time { return Epoch.Add(time.Duration(min) * time.Minute) }
	tests := []struct {
		name     string
		statuses []Status
		want     string
		count    int
	}{
		{"no statuses is pending, as GitHub says", nil, "pending", 0},
		{"all success", []Status{{State: "success", Context: "a"}, {State: "success", Context: "b"}}, "success", 2},
		{"one failure", []Status{{State: "success", Context: "a"}, {State: "failure", Context: "b"}}, "failure", 2},
		{"error counts as failure", []Status{{State: "error", Context: "a"}, {State: "pending", Context: "b"}}, "failure", 2},
		{"pending", []Status{{State: "success", Context: "a"}, {State: "pending", Context: "b"}}, "pending", 2},
		{"latest per context wins, by position", []Status{{State: "failure", Context: "a"}, {State: "success", Context: "a"}}, "success", 1},
		{"latest per context wins, by time", []Status{{State: "success", Context: "a", CreatedAt: at(2)}, {State: "failure", Context: "a", CreatedAt: at(1)}}, "success", 1},
		{"an older failure is superseded", []Status{{State: "pending", Context: "ci", CreatedAt: at(0)}, {State: "failure", Context: "ci", CreatedAt: at(1)}, {State: "success", Context: "ci", CreatedAt: at(2)}}, "success", 1},
		{"no context is the context default", []Status{{State: "failure"}, {State: "success", Context: "default"}}, "success", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, oneRepo(Ref{Name: "main", Statuses: tt.statuses}))
			cs, _, err := ghClient(t, srv, "").Repositories.GetCombinedStatus(context.Background(), "octo", "demo", "main", nil)
			if err != nil {
				t.Fatal(err)
			}
			if cs.GetState() != tt.want || cs.GetTotalCount() != tt.count || len(cs.Statuses) != tt.count {
				t.Errorf("state %q total %d len %d; want %q %d", cs.GetState(), cs.GetTotalCount(), len(cs.Statuses), tt.want, tt.count)
			}
		})
	}
}

// Every page of 120 statuses, with the failure last, following Link as
// go-github does; state and total_count are over all pages.
func TestCombinedStatusPagination(t *testing.T) {
	srv := startServer(t, oneRepo(Ref{
		Name:     "main",
		Generate: &Generate{Statuses: 120},
		Statuses: []Status{{State: "failure", Context: "the-last-one", TargetURL: "https://ci.example/1"}},
	}))
	gh := ghClient(t, srv, "")
	opts := &github.ListOptions{PerPage: 50}
	var contexts []string
	pages := 0
	for {
		cs, resp, err := gh.Repositories.GetCombinedStatus(context.Background(), "octo", "demo", "main", opts)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if cs.GetState() != "failure" || cs.GetTotalCount() != 121 {
			t.Fatalf("page %d: state %q total %d; want failure 121", opts.Page, cs.GetState(), cs.GetTotalCount())
		}
		for _, s := range cs.Statuses {
			contexts = append(contexts, s.GetContext())
		}
		if resp.NextPage == 0 {
			if resp.LastPage != 0 || resp.FirstPage != 1 || resp.PrevPage != 2 {
				t.Errorf("last page links: first %d prev %d last %d", resp.FirstPage, resp.PrevPage, resp.LastPage)
			}
			break
		}
		opts.Page = resp.NextPage
	}
	if pages != 3 || len(contexts) != 121 || contexts[0] != "generated/status-001" || contexts[120] != "the-last-one" {
		t.Fatalf("%d pages, %d contexts (first %q, last %q)", pages, len(contexts), contexts[0], contexts[len(contexts)-1])
	}
	seen := map[string]bool{}
	for _, c := range contexts {
		if seen[c] {
			t.Fatalf("context %q on two pages", c)
		}
		seen[c] = true
	}
}

func TestPageParameters(t *testing.T) {
	srv := startServer(t, oneRepo(Ref{Name: "main", Generate: &Generate{Statuses: 250}}))
	tests := []struct {
		query string
		count int
		link  string
	}{
		{"", 30, `<URL?page=2>; rel="next", <URL?page=9>; rel="last"`},
		{"?per_page=100", 100, `<URL?page=2&per_page=100>; rel="next", <URL?page=3&per_page=100>; rel="last"`},
		{"?per_page=1000", 100, `<URL?page=2&per_page=1000>; rel="next", <URL?page=3&per_page=1000>; rel="last"`},
		{"?per_page=0", 30, `<URL?page=2&per_page=0>; rel="next", <URL?page=9&per_page=0>; rel="last"`},
		{"?per_page=x&page=y", 30, `<URL?page=2&per_page=x>; rel="next", <URL?page=9&per_page=x>; rel="last"`},
		{"?per_page=100&page=2", 100, `<URL?page=1&per_page=100>; rel="prev", <URL?page=3&per_page=100>; rel="next", <URL?page=3&per_page=100>; rel="last", <URL?page=1&per_page=100>; rel="first"`},
		{"?per_page=100&page=3", 50, `<URL?page=2&per_page=100>; rel="prev", <URL?page=1&per_page=100>; rel="first"`},
		{"?per_page=100&page=7", 0, `<URL?page=3&per_page=100>; rel="prev", <URL?page=1&per_page=100>; rel="first"`},
	}
	path := "/repos/octo/demo/commits/main/status"
	for _, tt := range tests {
		resp, body := get(t, srv, "GET", path+tt.query, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", tt.query, resp.StatusCode)
		}
		n := bytes.Count(body, []byte(`"context":`))
		link := bytes.ReplaceAll([]byte(resp.Header.Get("Link")), []byte(srv.URL+path), []byte("URL"))
		if n != tt.count || string(link) != tt.link {
			t.Errorf("%s: %d statuses, Link\n%s\nwant %d,\n%s", tt.query, n, link, tt.count, tt.link)
		}
	}
}

func TestOnePageHasNoLink(t *testing.T) {
	srv := startServer(t, nil)
	resp, _ := get(t, srv, "GET", "/repos/esp8266/Arduino/commits/master/status", nil)
	if l := resp.Header.Get("Link"); l != "" {
		t.Errorf("Link %q on the only page", l)
	}
}

func ExampleDefaultScenario() {
	sc := DefaultScenario()
	for _, s := range sc.Repos[0].Refs[0].Statuses {
		fmt.Println(s.Context, s.State, s.ID)
	}
	// Output:
	// continuous-integration/travis-ci/push success 677326372
	// codecov/project success 677333081
}
