package clientsecure

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// NewTransport returns an http.Transport whose every HTTPS connection is
// made as Dial makes it under trust (trust.DialContext included): verified
// inside the handshake, offering h2 and http/1.1 in ALPN, HTTP/2 where the
// server takes it, sessions resumed and verified again on resumption.
//
// Proxies come from HTTPS_PROXY, HTTP_PROXY and NO_PROXY, as
// http.ProxyFromEnvironment reads them (once per process).
// An HTTPS request through a proxy is tunnelled with CONNECT and the pins
// and names are checked against the origin server, never the proxy.
func NewTransport(trust *Trust) *http.Transport {
	return NewTransportProxy(trust, func(u *url.URL) (*url.URL, error) {
		return http.ProxyFromEnvironment(&http.Request{URL: u})
	})
}

// NewTransportProxy is NewTransport with the proxy chosen by proxy instead
// of the environment (which never proxies loopback addresses). proxy
// returns nil for a direct connection.
func NewTransportProxy(trust *Trust, proxy func(target *url.URL) (*url.URL, error)) *http.Transport {
	return &http.Transport{
		// Plain-HTTP requests use the proxy the usual way; HTTPS ones are
		// tunnelled by dialTLS, because net/http would otherwise handshake
		// with its own TLSClientConfig, which cannot know the origin host
		// for an IP address.
		Proxy: func(r *http.Request) (*url.URL, error) {
			if r.URL.Scheme == "https" {
				return nil, nil
			}
			return proxy(r.URL)
		},
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return dialTLS(ctx, network, addr, trust, proxy)
		},
		// Plain connections (to an http:// proxy) are made the same way.
		DialContext:           trust.dial,
		ForceAttemptHTTP2:     true,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// NewClient returns an http.Client using NewTransport(trust). It follows
// up to 10 redirects, never from https to anything else (the new server's
// identity could not be verified), and drops credentials (Authorization,
// Cookie, Proxy-Authorization) on a redirect that leaves the first
// request's origin: scheme, host and port. net/http alone would send them
// to the same host on another port, and to its subdomains.
//
// A caller's own CheckRedirect replaces this policy; package buildstatus
// shows how to keep a token to one origin whatever the redirects.
func NewClient(trust *Trust) *http.Client {
	return &http.Client{Transport: NewTransport(trust), CheckRedirect: checkRedirect}
}

// credentialHeaders are what a redirect to another origin must not carry.
var credentialHeaders = []string{"Authorization", "Cookie", "Cookie2", "Proxy-Authorization", "Www-Authenticate"}

func checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	switch {
	case len(via) >= 10:
		return fmt.Errorf("clientsecure: stopped after 10 redirects by %s", via[len(via)-1].URL.Host)
	case first.Scheme == "https" && req.URL.Scheme != "https":
		return fmt.Errorf("clientsecure: refusing a redirect from https to %s: the server there cannot be verified", req.URL.Scheme)
	}
	if !SameOrigin(first, req.URL) {
		for _, h := range credentialHeaders {
			req.Header.Del(h)
		}
	}
	return nil
}

// SameOrigin reports whether a and b have the same scheme, host and port
// (the scheme's default port when none is written): the boundary that
// credentials must not cross.
func SameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

// port is u's port, or its scheme's default.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

// httpProtos are what the transport offers in ALPN, whatever
// Trust.NextProtos says: it speaks HTTP/2 and HTTP/1.1.
var httpProtos = []string{"h2", "http/1.1"}

func dialTLS(ctx context.Context, network, addr string, trust *Trust, proxy func(*url.URL) (*url.URL, error)) (net.Conn, error) {
	proxyURL, err := proxy(&url.URL{Scheme: "https", Host: addr})
	if err != nil {
		return nil, fmt.Errorf("clientsecure: proxy for %s: %w", addr, err)
	}
	if proxyURL == nil {
		return dial(ctx, network, addr, trust, httpProtos)
	}
	raw, err := connectTunnel(ctx, proxyURL, addr, trust)
	if err != nil {
		return nil, err
	}
	return handshake(ctx, raw, addr, trust, httpProtos)
}

// connectTunnel opens a CONNECT tunnel to addr through an HTTP (or HTTPS)
// proxy. The proxy itself is trusted only to carry bytes: it is verified,
// if it speaks TLS, against the system roots, and the origin is verified
// end to end over the tunnel.
func connectTunnel(ctx context.Context, proxyURL *url.URL, addr string, trust *Trust) (net.Conn, error) {
	proxyAddr := net.JoinHostPort(proxyURL.Hostname(), port(proxyURL))
	conn, err := trust.dial(ctx, "tcp", proxyAddr)
	if err != nil {
		return nil, fmt.Errorf("clientsecure: proxy %s: %w", proxyURL.Redacted(), err)
	}
	if proxyURL.Scheme == "https" {
		tc := tls.Client(conn, &tls.Config{ServerName: proxyURL.Hostname(), MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("clientsecure: proxy %s: %w", proxyURL.Redacted(), err)
		}
		conn = tc
	}
	// The CONNECT exchange is bounded by ctx like everything else.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	req := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Opaque: addr},
		Host:   addr,
		Header: make(http.Header),
	}
	if u := proxyURL.User; u != nil {
		pw, _ := u.Password()
		req.SetBasicAuth(u.Username(), pw)
		req.Header.Set("Proxy-Authorization", req.Header.Get("Authorization"))
		req.Header.Del("Authorization")
	}
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("clientsecure: proxy %s: %w", proxyURL.Redacted(), err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		conn.Close()
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, fmt.Errorf("clientsecure: proxy %s: reading CONNECT reply: %w", proxyURL.Redacted(), err)
	}
	if resp.StatusCode != http.StatusOK {
		// Closing the connection, not the body: a refusal's body may run
		// until the proxy hangs up, and we want none of it.
		conn.Close()
		return nil, fmt.Errorf("clientsecure: proxy %s refused CONNECT %s: %s", proxyURL.Redacted(), addr, resp.Status)
	}
	if br.Buffered() > 0 {
		// The proxy spoke before the origin could have: those bytes are
		// not the server's, and we will not hand them to TLS.
		conn.Close()
		return nil, fmt.Errorf("clientsecure: proxy %s sent data after CONNECT before the TLS handshake", proxyURL.Redacted())
	}
	return conn, nil
}
