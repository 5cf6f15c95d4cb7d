package devicetls

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// ShutdownGrace is how long Serve lets requests in flight finish once
// asked to stop, before it closes their connections.
const ShutdownGrace = 5 * time.Second

// Serve serves srv on ln (a Listener, or one that wraps it) until ctx is
// done, then stops gracefully: no new connections, requests in flight get
// ShutdownGrace to finish, idle connections are closed, and so are
// connections that have not begun a request. It returns nil after a
// requested stop.
//
// The last point is ours: net/http's Shutdown counts a connection that has
// sent no request yet as busy until it is 5 seconds old, as long as the
// grace. A client that dialled a spare connection it never used (Go's
// transport does, when a request finds another connection free first),
// or one still in its handshake, would make every stop within 5 s of it
// fail. Such a connection holds nothing in flight.
func Serve(ctx context.Context, ln net.Listener, srv *http.Server) error {
	fresh := &newConns{conns: make(map[net.Conn]bool)}
	hook := srv.ConnState
	srv.ConnState = func(c net.Conn, st http.ConnState) {
		fresh.track(c, st)
		if hook != nil {
			hook(c, st)
		}
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("devicetls: serve: %w", err)
	case <-ctx.Done():
	}
	grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownGrace)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(grace) }()
	fresh.closeAll()
	err := <-shut
	if err != nil {
		srv.Close()
	}
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("devicetls: serve: %w", serr)
	}
	if err != nil {
		return fmt.Errorf("devicetls: shutdown: %w", err)
	}
	return nil
}

// newConns are the connections that have not begun a request.
type newConns struct {
	mu       sync.Mutex
	conns    map[net.Conn]bool
	stopping bool
}

func (n *newConns) track(c net.Conn, st http.ConnState) {
	n.mu.Lock()
	stopping := n.stopping
	switch {
	case st == http.StateNew && !stopping:
		n.conns[c] = true
	case st != http.StateNew:
		delete(n.conns, c)
	}
	n.mu.Unlock()
	if st == http.StateNew && stopping {
		// Accepted as the listener closed: it will get no request served.
		closeSocket(c)
	}
}

// closeAll closes the connections that have not begun a request, and any
// that arrive from now on.
func (n *newConns) closeAll() {
	n.mu.Lock()
	n.stopping = true
	conns := n.conns
	n.conns = nil
	n.mu.Unlock()
	for c := range conns {
		closeSocket(c)
	}
}

// closeSocket closes c's socket, not its TLS connection: a close_notify to
// a peer that does not read would wait for the write deadline.
func closeSocket(c net.Conn) {
	if tc, ok := c.(interface{ NetConn() net.Conn }); ok {
		c = tc.NetConn()
	}
	c.Close()
}
