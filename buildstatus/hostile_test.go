package buildstatus

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// Hostile servers: each answer is refused with an *APIError or a wrapped
// network error that names the server, nothing hangs past the context,
// and memory stays under a cap whatever the server sends.

// fill writes n bytes of c from one small buffer until the client leaves.
func fill(w io.Writer, c byte, n int) {
	chunk := bytes.Repeat([]byte{c}, 32<<10)
	for n > 0 {
		m := min(n, len(chunk))
		if _, err := w.Write(chunk[:m]); err != nil {
			return
		}
		n -= m
	}
}

// gzipMember is 16 MiB of zeros as one gzip member. net/http's
// decompressor reads a stream of members one after another, so a bomb is
// this sent many times, made once.
var gzipMember = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(make([]byte, 16<<20))
	zw.Close()
	return b.Bytes()
})

// allocated runs f and returns the bytes the whole process allocated
// meanwhile (server included). TotalAlloc only grows, so unlike the heap
// size it does not depend on when the collector ran.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// What reading one answer may allocate, whatever the server sends.
// go-github decodes with json.Decoder, which holds a whole JSON value in a
// buffer that doubles as it fills: for a body cut off at MaxBodySize
// (10 MiB) the buffer has grown through 8 MiB to 16 MiB, 32 MiB in all.
// The largest body accepted adds its decoded strings to that. Neither
// depends on how much the server sends beyond the cap.
const (
	refusedCap  = 4 * MaxBodySize
	acceptedCap = 7 * MaxBodySize
)

// Not parallel: the allocation count is the whole process's.
func TestHostileBodiesStayUnderTheMemoryCap(t *testing.T) {
	const size = 50 << 20
	prefix := `{"total_count":1,"check_runs":[{"id":1,"name":"`
	repeat := func(item string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"total_count":1,"check_runs":[`)
			io.WriteString(w, strings.Repeat(item+",", (MaxBodySize-100)/(len(item)+1)))
			io.WriteString(w, item+"]}")
		}
	}
	gzipMember() // made once, outside the measurements
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		kind    ErrorKind // "" for accepted
		cap     uint64
	}{
		{"50 MiB without Content-Length", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, prefix)
			fill(w, 'a', size)
		}, TooLarge, refusedCap},
		{"50 MiB with Content-Length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "52428800")
			io.WriteString(w, prefix)
			fill(w, 'a', size-len(prefix))
		}, TooLarge, refusedCap},
		{"gzip bomb: 1 GiB of zeros", func(w http.ResponseWriter, r *http.Request) {
			// The client did not ask for gzip (net/http did, and so
			// decompresses): the cap applies to what comes out.
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			io.WriteString(zw, prefix)
			zw.Close()
			for range 64 { // 64 more gzip members of 16 MiB each
				if _, err := w.Write(gzipMember()); err != nil {
					return
				}
			}
		}, TooLarge, refusedCap},
		{"50 MiB of white space before the JSON", func(w http.ResponseWriter, r *http.Request) {
			fill(w, ' ', size)
			io.WriteString(w, emptyRuns)
		}, TooLarge, refusedCap},
		// Small bodies that decode to a lot: millions of structs or
		// pointers from 10 MiB.
		{"3.5 million empty check runs", repeat("{}"), TooLarge, 2 * MaxBodySize},
		{"2 million nulls", repeat("null"), TooLarge, 2 * MaxBodySize},
		// The worst a server can do within the cap: one 10 MiB name.
		{"a name just under the cap", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, prefix+strings.Repeat("a", MaxBodySize-len(prefix)-200)+`","status":"completed","conclusion":"success"}]}`)
		}, "", acceptedCap},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, host := hostile(t, "check-runs", tc.handler)
			var err error
			n := allocated(func() { _, err = c.Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{}) })
			t.Logf("allocated %.1f MiB", float64(n)/(1<<20))
			if tc.kind == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else if ae := apiError(t, err, tc.kind); !strings.Contains(ae.Message, host) {
				t.Errorf("message %q does not name %s", ae.Message, host)
			}
			if n > tc.cap && !raceEnabled {
				t.Errorf("allocated %d bytes, more than the cap of %d", n, tc.cap)
			}
		})
	}
}

