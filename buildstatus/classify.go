package buildstatus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/clientsecure/clientsecure"

	"github.com/google/go-github/v93/github"
)

// classify turns what go-github returned for a request about what
// ("repository", "repository or ref") into an error a user can act on: an
// *APIError for an answer from the server, the cause wrapped for anything
// else (network, identity, context).
func (c *Client) classify(err error, resp *github.Response, what string) error {
	var (
		ae    *APIError
		rate  *github.RateLimitError
		abuse *github.AbuseRateLimitError
		otp   *github.TwoFactorAuthError
		acc   *github.AcceptedError
		er    *github.ErrorResponse
	)
	switch {
	case errors.As(err, &ae):
		return ae // a capped body or a refused redirect: already explained
	case errors.As(err, &rate):
		hr := rate.Response
		return c.rateLimited(hr, rate.Rate.Reset.Time, retryAfter(hr, c.clock()), err)
	case errors.As(err, &abuse):
		return c.rateLimited(abuse.Response, primaryReset(abuse.Response), abuse.GetRetryAfter(), err)
	case errors.As(err, &otp):
		return c.statusError(otp.Response, otp.Message, what, err)
	case errors.As(err, &acc):
		return &APIError{StatusCode: http.StatusAccepted, Kind: Server, Err: err, URL: requestURL(resp),
			Message: fmt.Sprintf("%s is still computing the answer (HTTP 202): try again in a moment", c.api.Host)}
	case errors.As(err, &er):
		return c.statusError(er.Response, er.Message, what, err)
	case malformedJSON(err):
		return c.malformed(resp, err.Error(), err)
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("buildstatus: timed out waiting for %s: %w", c.api.Host, err)
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("buildstatus: request to %s cancelled: %w", c.api.Host, err)
	}
	// Identity errors are the command's to explain from their fields.
	var ie *clientsecure.IdentityError
	if errors.As(err, &ie) {
		return fmt.Errorf("buildstatus: %w", err)
	}
	// Network errors: net/http's *url.Error names the method and URL,
	// which say nothing to a user. Anything else came while reading a body
	// (a reset connection, an HTTP/2 stream error).
	var ue *url.Error
	if errors.As(err, &ue) {
		return &APIError{Kind: Unreachable, Err: err, URL: ue.URL,
			Message: fmt.Sprintf("cannot reach %s: %s", c.api.Host, c.networkCause(ue.Err))}
	}
	return &APIError{Kind: Unreachable, Err: err,
		Message: fmt.Sprintf("reading the answer from %s: %s", c.api.Host, c.networkCause(err))}
}

// networkCause says what failed below HTTP in the fewest words: "no such
// host", "connection refused". What net/http says otherwise is kept, with
// the token kept out of what it quotes: the server's own words (an HTTP/2
// GOAWAY's debug data, a TLS alert) are quoted there, and only they could
// hold it.
func (c *Client) networkCause(err error) string {
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return "no such host " + dns.Name
		}
		return "looking up " + dns.Name + ": " + dns.Err
	case errors.As(err, &op):
		var sys *os.SyscallError
		if errors.As(op.Err, &sys) {
			return sys.Err.Error()
		}
		return op.Err.Error()
	}
	return c.redactQuoted(err.Error())
}

func malformedJSON(err error) bool {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	return errors.As(err, &syntax) || errors.As(err, &typ) || errors.Is(err, io.ErrUnexpectedEOF)
}

func (c *Client) malformed(resp *github.Response, detail string, err error) *APIError {
	// A body that fails at its first byte is not JSON at all: a web page,
	// a proxy's error. Its declared type says what it is.
	var syntax *json.SyntaxError
	if ct := contentType(resp); errors.As(err, &syntax) && syntax.Offset <= 1 && ct != "" && !strings.Contains(ct, "json") {
		detail = fmt.Sprintf("not JSON but %s (%s)", ct, detail)
	}
	return &APIError{Kind: Malformed, Err: err, URL: requestURL(resp),
		Message: fmt.Sprintf("malformed response from %s: %s", c.api.Host, serverText(detail))}
}

