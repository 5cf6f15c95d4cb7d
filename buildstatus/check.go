package buildstatus

import (
	"context"
	"errors"
	"sync"

	"github.com/google/go-github/v93/github"
)

// Result is the verdict for one ref.
type Result struct {
	Repo     string    `json:"repo"` // OWNER/REPO
	Ref      string    `json:"ref"`  // as asked, or the default branch's name
	SHA      string    `json:"sha"`  // the commit the contexts belong to
	State    State     `json:"state"`
	Contexts []Context `json:"contexts"` // never nil, so that JSON shows []
	Error    string    `json:"error,omitempty"`

	// Usage is what fetching this Result cost, errors included; it is not
	// part of the JSON.
	Usage Usage `json:"-"`
}

// DefaultBranch returns the name of the repository's default branch.
func (c *Client) DefaultBranch(ctx context.Context, owner, repo string) (string, error) {
	if err := validateNames(owner, repo, ""); err != nil {
		return "", err
	}
	r, resp, err := c.gh.Repositories.Get(ctx, owner, repo)
	if err != nil {
		return "", c.scrub(c.classify(err, resp, "repository"))
	}
	branch := r.GetDefaultBranch()
	if !validRef(branch) {
		return "", c.scrub(c.malformed(resp, "the repository has no valid default_branch", nil))
	}
	return branch, nil
}

// Check fetches every commit status and every check run of ref (""
// means the default branch), both lists at once, and reduces them to one
// verdict.
//
// On error the Result is still returned, with Repo and Ref filled, State
// StateError and Error set, ready to print beside the others.
func (c *Client) Check(ctx context.Context, owner, repo, ref string) (*Result, error) {
	res := &Result{Repo: owner + "/" + repo, Ref: ref, Contexts: []Context{}}
	ctx, usage := withUsage(ctx)
	defer func() { res.Usage = usage.usage() }()
	err := validateNames(owner, repo, ref)
	if err == nil && ref == "" {
		ref, err = c.DefaultBranch(ctx, owner, repo)
		res.Ref = ref
	}
	if err == nil {
		err = c.check(ctx, owner, repo, ref, res)
	}
	if err != nil {
		err = c.scrub(err)
		res.State, res.Error = StateError, err.Error()
		return res, err
	}
	return res, nil
}

func (c *Client) check(ctx context.Context, owner, repo, ref string, res *Result) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var statuses listing[*github.RepoStatus]
	var statusErr error
	var wg sync.WaitGroup
	wg.Go(func() {
		statuses, statusErr = c.statuses(ctx, owner, repo, ref)
		if statusErr != nil {
			cancel() // no verdict without both lists
		}
	})
	runs, runErr := c.checkRuns(ctx, owner, repo, ref)
	if runErr != nil {
		cancel()
	}
	wg.Wait()
	if err := firstCause(statusErr, runErr); err != nil {
		return err
	}

	// A branch can move between the two requests. Statuses name their
	// commit, so read the check runs of that same commit.
	if statuses.sha != "" && runs.sha != "" && runs.sha != statuses.sha {
		if runs, runErr = c.checkRuns(ctx, owner, repo, statuses.sha); runErr != nil {
			return runErr
		}
		if runs.sha != "" && runs.sha != statuses.sha {
			return c.malformed(nil, "check runs of commit "+statuses.sha+" are for commit "+runs.sha, nil)
		}
	}
	res.SHA = statuses.sha
	if res.SHA == "" {
		res.SHA = runs.sha
	}
	res.State, res.Contexts = Reduce(statuses.items, runs.items)
	return nil
}

// firstCause picks the error to report when one list's failure cancelled
// the other: the failure, not the cancellation it caused.
func firstCause(a, b error) error {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case errors.Is(a, context.Canceled) && !errors.Is(b, context.Canceled):
		return b
	}
	return a
}
