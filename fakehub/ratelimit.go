package fakehub

import (
	"net/http"
	"strconv"
	"time"
)

// rateLimit is GitHub's primary rate limit for the "core" resource: a
// number of requests per window, restored when the window resets.
type rateLimit struct {
	limit, remaining int
	reset            time.Time
}

func (rl *rateLimit) set(remaining int, reset time.Time) {
	rl.remaining = max(remaining, 0)
	rl.limit = max(defaultRateLimit, rl.remaining)
	rl.reset = reset.Truncate(time.Second)
}

// refill starts a new window once the reset time has come.
func (rl *rateLimit) refill(now time.Time) {
	if now.Before(rl.reset) {
		return
	}
	rl.remaining = rl.limit
	rl.reset = now.Add(time.Hour).Truncate(time.Second)
}

func (rl *rateLimit) spend() {
	if rl.remaining > 0 {
		rl.remaining--
	}
}

func (rl *rateLimit) writeHeaders(h http.Header) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(rl.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(rl.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(rl.reset.Unix(), 10))
	h.Set("X-RateLimit-Used", strconv.Itoa(rl.limit-rl.remaining))
	h.Set("X-RateLimit-Resource", "core")
}