// contentType is the media type the response says it holds, without
// parameters, or "".
func contentType(resp *github.Response) string {
	if resp == nil || resp.Response == nil {
		return ""
	}
	mt, _, _ := strings.Cut(resp.Header.Get("Content-Type"), ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// statusError explains an HTTP error status that go-github did not already
// find to be a rate limit.
func (c *Client) statusError(hr *http.Response, serverMsg, what string, err error) *APIError {
	if hr == nil {
		return &APIError{Kind: Unexpected, Err: err, Message: "error response without a status: " + serverText(serverMsg)}
	}
	code := hr.StatusCode
	e := &APIError{StatusCode: code, Err: err, URL: hr.Request.URL.Redacted()}
	said := ""
	if m := c.redact(serverText(serverMsg)); m != "" {
		said = fmt.Sprintf(": %s said %q", c.api.Host, m)
	}
	switch {
	case code == http.StatusUnauthorized:
		e.Kind = Unauthorized
		e.Message = "bad credentials: check GH_TOKEN/GITHUB_TOKEN (HTTP 401)"
		if c.token == nil {
			e.Message = "authentication required" + c.anonymousHint(": ") + " (HTTP 401)"
		}
	case code == http.StatusTooManyRequests,
		code == http.StatusForbidden && (hr.Header.Get("Retry-After") != "" || hr.Header.Get(github.HeaderRateRemaining) == "0"):
		return c.rateLimited(hr, primaryReset(hr), retryAfter(hr, c.clock()), err)
	case code == http.StatusForbidden:
		e.Kind = Forbidden
		e.Message = "access forbidden (HTTP 403): check the token's scopes and SSO authorization" + said
	case code == http.StatusNotFound:
		e.Kind = NotFound
		e.Message = what + " not found (or private" + c.anonymousHint(": ") + ") (HTTP 404)"
		if c.token != nil {
			e.Message = what + " not found (or the token cannot see it) (HTTP 404)"
		}
	case code == http.StatusUnprocessableEntity:
		e.Kind = Invalid
		e.Message = "no commit found for ref (HTTP 422)" + said
	case code >= 500:
		e.Kind = Server
		e.Message = fmt.Sprintf("server error from %s (HTTP %d): try again later", c.api.Host, code)
	default:
		e.Kind = Unexpected
		e.Message = fmt.Sprintf("unexpected answer from %s (HTTP %d)%s", c.api.Host, code, said)
	}
	return e
}

func (c *Client) rateLimited(hr *http.Response, reset time.Time, wait time.Duration, err error) *APIError {
	e := &APIError{Kind: RateLimited, Reset: reset, RetryAfter: wait, Err: err,
		Message: rateLimitMessage(reset, wait, c.clock())}
	if hr != nil {
		e.StatusCode = hr.StatusCode
		if hr.Request != nil {
			e.URL = hr.Request.URL.Redacted()
		}
	}
	if c.token == nil {
		e.Message += " (anonymous requests are limited to 60 an hour" + c.anonymousHint(": ") + ")"
	}
	return e
}

// retryAfter reads Retry-After, in seconds or as an HTTP date.
func retryAfter(hr *http.Response, now time.Time) time.Duration {
	if hr == nil {
		return 0
	}
	v := strings.TrimSpace(hr.Header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// primaryReset reads X-RateLimit-Reset (Unix seconds) when the primary
// limit is spent. GitHub sends the header on every answer; with requests
// remaining, a limit is a secondary one, and Retry-After says how long.
func primaryReset(hr *http.Response) time.Time {
	if hr == nil || hr.Header.Get(github.HeaderRateRemaining) != "0" {
		return time.Time{}
	}
	s, err := strconv.ParseInt(hr.Header.Get(github.HeaderRateReset), 10, 64)
	if err != nil || s <= 0 {
		return time.Time{}
	}
	return time.Unix(s, 0)
}

func requestURL(resp *github.Response) string {
	if resp == nil || resp.Response == nil || resp.Request == nil {
		return ""
	}
	return resp.Request.URL.Redacted()
}

// redact keeps the token out of text a server chose. Only such text goes
// through it: replacing the token in the program's own words would mangle
// them (a token "e" would make "r[redacted]pository").
func (c *Client) redact(s string) string {
	if c.token == nil {
		return s
	}
	return strings.ReplaceAll(s, c.token(), "[redacted]")
}

// redactQuoted redacts the double-quoted parts of s (Go's %q of what it
// received), leaving its own words alone.
func (c *Client) redactQuoted(s string) string {
	if c.token == nil || !strings.Contains(s, c.token()) {
		return s
	}
	parts := strings.Split(s, `"`)
	for i := 1; i < len(parts); i += 2 {
		parts[i] = c.redact(parts[i])
	}
	return strings.Join(parts, `"`)
}

// anonymousHint is what to tell a user whose anonymous request was
// refused, after sep: set a token, unless the program withheld it.
func (c *Client) anonymousHint(sep string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hint == "" {
		return ""
	}
	return sep + c.hint
}
