package fakehub

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"
)

// shutdownGrace is how long ListenAndServe lets requests in flight finish
// once asked to stop, before it closes their connections.
const shutdownGrace = 5 * time.Second

// ListenAndServe serves h over TLS with cfg (which must hold a certificate)
// on addr until ctx is cancelled, then shuts down gracefully: it stops
// accepting, lets requests in flight finish (for up to 5 seconds), and
// returns nil. ready, if not nil, is called with the listening address
// (useful with port 0) before the first connection is served. cfg is not
// modified; HTTP/2 is offered unless cfg.NextProtos says otherwise. Errors
// from the server itself (handshake failures, clients going away) are not
// logged: a fake server's visitors are expected to misbehave.
func ListenAndServe(ctx context.Context, addr string, h http.Handler, cfg *tls.Config, ready func(net.Addr)) error {
	if cfg == nil || len(cfg.Certificates) == 0 && cfg.GetCertificate == nil && cfg.GetConfigForClient == nil {
		return errors.New("fakehub: listen: the TLS configuration has no certificate")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("fakehub: listen: %w", err)
	}
	srv := &http.Server{
		Handler:           h,
		TLSConfig:         cfg.Clone(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	if ready != nil {
		ready(ln.Addr())
	}
	served := make(chan error, 1)
	go func() { served <- srv.ServeTLS(ln, "", "") }()
	select {
	case err := <-served:
		return fmt.Errorf("fakehub: serve: %w", err)
	case <-ctx.Done():
	}
	grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	err = srv.Shutdown(grace)
	if err != nil {
		srv.Close()
	}
	<-served // http.ErrServerClosed, once Serve has returned
	if err != nil {
		return fmt.Errorf("fakehub: shutdown: %w", err)
	}
	return nil
}
