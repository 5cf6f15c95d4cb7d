package main

import (
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/buildstatus"
)

const (
	githubTokenVars     = "GH_TOKEN or GITHUB_TOKEN"
	enterpriseTokenVars = "GH_ENTERPRISE_TOKEN or GITHUB_ENTERPRISE_TOKEN"
)

// apiPlan is which API, with which token, serves each target.
type apiPlan struct {
	apis []apiConfig    // distinct, in the order first needed
	of   map[string]int // a target's host to the index of its API
}

// upstreams decides each target's API. --api-url (or GITHUB_API_URL)
// serves every target without a host of its own. A target on a GitHub
// Enterprise host is read from that host's API (https://HOST/api/v3),
// with the enterprise token: the github.com token is never sent to a
// host that a REPO-SPEC named. --api-url for a target on another host is
// a usage error, not a silent choice of one; GITHUB_API_URL, which CI
// runners set for their own server, gives way to the host a spec names.
func (o *statusOptions) upstreams(e *env, targets []buildstatus.Target, trust *clientsecure.Trust) (*apiPlan, error) {
	explicit := o.apiURL
	fromEnv := explicit == ""
	if fromEnv {
		explicit = e.getenv("GITHUB_API_URL")
	}
	if explicit != "" {
		if u, err := url.Parse(explicit); err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, usagef("--api-url %q: want an https:// URL like %s", explicit, buildstatus.DefaultAPIURL)
		}
	}
	github := apiConfig{url: buildstatus.DefaultAPIURL, token: firstEnv(e, "GH_TOKEN", "GITHUB_TOKEN"), tokenVars: githubTokenVars}
	if explicit != "" {
		github.url = explicit
	}
	plan := &apiPlan{of: make(map[string]int)}
	for _, t := range targets {
		api := github
		switch {
		case t.Host == "":
		case explicit != "" && !fromEnv && !servesHost(explicit, t.Host):
			return nil, usagef("%s is on %s, but --api-url is %s: leave out --api-url (the API is then %s), or the host", t, t.Host, explicit, t.APIURL())
		case explicit != "" && !fromEnv:
			// --api-url is this host's API (GitHub Enterprise Cloud serves
			// api.HOST): the token of that API.
		default:
			api = apiConfig{url: t.APIURL(), token: firstEnv(e, "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"), tokenVars: enterpriseTokenVars}
		}
		i := slices.IndexFunc(plan.apis, func(a apiConfig) bool { return a.url == api.url })
		if i < 0 {
			i = len(plan.apis)
			plan.apis = append(plan.apis, api)
		}
		plan.of[t.Host] = i
	}
	withheld := false
	for i := range plan.apis {
		api := &plan.apis[i]
		if api.token != "" && trust.Insecure && len(trust.Pins) == 0 {
			api.token, api.withheld, withheld = "", true, true
		}
	}
	if withheld {
		e.warnf("warning: token withheld: --insecure without --pin cannot tell the API server from anyone else")
	}
	return plan, nil
}

func firstEnv(e *env, names ...string) string {
	for _, n := range names {
		if v := e.getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// servesHost reports whether apiURL is the API of a GitHub on host:
// the host itself (Enterprise Server's /api/v3) or api.HOST.
func servesHost(apiURL, host string) bool {
	u, err := url.Parse(apiURL)
	if err != nil {
		return false
	}
	h := strings.ToLower(u.Host)
	return h == host || h == "api."+host
}

// api is the API of t.
func (p *apiPlan) api(t buildstatus.Target) apiConfig { return p.apis[p.of[t.Host]] }

// upstream is one API's client.
type upstream struct {
	client *buildstatus.Client
	hc     *http.Client
	trace  *httptrace.ClientTrace // nil for none
}

// connected is every API's client of a plan.
type connected struct {
	plan *apiPlan
	ups  []*upstream
}

// connect makes a client for each API of the plan (see newAPIClient).
func (p *apiPlan) connect(e *env, trust *clientsecure.Trust, tr *tracer, conditional bool) (*connected, error) {
	c := &connected{plan: p}
	for _, api := range p.apis {
		client, hc, err := newAPIClient(e, trust, api, tr, conditional)
		if err != nil {
			c.close()
			return nil, err
		}
		c.ups = append(c.ups, &upstream{client: client, hc: hc})
	}
	return c, nil
}

func (c *connected) of(t buildstatus.Target) *upstream { return c.ups[c.plan.of[t.Host]] }

func (c *connected) close() {
	for _, up := range c.ups {
		up.hc.CloseIdleConnections()
	}
}

// noter prints each note of a result once, to stderr: a watch polls the
// same refs again and again.
type noter struct {
	e    *env
	mu   sync.Mutex
	seen map[string]bool
}

func newNoter(e *env) *noter { return &noter{e: e, seen: make(map[string]bool)} }

func (n *noter) note(name string, notes []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, text := range notes {
		line := name + ": " + text
		if !n.seen[line] {
			n.seen[line] = true
			n.e.warnf("note: %s", line)
		}
	}
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}
