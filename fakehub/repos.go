package fakehub

import (
	"encoding/base64"
	"fmt"
	"strconv"
)

// The objects every route shares, built here only: GitHub's simple user
// (an owner, an app's owner) and its repository in the minimal and the full
// form. Each carries every field GitHub's OpenAPI description requires of
// it (simple-user, minimal-repository, full-repository), in GitHub's order,
// with values derived from the scenario and URLs that lead back to the Hub
// (see call); go-github decodes them into github.User and github.Repository.

// userJSON is a simple user: a repository's owner or an app's.
type userJSON struct {
	Login             string  `json:"login"`
	ID                int64   `json:"id"`
	NodeID            string  `json:"node_id"`
	AvatarURL         string  `json:"avatar_url"`
	GravatarID        *string `json:"gravatar_id"`
	URL               string  `json:"url"`
	HTMLURL           string  `json:"html_url"`
	FollowersURL      string  `json:"followers_url"`
	FollowingURL      string  `json:"following_url"`
	GistsURL          string  `json:"gists_url"`
	StarredURL        string  `json:"starred_url"`
	SubscriptionsURL  string  `json:"subscriptions_url"`
	OrganizationsURL  string  `json:"organizations_url"`
	ReposURL          string  `json:"repos_url"`
	EventsURL         string  `json:"events_url"`
	ReceivedEventsURL string  `json:"received_events_url"`
	Type              string  `json:"type"`
	SiteAdmin         bool    `json:"site_admin"`
}

// organization is the simple user of an organization: every owner in a
// scenario is one (GitHub says "Organization" for them, "User" for people).
func organization(c *call, login string, id int64) userJSON {
	api := c.api + "/users/" + login
	empty := ""
	return userJSON{
		Login:             login,
		ID:                id,
		NodeID:            nodeID("O_", id),
		AvatarURL:         fmt.Sprintf("%s/avatars/u/%d?v=4", c.site, id),
		GravatarID:        &empty, // GitHub sends "" now that it has no gravatars
		URL:               api,
		HTMLURL:           c.site + "/" + login,
		FollowersURL:      api + "/followers",
		FollowingURL:      api + "/following{/other_user}",
		GistsURL:          api + "/gists{/gist_id}",
		StarredURL:        api + "/starred{/owner}{/repo}",
		SubscriptionsURL:  api + "/subscriptions",
		OrganizationsURL:  api + "/orgs",
		ReposURL:          api + "/repos",
		EventsURL:         api + "/events{/privacy}",
		ReceivedEventsURL: api + "/received_events",
		Type:              "Organization",
	}
}

// minimalRepoJSON is the repository inside a combined status (and the
// start of the full one).
type minimalRepoJSON struct {
	ID               int64    `json:"id"`
	NodeID           string   `json:"node_id"`
	Name             string   `json:"name"`
	FullName         string   `json:"full_name"`
	Private          bool     `json:"private"`
	Owner            userJSON `json:"owner"`
	HTMLURL          string   `json:"html_url"`
	Description      *string  `json:"description"`
	Fork             bool     `json:"fork"`
	URL              string   `json:"url"`
	ForksURL         string   `json:"forks_url"`
	KeysURL          string   `json:"keys_url"`
	CollaboratorsURL string   `json:"collaborators_url"`
	TeamsURL         string   `json:"teams_url"`
	HooksURL         string   `json:"hooks_url"`
	IssueEventsURL   string   `json:"issue_events_url"`
	EventsURL        string   `json:"events_url"`
	AssigneesURL     string   `json:"assignees_url"`
	BranchesURL      string   `json:"branches_url"`
	TagsURL          string   `json:"tags_url"`
	BlobsURL         string   `json:"blobs_url"`
	GitTagsURL       string   `json:"git_tags_url"`
	GitRefsURL       string   `json:"git_refs_url"`
	TreesURL         string   `json:"trees_url"`
	StatusesURL      string   `json:"statuses_url"`
	LanguagesURL     string   `json:"languages_url"`
	StargazersURL    string   `json:"stargazers_url"`
	ContributorsURL  string   `json:"contributors_url"`
	SubscribersURL   string   `json:"subscribers_url"`
	SubscriptionURL  string   `json:"subscription_url"`
	CommitsURL       string   `json:"commits_url"`
	GitCommitsURL    string   `json:"git_commits_url"`
	CommentsURL      string   `json:"comments_url"`
	IssueCommentURL  string   `json:"issue_comment_url"`
	ContentsURL      string   `json:"contents_url"`
	CompareURL       string   `json:"compare_url"`
	MergesURL        string   `json:"merges_url"`
	ArchiveURL       string   `json:"archive_url"`
	DownloadsURL     string   `json:"downloads_url"`
	IssuesURL        string   `json:"issues_url"`
	PullsURL         string   `json:"pulls_url"`
	MilestonesURL    string   `json:"milestones_url"`
	NotificationsURL string   `json:"notifications_url"`
	LabelsURL        string   `json:"labels_url"`
	ReleasesURL      string   `json:"releases_url"`
	DeploymentsURL   string   `json:"deployments_url"`
}

