package buildstatus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	emptyStatus = `{"state":"pending","sha":"0123456789abcdef0123456789abcdef01234567","total_count":0,"statuses":[]}`
	emptyRuns   = `{"total_count":0,"check_runs":[]}`
)

// hostile serves a well-formed empty answer on both endpoints of o/r@main
// except the one that bad answers.
func hostile(t *testing.T, badPath string, bad http.HandlerFunc) (*Client, string) {
	t.Helper()
	srv, hc := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/"+badPath):
			bad(w, r)
		case strings.HasSuffix(r.URL.Path, "/status"):
			io.WriteString(w, emptyStatus)
		case strings.HasSuffix(r.URL.Path, "/check-runs"):
			io.WriteString(w, emptyRuns)
		default:
			http.NotFound(w, r)
		}
	}))
	return newTestClient(t, hc, srv.URL, testToken), strings.TrimPrefix(srv.URL, "https://")
}

func jsonError(status int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func TestHTTPErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		path    string // the endpoint that fails: "status" or "check-runs"
		handler http.HandlerFunc
		kind    ErrorKind
		code    int
		message string // the message must contain this
	}{
		{"401", "status", jsonError(401, `{"message":"Bad credentials"}`),
			Unauthorized, 401, "bad credentials: check GH_TOKEN/GITHUB_TOKEN"},
		{"403 forbidden", "check-runs", jsonError(403, `{"message":"Resource not accessible by integration"}`),
			Forbidden, 403, `said "Resource not accessible by integration"`},
		{"403 secondary rate limit", "status",
			jsonError(403, `{"message":"You have exceeded a secondary rate limit","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`, "Retry-After", "60"),
			RateLimited, 403, "rate limit exceeded; retry after 1m"},
		{"403 Retry-After", "check-runs", jsonError(403, `{"message":"slow down"}`, "Retry-After", "90", "X-RateLimit-Remaining", "4000"),
			RateLimited, 403, "rate limit exceeded; retry after 2m"},
		{"429 Retry-After", "check-runs", jsonError(429, `{"message":"Too Many Requests"}`, "Retry-After", "30"),
			RateLimited, 429, "rate limit exceeded; retry after 30s"},
		{"404", "status", jsonError(404, `{"message":"Not Found"}`),
			NotFound, 404, "repository or ref not found (or the token cannot see it)"},
		{"422", "check-runs", jsonError(422, `{"message":"No commit found for SHA: nope"}`),
			Invalid, 422, "no commit found for ref"},
		{"500", "status", jsonError(500, `<html>oops</html>`),
			Server, 500, "server error from"},
		{"502", "check-runs", jsonError(502, ``), Server, 502, "try again later"},
		{"418", "status", jsonError(418, `{"message":"I'm a teapot"}`), Unexpected, 418, "HTTP 418"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := hostile(t, tc.path, tc.handler)
			res, err := c.Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
			ae := apiError(t, err, tc.kind)
			if ae.StatusCode != tc.code {
				t.Errorf("status code %d, want %d", ae.StatusCode, tc.code)
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Errorf("error %q does not say %q", err, tc.message)
			}
			if res == nil || res.State != StateError || res.Error != err.Error() || res.Repo != "o/r" || res.Ref != "main" {
				t.Errorf("result on error: %+v", res)
			}
		})
	}
}

func TestPrimaryRateLimitSaysWhenItResets(t *testing.T) {
	now := time.Date(2026, time.June, 1, 15, 0, 0, 0, time.Local)
	reset := now.Add(12 * time.Minute)
	for _, code := range []int{403, 429} {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			c, _ := hostile(t, "status", jsonError(code, `{"message":"API rate limit exceeded for user ID 1."}`,
				"X-RateLimit-Limit", "5000", "X-RateLimit-Remaining", "0",
				"X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10)))
			c.SetClock(func() time.Time { return now })
			_, err := c.Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
			ae := apiError(t, err, RateLimited)
			if !ae.Reset.Equal(reset) {
				t.Errorf("Reset %v, want %v", ae.Reset, reset)
			}
			want := "buildstatus: rate limit exceeded; resets at " + reset.Format("15:04:05") + " (in 12m)"
			if err.Error() != want {
				t.Errorf("error %q, want %q", err, want)
			}
		})
	}
}

func TestAnonymousHints(t *testing.T) {
	srv, hc := tlsServer(t, jsonError(404, `{"message":"Not Found"}`))
	c := newTestClient(t, hc, srv.URL, "")
	_, err := c.Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
	ae := apiError(t, err, NotFound)
	if want := "repository or ref not found (or private: set GH_TOKEN or GITHUB_TOKEN)"; !strings.Contains(ae.Message, want) {
		t.Errorf("anonymous 404: %q lacks %q", ae.Message, want)
	}
	_, err = c.DefaultBranch(testCtx(t), "o", "r")
	if ae := apiError(t, err, NotFound); !strings.HasPrefix(ae.Message, "repository not found") {
		t.Errorf("default branch 404: %q", ae.Message)
	}

	srv, hc = tlsServer(t, jsonError(401, `{"message":"Requires authentication"}`))
	_, err = newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
	if ae := apiError(t, err, Unauthorized); !strings.Contains(ae.Message, "set GH_TOKEN or GITHUB_TOKEN") {
		t.Errorf("anonymous 401: %q", ae.Message)
	}

	srv, hc = tlsServer(t, jsonError(429, `{"message":"slow down"}`, "Retry-After", "5"))
	_, err = newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
	if ae := apiError(t, err, RateLimited); !strings.Contains(ae.Message, "set GH_TOKEN") || ae.RetryAfter != 5*time.Second {
		t.Errorf("anonymous 429: %q, RetryAfter %v", ae.Message, ae.RetryAfter)
	}
}

