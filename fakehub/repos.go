package fakehub

import (
	"encoding/base64"
	"fmt"
	"strconv"
)

// ownerJSON is GitHub's simple user, as go-github's github.User decodes it.
type ownerJSON struct {
	Login     string `json:"login"`
	ID        int64  `json:"id"`
	NodeID    string `json:"node_id"`
	AvatarURL string `json:"avatar_url"`
	URL       string `json:"url"`
	HTMLURL   string `json:"html_url"`
	Type      string `json:"type"`
	SiteAdmin bool   `json:"site_admin"`
}

// minimalRepoJSON is the repository inside a combined status.
type minimalRepoJSON struct {
	ID          int64     `json:"id"`
	NodeID      string    `json:"node_id"`
	Name        string    `json:"name"`
	FullName    string    `json:"full_name"`
	Private     bool      `json:"private"`
	Owner       ownerJSON `json:"owner"`
	HTMLURL     string    `json:"html_url"`
	Description *string   `json:"description"`
	Fork        bool      `json:"fork"`
	URL         string    `json:"url"`
	StatusesURL string    `json:"statuses_url"`
}

// repoJSON is GET /repos/{owner}/{repo}, as github.Repository decodes it.
type repoJSON struct {
	minimalRepoJSON
	CreatedAt     string `json:"created_at"`
	UpdatedAt     string `json:"updated_at"`
	PushedAt      string `json:"pushed_at"`
	DefaultBranch string `json:"default_branch"`
	Visibility    string `json:"visibility"`
	Archived      bool   `json:"archived"`
	Disabled      bool   `json:"disabled"`
}

func minimalRepository(c *call) minimalRepoJSON {
	e := c.repo
	return minimalRepoJSON{
		ID:     e.ID,
		NodeID: nodeID("R_", e.ID),
		Name:   e.Name,
		// full_name keeps the scenario's case, whatever the request's.
		FullName: e.fullName(),
		Private:  e.Private,
		Owner: ownerJSON{
			Login:     e.Owner,
			ID:        e.ownerID,
			NodeID:    nodeID("O_", e.ownerID),
			AvatarURL: fmt.Sprintf("%s/avatars/u/%d?v=4", c.site, e.ownerID),
			URL:       c.api + "/users/" + e.Owner,
			HTMLURL:   c.site + "/" + e.Owner,
			Type:      "Organization",
		},
		HTMLURL:     c.repoSite(),
		Description: nullable(e.Description),
		URL:         c.repoAPI(),
		StatusesURL: c.repoAPI() + "/statuses/{sha}",
	}
}

func repositoryJSON(c *call) repoJSON {
	visibility := "public"
	if c.repo.Private {
		visibility = "private"
	}
	return repoJSON{
		minimalRepoJSON: minimalRepository(c),
		CreatedAt:       timestamp(epoch),
		UpdatedAt:       timestamp(epoch),
		PushedAt:        timestamp(epoch),
		DefaultBranch:   c.repo.DefaultBranch,
		Visibility:      visibility,
	}
}

// nodeID imitates GitHub's opaque GraphQL ids: a type prefix and base64.
func nodeID(prefix string, id int64) string {
	return prefix + base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

// nullable is null for "", as GitHub sends unset strings.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
