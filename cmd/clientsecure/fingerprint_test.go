package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/clientsecure/clientsecure/inspect"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

func init() {
	extraScriptCmds["literal"] = cmdLiteral
}

// cmdLiteral asserts that a file (stdout, stderr, or one in $WORK) holds
// TEXT as written, not as a regular expression: pins and fingerprints are
// full of '+', '/' and '.'.
//
//	literal stdout|stderr|FILE TEXT
func cmdLiteral(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: literal stdout|stderr|FILE TEXT")
	}
	got := ts.ReadFile(args[0])
	if strings.Contains(got, args[1]) == neg {
		ts.Fatalf("%s %s %q", args[0], map[bool]string{false: "does not hold", true: "holds"}[neg], args[1])
	}
}

// serve presents leaf on a loopback listener of network ("tcp4", "tcp6")
// until the test ends, completing each handshake and closing. cfg, if not
// nil, adjusts the server's tls.Config.
func serve(t *testing.T, network string, leaf *testcerts.Leaf, cfg func(*tls.Config)) string {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "tcp6" {
		addr = "[::1]:0"
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("no %s loopback: %v", network, err)
	}
	conf := &tls.Config{Certificates: []tls.Certificate{leaf.TLS()}}
	if cfg != nil {
		cfg(conf)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				tc := tls.Server(c, conf)
				if tc.HandshakeContext(context.Background()) == nil {
					tc.Read(make([]byte, 1)) // until the client closes
				}
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}

// runCmd runs the command line and returns its exit code and output.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &env{
		stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
		getenv: func(string) string { return "" }, now: time.Now,
	})
	return code, stdout.String(), stderr.String()
}

func writeRoot(t *testing.T, p *testcerts.PKI) string {
	t.Helper()
	path := t.TempDir() + "/root.pem"
	if err := os.WriteFile(path, testcerts.PEM(p.Root.Cert), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFingerprintExitCodes(t *testing.T) {
	p := scriptPKI()
	root := writeRoot(t, p)
	good := serve(t, "tcp4", p.Good, nil)
	expired := serve(t, "tcp4", p.Expired, nil)
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"good", []string{"fingerprint", "--ca-file", root, good}, exitOK},
		{"good, --verify", []string{"fingerprint", "--verify", "--ca-file", root, good}, exitOK},
		{"untrusted shown", []string{"fingerprint", good}, exitOK},
		{"untrusted, --verify", []string{"fingerprint", "--verify", good}, exitIdentity},
		{"expired, --verify", []string{"fingerprint", "--verify", "--ca-file", root, expired}, exitIdentity},
		{"expired, --verify --at when valid", []string{"fingerprint", "--verify", "--ca-file", root,
			"--at", time.Now().Add(-30 * 24 * time.Hour).UTC().Format(time.RFC3339), expired}, exitOK},
		{"wrong pin, --verify", []string{"fingerprint", "--verify", "--ca-file", root, "--pin", "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", good}, exitIdentity},
		{"bad format", []string{"fingerprint", "--format", "xml", good}, exitUsage},
		{"bad pin", []string{"fingerprint", "--pin", "CF 05", good}, exitUsage},
		{"bad --at", []string{"fingerprint", "--at", "yesterday", good}, exitUsage},
		{"no argument", []string{"fingerprint"}, exitUsage},
		{"two arguments", []string{"fingerprint", good, good}, exitUsage},
		{"not a file", []string{"fingerprint", "--file", root + ".missing"}, exitUsage},
	} {
		code, stdout, stderr := runCmd(t, tc.args...)
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", tc.name, code, tc.code, stdout, stderr)
		}
	}
}

