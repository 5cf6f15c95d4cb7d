package clientsecure

import (
	"context"
	"crypto/tls"
	"net"
)

// Dial connects to addr ("host:port") and completes a TLS handshake that
// verifies the server under trust, offering trust.NextProtos (none by
// default: any TLS protocol, not only HTTP). The connection is made by
// trust.DialContext when set. The returned connection's server has
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
	return dial(ctx, network, addr, trust, trust.NextProtos)
}

func dial(ctx context.Context, network, addr string, trust *Trust, protos []string) (*tls.Conn, error) {
	raw, err := trust.dial(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return handshake(ctx, raw, addr, trust, protos)
}

// handshake runs the client side of TLS over raw for the server at addr,
// offering protos, closing raw on failure.
func handshake(ctx context.Context, raw net.Conn, addr string, trust *Trust, protos []string) (*tls.Conn, error) {
	conn := tls.Client(raw, trust.config(addr, splitHost(addr), protos))
	if err := conn.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, err
	}
	return conn, nil
}
