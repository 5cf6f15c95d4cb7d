package buildstatus

import (
	"context"
	"fmt"
	"sync"

	"github.com/google/go-github/v93/github"
)

// Result is the verdict for one ref.
type Result struct {
	Repo string `json:"repo"` // OWNER/REPO
	// Ref is the ref as asked, the default branch's name, or a pull
	// request's head branch (as the head repository names it).
	Ref      string    `json:"ref"`
	Pull     int       `json:"pull,omitempty"` // the pull request's number, for a Target with Pull
	SHA      string    `json:"sha"`            // the commit the contexts belong to
	State    State     `json:"state"`
	Contexts []Context `json:"contexts"` // never nil, so that JSON shows []
	// Missing names each expected or required check that has not
	// reported; never nil.
	Missing []string `json:"missing"`
	Error   string   `json:"error,omitempty"`

	// RequiredOnly says the verdict counts only the contexts marked
	// Required: Want.Required, and the branch requires some.
	RequiredOnly bool `json:"-"`
	// Notes are what a user should know about how the verdict was drawn
	// ("main requires no checks: counting every check"); not part of the
	// JSON, because they are not part of the verdict.
	Notes []string `json:"-"`
	// Usage is what fetching this Result cost, errors included; it is not
	// part of the JSON.
	Usage Usage `json:"-"`
}

// Want is what a Check requires beyond a green result. The zero Want asks
// for nothing more.
type Want struct {
	// Expect names contexts or checks that must be present: while one is
	// missing, the verdict is at best pending.
	Expect []string
	// Required counts only the checks the branch requires (its rules and
	// classic protection; a pull request's base branch), and a required
	// one that has not reported is missing. A branch that requires
	// nothing is noted, and then every check counts.
	Required bool
}

// DefaultBranch returns the name of the repository's default branch.
func (c *Client) DefaultBranch(ctx context.Context, owner, repo string) (string, error) {
	if err := validateNames(owner, repo, ""); err != nil {
		return "", fmt.Errorf("buildstatus: %w", err)
	}
	r, resp, err := c.gh.Repositories.Get(ctx, owner, repo)
	if err != nil {
		return "", c.classify(err, resp, "repository")
	}
	branch := r.GetDefaultBranch()
	if !validRef(branch) {
		return "", c.malformed(resp, "the repository has no valid default_branch", nil)
	}
	return branch, nil
}

// Check fetches every commit status and every check run of the target's
// commit, both lists at once (and with w.Required the branch's
// requirements beside them), and reduces them to one verdict.
//
// On error the Result is still returned, with Repo and Ref filled, State
// StateError and Error set, ready to print beside the others.
func (c *Client) Check(ctx context.Context, t Target, w Want) (*Result, error) {
	res := &Result{Repo: t.Owner + "/" + t.Repo, Ref: t.Ref, Pull: t.Pull, Contexts: []Context{}, Missing: []string{}}
	ctx, usage := withUsage(ctx)
	defer func() { res.Usage = usage.usage() }()
	err := c.check(ctx, t, w, res)
	if err != nil {
		res.State, res.Error = StateError, err.Error()
		return res, err
	}
	return res, nil
}

// Checker is Check with w bound: the function a poller (package watch)
// calls for each target.
func (c *Client) Checker(w Want) func(context.Context, Target) (*Result, error) {
	return func(ctx context.Context, t Target) (*Result, error) { return c.Check(ctx, t, w) }
}

func (c *Client) check(ctx context.Context, t Target, w Want, res *Result) error {
	if err := validateNames(t.Owner, t.Repo, t.Ref); err != nil {
		return fmt.Errorf("buildstatus: %w", err)
	}
	if t.Pull < 0 || t.Pull > 0 && t.Ref != "" {
		return fmt.Errorf("buildstatus: a target is a ref or a pull request, not both")
	}
	// ref is the commit to read, branch the one whose requirements count.
	ref, branch := t.Ref, t.Ref
	switch {
	case t.Pull > 0:
		pr, err := c.pull(ctx, t.Owner, t.Repo, t.Pull)
		if err != nil {
			return err
		}
		res.Ref, ref, branch = pr.headRef, pr.sha, pr.baseRef
	case ref == "":
		var err error
		if ref, err = c.DefaultBranch(ctx, t.Owner, t.Repo); err != nil {
			return err
		}
		res.Ref, branch = ref, ref
	}
	var req *requirements
	if w.Required {
		req = &requirements{}
	}
	if err := c.read(ctx, t.Owner, t.Repo, ref, branch, req, res); err != nil {
		return err
	}
	res.State, res.Missing, res.Notes = judge(res.Contexts, w.Expect, req, branch, res.Notes)
	res.RequiredOnly = req != nil && len(req.checks) > 0
	return nil
}

// Counted is the contexts the verdict counts: the required ones when
// RequiredOnly, else all.
func (r *Result) Counted() []Context {
	if !r.RequiredOnly {
		return r.Contexts
	}
	var counted []Context
	for _, c := range r.Contexts {
		if c.Required {
			counted = append(counted, c)
		}
	}
	return counted
}

// read fills res's SHA and contexts from both lists of ref and, when req is
// not nil, req from branch's rules and protection, all requests at once.
func (c *Client) read(ctx context.Context, owner, repo, ref, branch string, req *requirements, res *Result) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	// No verdict without both lists: the first failure cancels the other
	// request and is the one reported. Which came first is recorded when it
	// happens, because the other's failure need not look like a
	// cancellation (go-github reports a 4xx whose body read was cut short
	// as that 4xx, without its message).
	var (
		firstErr  error
		firstOnce sync.Once
	)
	fail := func(err error) {
		firstOnce.Do(func() { firstErr = err })
		cancel()
	}
	var statuses listing[*github.RepoStatus]
	var wg sync.WaitGroup
	if req != nil {
		wg.Go(func() {
			if err := c.required(ctx, owner, repo, branch, req); err != nil {
				fail(err)
			}
		})
	}
	wg.Go(func() {
		var err error
		if statuses, err = c.statuses(ctx, owner, repo, ref); err != nil {
			fail(err)
		}
	})
	runs, runErr := c.checkRuns(ctx, owner, repo, ref)
	if runErr != nil {
		fail(runErr)
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}

	// A branch can move between the two requests. Statuses name their
	// commit, so read the check runs of that same commit.
	if statuses.sha != "" && runs.sha != "" && runs.sha != statuses.sha {
		if runs, runErr = c.checkRuns(ctx, owner, repo, statuses.sha); runErr != nil {
			return runErr
		}
		if runs.sha != "" && runs.sha != statuses.sha {
			return c.malformed(nil, "check runs of commit "+c.redact(statuses.sha)+" are for commit "+c.redact(runs.sha), nil)
		}
	}
	res.SHA = statuses.sha
	if res.SHA == "" {
		res.SHA = runs.sha
	}
	_, res.Contexts = Reduce(statuses.items, runs.items)
	return nil
}
