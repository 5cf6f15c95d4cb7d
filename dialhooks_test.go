package clientsecure_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// startALPNServer is a loopback TLS server that accepts only the given
// ALPN protocols (none: it ignores ALPN) and answers each connection
// with the protocol negotiated and a newline.
func startALPNServer(t *testing.T, leaf *testcerts.Leaf, protos []string) string {
	t.Helper()
	cfg := &tls.Config{Certificates: []tls.Certificate{leaf.TLS()}, NextProtos: protos, Time: func() time.Time { return testcerts.Now }}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				tc := c.(*tls.Conn)
				if tc.Handshake() == nil {
					io.WriteString(tc, tc.ConnectionState().NegotiatedProtocol+"\n")
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func readLine(t *testing.T, c net.Conn) string {
	t.Helper()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(string(b), "\n")
}

// Dial offers no HTTP protocols: a broker whose only protocol is mqtt
// (crypto/tls refuses a client offering only others with
// no_application_protocol) and a server without ALPN are both reached.
func TestDialNonHTTPServer(t *testing.T) {
	p := testcerts.Shared()
	roots := testcerts.Pool(p.Root.Cert)
	for _, tc := range []struct {
		name   string
		server []string
		offer  []string
		want   string
	}{
		{"mqtt-only server, nothing offered", []string{"mqtt"}, nil, ""},
		{"mqtt-only server, mqtt offered", []string{"mqtt"}, []string{"mqtt"}, "mqtt"},
		{"no ALPN at all", nil, nil, ""},
		{"no ALPN, mqtt offered", nil, []string{"mqtt"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := startALPNServer(t, p.Good, tc.server)
			trust := &clientsecure.Trust{Roots: roots, Time: func() time.Time { return testcerts.Now }, NextProtos: tc.offer}
			conn, err := clientsecure.Dial(ctx(t), "tcp", addr, trust)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if got := readLine(t, conn); got != tc.want {
				t.Errorf("negotiated %q, want %q", got, tc.want)
			}
		})
	}
	// Config follows NextProtos too: empty by default.
	if got := (&clientsecure.Trust{}).Config("localhost").NextProtos; len(got) != 0 {
		t.Errorf("Config offers %q by default, want nothing", got)
	}
}

// The HTTP transport offers h2 and http/1.1 itself, whatever NextProtos
// says.
func TestTransportOffersHTTP(t *testing.T) {
	p := testcerts.Shared()
	srv, _ := newHTTPSServer(t, p.Good)
	trust := &clientsecure.Trust{Roots: testcerts.Pool(p.Root.Cert), Time: func() time.Time { return testcerts.Now }, NextProtos: []string{"mqtt"}}
	c := clientsecure.NewClient(trust)
	defer c.CloseIdleConnections()
	proto, err := get(t, c, srv.URL)
	if err != nil || proto != "HTTP/2.0" {
		t.Fatalf("got %q, %v; want HTTP/2.0", proto, err)
	}
}

// loopbackDialer connects every dial to addr, recording what was asked.
type loopbackDialer struct {
	mu    sync.Mutex
	addr  string
	asked []string
}

func (d *loopbackDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.asked = append(d.asked, addr)
	d.mu.Unlock()
	var nd net.Dialer
	return nd.DialContext(ctx, network, d.addr)
}

// DialContext carries the connection elsewhere while the name verified
// and sent in SNI stays the one asked for: Dial and the transport both.
func TestDialContextKeepsTheName(t *testing.T) {
	p := testcerts.Shared()
	var sni []string
	var mu sync.Mutex
	cfg := &tls.Config{
		Certificates: []tls.Certificate{p.Good.TLS()},
		Time:         func() time.Time { return testcerts.Now },
		GetConfigForClient: func(hi *tls.ClientHelloInfo) (*tls.Config, error) {
			mu.Lock()
			sni = append(sni, hi.ServerName)
			mu.Unlock()
			return nil, nil
		},
		NextProtos: []string{"http/1.1"},
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Host) })}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	d := &loopbackDialer{addr: ln.Addr().String()}
	var verified []*clientsecure.Verification
	trust := &clientsecure.Trust{
		Roots:       testcerts.Pool(p.Root.Cert),
		Time:        func() time.Time { return testcerts.Now },
		DialContext: d.DialContext,
		OnVerified: func(_ tls.ConnectionState, v *clientsecure.Verification) {
			mu.Lock()
			verified = append(verified, v)
			mu.Unlock()
		},
	}
	conn, err := clientsecure.Dial(ctx(t), "tcp", "localhost:8443", trust)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	c := clientsecure.NewClient(trust)
	defer c.CloseIdleConnections()
	host, err := get(t, c, "https://localhost:9443/")
	if err != nil {
		t.Fatal(err)
	}
	if host != "localhost:9443" {
		t.Errorf("Host header %q, want localhost:9443", host)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(d.asked, " ") != "localhost:8443 localhost:9443" {
		t.Errorf("dialed %q", d.asked)
	}
	if strings.Join(sni, " ") != "localhost localhost" {
		t.Errorf("SNI %q, want localhost twice", sni)
	}
	if len(verified) != 2 || verified[0].Addr != "localhost:8443" || verified[1].Addr != "localhost:9443" || verified[0].Host != "localhost" {
		t.Fatalf("verifications %+v", verified)
	}
}

