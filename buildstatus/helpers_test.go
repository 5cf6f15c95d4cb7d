package buildstatus

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// testToken is what tests authenticate with; no error may ever show it.
const testToken = "ghp_TESTTOKENthatmustneverbeprinted0001"

// tlsServer starts a loopback TLS server with the shared good certificate,
// and returns it with a client that trusts it at testcerts.Now.
func tlsServer(t *testing.T, h http.Handler) (*httptest.Server, *http.Client) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{testcerts.Shared().Good.TLS()}}
	// Cancelled requests leave handshakes half done; that is not news.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, trustingClient(t)
}

// trustingClient trusts the shared test root, on the test clock, and
// speaks HTTP/2 to a server that offers it (tlsServer does not).
func trustingClient(t *testing.T) *http.Client {
	tr := &http.Transport{ForceAttemptHTTP2: true, TLSClientConfig: &tls.Config{
		RootCAs: testcerts.Pool(testcerts.Shared().Root.Cert),
		Time:    func() time.Time { return testcerts.Now },
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func newTestClient(t *testing.T, hc *http.Client, apiURL, token string) *Client {
	t.Helper()
	c, err := NewClient(hc, apiURL, token)
	if err != nil {
		t.Fatalf("NewClient(%q): %v", apiURL, err)
	}
	return c
}

// testCtx bounds a test that talks to a server, so that a hang fails the
// test instead of stalling the run.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// apiError asserts err is an *APIError of kind, and checks what every
// error of this package must hold.
func apiError(t *testing.T, err error, kind ErrorKind) *APIError {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", kind)
	}
	checkErrorText(t, err)
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	if ae.Kind != kind {
		t.Fatalf("kind %s, want %s: %v", ae.Kind, kind, err)
	}
	return ae
}

func checkErrorText(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if !strings.HasPrefix(msg, "buildstatus: ") {
		t.Errorf("error %q lacks the package prefix", msg)
	}
	if strings.Contains(msg, testToken) {
		t.Errorf("error shows the token: %q", msg)
	}
}
