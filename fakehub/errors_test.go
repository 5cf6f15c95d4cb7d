package fakehub_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	. "github.com/clientsecure/clientsecure/fakehub"
)

func TestNotFound(t *testing.T) {
	srv := startServer(t, nil)
	tests := []struct{ method, path, docs string }{
		{"GET", "/", DocsREST},
		{"GET", "/repos/esp8266", DocsREST},
		{"GET", "/repos/esp8266/Arduino/", DocsREST},
		{"GET", "/repos/esp8266/Arduino/commits/master", DocsREST},
		{"GET", "/repos/esp8266/Arduino/commits//status", DocsStatus},
		{"GET", "/repos/esp8266/Arduino/pulls", DocsREST},
		{"GET", "/repos/nobody/nothing", DocsRepo},
		{"GET", "/repos/nobody/nothing/commits/master/status", DocsStatus},
		{"GET", "/repos/nobody/nothing/commits/master/check-runs", DocsCheckRuns},
		{"POST", "/repos/esp8266/Arduino/commits/master/status", DocsREST},
		{"DELETE", "/repos/esp8266/Arduino", DocsREST},
	}
	for _, tt := range tests {
		resp, body := get(t, srv, tt.method, tt.path, nil)
		var e ErrorBody
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("%s %s: body %q: %v", tt.method, tt.path, body, err)
		}
		if resp.StatusCode != 404 || e.Message != "Not Found" || e.DocumentationURL != tt.docs || e.Status != "404" ||
			resp.Header.Get("Content-Type") != JSONType || resp.Header.Get("ETag") != "" {
			t.Errorf("%s %s: %d %+v", tt.method, tt.path, resp.StatusCode, e)
		}
	}
}

func TestHeadIsGetWithoutBody(t *testing.T) {
	srv := startServer(t, nil)
	getResp, getBody := get(t, srv, "GET", "/repos/esp8266/Arduino", nil)
	headResp, headBody := get(t, srv, "HEAD", "/repos/esp8266/Arduino", nil)
	if headResp.StatusCode != 200 || len(headBody) != 0 || headResp.Header.Get("ETag") != getResp.Header.Get("ETag") ||
		headResp.Header.Get("Content-Length") != strconv.Itoa(len(getBody)) {
		t.Errorf("HEAD: %d, %d bytes, ETag %q, Content-Length %q", headResp.StatusCode, len(headBody), headResp.Header.Get("ETag"), headResp.Header.Get("Content-Length"))
	}
}

func TestBadCredentials(t *testing.T) {
	srv := startServer(t, nil)
	srv.Hub.RequireToken("right")
	ctx := context.Background()
	_, resp, err := ghClient(t, srv, "wrong").Repositories.GetCombinedStatus(ctx, "esp8266", "Arduino", "master", nil)
	var er *github.ErrorResponse
	if !errors.As(err, &er) || resp.StatusCode != 401 || er.Message != "Bad credentials" {
		t.Errorf("wrong token: %v", err)
	}
	if _, _, err := ghClient(t, srv, "right").Repositories.GetCombinedStatus(ctx, "esp8266", "Arduino", "master", nil); err != nil {
		t.Errorf("right token: %v", err)
	}
	if _, _, err := ghClient(t, srv, "").Repositories.GetCombinedStatus(ctx, "esp8266", "Arduino", "master", nil); err != nil {
		t.Errorf("no token, public repo: %v", err)
	}
	// The other ways GitHub accepts a token.
	for _, authz := range []string{"token right", "Bearer right", "Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:right"))} {
		if resp, _ := get(t, srv, "GET", "/repos/esp8266/Arduino", http.Header{"Authorization": {authz}}); resp.StatusCode != 200 {
			t.Errorf("%s: %d", strings.Fields(authz)[0], resp.StatusCode)
		}
	}
	for _, authz := range []string{"token", "Digest right", "Basic !!!", "Basic " + base64.StdEncoding.EncodeToString([]byte("right"))} {
		if resp, _ := get(t, srv, "GET", "/repos/esp8266/Arduino", http.Header{"Authorization": {authz}}); resp.StatusCode != 401 {
			t.Errorf("%q: %d, want 401", authz, resp.StatusCode)
		}
	}
}

