package main

import (
	"context"
	"testing"
	"time"
)

// --timeout 0 is no limit at all; a positive one is the deadline; a
// negative one is refused (it used to mean no limit, silently).
func TestTimeoutFlag(t *testing.T) {
	f := &trustFlags{timeout: 0}
	ctx, cancel := f.withTimeout(context.Background())
	defer cancel()
	if _, ok := ctx.Deadline(); ok {
		t.Error("--timeout 0 set a deadline")
	}
	f.timeout = 5 * time.Second
	ctx, cancel = f.withTimeout(context.Background())
	defer cancel()
	if d, ok := ctx.Deadline(); !ok || time.Until(d) > 5*time.Second {
		t.Errorf("--timeout 5s: deadline %v %v", d, ok)
	}
	for _, d := range []time.Duration{-time.Nanosecond, -5 * time.Second} {
		f.timeout = d
		if _, err := f.trust(func(string, ...any) {}); err == nil || codeOf(err) != exitUsage {
			t.Errorf("--timeout %s: %v, want a usage error", d, err)
		}
	}
}
