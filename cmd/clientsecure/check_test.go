package main

import (
	"crypto/sha1"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/clientsecure/clientsecure/inspect"
)

func init() {
	extraScriptCmds["certvars"] = cmdCertVars
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
