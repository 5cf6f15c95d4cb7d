package buildstatus

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// recorder remembers the Authorization header of every request it saw.
type recorder struct {
	mu   sync.Mutex
	auth []string
}

func (r *recorder) record(req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.auth = append(r.auth, req.Header.Get("Authorization"))
}

func (r *recorder) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.auth...)
}

func TestRedirectToAnotherHostIsRefused(t *testing.T) {
	var other recorder
	otherSrv, _ := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.record(r)
		io.WriteString(w, emptyRuns)
	}))
	var api recorder
	apiSrv, hc := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api.record(r)
		switch {
		case strings.HasSuffix(r.URL.Path, "/check-runs"):
			http.Redirect(w, r, otherSrv.URL+r.URL.RequestURI(), http.StatusFound)
		default:
			io.WriteString(w, emptyStatus)
		}
	}))
	c := newTestClient(t, hc, apiSrv.URL, testToken)
	_, err := c.Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
	ae := apiError(t, err, Unexpected)
	if !strings.Contains(ae.Message, "refusing to follow a redirect") {
		t.Errorf("message %q", ae.Message)
	}
	if got := other.seen(); len(got) != 0 {
		t.Errorf("the other host got %d requests (Authorization %q); want none", len(got), got)
	}
	for _, a := range api.seen() {
		if a != "Bearer "+testToken {
			t.Errorf("the API host got Authorization %q, want the token", a)
		}
	}
}

func TestRedirectWithinTheAPIKeepsTheToken(t *testing.T) {
	// GitHub answers a renamed repository's URLs with a 301 to its new name.
	var api recorder
	srv, hc := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api.record(r)
		switch {
		case strings.HasPrefix(r.URL.Path, "/repos/old/"):
			http.Redirect(w, r, strings.Replace(r.URL.RequestURI(), "/repos/old/", "/repos/new/", 1), http.StatusMovedPermanently)
		case strings.HasSuffix(r.URL.Path, "/status"):
			io.WriteString(w, emptyStatus)
		default:
			io.WriteString(w, emptyRuns)
		}
	}))
	res, err := newTestClient(t, hc, srv.URL, testToken).Check(testCtx(t), Target{Owner: "old", Repo: "r", Ref: "main"}, Want{})
	if err != nil {
		t.Fatal(err)
	}
	if res.State != StateNoStatus {
		t.Errorf("state %v", res.State)
	}
	got := api.seen()
	if len(got) != 4 {
		t.Errorf("%d requests, want 2 redirected + 2", len(got))
	}
	for _, a := range got {
		if a != "Bearer "+testToken {
			t.Errorf("Authorization %q on a same-origin request", a)
		}
	}
}

func TestTokenTransportSendsTheTokenOnlyToTheAPIOrigin(t *testing.T) {
	var sent []string
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent = append(sent, r.Header.Get("Authorization"))
		return &http.Response{StatusCode: 204, Body: http.NoBody, Request: r}, nil
	})
	api, _ := parseAPIURL("https://ghe.example/api/v3")
	tr := &tokenTransport{base: base, origin: api, value: newSecret("Bearer " + testToken)}
	for _, tc := range []struct {
		url  string
		want bool
	}{
		{"https://ghe.example/api/v3/repos/o/r", true},
		{"https://GHE.example:443/api/v3/repos/o/r", true},
		{"https://ghe.example/elsewhere", true}, // same origin, same trust
		{"http://ghe.example/api/v3/repos/o/r", false},
		{"https://ghe.example:8443/api/v3/repos/o/r", false},
		{"https://ghe.example.evil/api/v3/repos/o/r", false},
		{"https://evil.example/api/v3/repos/o/r", false},
	} {
		sent = nil
		req, _ := http.NewRequest("GET", tc.url, nil)
		req.Header.Set("Authorization", "Bearer smuggled") // whatever a caller set
		if _, err := tr.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
		switch {
		case tc.want && sent[0] != "Bearer "+testToken:
			t.Errorf("%s: Authorization %q, want the token", tc.url, sent[0])
		case !tc.want && sent[0] != "":
			t.Errorf("%s: Authorization %q sent to another origin", tc.url, sent[0])
		}
		if req.Header.Get("Authorization") != "Bearer smuggled" {
			t.Errorf("%s: the caller's request was changed", tc.url)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewClientRefusals(t *testing.T) {
	for _, tc := range []struct{ url, token, want string }{
		{"http://api.example", testToken, "over plain http"},
		{"ftp://api.example", "", "is not https://"},
		{"https://", "", "has no host"},
		{"https://user:pass@api.example", "", "must not hold credentials"},
		{"https://api.example/?x=1", "", "query"},
		{"https://api.example", "tok\nen", "line break"},
	} {
		_, err := NewClient(nil, tc.url, tc.token)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewClient(%q): %v, want an error about %q", tc.url, err, tc.want)
			continue
		}
		checkErrorText(t, err)
	}
	c, err := NewClient(nil, "https://ghe.example/api/v3", "")
	if err != nil || c.APIURL() != "https://ghe.example/api/v3/" {
		t.Errorf("enterprise URL: %v %v", c, err)
	}
}

func TestNewClientLeavesTheCallersClientAlone(t *testing.T) {
	tr := &http.Transport{}
	hc := &http.Client{Transport: tr}
	if _, err := NewClient(hc, "https://api.example", testToken); err != nil {
		t.Fatal(err)
	}
	if hc.Transport != tr || hc.CheckRedirect != nil {
		t.Error("NewClient changed the http.Client it was given")
	}
}

func TestTrace(t *testing.T) {
	srv, hc := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/status") {
			io.WriteString(w, emptyStatus)
		} else {
			io.WriteString(w, emptyRuns)
		}
	}))
	c := newTestClient(t, hc, srv.URL, testToken)
	var mu sync.Mutex
	var lines []string
	c.SetTrace(func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, fmt.Sprintf(format, args...))
	})
	if _, err := c.Check(testCtx(t), Target{Owner: "esp8266", Repo: "Arduino", Ref: "master"}, Want{}); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{
		"requesting URL: /repos/esp8266/Arduino/commits/master/status?page=1&per_page=100",
		"requesting URL: /repos/esp8266/Arduino/commits/master/check-runs?filter=latest&page=1&per_page=100",
		"request sent",
		"headers received: 200 OK",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("trace lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, testToken) {
		t.Error("trace shows the token")
	}
}

func TestTheTokenDoesNotPrint(t *testing.T) {
	c, err := NewClient(nil, "https://api.example", testToken)
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v"} {
		if s := fmt.Sprintf(verb, c); strings.Contains(s, testToken) {
			t.Errorf("Sprintf(%q, client) shows the token", verb)
		}
	}
}
