package main

import (
	"crypto/tls"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/x509roots/fallback/bundle"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// bundleBenchHosts starts 20 loopback servers with the scripts' anchor
// PKI (five each of four chains) and writes the candidates, the full
// Mozilla store plus the test roots, to a PEM file.
func bundleBenchHosts(b *testing.B) (addrs []string, roots string) {
	a := scriptAnchors()
	leaves := []*testcerts.Leaf{a.Cross, a.OnlyB, a.OnlyBRSA, a.OnlyC}
	for i := range 20 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := &http.Server{Handler: http.NotFoundHandler(), ErrorLog: log.New(io.Discard, "", 0)}
		go srv.Serve(tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{leaves[i%4].TLS()}}))
		b.Cleanup(func() { srv.Close() })
		addrs = append(addrs, ln.Addr().String())
	}
	var text []byte
	for r := range bundle.Roots() {
		text = append(text, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.Certificate})...)
	}
	text = append(text, testcerts.PEM(a.Candidates()...)...)
	roots = filepath.Join(b.TempDir(), "roots.pem")
	if err := os.WriteFile(roots, text, 0o644); err != nil {
		b.Fatal(err)
	}
	return addrs, roots
}

// BenchmarkBundleCommand20 is the whole bundle command, in process, for
// 20 loopback hosts against the Mozilla store: reading the candidates,
// the handshakes (8 at a time), the choice, writing and the report.
func BenchmarkBundleCommand20(b *testing.B) {
	addrs, roots := bundleBenchHosts(b)
	args := append([]string{"bundle", "--roots", roots, "--format", "esp-idf", "-o", filepath.Join(b.TempDir(), "x509_crt_bundle")}, addrs...)
	for b.Loop() {
		var stderr strings.Builder
		e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr, getenv: func(string) string { return "" }, now: time.Now}
		if code := run(b.Context(), args, e); code != 0 {
			b.Fatalf("exit %d: %s", code, stderr.String())
		}
	}
}

// BenchmarkHandshakes20 is the sum of the 20 handshakes alone, one after
// another, each verified against the same candidates: what the command is
// bounded by.
func BenchmarkHandshakes20(b *testing.B) {
	addrs, roots := bundleBenchHosts(b)
	certs, err := readAnchors("--roots", roots)
	if err != nil {
		b.Fatal(err)
	}
	pool := testcerts.Pool(certs...)
	for b.Loop() {
		trust := &clientsecure.Trust{Roots: pool} // fresh: no resumption, as a new process
		for _, addr := range addrs {
			conn, err := clientsecure.Dial(b.Context(), "tcp", addr, trust)
			if err != nil {
				b.Fatal(err)
			}
			conn.Close()
		}
	}
}

// BenchmarkBundleProcess20 is the command as its own process (built once
// with go build), fork to exit, for the same 20 hosts: what a user or a
// build script waits for.
func BenchmarkBundleProcess20(b *testing.B) {
	addrs, roots := bundleBenchHosts(b)
	bin := filepath.Join(b.TempDir(), "clientsecure")
	if out, err := exec.CommandContext(b.Context(), "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	args := append([]string{"bundle", "--roots", roots, "--format", "esp-idf", "-o", filepath.Join(b.TempDir(), "x509_crt_bundle")}, addrs...)
	for b.Loop() {
		if out, err := exec.CommandContext(b.Context(), bin, args...).CombinedOutput(); err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
	}
}
