// Command connheap measures what an idle verified connection costs a
// clientsecure client in memory: it opens many connections to a loopback
// server, each verified inside its handshake (chain to the server's
// certificate as anchor, host name, dates and an SPKI pin), and reports the
// live heap and goroutine stacks they hold per connection, after garbage
// collection, beside the roughly 22 KB an ESP8266 spends on one BearSSL
// connection.
//
// The server runs in a child process (this program, re-executed), so its
// memory is not counted.
//
// Usage:
//
//	go run ./bench/connheap [-n 1000] [-rsa 2048]
//
// Three kinds of connection are measured:
//
//   - tls: a *tls.Conn from clientsecure.Dial, handshake done, nothing
//     else; each with its own Trust, so each holds its own verified chain
//     and session cache;
//   - http2: an idle HTTP/2 connection in the pool of a transport from
//     clientsecure.NewTransport, after one request: what status keeps
//     between requests (one transport per connection, since a transport
//     multiplexes everything to one host on one connection);
//   - http1: the same against a server that offers only HTTP/1.1.
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/fakehub"
)

// esp8266 is what the ESP8266 Arduino core's BearSSL client allocates per
// connection with its default buffers (a 16 KB record in, 512 bytes out,
// and the engine), as its documentation puts it: roughly 22 KB.
const esp8266 = 22 << 10

// childEnv, when set, makes this program the server: it names the
// directory holding cert.pem and key.pem.
const childEnv = "CONNHEAP_SERVE"

func main() {
	if dir := os.Getenv(childEnv); dir != "" {
		if err := serve(dir, os.Stdout); err != nil {
			log.Fatalf("connheap: server: %v", err)
		}
		return
	}
	n := flag.Int("n", 1000, "connections to open for each kind")
	rsaBits := flag.Int("rsa", 0, "RSA key size of the server's certificate (0: ECDSA P-256)")
	flag.Parse()
	if err := run(os.Stdout, *n, *rsaBits); err != nil {
		log.Fatalf("connheap: %v", err)
	}
}

// kind is one way of holding a connection open.
type kind struct {
	name  string
	http1 bool // the server offers only HTTP/1.1
	// open opens one connection and returns it with its TLS state.
	open func(ctx context.Context, url string, trust *clientsecure.Trust) (io.Closer, tls.ConnectionState, error)
}

var kinds = []kind{
	{name: "tls", open: openTLS},
	{name: "http2", open: openHTTP},
	{name: "http1", http1: true, open: openHTTP},
}

// result is what n connections of a kind held.
type result struct {
	kind              string
	n                 int
	heap, stack       int64 // bytes held by the open connections
	goroutines        int   // goroutines they keep
	overhead          int64 // bytes held without them: Trusts, session caches, transports
	protocol, version string
}

func run(w io.Writer, n, rsaBits int) error {
	dir, err := os.MkdirTemp("", "connheap")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cert, err := fakehub.Certificate([]string{"127.0.0.1"}, rsaBits, time.Now())
	if err != nil {
		return err
	}
	if err := writeKeyPair(dir, cert); err != nil {
		return err
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert.Leaf)
	pin := clientsecure.CertificatePins(cert.Leaf).SPKI

	key := "ECDSA P-256"
	if rsaBits != 0 {
		key = fmt.Sprintf("RSA-%d", rsaBits)
	}
	fmt.Fprintf(w, "idle verified connections to a loopback server in another process (%s certificate, %s, %s/%s)\n",
		key, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "%-6s %6s %-17s %10s %11s %11s %10s %10s  %s\n",
		"kind", "conns", "protocol", "heap/conn", "stacks/conn", "total/conn", "goroutines", "+client", "vs ESP8266 BearSSL (~22 KB)")
	for _, k := range kinds {
		url, stop, err := startServer(dir, k.http1)
		if err != nil {
			return err
		}
		res, err := measure(k, url, n, roots, pin)
		stop()
		if err != nil {
			return fmt.Errorf("%s: %w", k.name, err)
		}
		per := func(b int64) float64 { return float64(b) / float64(res.n) }
		total := per(res.heap + res.stack)
		fmt.Fprintf(w, "%-6s %6d %-17s %10s %11s %11s %10.1f %10s  %.2fx\n", res.kind, res.n, res.version+" "+res.protocol,
			kb(per(res.heap)), kb(per(res.stack)), kb(total), float64(res.goroutines)/float64(res.n), kb(per(res.overhead)), total/esp8266)
	}
	fmt.Fprintln(w, "total/conn is what the open connections hold (heap after GC, and goroutine stacks), measured as the")
	fmt.Fprintln(w, "difference between all open and all closed; +client is what stays per client without a connection")
	fmt.Fprintln(w, "(its Trust with a cached session, and for http1/http2 its transport).")
	return nil
}