func TestFingerprintIPv6(t *testing.T) {
	p := scriptPKI()
	addr := serve(t, "tcp6", p.Good, nil)
	_, port, _ := net.SplitHostPort(addr)
	code, stdout, stderr := runCmd(t, "fingerprint", "--format", "json", "--verify", "--ca-file", writeRoot(t, p), "[::1]:"+port)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Host     string
		Port     int
		Verified bool
		Chain    []inspect.Cert
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Host != "::1" || port != strconv.Itoa(doc.Port) || !doc.Verified || len(doc.Chain) != 2 {
		t.Errorf("got host %q port %d verified %v, %d certificates; want ::1 %s true 2", doc.Host, doc.Port, doc.Verified, len(doc.Chain), port)
	}
	if want := inspect.Describe(p.Good.Cert).SHA256; doc.Chain[0].SHA256 != want {
		t.Errorf("leaf SHA-256 %s, want %s", doc.Chain[0].SHA256, want)
	}
}

// A server that wants a client certificate aborts the handshake after it
// sent its own: the chain is still shown, the failure warned about.
func TestFingerprintClientCertRequired(t *testing.T) {
	p := scriptPKI()
	addr := serve(t, "tcp4", p.Good, func(c *tls.Config) {
		c.ClientAuth = tls.RequireAnyClientCert
		c.MaxVersion = tls.VersionTLS12 // 1.3 clients finish before the server objects
	})
	code, stdout, stderr := runCmd(t, "fingerprint", "--ca-file", writeRoot(t, p), addr)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, inspect.Describe(p.Good.Cert).SHA1Document()) {
		t.Errorf("the leaf's fingerprint is not shown:\n%s", stdout)
	}
	if !strings.Contains(stderr, "warning: the handshake failed after the server sent its certificates") {
		t.Errorf("no warning about the failed handshake: %q", stderr)
	}
}

// Peers that are not TLS servers, or never answer, are errors (exit 5),
// bounded by --timeout.
func TestFingerprintBadPeers(t *testing.T) {
	silent, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	held := make(chan net.Conn, 1)
	go func() {
		c, err := silent.Accept()
		if err == nil {
			held <- c // accept, then say nothing
		}
	}()
	defer func() {
		select {
		case c := <-held:
			c.Close()
		default:
		}
	}()

	plain, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	go func() {
		for {
			c, err := plain.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("HTTP/1.0 400 Bad Request\r\n\r\n"))
			c.Close()
		}
	}()

	closed, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	for _, tc := range []struct {
		name, addr, want string
	}{
		{"silent", silent.Addr().String(), "timed out after 300ms (--timeout)"},
		{"not tls", plain.Addr().String(), "TLS handshake with"},
		{"refused", closedAddr, "connection refused"},
	} {
		code, stdout, stderr := runCmd(t, "fingerprint", "--timeout", "300ms", tc.addr)
		if code != exitError || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("%s: exit %d, stderr %q, stdout %q; want 5 and %q", tc.name, code, stderr, stdout, tc.want)
		}
	}
}

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		arg  string
		host string
		port int
	}{
		{"api.github.com", "api.github.com", 443},
		{"api.github.com:8443", "api.github.com", 8443},
		{"127.0.0.1", "127.0.0.1", 443},
		{"127.0.0.1:8443", "127.0.0.1", 8443},
		{"[::1]:8443", "::1", 8443},
		{"[::1]", "::1", 443},
		{"::1", "::1", 443},
		{"2001:db8::1", "2001:db8::1", 443},
		{"https://example.com/path", "example.com", 443},
		{"https://[::1]:9443/", "::1", 9443},
	} {
		host, port, err := parseTarget(tc.arg)
		if err != nil || host != tc.host || port != tc.port {
			t.Errorf("parseTarget(%q) = %q, %d, %v; want %q, %d", tc.arg, host, port, err, tc.host, tc.port)
		}
	}
	for _, bad := range []string{"", ":443", "host:0", "host:65536", "host:http", "[::1]:x", "http://example.com/", "https:///x", "a b", "[::1"} {
		if host, port, err := parseTarget(bad); err == nil {
			t.Errorf("parseTarget(%q) = %q, %d; want an error", bad, host, port)
		}
	}
}