func TestMalformedBodies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		path    string
		handler http.HandlerFunc
		detail  string
	}{
		{"html", "status", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<html><body>Sign in to the Wi-Fi</body></html>")
		}, "invalid character '<'"},
		{"truncated json", "check-runs", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"total_count":3,"check_runs":[{"id":1,"name":"bu`)
		}, "unexpected end of JSON input"},
		{"body shorter than Content-Length", "status", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			io.WriteString(w, `{"state":"success","statuses":[`)
		}, "unexpected EOF"},
		{"empty body", "status", func(w http.ResponseWriter, r *http.Request) {}, "no total_count"},
		{"wrong shape", "check-runs", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"total_count":"many","check_runs":{}}`)
		}, "cannot unmarshal"},
		{"json without total_count", "check-runs", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"message":"hello"}`)
		}, "no total_count"},
		{"fewer than total_count", "status", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"sha":"abc","total_count":5,"statuses":[{"id":1,"context":"ci","state":"success"}]}`)
		}, "total_count is 5 but 1 statuses were listed"},
		{"pagination going back", "check-runs", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", `<`+r.URL.Path+`?page=1>; rel="next"`)
			io.WriteString(w, `{"total_count":1,"check_runs":[{"id":1,"name":"a","status":"completed","conclusion":"success"}]}`)
		}, "links back to page 1"},
		{"endless pages", "check-runs", func(w http.ResponseWriter, r *http.Request) {
			n, _ := strconv.Atoi(r.URL.Query().Get("page"))
			w.Header().Set("Link", fmt.Sprintf(`<%s?page=%d>; rel="next"`, r.URL.Path, n+1))
			io.WriteString(w, `{"total_count":1,"check_runs":[]}`)
		}, "more than 100 pages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, host := hostile(t, tc.path, tc.handler)
			_, err := c.Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
			ae := apiError(t, err, Malformed)
			if !strings.HasPrefix(ae.Message, "malformed response from "+host+": ") || !strings.Contains(ae.Message, tc.detail) {
				t.Errorf("message %q, want malformed response from %s: ...%s...", ae.Message, host, tc.detail)
			}
		})
	}
}

func TestBodyOverCap(t *testing.T) {
	big := strings.Repeat("x", 11<<20)
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"with Content-Length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(big)))
			io.WriteString(w, big)
		}},
		{"chunked", func(w http.ResponseWriter, r *http.Request) {
			w.(http.Flusher).Flush() // no Content-Length: the size shows only while reading
			io.WriteString(w, `{"total_count":1,"check_runs":[{"name":"`+big+`"}]}`)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, host := hostile(t, "check-runs", tc.handler)
			_, err := c.Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
			ae := apiError(t, err, TooLarge)
			if want := "response from " + host + " is larger than 10 MiB"; !strings.Contains(ae.Message, want) {
				t.Errorf("message %q lacks %q", ae.Message, want)
			}
		})
	}
}

// countingBody is an endless body that counts what was read of it.
type countingBody struct{ n int64 }

func (b *countingBody) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	b.n += int64(len(p))
	return len(p), nil
}
func (b *countingBody) Close() error { return nil }

type fixedResponse struct{ resp *http.Response }

func (f fixedResponse) RoundTrip(req *http.Request) (*http.Response, error) {
	f.resp.Request = req
	return f.resp, nil
}

func TestCapReadsAtMostOneBytePastTheCap(t *testing.T) {
	const max = 1000
	body := &countingBody{}
	tr := &capTransport{base: fixedResponse{&http.Response{StatusCode: 200, Body: body, ContentLength: -1}}, max: max}
	req, _ := http.NewRequest("GET", "https://api.example/x", nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Kind != TooLarge {
		t.Fatalf("read error %v, want TooLarge", err)
	}
	if len(got) != max {
		t.Errorf("delivered %d bytes, want the first %d", len(got), max)
	}
	if body.n > max+1 {
		t.Errorf("read %d bytes of the body, more than cap+1 = %d", body.n, max+1)
	}
	// An exact fit is not too large.
	exact := io.NopCloser(strings.NewReader(strings.Repeat("a", max)))
	tr = &capTransport{base: fixedResponse{&http.Response{StatusCode: 200, Body: exact, ContentLength: -1}}, max: max}
	resp, _ = tr.RoundTrip(req)
	if got, err := io.ReadAll(resp.Body); err != nil || len(got) != max {
		t.Errorf("a body of exactly the cap: %d bytes, %v", len(got), err)
	}
}

func TestTimeoutFromContext(t *testing.T) {
	c, _ := hostile(t, "check-runs", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers; returns when the client gives up
	})
	ctx, cancel := context.WithTimeout(testCtx(t), 100*time.Millisecond)
	defer cancel()
	res, err := c.Check(ctx, Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	checkErrorText(t, err)
	if !strings.Contains(err.Error(), "timed out waiting for 127.0.0.1:") {
		t.Errorf("error %q does not say who did not answer", err)
	}
	if res.State != StateError {
		t.Errorf("state %v, want error", res.State)
	}
}

func TestServerEchoingTheTokenIsRedacted(t *testing.T) {
	c, _ := hostile(t, "check-runs", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(422)
		fmt.Fprintf(w, `{"message":"No commit found for %s"}`, r.Header.Get("Authorization"))
	})
	_, err := c.Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
	ae := apiError(t, err, Invalid) // apiError checks the text for the token
	if !strings.Contains(ae.Message, "[redacted]") {
		t.Errorf("message %q: expected the echoed token redacted", ae.Message)
	}
}
