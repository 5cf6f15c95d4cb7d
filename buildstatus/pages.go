package buildstatus

import (
	"context"
	"fmt"

	"github.com/google/go-github/v93/github"
)

const (
	perPage = 100 // GitHub's maximum
	// maxPages bounds a listing: GitHub keeps at most 1000 check runs per
	// ref, so a server still sending "next" after 100 pages is broken.
	maxPages = 100
)

// listing is a whole list, every page of it.
type listing[T any] struct {
	items []T
	sha   string // the commit the server says the list is for
	total int    // total_count of the last page read
}

// page is one page of a list.
type page[T any] struct {
	items []T
	sha   string
	total int
	next  int // the next page's number, 0 for none
	// linkless: the answer had no Link header at all, so no "next" says
	// nothing about whether there is more (see paginate).
	linkless bool
}

type pageFunc[T any] func(ctx context.Context, ref string, n int) (page[T], error)

// paginate reads every page. After the first page it asks for the commit
// the server named rather than ref, so that a branch moving meanwhile
// cannot mix two commits' results.
//
// Pages are followed by their Link header's "next". A list whose answers
// carry no Link header at all (GitHub documents none on the combined
// status) and whose total_count is more than its pages have delivered is
// paged explicitly, until a page comes back empty.
func paginate[T any](ctx context.Context, c *Client, ref string, get pageFunc[T]) (listing[T], error) {
	var out listing[T]
	for n, count := 1, 1; ; count++ {
		p, err := get(ctx, ref, n)
		if err != nil {
			return out, err
		}
		// More than was asked for is a server padding the list, and
		// what is kept across pages must stay bounded.
		if len(p.items) > perPage {
			return out, c.malformed(nil, fmt.Sprintf("page %d lists %d items, more than the %d asked for", n, len(p.items), perPage), nil)
		}
		out.items = append(out.items, p.items...)
		out.total = p.total
		if n == 1 && p.sha != "" {
			out.sha, ref = p.sha, p.sha
		}
		if p.next == 0 && p.linkless && len(p.items) > 0 && len(out.items) < p.total {
			p.next = n + 1
		}
		switch {
		case p.next == 0:
			return out, nil
		case p.next <= n:
			return out, c.malformed(nil, fmt.Sprintf("page %d links back to page %d", n, p.next), nil)
		case count == maxPages:
			return out, c.malformed(nil, fmt.Sprintf("more than %d pages of %d", maxPages, perPage), nil)
		}
		n = p.next
	}
}

// complete reads a list, and once more if the server listed fewer items
// than its total_count (items added while paging shift the pages).
func complete[T any](ctx context.Context, c *Client, ref, what string, get pageFunc[T], distinct func([]T) int) (listing[T], error) {
	for attempt := 1; ; attempt++ {
		l, err := paginate(ctx, c, ref, get)
		if err != nil {
			return l, err
		}
		got := distinct(l.items)
		if got >= l.total {
			return l, nil
		}
		if attempt == 2 {
			return l, c.malformed(nil, fmt.Sprintf("total_count is %d but %d %s were listed", l.total, got, what), nil)
		}
		if l.sha != "" {
			ref = l.sha
		}
	}
}

func (c *Client) statuses(ctx context.Context, owner, repo, ref string) (listing[*github.RepoStatus], error) {
	get := func(ctx context.Context, ref string, n int) (page[*github.RepoStatus], error) {
		cs, resp, err := c.gh.Repositories.GetCombinedStatus(ctx, owner, repo, ref, &github.ListOptions{Page: n, PerPage: perPage})
		if err != nil {
			return page[*github.RepoStatus]{}, c.classify(err, resp, "repository or ref")
		}
		if cs == nil || cs.TotalCount == nil {
			return page[*github.RepoStatus]{}, c.malformed(resp, "the commit status has no total_count", nil)
		}
		return page[*github.RepoStatus]{items: cs.Statuses, sha: cs.GetSHA(), total: cs.GetTotalCount(), next: resp.NextPage, linkless: linkless(resp)}, nil
	}
	contexts := func(all []*github.RepoStatus) int { return len(latestStatuses(all)) }
	return complete(ctx, c, ref, "statuses", get, contexts)
}

func (c *Client) checkRuns(ctx context.Context, owner, repo, ref string) (listing[*github.CheckRun], error) {
	get := func(ctx context.Context, ref string, n int) (page[*github.CheckRun], error) {
		opts := &github.ListCheckRunsOptions{Filter: github.Ptr("latest"), ListOptions: github.ListOptions{Page: n, PerPage: perPage}}
		res, resp, err := c.gh.Checks.ListCheckRunsForRef(ctx, owner, repo, ref, opts)
		if err != nil {
			return page[*github.CheckRun]{}, c.classify(err, resp, "repository or ref")
		}
		if res == nil || res.Total == nil {
			return page[*github.CheckRun]{}, c.malformed(resp, "the check run list has no total_count", nil)
		}
		p := page[*github.CheckRun]{items: res.CheckRuns, total: res.GetTotal(), next: resp.NextPage, linkless: linkless(resp)}
		for _, r := range res.CheckRuns {
			if r.GetHeadSHA() != "" {
				p.sha = r.GetHeadSHA()
				break
			}
		}
		return p, nil
	}
	ids := func(all []*github.CheckRun) int {
		seen := make(map[int64]bool)
		for _, r := range all {
			if r != nil {
				seen[r.GetID()] = true
			}
		}
		return len(seen)
	}
	return complete(ctx, c, ref, "check runs", get, ids)
}

func linkless(resp *github.Response) bool {
	return resp.Response != nil && resp.Header.Get("Link") == ""
}
