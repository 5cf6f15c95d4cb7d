package buildstatus

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// MaxBodySize is the most a response body may hold. A page of 100 check
// runs is well under 1 MiB; more than this is a broken or hostile server.
const MaxBodySize = 10 << 20

// capTransport fails a response whose body is larger than max, without
// ever reading more than max+1 bytes of it.
type capTransport struct {
	base http.RoundTripper
	max  int64
}

func (t *capTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.max {
		resp.Body.Close()
		return nil, tooLarge(req.URL, t.max)
	}
	resp.Body = &cappedBody{rc: resp.Body, max: t.max, url: req.URL}
	return resp, nil
}

// cappedBody reads at most max+1 bytes of rc: the one byte past max is how
// it knows the body is too large.
type cappedBody struct {
	rc   io.ReadCloser
	max  int64
	read int64
	url  *url.URL
	err  error
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if room := b.max + 1 - b.read; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.rc.Read(p)
	b.read += int64(n)
	if b.read > b.max {
		b.err = tooLarge(b.url, b.max)
		return n - int(b.read-b.max), b.err
	}
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

func tooLarge(u *url.URL, max int64) *APIError {
	return &APIError{
		Kind:    TooLarge,
		Message: fmt.Sprintf("response from %s is larger than %s: refusing to read it", u.Host, sizeName(max)),
		URL:     u.Redacted(),
	}
}

func sizeName(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// readCapped reads all of r, failing past max bytes like cappedBody.
func readCapped(r io.Reader, max int64, u *url.URL) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, tooLarge(u, max)
	}
	return b, nil
}

// tokenTransport adds the token to requests for the API's origin, and only
// to those: whatever else the request is for goes without it.
type tokenTransport struct {
	base   http.RoundTripper
	origin *url.URL
	value  secret // "Bearer TOKEN"
}

func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	if sameOrigin(req.URL, t.origin) {
		req.Header.Set("Authorization", t.value())
	} else {
		req.Header.Del("Authorization")
	}
	return t.base.RoundTrip(req)
}

// sameOrigin reports whether u and base have the same scheme, host and
// port (the scheme's default port when none is written).
func sameOrigin(u, base *url.URL) bool {
	return strings.EqualFold(u.Scheme, base.Scheme) &&
		strings.EqualFold(u.Hostname(), base.Hostname()) &&
		port(u) == port(base)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

// checkRedirect follows a redirect only within the API's origin (GitHub
// redirects a renamed repository's URLs there), then defers to next, the
// caller's own policy, or to net/http's limit of 10 redirects.
func checkRedirect(origin *url.URL, next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if !sameOrigin(req.URL, origin) {
			status := 0
			if req.Response != nil {
				status = req.Response.StatusCode
			}
			return &APIError{
				StatusCode: status,
				Kind:       Unexpected,
				Message: fmt.Sprintf("refusing to follow a redirect from %s to another host (%s): the API is only trusted at %s",
					origin.Host, req.URL.Host, origin.Host),
				URL: via[len(via)-1].URL.Redacted(),
			}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return fmt.Errorf("buildstatus: stopped after 10 redirects")
		}
		return nil
	}
}
