package buildstatus

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// DefaultAPIURL is github.com's REST API.
const DefaultAPIURL = "https://api.github.com"

// Target is what a Check reads: a ref of a repository, or the head commit
// of a pull request, on github.com or a GitHub Enterprise host.
type Target struct {
	// Host is the GitHub Enterprise host the repository is on (with a
	// port if one was given), "" for github.com. A Client reads every
	// target from its own API: the caller picks the Client for the host
	// (see APIURL).
	Host        string
	Owner, Repo string
	Ref         string // a branch, tag or SHA; "" for the default branch
	Pull        int    // a pull request's number, 0 for none; then Ref is ""
}

// String is the target in its shortest spec form:
// [HOST/]OWNER/REPO[@REF|#N].
func (t Target) String() string {
	s := t.Owner + "/" + t.Repo
	if t.Host != "" {
		s = t.Host + "/" + s
	}
	switch {
	case t.Pull > 0:
		s += "#" + strconv.Itoa(t.Pull)
	case t.Ref != "":
		s += "@" + t.Ref
	}
	return s
}

// APIURL is the REST API that serves the target's host: DefaultAPIURL for
// github.com, https://HOST/api/v3 for GitHub Enterprise Server.
func (t Target) APIURL() string {
	if t.Host == "" {
		return DefaultAPIURL
	}
	return "https://" + t.Host + "/api/v3"
}

// SpecForms lists the forms ParseSpec reads, one per line, for a usage
// message.
const SpecForms = `OWNER/REPO                      the default branch
OWNER/REPO@REF                  a branch, tag or commit SHA
OWNER/REPO#N                    pull request N (its head commit)
https://github.com/OWNER/REPO   also with /tree/REF, /commit/SHA or /pull/N
HOST/OWNER/REPO[@REF|#N]        GitHub Enterprise (also https://HOST/OWNER/REPO...)`

// SpecError is a REPO-SPEC that fits none of SpecForms.
type SpecError struct {
	Spec   string // as given
	Reason string // what is wrong with it
}

func (e *SpecError) Error() string {
	return fmt.Sprintf("buildstatus: %q is not a repository spec: %s", e.Spec, e.Reason)
}

// ParseSpec reads a REPO-SPEC in any of the forms of SpecForms. It refuses
// names that could not be a GitHub owner, repository or git ref, so that
// nothing odd reaches a URL. A pasted URL may end in ".git" or "/", and
// its query and fragment are ignored; github.com and www.github.com are
// github.com, any other host is GitHub Enterprise.
func ParseSpec(s string) (Target, error) {
	var (
		spec Target
		err  error
	)
	if strings.Contains(s, "://") {
		spec, err = parseSpecURL(s)
	} else {
		spec, err = parseSpecShort(s)
	}
	if err != nil {
		return Target{}, &SpecError{Spec: s, Reason: err.Error()}
	}
	if spec.Host == "github.com" || spec.Host == "www.github.com" {
		spec.Host = ""
	}
	return spec, nil
}

// parseSpecShort reads [HOST/]OWNER/REPO[@REF|#N].
func parseSpecShort(s string) (Target, error) {
	var spec Target
	// A ref may hold '#' and '@' ("o/r@user@host"): the first of the two
	// ends the name.
	name, suffix := s, ""
	if i := strings.IndexAny(s, "@#"); i >= 0 {
		name, suffix = s[:i], s[i:]
	}
	parts := strings.Split(name, "/")
	switch len(parts) {
	case 2:
	case 3:
		if !validHost(parts[0]) {
			return spec, fmt.Errorf("%q is not a host name (HOST/OWNER/REPO)", parts[0])
		}
		spec.Host = strings.ToLower(parts[0])
		parts = parts[1:]
	default:
		return spec, fmt.Errorf("want OWNER/REPO")
	}
	spec.Owner, spec.Repo = parts[0], trimGit(parts[1])
	switch {
	case strings.HasPrefix(suffix, "@"):
		spec.Ref = suffix[1:]
		if spec.Ref == "" {
			return spec, fmt.Errorf("empty ref after @")
		}
	case strings.HasPrefix(suffix, "#"):
		n, err := pullNumber(suffix[1:])
		if err != nil {
			return spec, err
		}
		spec.Pull = n
	}
	return spec, validateNames(spec.Owner, spec.Repo, spec.Ref)
}

// parseSpecURL reads a repository's web address: https://HOST/OWNER/REPO,
// with /tree/REF, /commit/SHA or /pull/N[/...] after it.
func parseSpecURL(s string) (Target, error) {
	var spec Target
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return spec, fmt.Errorf("not a URL")
	case u.Scheme != "https" && u.Scheme != "http":
		return spec, fmt.Errorf("want an https:// address")
	case u.User != nil:
		return spec, fmt.Errorf("the address holds credentials")
	case !validHost(u.Host):
		return spec, fmt.Errorf("%q is not a host name", u.Host)
	}
	spec.Host = strings.ToLower(u.Host)
	path := strings.Trim(u.Path, "/")
	parts := strings.SplitN(path, "/", 4)
	if len(parts) < 2 {
		return spec, fmt.Errorf("the address names no repository (https://%s/OWNER/REPO)", u.Host)
	}
	spec.Owner, spec.Repo = parts[0], trimGit(parts[1])
	if len(parts) > 2 {
		rest := ""
		if len(parts) == 4 {
			rest = parts[3]
		}
		switch kind := parts[2]; {
		case kind == "tree" && rest != "":
			spec.Ref = rest
		case kind == "commit" && rest != "" && isHex(rest) && len(rest) >= 7 && len(rest) <= 40:
			spec.Ref = rest
		case kind == "pull" && rest != "":
			number, _, _ := strings.Cut(rest, "/") // /pull/N/checks, /pull/N/files
			if spec.Pull, err = pullNumber(number); err != nil {
				return spec, err
			}
		default:
			return spec, fmt.Errorf("the address is not a repository, /tree/REF, /commit/SHA or /pull/N")
		}
	}
	return spec, validateNames(spec.Owner, spec.Repo, spec.Ref)
}

// trimGit drops the ".git" of a clone address. GitHub refuses repository
// names that end in it, so a name still ending in it after that becomes ""
// and is refused as invalid.
func trimGit(repo string) string {
	repo = strings.TrimSuffix(repo, ".git")
	if strings.HasSuffix(repo, ".git") {
		return "" // not a name GitHub allows
	}
	return repo
}

// pullNumber reads N of OWNER/REPO#N: decimal digits, from 1.
func pullNumber(s string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("no pull request number after #")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || s[0] == '0' || s[0] == '+' {
		return 0, fmt.Errorf("pull request number %q is not a number from 1", s)
	}
	return n, nil
}

// validHost accepts a DNS name, with a dot (or "localhost") so that it
// cannot be taken for an owner, and an optional port.
func validHost(s string) bool {
	host, port := s, ""
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		host, port = s[:i], s[i+1:]
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return false
		}
	}
	if host != "localhost" && !strings.Contains(host, ".") || len(host) > 253 {
		return false
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-'
			if !ok {
				return false
			}
		}
	}
	return true
}

func isHex(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}
