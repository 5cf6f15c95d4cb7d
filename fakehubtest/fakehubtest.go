// Package fakehubtest serves a [fakehub.Hub] for tests, as net/http/httptest
// serves a handler: over TLS with HTTP/2 on a loopback port (or the caller's
// listener), counting what clients cost it: TCP connections, TLS handshakes
// and requests per route.
//
// It lives apart from fakehub so that the server `clientsecure serve` runs
// does not carry test scaffolding.
package fakehubtest

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clientsecure/clientsecure/fakehub"
)

// Server is a Hub behind a TLS server. The exported fields other than URL
// and Hub may be set between NewUnstartedServer and Start, and not after.
type Server struct {
	URL  string // https://127.0.0.1:PORT, the API base; set by Start
	Hub  *fakehub.Hub
	Cert tls.Certificate // what the server presents, chain included

	// Listener is where Start serves; nil means a new one on 127.0.0.1
	// with a random port.
	Listener net.Listener
	// TLS is the server's configuration; nil means Cert with Go's
	// defaults. Start clones it.
	TLS *tls.Config
	// Handler answers the requests; nil means Hub. A test wraps Hub here
	// to hold requests back or to watch them.
	Handler http.Handler
	// HTTP1 turns HTTP/2 off.
	HTTP1 bool

	ts            *httptest.Server
	conns, hellos atomic.Int64
	mu            sync.Mutex
	routes        map[string]int
}

// NewUnstartedServer returns a Server for sc (nil: fakehub's default
// scenario) presenting cert, to be changed and then started with Start.
func NewUnstartedServer(sc *fakehub.Scenario, cert tls.Certificate) *Server {
	return &Server{Hub: fakehub.New(sc), Cert: cert, routes: map[string]int{}}
}

// NewServer starts a Server for sc presenting cert on 127.0.0.1. Close it
// when done.
func NewServer(sc *fakehub.Scenario, cert tls.Certificate) *Server {
	s := NewUnstartedServer(sc, cert)
	s.Start()
	return s
}

// Start serves until Close.
func (s *Server) Start() {
	if s.ts != nil {
		panic("fakehubtest: Server started twice")
	}
	h := s.Handler
	if h == nil {
		h = s.Hub
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.routes[fakehub.Route(r.URL.Path)]++
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	if s.Listener != nil {
		ts.Listener.Close()
		ts.Listener = s.Listener
	}
	ts.EnableHTTP2 = !s.HTTP1
	cfg := &tls.Config{Certificates: []tls.Certificate{s.Cert}}
	if s.TLS != nil {
		cfg = s.TLS.Clone()
	}
	next := cfg.GetConfigForClient
	cfg.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		s.hellos.Add(1)
		if next != nil {
			return next(hello)
		}
		return nil, nil
	}
	ts.TLS = cfg
	ts.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	// Tests make handshakes fail and cancel requests on purpose; the
	// server's log of them would go to stderr.
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	s.ts, s.URL, s.Listener = ts, ts.URL, ts.Listener
}

// Close shuts the server down and waits for its requests to finish.
func (s *Server) Close() { s.ts.Close() }

// CloseClientConnections closes every open connection, as a server that
// went away would.
func (s *Server) CloseClientConnections() { s.ts.CloseClientConnections() }

// Addr is the HOST:PORT the server listens on.
func (s *Server) Addr() string { return s.Listener.Addr().String() }

// Conns is the number of TCP connections accepted so far.
func (s *Server) Conns() int64 { return s.conns.Load() }

// Handshakes is the number of TLS handshakes begun so far (ClientHellos
// received), resumed ones included.
func (s *Server) Handshakes() int64 { return s.hellos.Load() }

// Requests is the number of requests so far for route, a name from
// [fakehub.Route] ("repo", "status", "check-runs", "pull", "rules",
// "protection"); "" counts the paths that are none of them.
func (s *Server) Requests(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.routes[route]
}

// Client is an HTTP client that trusts the server's leaf certificate and
// verifies it at the current time.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// ClientAt is Client verifying the server's certificate as of now instead
// of the current time, for certificates valid on a test's fixed clock.
func (s *Server) ClientAt(now time.Time) *http.Client {
	base := s.ts.Client().Transport.(*http.Transport)
	tr := base.Clone()
	tr.TLSClientConfig = base.TLSClientConfig.Clone()
	tr.TLSClientConfig.Time = func() time.Time { return now }
	return &http.Client{Transport: tr}
}
