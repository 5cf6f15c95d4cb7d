package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// Hostile servers for the scripts (testdata/script/hostile*.txtar) and
// the in-process tests of hostile_memory_test.go: loopback HTTPS servers
// with the scripts' good certificate that misbehave in one way each and
// record every decrypted byte they receive.

func init() {
	extraScriptCmds["hostile"] = cmdHostile
	extraScriptCmds["recorded"] = cmdRecorded
	extraScriptCmds["exits"] = cmdExits
}

// cmdExits runs a program like exec and asserts its exit code: `! exec`
// only knows that it failed, and exit 4 (identity) and 5 (anything else)
// must not be confused. It logs how long the program ran.
//
//	exits CODE PROGRAM [ARGS...]
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	start := time.Now()
	err = ts.Exec(args[1], args[2:]...)
	took := time.Since(start)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("%s: %v", args[1], err)
	}
	ts.Logf("[exit %d after %v]", code, took.Round(time.Millisecond))
	if code != want {
		ts.Fatalf("%s exited %d, want %d", args[1], code, want)
	}
}

// hostileCases are the behaviours, by name. Each handles every request.
var hostileCases = map[string]func(arg string) http.HandlerFunc{
	// ok answers both lists with one passing context: the control.
	"ok": func(string) http.HandlerFunc { return jsonBody(hubBody("ci")) },
	// truncated promises 1000 bytes, sends 40 and closes properly (TLS
	// close_notify): the body is cut short, not reset.
	"truncated": func(string) http.HandlerFunc { return truncated },
	// huge is a 50 MiB JSON body without Content-Length; hugecl the
	// same announced by Content-Length.
	"huge":   func(string) http.HandlerFunc { return huge(false) },
	"hugecl": func(string) http.HandlerFunc { return huge(true) },
	// gzipbomb is Content-Encoding: gzip of 64 GiB of zeros, about 64 MiB
	// on the wire, 1 MiB for each GiB.
	"gzipbomb": func(string) http.HandlerFunc { return gzipBomb },
	// drip sends a good answer one byte every 100 ms: ten seconds.
	"drip": func(string) http.HandlerFunc { return drip },
	// badjson, badutf8 and html are 200s whose body is not the JSON
	// asked for.
	"badjson": func(string) http.HandlerFunc { return jsonBody(`{"total_count":1,"check_runs":[{"id":1,,}`) },
	"badutf8": func(string) http.HandlerFunc { return jsonBody(hubBody("ci \xff\xfe build")) },
	"html": func(string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, "<!DOCTYPE html><html><body>Sign in to continue</body></html>\n")
		}
	},
	// redirectloop redirects every request to the same path, forever.
	"redirectloop": func(string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			n, _ := strconv.Atoi(r.URL.Query().Get("n"))
			http.Redirect(w, r, fmt.Sprintf("%s?n=%d", r.URL.Path, n+1), http.StatusFound)
		}
	},
	// redirect URL sends every request to URL + the request's path.
	"redirect": func(target string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target+r.URL.RequestURI(), http.StatusFound)
		}
	},
	// reset sends the headers and part of the body, then a TCP RST.
	"reset": func(string) http.HandlerFunc { return reset },
	// streamreset (with -h2) sends the headers and part of the body, then
	// RST_STREAM: the handler panics with http.ErrAbortHandler.
	"streamreset": func(string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"total_count":1,"check_runs":[`)
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}
	},
	// echoheader answers 200 "ok" with the request's Authorization
	// header in a response header, and text that holds the word "token".
	"echoheader": func(string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Echo", "you sent "+r.Header.Get("Authorization"))
			w.Header().Set("X-Note", "no token needed here")
			io.WriteString(w, "ok\n")
		}
	},
	// echotoken answers 422 with the request's Authorization header in
	// its message, as a careless server might.
	"echotoken": func(string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprintf(w, `{"message":"No commit found for %s"}`, r.Header.Get("Authorization"))
		}
	},
}

// hubBody is one JSON object that is a valid answer to both the combined
// status and the check-runs request, with one passing context name.
func hubBody(name string) string {
	const sha = "0123456789abcdef0123456789abcdef01234567"
	return `{"sha":"` + sha + `","state":"success","total_count":1,` +
		`"statuses":[{"id":1,"context":"` + name + `","state":"success"}],` +
		`"check_runs":[{"id":1,"name":"` + name + `","head_sha":"` + sha + `","status":"completed","conclusion":"success"}]}`
}

func jsonBody(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, body)
	}
}

func truncated(w http.ResponseWriter, r *http.Request) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	io.WriteString(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
	io.WriteString(buf, `{"total_count":1,"check_runs":[{"id":1,`)
	buf.Flush()
}

// hugeSize is the hostile big body: five times buildstatus.MaxBodySize.
const hugeSize = 50 << 20

func huge(withLength bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		prefix := `{"total_count":1,"check_runs":[{"id":1,"name":"`
		if withLength {
			w.Header().Set("Content-Length", strconv.Itoa(hugeSize))
		}
		io.WriteString(w, prefix)
		writeFill(r.Context(), w, 'a', hugeSize-len(prefix))
	}
}

// writeFill writes n bytes of c from one small buffer, stopping when the
// client goes away.
func writeFill(ctx context.Context, w io.Writer, c byte, n int) {
	chunk := bytes.Repeat([]byte{c}, 32<<10)
	for n > 0 && ctx.Err() == nil {
		m := min(n, len(chunk))
		if _, err := w.Write(chunk[:m]); err != nil {
			return
		}
		n -= m
	}
}

// gzipMember is 16 MiB of zeros as one gzip member (16 KiB or so). A gzip
// stream may hold many members, one after another, and net/http's
// decompressor reads them all: 4096 of them are the bomb, made once and
// sent without compressing anything per request.
var gzipMember = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(make([]byte, 16<<20))
	zw.Close()
	return b.Bytes()
})

func gzipBomb(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Encoding", "gzip")
	member := gzipMember()
	for range 4096 {
		if _, err := w.Write(member); err != nil || r.Context().Err() != nil {
			return
		}
	}
}

// dripTime is how long drip takes to send its whole answer.
const dripTime = 10 * time.Second

func drip(w http.ResponseWriter, r *http.Request) {
	body := hubBody("ci")
	// Leading spaces stretch the answer to 100 bytes: one each 100 ms.
	body = strings.Repeat(" ", max(0, 100-len(body))) + body
	step := dripTime / time.Duration(len(body))
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	for i := range len(body) {
		if _, err := io.WriteString(w, body[i:i+1]); err != nil {
			return
		}
		rc.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(step):
		}
	}
}

func reset(w http.ResponseWriter, r *http.Request) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	io.WriteString(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
	io.WriteString(buf, `{"total_count":1,"check_runs":[{"id":1,`)
	buf.Flush()
	// SO_LINGER 0: close sends RST instead of FIN.
	if rc, ok := conn.(*recordingConn); ok {
		if tcp, ok := rc.raw.(*net.TCPConn); ok {
			tcp.SetLinger(0)
		}
		rc.raw.Close()
		return
	}
	conn.Close()
}

// hostileServer is a running hostile server and what it has received.
type hostileServer struct {
	URL    string
	ln     net.Listener
	h2     bool // serves HTTP/2, and records nothing
	server *http.Server

	mu       sync.Mutex
	received []byte // decrypted, capped at maxRecorded
}

const maxRecorded = 1 << 20

// startHostile serves handler on 127.0.0.1 with cert: over TLS with
// HTTP/1.1, or over plain HTTP if cert is nil. With h2 it offers HTTP/2
// too, through net/http's own TLS server, and records nothing (net/http
// serves HTTP/2 only on a *tls.Conn, which cannot be wrapped).
func startHostile(handler http.Handler, cert *tls.Certificate, h2 bool) (*hostileServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &hostileServer{ln: ln, URL: "https://" + ln.Addr().String(), h2: h2}
	s.server = &http.Server{Handler: handler, ErrorLog: log.New(io.Discard, "", 0)}
	if h2 {
		cfg := &tls.Config{Certificates: []tls.Certificate{*cert}, NextProtos: []string{"h2", "http/1.1"}}
		go s.server.Serve(tls.NewListener(ln, cfg))
		return s, nil
	}
	var cfg *tls.Config
	if cert == nil {
		s.URL = "http://" + ln.Addr().String()
	} else {
		cfg = &tls.Config{Certificates: []tls.Certificate{*cert}, NextProtos: []string{"http/1.1"}}
	}
	go s.server.Serve(&recordingListener{Listener: ln, cfg: cfg, s: s})
	return s, nil
}

// recordingListener makes each connection a recordingConn, over TLS when
// cfg is set.
type recordingListener struct {
	net.Listener
	cfg *tls.Config
	s   *hostileServer
}

func (l *recordingListener) Accept() (net.Conn, error) {
	raw, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	var conn net.Conn = raw
	if l.cfg != nil {
		conn = tls.Server(raw, l.cfg) // handshakes on first Read
	}
	return &recordingConn{Conn: conn, raw: raw, s: l.s}, nil
}

// Close stops the server and its connections.
func (s *hostileServer) Close() {
	s.server.Close()
}

// Received is a copy of the bytes received so far.
func (s *hostileServer) Received() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.received...)
}

// recordingConn records what is read from Conn (decrypted when Conn is a
// *tls.Conn); raw is the TCP connection under it.
type recordingConn struct {
	net.Conn
	raw net.Conn
	s   *hostileServer
}

func (c *recordingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.s.mu.Lock()
	if room := maxRecorded - len(c.s.received); room > 0 {
		c.s.received = append(c.s.received, b[:min(n, room)]...)
	}
	c.s.mu.Unlock()
	return n, err
}

var hostiles sync.Map // *testscript.TestScript -> map[string]*hostileServer

// cmdHostile starts a hostile server named NAME and sets $NAME to its URL
// and $NAME_HOSTPORT to its address. It presents the scripts' good
// certificate (the test root is in $ROOT, the leaf's SHA-1 in
// $NAME_SHA1); -h2 offers HTTP/2, -http serves plain HTTP instead.
//
//	hostile [-h2|-http] NAME CASE [ARG]
func cmdHostile(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! hostile")
	}
	h2, plain := false, false
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-h2":
			h2 = true
		case "-http":
			plain = true
		default:
			ts.Fatalf("hostile: unknown flag %s", args[0])
		}
		args = args[1:]
	}
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: hostile [-h2|-http] NAME CASE [ARG]")
	}
	name, behaviour := args[0], args[1]
	mk, ok := hostileCases[behaviour]
	if !ok {
		ts.Fatalf("hostile: unknown case %q", behaviour)
	}
	arg := ""
	if len(args) == 3 {
		arg = args[2]
	}
	var cert *tls.Certificate
	if !plain {
		c := scriptPKI().Good.TLS()
		cert = &c
	}
	srv, err := startHostile(mk(arg), cert, h2)
	ts.Check(err)
	ts.Defer(srv.Close)
	m, _ := hostiles.LoadOrStore(ts, &sync.Map{})
	m.(*sync.Map).Store(name, srv)
	root := filepath.Join(ts.Getenv("WORK"), "root.pem")
	ts.Check(os.WriteFile(root, testcerts.PEM(scriptPKI().Root.Cert), 0o644))
	ts.Setenv("ROOT", root)
	ts.Setenv(name+"_SHA1", clientsecure.CertificatePins(scriptPKI().Good.Cert).SHA1.String())
	ts.Setenv(name, srv.URL)
	ts.Setenv(name+"_HOSTPORT", strings.TrimPrefix(strings.TrimPrefix(srv.URL, "https://"), "http://"))
}

