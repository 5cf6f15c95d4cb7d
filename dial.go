package clientsecure

import (
	"context"
	"crypto/tls"
	"net"
)

// Dial connects to addr ("host:port") and completes a TLS handshake that
// verifies the server under trust. The returned connection's server has
// passed verification; on failure the handshake was aborted with a
// bad_certificate alert before any application data was written, and the
// error is an *IdentityError.
//
// ctx bounds the connection and the handshake. If ctx carries an
// httptrace.ClientTrace, net.Dialer calls its ConnectStart and ConnectDone
// hooks; net/http calls the TLSHandshake ones for connections it asks for.
func Dial(ctx context.Context, network, addr string, trust *Trust) (*tls.Conn, error) {
	if err := trust.validate(); err != nil {
		return nil, err
	}
	var d net.Dialer
	raw, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return handshake(ctx, raw, splitHost(addr), trust)
}

// handshake runs the client side of TLS over raw for host, closing raw on
// failure.
func handshake(ctx context.Context, raw net.Conn, host string, trust *Trust) (*tls.Conn, error) {
	conn := tls.Client(raw, trust.Config(host))
	if err := conn.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, err
	}
	return conn, nil
}
