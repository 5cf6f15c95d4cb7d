package bundle

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

var sharedAnchors = sync.OnceValue(func() *testcerts.Anchors { return testcerts.NewAnchors(testcerts.Now) })

func fixedClock() time.Time { return testcerts.Now }

// server starts a loopback HTTPS server presenting leaf, answering with
// handler (nil: 200 "ok"). It stops when the test ends.
func server(t testing.TB, leaf *testcerts.Leaf, handler http.Handler) *httptest.Server {
	t.Helper()
	if handler == nil {
		handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	}
	srv := httptest.NewUnstartedServer(handler)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf.TLS()}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// target is srv as a HOST:PORT target named localhost.
func target(t testing.TB, srv *httptest.Server) Target {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	port, _ := strconv.Atoi(u.Port())
	return Target{Host: "localhost", Port: port}
}

// urlTarget is srv's URL with path, named localhost.
func urlTarget(t testing.TB, srv *httptest.Server, path string) Target {
	t.Helper()
	tg := target(t, srv)
	tg.URL = &url.URL{Scheme: "https", Host: net.JoinHostPort("localhost", strconv.Itoa(tg.Port)), Path: path}
	return tg
}

// observe contacts targets with the candidates as roots on the fixed
// clock, then judges every host.
func observe(t testing.TB, candidates []*x509.Certificate, targets ...Target) []*Host {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	trust := &clientsecure.Trust{Roots: testcerts.Pool(candidates...), Time: fixedClock, DialContext: loopback}
	hosts := (&Observer{Trust: trust, Jobs: 4}).Observe(ctx, targets)
	v := Verifier{Roots: trust.Roots, Time: fixedClock}
	for _, h := range hosts {
		v.Judge(h)
	}
	return hosts
}

// loopback dials localhost as 127.0.0.1, so that tests do not depend on
// how the machine resolves it.
func loopback(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if host == "localhost" {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// offline is a host that sent leaf's chain, judged against candidates
// without a network.
func offline(t testing.TB, name string, port int, leaf *testcerts.Leaf, candidates ...*x509.Certificate) *Host {
	t.Helper()
	h := &Host{Name: name, Port: port, Sent: leaf.Chain}
	Verifier{Roots: testcerts.Pool(candidates...), Time: fixedClock}.Judge(h)
	return h
}

func subjects(b *Bundle) []string {
	var out []string
	for _, a := range b.Anchors {
		out = append(out, a.Cert.Subject.CommonName)
	}
	return out
}
