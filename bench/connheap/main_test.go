package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" { // this test binary, run as the server
		if err := serve(dir, os.Stdout); err != nil {
			os.Exit(1)
		}
		return
	}
	os.Exit(m.Run())
}

// A few connections of each kind, to keep the program working (Dial
// offers no ALPN, the transports h2 and http/1.1); the
// numbers themselves are for docs/PERFORMANCE.md, not for a test.
func TestConnheapRuns(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, 5, 0); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"tls         5 TLS 1.3    ", "http2       5 TLS 1.3 h2 ", "http1       5 TLS 1.3 http/1.1 "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no line starting %q in:\n%s", want, out.String())
		}
	}
}
