package main

import (
	"fmt"
	"path/filepath"
	"strings"
)

// group is a set of variants doing the same job, measured interleaved.
type group struct {
	title    string
	variants []*variant
}

// variant is one way of doing a group's job: the processes one run starts,
// one after the other.
type variant struct {
	name     string
	baseline bool // ratios in the group are against this one
	cmds     [][]string
	dir      string   // working directory ("": the current one)
	env      []string // added to the setup's clean environment
	requests int      // API requests one run makes
	// check looks at the warm-up run's standard output (all processes').
	check   func(stdout string) error
	samples []sample
}

func (s *setup) statusURL(r ref) string {
	return s.url + "/repos/" + owner + "/" + repo + "/commits/" + r.name + "/status?page=1&per_page=100"
}

func (s *setup) checkRunsURL(r ref) string {
	return s.url + "/repos/" + owner + "/" + repo + "/commits/" + r.name + "/check-runs?filter=latest&page=1&per_page=100"
}

func (s *setup) curlArgs(urls ...string) []string {
	return append([]string{s.curl, "-q", "-sS", "--fail", "--cacert", s.cert, "--pinnedpubkey", s.pin}, urls...)
}

func (s *setup) statusArgs(refs ...ref) []string {
	args := []string{s.bin, "status", "--api-url", s.url, "--ca-file", s.cert, "--pin", s.pin}
	for _, r := range refs {
		args = append(args, owner+"/"+repo+"@"+r.name)
	}
	return args
}

func (s *setup) groups() []*group {
	first := s.refs[0]
	get := &group{title: "get: one pinned GET of a ref's combined status", variants: []*variant{
		{name: "clientsecure get", requests: 1, check: contains(`"total_count":3`, 1),
			cmds: [][]string{{s.bin, "get", "--ca-file", s.cert, "--pin", s.pin, s.statusURL(first)}}},
		{name: "curl --pinnedpubkey", baseline: true, requests: 1, check: contains(`"total_count":3`, 1),
			cmds: [][]string{s.curlArgs(s.statusURL(first))}},
	}}

	status := &group{title: "status: one ref (its commit statuses and its check runs)", variants: []*variant{
		{name: "clientsecure status", requests: 2, check: contains(owner+"/"+repo+"@"+first.name+": success", 1),
			cmds: [][]string{s.statusArgs(first)}},
		{name: "curl, both URLs, one connection", baseline: true, requests: 2, check: contains(`"total_count":`, 2),
			cmds: [][]string{s.curlArgs(s.statusURL(first), s.checkRunsURL(first))}},
	}}
	if s.gh != "" {
		api := func(u string) []string { return []string{s.gh, "api", strings.TrimPrefix(u, s.url+"/")} }
		status.variants = append(status.variants, &variant{
			name: "gh api, the same two calls", requests: 2, check: contains(`"total_count":`, 2),
			cmds: [][]string{api(s.statusURL(first)), api(s.checkRunsURL(first))},
			// gh api --hostname refuses a port; GH_HOST takes one. gh
			// verifies the chain (SSL_CERT_FILE) but pins nothing.
			env: []string{"GH_HOST=" + s.addr, "GH_ENTERPRISE_TOKEN=compare-token", "GH_CONFIG_DIR=" + filepath.Join(s.work, "gh"),
				"GH_NO_UPDATE_NOTIFIER=1", "GH_PROMPT_DISABLED=1", "SSL_CERT_FILE=" + s.cert},
		})
	}
	if s.hub != "" {
		status.variants = append(status.variants, &variant{
			// hub resolves the ref with git, so it is given the commit.
			name: "hub ci-status", requests: 2, check: contains("ci/build", 1),
			cmds: [][]string{{s.hub, "ci-status", "-v", first.sha}},
			dir:  s.hubRepo,
			env:  []string{"GITHUB_HOST=" + s.addr, "HUB_CONFIG=" + filepath.Join(s.work, "hub.yml"), "SSL_CERT_FILE=" + s.cert},
		})
	}

	// A pull request with the checks its base branch requires: the pull
	// request, then its head's two lists and the base's rules and
	// protection. gh pr checks --required asks GraphQL, which fakehub does
	// not serve: gh api makes the same REST calls instead.
	head := s.refs[min(1, len(s.refs)-1)]
	base := s.url + "/repos/" + owner + "/" + repo
	pullURLs := []string{base + "/pulls/1", s.statusURL(head), s.checkRunsURL(head),
		base + "/rules/branches/" + first.name + "?page=1&per_page=100",
		base + "/branches/" + first.name + "/protection/required_status_checks"}
	required := &group{title: "pull request 1, only the checks its base branch requires", variants: []*variant{
		{name: "clientsecure status --required", baseline: true, requests: 5, check: contains(owner+"/"+repo+"#1: success (2 required checks: 2 passed", 1),
			cmds: [][]string{append(s.statusArgs(), "--required", owner+"/"+repo+"#1")}, env: []string{"GH_TOKEN=compare-token"}},
		{name: "curl, the 5 URLs, one connection", requests: 5, check: contains(`"contexts_url":`, 1),
			cmds: [][]string{append(s.curlArgs(pullURLs...), "-H", "Authorization: Bearer compare-token")}},
	}}
	if s.gh != "" {
		var cmds [][]string
		for _, u := range pullURLs {
			cmds = append(cmds, []string{s.gh, "api", strings.TrimPrefix(u, s.url+"/")})
		}
		required.variants = append(required.variants, &variant{
			name: "gh api, the same five calls", requests: 5, check: contains(`"contexts_url":`, 1), cmds: cmds,
			env: []string{"GH_HOST=" + s.addr, "GH_ENTERPRISE_TOKEN=compare-token", "GH_CONFIG_DIR=" + filepath.Join(s.work, "gh"),
				"GH_NO_UPDATE_NOTIFIER=1", "GH_PROMPT_DISABLED=1", "SSL_CERT_FILE=" + s.cert},
		})
	}

	n := len(s.refs)
	var oneByOne [][]string
	var urls []string
	for _, r := range s.refs {
		oneByOne = append(oneByOne, s.statusArgs(r))
		urls = append(urls, s.statusURL(r), s.checkRunsURL(r))
	}
	refs := &group{title: fmt.Sprintf("refs: %d refs", n), variants: []*variant{
		{name: fmt.Sprintf("clientsecure status, %d refs at once", n), baseline: true, requests: 2 * n,
			check: contains(": success", n), cmds: [][]string{s.statusArgs(s.refs...)}},
		{name: "clientsecure status, one by one", requests: 2 * n,
			check: contains(": success", n), cmds: oneByOne},
		{name: fmt.Sprintf("curl, the %d resources, one connection", 2*n), requests: 2 * n,
			check: contains(`"total_count":`, 2*n), cmds: [][]string{s.curlArgs(urls...)}},
	}}
	return []*group{get, status, required, refs}
}

// contains checks that the output holds text exactly n times.
func contains(text string, n int) func(string) error {
	return func(out string) error {
		if got := strings.Count(out, text); got != n {
			return fmt.Errorf("output holds %q %d times, want %d:\n%.2000s", text, got, n, out)
		}
		return nil
	}
}
