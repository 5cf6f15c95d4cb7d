package fakehubtest_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-github/v93/github"

	"github.com/clientsecure/clientsecure/fakehub"
	"github.com/clientsecure/clientsecure/fakehubtest"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

func get(t *testing.T, hc *http.Client, url string) *http.Response {
	t.Helper()
	resp, err := hc.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestServerPresentsCertAndSpeaksHTTP2(t *testing.T) {
	srv := fakehubtest.NewServer(nil, testcerts.Shared().Good.TLS())
	defer srv.Close()
	resp := get(t, srv.ClientAt(testcerts.Now), srv.URL+"/repos/esp8266/Arduino")
	good := testcerts.Shared().Good
	if resp.StatusCode != 200 || resp.Proto != "HTTP/2.0" {
		t.Errorf("%s %s, want 200 over HTTP/2.0", resp.Status, resp.Proto)
	}
	if peer := resp.TLS.PeerCertificates; len(peer) != len(good.Chain) || !peer[0].Equal(good.Cert) || !peer[1].Equal(testcerts.Shared().Intermediate.Cert) {
		t.Errorf("server sent %d certificates, not the good leaf and its intermediate", len(peer))
	}
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") || srv.URL != "https://"+srv.Addr() {
		t.Errorf("URL %s is not on 127.0.0.1 at %s", srv.URL, srv.Addr())
	}
}

// Three requests over one HTTP/2 connection are one connection and one
// handshake; a second client costs another of each; requests are counted
// by route, unknown paths under "".
func TestCounts(t *testing.T) {
	srv := fakehubtest.NewServer(nil, testcerts.Shared().Good.TLS())
	defer srv.Close()
	hc := srv.ClientAt(testcerts.Now)
	for _, p := range []string{"/repos/esp8266/Arduino", "/repos/esp8266/Arduino/commits/master/status", "/api/v3/repos/esp8266/Arduino/commits/master/status"} {
		get(t, hc, srv.URL+p)
	}
	if c, h := srv.Conns(), srv.Handshakes(); c != 1 || h != 1 {
		t.Errorf("one client: %d connections, %d handshakes; want 1, 1", c, h)
	}
	get(t, srv.ClientAt(testcerts.Now), srv.URL+"/nowhere")
	if c, h := srv.Conns(), srv.Handshakes(); c != 2 || h != 2 {
		t.Errorf("two clients: %d connections, %d handshakes; want 2, 2", c, h)
	}
	for route, want := range map[string]int{"repo": 1, "status": 2, "check-runs": 0, "": 1} {
		if got := srv.Requests(route); got != want {
			t.Errorf("Requests(%q) = %d, want %d", route, got, want)
		}
	}
	if got := srv.Hub.Stats().Requests; got != 4 {
		t.Errorf("the Hub answered %d requests, want 4", got)
	}
}

// The routes status asks for pull requests and required checks are
// counted under their own names, whatever the answer (a 404 for an
// unknown pull request is still a "pull" request).
func TestCountsPullRulesProtection(t *testing.T) {
	sc := &fakehub.Scenario{Repos: []fakehub.Repo{{
		Owner: "octo", Name: "demo",
		Refs: []fakehub.Ref{
			{Name: "main", Rules: &fakehub.Rules{RequiredStatusChecks: []fakehub.RequiredCheck{{Context: "build"}}},
				Protection: &fakehub.Protection{Contexts: []string{"build"}}},
			{Name: "feature/x"},
		},
		Pulls: []fakehub.Pull{{Number: 7, Head: "feature/x"}},
	}}}
	srv := fakehubtest.NewServer(sc, testcerts.Shared().Good.TLS())
	defer srv.Close()
	hc := srv.ClientAt(testcerts.Now)
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/repos/octo/demo/pulls/7", 200},
		{"/api/v3/repos/octo/demo/pulls/8", 404},
		{"/repos/octo/demo/rules/branches/main", 200},
		{"/repos/octo/demo/rules/branches/feature/x", 200},
		{"/repos/octo/demo/rules/branches/nothing", 200},
		{"/repos/octo/demo/branches/main/protection/required_status_checks", 404}, // no token
		{"/repos/octo/demo/commits/pull/7/head/check-runs", 200},
	} {
		if resp := get(t, hc, srv.URL+tc.path); resp.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.path, resp.StatusCode, tc.status)
		}
	}
	for route, want := range map[string]int{"pull": 2, "rules": 3, "protection": 1, "check-runs": 1, "status": 0, "": 0} {
		if got := srv.Requests(route); got != want {
			t.Errorf("Requests(%q) = %d, want %d", route, got, want)
		}
	}
}

// The caller's listener, configuration and handler are used; HTTP1 turns
// HTTP/2 off.
func TestUnstartedServerTakesTheCallersParts(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := fakehubtest.NewUnstartedServer(nil, testcerts.Shared().Good.TLS())
	srv.Listener = ln
	srv.HTTP1 = true
	var hellos int
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{srv.Cert}, MaxVersion: tls.VersionTLS12,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) { hellos++; return nil, nil }}
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Wrapped", "yes")
		srv.Hub.ServeHTTP(w, r)
	})
	srv.Start()
	defer srv.Close()
	if srv.Addr() != ln.Addr().String() {
		t.Errorf("serving on %s, not the listener's %s", srv.Addr(), ln.Addr())
	}
	resp := get(t, srv.ClientAt(testcerts.Now), srv.URL+"/repos/esp8266/Arduino/commits/master/check-runs")
	if resp.Proto != "HTTP/1.1" || resp.TLS.Version != tls.VersionTLS12 || resp.Header.Get("X-Wrapped") != "yes" {
		t.Errorf("%s, TLS %s, X-Wrapped %q: the caller's parts were not used", resp.Proto, tls.VersionName(resp.TLS.Version), resp.Header.Get("X-Wrapped"))
	}
	if hellos != 1 || srv.Handshakes() != 1 || srv.Requests("check-runs") != 1 {
		t.Errorf("the caller's hook saw %d hellos, the server counted %d handshakes and %d check-runs requests; want 1 each", hellos, srv.Handshakes(), srv.Requests("check-runs"))
	}
}

func ExampleNewServer() {
	srv := fakehubtest.NewServer(fakehub.DefaultScenario(), testcerts.Shared().Good.TLS())
	defer srv.Close()

	base := srv.URL + "/"
	gh, err := github.NewClient(github.WithHTTPClient(srv.ClientAt(testcerts.Now)), github.WithURLs(&base, &base))
	if err != nil {
		panic(err)
	}
	cs, _, err := gh.Repositories.GetCombinedStatus(context.Background(), "esp8266", "Arduino", "master", nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s, %d statuses, %d request, %d connection\n", cs.GetState(), cs.GetTotalCount(), srv.Requests("status"), srv.Conns())
	// Output: success, 2 statuses, 1 request, 1 connection
}