// repoJSON is GET /repos/{owner}/{repo}: the full repository. A scenario's
// repository is new and quiet: no forks, stars, issues or license.
type repoJSON struct {
	minimalRepoJSON
	CreatedAt        string    `json:"created_at"`
	UpdatedAt        string    `json:"updated_at"`
	PushedAt         string    `json:"pushed_at"`
	GitURL           string    `json:"git_url"`
	SSHURL           string    `json:"ssh_url"`
	CloneURL         string    `json:"clone_url"`
	SVNURL           string    `json:"svn_url"`
	Homepage         *string   `json:"homepage"`
	Size             int       `json:"size"`
	StargazersCount  int       `json:"stargazers_count"`
	WatchersCount    int       `json:"watchers_count"`
	Language         *string   `json:"language"`
	HasIssues        bool      `json:"has_issues"`
	HasProjects      bool      `json:"has_projects"`
	HasDownloads     bool      `json:"has_downloads"`
	HasWiki          bool      `json:"has_wiki"`
	HasPages         bool      `json:"has_pages"`
	HasDiscussions   bool      `json:"has_discussions"`
	ForksCount       int       `json:"forks_count"`
	MirrorURL        *string   `json:"mirror_url"`
	Archived         bool      `json:"archived"`
	Disabled         bool      `json:"disabled"`
	OpenIssuesCount  int       `json:"open_issues_count"`
	License          *struct{} `json:"license"`
	Visibility       string    `json:"visibility"`
	Forks            int       `json:"forks"`
	OpenIssues       int       `json:"open_issues"`
	Watchers         int       `json:"watchers"`
	DefaultBranch    string    `json:"default_branch"`
	NetworkCount     int       `json:"network_count"`
	SubscribersCount int       `json:"subscribers_count"`
}

func minimalRepository(c *call) minimalRepoJSON {
	e := c.repo
	api := c.repoAPI()
	return minimalRepoJSON{
		ID:     e.ID,
		NodeID: nodeID("R_", e.ID),
		Name:   e.Name,
		// full_name keeps the scenario's case, whatever the request's.
		FullName:         e.fullName(),
		Private:          e.Private,
		Owner:            c.owner(),
		HTMLURL:          c.repoSite(),
		Description:      nullable(e.Description),
		Fork:             e.fork,
		URL:              api,
		ForksURL:         api + "/forks",
		KeysURL:          api + "/keys{/key_id}",
		CollaboratorsURL: api + "/collaborators{/collaborator}",
		TeamsURL:         api + "/teams",
		HooksURL:         api + "/hooks",
		IssueEventsURL:   api + "/issues/events{/number}",
		EventsURL:        api + "/events",
		AssigneesURL:     api + "/assignees{/user}",
		BranchesURL:      api + "/branches{/branch}",
		TagsURL:          api + "/tags",
		BlobsURL:         api + "/git/blobs{/sha}",
		GitTagsURL:       api + "/git/tags{/sha}",
		GitRefsURL:       api + "/git/refs{/sha}",
		TreesURL:         api + "/git/trees{/sha}",
		StatusesURL:      api + "/statuses/{sha}",
		LanguagesURL:     api + "/languages",
		StargazersURL:    api + "/stargazers",
		ContributorsURL:  api + "/contributors",
		SubscribersURL:   api + "/subscribers",
		SubscriptionURL:  api + "/subscription",
		CommitsURL:       api + "/commits{/sha}",
		GitCommitsURL:    api + "/git/commits{/sha}",
		CommentsURL:      api + "/comments{/number}",
		IssueCommentURL:  api + "/issues/comments{/number}",
		ContentsURL:      api + "/contents/{+path}",
		CompareURL:       api + "/compare/{base}...{head}",
		MergesURL:        api + "/merges",
		ArchiveURL:       api + "/{archive_format}{/ref}",
		DownloadsURL:     api + "/downloads",
		IssuesURL:        api + "/issues{/number}",
		PullsURL:         api + "/pulls{/number}",
		MilestonesURL:    api + "/milestones{/number}",
		NotificationsURL: api + "/notifications{?since,all,participating}",
		LabelsURL:        api + "/labels{/name}",
		ReleasesURL:      api + "/releases{/id}",
		DeploymentsURL:   api + "/deployments",
	}
}

func repositoryJSON(c *call) repoJSON {
	visibility := "public"
	if c.repo.Private {
		visibility = "private"
	}
	host := c.r.Host
	return repoJSON{
		minimalRepoJSON: minimalRepository(c),
		CreatedAt:       timestamp(epoch),
		UpdatedAt:       timestamp(epoch),
		PushedAt:        timestamp(epoch),
		GitURL:          "git://" + host + "/" + c.repo.fullName() + ".git",
		SSHURL:          "git@" + host + ":" + c.repo.fullName() + ".git",
		CloneURL:        c.repoSite() + ".git",
		SVNURL:          c.repoSite(),
		HasIssues:       true,
		HasProjects:     true,
		HasDownloads:    true,
		HasWiki:         true,
		Visibility:      visibility,
		DefaultBranch:   c.repo.DefaultBranch,
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
