package fakehub_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	. "github.com/clientsecure/clientsecure/fakehub"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// A request in flight when the context is cancelled still gets its whole
// answer; then ListenAndServe returns nil and the port is closed.
func TestListenAndServeShutsDownGracefully(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started, release := make(chan struct{}), make(chan struct{})
	hub := New(nil)
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		hub.ServeHTTP(w, r)
	})
	addrc := make(chan net.Addr, 1)
	served := make(chan error, 1)
	cfg := &tls.Config{Certificates: []tls.Certificate{testcerts.Shared().Good.TLS()}}
	go func() { served <- ListenAndServe(ctx, "127.0.0.1:0", slow, cfg, func(a net.Addr) { addrc <- a }) }()
	addr := (<-addrc).String()
	if strings.HasSuffix(addr, ":0") {
		t.Fatalf("ready got %s, not the bound port", addr)
	}

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := httpClient().Get("https://" + addr + "/repos/esp8266/Arduino/commits/master/status")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		got <- result{resp.StatusCode, string(body), err}
	}()
	<-started
	cancel()
	// Shutdown closes the listener first: once a dial is refused, it is
	// waiting for the request in flight.
	for {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		conn.Close()
	}
	close(release)
	r := <-got
	if r.err != nil || r.status != 200 || !strings.HasPrefix(r.body, `{"state":"success"`) {
		t.Errorf("request in flight: %d %q %v", r.status, r.body, r.err)
	}
	if err := <-served; err != nil {
		t.Errorf("ListenAndServe: %v", err)
	}
}

func TestListenAndServeErrors(t *testing.T) {
	ctx := context.Background()
	for _, cfg := range []*tls.Config{nil, {}} {
		err := ListenAndServe(ctx, "127.0.0.1:0", New(nil), cfg, nil)
		if err == nil || !strings.HasPrefix(err.Error(), "fakehub: listen: the TLS configuration has no certificate") {
			t.Errorf("config %v: %v", cfg, err)
		}
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cfg := &tls.Config{Certificates: []tls.Certificate{testcerts.Shared().Good.TLS()}}
	err = ListenAndServe(ctx, busy.Addr().String(), New(nil), cfg, func(net.Addr) { t.Error("ready called without a listener") })
	var opErr *net.OpError
	if !errors.As(err, &opErr) || !strings.HasPrefix(err.Error(), "fakehub: listen: ") {
		t.Errorf("address in use: %v", err)
	}
}
