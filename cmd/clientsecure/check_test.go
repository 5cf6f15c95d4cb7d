package main

import (
	"crypto/sha1"
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/clientsecure/clientsecure/inspect"
)

func init() {
	extraScriptCmds["expand"] = cmdExpand
	extraScriptCmds["certvars"] = cmdCertVars
}

// cmdExpand writes SRC to DST with $VARS of the script replaced, so that
// a sketch in a script can name the script's server and its fingerprints.
//
//	expand SRC DST
func cmdExpand(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: expand SRC DST")
	}
	dst := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(filepath.Dir(dst), 0o755))
	ts.Check(os.WriteFile(dst, []byte(os.Expand(ts.ReadFile(args[0]), ts.Getenv)), 0o644))
}

// cmdCertVars sets ROOT_SHA1 and INTERMEDIATE_SHA1 (the document's form)
// of the scripts' PKI.
//
//	certvars
func cmdCertVars(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: certvars")
	}
	p := scriptPKI()
	r, i := sha1.Sum(p.Root.Cert.Raw), sha1.Sum(p.Intermediate.Cert.Raw)
	ts.Setenv("ROOT_SHA1", inspect.DocumentHex(r[:]))
	ts.Setenv("INTERMEDIATE_SHA1", inspect.DocumentHex(i[:]))
}
