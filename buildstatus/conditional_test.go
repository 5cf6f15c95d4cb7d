package buildstatus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// etagServer serves body under an ETag derived from its version, answers
// a matching If-None-Match with 304, and counts what it saw.
type etagServer struct {
	mu          sync.Mutex
	version     int
	requests    int
	conditional int // requests with If-None-Match
	remaining   int // X-RateLimit-Remaining, one less for each full answer
}

func (s *etagServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	etag := fmt.Sprintf(`W/"v%d-%s"`, s.version, r.URL.Path)
	w.Header().Set("ETag", etag)
	w.Header().Set("X-Poll-Interval", "60")
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		s.conditional++
		if inm == etag {
			w.Header().Set("X-RateLimit-Remaining", fmt.Sprint(s.remaining))
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	s.remaining--
	w.Header().Set("X-RateLimit-Remaining", fmt.Sprint(s.remaining))
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"path":%q,"version":%d}`, r.URL.Path, s.version)
}

func (s *etagServer) bump() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version++
}

func get(t *testing.T, c *http.Client, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(testCtx(t), "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestConditionalPollsOfAnUnchangedURL(t *testing.T) {
	es := &etagServer{remaining: 5000}
	srv, hc := tlsServer(t, es)
	ct := NewConditionalTransport(hc.Transport)
	c := &http.Client{Transport: ct}

	const K = 6
	want := `{"path":"/a","version":0}`
	for i := range K {
		resp, body := get(t, c, srv.URL+"/a")
		if resp.StatusCode != 200 || body != want {
			t.Fatalf("poll %d: %d %q, want 200 %q", i, resp.StatusCode, body, want)
		}
		hit := resp.Header.Get(CacheHeader) == "hit"
		if hit != (i > 0) {
			t.Errorf("poll %d: cache hit %v", i, hit)
		}
		if got := resp.Header.Get("X-RateLimit-Remaining"); got != "4999" {
			t.Errorf("poll %d: X-RateLimit-Remaining %q, want the server's current 4999", i, got)
		}
		if resp.ContentLength != int64(len(want)) || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("poll %d: Content-Length %d, Content-Type %q", i, resp.ContentLength, resp.Header.Get("Content-Type"))
		}
	}
	if es.requests != K || es.conditional != K-1 {
		t.Errorf("server saw %d requests, %d conditional; want %d and %d", es.requests, es.conditional, K, K-1)
	}
	if st := ct.Stats(); st.Requests != K || st.NotModified != K-1 || st.Full() != 1 {
		t.Errorf("stats %+v, want %d requests, %d not modified, 1 full", st, K, K-1)
	}

	// A change is a full answer, stored in turn.
	es.bump()
	if resp, body := get(t, c, srv.URL+"/a"); body != `{"path":"/a","version":1}` || resp.Header.Get(CacheHeader) != "" {
		t.Errorf("after a change: %q, cache %q", body, resp.Header.Get(CacheHeader))
	}
	if _, body := get(t, c, srv.URL+"/a"); body != `{"path":"/a","version":1}` {
		t.Errorf("after a change, polled again: %q", body)
	}
	if st := ct.Stats(); st.Requests != K+2 || st.NotModified != K {
		t.Errorf("stats %+v after a change", st)
	}
}

func TestConditionalKeysByURLAndAccept(t *testing.T) {
	es := &etagServer{remaining: 100}
	srv, hc := tlsServer(t, es)
	c := &http.Client{Transport: NewConditionalTransport(hc.Transport)}
	get(t, c, srv.URL+"/a")
	if _, body := get(t, c, srv.URL+"/b"); body != `{"path":"/b","version":0}` {
		t.Errorf("/b answered %q", body)
	}
	get(t, c, srv.URL+"/a", "Accept", "application/vnd.github.raw")
	if es.conditional != 0 {
		t.Errorf("%d conditional requests for URLs or Accept headers not seen before", es.conditional)
	}
}

func TestConditionalLeavesOthersAlone(t *testing.T) {
	es := &etagServer{remaining: 100}
	srv, hc := tlsServer(t, es)
	ct := NewConditionalTransport(hc.Transport)
	c := &http.Client{Transport: ct}
	resp, _ := get(t, c, srv.URL+"/a")
	etag := resp.Header.Get("ETag")

	// The caller's own conditional request gets the server's 304.
	if resp, _ := get(t, c, srv.URL+"/a", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("caller's If-None-Match: %d, want 304", resp.StatusCode)
	}
	// Nothing else is made conditional.
	req, _ := http.NewRequestWithContext(testCtx(t), "POST", srv.URL+"/a", strings.NewReader("{}"))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || es.conditional != 1 {
		t.Errorf("POST: %d, %d conditional requests in all; want 200, 1", resp.StatusCode, es.conditional)
	}
	if st := ct.Stats(); st.Requests != 3 || st.NotModified != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestConditionalWithoutETag(t *testing.T) {
	var mu sync.Mutex
	var inm []string
	srv, hc := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inm = append(inm, r.Header.Get("If-None-Match"))
		mu.Unlock()
		io.WriteString(w, "{}")
	}))
	c := &http.Client{Transport: NewConditionalTransport(hc.Transport)}
	get(t, c, srv.URL+"/a")
	get(t, c, srv.URL+"/a")
	if inm[0] != "" || inm[1] != "" {
		t.Errorf("If-None-Match %q without an ETag to send", inm)
	}
}

func TestConditionalEvictsTheLeastRecentlyUsed(t *testing.T) {
	es := &etagServer{remaining: 100}
	srv, hc := tlsServer(t, es)
	ct := NewConditionalTransport(hc.Transport)
	ct.MaxEntries = 2
	c := &http.Client{Transport: ct}
	get(t, c, srv.URL+"/a")
	get(t, c, srv.URL+"/b")
	get(t, c, srv.URL+"/a") // a is now used more recently than b
	get(t, c, srv.URL+"/c") // evicts b
	before := es.conditional
	get(t, c, srv.URL+"/a")
	get(t, c, srv.URL+"/c")
	get(t, c, srv.URL+"/b")
	if got := es.conditional - before; got != 2 {
		t.Errorf("%d conditional requests for a, c, b; want 2 (b was evicted)", got)
	}
}

func TestConditionalRefusesToStoreTooMuch(t *testing.T) {
	srv, hc := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"big"`)
		w.(http.Flusher).Flush()
		io.WriteString(w, strings.Repeat("x", MaxBodySize+1))
	}))
	c := &http.Client{Transport: NewConditionalTransport(hc.Transport)}
	req, _ := http.NewRequestWithContext(testCtx(t), "GET", srv.URL+"/a", nil)
	_, err := c.Do(req)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Kind != TooLarge {
		t.Fatalf("got %v, want TooLarge", err)
	}
}