// A server may not pad a page beyond the 100 items asked for: what is
// kept across 100 pages must stay bounded too.
func TestPageLongerThanAskedIsRefused(t *testing.T) {
	t.Parallel()
	c, _ := hostile(t, "check-runs", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"total_count":101,"check_runs":[`+strings.Repeat(`{"id":1,"name":"a"},`, 100)+`{"id":2,"name":"b"}]}`)
	})
	_, err := c.Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
	if ae := apiError(t, err, Malformed); !strings.Contains(ae.Message, "page 1 lists 101 items, more than the 100 asked for") {
		t.Errorf("message %q", ae.Message)
	}
}

func TestHostileAnswers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		handler http.HandlerFunc
		kind    ErrorKind // "" for a network error
		detail  string
	}{
		{"a web page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, "<html><body>Sign in</body></html>")
		}, Malformed, "not JSON but text/html (invalid character '<'"},
		{"plain text", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "Service Unavailable")
		}, Malformed, "not JSON but text/plain"},
		{"JSON labelled as something else still parses", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, `{"total_count":1,"check_runs":[{"id":1,"name":"x",`)
		}, Malformed, "malformed response from 127.0.0.1:"},
		{"invalid UTF-8 in a name", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"total_count":1,"check_runs":[{"id":1,"name":"build `+"\xff\xfe"+`","status":"completed","conclusion":"success"}]}`)
		}, Malformed, "the body is not UTF-8"},
		{"a UTF-16 body", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "\xff\xfe{\x00}\x00")
		}, Malformed, "the body is not UTF-8"},
		{"a rune cut by the end of the body", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, emptyRuns+" \xe2\x82")
		}, Malformed, "the body is not UTF-8"},
		{"reset mid-body", func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				return
			}
			io.WriteString(buf, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"+`{"total_count":1,"check_runs":[`)
			buf.Flush()
			resetConn(conn)
		}, "", "reading the answer from 127.0.0.1:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, _ := hostile(t, "check-runs", tc.handler)
			res, err := c.Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
			if tc.kind != "" {
				apiError(t, err, tc.kind)
			} else {
				checkErrorText(t, err)
			}
			if err == nil || !strings.Contains(err.Error(), tc.detail) {
				t.Errorf("error %v, want one saying %q", err, tc.detail)
			}
			if strings.HasPrefix(tc.detail, "malformed") && strings.Contains(err.Error(), "not JSON") {
				t.Errorf("error %v calls JSON that failed later on not JSON", err)
			}
			if res.State != StateError {
				t.Errorf("state %s, want error", res.State)
			}
		})
	}
}

// resetConn closes the TCP connection under a hijacked TLS one with a
// RST rather than a FIN.
func resetConn(conn net.Conn) {
	if tc, ok := conn.(*tls.Conn); ok {
		conn = tc.NetConn()
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	conn.Close()
}

// An HTTP/2 server resetting the stream mid-body (RST_STREAM
// INTERNAL_ERROR, what net/http sends when a handler panics with
// http.ErrAbortHandler).
func TestHTTP2StreamReset(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/status") {
			io.WriteString(w, emptyStatus)
			return
		}
		io.WriteString(w, `{"total_count":1,"check_runs":[`)
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}))
	srv.EnableHTTP2 = true
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{testcerts.Shared().Good.TLS()}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	_, err := newTestClient(t, trustingClient(t), srv.URL, testToken).Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
	checkErrorText(t, err)
	if err == nil || !strings.Contains(err.Error(), "reading the answer from "+strings.TrimPrefix(srv.URL, "https://")) ||
		!strings.Contains(err.Error(), "INTERNAL_ERROR") {
		t.Fatalf("got %v, want the stream error, naming the server", err)
	}
}

