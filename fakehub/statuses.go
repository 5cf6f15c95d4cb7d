package fakehub

import (
	"time"
)

// combinedJSON is GET /repos/{o}/{r}/commits/{ref}/status, in GitHub's
// field order (state first: see mustJSON), as github.CombinedStatus
// decodes it.
type combinedJSON struct {
	State      string          `json:"state"`
	Statuses   []statusJSON    `json:"statuses"`
	SHA        string          `json:"sha"`
	TotalCount int             `json:"total_count"`
	Repository minimalRepoJSON `json:"repository"`
	CommitURL  string          `json:"commit_url"`
	URL        string          `json:"url"`
}

// statusJSON is one status in it, as github.RepoStatus decodes it.
type statusJSON struct {
	URL         string  `json:"url"`
	AvatarURL   *string `json:"avatar_url"`
	ID          int64   `json:"id"`
	NodeID      string  `json:"node_id"`
	State       string  `json:"state"`
	Description *string `json:"description"`
	TargetURL   *string `json:"target_url"`
	Context     string  `json:"context"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
}

// serveCombinedStatus answers with the latest status of each context, a
// page of them at a time; state and total_count are over all of them.
func serveCombinedStatus(rep *reply, c *call, cm *commit) {
	all := cm.latestStatuses
	p := pageOf(c.r.URL.Query(), len(all))
	lo, hi := p.bounds(len(all))
	statusesURL := c.repoAPI() + "/statuses/" + cm.sha
	out := combinedJSON{
		State:      cm.state,
		Statuses:   make([]statusJSON, 0, hi-lo),
		SHA:        cm.sha,
		TotalCount: len(all),
		Repository: minimalRepository(c),
		CommitURL:  c.repoAPI() + "/commits/" + cm.sha,
		URL:        c.repoAPI() + "/commits/" + cm.sha + "/status",
	}
	for _, s := range all[lo:hi] {
		out.Statuses = append(out.Statuses, statusJSON{
			URL:         statusesURL,
			ID:          s.ID,
			NodeID:      nodeID("SC_", s.ID),
			State:       s.State,
			Description: nullable(s.Description),
			TargetURL:   nullable(s.TargetURL),
			Context:     s.Context,
			CreatedAt:   timestamp(s.CreatedAt),
			UpdatedAt:   timestamp(s.UpdatedAt),
		})
	}
	rep.ok(out)
	if c.repo.statusLinks {
		p.setLink(rep, c)
	}
}

// timestamp is GitHub's time format: RFC 3339 in UTC, whole seconds.
func timestamp(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}
