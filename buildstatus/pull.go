package buildstatus

import (
	"context"
	"strconv"
)

// pullRequest is what a verdict needs of a pull request.
type pullRequest struct {
	sha     string // the head commit, whose results are the verdict
	headRef string // the head branch, as the head repository (maybe a fork) names it
	baseRef string // the branch it would merge into, whose requirements count
}

// pull reads pull request n of owner/repo. A fork's pull request is read
// the same way: GitHub reports its results on the base repository, at the
// head commit.
func (c *Client) pull(ctx context.Context, owner, repo string, n int) (pullRequest, error) {
	pr, resp, err := c.gh.PullRequests.Get(ctx, owner, repo, n)
	if err != nil {
		return pullRequest{}, c.classify(err, resp, "pull request #"+strconv.Itoa(n)+" of "+owner+"/"+repo)
	}
	p := pullRequest{sha: pr.GetHead().GetSHA(), headRef: pr.GetHead().GetRef(), baseRef: pr.GetBase().GetRef()}
	switch {
	case len(p.sha) != 40 || !isHex(p.sha):
		return p, c.malformed(resp, "the pull request has no valid head sha", nil)
	case !validRef(p.baseRef):
		return p, c.malformed(resp, "the pull request has no valid base ref", nil)
	case !validRef(p.headRef):
		// Only shown: the head commit is read by its SHA.
		p.headRef = c.redact(clean(p.headRef))
	}
	return p, nil
}
