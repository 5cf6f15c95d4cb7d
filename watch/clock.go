package watch

import (
	"context"
	"time"
)

// Clock is where a Watcher reads the time and waits. Tests give one that
// moves time forward instead of sleeping.
type Clock interface {
	Now() time.Time
	// SleepUntil returns at t (at once if t has passed), or earlier with
	// ctx's error once ctx is done.
	SleepUntil(ctx context.Context, t time.Time) error
}

// RealClock is the wall clock.
var RealClock Clock = realClock{}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) SleepUntil(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