// cmdRecorded asserts that the hostile server NAME has received something
// (anything, or STRING): `! recorded NAME` proves it received not one
// byte, `! recorded NAME TOKEN` that the token never reached it.
//
//	recorded NAME [STRING]
func cmdRecorded(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: recorded NAME [STRING]")
	}
	m, ok := hostiles.Load(ts)
	var srv *hostileServer
	if ok {
		if v, ok := m.(*sync.Map).Load(args[0]); ok {
			srv = v.(*hostileServer)
		}
	}
	if srv == nil || srv.h2 {
		ts.Fatalf("recorded: no recording hostile server %s (-h2 servers record nothing)", args[0])
	}
	// The server may still be reading what the client wrote just before
	// it exited: a positive check waits up to half a second for the bytes
	// to arrive, a negative one watches for a fifth of a second that they
	// do not.
	tries := 50
	if neg {
		tries = 20
	}
	var got []byte
	found := false
	for range tries {
		got = srv.Received()
		found = len(got) > 0
		if len(args) == 2 {
			found = bytes.Contains(got, []byte(args[1]))
		}
		if found {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	switch {
	case found && neg && len(args) == 2:
		ts.Fatalf("%s received %q", args[0], args[1])
	case found && neg:
		ts.Fatalf("%s received %d bytes:\n%s", args[0], len(got), got)
	case !found && !neg:
		ts.Fatalf("%s did not receive %q; it received:\n%s", args[0], strings.Join(args[1:], ""), got)
	}
}
