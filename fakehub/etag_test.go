package fakehub_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-github/v93/github"

	. "github.com/clientsecure/clientsecure/fakehub"
)

// A watcher's polls: one full answer, then 304s that cost no rate limit
// until the scenario changes, then a full answer with a new ETag.
func TestConditionalRequests(t *testing.T) {
	srv := startServer(t, nil)
	const path = "/repos/esp8266/Arduino/commits/master/status"
	first, _ := get(t, srv, "GET", path, nil)
	etag := first.Header.Get("ETag")
	if first.StatusCode != 200 || len(etag) < 3 || etag[0] != '"' || etag[len(etag)-1] != '"' {
		t.Fatalf("first answer %d, ETag %q (want a strong ETag)", first.StatusCode, etag)
	}
	remaining := first.Header.Get("X-RateLimit-Remaining")
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		resp, body := get(t, srv, "GET", path, http.Header{"If-None-Match": {inm}})
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 || resp.Header.Get("ETag") != etag ||
			resp.Header.Get("X-RateLimit-Remaining") != remaining {
			t.Errorf("If-None-Match %s: %d, %d bytes, ETag %q, remaining %s (was %s)", inm, resp.StatusCode, len(body),
				resp.Header.Get("ETag"), resp.Header.Get("X-RateLimit-Remaining"), remaining)
		}
	}
	if resp, _ := get(t, srv, "GET", path, http.Header{"If-None-Match": {`"stale"`}}); resp.StatusCode != 200 {
		t.Errorf("a stale ETag got %d", resp.StatusCode)
	}
	if s := srv.Hub.Stats(); s.Requests != 6 || s.NotModified != 4 {
		t.Errorf("stats %+v; want 6 requests, 4 not modified", s)
	}

	srv.Hub.Update(func(sc *Scenario) {
		sc.Repos[0].Refs[0].Statuses[1].State = "failure"
	})
	changed, _ := get(t, srv, "GET", path, http.Header{"If-None-Match": {etag}})
	if changed.StatusCode != 200 || changed.Header.Get("ETag") == etag {
		t.Fatalf("after Update: %d, ETag %q", changed.StatusCode, changed.Header.Get("ETag"))
	}
	cs, _, err := ghClient(t, srv, "").Repositories.GetCombinedStatus(context.Background(), "esp8266", "Arduino", "master", nil)
	if err != nil || cs.GetState() != "failure" {
		t.Errorf("after Update: state %q, %v", cs.GetState(), err)
	}
	// Another page is another body, so another ETag.
	page2, _ := get(t, srv, "GET", path+"?per_page=1&page=2", nil)
	if page2.Header.Get("ETag") == changed.Header.Get("ETag") {
		t.Error("two pages share an ETag")
	}
}

func TestPollInterval(t *testing.T) {
	srv := startServer(t, nil)
	if resp, _ := get(t, srv, "GET", "/repos/esp8266/Arduino", nil); resp.Header.Get("X-Poll-Interval") != "" {
		t.Error("X-Poll-Interval sent without SetPollInterval")
	}
	srv.Hub.SetPollInterval(3)
	if resp, _ := get(t, srv, "GET", "/repos/esp8266/Arduino", nil); resp.Header.Get("X-Poll-Interval") != "3" {
		t.Errorf("X-Poll-Interval %q", resp.Header.Get("X-Poll-Interval"))
	}
}

// Many clients while the scenario flips: run with -race. Every answer is
// whole (one state or the other, never a mix) and every request counted.
func TestConcurrentRequestsAndUpdates(t *testing.T) {
	srv := startServer(t, oneRepo(Ref{Name: "main", Generate: &Generate{CheckRuns: 40}, Statuses: []Status{{State: "success", Context: "ci"}}}))
	const clients, each, updates = 8, 15, 30
	var wg sync.WaitGroup
	errs := make(chan string, clients*each)
	for range clients {
		wg.Go(func() {
			gh := ghClient(t, srv, "")
			for range each {
				cs, _, err := gh.Repositories.GetCombinedStatus(context.Background(), "octo", "demo", "main", nil)
				switch {
				case err != nil:
					errs <- err.Error()
				case cs.GetState() != "success" && cs.GetState() != "failure",
					cs.GetState() != cs.Statuses[0].GetState():
					errs <- "torn answer: " + cs.String()
				}
			}
		})
	}
	wg.Go(func() {
		for i := range updates {
			srv.Hub.Update(func(sc *Scenario) {
				sc.Repos[0].Refs[0].Statuses[0].State = []string{"success", "failure"}[i%2]
			})
			srv.Hub.Stats()
		}
	})
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if s := srv.Hub.Stats(); s.Requests != clients*each {
		t.Errorf("%d requests counted, want %d", s.Requests, clients*each)
	}
}

// go-github sees a 304 as an error response carrying the status: clients
// that poll with If-None-Match must handle it themselves, as with GitHub.
func TestNotModifiedThroughGoGitHub(t *testing.T) {
	srv := startServer(t, nil)
	gh := ghClient(t, srv, "")
	ctx := context.Background()
	_, resp, err := gh.Repositories.Get(ctx, "esp8266", "Arduino")
	if err != nil {
		t.Fatal(err)
	}
	req, err := gh.NewRequest(ctx, "GET", "repos/esp8266/Arduino", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	resp, err = gh.Do(req, new(github.Repository))
	if resp == nil || resp.StatusCode != http.StatusNotModified || err == nil {
		t.Errorf("conditional request: %v, %v", resp, err)
	}
}
