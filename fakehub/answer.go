package fakehub

import (
	"cmp"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// Documentation URLs GitHub puts in its error bodies. go-github tells a
// secondary rate limit by the suffix of its URL.
const (
	docsREST          = "https://docs.github.com/rest"
	docsRepo          = "https://docs.github.com/rest/repos/repos#get-a-repository"
	docsStatus        = "https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference"
	docsCheckRuns     = "https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference"
	docsPrimaryRate   = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-primary-rate-limits"
	docsSecondaryRate = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)

// answer decides the whole reply to r; the caller holds h.mu. The order is
// GitHub's: credentials, then the rate limit, then the resource.
func (h *Hub) answer(r *http.Request) *reply {
	h.stats.Requests++
	h.serial++
	rep := &reply{header: http.Header{}}
	requestID := fmt.Sprintf("FA4E:%04X:%06X:%08X", h.id&0xffff, h.serial>>32, h.serial&0xffffffff)
	rep.header.Set("X-GitHub-Request-Id", requestID)
	rep.header.Set("X-GitHub-Media-Type", "github.v3; format=json")
	rep.header.Set("X-GitHub-Api-Version-Selected", cmp.Or(r.Header.Get("X-GitHub-Api-Version"), "2022-11-28"))
	if h.pollInterval > 0 {
		rep.header.Set("X-Poll-Interval", strconv.Itoa(h.pollInterval))
	}
	authz := r.Header.Get("Authorization")
	if authz != "" {
		h.stats.WithToken++
	}
	h.rate.refill(h.now())
	defer h.rate.writeHeaders(rep.header) // after spending, below

	if len(h.failures) > 0 {
		status := h.failures[0]
		h.failures = h.failures[1:]
		h.forcedFailure(rep, status, requestID)
		return rep
	}
	authorized, bad := h.authorize(authz)
	if bad {
		rep.fail(http.StatusUnauthorized, "Bad credentials", docsREST)
		return rep
	}
	if h.rate.remaining == 0 {
		h.stats.RateLimited++
		rep.fail(http.StatusForbidden, rateLimitMessage(r, authorized), docsPrimaryRate)
		return rep
	}
	h.route(rep, r, authorized)
	if rep.status == http.StatusOK {
		rep.setETag()
		cache := "public"
		if authz != "" {
			cache = "private"
		}
		rep.header.Set("Cache-Control", cache+", max-age=60, s-maxage=60")
		rep.header.Set("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP")
		if etagMatches(r.Header.Values("If-None-Match"), rep.header.Get("ETag")) {
			// GitHub does not charge a conditional request that finds
			// nothing new.
			h.stats.NotModified++
			rep.notModified()
			return rep
		}
	}
	h.rate.spend()
	return rep
}

// authorize reads the Authorization header: token, Bearer, or Basic with
// the token as password, as GitHub accepts. bad means GitHub would answer
// 401; authorized means private repositories may be shown.
func (h *Hub) authorize(authz string) (authorized, bad bool) {
	if authz == "" {
		return false, false
	}
	token, ok := credential(authz)
	if !ok {
		return false, true
	}
	if h.token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(h.token)) != 1 {
		return false, true
	}
	return true, false
}

func credential(authz string) (string, bool) {
	scheme, rest, _ := strings.Cut(authz, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(scheme) {
	case "token", "bearer":
		return rest, rest != ""
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return "", false
		}
		_, password, ok := strings.Cut(string(raw), ":")
		return password, ok && password != ""
	}
	return "", false
}

func rateLimitMessage(r *http.Request, authorized bool) string {
	if authorized {
		return "API rate limit exceeded for user ID 1."
	}
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return "API rate limit exceeded for " + ip + ". (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)"
}

// forcedFailure answers as GitHub does with status, for FailNext.
func (h *Hub) forcedFailure(rep *reply, status int, requestID string) {
	switch {
	case status == http.StatusUnauthorized:
		rep.fail(status, "Bad credentials", docsREST)
	case status == http.StatusForbidden || status == http.StatusTooManyRequests:
		rep.fail(status, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID "+requestID+".", docsSecondaryRate)
		rep.header.Set("Retry-After", strconv.Itoa(h.retryAfter))
	case status == http.StatusNotFound:
		rep.fail(status, "Not Found", docsREST)
	case status == http.StatusUnprocessableEntity:
		rep.fail(status, "Validation Failed", docsREST)
	case status >= 500:
		rep.fail(status, "Server Error", "")
	default:
		rep.fail(status, http.StatusText(status), docsREST)
	}
}

// etagMatches is If-None-Match's weak comparison, over every header line.
func etagMatches(lines []string, etag string) bool {
	for _, line := range lines {
		for tag := range strings.SplitSeq(line, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
				return true
			}
		}
	}
	return false
}
