package fakehub

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Hub answers GitHub's REST API from a Scenario. It is an http.Handler, safe
// for concurrent use; its setters may be called while it serves.
type Hub struct {
	mu    sync.Mutex
	sc    *Scenario // the scenario as given (a private copy), for Update
	idx   *index    // sc validated, with defaults, ready to answer from
	token string    // "" accepts any token
	now   func() time.Time

	rate     rateLimit
	failures []int // statuses the next requests get, first first

	stats        Stats
	pollInterval int // seconds; 0 sends no X-Poll-Interval
	retryAfter   int // seconds, sent with secondary rate limits

	id     int64 // distinguishes request ids of hubs in one process
	serial int64
}

// Stats counts what a Hub answered, for tests that assert how much a
// client spent (a watcher polling an unchanged ref should cost 304s only).
type Stats struct {
	Requests    int // every request, whatever the answer
	NotModified int // 304 answers to If-None-Match
	WithToken   int // requests that carried an Authorization header
	RateLimited int // 403 answers because the rate limit was exhausted
}

// defaultRateLimit is GitHub's hourly limit for a token.
const defaultRateLimit = 5000

var hubs atomic.Int64

// New returns a Hub serving a copy of sc; nil serves DefaultScenario. A
// scenario from a file should come through ParseScenario, which reports
// errors; New panics on an invalid one (see Scenario.Validate), as that is
// a mistake in the program.
func New(sc *Scenario) *Hub {
	if sc == nil {
		sc = DefaultScenario()
	}
	h := &Hub{sc: sc.clone(), now: time.Now, retryAfter: 60, id: hubs.Add(1)}
	h.idx = mustIndex(h.sc)
	h.rate = rateLimit{limit: defaultRateLimit, remaining: defaultRateLimit, reset: h.now().Add(time.Hour).Truncate(time.Second)}
	return h
}

func mustIndex(sc *Scenario) *index {
	idx, err := buildIndex(sc)
	if err != nil {
		panic(err)
	}
	return idx
}

// Update changes the scenario under the Hub's lock: fn gets the Hub's own
// copy, as given to New (without the defaults filled in). Requests after
// Update returns see the change; the ETags of changed responses change with
// their bodies. fn must not call the Hub's methods (it holds the lock).
// Update panics, and changes nothing, if fn leaves the scenario invalid.
func (h *Hub) Update(fn func(sc *Scenario)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	next := h.sc.clone()
	fn(next)
	h.idx = mustIndex(next)
	h.sc = next
}

// RequireToken makes token the only one accepted: a request with another
// gets 401 "Bad credentials"; one without any is served public repositories
// only. Without RequireToken any token is accepted. "" undoes it.
func (h *Hub) RequireToken(token string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.token = token
}

// Stats returns the counts so far.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stats
}

// SetRateLimit sets the remaining requests until reset, when the limit
// (5000, or remaining if larger) is restored. With remaining 0 every request
// gets GitHub's 403 rate-limit answer until then.
func (h *Hub) SetRateLimit(remaining int, reset time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.rate.set(remaining, reset)
}

// FailNext makes the next n requests fail with status, answered as GitHub
// does: 401 "Bad credentials"; 403 and 429 a secondary rate limit with
// Retry-After (see SetRetryAfter); 404 "Not Found"; 422 "Validation
// Failed"; 5xx "Server Error". Calls queue up in order. FailNext panics for
// a status outside 400-599.
func (h *Hub) FailNext(status int, n int) {
	if status < 400 || status > 599 {
		panic(fmt.Sprintf("fakehub: FailNext(%d): not an error status", status))
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for range n {
		h.failures = append(h.failures, status)
	}
}

// SetPollInterval makes every answer carry X-Poll-Interval: seconds, as
// GitHub does for endpoints it wants polled slowly; 0 (the default) omits it.
func (h *Hub) SetPollInterval(seconds int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.pollInterval = seconds
}

// SetRetryAfter sets the Retry-After, in seconds, of secondary rate limits
// made by FailNext(403 or 429); the default is 60.
func (h *Hub) SetRetryAfter(seconds int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.retryAfter = seconds
}

// SetClock replaces time.Now for the rate limit's reset, so tests can pass
// a reset without waiting for it.
func (h *Hub) SetClock(now func() time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = now
}

// ServeHTTP answers one API request. The whole answer is computed under the
// lock and written after it, so a slow client never holds up the others.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	rep := h.answer(r)
	h.mu.Unlock()
	rep.write(w, r)
}
