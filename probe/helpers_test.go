package probe

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// listen serves each connection to 127.0.0.1:port with handle until the
// test ends, and returns host and port.
func listen(t *testing.T, handle func(net.Conn)) (string, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	p, _ := strconv.Atoi(port)
	return host, p
}

// goServer is a crypto/tls server on loopback that completes handshakes
// and then waits for the client to hang up.
func goServer(t *testing.T, cfg *tls.Config) (string, int) {
	t.Helper()
	return listen(t, func(c net.Conn) {
		tc := tls.Server(c, cfg)
		if tc.Handshake() != nil {
			return
		}
		io.Copy(io.Discard, tc)
	})
}

// readClientHello reads the probe's ClientHello record from c.
func readClientHello(c net.Conn) ([]byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil {
		return nil, err
	}
	if hdr[0] != recordHandshake {
		return nil, errors.New("not a handshake record")
	}
	body := make([]byte, int(hdr[3])<<8|int(hdr[4]))
	_, err := io.ReadFull(c, body)
	return append(hdr[:], body...), err
}

// ext is one extension of a crafted ServerHello.
type ext struct {
	typ  uint16
	data []byte
}

// serverHello crafts ServerHello messages, one field at a time.
type serverHello struct {
	version   uint16
	random    []byte
	sessionID []byte
	suite     uint16
	exts      []ext
	noExts    bool   // leave the extensions block out entirely
	trailing  []byte // bytes after the extensions, inside the message
}

func (s serverHello) message() []byte {
	if s.version == 0 {
		s.version = tls.VersionTLS12
	}
	if s.random == nil {
		s.random = make([]byte, 32)
		for i := range s.random {
			s.random[i] = byte(i)
		}
	}
	if s.suite == 0 {
		s.suite = tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
	}
	var b cryptobyte.Builder
	b.AddUint8(typeServerHello)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(s.version)
		b.AddBytes(s.random)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(s.sessionID) })
		b.AddUint16(s.suite)
		b.AddUint8(0)
		if !s.noExts {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, e := range s.exts {
					b.AddUint16(e.typ)
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(e.data) })
				}
			})
		}
		b.AddBytes(s.trailing)
	})
	return b.BytesOrPanic()
}

// record wraps payload in one TLS record.
func record(typ uint8, payload []byte) []byte {
	out := []byte{typ, 3, 3, byte(len(payload) >> 8), byte(len(payload))}
	return append(out, payload...)
}

func join(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func mflEcho(code uint8) ext { return ext{extMaxFragmentLength, []byte{code}} }
