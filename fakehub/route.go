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
