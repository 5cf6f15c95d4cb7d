package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

// goodbye is what a raw probe sends after the ServerHello, as the ESP8266
// core's probeMaxFragmentLength does: a user_canceled warning, then
// close_notify, so that the server logs an abandoned handshake rather than
// a broken connection. Writing it may fail (the server may be gone); that
// changes nothing, since the answer has already been read.
var goodbye = []byte{
	recordAlert, 3, 3, 0, 2, 1, 90, // warning user_canceled
	recordAlert, 3, 3, 0, 2, 1, 0, // warning close_notify
}

// Exchange writes h on conn, reads the server's answer up to its
// ServerHello, says goodbye and closes conn. It returns within ctx: the
// context's deadline is set on conn, and conn is closed when ctx is done.
func Exchange(ctx context.Context, conn net.Conn, h Hello) (*ServerHello, error) {
	defer conn.Close()
	hello, err := h.Marshal()
	if err != nil {
		return nil, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(deadline); err != nil {
			return nil, fmt.Errorf("probe: %w", err)
		}
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	if _, err := conn.Write(hello); err != nil {
		if errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
			err = fmt.Errorf("%w: the server hung up before the ClientHello was sent: %w", ErrClosed, err)
		} else {
			err = fmt.Errorf("probe: sending the ClientHello: %w", err)
		}
		return nil, ctxErr(ctx, err)
	}
	sh, err := ReadServerHello(conn)
	if err != nil {
		return nil, ctxErr(ctx, err)
	}
	conn.Write(goodbye) //nolint:errcheck // see goodbye
	return sh, nil
}

// ctxErr prefers the context's reason when it ended an exchange or a
// handshake: "use of closed network connection" says nothing to a user, a
// deadline does.
func ctxErr(ctx context.Context, err error) error {
	cause := context.Cause(ctx)
	if cause == nil && errors.Is(err, os.ErrDeadlineExceeded) {
		cause = context.DeadlineExceeded // the connection's deadline is the context's
	}
	if cause != nil {
		return fmt.Errorf("probe: gave up waiting for the server: %w", cause)
	}
	return err
}
