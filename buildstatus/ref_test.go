package buildstatus

import (
	"strings"
	"testing"
)

func TestParseRepoRef(t *testing.T) {
	for _, tc := range []struct{ in, owner, repo, ref string }{
		{"esp8266/Arduino", "esp8266", "Arduino", ""},
		{"esp8266/Arduino@master", "esp8266", "Arduino", "master"},
		{"o/r@feature/x-1.2", "o", "r", "feature/x-1.2"},
		{"o/r@refs/heads/main", "o", "r", "refs/heads/main"},
		{"o/r@v1.0.0", "o", "r", "v1.0.0"},
		{"my_org/some.repo@0123456789abcdef0123456789abcdef01234567", "my_org", "some.repo", "0123456789abcdef0123456789abcdef01234567"},
		{"o/r@user@host", "o", "r", "user@host"},
	} {
		owner, repo, ref, err := ParseRepoRef(tc.in)
		if err != nil || owner != tc.owner || repo != tc.repo || ref != tc.ref {
			t.Errorf("ParseRepoRef(%q) = %q %q %q %v", tc.in, owner, repo, ref, err)
		}
	}
	for _, in := range []string{
		"", "esp8266", "/r", "o/", "o/r@", "o/r/x", "o r/x", "../r", "o/..", "o/r?x", "o/r#x", "o/r@a..b",
		"o/r@a b", "o/r@a~1", "o/r@a^", "o/r@a:b", "o/r@x?y", "o/r@*", "o/r@[x", `o/r@a\b`, "o/r@/main",
		"o/r@main/", "o/r@a//b", "o/r@.hidden", "o/r@x.lock", "o/r@x.", "o/r@a@{1}", "o/r@@", "o/r@tab\there",
		"o/r@nul\x00", "o/r@del\x7f", "o/r@" + strings.Repeat("x", 256),
	} {
		if _, _, _, err := ParseRepoRef(in); err == nil {
			t.Errorf("ParseRepoRef(%q) accepted it", in)
		} else {
			checkErrorText(t, err)
		}
	}
}
