package devicetls

import (
	"crypto/tls"
	"net"
	"sync"
)

// Listener accepts device connections and serves TLS on them with the
// record limit. It hands out *Conn, which net/http serves as a plain
// connection (so HTTP/1.1 only; the handshake runs on the first read,
// under the server's header deadline).
type Listener struct {
	net.Listener
	config *tls.Config
	max    int

	// OnHandshake, if set, is called once per connection when its
	// handshake ends, with its state and error. Set it before Accept.
	OnHandshake func(tls.ConnectionState, error)
}

// Listen wraps ln to serve cfg (from Config) with o's record limit. cfg is
// not modified.
func Listen(ln net.Listener, cfg *tls.Config, o Options) *Listener {
	return &Listener{Listener: ln, config: cfg.Clone(), max: o.maxRecord()}
}

func (l *Listener) Accept() (net.Conn, error) {
	raw, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return l.Server(raw), nil
}

// Server makes raw a device TLS connection, as Accept does.
func (l *Listener) Server(raw net.Conn) *Conn {
	tc := tls.Server(&reframer{Conn: raw, max: l.max}, l.config)
	return &Conn{Conn: tc, max: l.max, onHandshake: l.OnHandshake}
}

// Conn is one device connection: a *tls.Conn whose writes are cut into
// records of at most the limit.
type Conn struct {
	*tls.Conn
	max         int
	onHandshake func(tls.ConnectionState, error)
	once        sync.Once
	herr        error

	// OnCloseWrite, if set, is called when the server half-closes the
	// connection after its last reply (net/http then waits a moment
	// before closing it): from then on it is not serving anyone. Set it
	// before the connection is served.
	OnCloseWrite func()
}

// Read completes the handshake first, so that its outcome is reported
// once, then reads application data.
func (c *Conn) Read(b []byte) (int, error) {
	c.once.Do(func() {
		c.herr = c.Conn.Handshake()
		if c.onHandshake != nil {
			c.onHandshake(c.Conn.ConnectionState(), c.herr)
		}
	})
	if c.herr != nil {
		return 0, c.herr
	}
	return c.Conn.Read(b)
}

// Write sends b in records of at most the limit.
func (c *Conn) Write(b []byte) (int, error) {
	written := 0
	for len(b) > 0 {
		n, err := c.Conn.Write(b[:min(len(b), c.max)])
		written += n
		if err != nil {
			return written, err
		}
		b = b[n:]
	}
	return written, nil
}

// CloseWrite sends close_notify and reports that the connection is done.
func (c *Conn) CloseWrite() error {
	if c.OnCloseWrite != nil {
		c.OnCloseWrite()
	}
	return c.Conn.CloseWrite()
}
