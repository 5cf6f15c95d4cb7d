package buildstatus

import (
	"fmt"
	"strings"
	"time"
)

// ErrorKind is what went wrong with an API request, as far as a user can
// act on it.
type ErrorKind string

const (
	Unauthorized ErrorKind = "unauthorized" // 401: the token is bad or expired
	Forbidden    ErrorKind = "forbidden"    // 403 that is not a rate limit: the token lacks a scope, SSO
	RateLimited  ErrorKind = "rate_limited" // 403/429 rate limit, primary or secondary; see Reset, RetryAfter
	NotFound     ErrorKind = "not_found"    // 404: no such repository or ref, or a private one
	Invalid      ErrorKind = "invalid"      // 422: no commit for the ref
	Server       ErrorKind = "server"       // 5xx, or 202 "try again later"
	Unexpected   ErrorKind = "unexpected"   // any other status, or a redirect to another host
	Malformed    ErrorKind = "malformed"    // a body that is not the JSON expected, or is cut short
	TooLarge     ErrorKind = "too_large"    // a body over MaxBodySize
	Unreachable  ErrorKind = "unreachable"  // no answer: DNS, refused, reset, TLS failure other than identity
)

// APIError is an answer from the API that is not a usable result. Its
// message says what to do about it; the CLI tells kinds apart with
// errors.As and Kind.
type APIError struct {
	StatusCode int       // the HTTP status, 0 for Malformed and TooLarge bodies and refused redirects
	Kind       ErrorKind //
	Message    string    // for a user: what happened and what to do
	// Reset is when a primary rate limit resets (X-RateLimit-Reset), zero
	// if unknown.
	Reset time.Time
	// RetryAfter is how long the server asked to wait (Retry-After, or a
	// secondary rate limit's reset), zero if it did not say.
	RetryAfter time.Duration
	URL        string // the request's URL, for traces
	Err        error  // the underlying error, if any
}

func (e *APIError) Error() string { return "buildstatus: " + e.Message }

func (e *APIError) Unwrap() error { return e.Err }

// rateLimitMessage says when a rate limit ends, as precisely as the server
// told: "rate limit exceeded; resets at 15:04:05 (in 12m)".
func rateLimitMessage(reset time.Time, retryAfter time.Duration, now time.Time) string {
	msg := "rate limit exceeded"
	switch {
	case !reset.IsZero() && reset.After(now):
		msg += fmt.Sprintf("; resets at %s (in %s)", reset.Format("15:04:05"), roughly(reset.Sub(now)))
	case retryAfter > 0:
		msg += fmt.Sprintf("; retry after %s", roughly(retryAfter))
	default:
		msg += "; try again later"
	}
	return msg
}

// roughly formats a wait the way a person says it: 45s, 12m, 1h5m. Minutes
// round up, so that "in 1m" is never early.
func roughly(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%ds", int((d+time.Second-1)/time.Second))
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if m < 60 {
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%dh%dm", m/60, m%60)
}

// serverText makes a message the server chose fit for one line of a
// terminal: no control characters, at most 200 bytes.
func serverText(s string) string {
	s = strings.TrimSpace(clean(strings.ReplaceAll(s, "\n", " ")))
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "..."
	}
	return s
}
