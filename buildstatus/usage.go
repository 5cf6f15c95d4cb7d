package buildstatus

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/google/go-github/v93/github"
)

// Usage is what one Check cost, and what the server asked of the next
// one: a watch loop paces itself by it.
type Usage struct {
	Requests    int // answers received
	NotModified int // of those, 304s replayed by a ConditionalTransport: free
	// PollInterval is the largest X-Poll-Interval the server sent, 0 if
	// none: GitHub's wish for how often to poll.
	PollInterval time.Duration
	RateLimit    int       // X-RateLimit-Limit, 0 if not sent
	Remaining    int       // the lowest X-RateLimit-Remaining seen, -1 if not sent
	Reset        time.Time // X-RateLimit-Reset with that lowest remaining, zero if not sent
}

type usageKey struct{}

// usageCollector gathers Usage from the responses of one Check, which
// come from two goroutines.
type usageCollector struct {
	mu sync.Mutex
	u  Usage
}

func withUsage(ctx context.Context) (context.Context, *usageCollector) {
	uc := &usageCollector{u: Usage{Remaining: -1}}
	return context.WithValue(ctx, usageKey{}, uc), uc
}

func (uc *usageCollector) usage() Usage {
	uc.mu.Lock()
	defer uc.mu.Unlock()
	return uc.u
}

func recordUsage(req *http.Request, resp *http.Response) {
	uc, _ := req.Context().Value(usageKey{}).(*usageCollector)
	if uc == nil {
		return
	}
	uc.mu.Lock()
	defer uc.mu.Unlock()
	u := &uc.u
	u.Requests++
	if resp.Header.Get(CacheHeader) == "hit" {
		u.NotModified++
	}
	if s, err := strconv.Atoi(resp.Header.Get("X-Poll-Interval")); err == nil && s > 0 {
		u.PollInterval = max(u.PollInterval, time.Duration(s)*time.Second)
	}
	if n, err := strconv.Atoi(resp.Header.Get(github.HeaderRateLimit)); err == nil {
		u.RateLimit = n
	}
	if n, err := strconv.Atoi(resp.Header.Get(github.HeaderRateRemaining)); err == nil && (u.Remaining < 0 || n <= u.Remaining) {
		u.Remaining = n
		if s, err := strconv.ParseInt(resp.Header.Get(github.HeaderRateReset), 10, 64); err == nil && s > 0 {
			u.Reset = time.Unix(s, 0)
		}
	}
}
