package buildstatus

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v93/github"
)

// Client reads a ref's CI results from one GitHub API server.
type Client struct {
	gh    *github.Client
	api   *url.URL
	token secret // nil when anonymous

	mu    sync.Mutex // guards trace, now and hint
	trace Trace
	now   func() time.Time
	hint  string // for anonymous refusals; see SetAnonymousHint

	traceMu sync.Mutex // serializes calls of trace
}

// secret holds a token out of fmt's reach: %+v of a struct prints its
// unexported strings, but a func only as an address.
type secret func() string

func newSecret(s string) secret { return func() string { return s } }

// Trace receives the request trace of the "Client Secure" document:
// "requesting URL: ...", "request sent", "headers received". It may be
// called from several goroutines, never at once.
type Trace func(format string, args ...any)

// NewClient returns a Client for the API at apiURL: https://api.github.com,
// https://HOST/api/v3 for GitHub Enterprise, or a fakehub URL. It makes
// requests through a copy of hc (nil means a default client), so hc itself
// is not changed.
//
// A non-empty token is sent as a bearer token to apiURL's origin (scheme,
// host, port) and to nothing else: it needs an https apiURL, and a redirect
// to any other host is refused.
//
// A Client is safe for concurrent use. Its first request goes alone until
// it has a connection, so that checks started together share one HTTP/2
// connection, and one TLS handshake, instead of each opening its own.
func NewClient(hc *http.Client, apiURL string, token string) (*Client, error) {
	api, err := parseAPIURL(apiURL)
	if err != nil {
		return nil, err
	}
	if token != "" && api.Scheme != "https" {
		return nil, fmt.Errorf("buildstatus: refusing to send a token to %s over plain http", api.Host)
	}
	if strings.ContainsAny(token, "\r\n") {
		return nil, errors.New("buildstatus: the token holds a line break")
	}
	c := &Client{api: api, now: time.Now, hint: DefaultAnonymousHint}
	if token != "" {
		c.token = newSecret(token)
	}

	var own http.Client
	if hc != nil {
		own = *hc
	}
	rt := own.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	rt = &capTransport{base: newFirstConn(rt), max: MaxBodySize}
	if token != "" {
		rt = &tokenTransport{base: rt, origin: api, value: newSecret("Bearer " + token)}
	}
	own.Transport = &traceTransport{base: rt, c: c}
	own.CheckRedirect = checkRedirect(api, own.CheckRedirect)

	base := api.String()
	c.gh, err = github.NewClient(
		github.WithHTTPClient(&own),
		github.WithURLs(&base, &base),
		github.WithUserAgent("clientsecure-buildstatus"),
	)
	if err != nil {
		return nil, fmt.Errorf("buildstatus: %w", err)
	}
	return c, nil
}

func parseAPIURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("buildstatus: invalid API URL: %w", err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("buildstatus: API URL %q is not https://HOST[/PATH]", s)
	case u.Host == "":
		return nil, fmt.Errorf("buildstatus: API URL %q has no host", s)
	case u.User != nil:
		return nil, errors.New("buildstatus: API URL must not hold credentials: set GH_TOKEN instead")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("buildstatus: API URL %q must not have a query or fragment", s)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// SetTrace sets the trace hook; nil turns tracing off.
func (c *Client) SetTrace(t Trace) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.trace = t
}

// SetClock sets the clock that rate limit messages count from ("resets at
// 15:04:05 (in 12m)"); nil means time.Now.
func (c *Client) SetClock(now func() time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now == nil {
		now = time.Now
	}
	c.now = now
}

// DefaultAnonymousHint is what an error tells a user whose request without
// a token was refused (401, 404, rate limited), unless SetAnonymousHint
// says otherwise.
const DefaultAnonymousHint = "set GH_TOKEN or GITHUB_TOKEN"

// SetAnonymousHint replaces DefaultAnonymousHint; "" gives none. A program
// that withheld the user's token says so here instead of asking for one.
func (c *Client) SetAnonymousHint(hint string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hint = hint
}

// APIURL is the API's base URL, with a trailing slash.
func (c *Client) APIURL() string { return c.api.String() }

func (c *Client) clock() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now()
}

func (c *Client) tracing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.trace != nil
}

func (c *Client) tracef(format string, args ...any) {
	c.mu.Lock()
	trace := c.trace
	c.mu.Unlock()
	if trace != nil {
		c.traceMu.Lock()
		defer c.traceMu.Unlock()
		trace(format, args...)
	}
}

// traceTransport reports each request in the document's words, and
// counts its answer in the Usage of the Check it belongs to.
type traceTransport struct {
	base http.RoundTripper
	c    *Client
}

func (t *traceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.c.tracing() {
		resp, err := t.base.RoundTrip(req)
		if err == nil {
			recordUsage(req, resp)
		}
		return resp, err
	}
	t.c.tracef("requesting URL: %s", req.URL.RequestURI())
	ctx := httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				t.c.tracef("request sent")
			}
		},
	})
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	recordUsage(req, resp)
	if resp.Header.Get(CacheHeader) == "hit" {
		t.c.tracef("headers received: 304 Not Modified (stored response reused)")
	} else {
		t.c.tracef("headers received: %s", resp.Status)
	}
	return resp, nil
}
