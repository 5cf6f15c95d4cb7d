package check

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// server is a loopback TLS server whose chain can be rotated, counting
// the handshakes it sees and the ALPN protocols offered.
type server struct {
	ln      net.Listener
	leaf    atomic.Pointer[testcerts.Leaf]
	conns   atomic.Int32
	mu      sync.Mutex
	offered [][]string
}

// startServer serves leaf's chain; protos, if any, are the only ALPN
// protocols it accepts (a broker speaking only "mqtt" refuses a client
// that offers HTTP).
func startServer(t testing.TB, leaf *testcerts.Leaf, protos ...string) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{ln: ln}
	s.leaf.Store(leaf)
	cfg := &tls.Config{
		NextProtos: protos,
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			s.mu.Lock()
			s.offered = append(s.offered, hello.SupportedProtos)
			s.mu.Unlock()
			return nil, nil
		},
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			c := s.leaf.Load().TLS()
			return &c, nil
		},
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.conns.Add(1)
			go func() {
				defer c.Close()
				tc := tls.Server(c, cfg)
				tc.Handshake()
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *server) addr() string { return s.ln.Addr().String() }

// rotate makes the server present leaf from now on.
func (s *server) rotate(leaf *testcerts.Leaf) { s.leaf.Store(leaf) }

// resolver maps "host:port" to loopback addresses, as --resolve does;
// any other address is refused.
type resolver map[string]string

func (r resolver) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	to, ok := r[addr]
	if !ok {
		return nil, fmt.Errorf("dial %s: no route in this test", addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, to)
}
