// Package fakeclock is the one fake clock of the project's tests: time that
// moves forward when the code under test sleeps, instead of the test
// waiting, and a hook that lets the test act while it "sleeps".
//
// A *Clock is a watch.Clock: Now and SleepUntil.
package fakeclock

import (
	"context"
	"sync"
	"time"
)

// Clock is a fake clock, safe for concurrent use.
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	sleeps  []time.Time // every SleepUntil's t, in order
	onSleep func(n int, until time.Time)
}

// New returns a Clock reading start.
func New(start time.Time) *Clock { return &Clock{now: start} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// SleepUntil records t, moves the clock to t at once (never backwards),
// runs the OnSleep hook, and returns ctx's error, if any.
func (c *Clock) SleepUntil(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.sleeps = append(c.sleeps, t)
	if t.After(c.now) {
		c.now = t
	}
	n, hook := len(c.sleeps), c.onSleep
	c.mu.Unlock()
	if hook != nil {
		hook(n, t)
	}
	return ctx.Err()
}

// OnSleep sets what runs after each SleepUntil has moved the clock: n
// counts sleeps from 1, until is the time slept until. It runs on the
// sleeper's goroutine and may cancel its context; nil removes it.
func (c *Clock) OnSleep(fn func(n int, until time.Time)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.onSleep = fn
}

// Sleeps are the times slept until, in order.
func (c *Clock) Sleeps() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Time(nil), c.sleeps...)
}

// Waits are the durations of the sleeps, each from the one before, the
// first from start.
func (c *Clock) Waits(start time.Time) []time.Duration {
	var out []time.Duration
	prev := start
	for _, t := range c.Sleeps() {
		out = append(out, t.Sub(prev))
		prev = t
	}
	return out
}
