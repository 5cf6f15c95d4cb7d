package main

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

func init() {
	extraScriptCmds["freeport"] = cmdFreePort
	extraScriptCmds["waitport"] = cmdWaitPort
	extraScriptCmds["certfiles"] = cmdCertFiles
}

// cmdFreePort sets VAR to a loopback port that was free a moment ago, for
// a server started in the background.
//
//	freeport VAR
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ts.Setenv(args[0], strconv.Itoa(port))
}

// cmdWaitPort waits (up to 20 s) until something accepts on 127.0.0.1:PORT.
//
//	waitport PORT
func cmdWaitPort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitport PORT")
	}
	addr := net.JoinHostPort("127.0.0.1", args[0])
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("nothing listening on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdCertFiles writes the scripts' good leaf as $WORK/leaf.pem (with its
// chain) and $WORK/leaf-key.pem, the root as $WORK/root.pem, and sets
// LEAF_SHA1 and LEAF_SPKI.
//
//	certfiles
func cmdCertFiles(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: certfiles")
	}
	p := scriptPKI()
	work := ts.Getenv("WORK")
	ts.Check(os.WriteFile(filepath.Join(work, "leaf.pem"), p.Good.ChainPEM(), 0o644))
	ts.Check(os.WriteFile(filepath.Join(work, "leaf-key.pem"), p.Good.KeyPEM(), 0o600))
	ts.Check(os.WriteFile(filepath.Join(work, "root.pem"), testcerts.PEM(p.Root.Cert), 0o644))
	pins := clientsecure.CertificatePins(p.Good.Cert)
	ts.Setenv("LEAF_SHA1", pins.SHA1.String())
	ts.Setenv("LEAF_SPKI", pins.SPKI.String())
}
