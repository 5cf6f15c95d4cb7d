package clientsecure_test

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// newHTTPSServer serves leaf over HTTP/2 and HTTP/1.1 on loopback and
// counts the requests that reached the handler.
func newHTTPSServer(t *testing.T, leaf *testcerts.Leaf) (*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, r.Proto)
	}))
	srv.EnableHTTP2 = true
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf.TLS()}, Time: func() time.Time { return testcerts.Now }}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &hits
}

func get(t *testing.T, c *http.Client, u string) (string, error) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx(t), http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer secret-token")
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestClientHTTP2AndPins(t *testing.T) {
	p := testcerts.Shared()
	srv, hits := newHTTPSServer(t, p.Good)
	fixed := func() time.Time { return testcerts.Now }
	trust := &clientsecure.Trust{Roots: testcerts.Pool(p.Root.Cert), Pins: []clientsecure.Pin{clientsecure.CertificatePins(p.Good.Cert).SHA1}, Time: fixed}
	c := clientsecure.NewClient(trust)
	defer c.CloseIdleConnections()
	for range 2 {
		proto, err := get(t, c, srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		if proto != "HTTP/2.0" {
			t.Fatalf("served over %s, want HTTP/2.0", proto)
		}
	}

	wrong, _ := clientsecure.ParsePin(docSHA1)
	bad := clientsecure.NewClient(&clientsecure.Trust{Roots: testcerts.Pool(p.Root.Cert), Pins: []clientsecure.Pin{wrong}, Time: fixed})
	before := hits.Load()
	_, err := get(t, bad, srv.URL)
	var ie *clientsecure.IdentityError
	if !errors.As(err, &ie) || ie.Reason != clientsecure.ReasonPinMismatch {
		t.Fatalf("want pin mismatch, got %v", err)
	}
	if hits.Load() != before {
		t.Fatal("the request reached a server that failed verification")
	}
}

// connectProxy is a loopback HTTPS proxy that tunnels CONNECT and records
// the targets it was asked for.
func connectProxy(t *testing.T, status int) (*url.URL, *atomic.Int64) {
	var tunnels atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		if status != http.StatusOK {
			w.WriteHeader(status)
			return
		}
		upstream, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		tunnels.Add(1)
		w.WriteHeader(http.StatusOK)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			upstream.Close()
			return
		}
		go func() { io.Copy(upstream, buf); upstream.Close() }()
		io.Copy(conn, upstream)
		conn.Close()
	}))
	t.Cleanup(proxy.Close)
	u, _ := url.Parse(proxy.URL)
	return u, &tunnels
}

func TestClientThroughProxy(t *testing.T) {
	p := testcerts.Shared()
	origin, _ := newHTTPSServer(t, p.Good)
	proxyURL, tunnels := connectProxy(t, http.StatusOK)
	via := func(*url.URL) (*url.URL, error) { return proxyURL, nil }
	fixed := func() time.Time { return testcerts.Now }

	// Pinned to the origin's leaf: passes through the tunnel.
	trust := &clientsecure.Trust{Roots: testcerts.Pool(p.Root.Cert), Pins: []clientsecure.Pin{clientsecure.CertificatePins(p.Good.Cert).SPKI}, Time: fixed}
	c := &http.Client{Transport: clientsecure.NewTransportProxy(trust, via)}
	if _, err := get(t, c, origin.URL); err != nil {
		t.Fatal(err)
	}
	if tunnels.Load() != 1 {
		t.Fatalf("%d tunnels, want 1", tunnels.Load())
	}

	// Pinned to something else: the origin is refused even though the
	// proxy is fine.
	wrong, _ := clientsecure.ParsePin(docSHA1)
	bad := &http.Client{Transport: clientsecure.NewTransportProxy(&clientsecure.Trust{Roots: testcerts.Pool(p.Root.Cert), Pins: []clientsecure.Pin{wrong}, Time: fixed}, via)}
	_, err := get(t, bad, origin.URL)
	var ie *clientsecure.IdentityError
	if !errors.As(err, &ie) || ie.Host != "127.0.0.1" {
		t.Fatalf("want the origin's identity refused, got %v", err)
	}

	// A proxy that refuses CONNECT says so.
	refusing, _ := connectProxy(t, http.StatusForbidden)
	c = &http.Client{Transport: clientsecure.NewTransportProxy(trust, func(*url.URL) (*url.URL, error) { return refusing, nil })}
	if _, err := get(t, c, origin.URL); err == nil || !strings.Contains(err.Error(), "refused CONNECT") {
		t.Fatalf("want a refused CONNECT, got %v", err)
	}
}

// A proxy that answers CONNECT and then speaks before the origin could
// is not trusted with the handshake.
func TestProxyTalkingFirst(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		bufio.NewReader(c).ReadString('\n')
		io.WriteString(c, "HTTP/1.1 200 OK\r\n\r\nEXTRA")
		time.Sleep(time.Second)
	}()
	proxyURL := &url.URL{Scheme: "http", Host: ln.Addr().String()}
	c := &http.Client{Transport: clientsecure.NewTransportProxy(&clientsecure.Trust{}, func(*url.URL) (*url.URL, error) { return proxyURL, nil })}
	_, err = get(t, c, "https://127.0.0.1:1/")
	if err == nil || !strings.Contains(err.Error(), "sent data after CONNECT") {
		t.Fatalf("got %v", err)
	}
}

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"https://api.github.com/repos", "https://API.github.com:443/x", true},
		{"http://h/", "http://h:80/", true},
		{"https://h/", "http://h/", false},
		{"https://h/", "https://h:8443/", false},
		{"https://h/", "https://evil.h/", false},
		{"https://[::1]:8443/", "https://[::1]:8443/y", true},
	} {
		a, _ := url.Parse(tc.a)
		b, _ := url.Parse(tc.b)
		if got := clientsecure.SameOrigin(a, b); got != tc.want {
			t.Errorf("SameOrigin(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
