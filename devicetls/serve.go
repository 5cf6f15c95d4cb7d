package devicetls

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// ShutdownGrace is how long Serve lets requests in flight finish once
// asked to stop, before it closes their connections.
const ShutdownGrace = 5 * time.Second

// Serve serves srv on ln (a Listener, or one that wraps it) until ctx is done, then stops gracefully: no new
// connections, requests in flight get ShutdownGrace to finish, idle
// connections are closed. It returns nil after a requested stop.
func Serve(ctx context.Context, ln net.Listener, srv *http.Server) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("devicetls: serve: %w", err)
	case <-ctx.Done():
	}
	grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownGrace)
	defer cancel()
	err := srv.Shutdown(grace)
	if err != nil {
		srv.Close()
	}
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("devicetls: serve: %w", serr)
	}
	if err != nil {
		return fmt.Errorf("devicetls: shutdown: %w", err)
	}
	return nil
}
