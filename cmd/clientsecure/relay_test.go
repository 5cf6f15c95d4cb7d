package main

import (
	"crypto/tls"
	"net"
	"net/http"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	extraScriptCmds["waitverdict"] = cmdWaitVerdict
}

// cmdWaitVerdict waits (up to 20 s) until the relay on 127.0.0.1:PORT has
// a verdict for PATH: anything but its 503 before the first poll.
//
//	waitverdict PORT PATH
func cmdWaitVerdict(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitverdict PORT PATH")
	}
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, // only waiting, not trusting
	}}
	url := "https://" + net.JoinHostPort("127.0.0.1", args[0]) + args[1]
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := c.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusServiceUnavailable {
				return
			}
		}
		if time.Now().After(deadline) {
			ts.Fatalf("no verdict from %s: %v", url, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
