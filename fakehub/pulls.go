package fakehub

import (
	"cmp"
	"fmt"
	"strings"
)

const docsPull = "https://docs.github.com/rest/pulls/pulls#get-a-pull-request"

// pull is a validated pull request: its head commit (in the head
// repository, which may be a fork) and its base branch.
type pull struct {
	Pull     // State, Title and Base filled in
	id       int64
	path     string // "repos[0].pulls[1]", for duplicate numbers
	headRepo *repoEntry
	head     *commit
	base     *commit
}

// linkPulls checks repo's pull requests and adds them to its entry, once
// every repository is in idx (a head may be in any of them).
func (idx *index) linkPulls(repo *Repo, path string, next *ids) error {
	e := idx.repos[strings.ToLower(repo.Owner+"/"+repo.Name)]
	for j, pr := range repo.Pulls {
		pp := fmt.Sprintf("%s.pulls[%d]", path, j)
		where := fmt.Sprintf("repo %s, pull #%d", e.fullName(), pr.Number)
		if pr.Number <= 0 {
			return invalid(where, pp+".number", "number %d is not a pull request number (1 or more)", pr.Number)
		}
		if other := e.pulls[pr.Number]; other != nil {
			return invalid(where, pp+".number", "number %d is also %s's", pr.Number, other.path)
		}
		if pr.State == "" && pr.Merged {
			pr.State = "closed"
		}
		pr.State = cmp.Or(pr.State, "open")
		if err := oneOf(pr.State, []string{"open", "closed"}); err != nil {
			return invalid(where, pp+".state", "state %w", err)
		}
		if pr.Merged && pr.State != "closed" {
			return invalid(where, pp+".merged", "a merged pull request is closed, not %q", pr.State)
		}
		p := &pull{Pull: pr, path: pp, headRepo: e}
		if pr.HeadRepo != "" {
			if p.headRepo = idx.repos[strings.ToLower(pr.HeadRepo)]; p.headRepo == nil {
				return invalid(where, pp+".head_repo", "head_repo %q is not a repository of the scenario (\"owner/name\")", pr.HeadRepo)
			}
		}
		if pr.Head == "" {
			return invalid(where, pp+".head", "a pull request needs a head branch")
		}
		if p.head = p.headRepo.branches[pr.Head]; p.head == nil {
			return invalid(where, pp+".head", "head %q is not a branch of %s", pr.Head, p.headRepo.fullName())
		}
		p.Base = cmp.Or(pr.Base, e.DefaultBranch)
		if p.base = e.branches[p.Base]; p.base == nil {
			return invalid(where, pp+".base", "base %q is not a branch of %s", p.Base, e.fullName())
		}
		if p.headRepo == e && p.Head == p.Base {
			return invalid(where, pp+".head", "head and base are both %q", p.Head)
		}
		if p.headRepo != e {
			p.headRepo.fork = true
		}
		p.Title = cmp.Or(p.Title, fmt.Sprintf("Pull request %d", p.Number))
		next.pull++
		p.id = next.pull
		e.pulls[p.Number] = p
		e.pullList = append(e.pullList, p)
	}
	return nil
}

// pullJSON is GET /repos/{o}/{r}/pulls/{number} (pull-request), in
// GitHub's field order. A scenario's pull request is new and quiet: one
// commit, no comments, labels, reviewers or milestone.
type pullJSON struct {
	URL                string     `json:"url"`
	ID                 int64      `json:"id"`
	NodeID             string     `json:"node_id"`
	HTMLURL            string     `json:"html_url"`
	DiffURL            string     `json:"diff_url"`
	PatchURL           string     `json:"patch_url"`
	IssueURL           string     `json:"issue_url"`
	CommitsURL         string     `json:"commits_url"`
	ReviewCommentsURL  string     `json:"review_comments_url"`
	ReviewCommentURL   string     `json:"review_comment_url"`
	CommentsURL        string     `json:"comments_url"`
	StatusesURL        string     `json:"statuses_url"`
	Number             int        `json:"number"`
	State              string     `json:"state"`
	Locked             bool       `json:"locked"`
	Title              string     `json:"title"`
	User               userJSON   `json:"user"`
	Body               *string    `json:"body"`
	Labels             []struct{} `json:"labels"`
	Milestone          *struct{}  `json:"milestone"`
	ActiveLockReason   *string    `json:"active_lock_reason"`
	CreatedAt          string     `json:"created_at"`
	UpdatedAt          string     `json:"updated_at"`
	ClosedAt           *string    `json:"closed_at"`
	MergedAt           *string    `json:"merged_at"`
	MergeCommitSHA     *string    `json:"merge_commit_sha"`
	Assignee           *userJSON  `json:"assignee"`
	Assignees          []userJSON `json:"assignees"`
	RequestedReviewers []userJSON `json:"requested_reviewers"`
	RequestedTeams     []struct{} `json:"requested_teams"`
	Head               branchJSON `json:"head"`
	Base               branchJSON `json:"base"`
	Links              pullLinks  `json:"_links"`
	AuthorAssociation  string     `json:"author_association"`
	AutoMerge          *struct{}  `json:"auto_merge"`
	Draft              bool       `json:"draft"`
	Merged             bool       `json:"merged"`
	Mergeable          *bool      `json:"mergeable"`
	Rebaseable         *bool      `json:"rebaseable"`
	MergeableState     string     `json:"mergeable_state"`
	MergedBy           *userJSON  `json:"merged_by"`
	Comments           int        `json:"comments"`
	ReviewComments     int        `json:"review_comments"`
	MaintainerCanEdit  bool       `json:"maintainer_can_modify"`
	Commits            int        `json:"commits"`
	Additions          int        `json:"additions"`
	Deletions          int        `json:"deletions"`
	ChangedFiles       int        `json:"changed_files"`
}

