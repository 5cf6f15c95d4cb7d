package buildstatus

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/google/go-github/v93/github"
)

// requirement is a check a branch requires: a status context or check run
// name, and the app that must report it (0: any).
type requirement struct {
	name  string
	appID int64
}

// requirements is what a branch requires, from its rules and its classic
// protection together, with notes on what could not be read.
type requirements struct {
	checks []requirement
	notes  []string
}

// required reads the checks branch requires from both places GitHub keeps
// them, at once. Neither being readable is an error: a token without
// admin rights may not read classic protection (403 or 404), and GitHub
// Enterprise Server before rulesets has no rules endpoint (404). Each is
// a note, and the other source counts alone.
func (c *Client) required(ctx context.Context, owner, repo, branch string, req *requirements) error {
	var (
		rules, protection       []requirement
		rulesNote, protNote     string
		rulesErr, protectionErr error
		wg                      sync.WaitGroup
	)
	wg.Go(func() { rules, rulesNote, rulesErr = c.ruleChecks(ctx, owner, repo, branch) })
	protection, protNote, protectionErr = c.protectionChecks(ctx, owner, repo, branch)
	wg.Wait()
	if err := cmp.Or(rulesErr, protectionErr); err != nil {
		return err
	}
	for _, r := range append(rules, protection...) {
		if !slices.Contains(req.checks, r) {
			req.checks = append(req.checks, r)
		}
	}
	for _, n := range []string{rulesNote, protNote} {
		if n != "" {
			req.notes = append(req.notes, n)
		}
	}
	return nil
}

// ruleChecks reads the required_status_checks rules of every ruleset that
// applies to branch, every page.
func (c *Client) ruleChecks(ctx context.Context, owner, repo, branch string) ([]requirement, string, error) {
	get := func(ctx context.Context, _ string, n int) (page[*github.RequiredStatusChecksBranchRule], error) {
		rules, resp, err := c.gh.Repositories.ListRulesForBranch(ctx, owner, repo, branch, &github.ListOptions{Page: n, PerPage: perPage})
		if err != nil {
			return page[*github.RequiredStatusChecksBranchRule]{}, c.classify(err, resp, "rules of branch "+branch)
		}
		return page[*github.RequiredStatusChecksBranchRule]{items: rules.GetRequiredStatusChecks(), next: resp.NextPage}, nil
	}
	l, err := paginate(ctx, c, "", get)
	if kindOf(err) == NotFound {
		return nil, fmt.Sprintf("the rules of branch %s cannot be read from %s (HTTP 404: a GitHub Enterprise Server without rulesets?): required checks come from its branch protection only", branch, c.api.Host), nil
	}
	if err != nil {
		return nil, "", err
	}
	var out []requirement
	for _, rule := range l.items {
		for _, rc := range rule.Parameters.RequiredStatusChecks {
			out = append(out, requirement{name: rc.Context, appID: anyApp(rc.GetIntegrationID())})
		}
	}
	return out, "", nil
}

// protectionChecks reads the required status checks of branch's classic
// protection. An unprotected branch requires nothing; protection that the
// token may not read is a note.
func (c *Client) protectionChecks(ctx context.Context, owner, repo, branch string) ([]requirement, string, error) {
	if c.token == nil {
		return nil, fmt.Sprintf("the branch protection of %s needs a token to read: required checks come from its rules only", branch), nil
	}
	rsc, resp, err := c.gh.Repositories.GetRequiredStatusChecks(ctx, owner, repo, branch)
	// go-github reports GitHub's 404 "Branch not protected" as its own
	// error; "Required status checks not enabled" and "Branch not found"
	// (a tag or a SHA) require nothing either.
	var er *github.ErrorResponse
	if errors.Is(err, github.ErrBranchNotProtected) || errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound &&
		(er.Message == "Required status checks not enabled" || er.Message == "Branch not found") {
		return nil, "", nil
	}
	if err != nil {
		err = c.classify(err, resp, "branch protection of "+branch)
		if k := kindOf(err); k == NotFound || k == Forbidden {
			return nil, fmt.Sprintf("the branch protection of %s is not readable with this token (HTTP %d): required checks come from its rules only", branch, statusOf(err)), nil
		}
		return nil, "", err
	}
	var out []requirement
	for _, ch := range rsc.GetChecks() {
		out = append(out, requirement{name: ch.Context, appID: anyApp(ch.GetAppID())})
	}
	if len(out) == 0 {
		for _, name := range rsc.GetContexts() {
			out = append(out, requirement{name: name})
		}
	}
	return out, "", nil
}

// anyApp reads an app id as GitHub writes it: none, or -1, is any app.
func anyApp(id int64) int64 { return max(id, 0) }

func kindOf(err error) ErrorKind {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Kind
	}
	return ""
}

func statusOf(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode
	}
	return 0
}

// judge draws the verdict from the contexts: over the required ones when
// req holds requirements, over all otherwise; a required or expected check
// that has not reported is missing, and makes the verdict at best
// pending. It marks each required context, and returns the notes with
// req's added.
func judge(contexts []Context, expect []string, req *requirements, branch string, notes []string) (State, []string, []string) {
	missing := []string{}
	add := func(name string) {
		if !slices.Contains(missing, name) {
			missing = append(missing, name)
		}
	}
	counted := contexts
	if req != nil {
		notes = append(notes, req.notes...)
		if len(req.checks) == 0 {
			notes = append(notes, fmt.Sprintf("branch %s requires no checks: every check counts", branch))
		} else {
			counted = nil
			for i := range contexts {
				ctx := &contexts[i]
				ctx.Required = slices.ContainsFunc(req.checks, ctx.fulfils)
				if ctx.Required {
					counted = append(counted, *ctx)
				}
			}
			for _, r := range req.checks {
				if !slices.ContainsFunc(contexts, func(c Context) bool { return c.fulfils(r) }) {
					add(r.name)
				}
			}
		}
	}
	for _, name := range expect {
		if !slices.ContainsFunc(contexts, func(c Context) bool { return c.Name == name }) {
			add(name)
		}
	}
	state := overall(counted)
	if len(missing) > 0 && (state == StateSuccess || state == StateNoStatus) {
		state = StatePending
	}
	return state, missing, notes
}

// fulfils says whether c is the check r requires: its name, and for a
// check run its app when r names one. A commit status's app cannot be
// seen through the REST API (it is posted by the app's bot user), so a
// status of the name fulfils the requirement whatever app it names.
func (c Context) fulfils(r requirement) bool {
	return c.Name == r.name && (r.appID == 0 || c.Kind == KindStatus || c.appID == r.appID)
}
