package buildstatus

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
)

// CacheHeader is set to "hit" on a response that ConditionalTransport
// replayed from its store after a 304 Not Modified.
const CacheHeader = "X-Clientsecure-Cache"

// DefaultMaxEntries is how many URLs a ConditionalTransport remembers
// unless told otherwise: a watch of many refs, every page of each.
const DefaultMaxEntries = 1024

// ConditionalTransport makes repeated GETs of a URL conditional. It stores
// each 200 response that has an ETag, sends the ETag as If-None-Match the
// next time, and answers a 304 with the stored response as a 200 marked
// with CacheHeader. GitHub does not count a 304 against the rate limit, so
// polling an unchanged ref costs nothing.
//
// The headers of the 304 (rate limit, X-Poll-Interval, Date, ETag) replace
// the stored ones, so that callers see the server's current values.
//
// Entries are keyed by URL and Accept header, not by credentials: use one
// ConditionalTransport per identity. It is safe for concurrent use.
type ConditionalTransport struct {
	base http.RoundTripper

	// MaxEntries bounds the store; when full, the least recently used
	// entry goes. Set it before first use; 0 means DefaultMaxEntries.
	MaxEntries int

	mu      sync.Mutex
	entries map[string]*stored
	seq     uint64

	requests    atomic.Int64
	notModified atomic.Int64
}

type stored struct {
	etag   string
	header http.Header
	body   []byte
	seq    uint64
}

// ConditionalStats counts what a ConditionalTransport sent.
type ConditionalStats struct {
	Requests    int64 // requests sent to the server
	NotModified int64 // of those, answered 304 and replayed from the store
}

// Full is the number of requests that were not answered 304: the ones
// GitHub counts against the rate limit.
func (s ConditionalStats) Full() int64 { return s.Requests - s.NotModified }

// NewConditionalTransport returns a ConditionalTransport over base (nil
// means http.DefaultTransport).
func NewConditionalTransport(base http.RoundTripper) *ConditionalTransport {
	if base == nil {
		base = http.DefaultTransport
	}
	return &ConditionalTransport{base: base, entries: make(map[string]*stored)}
}

// Stats returns the counts so far.
func (t *ConditionalTransport) Stats() ConditionalStats {
	return ConditionalStats{Requests: t.requests.Load(), NotModified: t.notModified.Load()}
}

func (t *ConditionalTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		t.requests.Add(1)
		return t.base.RoundTrip(req)
	}
	key := req.URL.String() + "\x00" + req.Header.Get("Accept")
	entry := t.lookup(key)
	out := req
	// A caller making its own conditional request gets the server's answer.
	conditional := entry != nil && req.Header.Get("If-None-Match") == "" && req.Header.Get("If-Modified-Since") == ""
	if conditional {
		out = req.Clone(req.Context())
		out.Header.Set("If-None-Match", entry.etag)
	}
	t.requests.Add(1)
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotModified && conditional {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096)) // lets the connection be reused
		resp.Body.Close()
		t.notModified.Add(1)
		return entry.replay(req, resp.Header), nil
	}
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || etag == "" {
		return resp, nil
	}
	body, err := readCapped(resp.Body, MaxBodySize, req.URL)
	resp.Body.Close()
	if err == nil {
		// net/http may end a body cut off by the deadline with a plain
		// EOF (see cappedBody). Stored, a cut body would be replayed on
		// every 304 until the resource changed.
		err = req.Context().Err()
	}
	if err != nil {
		return nil, err
	}
	t.store(key, &stored{etag: etag, header: resp.Header.Clone(), body: body})
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// CloseIdleConnections closes the base transport's idle connections, so
// that http.Client.CloseIdleConnections reaches through this layer.
func (t *ConditionalTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (t *ConditionalTransport) lookup(key string) *stored {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entries[key]
	if e != nil {
		t.seq++
		e.seq = t.seq
	}
	return e
}

func (t *ConditionalTransport) store(key string, e *stored) {
	t.mu.Lock()
	defer t.mu.Unlock()
	max := t.MaxEntries
	if max <= 0 {
		max = DefaultMaxEntries
	}
	if _, ok := t.entries[key]; !ok && len(t.entries) >= max {
		t.evictOldest()
	}
	t.seq++
	e.seq = t.seq
	t.entries[key] = e
}

func (t *ConditionalTransport) evictOldest() {
	var oldest string
	var seq uint64
	for k, e := range t.entries {
		if oldest == "" || e.seq < seq {
			oldest, seq = k, e.seq
		}
	}
	delete(t.entries, oldest)
}

// replay is the stored response as a fresh 200, with the 304's headers.
func (e *stored) replay(req *http.Request, fresh http.Header) *http.Response {
	h := e.header.Clone()
	for k, v := range fresh {
		switch k {
		case "Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding":
			continue // describe the 304's empty body, not the stored one
		}
		h[k] = append([]string(nil), v...)
	}
	h.Set("Content-Length", strconv.Itoa(len(e.body)))
	h.Set(CacheHeader, "hit")
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(e.body)),
		ContentLength: int64(len(e.body)),
		Request:       req,
	}
}