// branchJSON is a pull request's head or base: the branch, its commit and
// its repository (the full one, as GET /repos/{o}/{r} answers it).
type branchJSON struct {
	Label string   `json:"label"`
	Ref   string   `json:"ref"`
	SHA   string   `json:"sha"`
	User  userJSON `json:"user"`
	Repo  repoJSON `json:"repo"`
}

type linkJSON struct {
	Href string `json:"href"`
}

type pullLinks struct {
	Self           linkJSON `json:"self"`
	HTML           linkJSON `json:"html"`
	Issue          linkJSON `json:"issue"`
	Comments       linkJSON `json:"comments"`
	ReviewComments linkJSON `json:"review_comments"`
	ReviewComment  linkJSON `json:"review_comment"`
	Commits        linkJSON `json:"commits"`
	Statuses       linkJSON `json:"statuses"`
}

// servePull answers with pull request number, or 404 as GitHub does for
// a number the repository does not have.
func servePull(rep *reply, c *call, number string) {
	p := c.repo.pulls[pullNumber(number)]
	if p == nil {
		rep.fail(404, "Not Found", docsPull)
		return
	}
	api := fmt.Sprintf("%s/pulls/%d", c.repoAPI(), p.Number)
	html := fmt.Sprintf("%s/pull/%d", c.repoSite(), p.Number)
	issue := fmt.Sprintf("%s/issues/%d", c.repoAPI(), p.Number)
	statuses := c.repoAPI() + "/statuses/" + p.head.sha
	author := c.in(p.headRepo)
	out := pullJSON{
		URL:                api,
		ID:                 p.id,
		NodeID:             nodeID("PR_", p.id),
		HTMLURL:            html,
		DiffURL:            html + ".diff",
		PatchURL:           html + ".patch",
		IssueURL:           issue,
		CommitsURL:         api + "/commits",
		ReviewCommentsURL:  api + "/comments",
		ReviewCommentURL:   c.repoAPI() + "/pulls/comments{/number}",
		CommentsURL:        issue + "/comments",
		StatusesURL:        statuses,
		Number:             p.Number,
		State:              p.State,
		Title:              p.Title,
		User:               author.owner(),
		Body:               nullable(p.Body),
		Labels:             []struct{}{},
		CreatedAt:          timestamp(epoch),
		UpdatedAt:          timestamp(epoch),
		Assignees:          []userJSON{},
		RequestedReviewers: []userJSON{},
		RequestedTeams:     []struct{}{},
		Head:               author.branch(p.Head, p.head),
		Base:               c.branch(p.Base, p.base),
		Links: pullLinks{
			Self:           linkJSON{api},
			HTML:           linkJSON{html},
			Issue:          linkJSON{issue},
			Comments:       linkJSON{issue + "/comments"},
			ReviewComments: linkJSON{api + "/comments"},
			ReviewComment:  linkJSON{c.repoAPI() + "/pulls/comments{/number}"},
			Commits:        linkJSON{api + "/commits"},
			Statuses:       linkJSON{statuses},
		},
		AuthorAssociation: "OWNER",
		Merged:            p.Merged,
		MergeableState:    "unknown",
		MaintainerCanEdit: p.headRepo != c.repo && p.State == "open",
		Commits:           1,
	}
	if p.headRepo != c.repo {
		out.AuthorAssociation = "CONTRIBUTOR"
	}
	if p.State == "open" {
		yes := true
		out.Mergeable, out.Rebaseable, out.MergeableState = &yes, &yes, "clean"
	} else {
		closed := timestamp(epoch)
		out.ClosedAt = &closed
	}
	if p.Merged {
		out.MergedAt = out.ClosedAt
		merger := c.owner()
		out.MergedBy = &merger
	}
	rep.ok(out)
}

// branch is name at cm in c's repository, as a pull request shows it.
func (c *call) branch(name string, cm *commit) branchJSON {
	return branchJSON{
		Label: c.repo.Owner + ":" + name,
		Ref:   name,
		SHA:   cm.sha,
		User:  c.owner(),
		Repo:  repositoryJSON(c),
	}
}

// pullNumber is the number a path segment names, or 0 for none.
func pullNumber(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' || n > 1e8 {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	return n
}
