package devicetls

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// now is the tests' fixed clock.
var now = time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)

// tap records every byte the server writes, and where the handshake ended.
type tap struct {
	net.Conn
	mu  sync.Mutex
	out bytes.Buffer
}

func (t *tap) Write(b []byte) (int, error) {
	t.mu.Lock()
	t.out.Write(b)
	t.mu.Unlock()
	return t.Conn.Write(b)
}

func (t *tap) bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]byte(nil), t.out.Bytes()...)
}

type record struct {
	typ     byte
	payload int
}

// parseRecords splits what a server sent into records; a stream that does
// not end on a record boundary is an error.
func parseRecords(b []byte) ([]record, error) {
	var out []record
	for len(b) > 0 {
		if len(b) < recordHeaderLen {
			return out, fmt.Errorf("%d bytes left, not a record header", len(b))
		}
		n := int(binary.BigEndian.Uint16(b[3:5]))
		if len(b) < recordHeaderLen+n {
			return out, fmt.Errorf("record of %d bytes cut at %d", n, len(b)-recordHeaderLen)
		}
		out = append(out, record{typ: b[0], payload: n})
		b = b[recordHeaderLen+n:]
	}
	return out, nil
}

// overhead is what encryption adds to a TLS 1.2 record's plaintext, at
// most, for suite: the explicit nonce and tag of AES-GCM, the tag of
// ChaCha20-Poly1305, the IV, MAC and padding of AES-CBC.
func overhead(suite uint16, vers uint16) int {
	if vers == tls.VersionTLS13 {
		return 16 + 1 // tag and inner content type
	}
	name := tls.CipherSuiteName(suite)
	switch {
	case strings.Contains(name, "GCM"):
		return 8 + 16
	case strings.Contains(name, "CHACHA20"):
		return 16
	case strings.HasSuffix(name, "CBC_SHA"):
		return 16 + 20 + 16
	case strings.HasSuffix(name, "CBC_SHA256"):
		return 16 + 32 + 16
	}
	panic("no overhead known for " + name)
}

// body is larger than any record, so that the reply is split.
var body = bytes.Repeat([]byte("0123456789abcdef"), 400)

// exchange runs one HTTP request from client over a fresh connection to
// the device listener dl, and returns what the server wrote
// and the client's view of the connection. dl's own listener is not used:
// its Server method serves the test's connection.
func exchange(t *testing.T, dl *Listener, client *tls.Config) (wire []byte, mark int, st tls.ConnectionState) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type served struct {
		tap  *tap
		mark int
	}
	done := make(chan served, 1)
	go func() {
		raw, err := ln.Accept()
		if err != nil {
			return
		}
		tp := &tap{Conn: raw}
		c := dl.Server(tp)
		defer c.Close()
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			done <- served{tp, 0}
			return
		}
		// Everything after this is the reply: the handshake, and
		// with TLS 1.3 the session tickets, went before the request.
		mark := len(tp.bytes())
		defer func() { done <- served{tp, mark} }()
		req.Body.Close()
		resp := &http.Response{StatusCode: 200, ProtoMajor: 1, ProtoMinor: 1, ContentLength: int64(len(body)),
			Body: io.NopCloser(bytes.NewReader(body)), Header: http.Header{}, Close: true}
		w := bufio.NewWriterSize(c, 4096)
		resp.Write(w)
		w.Flush()
		c.CloseWrite()
	}()
	conn, err := tls.Dial("tcp", ln.Addr().String(), client)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("body: %d bytes, %v; want %d", len(got), err, len(body))
	}
	io.Copy(io.Discard, conn)
	sv := <-done
	return sv.tap.bytes(), sv.mark, conn.ConnectionState()
}

func clientFor(cert tls.Certificate, vers, suite uint16) *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	c := &tls.Config{
		RootCAs:            pool,
		ServerName:         "127.0.0.1",
		MinVersion:         vers,
		MaxVersion:         vers,
		Time:               func() time.Time { return now },
		ClientSessionCache: tls.NewLRUClientSessionCache(4),
	}
	if suite != 0 {
		c.CipherSuites = []uint16{suite}
	}
	return c
}

// checkRecords asserts that every plaintext record the server sent carries
// at most max bytes and every encrypted one at most max plus the suite's
// overhead, and that the stream ends on a record boundary. On TLS 1.3 the
// encrypted handshake (before mark) is not bounded; its plaintext
// ServerHello and everything after mark are.
func checkRecords(t *testing.T, wire []byte, mark int, st tls.ConnectionState, max int) {
	t.Helper()
	recs, err := parseRecords(wire)
	if err != nil {
		t.Fatalf("server stream: %v", err)
	}
	limit := max + overhead(st.CipherSuite, st.Version)
	encrypted := false
	var handshake, data, offset int
	for i, r := range recs {
		at := offset
		offset += recordHeaderLen + r.payload
		if r.typ == recordApplicationData {
			encrypted = true
		}
		switch {
		case !encrypted && r.payload > max:
			t.Errorf("record %d (type %d, plaintext) carries %d bytes, over %d", i, r.typ, r.payload, max)
		case encrypted && r.payload > limit && (st.Version == tls.VersionTLS12 || at >= mark):
			t.Errorf("record %d (type %d, encrypted) carries %d bytes, over %d", i, r.typ, r.payload, limit)
		}
		switch r.typ {
		case recordHandshake:
			handshake++
		case recordApplicationData:
			if at >= mark {
				data++
			}
		case recordChangeCipherSpec:
			encrypted = true
		}
	}
	if data < len(body)/max {
		t.Errorf("%d application-data records for a %d-byte body: the reply was not split", data, len(body))
	}
	if handshake == 0 {
		t.Errorf("no plaintext handshake record")
	}
}