// The primary rate limit: 403 with X-RateLimit-Remaining 0, which go-github
// turns into a RateLimitError carrying the reset; after the reset the limit
// is restored.
func TestPrimaryRateLimit(t *testing.T) {
	srv := startServer(t, nil)
	now := time.Unix(1_900_000_000, 0)
	srv.Hub.SetClock(func() time.Time { return now })
	reset := now.Add(17 * time.Minute)
	srv.Hub.SetRateLimit(2, reset)
	ctx := context.Background()

	for want := 1; want >= 0; want-- {
		_, resp, err := ghClient(t, srv, "").Repositories.Get(ctx, "esp8266", "Arduino")
		if err != nil || resp.Rate.Remaining != want || resp.Rate.Limit != 5000 || resp.Rate.Used != 5000-want || !resp.Rate.Reset.Time.Equal(reset) {
			t.Fatalf("rate %+v, err %v; want %d remaining", resp.Rate, err, want)
		}
	}
	_, resp, err := ghClient(t, srv, "").Repositories.Get(ctx, "esp8266", "Arduino")
	var rle *github.RateLimitError
	if !errors.As(err, &rle) || resp.StatusCode != 403 || !rle.Rate.Reset.Time.Equal(reset) ||
		!strings.HasPrefix(rle.Message, "API rate limit exceeded for 127.0.0.1.") {
		t.Fatalf("exhausted: %v", err)
	}
	_, _, err = ghClient(t, srv, "tok").Repositories.Get(ctx, "esp8266", "Arduino")
	if !errors.As(err, &rle) || rle.Message != "API rate limit exceeded for user ID 1." {
		t.Fatalf("exhausted with a token: %v", err)
	}
	if s := srv.Hub.Stats(); s.RateLimited != 2 {
		t.Errorf("stats %+v, want 2 rate limited", s)
	}

	now = reset
	_, resp, err = ghClient(t, srv, "").Repositories.Get(ctx, "esp8266", "Arduino")
	if err != nil || resp.Rate.Remaining != 4999 || !resp.Rate.Reset.Time.Equal(reset.Add(time.Hour)) {
		t.Fatalf("after the reset: rate %+v, err %v", resp.Rate, err)
	}
}

// Secondary rate limits: 403 or 429 with Retry-After, which go-github turns
// into an AbuseRateLimitError; then the Hub answers again.
func TestSecondaryRateLimit(t *testing.T) {
	for _, status := range []int{403, 429} {
		srv := startServer(t, nil)
		srv.Hub.SetRetryAfter(7)
		srv.Hub.FailNext(status, 1)
		ctx := context.Background()
		_, resp, err := ghClient(t, srv, "").Repositories.GetCombinedStatus(ctx, "esp8266", "Arduino", "master", nil)
		var arle *github.AbuseRateLimitError
		if !errors.As(err, &arle) || resp.StatusCode != status || arle.RetryAfter == nil || *arle.RetryAfter != 7*time.Second ||
			!strings.Contains(arle.Message, "secondary rate limit") {
			t.Fatalf("%d: %v", status, err)
		}
		if _, _, err := ghClient(t, srv, "").Repositories.GetCombinedStatus(ctx, "esp8266", "Arduino", "master", nil); err != nil {
			t.Errorf("%d: the next request failed too: %v", status, err)
		}
	}
}

func TestFailNext(t *testing.T) {
	srv := startServer(t, nil)
	srv.Hub.FailNext(500, 2)
	srv.Hub.FailNext(502, 1)
	srv.Hub.FailNext(422, 1)
	srv.Hub.FailNext(404, 1)
	srv.Hub.FailNext(401, 1)
	want := []struct {
		status  int
		message string
	}{{500, "Server Error"}, {500, "Server Error"}, {502, "Server Error"}, {422, "Validation Failed"}, {404, "Not Found"}, {401, "Bad credentials"}, {200, ""}}
	for _, w := range want {
		resp, body := get(t, srv, "GET", "/repos/esp8266/Arduino", nil)
		var e ErrorBody
		json.Unmarshal(body, &e)
		if resp.StatusCode != w.status || e.Message != w.message {
			t.Errorf("got %d %q, want %d %q", resp.StatusCode, e.Message, w.status, w.message)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("FailNext(200) did not panic")
		}
	}()
	srv.Hub.FailNext(200, 1)
}
