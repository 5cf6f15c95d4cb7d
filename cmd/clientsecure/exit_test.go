package main

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"crypto/tls"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/fakehub"
	"github.com/clientsecure/clientsecure/fakehubtest"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// exitScenario has one ref for each verdict.
func exitScenario() *fakehub.Scenario {
	ref := func(name string, statuses []fakehub.Status, runs []fakehub.CheckRun) fakehub.Ref {
		return fakehub.Ref{Name: name, Statuses: statuses, CheckRuns: runs}
	}
	return &fakehub.Scenario{Repos: []fakehub.Repo{{
		Owner: "o", Name: "r", DefaultBranch: "green",
		Refs: []fakehub.Ref{
			ref("green", []fakehub.Status{{State: "success", Context: "ci"}}, nil),
			ref("red", nil, []fakehub.CheckRun{{Name: "build", Conclusion: "failure"}}),
			ref("amber", nil, []fakehub.CheckRun{{Name: "build", Status: "in_progress"}}),
			ref("silent", nil, nil),
			ref("skipped", nil, []fakehub.CheckRun{{Name: "a", Conclusion: "skipped"}, {Name: "b", Conclusion: "skipped"}}),
		},
	}}}
}

// The exit codes of DESIGN.md, for status: one per verdict, and for
// several refs the first present in the order 4, 5, 1, 2, 3, 0.
func TestStatusExitCodes(t *testing.T) {
	p := scriptPKI()
	srv := fakehubtest.NewServer(exitScenario(), p.Good.TLS())
	defer srv.Close()
	root := writeRoot(t, p)
	base := []string{"status", "--api-url", srv.URL, "--ca-file", root}
	for _, tc := range []struct {
		refs []string
		want int
	}{
		{[]string{"o/r@green"}, exitOK},
		{[]string{"o/r"}, exitOK}, // default branch
		{[]string{"o/r@skipped"}, exitOK},
		{[]string{"o/r@red"}, exitFailed},
		{[]string{"o/r@amber"}, exitPending},
		{[]string{"o/r@silent"}, exitNoStatus},
		{[]string{"o/nope@main"}, exitError},
		{[]string{"o/r@nosuchref"}, exitError},
		{[]string{"o/r@green", "o/r@silent", "o/r@amber"}, exitPending},
		{[]string{"o/r@silent", "o/r@green"}, exitNoStatus},
		{[]string{"o/r@amber", "o/r@red", "o/r@silent"}, exitFailed},
		{[]string{"o/r@red", "o/nope", "o/r@amber"}, exitError},
	} {
		code, stdout, stderr := runCmd(t, append(base, tc.refs...)...)
		if code != tc.want {
			t.Errorf("status %v = %d, want %d\n%s%s", tc.refs, code, tc.want, stdout, stderr)
		}
	}

	// Identity beats everything: the same refs from a server that fails
	// the pin.
	wrong := "CF 05 98 89 CA FF 8E D8 5E 5C E0 C2 E4 F7 E6 C3 C7 50 DD 5C"
	if code, _, _ := runCmd(t, append(base, "--pin", wrong, "o/r@red", "o/nope")...); code != exitIdentity {
		t.Errorf("pin mismatch exited %d, want 4", code)
	}
	// Usage errors.
	for _, args := range [][]string{
		{"status"},
		{"status", "not-a-repo"},
		{"status", "--pin", "CF 05", "o/r"},
		{"status", "--concurrency", "0", "o/r"},
		{"status", "--nosuchflag", "o/r"},
		{"nosuchcommand"},
	} {
		if code, _, _ := runCmd(t, args...); code != exitUsage {
			t.Errorf("%v exited %d, want 64", args, code)
		}
	}
}

func TestGetExitCodes(t *testing.T) {
	p := scriptPKI()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("ok\n"))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{p.Good.TLS()}}
	srv.StartTLS()
	defer srv.Close()
	root := writeRoot(t, p)
	leafSHA1 := clientsecure.CertificatePins(p.Good.Cert).SHA1.String()
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"--ca-file", root, "--pin", leafSHA1, srv.URL}, exitOK},
		{[]string{"--ca-file", root, srv.URL + "/missing"}, exitOK}, // like curl: a 404 is an answer
		{[]string{"--ca-file", root, "--fail", srv.URL + "/missing"}, exitError},
		{[]string{"--ca-file", root, "--pin", "CF 05 98 89 CA FF 8E D8 5E 5C E0 C2 E4 F7 E6 C3 C7 50 DD 5C", srv.URL}, exitIdentity},
		{[]string{srv.URL}, exitIdentity}, // the system roots do not know the test root
		{[]string{"--ca-file", root, "https://127.0.0.1:1/"}, exitError},
		{[]string{"--pin", "nonsense", srv.URL}, exitUsage},
		{[]string{"--ca-file", filepath.Join(t.TempDir(), "none.pem"), srv.URL}, exitUsage},
		{[]string{"--at", "yesterday", srv.URL}, exitUsage},
		{[]string{"--client-cert", root, srv.URL}, exitUsage},
		{[]string{"ftp://x/"}, exitUsage},
	} {
		code, stdout, stderr := runCmd(t, append([]string{"get"}, tc.args...)...)
		if code != tc.want {
			t.Errorf("get %v = %d, want %d\n%s%s", tc.args, code, tc.want, stdout, stderr)
		}
	}
}

// Mutual TLS: a server that demands a client certificate gets the one
// --client-cert names.
func TestGetClientCertificate(t *testing.T) {
	p := scriptPKI()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello " + r.TLS.PeerCertificates[0].Subject.CommonName + "\n"))
	}))
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{p.Good.TLS()},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    poolOf(p),
	}
	srv.StartTLS()
	defer srv.Close()
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "client.pem"), filepath.Join(dir, "client-key.pem")
	client := p.Intermediate.Leaf(clientTemplate())
	if err := os.WriteFile(cert, client.ChainPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, client.KeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	root := writeRoot(t, p)
	code, stdout, stderr := runCmd(t, "get", "--ca-file", root, "--client-cert", cert, "--client-key", key, srv.URL)
	if code != exitOK || stdout != "hello device-42\n" {
		t.Fatalf("exit %d, %q %s", code, stdout, stderr)
	}
	if code, _, _ := runCmd(t, "get", "--ca-file", root, srv.URL); code != exitError {
		t.Fatalf("without a client certificate: exit %d, want 5", code)
	}
}

func poolOf(p *testcerts.PKI) *x509.CertPool { return testcerts.Pool(p.Root.Cert) }

// clientTemplate is a client certificate's: a name, no host names.
func clientTemplate() testcerts.Template {
	return testcerts.Template{
		CommonName: "device-42", NoNames: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		// The server checks it on the real clock.
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
}
