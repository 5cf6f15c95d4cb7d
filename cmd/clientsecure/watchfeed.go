package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/clientsecure/clientsecure/watch"
)

// serveFeed serves feed on addr over plain HTTP, as build monitors expect,
// until stop is called; stop returns once the server is down.
func serveFeed(ctx context.Context, addr string, feed *watch.Feed, e *env) (stop func(), err error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("clientsecure: --cctray: %w", err)
	}
	if !loopback(ln.Addr()) {
		fmt.Fprintf(e.stderr, "clientsecure: warning: --cctray %s: anyone who can reach it sees the watched repositories and their states\n", addr)
	}
	srv := &http.Server{
		Handler:           feed,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	served := make(chan struct{})
	go func() {
		defer close(served)
		srv.Serve(ln) // returns http.ErrServerClosed once stopped
	}()
	fmt.Fprintf(e.stderr, "clientsecure: CCTray feed at http://%s%s\n", ln.Addr(), watch.FeedPath)
	return func() {
		// A monitor's request takes milliseconds; one that does not
		// finish in a second is cut off.
		grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		if srv.Shutdown(grace) != nil {
			srv.Close()
		}
		<-served
	}, nil
}

func loopback(a net.Addr) bool {
	ta, ok := a.(*net.TCPAddr)
	return ok && ta.IP.IsLoopback()
}
