package main

import (
	"sync"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// madeUpLeaf is a certificate for a name no resolver knows, issued by the
// scripts' intermediate: only --resolve reaches a server presenting it.
var madeUpLeaf = sync.OnceValue(func() *testcerts.Leaf {
	now := time.Now()
	return scriptPKI().Intermediate.Leaf(testcerts.Template{
		DNSNames:  []string{"made-up.example"},
		NotBefore: now.Add(-24 * time.Hour),
		NotAfter:  now.Add(60 * 24 * time.Hour),
	})
})

func TestParseResolve(t *testing.T) {
	for _, tc := range []struct {
		entry, from, to string
	}{
		{"made-up.example:443:127.0.0.1", "made-up.example:443", "127.0.0.1:443"},
		{"Made-Up.Example:443:127.0.0.1:8443", "made-up.example:443", "127.0.0.1:8443"},
		{"made-up.example:443:[::1]", "made-up.example:443", "[::1]:443"},
		{"made-up.example:443:[::1]:8443", "made-up.example:443", "[::1]:8443"},
		{"made-up.example:443:::1", "made-up.example:443", "[::1]:443"},
		{"[::1]:8443:127.0.0.1", "[::1]:8443", "127.0.0.1:8443"},
		{"made-up.example:443:other.example:8443", "made-up.example:443", "other.example:8443"},
	} {
		r, err := parseResolve([]string{tc.entry})
		if err != nil {
			t.Errorf("%q: %v", tc.entry, err)
			continue
		}
		if got := r.target(tc.from); got != tc.to {
			t.Errorf("%q: %s goes to %s, want %s", tc.entry, tc.from, got, tc.to)
		}
	}
	// A later entry wins; other addresses are left alone.
	r, _ := parseResolve([]string{"a.example:443:127.0.0.1", "a.example:443:127.0.0.2"})
	if got := r.target("a.example:443"); got != "127.0.0.2:443" {
		t.Errorf("later entry: %s", got)
	}
	if got := r.target("a.example:8443"); got != "a.example:8443" {
		t.Errorf("another port: %s", got)
	}

	for _, bad := range []string{"", "made-up.example", "made-up.example:443", "made-up.example:443:", "made-up.example:0:127.0.0.1",
		"made-up.example:https:127.0.0.1", ":443:127.0.0.1", "made-up.example:443:[::1", "made-up.example:443:[nope]:1",
		"made-up.example:443:127.0.0.1:99999", "made-up.example:443:[::1]x", "made-up.example:443:a b"} {
		if _, err := parseResolve([]string{bad}); err == nil || codeOf(err) != exitUsage {
			t.Errorf("%q: got %v, want a usage error", bad, err)
		}
	}
}