// net/http may end a body cut off by the deadline with a plain EOF (see
// cappedBody). Stored, such a body would be replayed on every 304 after,
// until the resource changed.
func TestConditionalStoresNoBodyCutByTheDeadline(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var inm []string
	ct := NewConditionalTransport(roundTripFunc(func(r *http.Request) (*http.Response, error) {
		inm = append(inm, r.Header.Get("If-None-Match"))
		body := &deadlineAtEOF{r: strings.NewReader(`{"total_count":1,"check_`), cancel: cancel}
		return &http.Response{StatusCode: 200, Header: http.Header{"Etag": {`"v1"`}}, Body: io.NopCloser(body), Request: r}, nil
	}))
	req, _ := http.NewRequestWithContext(ctx, "GET", "https://api.example/a", nil)
	if _, err := ct.RoundTrip(req); !errors.Is(err, context.Canceled) {
		t.Errorf("a body cut by the deadline: %v, want context.Canceled", err)
	}
	req, _ = http.NewRequestWithContext(t.Context(), "GET", "https://api.example/a", nil)
	if _, err := ct.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if inm[1] != "" {
		t.Errorf("the cut body was stored: the next request sent If-None-Match %s", inm[1])
	}
}

// deadlineAtEOF is a body whose request's deadline comes as it ends.
type deadlineAtEOF struct {
	r      io.Reader
	cancel context.CancelFunc
}

func (b *deadlineAtEOF) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		b.cancel()
	}
	return n, err
}
