package main

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/clientsecure/clientsecure/internal/testcerts"
)

func init() {
	extraScriptCmds["anchorserver"] = cmdAnchorServer
	extraScriptCmds["expand"] = cmdExpand
	extraScriptCmds["sizes"] = cmdSizes
}

// cmdExpand copies SRC to DST with $VARS expanded, for files that name
// the script's servers.
//
//	expand SRC DST
func cmdExpand(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: expand SRC DST")
	}
	text := ts.ReadFile(args[0])
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(os.Expand(text, ts.Getenv)), 0o644))
}

// cmdSizes asserts that the "bytes" of a bundle JSON report are the
// sizes of the files each format wrote.
//
//	sizes REPORT KEY=FILE...
func cmdSizes(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: sizes REPORT KEY=FILE...")
	}
	var report struct {
		Bytes map[string]*int `json:"bytes"`
	}
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &report))
	for _, kv := range args[1:] {
		key, file, _ := strings.Cut(kv, "=")
		fi, err := os.Stat(ts.MkAbs(file))
		ts.Check(err)
		if got := report.Bytes[key]; got == nil || int64(*got) != fi.Size() {
			ts.Fatalf("bytes.%s is %v, %s has %d bytes", key, got, file, fi.Size())
		}
	}
}

// scriptAnchors is the bundle scripts' PKI, valid on the real clock.
var scriptAnchors = sync.OnceValue(func() *testcerts.Anchors { return testcerts.NewAnchors(time.Now()) })

// cmdAnchorServer starts an HTTPS server on 127.0.0.1 presenting one of
// testcerts.Anchors' servers and sets NAME (its HOST:PORT), NAME_PORT and
// NAME_URL; the first one also writes ROOTS (the candidate roots, PEM),
// ROOT_A, ROOT_B, ROOT_C and OTHER_ROOT, and sets their paths. Every
// server redirects /go?to=URL to URL, /loop to /loop2 and back, and
// answers anything else with 200.
//
//	anchorserver NAME CASE
func cmdAnchorServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: anchorserver NAME CASE")
	}
	a := scriptAnchors()
	leaf, ok := map[string]*testcerts.Leaf{
		"cross": a.Cross, "onlyb": a.OnlyB, "onlybrsa": a.OnlyBRSA, "onlyc": a.OnlyC,
		"stray": a.Stray, "incomplete": a.Incomplete,
	}[args[1]]
	if !ok {
		ts.Fatalf("anchorserver: unknown case %q", args[1])
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	srv := &http.Server{
		Handler:  http.HandlerFunc(anchorServerHandler),
		ErrorLog: log.New(io.Discard, "", 0), // refused handshakes are the point
	}
	go srv.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{leaf.TLS()}}))
	ts.Defer(func() { srv.Close() })

	name := args[0]
	ts.Setenv(name, ln.Addr().String())
	ts.Setenv(name+"_PORT", fmt.Sprint(ln.Addr().(*net.TCPAddr).Port))
	ts.Setenv(name+"_URL", "https://"+ln.Addr().String())
	for env, pem := range map[string][]byte{
		"ROOTS":      testcerts.PEM(a.Candidates()...),
		"ROOT_A":     testcerts.PEM(a.RootA.Cert),
		"ROOT_B":     testcerts.PEM(a.RootB.Cert),
		"ROOT_C":     testcerts.PEM(a.RootC.Cert),
		"OTHER_ROOT": testcerts.PEM(a.Other.Cert),
	} {
		path := filepath.Join(ts.Getenv("WORK"), strings.ToLower(env)+".pem")
		ts.Check(os.WriteFile(path, pem, 0o644))
		ts.Setenv(env, path)
	}
}

func anchorServerHandler(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/go":
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	case "/loop":
		http.Redirect(w, r, "/loop2", http.StatusFound)
	case "/loop2":
		http.Redirect(w, r, "/loop", http.StatusFound)
	default:
		io.WriteString(w, "ok\n")
	}
}

// TestBundleTerminal: a binary format to a terminal is a usage error
// (64) and writes nothing; the same to a file works. The terminal is a
// real pseudo-terminal, so the detection itself is tested.
func TestBundleTerminal(t *testing.T) {
	tty := openPTY(t)
	if !fileIsTerminal(tty) {
		t.Fatal("a pseudo-terminal is not seen as a terminal")
	}
	for _, format := range []string{"certs-ar", "esp-idf", "esp-idf-legacy"} {
		var stderr strings.Builder
		e := &env{stdin: strings.NewReader(""), stdout: tty, stderr: &stderr, getenv: func(string) string { return "" }, now: time.Now}
		code := run(t.Context(), []string{"bundle", "--format", format, "127.0.0.1:1"}, e)
		if code != exitUsage || !strings.Contains(stderr.String(), "is binary") {
			t.Errorf("%s to a terminal: exit %d, %s", format, code, stderr.String())
		}
	}
	var stderr strings.Builder
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if fileIsTerminal(f) {
		t.Error("a file is seen as a terminal")
	}
	e := &env{stdin: strings.NewReader(""), stdout: f, stderr: &stderr, getenv: func(string) string { return "" }, now: time.Now}
	// Port 1 refuses: exit 5, but not refused as a terminal.
	if code := run(t.Context(), []string{"bundle", "--format", "esp-idf", "--timeout", "5s", "127.0.0.1:1"}, e); code != exitError {
		t.Errorf("esp-idf to a file: exit %d, %s", code, stderr.String())
	}
}

type fakeFinder struct {
	hosts []string
	err   error
}

func (f fakeFinder) Hosts(string) ([]string, error) { return f.hosts, f.err }

// TestBundleFromTree: --from-tree adds what the tree scanner finds after
// the arguments; a scanner error or a build without one is a usage error.
func TestBundleFromTree(t *testing.T) {
	o := &bundleOptions{fromTree: "src", finder: fakeFinder{hosts: []string{"mqtt.example:8883", "https://example.com/x"}}}
	targets, err := o.targets([]string{"api.example"})
	if err != nil {
		t.Fatal(err)
	}
	if len(targets) != 3 || targets[1].Port != 8883 || targets[2].URL == nil || targets[0].Port != 443 {
		t.Fatalf("targets %+v", targets)
	}
	for _, f := range []hostFinder{nil, fakeFinder{err: fmt.Errorf("unreadable")}} {
		o := &bundleOptions{fromTree: "src", finder: f}
		if _, err := o.targets(nil); codeOf(err) != exitUsage {
			t.Errorf("finder %v: %v, want a usage error", f, err)
		}
	}
}
