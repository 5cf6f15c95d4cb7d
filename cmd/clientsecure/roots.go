package main

import (
	"crypto/x509"
	"os"
	"strings"
	"sync"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// useSystemRoots makes sure that verifying against the system's roots
// works where the system has none (a scratch container): it installs the
// embedded Mozilla roots as x509's fallback then. Call it before anything
// verifies with nil Roots.
//
// Importing golang.org/x/crypto/x509roots/fallback would do this at start-up,
// parsing some 150 certificates (3 ms and 650 KB) on every run, even the
// many that never look at the system's roots (--ca-file, --pin-only,
// --insecure, serve, demo), and even on systems that have roots.
var useSystemRoots = sync.OnceFunc(func() {
	// The system's roots are loaded once; verification reuses them.
	fallbackIfNoRoots(x509.SystemCertPool, os.Getenv("GODEBUG"), x509.SetFallbackRoots)
})

// fallbackIfNoRoots gives set the embedded roots when system has none (or
// fails), or when godebug forces them.
func fallbackIfNoRoots(system func() (*x509.CertPool, error), godebug string, set func(*x509.CertPool)) {
	pool, err := system()
	if err == nil && !pool.Equal(x509.NewCertPool()) && !forceFallbackRoots(godebug) {
		return
	}
	set(fallbackRoots())
}

// forceFallbackRoots honours GODEBUG=x509usefallbackroots=1 as the
// fallback package's import would (the last setting wins).
func forceFallbackRoots(godebug string) bool {
	force := false
	for _, kv := range strings.Split(godebug, ",") {
		if k, v, ok := strings.Cut(strings.TrimSpace(kv), "="); ok && k == "x509usefallbackroots" {
			force = v == "1"
		}
	}
	return force
}

func fallbackRoots() *x509.CertPool {
	pool := x509.NewCertPool()
	for c := range bundle.Roots() {
		cert, err := x509.ParseCertificate(c.Certificate)
		if err != nil {
			panic("clientsecure: embedded root does not parse: " + err.Error()) // a broken build
		}
		if c.Constraint == nil {
			pool.AddCert(cert)
		} else {
			pool.AddCertWithConstraint(cert, c.Constraint)
		}
	}
	return pool
}
