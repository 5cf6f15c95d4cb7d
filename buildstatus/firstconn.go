package buildstatus

import (
	"net/http"
	"net/http/httptrace"
	"sync"
	"sync/atomic"
)

// firstConn holds a Client's requests back until its first request has a
// connection, so that requests made at once share that connection instead
// of each opening one.
//
// net/http dials for every request that finds no idle connection, before
// it can know that the server speaks HTTP/2 and one connection would carry
// them all: the two lists of a ref, asked for at once, cost two TLS
// handshakes, and eight refs checked at once sixteen. Once the first
// request has its connection (httptrace's GotConn), an HTTP/2 connection is
// already in the transport's pool, and the requests let through are
// multiplexed on it. Over HTTP/1.1 they dial their own, as they would have,
// one handshake later. A base RoundTripper that never reports GotConn (not
// net/http) lets the others through when the first request returns.
//
// Only the Client's first request waits for nothing: a connection lost
// later (idle timeout, GOAWAY) is replaced by whichever requests need one.
type firstConn struct {
	base    http.RoundTripper
	started atomic.Bool
	ready   chan struct{} // closed once the first request has a connection or is over
	once    sync.Once
}

func newFirstConn(base http.RoundTripper) *firstConn {
	return &firstConn{base: base, ready: make(chan struct{})}
}

func (f *firstConn) open() { f.once.Do(func() { close(f.ready) }) }

func (f *firstConn) RoundTrip(req *http.Request) (*http.Response, error) {
	if f.started.CompareAndSwap(false, true) {
		defer f.open() // failed before connecting, or never said: let the others try
		ctx := httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(httptrace.GotConnInfo) { f.open() },
		})
		return f.base.RoundTrip(req.WithContext(ctx))
	}
	select {
	case <-f.ready:
		return f.base.RoundTrip(req)
	case <-req.Context().Done():
		if req.Body != nil {
			req.Body.Close() // a RoundTripper closes the body, whatever happens
		}
		return nil, req.Context().Err()
	}
}
