package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"crypto/tls"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"clientsecure": func() { os.Exit(processMain()) },
	})
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Cmds:                scriptCmds(),
	})
}

// scriptCmds are the script commands that start loopback servers. Each
// server stops when its script ends.
func scriptCmds() map[string]func(*testscript.TestScript, bool, []string) {
	cmds := map[string]func(*testscript.TestScript, bool, []string){
		"tlsserver": cmdTLSServer,
		"received":  cmdReceived,
	}
	for name, cmd := range extraScriptCmds {
		cmds[name] = cmd
	}
	return cmds
}

// extraScriptCmds lets other test files of this package add script
// commands without editing this one.
var extraScriptCmds = map[string]func(*testscript.TestScript, bool, []string){}

// leafCases are the certificates tlsserver can present, by name.
func leafCases() map[string]*testcerts.Leaf {
	p := scriptPKI()
	return map[string]*testcerts.Leaf{
		"good":                p.Good,
		"rsa":                 p.GoodRSA,
		"expired":             p.Expired,
		"notyetvalid":         p.NotYetValid,
		"wronghost":           p.WrongHost,
		"selfsigned":          p.SelfSigned,
		"untrustedroot":       p.UntrustedRoot,
		"missingintermediate": p.MissingIntermediate,
		"madeup":              madeUpLeaf(), // resolve_test.go
	}
}

// scriptPKI is the certificates of the scripts' servers. The command runs
// on the real clock, so they are made valid (or not) at the time the tests
// start rather than at testcerts.Now.
var scriptPKI = sync.OnceValue(func() *testcerts.PKI { return testcerts.NewAt(time.Now()) })

// servers records, per script, what each started server received.
var received sync.Map // *testscript.TestScript -> *byteCount

// cmdTLSServer starts an HTTPS server on 127.0.0.1 presenting a testcerts
// leaf and sets: URL, HOSTPORT, PORT, ROOT (a PEM file of the test root),
// INTERMEDIATE (its PEM), LEAF_SHA1 (the document's form), LEAF_SHA256
// (colon hex), LEAF_SPKI (sha256/BASE64), ROOT_SPKI. The server answers
// every request with "hello METHOD PATH" and counts the application bytes
// it reads, for `received`.
//
//	tlsserver CASE
func cmdTLSServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! tlsserver")
	}
	if len(args) != 1 {
		ts.Fatalf("usage: tlsserver CASE")
	}
	leaf, ok := leafCases()[args[0]]
	if !ok {
		ts.Fatalf("tlsserver: unknown case %q", args[0])
	}
	p := scriptPKI()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	count := &byteCount{}
	received.Store(ts, count)
	cfg := &tls.Config{Certificates: []tls.Certificate{leaf.TLS()}, NextProtos: []string{"http/1.1"}}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "hello %s %s\n", r.Method, r.URL.Path)
		}),
	}
	go srv.Serve(&countingListener{Listener: tls.NewListener(ln, cfg), n: &count.total})
	ts.Defer(func() { srv.Close() })

	port := ln.Addr().(*net.TCPAddr).Port
	root := filepath.Join(ts.Getenv("WORK"), "root.pem")
	ts.Check(os.WriteFile(root, testcerts.PEM(p.Root.Cert), 0o644))
	inter := filepath.Join(ts.Getenv("WORK"), "intermediate.pem")
	ts.Check(os.WriteFile(inter, testcerts.PEM(p.Intermediate.Cert), 0o644))
	pins := clientsecure.CertificatePins(leaf.Cert)
	ts.Setenv("HOSTPORT", ln.Addr().String())
	ts.Setenv("PORT", fmt.Sprint(port))
	ts.Setenv("URL", "https://"+ln.Addr().String())
	ts.Setenv("LOCALURL", fmt.Sprintf("https://localhost:%d", port))
	ts.Setenv("ROOT", root)
	ts.Setenv("INTERMEDIATE", inter)
	ts.Setenv("LEAF_SHA1", pins.SHA1.String())
	ts.Setenv("LEAF_SHA256", pins.SHA256.Format(clientsecure.FormatColon))
	ts.Setenv("LEAF_SPKI", pins.SPKI.String())
	ts.Setenv("LEAF_SPKI_CURL", pins.SPKI.Format(clientsecure.FormatCurl))
	ts.Setenv("ROOT_SPKI", clientsecure.CertificatePins(p.Root.Cert).SPKI.String())
	ts.Setenv("OTHER_SPKI", clientsecure.CertificatePins(p.OtherRoot.Cert).SPKI.String())
}

// cmdReceived asserts how many application bytes (decrypted request
// bytes) the script's tlsserver has read since the previous `received`:
// `received 0` after a refused connection proves that the server saw no
// request line and no header; `! received 0` after a good one proves the
// count works.
//
//	received N | ! received 0
func cmdReceived(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: received N")
	}
	v, ok := received.Load(ts)
	if !ok {
		ts.Fatalf("received: no tlsserver in this script")
	}
	c := v.(*byteCount)
	// The server may still be reading what the client wrote just before
	// it exited; wait until the count settles.
	var got int64
	for range 50 {
		got = c.total.Load() - c.mark
		if fmt.Sprint(got) == args[0] || (neg && got != 0) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	c.mark += got
	if (fmt.Sprint(got) == args[0]) == neg {
		ts.Fatalf("server received %d application bytes; want %s%s", got, map[bool]string{true: "not ", false: ""}[neg], args[0])
	}
}

// byteCount is what a script's server has read, and how much of it the
// script has already accounted for.
type byteCount struct {
	total atomic.Int64
	mark  int64
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, n: l.n}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

// Read counts bytes after TLS decryption: Conn is a *tls.Conn.
func (c *countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.n.Add(int64(n))
	return n, err
}
