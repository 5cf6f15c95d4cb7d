package fakehub_test

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	. "github.com/clientsecure/clientsecure/fakehub"
	"github.com/clientsecure/clientsecure/fakehubtest"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// startServer runs sc on a loopback TLS server presenting the shared good
// leaf, closed when the test ends.
func startServer(t *testing.T, sc *Scenario) *fakehubtest.Server {
	t.Helper()
	srv := fakehubtest.NewServer(sc, testcerts.Shared().Good.TLS())
	t.Cleanup(srv.Close)
	return srv
}

// httpClient trusts only the test root and verifies on the test clock, as
// every client of the project does in tests.
func httpClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{
			RootCAs: testcerts.Pool(testcerts.Shared().Root.Cert),
			Time:    func() time.Time { return testcerts.Now },
		},
		ForceAttemptHTTP2: true,
	}}
}

// ghClient is go-github itself talking to srv, optionally with a token.
func ghClient(t *testing.T, srv *fakehubtest.Server, token string) *github.Client {
	t.Helper()
	base := srv.URL + "/"
	opts := []github.ClientOptionsFunc{github.WithHTTPClient(httpClient()), github.WithURLs(&base, &base)}
	if token != "" {
		opts = append(opts, github.WithAuthToken(token))
	}
	c, err := github.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// get does one raw request and returns the response with its body read.
func get(t *testing.T, srv *fakehubtest.Server, method, path string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := httpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// exampleScenario is testdata/example.json, parsed.
func exampleScenario(t *testing.T) *Scenario {
	t.Helper()
	return scenarioFile(t, "testdata/example.json")
}

// pullsScenario is testdata/pulls.json, parsed: pull requests (one from
// a fork), branch rules and classic protection.
func pullsScenario(t *testing.T) *Scenario {
	t.Helper()
	return scenarioFile(t, "testdata/pulls.json")
}

func scenarioFile(t *testing.T, name string) *Scenario {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := ParseScenario(data)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func oneRepo(refs ...Ref) *Scenario {
	return &Scenario{Repos: []Repo{{Owner: "octo", Name: "demo", Refs: refs}}}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
