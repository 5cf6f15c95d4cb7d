package relay

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/clientsecure/clientsecure/devicetls"
)

// Limits on device connections.
const (
	HeaderTimeout   = 10 * time.Second // handshake and request headers
	IdleTimeout     = 30 * time.Second // a keep-alive connection between requests
	WriteTimeout    = 10 * time.Second // a reply to a device that does not read
	DefaultMaxConns = 1000
	maxHeaderBytes  = 8 << 10
)

// Server serves a handler to devices over a devicetls.Listener within the
// limits of the package documentation.
type Server struct {
	Handler  http.Handler
	Listener *devicetls.Listener
	MaxConns int      // 0 means DefaultMaxConns
	Metrics  *Metrics // required
}

// Serve serves until ctx is done, then stops gracefully (see
// devicetls.Serve).
func (s *Server) Serve(ctx context.Context) error {
	max := s.MaxConns
	if max <= 0 {
		max = DefaultMaxConns
	}
	t := &tracker{max: max, m: s.Metrics, conns: make(map[net.Conn]*tracked)}
	srv := &http.Server{
		Handler:           s.Handler,
		ReadHeaderTimeout: HeaderTimeout,
		IdleTimeout:       IdleTimeout,
		WriteTimeout:      WriteTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ConnState:         t.state,
		ErrorLog:          log.New(io.Discard, "", 0), // devices' failures are counted, not logged
	}
	s.Listener.OnHandshake = s.Metrics.Handshake
	return devicetls.Serve(ctx, &trackingListener{Listener: s.Listener, t: t}, srv)
}

// tracker counts the device connections that hold a slot.
type tracker struct {
	max int
	m   *Metrics

	mu    sync.Mutex
	conns map[net.Conn]*tracked
}

type tracked struct {
	state http.ConnState
	since time.Time // of the state
}

// admit takes a slot for c, closing the oldest idle connection (else the
// oldest one that has not sent a request) when none is free. With every
// slot serving a request, c itself is refused.
func (t *tracker) admit(c net.Conn) bool {
	t.mu.Lock()
	var victim net.Conn
	if len(t.conns) >= t.max {
		if victim = t.oldestIdle(); victim == nil {
			t.mu.Unlock()
			t.m.evicted.WithLabelValues("refused").Inc()
			return false
		}
		t.dropLocked(victim)
	}
	t.conns[c] = &tracked{state: http.StateNew, since: time.Now()}
	t.m.conns.Set(float64(len(t.conns)))
	t.mu.Unlock()
	if victim != nil {
		// The socket, not the TLS connection: no close_notify to a peer
		// that may not read it.
		victim.(*devicetls.Conn).NetConn().Close()
		t.m.evicted.WithLabelValues("evicted").Inc()
	}
	return true
}

func (t *tracker) oldestIdle() net.Conn {
	var best net.Conn
	var bestT *tracked
	for c, tr := range t.conns {
		if tr.state == http.StateActive {
			continue
		}
		better := bestT == nil ||
			(tr.state == http.StateIdle && bestT.state != http.StateIdle) ||
			(tr.state == bestT.state && tr.since.Before(bestT.since))
		if better {
			best, bestT = c, tr
		}
	}
	return best
}

// state follows net/http's view of each connection.
func (t *tracker) state(c net.Conn, s http.ConnState) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch s {
	case http.StateClosed, http.StateHijacked:
		t.dropLocked(c)
	default:
		if tr, ok := t.conns[c]; ok {
			tr.state, tr.since = s, time.Now()
		}
	}
}

// release frees c's slot: it is closing.
func (t *tracker) release(c net.Conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.dropLocked(c)
}

func (t *tracker) dropLocked(c net.Conn) {
	if _, ok := t.conns[c]; ok {
		delete(t.conns, c)
		t.m.conns.Set(float64(len(t.conns)))
	}
}

// trackingListener admits each accepted connection into the tracker.
type trackingListener struct {
	*devicetls.Listener
	t *tracker
}

func (l *trackingListener) Accept() (net.Conn, error) {
	for {
		raw, err := l.Listener.Listener.Accept()
		if err != nil {
			return nil, err
		}
		c := l.Listener.Server(raw)
		if !l.t.admit(c) {
			raw.Close()
			continue
		}
		// After a Connection: close reply net/http half-closes and lingers
		// before closing: the slot is free from the half-close.
		c.OnCloseWrite = func() { l.t.release(c) }
		return c, nil
	}
}
