package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sort"
	"strings"
	"sync"

	"github.com/clientsecure/clientsecure"
)

// tracer prints the document's trace ("connecting to", "certificate
// matches", "request sent", ...) to stderr when -v is given. It is safe
// for concurrent use: status fetches in parallel.
type tracer struct {
	mu sync.Mutex
	w  io.Writer // nil: tracing off
}

func newTracer(w io.Writer, on bool) *tracer {
	if !on {
		return &tracer{}
	}
	return &tracer{w: w}
}

func (t *tracer) on() bool { return t.w != nil }

func (t *tracer) printf(format string, args ...any) {
	if t.w == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, format+"\n", args...)
}

// clientTrace reports connection events for requests under trust: the
// connection, the certificate, its reuse. Requests are traced by whoever
// makes them (buildstatus for status; get itself).
func (t *tracer) clientTrace(trust *clientsecure.Trust) *httptrace.ClientTrace {
	if !t.on() {
		return nil
	}
	var mu sync.Mutex
	var host string
	return &httptrace.ClientTrace{
		ConnectStart: func(_, addr string) {
			mu.Lock()
			host, _, _ = net.SplitHostPort(addr)
			mu.Unlock()
			t.printf("connecting to %s", addr)
		},
		TLSHandshakeDone: func(cs tls.ConnectionState, err error) {
			if err != nil {
				t.printf("certificate doesn't match")
				return
			}
			mu.Lock()
			h := host
			mu.Unlock()
			t.printf("certificate matches (%s)", describeVerification(trust, h, cs))
		},
		GotConn: func(info httptrace.GotConnInfo) {
			if info.Reused {
				t.printf("reusing connection")
			}
		},
	}
}

// describeVerification says in a few words why the server was believed.
func describeVerification(trust *clientsecure.Trust, host string, cs tls.ConnectionState) string {
	proto := tls.VersionName(cs.Version)
	if cs.DidResume {
		proto += ", resumed"
	}
	if trust.ServerName != "" {
		host = trust.ServerName
	}
	v, err := trust.Verify(host, cs.PeerCertificates)
	if err != nil { // cannot happen after a successful handshake
		return proto
	}
	var parts []string
	if v.Pin != nil {
		parts = append(parts, fmt.Sprintf("pin %v matched %s", v.Pin, v.Matched.Subject))
	}
	switch {
	case v.Chain != nil:
		parts = append(parts, fmt.Sprintf("chain verified to %s for %s", v.Chain[len(v.Chain)-1].Subject, host))
	case trust.Insecure && v.Pin == nil:
		parts = append(parts, "NOT VERIFIED: --insecure")
	default:
		parts = append(parts, "chain not checked: --pin-only")
	}
	return strings.Join(append(parts, proto), "; ")
}

// secretHeaders are never printed.
var secretHeaders = map[string]bool{"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Set-Cookie": true}

// headers prints h, one "prefix Name: value" line each, secrets redacted.
func (t *tracer) headers(prefix string, h http.Header) {
	if !t.on() {
		return
	}
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, v := range h[name] {
			if secretHeaders[http.CanonicalHeaderKey(name)] {
				v = "[redacted]"
			}
			t.printf("%s %s: %s", prefix, name, v)
		}
	}
}
