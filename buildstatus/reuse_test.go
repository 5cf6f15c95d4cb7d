package buildstatus

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/fakehub"
	"github.com/clientsecure/clientsecure/fakehubtest"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// countingHub is fakehub on loopback TLS, counting connections and
// handshakes, that makes each ref's two lists meet: the status request of
// a ref is answered only once its check-runs request has arrived, and the
// other way round, so a client that fetched them one after the other would
// hang until its context ended.
type countingHub struct {
	*fakehubtest.Server

	mu       sync.Mutex
	arrivals map[string]chan struct{} // "REFPATH status" or "REFPATH check-runs", closed on arrival
}

func startCountingHub(t *testing.T, sc *fakehub.Scenario, http2 bool) *countingHub {
	t.Helper()
	h := &countingHub{arrivals: map[string]chan struct{}{}}
	h.Server = fakehubtest.NewUnstartedServer(sc, testcerts.Shared().Good.TLS())
	h.HTTP1 = !http2
	h.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.meet(r)
		h.Hub.ServeHTTP(w, r)
	})
	h.Start()
	t.Cleanup(h.Close)
	return h
}

// meet holds a list request until the other list of the same ref has been
// asked for (or the request is given up).
func (h *countingHub) meet(r *http.Request) {
	ref, list, ok := cutLast(r.URL.Path)
	if !ok {
		return
	}
	other := map[string]string{"status": "check-runs", "check-runs": "status"}[list]
	h.mu.Lock()
	mine, theirs := h.arrival(ref+" "+list), h.arrival(ref+" "+other)
	select {
	case <-mine:
	default:
		close(mine)
	}
	h.mu.Unlock()
	select {
	case <-theirs:
	case <-r.Context().Done():
	}
}

func (h *countingHub) arrival(key string) chan struct{} {
	c, ok := h.arrivals[key]
	if !ok {
		c = make(chan struct{})
		h.arrivals[key] = c
	}
	return c
}

// cutLast splits /repos/O/R/commits/REF/status into the ref's path and
// "status" (or "check-runs").
func cutLast(path string) (ref, list string, ok bool) {
	i := strings.LastIndex(path, "/")
	if i < 0 || !strings.Contains(path[:i], "/commits/") {
		return "", "", false
	}
	ref, list = path[:i], path[i+1:]
	return ref, list, list == "status" || list == "check-runs"
}

// handshakes counts, from the client's side, the connections and TLS
// handshakes of the requests made with a context carrying it.
type handshakes struct{ connects, tls atomic.Int64 }

func (c *handshakes) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		ConnectStart:      func(string, string) { c.connects.Add(1) },
		TLSHandshakeStart: func() { c.tls.Add(1) },
	}
}

// A ref's status costs one verified connection and one handshake over
// HTTP/2, with its two lists fetched at once on that connection (the
// server makes them meet). Before firstConn, net/http dialed one connection
// for each list.
func TestOneCheckOneHandshake(t *testing.T) {
	for _, ref := range []string{"master", ""} { // "": the default branch first, three requests
		t.Run("ref="+ref, func(t *testing.T) {
			srv := startCountingHub(t, nil, true)
			hc := clientsecure.NewClient(verifiedClient())
			t.Cleanup(hc.CloseIdleConnections)
			var count handshakes
			ctx := httptrace.WithClientTrace(testCtx(t), count.trace())
			c := newTestClient(t, hc, srv.URL, testToken)
			for range 2 { // the second check finds the connection open
				res, err := c.Check(ctx, Target{Owner: "esp8266", Repo: "Arduino", Ref: ref}, Want{})
				if err != nil || res.State != StateSuccess {
					t.Fatalf("%+v %v", res, err)
				}
			}
			if got := [4]int64{count.connects.Load(), count.tls.Load(), srv.Conns(), srv.Handshakes()}; got != [4]int64{1, 1, 1, 1} {
				t.Errorf("client connects, handshakes; server connections, hellos = %v, want one of each", got)
			}
		})
	}
}

// Over HTTP/1.1 a connection carries one request at a time: the two lists
// still go at once, on two connections.
func TestCheckOverHTTP1(t *testing.T) {
	srv := startCountingHub(t, nil, false)
	hc := clientsecure.NewClient(verifiedClient())
	t.Cleanup(hc.CloseIdleConnections)
	var count handshakes
	ctx := httptrace.WithClientTrace(testCtx(t), count.trace())
	res, err := newTestClient(t, hc, srv.URL, testToken).Check(ctx, Target{Owner: "esp8266", Repo: "Arduino", Ref: "master"}, Want{})
	if err != nil || res.State != StateSuccess {
		t.Fatalf("%+v %v", res, err)
	}
	if n := count.tls.Load(); n != 2 {
		t.Errorf("%d handshakes, want 2: one per list, both in flight at once", n)
	}
}

// firstConn lets nothing through while the first request has no
// connection, and everything once it has one or is over; a request it
// holds honours its context.
func TestFirstConnHoldsUntilTheFirstRequestIsDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var seen atomic.Int64
		// Not net/http: no GotConn, so the first request's return opens.
		gate := newFirstConn(roundTripFunc(func(r *http.Request) (*http.Response, error) {
			seen.Add(1)
			<-release
			return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
		}))
		get := func(ctx context.Context) error {
			req, _ := http.NewRequestWithContext(ctx, "GET", "https://example.invalid/", nil)
			_, err := gate.RoundTrip(req)
			return err
		}
		var wg sync.WaitGroup
		var errs [3]error
		wg.Go(func() { errs[0] = get(t.Context()) })
		synctest.Wait()
		ctx, cancel := context.WithCancel(t.Context())
		wg.Go(func() { errs[1] = get(ctx) })
		wg.Go(func() { errs[2] = get(t.Context()) })
		synctest.Wait()
		if n := seen.Load(); n != 1 {
			t.Fatalf("%d requests reached the transport while the first had no connection, want 1", n)
		}
		cancel()
		synctest.Wait()
		close(release)
		wg.Wait()
		if n := seen.Load(); n != 2 || errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], context.Canceled) {
			t.Fatalf("%d requests reached the transport (want 2); errors %v", n, errs)
		}
	})
}
