package buildstatus

import (
	"context"
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
		return "", c.classify(err, resp, "repository")
	}
	branch := r.GetDefaultBranch()
	if !validRef(branch) {
		return "", c.malformed(resp, "the repository has no valid default_branch", nil)
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
		res.State, res.Error = StateError, err.Error()
		return res, err
	}
	return res, nil
}

func (c *Client) check(ctx context.Context, owner, repo, ref string, res *Result) error {
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
	res.State, res.Contexts = Reduce(statuses.items, runs.items)
	return nil
}
