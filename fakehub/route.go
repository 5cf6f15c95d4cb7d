package fakehub

import (
	"net/http"
	"strings"
)

// enterprisePrefix is where GitHub Enterprise Server puts its API; the Hub
// answers under it too, so clients configured for either find it.
const enterprisePrefix = "/api/v3"

// call is one request for a repository resource, with the bases that the
// URLs in its answer are built from: the request's own scheme and host, so
// that every URL in a response leads back to the Hub that sent it.
type call struct {
	r    *http.Request
	api  string // "https://127.0.0.1:8443", plus "/api/v3" if asked so
	site string // "https://127.0.0.1:8443", for html_url
	repo *repoEntry
}

func (c *call) repoAPI() string  { return c.api + "/repos/" + c.repo.fullName() }
func (c *call) repoSite() string { return c.site + "/" + c.repo.fullName() }

// owner is the repository's owner.
func (c *call) owner() userJSON { return organization(c, c.repo.Owner, c.repo.ownerID) }

// in is the same call about another repository (a pull request's head).
func (c *call) in(e *repoEntry) *call {
	other := *c
	other.repo = e
	return &other
}

// target is what a request path asks for: the route (as Route names it),
// the repository, and the route's one parameter (a ref, a pull request
// number, a branch), which may be empty.
type target struct {
	route, owner, name, arg string
	prefix                  string // enterprisePrefix or ""
}

// parse reads a request path; route is "" for one the Hub does not serve.
// A ref or branch is everything between the fixed segments, slashes
// included ("feature/x"), as GitHub reads it.
func parse(path string) target {
	var t target
	if rest, ok := strings.CutPrefix(path, enterprisePrefix+"/"); ok {
		path, t.prefix = "/"+rest, enterprisePrefix
	}
	rest, ok := strings.CutPrefix(path, "/repos/")
	if !ok {
		return t
	}
	owner, rest, _ := strings.Cut(rest, "/")
	name, rest, more := strings.Cut(rest, "/")
	if owner == "" || name == "" {
		return t
	}
	t.owner, t.name = owner, name
	between := func(prefix, suffix string) bool {
		arg, ok := strings.CutPrefix(rest, prefix)
		if !ok || !strings.HasSuffix(arg, suffix) || len(arg) < len(suffix) {
			return false
		}
		t.arg = strings.TrimSuffix(arg, suffix)
		return true
	}
	switch {
	case !more:
		t.route = "repo"
	case between("commits/", "/status"):
		t.route = "status"
	case between("commits/", "/check-runs"):
		t.route = "check-runs"
	case between("pulls/", "") && t.arg != "" && !strings.Contains(t.arg, "/"):
		t.route = "pull"
	case between("rules/branches/", ""):
		t.route = "rules"
	case between("branches/", "/protection/required_status_checks"):
		t.route = "protection"
	}
	return t
}

// Route names the resource a request path asks for, as a Hub routes it:
// "repo", "status", "check-runs", "pull", "rules" or "protection"; "" for
// a path that is none of them (a 404). Tests count requests by it.
func Route(path string) string { return parse(path).route }

// docs are the documentation URLs of each route's error bodies.
var docs = map[string]string{
	"repo":       docsRepo,
	"status":     docsStatus,
	"check-runs": docsCheckRuns,
	"pull":       docsPull,
	"rules":      docsRules,
	"protection": docsProtection,
}

// route answers GET and HEAD for the resources; anything else is 404, as
// GitHub answers unknown paths and methods.
func (h *Hub) route(rep *reply, r *http.Request, authorized bool) {
	t := parse(r.URL.Path)
	if t.route == "" || r.Method != http.MethodGet && r.Method != http.MethodHead {
		rep.fail(http.StatusNotFound, "Not Found", docsREST)
		return
	}
	doc := docs[t.route]
	entry := h.idx.repos[strings.ToLower(t.owner+"/"+t.name)]
	if entry == nil || entry.Private && !authorized || t.route != "repo" && t.arg == "" {
		rep.fail(http.StatusNotFound, "Not Found", doc)
		return
	}
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	site := scheme + "://" + r.Host
	c := &call{r: r, api: site + t.prefix, site: site, repo: entry}
	var serve func(*reply, *call, *commit)
	switch t.route {
	case "repo":
		rep.ok(repositoryJSON(c))
		return
	case "pull":
		servePull(rep, c, t.arg)
		return
	case "rules":
		serveRules(rep, c, t.arg)
		return
	case "protection":
		serveProtection(rep, c, t.arg, authorized)
		return
	case "status":
		serve = serveCombinedStatus
	case "check-runs":
		serve = serveCheckRuns
	}
	if len(entry.commits) == 0 {
		rep.fail(http.StatusConflict, "Git Repository is empty.", doc)
		return
	}
	commit, found := entry.resolve(t.arg)
	if !found {
		rep.fail(http.StatusUnprocessableEntity, "No commit found for SHA: "+t.arg, doc)
		return
	}
	serve(rep, c, commit)
}
