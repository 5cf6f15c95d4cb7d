package devicetls

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// Stopping does not wait on connections that have begun no request (a
// spare connection a client dialled and never used, one still before its
// handshake): net/http's Shutdown alone counts them busy for 5 s, as long
// as ShutdownGrace, and Serve then failed with "context deadline
// exceeded". A request in flight is still answered.
func TestServeStopsWithConnectionsThatSentNothing(t *testing.T) {
	cert, err := NewCertificate([]string{"127.0.0.1"}, KeySpec{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := raw.Addr().String()
	inHandler, release := make(chan struct{}), make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(inHandler)
		<-release
		io.WriteString(w, "answered")
	})}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, Listen(raw, Config(cert, Options{}), Options{}), srv) }()

	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(leaf)
	tlsConf := &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"}

	// A request in flight when the stop comes.
	answer := make(chan string, 1)
	go func() {
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConf}}
		resp, err := c.Get("https://" + addr + "/")
		if err != nil {
			answer <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answer <- string(b)
	}()
	<-inHandler
	// A connection through its handshake that sends no request, and one
	// that sends nothing at all.
	idle, err := tls.Dial("tcp", addr, tlsConf)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	silent, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()

	cancel()
	close(release)
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if got := <-answer; got != "answered" {
		t.Errorf("the request in flight got %q", got)
	}
}