func kb(b float64) string { return fmt.Sprintf("%.1f KB", b/1024) }

// measure opens n connections of kind k, each for its own client, and
// returns what the connections hold once idle: the difference in live heap
// (after a full collection) and goroutine stacks between all of them open
// and all of them closed, their clients still alive.
func measure(k kind, url string, n int, roots *x509.CertPool, pin clientsecure.Pin) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	res := result{kind: k.name, n: n}
	start, startGoroutines := settled(0)
	var state tls.ConnectionState // the last connection's
	conns := make([]io.Closer, 0, n)
	trusts := make([]*clientsecure.Trust, 0, n)
	for range n {
		// A Trust per connection: no session to resume, each connection
		// verifies and keeps its own chain, as separate clients would.
		trust := &clientsecure.Trust{Roots: roots, Pins: []clientsecure.Pin{pin}}
		c, cs, err := k.open(ctx, url, trust)
		if err != nil {
			return res, err
		}
		conns = append(conns, c)
		state = cs
		trusts = append(trusts, trust)
	}
	open, openGoroutines := settled(0)
	for _, c := range conns {
		c.Close()
	}
	clear(conns) // a closed *tls.Conn still holds its buffers while referenced
	closed, _ := settled(startGoroutines)
	runtime.KeepAlive(trusts)

	res.heap = int64(open.HeapAlloc) - int64(closed.HeapAlloc)
	res.stack = int64(open.StackInuse) - int64(closed.StackInuse)
	res.goroutines = openGoroutines - startGoroutines
	res.overhead = int64(closed.HeapAlloc) - int64(start.HeapAlloc)
	res.version = tls.VersionName(state.Version)
	res.protocol = state.NegotiatedProtocol
	if !state.HandshakeComplete {
		return res, errors.New("no handshake completed")
	}
	return res, nil
}

// settled waits (up to ten seconds) for the goroutines of closed
// connections to end, down to want (0: no waiting), collects garbage and
// returns the memory statistics and goroutine count then.
func settled(want int) (runtime.MemStats, int) {
	for deadline := time.Now().Add(10 * time.Second); want > 0 && runtime.NumGoroutine() > want && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m, runtime.NumGoroutine()
}

// openTLS is a verified TLS connection and nothing else.
func openTLS(ctx context.Context, url string, trust *clientsecure.Trust) (io.Closer, tls.ConnectionState, error) {
	conn, err := clientsecure.Dial(ctx, "tcp", strings.TrimPrefix(url, "https://"), trust)
	if err != nil {
		return nil, tls.ConnectionState{}, err
	}
	return conn, conn.ConnectionState(), nil
}

// idleTransport is a transport holding one idle connection.
type idleTransport struct{ *http.Transport }

func (t idleTransport) Close() error { t.CloseIdleConnections(); return nil }

// openHTTP makes one request through a new transport and leaves its
// connection idle in the transport's pool.
func openHTTP(ctx context.Context, url string, trust *clientsecure.Trust) (io.Closer, tls.ConnectionState, error) {
	tr := clientsecure.NewTransport(trust)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/", nil)
	if err != nil {
		return nil, tls.ConnectionState{}, err
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return nil, tls.ConnectionState{}, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.TLS == nil {
		tr.CloseIdleConnections()
		return nil, tls.ConnectionState{}, errors.New("the answer did not come over TLS")
	}
	return idleTransport{tr}, *resp.TLS, nil
}

func writeKeyPair(dir string, cert tls.Certificate) error {
	der, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "key.pem"), keyPEM, 0o600)
}

// startServer runs this program as the server in a child process and
// returns its URL and a function that stops it.
func startServer(dir string, http1 bool) (string, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	if http1 {
		cmd.Env = append(cmd.Env, childEnv+"_HTTP1=1")
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("server did not start: %w", err)
	}
	return strings.TrimSpace(line), stop, nil
}

// serve is the child: a TLS server on 127.0.0.1 answering "ok", which
// prints its URL and serves until killed.
func serve(dir string, w io.Writer) error {
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:     http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") }),
		TLSConfig:   &tls.Config{Certificates: []tls.Certificate{cert}},
		IdleTimeout: time.Hour,
		ErrorLog:    log.New(io.Discard, "", 0),
	}
	if os.Getenv(childEnv+"_HTTP1") != "" {
		srv.TLSConfig.NextProtos = []string{"http/1.1"}
		srv.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){}
	}
	fmt.Fprintf(w, "https://%s\n", ln.Addr())
	return srv.ServeTLS(ln, "", "")
}
