package relay

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestManyDevicesOnePollPerInterval: 200 devices polling through several
// intervals cost upstream exactly one poll per ref per interval, counted
// at the fake GitHub. The clock is fake: intervals pass when the test
// says, so nothing here depends on timing.
func TestManyDevicesOnePollPerInterval(t *testing.T) {
	const devices, intervals = 200, 4
	u := newUpstream(t, testScenario())
	clock := newFakeClock()
	tr := startRelay(t, u, relayOpts{clock: clock, interval: time.Minute})
	pool := testcertsPool(tr.id)
	clients := make([]*http.Client, devices)
	for i := range clients {
		clients[i] = &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{
			TLSClientConfig:   &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"},
			DisableKeepAlives: i%2 == 0, // half as the sketch does: Connection: close
		}}
	}
	for k := range intervals {
		if k > 0 {
			clock.Advance(time.Minute)
		}
		tr.waitRound(t)
		var wg sync.WaitGroup
		errs := make(chan error, devices)
		for i, c := range clients {
			wg.Go(func() {
				for j := range 3 {
					target := testTargets[(i+j)%len(testTargets)]
					resp, err := c.Get(fmt.Sprintf("https://%s/repos/%s/%s/commits/%s/status", tr.addr, target.Owner, target.Repo, target.Ref))
					if err != nil {
						errs <- err
						return
					}
					resp.Body.Close()
					if resp.StatusCode != 200 {
						errs <- fmt.Errorf("device %d: %s", i, resp.Status)
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
	for _, target := range testTargets {
		if n := u.statusRequests(target.Owner, target.Repo, target.Ref); n != intervals {
			t.Errorf("%s: %d upstream polls in %d intervals, want %d", target, n, intervals, intervals)
		}
	}
	for path, n := range u.counts {
		if !strings.HasSuffix(path, "/status") && !strings.HasSuffix(path, "/check-runs") {
			t.Errorf("unexpected upstream request %s (%d)", path, n)
		}
	}
}
