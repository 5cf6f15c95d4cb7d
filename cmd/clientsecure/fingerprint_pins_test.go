package main

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The commands `fingerprint --format pins` suggests work when pasted
// (DESIGN.md "The command"): for a chain verified by a CA file, and for
// one that does not verify, which needs --pin-only (curl: -k). curl, when
// installed, runs its line too.
func TestPinsSuggestionsWork(t *testing.T) {
	p := scriptPKI()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "pinned ok\n") }))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{p.Good.TLS()}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "https://")
	root := writeRoot(t, p)

	for _, tc := range []struct {
		name  string
		args  []string
		trust string // the flag the suggestions must carry
		curl  string
	}{
		{"verified by the CA file", []string{"--ca-file", root}, "--ca-file " + root, "--cacert " + root},
		{"not verified", nil, "--pin-only", "-k"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCmd(t, append(append([]string{"fingerprint", "--format", "pins"}, tc.args...), addr)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			cs, curl := suggested(t, out, "clientsecure get "), suggested(t, out, "curl ")
			if !strings.Contains(strings.Join(cs, " "), tc.trust) || !strings.Contains(strings.Join(curl, " "), tc.curl) {
				t.Errorf("suggestions lack %q / %q:\n%s", tc.trust, tc.curl, out)
			}
			if code, stdout, stderr := runCmd(t, cs[1:]...); code != exitOK || stdout != "pinned ok\n" {
				t.Errorf("pasted %q: exit %d, stdout %q, stderr:\n%s", cs, code, stdout, stderr)
			}
			if _, err := exec.LookPath("curl"); err != nil {
				if os.Getenv("CI") != "" {
					t.Fatal("curl is not installed")
				}
				t.Log("curl is not installed: its line is not run")
				return
			}
			cmd := exec.Command(curl[0], append([]string{"-sS"}, curl[1:]...)...)
			if got, err := cmd.CombinedOutput(); err != nil || string(got) != "pinned ok\n" {
				t.Errorf("pasted %q: %v\n%s", curl, err, got)
			}
		})
	}
}

// suggested finds the line of out that starts with prefix and splits it
// as a POSIX shell would the single-quoted words written by shellQuote.
func suggested(t *testing.T, out, prefix string) []string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, prefix) {
			var words []string
			var w strings.Builder
			quoted, in := false, false
			for _, r := range line {
				switch {
				case r == '\'':
					quoted, in = !quoted, true
				case r == ' ' && !quoted:
					if in {
						words = append(words, w.String())
					}
					w.Reset()
					in = false
				default:
					w.WriteRune(r)
					in = true
				}
			}
			if in {
				words = append(words, w.String())
			}
			return words
		}
	}
	t.Fatalf("no line starting %q in:\n%s", prefix, out)
	return nil
}
