package clientsecure_test

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// server is a loopback TLS server presenting one leaf. It counts the
// application bytes it reads: a refused client must send none.
type server struct {
	addr     string
	received atomic.Int64
}

// startServer serves leaf at version (0: any) until the test ends. Each
// connection reads a line and answers "ok\n".
func startServer(t testing.TB, leaf *testcerts.Leaf, version uint16) *server {
	t.Helper()
	cfg := &tls.Config{
		Certificates: []tls.Certificate{leaf.TLS()},
		MinVersion:   version,
		MaxVersion:   version,
		Time:         func() time.Time { return testcerts.Now },
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &server{addr: ln.Addr().String()}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.handle(c)
		}
	}()
	return s
}

func (s *server) handle(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 1)
	for {
		n, err := c.Read(buf)
		s.received.Add(int64(n))
		if err != nil {
			return
		}
		if buf[0] == '\n' {
			io.WriteString(c, "ok\n")
		}
	}
}

func ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var versions = []struct {
	name    string
	version uint16
}{
	{"TLS1.2", tls.VersionTLS12},
	{"TLS1.3", tls.VersionTLS13},
}
