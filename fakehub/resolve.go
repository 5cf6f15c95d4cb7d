package fakehub

import (
	"strings"
)

// minShortSHA is the shortest SHA prefix resolved, as git's minimum
// abbreviation.
const minShortSHA = 4

// resolve finds the commit a request's ref names: "HEAD" (the default
// branch), a full SHA, a branch, a tag, "heads/x" or "tags/x" (with or
// without "refs/"), "pull/N/head" (likewise), or an unambiguous SHA
// prefix. As on GitHub, a pull request's head is the base repository's
// too, by its full SHA or pull/N/head, even when it is a fork's commit. It reports false when no
// commit or several match, which GitHub answers with 422.
func (e *repoEntry) resolve(ref string) (*commit, bool) {
	if ref == "HEAD" {
		ref = e.DefaultBranch
	}
	trimmed := strings.TrimPrefix(ref, "refs/")
	if name, ok := strings.CutPrefix(trimmed, "heads/"); ok {
		c := e.branches[name]
		return c, c != nil
	}
	if name, ok := strings.CutPrefix(trimmed, "tags/"); ok {
		c := e.tags[name]
		return c, c != nil
	}
	lower := strings.ToLower(ref)
	if shaRE().MatchString(ref) {
		for _, c := range e.commits {
			if c.sha == lower {
				return c, true
			}
		}
		for _, p := range e.pullList {
			if p.head.sha == lower {
				return p.head, true
			}
		}
	}
	if c := e.branches[ref]; c != nil {
		return c, true
	}
	if c := e.tags[ref]; c != nil {
		return c, true
	}
	if number, ok := strings.CutPrefix(trimmed, "pull/"); ok {
		if number, ok = strings.CutSuffix(number, "/head"); ok {
			if p := e.pulls[pullNumber(number)]; p != nil {
				return p.head, true
			}
		}
		return nil, false
	}
	if len(ref) < minShortSHA || len(ref) >= 40 || strings.Trim(lower, "0123456789abcdef") != "" {
		return nil, false
	}
	var found *commit
	for _, c := range e.commits {
		if strings.HasPrefix(c.sha, lower) {
			if found != nil {
				return nil, false // ambiguous
			}
			found = c
		}
	}
	return found, found != nil
}
