package main

import (
	"crypto/x509"
	"errors"
	"testing"

	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// The embedded roots are installed only where the system has none, or
// when GODEBUG=x509usefallbackroots=1 asks for them, as the fallback
// package's import did at start-up.
func TestFallbackIfNoRoots(t *testing.T) {
	some := testcerts.Pool(testcerts.Shared().Root.Cert)
	for _, tc := range []struct {
		name     string
		pool     *x509.CertPool
		err      error
		godebug  string
		fallback bool
	}{
		{"system roots", some, nil, "", false},
		{"no system roots", x509.NewCertPool(), nil, "", true},
		{"system roots fail", nil, errors.New("no such file"), "", true},
		{"forced", some, nil, "http2debug=1,x509usefallbackroots=1", true},
		{"forced then unforced", some, nil, "x509usefallbackroots=1,x509usefallbackroots=0", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var set *x509.CertPool
			fallbackIfNoRoots(func() (*x509.CertPool, error) { return tc.pool, tc.err }, tc.godebug, func(p *x509.CertPool) { set = p })
			switch {
			case !tc.fallback && set != nil:
				t.Fatal("installed the embedded roots over the system's")
			case tc.fallback && (set == nil || set.Equal(x509.NewCertPool())):
				t.Fatalf("want the embedded roots installed, got %v", set)
			}
		})
	}
}
