package fakehub

import (
	"cmp"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// index is a validated scenario with every default filled in, arranged for
// answering requests. It is rebuilt whole on every change, so a request
// never sees half an update.
type index struct {
	repos map[string]*repoEntry // by strings.ToLower("owner/name")
}

type repoEntry struct {
	Repo           // with ID and DefaultBranch filled in; Refs and Pulls unused
	ownerID  int64 // stable per owner login
	commits  []*commit
	branches map[string]*commit
	tags     map[string]*commit
	pulls    map[int]*pull
	pullList []*pull // in the scenario's order

	fork        bool // the head repository of another one's pull request
	rulesets    bool // Rulesets, default true
	statusLinks bool // StatusLinks, default true
}

func (e *repoEntry) fullName() string { return e.Owner + "/" + e.Name }

// commit holds a ref's statuses and check runs, generated ones first, with
// ids, contexts, times and apps filled in, plus the views requests need.
type commit struct {
	sha       string
	suiteID   int64
	statuses  []Status
	checkRuns []CheckRun

	latestStatuses []Status   // one per context, in order of first appearance
	latestRuns     []CheckRun // one per name, likewise
	state          string     // the combined state GitHub computes

	// What the ref's branch requires: nil when nothing. protection has
	// both Contexts and Checks filled in.
	rules      *Rules
	rulesetID  int64
	protection *Protection
}

var (
	// Compiled on first use, not at init: every run of the command links
	// this package, and the counted repetitions make large programs.
	ownerRE = lazyRegexp(`^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$`)
	nameRE  = lazyRegexp(`^[A-Za-z0-9_.-]{1,100}$`)
	shaRE   = lazyRegexp(`^[0-9a-fA-F]{40}$`)
)

func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// ids numbers whatever the scenario leaves unnumbered after the largest
// id it gives, so that explicit and assigned ids never collide.
type ids struct{ repo, status, checkRun, suite, pull, ruleset int64 }

func buildIndex(sc *Scenario) (*index, error) {
	next, err := explicitIDs(sc)
	if err != nil {
		return nil, err
	}
	idx := &index{repos: make(map[string]*repoEntry)}
	for i := range sc.Repos {
		entry, err := buildRepo(&sc.Repos[i], fmt.Sprintf("repos[%d]", i), next)
		if err != nil {
			return nil, err
		}
		key := strings.ToLower(entry.fullName())
		if _, dup := idx.repos[key]; dup {
			return nil, invalid("", fmt.Sprintf("repos[%d]", i), "repository %s is listed twice", entry.fullName())
		}
		idx.repos[key] = entry
	}
	// Pull requests come last: their head may be in any repository.
	for i := range sc.Repos {
		if err := idx.linkPulls(&sc.Repos[i], fmt.Sprintf("repos[%d]", i), next); err != nil {
			return nil, err
		}
	}
	return idx, nil
}

// explicitIDs refuses duplicate ids and returns the counters that number the
// rest.
func explicitIDs(sc *Scenario) (*ids, error) {
	next := &ids{}
	repoIDs, statusIDs, runIDs := map[int64]string{}, map[int64]string{}, map[int64]string{}
	claim := func(seen map[int64]string, id int64, path string, largest *int64) error {
		if id == 0 {
			return nil
		}
		if id < 0 {
			return invalid("", path, "id %d is negative", id)
		}
		if other, dup := seen[id]; dup {
			return invalid("", path, "id %d is also used at %s", id, other)
		}
		seen[id] = path
		*largest = max(*largest, id)
		return nil
	}
	for i, repo := range sc.Repos {
		p := fmt.Sprintf("repos[%d]", i)
		if err := claim(repoIDs, repo.ID, p+".id", &next.repo); err != nil {
			return nil, err
		}
		for j, ref := range repo.Refs {
			rp := fmt.Sprintf("%s.refs[%d]", p, j)
			for k, s := range ref.Statuses {
				if err := claim(statusIDs, s.ID, fmt.Sprintf("%s.statuses[%d].id", rp, k), &next.status); err != nil {
					return nil, err
				}
			}
			for k, r := range ref.CheckRuns {
				if err := claim(runIDs, r.ID, fmt.Sprintf("%s.check_runs[%d].id", rp, k), &next.checkRun); err != nil {
					return nil, err
				}
			}
		}
	}
	return next, nil
}

func buildRepo(repo *Repo, path string, next *ids) (*repoEntry, error) {
	where := fmt.Sprintf("repo %s/%s", repo.Owner, repo.Name)
	if !ownerRE().MatchString(repo.Owner) {
		return nil, invalid(where, path+".owner", "owner %q is not a GitHub login (letters, digits, '-', '_'; at most 39)", repo.Owner)
	}
	if !nameRE().MatchString(repo.Name) || repo.Name == "." || repo.Name == ".." {
		return nil, invalid(where, path+".name", "name %q is not a repository name (letters, digits, '-', '_', '.'; at most 100)", repo.Name)
	}
	e := &repoEntry{
		Repo:        *repo,
		ownerID:     stableID("owner", strings.ToLower(repo.Owner)),
		branches:    make(map[string]*commit),
		tags:        make(map[string]*commit),
		pulls:       make(map[int]*pull),
		rulesets:    repo.Rulesets == nil || *repo.Rulesets,
		statusLinks: repo.StatusLinks == nil || *repo.StatusLinks,
	}
	e.Refs, e.Pulls = nil, nil
	e.ProtectionAccess = cmp.Or(e.ProtectionAccess, "read")
	if err := oneOf(e.ProtectionAccess, protectionAccess); err != nil {
		return nil, invalid(where, path+".protection_access", "protection_access %w", err)
	}
	if e.ID == 0 {
		next.repo++
		e.ID = next.repo
	}
	shas := make(map[string]string)
	names := make(map[string]string)
	for j := range repo.Refs {
		ref := &repo.Refs[j]
		rp := fmt.Sprintf("%s.refs[%d]", path, j)
		rwhere := fmt.Sprintf("%s, ref %s", where, refLabel(ref, j))
		c, err := buildCommit(e, ref, rp, rwhere, next)
		if err != nil {
			return nil, err
		}
		if other, dup := shas[c.sha]; dup {
			return nil, invalid(rwhere, rp+".sha", "sha %s is also %s's; give one ref several names with \"tags\"", c.sha, other)
		}
		shas[c.sha] = rp
		claim := func(name, p string, into map[string]*commit) error {
			if err := checkRefName(name); err != nil {
				return invalid(rwhere, p, "%w", err)
			}
			if other, dup := names[name]; dup {
				return invalid(rwhere, p, "name %q is also used at %s", name, other)
			}
			names[name] = p
			into[name] = c
			return nil
		}
		if ref.Name != "" {
			if err := claim(ref.Name, rp+".name", e.branches); err != nil {
				return nil, err
			}
		}
		for k, tag := range ref.Tags {
			if err := claim(tag, fmt.Sprintf("%s.tags[%d]", rp, k), e.tags); err != nil {
				return nil, err
			}
		}
		e.commits = append(e.commits, c)
	}
	switch {
	case e.DefaultBranch == "" && len(repo.Refs) > 0 && repo.Refs[0].Name != "":
		e.DefaultBranch = repo.Refs[0].Name
	case e.DefaultBranch == "" && len(repo.Refs) == 0:
		e.DefaultBranch = "main"
	case e.DefaultBranch == "":
		return nil, invalid(where, path+".default_branch", "default_branch is needed: the first ref has no branch name")
	case e.branches[e.DefaultBranch] == nil:
		return nil, invalid(where, path+".default_branch", "default_branch %q is not the name of one of its refs", e.DefaultBranch)
	}
	return e, nil
}

// refLabel names a ref in error messages by whatever it has.
func refLabel(ref *Ref, j int) string {
	switch {
	case ref.Name != "":
		return ref.Name
	case len(ref.Tags) > 0:
		return ref.Tags[0]
	case ref.SHA != "":
		return ref.SHA
	}
	return fmt.Sprintf("#%d", j+1)
}

// checkRefName applies the rules of git check-ref-format that a request
// path could trip over, plus "HEAD", which means the default branch.
func checkRefName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("an empty name")
	case name == "HEAD" || name == "@":
		return fmt.Errorf("%q is reserved", name)
	case strings.ContainsAny(name, " ~^:?*[\\") || strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return fmt.Errorf("%q has a character git refuses in ref names", name)
	case strings.Contains(name, "..") || strings.Contains(name, "//") || strings.Contains(name, "@{"):
		return fmt.Errorf("%q is not a valid ref name (no \"..\", \"//\" or \"@{\")", name)
	case strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") || strings.HasSuffix(name, ".") || strings.HasSuffix(name, ".lock"):
		return fmt.Errorf("%q is not a valid ref name (bad start or end)", name)
	}
	return nil
}

