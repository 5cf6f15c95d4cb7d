package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() { extraScriptCmds["connectproxy"] = cmdConnectProxy }

// cmdConnectProxy starts an HTTPS proxy on loopback that tunnels every
// CONNECT, whatever host it names, to ADDR, and sets $PROXY to its URL:
// with --resolve, a made-up name reaches a local server through it (Go
// never proxies a loopback address taken from the environment).
//
//	connectproxy ADDR
func cmdConnectProxy(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: connectproxy ADDR")
	}
	to := args[0]
	var tunnels atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "CONNECT only", http.StatusMethodNotAllowed)
			return
		}
		upstream, err := net.Dial("tcp", to)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		tunnels.Add(1)
		w.WriteHeader(http.StatusOK)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			upstream.Close()
			return
		}
		go func() { io.Copy(upstream, buf); upstream.Close() }()
		io.Copy(conn, upstream)
		conn.Close()
	}))
	ts.Defer(proxy.Close)
	ts.Setenv("PROXY", proxy.URL)
	ts.Setenv("PROXY_HOSTPORT", proxy.Listener.Addr().String())
}
