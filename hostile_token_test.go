package clientsecure_test

import (
	"bytes"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// Credentials reach only a verified server, and only the origin they were
// meant for: tested by servers that record every byte they receive.

const secret = "Bearer tok_never_to_leave_this_origin_0001"

// recorder is an HTTP server on loopback that keeps every decrypted byte
// it reads.
type recorder struct {
	URL string
	mu  sync.Mutex
	got []byte
}

func (r *recorder) received() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.got...)
}

// startRecorder serves h over TLS with leaf (plain HTTP if leaf is nil).
func startRecorder(t *testing.T, leaf *testcerts.Leaf, h http.HandlerFunc) *recorder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{URL: "http://" + ln.Addr().String()}
	var cfg *tls.Config
	if leaf != nil {
		r.URL = "https://" + ln.Addr().String()
		cfg = &tls.Config{Certificates: []tls.Certificate{leaf.TLS()}}
	}
	srv := &http.Server{Handler: h, ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(&recordingListener{Listener: ln, cfg: cfg, r: r})
	t.Cleanup(func() { srv.Close() })
	return r
}

type recordingListener struct {
	net.Listener
	cfg *tls.Config
	r   *recorder
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if l.cfg != nil {
		c = tls.Server(c, l.cfg)
	}
	return &recordingConn{Conn: c, r: l.r}, nil
}

type recordingConn struct {
	net.Conn
	r *recorder
}

func (c *recordingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.r.mu.Lock()
	c.r.got = append(c.r.got, b[:n]...)
	c.r.mu.Unlock()
	return n, err
}

func hello(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello\n") }

// getWithSecrets asks for u with an Authorization header and a cookie.
func getWithSecrets(t *testing.T, c *http.Client, u string) error {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx(t), http.MethodGet, u, nil)
	req.Header.Set("Authorization", secret)
	req.Header.Set("Cookie", "session=cookie_never_to_leave_0001")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	return err
}

func TestNothingReachesAnUnverifiedServer(t *testing.T) {
	t.Parallel()
	p := testcerts.Shared()
	roots := testcerts.Pool(p.Root.Cert)
	wrong, _ := clientsecure.ParsePin(docSHA1)
	for _, tc := range []struct {
		name  string
		leaf  *testcerts.Leaf
		trust *clientsecure.Trust
		sent  bool
	}{
		{"verified: the control", p.Good, &clientsecure.Trust{Roots: roots}, true},
		{"pin mismatch", p.Good, &clientsecure.Trust{Roots: roots, Pins: []clientsecure.Pin{wrong}}, false},
		{"untrusted root", p.UntrustedRoot, &clientsecure.Trust{Roots: roots}, false},
		{"expired", p.Expired, &clientsecure.Trust{Roots: roots}, false},
		{"wrong host", p.WrongHost, &clientsecure.Trust{Roots: roots}, false},
		{"insecure with a wrong pin (curl test2048)", p.Good, &clientsecure.Trust{Insecure: true, Pins: []clientsecure.Pin{wrong}}, false},
		{"pin-only with a wrong pin", p.Good, &clientsecure.Trust{PinOnly: true, Pins: []clientsecure.Pin{wrong}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startRecorder(t, tc.leaf, hello)
			tc.trust.Time = func() time.Time { return testcerts.Now }
			c := clientsecure.NewClient(tc.trust)
			defer c.CloseIdleConnections()
			err := getWithSecrets(t, c, srv.URL)
			got := srv.received()
			if tc.sent {
				if err != nil || !bytes.Contains(got, []byte(secret)) {
					t.Fatalf("the control failed: %v, server received %q", err, got)
				}
				return
			}
			if err == nil {
				t.Fatal("an unverified server was trusted")
			}
			if len(got) != 0 {
				t.Errorf("the unverified server received %d bytes:\n%s", len(got), got)
			}
			if strings.Contains(err.Error(), "tok_never") {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

func TestRedirectsKeepCredentialsToTheirOrigin(t *testing.T) {
	t.Parallel()
	p := testcerts.Shared()
	trust := &clientsecure.Trust{Roots: testcerts.Pool(p.Root.Cert), Time: func() time.Time { return testcerts.Now }}
	redirectTo := func(target string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/landed" {
				hello(w, r)
				return
			}
			http.Redirect(w, r, target+"/landed", http.StatusFound)
		}
	}
	for _, tc := range []struct {
		name      string
		target    func(t *testing.T) *recorder // nil: the redirecting server itself
		followed  bool                         // the redirect is followed
		credsSent bool                         // the target receives the credentials
	}{
		{"same origin keeps them", nil, true, true},
		// net/http alone compares host names only: it would send them
		// to another port of the same host.
		{"another port of the same host", func(t *testing.T) *recorder { return startRecorder(t, p.Good, hello) }, true, false},
		{"https to http is not followed", func(t *testing.T) *recorder { return startRecorder(t, nil, hello) }, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var first, target *recorder
			if tc.target == nil {
				first = startRecorder(t, p.Good, func(w http.ResponseWriter, r *http.Request) { redirectTo(first.URL)(w, r) })
				target = first
			} else {
				target = tc.target(t)
				first = startRecorder(t, p.Good, redirectTo(target.URL))
			}
			c := clientsecure.NewClient(trust)
			defer c.CloseIdleConnections()
			err := getWithSecrets(t, c, first.URL+"/start")
			if tc.followed != (err == nil) {
				t.Fatalf("followed = %v, want %v", err == nil, tc.followed)
			}
			if !tc.followed && !strings.Contains(err.Error(), "refusing a redirect from https to http") {
				t.Errorf("error %q does not say why", err)
			}
			if !bytes.Contains(first.received(), []byte(secret)) {
				t.Errorf("the first server did not get the credentials: the control failed")
			}
			got := target.received()
			if tc.target != nil {
				if tc.followed != bytes.Contains(got, []byte("GET /landed")) {
					t.Errorf("target received %q; want the request %v", got, tc.followed)
				}
				if !tc.followed && len(got) != 0 {
					t.Errorf("a plain-HTTP server received %d bytes", len(got))
				}
			}
			for _, s := range []string{secret, "cookie_never_to_leave"} {
				if bytes.Contains(got, []byte(s)) != tc.credsSent {
					t.Errorf("target received %q = %v, want %v", s, !tc.credsSent, tc.credsSent)
				}
			}
		})
	}
}

// A redirect loop ends after ten hops with an error that names the
// server.
func TestEndlessRedirects(t *testing.T) {
	t.Parallel()
	srv := startRecorder(t, testcerts.Shared().Good, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
	})
	c := clientsecure.NewClient(&clientsecure.Trust{Roots: testcerts.Pool(testcerts.Shared().Root.Cert), Time: func() time.Time { return testcerts.Now }})
	defer c.CloseIdleConnections()
	err := getWithSecrets(t, c, srv.URL+"/")
	if err == nil || !strings.Contains(err.Error(), "stopped after 10 redirects by "+strings.TrimPrefix(srv.URL, "https://")) {
		t.Fatalf("got %v", err)
	}
	if n := bytes.Count(srv.received(), []byte("GET /")); n != 10 {
		t.Errorf("%d requests, want 10", n)
	}
}