func buildCommit(e *repoEntry, ref *Ref, path, where string, next *ids) (*commit, error) {
	c := &commit{}
	switch {
	case ref.SHA != "":
		if !shaRE().MatchString(ref.SHA) {
			return nil, invalid(where, path+".sha", "sha %q is not 40 hex digits", ref.SHA)
		}
		c.sha = strings.ToLower(ref.SHA)
	case ref.Name == "" && len(ref.Tags) == 0:
		return nil, invalid(where, path, "a ref needs a name, a tag or a sha")
	default:
		sum := sha1.Sum([]byte("fakehub\x00" + e.fullName() + "\x00" + refLabel(ref, 0)))
		c.sha = hex.EncodeToString(sum[:])
	}
	if err := generate(c, ref.Generate, path+".generate", where, next); err != nil {
		return nil, err
	}
	for k, s := range ref.Statuses {
		s, err := normalizeStatus(s, fmt.Sprintf("%s.statuses[%d]", path, k), where, next)
		if err != nil {
			return nil, err
		}
		c.statuses = append(c.statuses, s)
	}
	for k, r := range ref.CheckRuns {
		r, err := normalizeCheckRun(r, fmt.Sprintf("%s.check_runs[%d]", path, k), where, next)
		if err != nil {
			return nil, err
		}
		c.checkRuns = append(c.checkRuns, r)
	}
	if len(c.checkRuns) > 0 {
		next.suite++
		c.suiteID = next.suite
	}
	if err := requirements(c, ref, path, where, next); err != nil {
		return nil, err
	}
	c.latestStatuses = latestStatuses(c.statuses)
	c.latestRuns = latestCheckRuns(c.checkRuns)
	c.state = combinedState(c.latestStatuses)
	return c, nil
}

// stableID is a positive id derived from a name, so that owners (which a
// scenario does not number) keep their id whatever else changes.
func stableID(kind, name string) int64 {
	sum := sha1.Sum([]byte(kind + "\x00" + name))
	return int64(sum[0]&0x7f)<<24 | int64(sum[1])<<16 | int64(sum[2])<<8 | int64(sum[3]) + 1
}