// OnVerified reports what the handshake decided for the origin, also
// through a proxy, and is not called for a server refused.
func TestOnVerifiedThroughProxy(t *testing.T) {
	p := testcerts.Shared()
	origin, _ := newHTTPSServer(t, p.Good)
	proxyURL, _ := connectProxy(t, http.StatusOK)
	leafPin := clientsecure.CertificatePins(p.Good.Cert).SPKI
	var got []*clientsecure.Verification
	var states []tls.ConnectionState
	trust := &clientsecure.Trust{
		Roots: testcerts.Pool(p.Root.Cert), Pins: []clientsecure.Pin{leafPin},
		Time: func() time.Time { return testcerts.Now },
		OnVerified: func(cs tls.ConnectionState, v *clientsecure.Verification) {
			got = append(got, v)
			states = append(states, cs)
		},
	}
	c := &http.Client{Transport: clientsecure.NewTransportProxy(trust, func(*url.URL) (*url.URL, error) { return proxyURL, nil })}
	defer c.CloseIdleConnections()
	if _, err := get(t, c, origin.URL); err != nil {
		t.Fatal(err)
	}
	originAddr := strings.TrimPrefix(origin.URL, "https://")
	if len(got) != 1 {
		t.Fatalf("%d verifications, want 1", len(got))
	}
	v := got[0]
	if v.Addr != originAddr || v.Addr == proxyURL.Host || v.Host != "127.0.0.1" {
		t.Errorf("verified %q at %q, want 127.0.0.1 at the origin %s (proxy %s)", v.Host, v.Addr, originAddr, proxyURL.Host)
	}
	if v.Pin == nil || *v.Pin != leafPin || !v.Matched.Equal(p.Good.Cert) {
		t.Errorf("pin %v matched %v", v.Pin, v.Matched)
	}
	if len(v.Chains) != 1 || !v.Chains[0][0].Equal(p.Good.Cert) || &v.Chains[0][0] != &v.Chain[0] {
		t.Errorf("chains %v, want one, Chain first", v.Chains)
	}
	if states[0].NegotiatedProtocol != "h2" {
		t.Errorf("state negotiated %q, want h2", states[0].NegotiatedProtocol)
	}

	wrong, _ := clientsecure.ParsePin(docSHA1)
	got = nil
	bad := &clientsecure.Trust{Roots: trust.Roots, Time: trust.Time, Pins: []clientsecure.Pin{wrong}, OnVerified: trust.OnVerified}
	if _, err := clientsecure.Dial(ctx(t), "tcp", originAddr, bad); err == nil || len(got) != 0 {
		t.Errorf("refused server: err %v, %d verifications reported", err, len(got))
	}
}

// Chains holds every verified path: a leaf whose intermediate is
// cross-signed by a second root verifies through both.
func TestVerificationChains(t *testing.T) {
	p := testcerts.Shared()
	root2 := testcerts.NewRoot("clientsecure cross root")
	cross := root2.CrossSign(p.Intermediate)
	trust := &clientsecure.Trust{Roots: testcerts.Pool(p.Root.Cert, root2.Cert), Time: func() time.Time { return testcerts.Now }}
	v, err := trust.Verify(testcerts.Host, []*x509.Certificate{p.Good.Cert, p.Intermediate.Cert, cross})
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for _, ch := range v.Chains {
		anchors[ch[len(ch)-1].Subject.CommonName] = true
	}
	if len(v.Chains) != 2 || !anchors["clientsecure test root"] || !anchors["clientsecure cross root"] {
		t.Errorf("chains end at %v, want both roots", anchors)
	}
	if &v.Chain[0] != &v.Chains[0][0] {
		t.Error("Chain is not the first of Chains")
	}
	pinOnly := &clientsecure.Trust{PinOnly: true, Pins: []clientsecure.Pin{clientsecure.CertificatePins(p.Good.Cert).SHA1}}
	if v, err := pinOnly.Verify(testcerts.Host, p.Good.Chain); err != nil || v.Chains != nil || v.Chain != nil {
		t.Errorf("pin-only: chains %v, err %v; want none", v, err)
	}
}
