package relay

import (
	"bytes"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure/devicetls"
	"github.com/clientsecure/clientsecure/fakehub"
)

var (
	bearOnce sync.Once
	bearBin  string
	bearErr  error
)

// bearClient compiles testdata/bearclient.c against the system's BearSSL.
// Without cc or libbearssl-dev the test fails under CI and is skipped,
// saying why, elsewhere.
func bearClient(t *testing.T) string {
	t.Helper()
	bearOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bearclient")
		if err != nil {
			bearErr = err
			return
		}
		bearBin = filepath.Join(dir, "bearclient")
		out, err := exec.Command("cc", "-O1", "-o", bearBin, "testdata/bearclient.c", "-lbearssl").CombinedOutput()
		if err != nil {
			bearErr = err
			bearBin = string(out)
		}
	})
	if bearErr != nil {
		msg := "cannot build the BearSSL client (needs cc and libbearssl-dev): " + bearErr.Error() + "\n" + bearBin
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return bearBin
}

// bear runs the BearSSL client and returns its stdout, stderr and error.
func bear(t *testing.T, env []string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(bearClient(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

func writeDER(t *testing.T, tr *testRelay) string {
	p := filepath.Join(t.TempDir(), "cert.der")
	if err := os.WriteFile(p, tr.id.Certificate.Certificate[0], 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// body is what follows the headers, as the sketch reads it.
func bodyOf(reply string) string {
	_, b, _ := strings.Cut(reply, "\r\n\r\n")
	return b
}

// TestBearSSL: a BearSSL client with 512-byte buffers (837 in, 597 out)
// reads the verdict in every trust mode, by IP string and by name.
func TestBearSSL(t *testing.T) {
	bearClient(t)
	u := newUpstream(t, testScenario())
	for _, key := range []struct {
		name string
		rsa  int
		env  []string
	}{
		{"ecdsa", 0, nil},
		{"rsa", 2048, nil},
		{"rsa-kex", 2048, []string{"SUITES=rsa"}},
	} {
		t.Run(key.name, func(t *testing.T) {
			tr := startRelay(t, u, relayOpts{rsa: key.rsa})
			tr.waitRound(t)
			der := writeDER(t, tr)
			_, port, _ := strings.Cut(tr.addr, ":")
			for _, mode := range []string{"fingerprint", "knownkey", "anchor", "anchor1970"} {
				for _, name := range []string{"127.0.0.1", "localhost"} {
					for path, want := range map[string]string{
						"/repos/octo/actions/commits/main/status": `{"state":"success"`,
						"/repos/octo/red/commits/main/status":     `{"state":"failure"`,
					} {
						out, errs, err := bear(t, key.env, mode, name, "127.0.0.1", port, der, path)
						if err != nil {
							t.Errorf("%s by %s: %v: %s", mode, name, err, errs)
							continue
						}
						if !strings.HasPrefix(out, "HTTP/1.1 200 ") || !strings.HasPrefix(bodyOf(out), want) {
							t.Errorf("%s by %s %s: %q", mode, name, path, out)
						}
						if strings.Contains(out, ghToken) {
							t.Errorf("%s: the reply holds the GitHub token", mode)
						}
						if key.env != nil && !strings.Contains(errs, "suite 0x002f") && !strings.Contains(errs, "suite 0x009c") {
							t.Errorf("plain-RSA suite not negotiated: %s", errs)
						}
					}
				}
			}
		})
	}
}

// TestBearSSLRefusesOthers: the checks the client makes are real: another
// certificate's fingerprint, key or anchor fails, and so does a name the
// certificate does not carry in anchor mode.
func TestBearSSLRefusesOthers(t *testing.T) {
	bearClient(t)
	u := newUpstream(t, testScenario())
	tr := startRelay(t, u, relayOpts{})
	other := startRelay(t, u, relayOpts{})
	tr.waitRound(t)
	otherDER := writeDER(t, other)
	_, port, _ := strings.Cut(tr.addr, ":")
	path := "/repos/octo/green/commits/main/status"
	for _, mode := range []string{"fingerprint", "knownkey", "anchor"} {
		if out, _, err := bear(t, nil, mode, "127.0.0.1", "127.0.0.1", port, otherDER, path); err == nil {
			t.Errorf("%s with another relay's certificate: accepted: %q", mode, out)
		}
	}
	if out, _, err := bear(t, nil, "anchor", "not-this-relay.example", "127.0.0.1", port, writeDER(t, tr), path); err == nil {
		t.Errorf("anchor mode with a name not in the certificate: accepted: %q", out)
	}
}

// TestBearSSLSurvivesRestart: the fingerprint printed before a restart
// is still valid after it.
func TestBearSSLSurvivesRestart(t *testing.T) {
	bearClient(t)
	u := newUpstream(t, testScenario())
	state := t.TempDir()
	first := startRelay(t, u, relayOpts{state: state})
	der := writeDER(t, first)
	first.stop()
	second := startRelay(t, u, relayOpts{state: state})
	second.waitRound(t)
	_, port, _ := strings.Cut(second.addr, ":")
	for _, mode := range []string{"fingerprint", "knownkey", "anchor"} {
		out, errs, err := bear(t, nil, mode, "127.0.0.1", "127.0.0.1", port, der, "/repos/octo/green/commits/main/status")
		if err != nil || !strings.HasPrefix(bodyOf(out), `{"state":"success"`) {
			t.Errorf("%s after restart: %v %s %q", mode, err, errs, out)
		}
	}
}

// TestBearSSLNeedsTheLimit: serve's GitHub-like replies are kilobytes
// long. Over devicetls at the default limit a BearSSL client with 837-byte
// buffers reads them whole; at 16384, as from any Go TLS server, it fails
// (BR_ERR_TOO_LARGE, 6): so the tests above owe their success to the
// limit, and serve --bearssl honours it.
func TestBearSSLNeedsTheLimit(t *testing.T) {
	bearClient(t)
	cert, err := devicetls.NewCertificate(devicetls.MachineNames(), devicetls.KeySpec{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	der := filepath.Join(t.TempDir(), "cert.der")
	os.WriteFile(der, cert.Certificate[0], 0o644)
	for _, c := range []struct {
		max int
		ok  bool
	}{{512, true}, {16384, false}} {
		raw, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		o := devicetls.Options{MaxRecord: c.max, TLS12Only: true}
		ln := devicetls.Listen(raw, devicetls.Config(cert, o), o)
		srv := &http.Server{Handler: fakehub.New(nil), ErrorLog: log.New(io.Discard, "", 0)}
		go srv.Serve(ln)
		_, port, _ := net.SplitHostPort(raw.Addr().String())
		out, errs, err := bear(t, nil, "anchor", "127.0.0.1", "127.0.0.1", port, der, "/repos/esp8266/Arduino/commits/master/status")
		srv.Close()
		if c.ok && (err != nil || !strings.Contains(bodyOf(out), `"state":"success"`)) {
			t.Errorf("max record %d: %v %s %q", c.max, err, errs, out)
		}
		if !c.ok && (err == nil || !strings.Contains(errs, "bearssl error 6")) {
			t.Errorf("max record %d with 837-byte buffers: %v %s; want BR_ERR_TOO_LARGE", c.max, err, errs)
		}
	}
}
