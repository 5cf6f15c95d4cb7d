package buildstatus

import (
	"fmt"
	"strings"
)

func validateNames(owner, repo, ref string) error {
	if !validName(owner) {
		return fmt.Errorf("invalid owner %q", owner)
	}
	if !validName(repo) {
		return fmt.Errorf("invalid repository name %q", repo)
	}
	if ref != "" && !validRef(ref) {
		return fmt.Errorf("invalid ref %q", ref)
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
