package buildstatus

import (
	"errors"
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	sha := "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		in   string
		want Target
	}{
		{"esp8266/Arduino", Target{Owner: "esp8266", Repo: "Arduino"}},
		{"esp8266/Arduino@master", Target{Owner: "esp8266", Repo: "Arduino", Ref: "master"}},
		{"o/r@feature/x-1.2", Target{Owner: "o", Repo: "r", Ref: "feature/x-1.2"}},
		{"o/r@refs/heads/main", Target{Owner: "o", Repo: "r", Ref: "refs/heads/main"}},
		{"my_org/some.repo@" + sha, Target{Owner: "my_org", Repo: "some.repo", Ref: sha}},
		{"o/r@user@host", Target{Owner: "o", Repo: "r", Ref: "user@host"}},
		{"o/r@issue#12", Target{Owner: "o", Repo: "r", Ref: "issue#12"}},
		{"o/r.git", Target{Owner: "o", Repo: "r"}},
		{"o/r#7", Target{Owner: "o", Repo: "r", Pull: 7}},
		{"github.com/o/r#7", Target{Owner: "o", Repo: "r", Pull: 7}},
		{"ghe.example.com/o/r", Target{Host: "ghe.example.com", Owner: "o", Repo: "r"}},
		{"GHE.example.com:8443/o/r@main", Target{Host: "ghe.example.com:8443", Owner: "o", Repo: "r", Ref: "main"}},
		{"localhost/o/r#3", Target{Host: "localhost", Owner: "o", Repo: "r", Pull: 3}},
		// Pasted addresses.
		{"https://github.com/esp8266/Arduino", Target{Owner: "esp8266", Repo: "Arduino"}},
		{"https://github.com/esp8266/Arduino/", Target{Owner: "esp8266", Repo: "Arduino"}},
		{"https://github.com/esp8266/Arduino.git", Target{Owner: "esp8266", Repo: "Arduino"}},
		{"https://www.github.com/o/r?tab=readme", Target{Owner: "o", Repo: "r"}},
		{"https://github.com/o/r/tree/feature/x", Target{Owner: "o", Repo: "r", Ref: "feature/x"}},
		{"https://github.com/o/r/tree/feature/x/", Target{Owner: "o", Repo: "r", Ref: "feature/x"}},
		{"https://github.com/o/r/commit/" + sha, Target{Owner: "o", Repo: "r", Ref: sha}},
		{"https://github.com/o/r/commit/0123abc", Target{Owner: "o", Repo: "r", Ref: "0123abc"}},
		{"https://github.com/o/r/pull/5", Target{Owner: "o", Repo: "r", Pull: 5}},
		{"https://github.com/o/r/pull/5/checks", Target{Owner: "o", Repo: "r", Pull: 5}},
		{"https://github.com/o/r/pull/5#issuecomment-1", Target{Owner: "o", Repo: "r", Pull: 5}},
		{"http://github.com/o/r", Target{Owner: "o", Repo: "r"}},
		{"https://ghe.corp.example/team/app/pull/12", Target{Host: "ghe.corp.example", Owner: "team", Repo: "app", Pull: 12}},
	} {
		got, err := ParseSpec(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseSpec(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseSpecRefuses(t *testing.T) {
	for _, tc := range []struct{ in, why string }{
		{"", "want OWNER/REPO"},
		{"esp8266", "want OWNER/REPO"},
		{"/r", "invalid owner"},
		{"o/", "invalid repository"},
		{"o/r@", "empty ref"},
		{"o/r/x", `"o" is not a host name`},
		{"a/b/c/d", "want OWNER/REPO"},
		{"o r/x", "invalid owner"},
		{"../r", "invalid owner"},
		{"o/..", "invalid repository"},
		{"o/r?x", "invalid repository"},
		{"o/r#", "no pull request number"},
		{"o/r#x", `"x" is not a number`},
		{"o/r#0", `"0" is not a number`},
		{"o/r#07", `"07" is not a number`},
		{"o/r#-1", `"-1" is not a number`},
		{"o/r#+1", `"+1" is not a number`},
		{"o/r#1 ", `"1 " is not a number`},
		{"o/r#99999999999999999999", "is not a number"},
		{"o/r@a..b", "invalid ref"},
		{"o/r@a b", "invalid ref"},
		{"o/r@a~1", "invalid ref"},
		{"o/r@x.lock", "invalid ref"},
		{"o/r@tab\there", "invalid ref"},
		{"o/r@" + strings.Repeat("x", 256), "invalid ref"},
		{"ghe..example/o/r", "not a host name"},
		{"ghe.example:0/o/r", "not a host name"},
		{"ghe.example:99999/o/r", "not a host name"},
		{"-ghe.example/o/r", "not a host name"},
		{"ftp://github.com/o/r", "https://"},
		{"https://user:pass@github.com/o/r", "credentials"},
		{"https://github.com/o", "names no repository"},
		{"https://github.com/", "names no repository"},
		{"https://github.com/o/r/issues/5", "not a repository, /tree/REF"},
		{"https://github.com/o/r/tree/", "not a repository, /tree/REF"},
		{"https://github.com/o/r/commit/main", "not a repository, /tree/REF"},
		{"https://github.com/o/r/pull/", "not a repository, /tree/REF"},
		{"https://github.com/o/r/pull/x", `"x" is not a number`},
		{"https://github.com/o/r/tree/a..b", "invalid ref"},
		{"https://gh_bad.example/o/r", "not a host name"},
		{"https://%zz/o/r", "not a URL"},
	} {
		_, err := ParseSpec(tc.in)
		var se *SpecError
		switch {
		case err == nil:
			t.Errorf("ParseSpec(%q) accepted it", tc.in)
		case !errors.As(err, &se) || se.Spec != tc.in:
			t.Errorf("ParseSpec(%q): %v is not a SpecError for it", tc.in, err)
		case !strings.Contains(err.Error(), tc.why):
			t.Errorf("ParseSpec(%q) = %q, want it to say %q", tc.in, err, tc.why)
		case strings.Contains(err.Error(), "\n"):
			t.Errorf("ParseSpec(%q): %q is not one line", tc.in, err)
		}
	}
}

func TestSpecAPIURLAndString(t *testing.T) {
	for _, tc := range []struct{ in, api, str string }{
		{"https://github.com/o/r/pull/5/files", DefaultAPIURL, "o/r#5"},
		{"o/r@main", DefaultAPIURL, "o/r@main"},
		{"https://ghe.example:8443/o/r/tree/dev", "https://ghe.example:8443/api/v3", "ghe.example:8443/o/r@dev"},
	} {
		s, err := ParseSpec(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if s.APIURL() != tc.api || s.String() != tc.str {
			t.Errorf("ParseSpec(%q): APIURL %q, String %q; want %q, %q", tc.in, s.APIURL(), s.String(), tc.api, tc.str)
		}
	}
}

// FuzzParseSpec: whatever ParseSpec accepts has names that are safe in a
// URL path, and its String reads back as the same spec.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"o/r", "o/r@main", "o/r#7", "ghe.example/o/r@x#y", "https://github.com/o/r/pull/5/checks",
		"https://ghe.example:8443/o/r/tree/a/b/", "https://github.com/o/r/commit/0123abc", "o/r.git", "x/y/z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSpec(in)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q is not one line", err)
			}
			return
		}
		if validateNames(s.Owner, s.Repo, s.Ref) != nil || s.Pull < 0 || s.Pull > 0 && s.Ref != "" {
			t.Fatalf("ParseSpec(%q) = %+v, which a URL path cannot hold", in, s)
		}
		again, err := ParseSpec(s.String())
		if err != nil || again != s {
			t.Fatalf("ParseSpec(%q) = %+v, whose String %q reads as %+v, %v", in, s, s.String(), again, err)
		}
	})
}
