package relay

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
)

// Bodies of the fixed answers, in GitHub's shape.
var (
	notFoundBody     = []byte(`{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}` + "\n")
	noAuthBody       = []byte(`{"message":"Requires authentication"}` + "\n")
	badAuthBody      = []byte(`{"message":"Bad credentials"}` + "\n")
	notAllowedBody   = []byte(`{"message":"Method Not Allowed"}` + "\n")
	noVerdictYetBody = []byte(`{"message":"no verdict yet: the relay is asking upstream"}` + "\n")
)

// Route labels of the request metric.
const (
	routeStatus = "status"
	routeTime   = "time"
	routeOther  = "other"
)

func (r *Relay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	route, code := r.serve(w, req)
	r.metrics.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
}

func (r *Relay) serve(w http.ResponseWriter, req *http.Request) (route string, code int) {
	path := req.URL.Path
	route = routeOther
	if path == "/time" {
		route = routeTime
	} else if strings.HasPrefix(path, "/repos/") && strings.HasSuffix(path, "/status") {
		route = routeStatus
	}
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return route, reply(w, http.StatusMethodNotAllowed, notAllowedBody)
	}
	if route == routeTime {
		return route, reply(w, http.StatusOK, []byte(`{"unix":`+strconv.FormatInt(r.clock.Now().Unix(), 10)+"}\n"))
	}
	if r.cfg.DeviceToken != "" {
		switch got, ok := deviceToken(req); {
		case !ok:
			w.Header().Set("WWW-Authenticate", `Bearer realm="clientsecure relay"`)
			return route, reply(w, http.StatusUnauthorized, noAuthBody)
		case subtle.ConstantTimeCompare([]byte(got), []byte(r.cfg.DeviceToken)) != 1:
			w.Header().Set("WWW-Authenticate", `Bearer realm="clientsecure relay"`)
			return route, reply(w, http.StatusUnauthorized, badAuthBody)
		}
	}
	owner, repo, ref, ok := statusPath(path)
	if !ok {
		return route, reply(w, http.StatusNotFound, notFoundBody)
	}
	return route, r.serveStatus(w, owner, repo, ref)
}

// serveStatus answers one ref from memory.
func (r *Relay) serveStatus(w http.ResponseWriter, owner, repo, ref string) int {
	r.mu.RLock()
	e, pending := r.lookup(owner, repo, ref)
	var (
		body   []byte
		kind   ErrorKind
		polled bool
	)
	if e != nil {
		body, kind, polled = e.body, e.kind, e.polled
		if kind != "" && e.last != nil {
			age := int64(r.clock.Now().Sub(e.last.checkedAt).Seconds())
			body = e.last.encode(max(age, 0))
		}
	}
	r.mu.RUnlock()
	switch {
	case e == nil && !pending:
		return reply(w, http.StatusNotFound, notFoundBody)
	case body != nil:
		return reply(w, http.StatusOK, body)
	case e == nil || !polled:
		w.Header().Set("Retry-After", strconv.Itoa(r.retryAfter()))
		return reply(w, http.StatusServiceUnavailable, noVerdictYetBody)
	}
	w.Header().Set("Retry-After", strconv.Itoa(r.retryAfter()))
	return reply(w, http.StatusBadGateway, []byte(`{"message":"upstream `+string(kind)+`"}`+"\n"))
}

// retryAfter is what a device is told to wait for a first verdict: an
// interval, at most a minute, at least a second.
func (r *Relay) retryAfter() int {
	return int(min(max(r.cfg.Interval.Seconds(), 1), 60))
}

// deviceToken is the token a device sent, from Authorization (Bearer or
// GitHub's "token" scheme) or ?token=.
func deviceToken(req *http.Request) (string, bool) {
	if h := req.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && (strings.EqualFold(scheme, "bearer") || strings.EqualFold(scheme, "token")) {
			return strings.TrimSpace(tok), true
		}
		return "", true // present, in a form that never matches
	}
	if q := req.URL.Query(); q.Has("token") {
		return q.Get("token"), true
	}
	return "", false
}

// statusPath splits /repos/OWNER/REPO/commits/REF/status; REF may hold
// slashes (feature/x).
func statusPath(p string) (owner, repo, ref string, ok bool) {
	rest, ok := strings.CutPrefix(p, "/repos/")
	if !ok {
		return "", "", "", false
	}
	rest, ok = strings.CutSuffix(rest, "/status")
	if !ok {
		return "", "", "", false
	}
	parts := strings.SplitN(rest, "/", 4)
	if len(parts) != 4 || parts[2] != "commits" || parts[0] == "" || parts[1] == "" || parts[3] == "" {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[3], true
}

// reply writes a JSON answer with its length, so it is never chunked.
func reply(w http.ResponseWriter, code int, body []byte) int {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(code)
	w.Write(body)
	return code
}
