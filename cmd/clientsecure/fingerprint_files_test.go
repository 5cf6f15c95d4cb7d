package main

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/clientsecure/clientsecure/internal/testcerts"
)

func init() {
	extraScriptCmds["refusedcerts"] = cmdRefusedCertFiles
}

// cmdRefusedCertFiles writes certificate files the library must refuse, into
// $WORK: weak.pem (a leaf with a 1024-bit RSA key, which x509 alone
// accepts, and its intermediate), broken.pem (the good leaf, then a
// CERTIFICATE block Go cannot parse), badca.pem (a root, then a damaged
// one), and root.pem; and sets BROKEN_SHA1 (the document's form) and
// BROKEN_SHA256 (colon hex) of the block that does not parse.
//
//	refusedcerts
func cmdRefusedCertFiles(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: refusedcerts")
	}
	p := scriptPKI()
	now := time.Now()
	weak := p.Intermediate.Leaf(testcerts.Template{Key: testcerts.Key{RSABits: 1024},
		NotBefore: now.Add(-24 * time.Hour), NotAfter: now.Add(60 * 24 * time.Hour)})
	broken := append([]byte{}, p.Intermediate.Cert.Raw...)
	broken = broken[:len(broken)-3] // cut inside the signature
	write := func(name string, data []byte) {
		ts.Check(os.WriteFile(filepath.Join(ts.Getenv("WORK"), name), data, 0o644))
	}
	write("weak.pem", weak.ChainPEM())
	write("broken.pem", append(p.Good.CertPEM(), pemBlock(broken)...))
	write("badca.pem", append(testcerts.PEM(p.Root.Cert), pemBlock(broken)...))
	write("root.pem", testcerts.PEM(p.Root.Cert))
	ts.Setenv("BROKEN_SHA1", colonHexSum1(broken, " "))
	ts.Setenv("BROKEN_SHA256", colonHexSum256(broken))
}

func pemBlock(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func colonHexSum1(b []byte, sep string) string {
	sum := sha1.Sum(b)
	return strings.ReplaceAll(fmt.Sprintf("% X", sum[:]), " ", sep)
}

func colonHexSum256(b []byte) string {
	sum := sha256.Sum256(b)
	return strings.ReplaceAll(fmt.Sprintf("% X", sum[:]), " ", ":")
}
