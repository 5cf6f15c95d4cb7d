package fakeclock

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestSleepMovesTimeAndRunsTheHook(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := New(start)
	ctx, cancel := context.WithCancel(context.Background())
	var hooked []int
	c.OnSleep(func(n int, until time.Time) {
		hooked = append(hooked, n)
		if !c.Now().Equal(until) && n != 2 {
			t.Errorf("sleep %d: hook sees %v, want %v", n, c.Now(), until)
		}
		if n == 3 {
			cancel()
		}
	})
	if err := c.SleepUntil(ctx, start.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	// A time already passed does not move the clock back.
	if err := c.SleepUntil(ctx, start); err != nil || !c.Now().Equal(start.Add(time.Minute)) {
		t.Fatalf("sleeping into the past: %v, now %v", err, c.Now())
	}
	if err := c.SleepUntil(ctx, start.Add(3*time.Minute)); !errors.Is(err, context.Canceled) {
		t.Fatalf("a hook that cancels: %v, want context.Canceled", err)
	}
	if err := c.SleepUntil(ctx, start.Add(4*time.Minute)); !errors.Is(err, context.Canceled) || len(c.Sleeps()) != 3 {
		t.Fatalf("sleeping on a done context: %v, %d sleeps recorded, want 3", err, len(c.Sleeps()))
	}
	want := []time.Duration{time.Minute, -time.Minute, 3 * time.Minute}
	got := c.Waits(start)
	if len(got) != len(want) || len(hooked) != 3 {
		t.Fatalf("waits %v (want %v), hook ran for %v", got, want, hooked)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("wait %d = %v, want %v", i, got[i], want[i])
		}
	}
	c.Advance(time.Hour)
	if !c.Now().Equal(start.Add(3*time.Minute + time.Hour)) {
		t.Errorf("Advance: now %v", c.Now())
	}
}
