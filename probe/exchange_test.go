package probe

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// exchange dials host:port and runs one raw exchange under ctx.
func exchange(ctx context.Context, t *testing.T, host string, port int, h Hello) (*ServerHello, error) {
	t.Helper()
	conn, err := net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	return Exchange(ctx, conn, h)
}

func TestExchangeHostileServers(t *testing.T) {
	tests := []struct {
		name   string
		handle func(net.Conn)
		is     error
		says   string
	}{
		{"silent", func(c net.Conn) { io.Copy(io.Discard, c) }, context.DeadlineExceeded, "gave up waiting for the server"},
		{"silent after part of a record", func(c net.Conn) {
			readClientHello(c)
			c.Write([]byte{22, 3, 3, 0, 80, 2})
			io.Copy(io.Discard, c)
		}, context.DeadlineExceeded, "gave up waiting for the server"},
		{"closes at once", func(c net.Conn) {}, ErrClosed, ""},
		{"closes after the hello", func(c net.Conn) { readClientHello(c) }, ErrClosed, "sent nothing"},
		{"sends garbage", func(c net.Conn) {
			readClientHello(c)
			c.Write(bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 1000))
		}, ErrNotTLS, `starts with "\xde\xad\xbe\xef\xde"`},
		{"speaks HTTP", func(c net.Conn) {
			readClientHello(c)
			io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
		}, ErrNotTLS, "plain HTTP"},
		{"claims a huge record", func(c net.Conn) {
			readClientHello(c)
			c.Write([]byte{22, 3, 3, 0xff, 0xff})
			io.Copy(io.Discard, c)
		}, ErrMalformed, "65535 bytes"},
		{"sends a fatal alert", func(c net.Conn) {
			readClientHello(c)
			c.Write(record(21, []byte{2, 40}))
		}, nil, "handshake_failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, port := listen(t, tt.handle)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			sh, err := exchange(ctx, t, host, port, Hello{ServerName: "localhost", MaxFragmentLength: 512})
			if err == nil {
				t.Fatalf("no error; got %+v", sh)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %q", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
		})
	}
}

func TestExchangeClosesPolitely(t *testing.T) {
	got := make(chan []byte, 1)
	host, port := listen(t, func(c net.Conn) {
		if _, err := readClientHello(c); err != nil {
			got <- nil
			return
		}
		c.Write(record(22, serverHello{exts: []ext{mflEcho(3)}}.message()))
		rest, _ := io.ReadAll(c) // until the client closes
		got <- rest
	})
	sh, err := exchange(context.Background(), t, host, port, Hello{ServerName: "localhost", MaxFragmentLength: 2048})
	if err != nil {
		t.Fatal(err)
	}
	if sh.MaxFragmentLength() != 2048 {
		t.Errorf("echo %d, want 2048", sh.MaxFragmentLength())
	}
	// user_canceled then close_notify, both warnings, then EOF.
	want := []byte{21, 3, 3, 0, 2, 1, 90, 21, 3, 3, 0, 2, 1, 0}
	if rest := <-got; !bytes.Equal(rest, want) {
		t.Errorf("after the ServerHello the client sent %x, want %x and a close", rest, want)
	}
}

func TestExchangeCancel(t *testing.T) {
	host, port := listen(t, func(c net.Conn) { io.Copy(io.Discard, c) })
	conn, err := net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	// No deadline at all: only the cancellation can end the read.
	done := make(chan error, 1)
	go func() {
		_, err := Exchange(ctx, conn, Hello{ServerName: "localhost"})
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}
