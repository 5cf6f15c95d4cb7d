package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// run probes host:port with a bound on the whole test, not an assertion.
func run(t *testing.T, host string, port int, opts Options) (*Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if opts.ProbeTimeout == 0 {
		opts.ProbeTimeout = 5 * time.Second
	}
	if opts.Time == nil {
		opts.Time = func() time.Time { return testcerts.Now }
	}
	return Run(ctx, host, port, opts)
}

func chainBytes(l *testcerts.Leaf) int {
	n := 0
	for _, c := range l.Chain {
		n += len(c.Raw)
	}
	return n
}

// verifyWith verifies the chain to root for the name the client asked for,
// on the test clock: what a caller's VerifyConnection does.
func verifyWith(root *x509.Certificate) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{
			Roots: testcerts.Pool(root), Intermediates: inter, DNSName: cs.ServerName, CurrentTime: testcerts.Now,
		})
		return err
	}
}

// TestGoServer runs the whole probe against crypto/tls, which ignores
// max_fragment_length.
func TestGoServer(t *testing.T) {
	pki := testcerts.Shared()
	host, port := goServer(t, &tls.Config{
		Certificates: []tls.Certificate{pki.Good.TLS()},
		NextProtos:   []string{"h2", "http/1.1"},
	})
	var trace []string
	r, err := run(t, host, port, Options{ServerName: "localhost", VerifyConnection: verifyWith(pki.Root.Cert),
		Trace: func(line string) { trace = append(trace, line) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"TLS 1.3: accepted, TLS_", "TLS 1.0: refused: probe: TLS 1.0 handshake: ",
		"resumption at TLS 1.2: true", "max_fragment_length 4096: ignored", "record_size_limit: 0"} {
		if !slices.ContainsFunc(trace, func(l string) bool { return strings.HasPrefix(l, want) }) {
			t.Errorf("trace %q lacks %q", trace, want)
		}
	}

	if want := []string{"1.2", "1.3"}; !slices.Equal(r.TLSVersions, want) {
		t.Errorf("versions %v, want %v (Go servers refuse 1.0 and 1.1 by default)", r.TLSVersions, want)
	}
	if !strings.Contains(r.Ciphers["1.2"], "ECDHE_ECDSA") || !strings.HasPrefix(r.Ciphers["1.3"], "TLS_AES_") && !strings.HasPrefix(r.Ciphers["1.3"], "TLS_CHACHA20") {
		t.Errorf("ciphers %v", r.Ciphers)
	}
	if r.ALPN != "h2" {
		t.Errorf("ALPN %q, want h2", r.ALPN)
	}
	if r.KeyType != "ECDSA" || r.KeyBits != 256 {
		t.Errorf("key %s %d, want ECDSA 256", r.KeyType, r.KeyBits)
	}
	if r.ChainCertificates != 2 || r.ChainBytes != chainBytes(pki.Good) {
		t.Errorf("chain %d certificates, %d bytes; want 2, %d", r.ChainCertificates, r.ChainBytes, chainBytes(pki.Good))
	}
	if r.OCSPStapled {
		t.Error("OCSP staple reported, none sent")
	}
	if !r.Resumption["1.2"] || !r.Resumption["1.3"] {
		t.Errorf("resumption %v, want both", r.Resumption)
	}
	if r.Identity != "verified" || r.IdentityError != nil {
		t.Errorf("identity %q (%v), want verified", r.Identity, r.IdentityError)
	}
	if r.Address != net.JoinHostPort(host, itoa(port)) || r.ServerName != "localhost" {
		t.Errorf("address %q server name %q", r.Address, r.ServerName)
	}

	// Go ignores max_fragment_length: no echo, at any size, and no error.
	for _, size := range fragmentLengths {
		if r.MaxFragmentLength[size] {
			t.Errorf("max_fragment_length %d honoured by crypto/tls", size)
		}
		if msg, ok := r.Errors["max_fragment_length "+itoa(size)]; ok {
			t.Errorf("max_fragment_length %d: %s", size, msg)
		}
	}
	for _, f := range r.Fragments {
		if f.Outcome != Ignored || f.Echoed != 0 || f.Version != "1.2" {
			t.Errorf("fragment probe %+v, want ignored at TLS 1.2", f)
		}
	}
	if r.RecordSizeLimit != 0 {
		t.Errorf("record_size_limit %d from crypto/tls", r.RecordSizeLimit)
	}
	if r.ESP8266.FragmentLength != 0 || r.ESP8266.PerConnection != 22528 ||
		!strings.HasPrefix(r.ESP8266.Verdict, "needs the full 16 KB receive buffer") {
		t.Errorf("ESP8266 %+v", r.ESP8266)
	}
	// crypto/tls refuses 1.0 and 1.1 by default: a finding, not an error.
	want := map[string]string{"1.0": "alert: protocol version not supported", "1.1": "alert: protocol version not supported"}
	if !maps.Equal(r.RefusedVersions, want) {
		t.Errorf("refused versions %v, want %v", r.RefusedVersions, want)
	}
	if len(r.Errors) != 0 {
		t.Errorf("errors %v, want none from a healthy server", r.Errors)
	}
	t.Logf("Go server: %s", r.ESP8266.Verdict)
}

func TestJSONShape(t *testing.T) {
	pki := testcerts.Shared()
	host, port := goServer(t, &tls.Config{Certificates: []tls.Certificate{pki.Good.TLS()}})
	r, err := run(t, host, port, Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`"max_fragment_length":{"512":false,"1024":false,"2048":false,"4096":false}`)) {
		t.Errorf("max_fragment_length not in the contract's shape and order: %s", out)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	if m["host"] != "127.0.0.1" || m["port"] != float64(port) {
		t.Errorf("host %v port %v", m["host"], m["port"])
	}
	if v, ok := m["tls_versions"].([]any); !ok || len(v) != 2 || v[0] != "1.2" || v[1] != "1.3" {
		t.Errorf("tls_versions %v", m["tls_versions"])
	}
	for _, key := range []string{"ciphers", "alpn", "key_type", "key_bits", "chain_bytes", "ocsp_stapled",
		"resumption", "record_size_limit", "esp8266", "max_fragment_length_probes", "tls_versions_refused"} {
		if _, ok := m[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
	if _, ok := m["errors"]; ok {
		t.Errorf("errors %v from a healthy server", m["errors"])
	}
	if _, ok := m["identity"]; ok {
		t.Error("identity reported though no verifier was given")
	}
	if _, ok := m["server_name"]; ok {
		t.Error("server_name reported for an IP address (no SNI is sent)")
	}
}

func TestGoServerOldVersionsStapleNoTickets(t *testing.T) {
	pki := testcerts.Shared()
	cert := pki.GoodRSA.TLS()
	cert.OCSPStaple = []byte{0x30, 0x03, 0x0a, 0x01, 0x00}
	host, port := goServer(t, &tls.Config{
		Certificates:           []tls.Certificate{cert},
		MinVersion:             tls.VersionTLS10,
		SessionTicketsDisabled: true,
	})
	r, err := run(t, host, port, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"1.0", "1.1", "1.2", "1.3"}; !slices.Equal(r.TLSVersions, want) {
		t.Errorf("versions %v, want %v (errors %v)", r.TLSVersions, want, r.Errors)
	}
	for _, v := range r.TLSVersions {
		if r.Ciphers[v] == "" {
			t.Errorf("no cipher for %s", v)
		}
	}
	if r.KeyType != "RSA" || r.KeyBits != 2048 {
		t.Errorf("key %s %d, want RSA 2048", r.KeyType, r.KeyBits)
	}
	if !r.OCSPStapled {
		t.Error("OCSP staple not seen")
	}
	if r.Resumption["1.2"] || r.Resumption["1.3"] || len(r.Resumption) != 2 {
		t.Errorf("resumption %v, want false for 1.2 and 1.3 (tickets disabled)", r.Resumption)
	}
	if r.ALPN != "" {
		t.Errorf("ALPN %q from a server without NextProtos", r.ALPN)
	}
}

func TestIdentityNotVerified(t *testing.T) {
	pki := testcerts.Shared()
	host, port := goServer(t, &tls.Config{Certificates: []tls.Certificate{pki.UntrustedRoot.TLS()}})
	r, err := run(t, host, port, Options{ServerName: "localhost", VerifyConnection: verifyWith(pki.Root.Cert)})
	if err != nil {
		t.Fatal(err)
	}
	var unknown x509.UnknownAuthorityError
	if !errors.As(r.IdentityError, &unknown) || !strings.HasPrefix(r.Identity, "not verified: x509: ") {
		t.Errorf("identity %q (%v), want not verified by an unknown authority", r.Identity, r.IdentityError)
	}
	// The capability is still measured.
	if len(r.TLSVersions) != 2 || r.KeyType != "ECDSA" {
		t.Errorf("versions %v key %s: the scan stopped at the identity failure", r.TLSVersions, r.KeyType)
	}
}

func TestTLS13OnlyServerIsOutOfBearSSLsReach(t *testing.T) {
	pki := testcerts.Shared()
	host, port := goServer(t, &tls.Config{Certificates: []tls.Certificate{pki.Good.TLS()}, MinVersion: tls.VersionTLS13})
	r, err := run(t, host, port, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.TLSVersions, []string{"1.3"}) {
		t.Errorf("versions %v, want [1.3]", r.TLSVersions)
	}
	if !strings.HasPrefix(r.ESP8266.Verdict, "cannot connect") {
		t.Errorf("verdict %q, want cannot connect", r.ESP8266.Verdict)
	}
	// The raw probes offer only TLS 1.2 and get an alert: still a TLS answer.
	var alerted int
	for _, size := range fragmentLengths {
		if strings.Contains(r.Errors["max_fragment_length "+itoa(size)], "alert protocol_version") {
			alerted++
		}
	}
	if alerted != len(fragmentLengths) {
		t.Errorf("errors %v, want a protocol_version alert for each fragment probe", r.Errors)
	}
}

// craftedServer answers raw ClientHellos (no supported_versions) with the
// ServerHello answer makes of the requested max_fragment_length code, and
// hangs up on anything else, crypto/tls's hellos included.
func craftedServer(t *testing.T, answer func(code uint8) serverHello) (string, int) {
	return listen(t, func(c net.Conn) {
		rec, err := readClientHello(c)
		if err != nil {
			return
		}
		p, err := parseHelloRecord(rec)
		if err != nil {
			return
		}
		if _, ok := p.exts[extSupportedVersions]; ok {
			return
		}
		var code uint8
		if mfl := p.exts[extMaxFragmentLength]; len(mfl) == 1 {
			code = mfl[0]
		}
		c.Write(record(22, answer(code).message()))
		io.Copy(io.Discard, c)
	})
}

func TestFragmentOutcomes(t *testing.T) {
	tests := []struct {
		name    string
		answer  func(code uint8) serverHello
		outcome string
		echoed  func(size int) int
		error   string
	}{
		{"honoured", func(code uint8) serverHello {
			return serverHello{exts: []ext{mflEcho(code)}}
		}, Honoured, func(size int) int { return size }, ""},
		{"wrong echo", func(code uint8) serverHello {
			return serverHello{exts: []ext{mflEcho(code%4 + 1)}}
		}, WrongEcho, func(size int) int { return map[int]int{512: 1024, 1024: 2048, 2048: 4096, 4096: 512}[size] }, "a client must abort"},
		{"undefined code", func(code uint8) serverHello {
			return serverHello{exts: []ext{mflEcho(code + 10)}}
		}, WrongEcho, func(int) int { return 0 }, "(no such size)"},
		{"TLS 1.3 not offered", func(code uint8) serverHello {
			return serverHello{exts: []ext{{extSupportedVersions, []byte{3, 4}}, mflEcho(code)}}
		}, Failed, func(size int) int { return size }, "server chose TLS 1.3, which was not offered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, port := craftedServer(t, tt.answer)
			r, err := run(t, host, port, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.TLSVersions) != 0 {
				t.Errorf("versions %v from a server that hangs up on crypto/tls", r.TLSVersions)
			}
			for i, f := range r.Fragments {
				size := fragmentLengths[i]
				if f.Requested != size || f.Outcome != tt.outcome || f.Echoed != tt.echoed(size) {
					t.Errorf("probe %+v, want %d %s echoing %d", f, size, tt.outcome, tt.echoed(size))
				}
				if r.MaxFragmentLength[size] != (tt.outcome == Honoured) {
					t.Errorf("max_fragment_length[%d] = %v", size, r.MaxFragmentLength[size])
				}
				if msg := r.Errors["max_fragment_length "+itoa(size)]; !strings.Contains(msg, tt.error) || (tt.error == "") != (msg == "") {
					t.Errorf("error %q, want one saying %q", msg, tt.error)
				}
			}
			want := EstimateESP8266(0)
			if tt.outcome == Honoured {
				want = EstimateESP8266(512)
			}
			if r.ESP8266 != want {
				t.Errorf("ESP8266 %+v, want %+v", r.ESP8266, want)
			}
		})
	}
}

func TestRecordSizeLimit(t *testing.T) {
	host, port := craftedServer(t, func(code uint8) serverHello {
		if code != 0 {
			return serverHello{}
		}
		return serverHello{exts: []ext{{extRecordSizeLimit, []byte{0x40, 0x01}}}}
	})
	r, err := run(t, host, port, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.RecordSizeLimit != 16385 {
		t.Errorf("record_size_limit %d, want 16385", r.RecordSizeLimit)
	}
}

func TestRunHostileServers(t *testing.T) {
	tests := []struct {
		name   string
		handle func(net.Conn)
		says   string // in the fragment probes' errors
		is     error
		why    string // in Run's error
	}{
		{"silent", func(c net.Conn) { io.Copy(io.Discard, c) }, "", context.DeadlineExceeded, "did not answer TLS: "},
		{"closes at once", func(net.Conn) {}, "connection closed", nil, "did not answer TLS: "},
		{"sends garbage", func(c net.Conn) {
			c.Write(bytes.Repeat([]byte("garbage!"), 100))
			io.Copy(io.Discard, c)
		}, "reply is not TLS", nil, `did not answer TLS: its reply is not TLS: it starts with "garba"`},
		{"plain HTTP", func(c net.Conn) {
			io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
			io.Copy(io.Discard, c)
		}, "plain HTTP", nil, "did not answer TLS: it looks like plain HTTP (is this an HTTPS port?)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, port := listen(t, tt.handle)
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			r, err := Run(ctx, host, port, Options{ProbeTimeout: 200 * time.Millisecond})
			if err == nil {
				t.Fatalf("no error from a server that speaks no TLS; result %+v", r)
			}
			if errors.Is(err, ErrUnreachable) {
				t.Errorf("error %v: the server was reached", err)
			}
			if !strings.Contains(err.Error(), tt.why) {
				t.Errorf("error %q", err)
			}
			if len(r.TLSVersions) != 0 || len(r.Errors) != 9 {
				t.Errorf("versions %v, errors %v: want no version and 9 failed probes", r.TLSVersions, r.Errors)
			}
			if tt.is != nil && !strings.Contains(r.Errors["tls 1.3"], tt.is.Error()) {
				t.Errorf("tls 1.3 error %q, want %q", r.Errors["tls 1.3"], tt.is)
			}
			if !strings.Contains(r.Errors["max_fragment_length 512"], tt.says) {
				t.Errorf("max_fragment_length 512 error %q, want %q", r.Errors["max_fragment_length 512"], tt.says)
			}
		})
	}
}

func TestRunUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	ln.Close() // nothing listens there now
	r, err := run(t, "127.0.0.1", addr.Port, Options{})
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("error %v, want ErrUnreachable", err)
	}
	if !strings.HasPrefix(err.Error(), "probe: cannot connect to 127.0.0.1:") {
		t.Errorf("error %q", err)
	}
	if len(r.Errors) != 1 {
		t.Errorf("errors %v: probing went on after the first connection failed", r.Errors)
	}
}

func TestRunRejectsBadArguments(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		host string
		port int
		opts Options
	}{
		{"", 443, Options{}},
		{"localhost", 0, Options{}},
		{"localhost", 65536, Options{}},
		{"localhost", 443, Options{ServerName: "not a name"}},
	} {
		if _, err := Run(ctx, c.host, c.port, c.opts); err == nil || !strings.HasPrefix(err.Error(), "probe: ") {
			t.Errorf("Run(%q, %d, %+v) = %v, want a probe error", c.host, c.port, c.opts, err)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestIdentityReportsTheFirstLine(t *testing.T) {
	pki := testcerts.Shared()
	host, port := goServer(t, &tls.Config{Certificates: []tls.Certificate{pki.Good.TLS()}, MaxVersion: tls.VersionTLS12})
	mismatch := errors.New("pin mismatch\n  certificates presented:\n    1. CN=localhost")
	calls := 0
	r, err := run(t, host, port, Options{VerifyConnection: func(tls.ConnectionState) error { calls++; return mismatch }})
	if err != nil {
		t.Fatal(err)
	}
	if r.Identity != "not verified: pin mismatch" || r.IdentityError != mismatch {
		t.Errorf("identity %q (%v)", r.Identity, r.IdentityError)
	}
	if calls != 1 {
		t.Errorf("verifier called %d times, want once (its first verdict is the one reported)", calls)
	}
}

// TestRefusal tells a server's refusal of a version from a failure to
// probe it, on the errors crypto/tls really returns.
func TestRefusal(t *testing.T) {
	pki := testcerts.Shared()
	host, port := goServer(t, &tls.Config{Certificates: []tls.Certificate{pki.Good.TLS()}, MaxVersion: tls.VersionTLS12})
	conn, err := net.Dial("tcp", net.JoinHostPort(host, itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	alertErr := tls.Client(conn, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13}).Handshake()

	for _, tt := range []struct {
		name   string
		err    error
		reason string // "" for a failure, not a refusal
	}{
		{"alert from a TLS 1.2 server offered 1.3", fmt.Errorf("probe: TLS 1.3 handshake: %w", alertErr), "alert: protocol version not supported"},
		// crypto/tls's text when a server ignores supported_versions and
		// answers with the version it speaks (no Go server does).
		{"ServerHello of another version", errors.New("probe: TLS 1.3 handshake: tls: server selected unsupported protocol version 303"), "answered with TLS 1.2"},
		{"connection closed", fmt.Errorf("probe: TLS 1.0 handshake: %w", io.EOF), ""},
		{"reset", fmt.Errorf("probe: TLS 1.0 handshake: %w", &net.OpError{Op: "read", Err: syscall.ECONNRESET}), ""},
		{"timeout", fmt.Errorf("probe: gave up waiting for the server: %w", context.DeadlineExceeded), ""},
		{"no error", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			reason, ok := refusal(tt.err)
			if ok != (tt.reason != "") || reason != tt.reason {
				t.Errorf("refusal(%v) = %q, %v; want %q", tt.err, reason, ok, tt.reason)
			}
		})
	}
}
