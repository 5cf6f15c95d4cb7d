package buildstatus

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
)

// CheckAll keeps the order asked, passes each call's error along, and
// runs limit checks at once, no more.
func TestCheckAllKeepsOrderAndLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n, limit = 20, 3
		var mu sync.Mutex
		running, most := 0, 0
		release := make(chan struct{})
		done := make(chan []Outcome)
		go func() {
			done <- CheckAll(t.Context(), n, limit, func(ctx context.Context, i int) (*Result, error) {
				mu.Lock()
				running++
				most = max(most, running)
				mu.Unlock()
				<-release
				mu.Lock()
				running--
				mu.Unlock()
				if i%5 == 0 {
					return nil, fmt.Errorf("check %d failed", i)
				}
				return &Result{Ref: fmt.Sprint(i)}, nil
			})
		}()
		synctest.Wait() // every goroutine blocked: as many checks as may run
		mu.Lock()
		if running != limit {
			t.Errorf("%d checks running at once, want %d", running, limit)
		}
		mu.Unlock()
		close(release)
		out := <-done
		if len(out) != n || most != limit {
			t.Fatalf("%d outcomes (want %d), at most %d at once (want %d)", len(out), n, most, limit)
		}
		for i, o := range out {
			if i%5 == 0 {
				if o.Result != nil || o.Err == nil || o.Err.Error() != fmt.Sprintf("check %d failed", i) {
					t.Errorf("outcome %d: %+v", i, o)
				}
			} else if o.Err != nil || o.Result == nil || o.Result.Ref != fmt.Sprint(i) {
				t.Errorf("outcome %d: %+v", i, o)
			}
		}
	})
}
