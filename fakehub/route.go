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

// route answers GET and HEAD for the three resources; anything else is 404,
// as GitHub answers unknown paths and methods.
func (h *Hub) route(rep *reply, r *http.Request, authorized bool) {
	path := r.URL.Path
	prefix := ""
	if rest, ok := strings.CutPrefix(path, enterprisePrefix+"/"); ok {
		path, prefix = "/"+rest, enterprisePrefix
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		rep.fail(http.StatusNotFound, "Not Found", docsREST)
		return
	}
	rest, ok := strings.CutPrefix(path, "/repos/")
	if !ok {
		rep.fail(http.StatusNotFound, "Not Found", docsREST)
		return
	}
	owner, rest, _ := strings.Cut(rest, "/")
	name, rest, more := strings.Cut(rest, "/")
	var ref, docs string
	var serve func(*reply, *call, *commit)
	switch {
	case owner == "" || name == "":
		rep.fail(http.StatusNotFound, "Not Found", docsREST)
		return
	case !more:
		docs = docsRepo
	case strings.HasPrefix(rest, "commits/") && strings.HasSuffix(rest, "/status"):
		ref = strings.TrimSuffix(strings.TrimPrefix(rest, "commits/"), "/status")
		docs, serve = docsStatus, serveCombinedStatus
	case strings.HasPrefix(rest, "commits/") && strings.HasSuffix(rest, "/check-runs"):
		ref = strings.TrimSuffix(strings.TrimPrefix(rest, "commits/"), "/check-runs")
		docs, serve = docsCheckRuns, serveCheckRuns
	default:
		rep.fail(http.StatusNotFound, "Not Found", docsREST)
		return
	}
	entry := h.idx.repos[strings.ToLower(owner+"/"+name)]
	if entry == nil || entry.Private && !authorized || more && ref == "" {
		rep.fail(http.StatusNotFound, "Not Found", docs)
		return
	}
	scheme := "https"
	if r.TLS == nil {
		scheme = "http"
	}
	site := scheme + "://" + r.Host
	c := &call{r: r, api: site + prefix, site: site, repo: entry}
	if serve == nil {
		rep.ok(repositoryJSON(c))
		return
	}
	if len(entry.commits) == 0 {
		rep.fail(http.StatusConflict, "Git Repository is empty.", docs)
		return
	}
	commit, found := entry.resolve(ref)
	if !found {
		rep.fail(http.StatusUnprocessableEntity, "No commit found for SHA: "+ref, docs)
		return
	}
	serve(rep, c, commit)
}

// Route names the resource a request path asks for, as a Hub routes it:
// "repo", "status", "check-runs", "pull", "rules" or "protection"; "" for
// a path that is none of them (a 404). Tests count requests by it.
func Route(path string) string {
	if rest, ok := strings.CutPrefix(path, enterprisePrefix+"/"); ok {
		path = "/" + rest
	}
	rest, ok := strings.CutPrefix(path, "/repos/")
	if !ok {
		return ""
	}
	parts := strings.Split(rest, "/")
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return ""
	}
	p := parts[2:]
	switch {
	case len(p) == 0:
		return "repo"
	case len(p) >= 3 && p[0] == "commits" && p[len(p)-1] == "status":
		return "status"
	case len(p) >= 3 && p[0] == "commits" && p[len(p)-1] == "check-runs":
		return "check-runs"
	case len(p) == 2 && p[0] == "pulls" && p[1] != "":
		return "pull"
	case len(p) >= 3 && p[0] == "rules" && p[1] == "branches":
		return "rules"
	case len(p) >= 5 && p[0] == "branches" && p[len(p)-2] == "protection" && p[len(p)-1] == "required_status_checks":
		return "protection"
	}
	return ""
}
