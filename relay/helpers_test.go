package relay

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure/buildstatus"
	"github.com/clientsecure/clientsecure/devicetls"
	"github.com/clientsecure/clientsecure/fakehub"
	"github.com/clientsecure/clientsecure/internal/testcerts"
	"github.com/clientsecure/clientsecure/watch"
)

// ghToken is the GitHub token the tests' relay holds; nothing a device
// receives may contain it.
const ghToken = "ghp_RelayTestToken0123456789abcdefABCDEF"

// testScenario: a repository with statuses, an Actions-only one (check
// runs, no statuses: GitHub's combined status says pending for it), and a
// failing one.
func testScenario() *fakehub.Scenario {
	return &fakehub.Scenario{Repos: []fakehub.Repo{
		{Owner: "octo", Name: "green", Refs: []fakehub.Ref{{Name: "main",
			Statuses: []fakehub.Status{{State: "success", Context: "ci"}}}}},
		{Owner: "octo", Name: "actions", Refs: []fakehub.Ref{{Name: "main",
			CheckRuns: []fakehub.CheckRun{{Name: "build", Conclusion: "success"}, {Name: "test", Conclusion: "success"}}}}},
		{Owner: "octo", Name: "red", Refs: []fakehub.Ref{{Name: "main",
			Statuses:  []fakehub.Status{{State: "success", Context: "lint"}},
			CheckRuns: []fakehub.CheckRun{{Name: "build", Conclusion: "failure"}}}}},
	}}
}

var testTargets = []watch.Target{
	{Owner: "octo", Repo: "green", Ref: "main"},
	{Owner: "octo", Repo: "actions", Ref: "main"},
	{Owner: "octo", Repo: "red", Ref: "main"},
}

// upstream is a fakehub that counts the status requests per ref.
type upstream struct {
	*httptest.Server
	hub *fakehub.Hub

	mu     sync.Mutex
	counts map[string]int // path -> requests
}

func newUpstream(t testing.TB, sc *fakehub.Scenario) *upstream {
	t.Helper()
	u := &upstream{hub: fakehub.New(sc), counts: map[string]int{}}
	u.hub.RequireToken(ghToken)
	u.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.counts[r.URL.Path]++
		u.mu.Unlock()
		u.hub.ServeHTTP(w, r)
	}))
	u.TLS = &tls.Config{Certificates: []tls.Certificate{testcerts.Shared().Good.TLS()}}
	u.Config.ErrorLog = log.New(io.Discard, "", 0)
	u.StartTLS()
	t.Cleanup(u.Close)
	return u
}

// statusRequests is how many times the relay asked for ref's statuses.
func (u *upstream) statusRequests(owner, repo, ref string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.counts["/repos/"+owner+"/"+repo+"/commits/"+ref+"/status"]
}

// client trusts the fakehub's certificate at the fixed clock.
func (u *upstream) client() *http.Client {
	p := testcerts.Shared()
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: testcerts.Pool(p.Root.Cert),
		Time:    func() time.Time { return testcerts.Now },
	}}}
}

// testRelay is a relay serving devices on loopback.
type testRelay struct {
	*Relay
	addr   string
	id     *devicetls.Identity
	rounds chan watch.Round
	stop   func()
}

type relayOpts struct {
	state       string
	maxConns    int
	maxRecord   int
	rsa         int
	clock       watch.Clock
	interval    time.Duration
	deviceToken string
	targets     []watch.Target
}

func startRelay(t testing.TB, u *upstream, o relayOpts) *testRelay {
	t.Helper()
	if o.state == "" {
		o.state = t.TempDir()
	}
	if o.interval == 0 {
		o.interval = time.Minute
	}
	if o.targets == nil {
		o.targets = testTargets
	}
	m := NewMetrics()
	client, _, err := NewUpstream(u.client(), u.URL, ghToken, m)
	if err != nil {
		t.Fatal(err)
	}
	rounds := make(chan watch.Round, 1000)
	r, err := New(Config{
		Targets: o.targets, Check: client.Checker(buildstatus.Want{}), Interval: o.interval, Clock: o.clock,
		DeviceToken: o.deviceToken, Metrics: m,
		OnRound: func(rd watch.Round) { rounds <- rd },
	})
	if err != nil {
		t.Fatal(err)
	}
	id, err := devicetls.LoadOrCreate(o.state, devicetls.MachineNames(), devicetls.KeySpec{RSABits: o.rsa}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	opts := devicetls.Options{MaxRecord: o.maxRecord}
	ln := devicetls.Listen(raw, devicetls.Config(id.Certificate, opts), opts)
	srv := &Server{Handler: r, Listener: ln, MaxConns: o.maxConns, Metrics: m}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { r.Run(ctx) })
	wg.Go(func() {
		if err := srv.Serve(ctx); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cancel()
			wg.Wait()
		}
	}
	t.Cleanup(stop)
	return &testRelay{Relay: r, addr: raw.Addr().String(), id: id, rounds: rounds, stop: stop}
}

// waitRound waits for the next poll to be stored.
func (tr *testRelay) waitRound(t testing.TB) watch.Round {
	t.Helper()
	select {
	case r := <-tr.rounds:
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("no poll within 30s")
	}
	return watch.Round{}
}

// device is a Go client that trusts the relay's certificate, as a device
// holding its anchor does.
func (tr *testRelay) device() *http.Client {
	pool := testcertsPool(tr.id)
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"},
	}, Timeout: 20 * time.Second}
}

func testcertsPool(id *devicetls.Identity) *x509.CertPool {
	return testcerts.Pool(id.Certificate.Leaf)
}

// get asks the relay for path and returns the status, headers and body.
func (tr *testRelay) get(t *testing.T, c *http.Client, path string, hdr ...string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", "https://"+tr.addr+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), ghToken) {
		t.Errorf("GET %s: the body holds the GitHub token", path)
	}
	return resp.StatusCode, resp.Header, string(b)
}