// A server that drips its answer is cut off by the context, not waited
// for: the full answer would take ten seconds and be a success.
func TestSlowDripIsCutOffByTheContext(t *testing.T) {
	t.Parallel()
	c, _ := hostile(t, "check-runs", func(w http.ResponseWriter, r *http.Request) {
		body := strings.Repeat(" ", 100-len(emptyRuns)) + emptyRuns
		w.WriteHeader(http.StatusOK)
		for i := range len(body) {
			io.WriteString(w, body[i:i+1])
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
	ctx, cancel := context.WithTimeout(testCtx(t), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := c.Check(ctx, Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
	t.Logf("gave up after %v", time.Since(start).Round(time.Millisecond))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out waiting for 127.0.0.1:") {
		t.Fatalf("got %v, want a timeout naming the server", err)
	}
	checkErrorText(t, err)
	if res.State != StateError {
		t.Errorf("state %s", res.State)
	}
}

// utf8Body must accept any valid text however the reads cut it, and
// refuse invalid text wherever it falls.
func TestUTF8BodyAcrossReads(t *testing.T) {
	valid := `{"name":"ß€𝄞 ok","x":"` + strings.Repeat("é", 10) + `"}`
	invalid := []string{"ab\xffcd", "\xe2\x82", "a\xe2\x82(", "\xc0\xaf", "\xed\xa0\x80" /* a surrogate */, "\xf4\x90\x80\x80" /* past U+10FFFF */}
	u, _ := url.Parse("https://api.example/x")
	for size := 1; size <= 5; size++ {
		body := &utf8Body{rc: io.NopCloser(&chunked{s: valid, size: size}), url: u}
		if got, err := io.ReadAll(body); err != nil || string(got) != valid {
			t.Errorf("reads of %d: valid text gave %q, %v", size, got, err)
		}
		for _, s := range invalid {
			body := &utf8Body{rc: io.NopCloser(&chunked{s: s, size: size}), url: u}
			_, err := io.ReadAll(body)
			var ae *APIError
			if !errors.As(err, &ae) || ae.Kind != Malformed {
				t.Errorf("reads of %d: %q gave %v, want Malformed", size, s, err)
			}
		}
	}
}

// chunked reads s at most size bytes at a time.
type chunked struct {
	s    string
	size int
}

func (c *chunked) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.size)], c.s)
	c.s = c.s[n:]
	return n, nil
}

// net/http sometimes ends a body cut off by the deadline with a plain
// EOF; the capped body reports the deadline instead, so that a cut answer
// is never taken for a whole (or empty) one.
func TestBodyEndingAfterTheDeadlineIsATimeout(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	u, _ := url.Parse("https://api.example/x")
	body := &cappedBody{rc: io.NopCloser(strings.NewReader("   ")), max: 100, url: u, ctx: ctx}
	if got, err := io.ReadAll(body); err != nil || string(got) != "   " {
		t.Fatalf("before the deadline: %q, %v", got, err)
	}
	cancel()
	body = &cappedBody{rc: io.NopCloser(strings.NewReader("   ")), max: 100, url: u, ctx: ctx}
	if _, err := io.ReadAll(body); !errors.Is(err, context.Canceled) {
		t.Fatalf("after it: %v, want context.Canceled", err)
	}
}

// Server text can reach an error whole, past the redaction of messages:
// net/http quotes an HTTP/2 GOAWAY's debug data in its error. A server
// echoing the token there must not get it printed.
func TestTokenEchoedInGoAwayIsRedacted(t *testing.T) {
	t.Parallel()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{testcerts.Shared().Good.TLS()},
		NextProtos:   []string{"h2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go goAwayOnFirstRequest(conn, []byte("echo: Bearer "+testToken))
		}
	}()
	_, err = newTestClient(t, trustingClient(t), "https://"+ln.Addr().String(), testToken).Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
	checkErrorText(t, err) // fails on the token
	if err == nil || !strings.Contains(err.Error(), "GOAWAY") || !strings.Contains(err.Error(), "[redacted]") {
		t.Fatalf("got %v, want the GOAWAY error with the echoed token redacted", err)
	}
}

// goAwayOnFirstRequest speaks just enough HTTP/2 to take a request, then
// answers it with a GOAWAY carrying debug and hangs up.
func goAwayOnFirstRequest(conn net.Conn, debug []byte) {
	defer conn.Close()
	const preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
	if _, err := io.ReadFull(conn, make([]byte, len(preface))); err != nil {
		return
	}
	frame := func(typ byte, payload []byte) []byte {
		n := len(payload)
		return append([]byte{byte(n >> 16), byte(n >> 8), byte(n), typ, 0, 0, 0, 0, 0}, payload...)
	}
	conn.Write(frame(0x4, nil)) // SETTINGS, all defaults
	for hdr := make([]byte, 9); ; {
		if _, err := io.ReadFull(conn, hdr); err != nil {
			return
		}
		if _, err := io.CopyN(io.Discard, conn, int64(hdr[0])<<16|int64(hdr[1])<<8|int64(hdr[2])); err != nil {
			return
		}
		if hdr[3] == 0x1 { // HEADERS: a request
			break
		}
	}
	goAway := binary.BigEndian.AppendUint32(nil, 1<<31-1) // last stream: every one was seen
	goAway = binary.BigEndian.AppendUint32(goAway, 0x1)   // PROTOCOL_ERROR
	conn.Write(frame(0x7, append(goAway, debug...)))
}
