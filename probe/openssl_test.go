package probe

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// opensslServer runs `openssl s_server` on 127.0.0.1 with an ephemeral
// port and the leaf's key and chain, until the test ends.
func opensslServer(t *testing.T, leaf *testcerts.Leaf, args ...string) (string, int) {
	t.Helper()
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed: this test needs a server that honours max_fragment_length (.ci/run installs openssl)")
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"cert.pem":  leaf.CertPEM(),
		"chain.pem": testcerts.PEM(leaf.Chain[1:]...),
		"key.pem":   leaf.KeyPEM(),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(openssl, append([]string{"s_server", "-accept", "127.0.0.1:0",
		"-cert", filepath.Join(dir, "cert.pem"), "-cert_chain", filepath.Join(dir, "chain.pem"),
		"-key", filepath.Join(dir, "key.pem")}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe() // held open: s_server treats EOF on stdin as "quit"
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var drained sync.WaitGroup
	t.Cleanup(func() {
		cmd.Process.Kill()
		stdin.Close()
		drained.Wait()
		cmd.Wait()
	})

	// s_server prints "ACCEPT 127.0.0.1:PORT" once it listens; if it
	// fails instead it exits, and the read ends.
	out := bufio.NewReader(stdout)
	for {
		line, err := out.ReadString('\n')
		if err != nil {
			t.Fatalf("openssl s_server did not start: %v\n%s", err, stderr.String())
		}
		if port, ok := strings.CutPrefix(strings.TrimSpace(line), "ACCEPT 127.0.0.1:"); ok {
			n, err := strconv.Atoi(port)
			if err != nil {
				t.Fatalf("openssl s_server: %q", line)
			}
			drained.Add(1)
			go func() { // s_server blocks if nobody reads what it prints
				defer drained.Done()
				io.Copy(io.Discard, out)
			}()
			return "127.0.0.1", n
		}
	}
}

// TestOpenSSLServer runs the whole probe against `openssl s_server`, which
// honours max_fragment_length at every size.
func TestOpenSSLServer(t *testing.T) {
	pki := testcerts.Shared()
	host, port := opensslServer(t, pki.Good, "-alpn", "http/1.1")
	r, err := run(t, host, port, Options{ServerName: "localhost", VerifyConnection: verifyWith(pki.Root.Cert)})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Fragments {
		if f.Outcome != Honoured || f.Echoed != f.Requested || int(f.EchoedCode) != slices.Index(fragmentLengths[:], f.Requested)+1 {
			t.Errorf("fragment probe %+v, want the same size echoed", f)
		}
		if !r.MaxFragmentLength[f.Requested] {
			t.Errorf("max_fragment_length[%d] false", f.Requested)
		}
	}
	if len(r.Fragments) != 4 {
		t.Errorf("%d fragment probes, want 4", len(r.Fragments))
	}
	if !slices.Contains(r.TLSVersions, "1.2") || !slices.Contains(r.TLSVersions, "1.3") {
		t.Errorf("versions %v, want 1.2 and 1.3", r.TLSVersions)
	}
	if r.ALPN != "http/1.1" {
		t.Errorf("ALPN %q, want http/1.1", r.ALPN)
	}
	if r.KeyType != "ECDSA" || r.KeyBits != 256 || r.ChainCertificates != 2 || r.ChainBytes != chainBytes(pki.Good) {
		t.Errorf("key %s %d, chain %d certificates %d bytes", r.KeyType, r.KeyBits, r.ChainCertificates, r.ChainBytes)
	}
	if !r.Resumption["1.2"] || !r.Resumption["1.3"] {
		t.Errorf("resumption %v, want both", r.Resumption)
	}
	if r.Identity != "verified" {
		t.Errorf("identity %q", r.Identity)
	}
	if e := r.ESP8266; e.FragmentLength != 512 || e.PerConnection != 6656 ||
		!strings.HasPrefix(e.Verdict, "fits in about 7 KB with max_fragment_length 512") {
		t.Errorf("ESP8266 %+v", e)
	}
	for probe, msg := range r.Errors {
		if probe != "tls 1.0" && probe != "tls 1.1" { // OpenSSL 3 refuses them at its default security level
			t.Errorf("%s: %s", probe, msg)
		}
	}
	t.Logf("openssl s_server: versions %v, %s", r.TLSVersions, r.ESP8266.Verdict)
}

// TestOpenSSLServerEachSize checks the echo one size at a time with the
// raw exchange alone, the way an ESP8266 asks before it connects.
func TestOpenSSLServerEachSize(t *testing.T) {
	host, port := opensslServer(t, testcerts.Shared().GoodRSA)
	for _, size := range fragmentLengths {
		sh, err := exchange(t.Context(), t, host, port, Hello{ServerName: "localhost", MaxFragmentLength: size})
		if err != nil {
			t.Fatalf("%d: %v", size, err)
		}
		if sh.MaxFragmentLength() != size || sh.Version != 0x0303 {
			t.Errorf("%d: echo %d at version %#04x, want %d at TLS 1.2", size, sh.MaxFragmentLength(), sh.Version, size)
		}
		if !sh.SecureRenegotiation || !sh.ExtendedMasterSecret {
			t.Errorf("%d: renegotiation_info %v, extended_master_secret %v: OpenSSL sends both", size, sh.SecureRenegotiation, sh.ExtendedMasterSecret)
		}
	}
}
