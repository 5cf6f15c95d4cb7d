package watch

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/clientsecure/clientsecure/buildstatus"
)

// FeedPath is where a Feed serves its document.
const FeedPath = "/cc.xml"

// Feed is an http.Handler serving the watched refs at FeedPath as a CCTray
// cc.xml document (see the package documentation for the mapping). It is
// safe for concurrent use: Update from the watch loop, ServeHTTP from the
// server's goroutines.
type Feed struct {
	apiURL func(Target) string

	mu       sync.Mutex
	statuses []Status
	started  time.Time
}

// NewFeed returns a Feed for targets, each read from the API apiURL
// names for it (whose web pages the projects link to, see WebURL),
// showing them as not yet polled since started.
func NewFeed(apiURL func(Target) string, targets []Target, started time.Time) *Feed {
	f := &Feed{apiURL: apiURL, started: started}
	for _, t := range targets {
		f.statuses = append(f.statuses, Status{Target: t, Ref: t.Ref})
	}
	return f
}

// Update replaces what the Feed shows, typically with Round.Statuses.
func (f *Feed) Update(statuses []Status) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statuses = slices.Clone(statuses)
}

// Projects is the cc.xml document.
type Projects struct {
	XMLName  xml.Name  `xml:"Projects"`
	Projects []Project `xml:"Project"`
}

// Project is one ref in cc.xml, in the attributes of the CCTray format.
type Project struct {
	Name            string `xml:"name,attr"`            // OWNER/REPO@REF
	Activity        string `xml:"activity,attr"`        // Sleeping, Building
	LastBuildStatus string `xml:"lastBuildStatus,attr"` // Success, Failure, Exception, Unknown
	LastBuildLabel  string `xml:"lastBuildLabel,attr"`  // the commit's short SHA
	LastBuildTime   string `xml:"lastBuildTime,attr"`   // RFC 3339, when that status was first seen
	WebURL          string `xml:"webUrl,attr"`          // the ref's commits page
}

// Document is the Feed's current cc.xml, as a value.
func (f *Feed) Document() Projects {
	f.mu.Lock()
	defer f.mu.Unlock()
	doc := Projects{Projects: make([]Project, 0, len(f.statuses))}
	for _, s := range f.statuses {
		doc.Projects = append(doc.Projects, f.project(s))
	}
	return doc
}

func (f *Feed) project(s Status) Project {
	p := Project{
		Name:           s.Name(),
		Activity:       "Sleeping",
		LastBuildLabel: shortSHA(s.SHA),
		WebURL:         WebURL(f.apiURL(s.Target), s.Target, s.Ref),
	}
	seen := s.Since
	switch s.State {
	case buildstatus.StateError:
		p.LastBuildStatus = "Exception"
	case buildstatus.StatePending:
		// Building, and the last build is the last settled verdict.
		p.Activity = "Building"
		p.LastBuildStatus = ccStatus(s.Settled)
		if !s.SettledAt.IsZero() {
			seen = s.SettledAt
		}
	default:
		p.LastBuildStatus = ccStatus(s.State)
	}
	if seen.IsZero() {
		seen = f.started
	}
	p.LastBuildTime = seen.UTC().Format(time.RFC3339)
	return p
}

// ccStatus is a settled verdict as a lastBuildStatus: Unknown for
// no_status, or for none yet.
func ccStatus(s buildstatus.State) string {
	switch s {
	case buildstatus.StateSuccess:
		return "Success"
	case buildstatus.StateFailure:
		return "Failure"
	}
	return "Unknown"
}

func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	return sha
}

// ServeHTTP answers GET and HEAD of FeedPath; anything else is 404 or 405.
func (f *Feed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != FeedPath {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(f.Document()); err != nil {
		http.Error(w, "watch: encoding cc.xml: "+err.Error(), http.StatusInternalServerError)
		return
	}
	b.WriteString("\n")
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	// A monitor must see each change; it polls anyway.
	w.Header().Set("Cache-Control", "no-store")
	if r.Method == http.MethodHead {
		return
	}
	w.Write(b.Bytes())
}

// WebURL is the page of t's pull request, or of the commits of ref (t's
// resolved ref), on the GitHub site behind the API at apiURL: https://api.github.com serves https://github.com,
// https://HOST/api/v3 (GitHub Enterprise Server) serves https://HOST, an
// api.SUBDOMAIN.ghe.com serves SUBDOMAIN.ghe.com, and any other API (a
// fakehub) is taken to serve its site at its own address. "" for an
// unusable URL.
func WebURL(apiURL string, t Target, ref string) string {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" {
		return ""
	}
	path := strings.TrimSuffix(u.Path, "/")
	site := &url.URL{Scheme: u.Scheme, Host: u.Host}
	switch {
	case strings.HasSuffix(path, "/api/v3"):
		site.Path = strings.TrimSuffix(path, "/api/v3")
	case path == "" && strings.HasPrefix(strings.ToLower(u.Hostname()), "api."):
		site.Host = u.Host[len("api."):]
	default:
		site.Path = path
	}
	page := site.String() + "/" + t.Owner + "/" + t.Repo
	switch {
	case t.Pull > 0:
		return page + "/pull/" + strconv.Itoa(t.Pull)
	case ref == "":
		return page
	}
	var segs []string
	for _, seg := range strings.Split(ref, "/") {
		segs = append(segs, url.PathEscape(seg))
	}
	return page + "/commits/" + strings.Join(segs, "/")
}
