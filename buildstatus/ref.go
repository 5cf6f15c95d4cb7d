package buildstatus

import (
	"fmt"
	"strings"
)

// ParseRepoRef splits "OWNER/REPO[@REF]". A missing ref is "", meaning the
// repository's default branch. It refuses names that could not be a
// GitHub owner, repository or git ref, so that nothing odd reaches a URL.
func ParseRepoRef(s string) (owner, repo, ref string, err error) {
	name, ref, hasRef := strings.Cut(s, "@")
	owner, repo, ok := strings.Cut(name, "/")
	if !ok {
		return "", "", "", fmt.Errorf("buildstatus: %q is not OWNER/REPO[@REF]", s)
	}
	if hasRef && ref == "" {
		return "", "", "", fmt.Errorf("buildstatus: %q has an empty ref after @", s)
	}
	if err := validateNames(owner, repo, ref); err != nil {
		return "", "", "", err
	}
	return owner, repo, ref, nil
}

func validateNames(owner, repo, ref string) error {
	if !validName(owner) {
		return fmt.Errorf("buildstatus: invalid owner %q", owner)
	}
	if !validName(repo) {
		return fmt.Errorf("buildstatus: invalid repository name %q", repo)
	}
	if ref != "" && !validRef(ref) {
		return fmt.Errorf("buildstatus: invalid ref %q", ref)
	}
	return nil
}

// validName accepts what GitHub (and GitHub Enterprise, whose user names
// may hold "_" and ".") allows in owner and repository names.
func validName(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 100 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
		if !ok {
			return false
		}
	}
	return true
}

// validRef follows git check-ref-format, which also keeps a ref from
// escaping its place in a URL path.
func validRef(s string) bool {
	if s == "" || len(s) > 255 || s == "@" ||
		strings.HasPrefix(s, "/") || strings.HasSuffix(s, "/") || strings.HasSuffix(s, ".") ||
		strings.Contains(s, "..") || strings.Contains(s, "//") || strings.Contains(s, "@{") {
		return false
	}
	for _, seg := range strings.Split(s, "/") {
		if strings.HasPrefix(seg, ".") || strings.HasSuffix(seg, ".lock") {
			return false
		}
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || strings.ContainsRune(`~^:?*[\`, r) {
			return false
		}
	}
	return true
}
