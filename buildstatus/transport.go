package buildstatus

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/clientsecure/clientsecure"
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
	resp.Body = &utf8Body{rc: &cappedBody{rc: resp.Body, max: t.max, url: req.URL, ctx: req.Context()}, url: req.URL}
	resp.Body = &containerCount{rc: resp.Body, url: req.URL}
	return resp, nil
}

// Limits on the JSON in one answer. Each object or array decodes to a Go
// struct or slice of up to a few hundred bytes, each array element to at
// least a pointer, so a body of "{},{},..." or "null,null,..." under
// MaxBodySize would otherwise cost a gigabyte. A page of 100 check runs,
// the largest answer there is, holds about 1,500 objects and arrays and
// 15,000 commas.
const (
	maxContainers = 20000
	maxCommas     = 200000
)

// containerCount fails a body holding more than maxContainers objects and
// arrays or maxCommas values, counting '{', '[' and ',' outside strings as
// they stream past.
type containerCount struct {
	rc                io.ReadCloser
	url               *url.URL
	containers        int
	commas            int
	inString, escaped bool
	err               error
}

func (b *containerCount) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.rc.Read(p)
	for _, c := range p[:n] {
		switch {
		case b.escaped:
			b.escaped = false
		case b.inString:
			b.escaped = c == '\\'
			b.inString = c != '"'
		case c == '"':
			b.inString = true
		case c == '{' || c == '[':
			b.containers++
		case c == ',':
			b.commas++
		}
	}
	if b.containers > maxContainers || b.commas > maxCommas {
		b.err = &APIError{Kind: TooLarge, URL: b.url.Redacted(),
			Message: fmt.Sprintf("response from %s holds more JSON values than any answer of the API (over %d objects and arrays or %d values): refusing to read it",
				b.url.Host, maxContainers, maxCommas)}
		return 0, b.err
	}
	return n, err
}

func (b *containerCount) Close() error { return b.rc.Close() }

// utf8Body fails a body that is not UTF-8. encoding/json would quietly
// turn invalid bytes into U+FFFD, and JSON is UTF-8 (RFC 8259): a server
// sending anything else is broken or hostile, and its verdict not to be
// trusted.
type utf8Body struct {
	rc      io.ReadCloser
	url     *url.URL
	pending [utf8.UTFMax]byte // the start of a rune cut by the last read
	npend   int
	err     error
}

func (b *utf8Body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.rc.Read(p)
	if !b.valid(p[:n]) || err == io.EOF && b.npend > 0 {
		b.err = &APIError{Kind: Malformed, URL: b.url.Redacted(),
			Message: fmt.Sprintf("malformed response from %s: the body is not UTF-8", b.url.Host)}
		return 0, b.err
	}
	return n, err
}

func (b *utf8Body) Close() error { return b.rc.Close() }

// valid checks p as the continuation of what came before, keeping a rune
// cut at its end for the next read.
func (b *utf8Body) valid(p []byte) bool {
	for b.npend > 0 && len(p) > 0 {
		b.pending[b.npend] = p[0]
		b.npend++
		p = p[1:]
		if utf8.FullRune(b.pending[:b.npend]) {
			r, size := utf8.DecodeRune(b.pending[:b.npend])
			if r == utf8.RuneError && size <= 1 {
				return false
			}
			b.npend = 0
		}
	}
	if b.npend > 0 {
		return true // p ran out inside the cut rune
	}
	// A rune may start in the last three bytes and end in the next read.
	cut := len(p)
	for k := 1; k < utf8.UTFMax && k <= len(p); k++ {
		if utf8.RuneStart(p[len(p)-k]) {
			if !utf8.FullRune(p[len(p)-k:]) {
				cut = len(p) - k
			}
			break
		}
	}
	b.npend = copy(b.pending[:], p[cut:])
	return utf8.Valid(p[:cut])
}

// cappedBody reads at most max+1 bytes of rc: the one byte past max is how
// it knows the body is too large.
type cappedBody struct {
	rc   io.ReadCloser
	max  int64
	read int64
	url  *url.URL
	ctx  context.Context // the request's
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
	// net/http sometimes ends a body cut off by the deadline with a plain
	// EOF, as if it were whole, which the JSON decoder would then call
	// malformed or, if only white space came, empty: the context knows
	// better.
	if err != nil && b.ctx != nil && b.ctx.Err() != nil {
		err = b.ctx.Err()
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
	if clientsecure.SameOrigin(req.URL, t.origin) {
		req.Header.Set("Authorization", t.value())
	} else {
		req.Header.Del("Authorization")
	}
	return t.base.RoundTrip(req)
}

// checkRedirect follows a redirect only within the API's origin (GitHub
// redirects a renamed repository's URLs there), then defers to next, the
// caller's own policy, or to net/http's limit of 10 redirects.
func checkRedirect(origin *url.URL, next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if !clientsecure.SameOrigin(req.URL, origin) {
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
