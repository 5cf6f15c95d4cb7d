package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/clientsecure/clientsecure/buildstatus"
	"github.com/clientsecure/clientsecure/watch"
)

// watchPrinter writes what a watch sees: a line (or JSON object) per
// change on stdout, the cost of each poll on stderr with -v, and on a
// terminal a live view of every ref below the lines.
type watchPrinter struct {
	w       io.Writer
	json    bool
	live    bool
	verbose bool
	tr      *tracer
	width   int
	drawn   int // lines of the live view now on screen
}

func newWatchPrinter(e *env, asJSON, verbose bool, tr *tracer) *watchPrinter {
	p := &watchPrinter{w: e.stdout, json: asJSON, verbose: verbose, tr: tr, width: 80}
	// -v writes to the terminal from other goroutines, which would tear
	// a view redrawn in place.
	p.live = !asJSON && !verbose && isTerminal(e.stdout, e.getenv)
	var cols int
	if _, err := fmt.Sscan(e.getenv("COLUMNS"), &cols); err == nil && cols >= 20 {
		p.width = cols
	}
	return p
}

// isTerminal reports whether w is a terminal that understands cursor
// movement: a character device, and TERM says it is not dumb.
func isTerminal(w io.Writer, getenv func(string) string) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	term := getenv("TERM")
	return term != "" && term != "dumb"
}

func (p *watchPrinter) change(c watch.Change) {
	p.clear()
	if p.json {
		writeChangeJSON(p.w, c)
		return
	}
	fmt.Fprintln(p.w, changeLine(c))
	if c.Err != nil {
		// An identity error goes on to list what the server sent and
		// the pins expected: shown once, when it starts.
		_, rest, _ := strings.Cut(displayErr(c.Err), "\n")
		for _, l := range strings.Split(rest, "\n") {
			if strings.TrimSpace(l) != "" {
				fmt.Fprintln(p.w, "  "+l)
			}
		}
	}
}

func (p *watchPrinter) round(r watch.Round) {
	if p.verbose {
		p.tr.printf("%s", roundSummary(r))
	}
	if p.live {
		p.clear()
		p.draw(r)
	}
}

// changeLine is "TIME OWNER/REPO@REF: PREVIOUS -> STATE SHA; failing: A, B".
func changeLine(c watch.Change) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: ", c.Time.Format(time.RFC3339), changeName(c))
	if c.Previous != "" {
		fmt.Fprintf(&b, "%s -> ", c.Previous)
	}
	b.WriteString(string(c.Current))
	if c.Err != nil {
		fmt.Fprintf(&b, ": %s", oneLine(displayErr(c.Err)))
		return b.String()
	}
	if c.SHA != "" {
		fmt.Fprintf(&b, " %s", shortSHA(c.SHA))
	}
	if len(c.Failing) > 0 {
		fmt.Fprintf(&b, "; failing: %s", strings.Join(c.Failing, ", "))
	}
	if c.Result != nil && len(c.Result.Missing) > 0 {
		fmt.Fprintf(&b, "; missing: %s", strings.Join(c.Result.Missing, ", "))
	}
	return b.String()
}

// changeName is the target as given, with the ref it resolved to.
func changeName(c watch.Change) string {
	return watch.Status{Target: c.Target, Ref: c.Ref}.Name()
}

// oneLine keeps the first line of a message: an identity error goes on
// to list every certificate, which a change line has no room for.
func oneLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return strings.TrimSpace(first)
}

// changeJSON is one line of `status --watch --json`.
type changeJSON struct {
	Time     string                `json:"time"`
	Repo     string                `json:"repo"`
	Ref      string                `json:"ref"`
	SHA      string                `json:"sha"`
	Previous *buildstatus.State    `json:"previous"` // null at the first verdict
	State    buildstatus.State     `json:"state"`
	Pull     int                   `json:"pull,omitempty"`
	Failing  []string              `json:"failing"`
	Contexts []buildstatus.Context `json:"contexts"`
	Missing  []string              `json:"missing"`
	Error    string                `json:"error,omitempty"`
}

func writeChangeJSON(w io.Writer, c watch.Change) {
	line := changeJSON{
		Time:     c.Time.Format(time.RFC3339),
		Repo:     c.Repo,
		Ref:      c.Ref,
		SHA:      c.SHA,
		State:    c.Current,
		Failing:  append([]string{}, c.Failing...),
		Contexts: []buildstatus.Context{},
		Missing:  []string{},
	}
	if c.Previous != "" {
		line.Previous = &c.Previous
	}
	if c.Result != nil {
		line.Pull = c.Result.Pull
		if c.Result.Contexts != nil {
			line.Contexts = c.Result.Contexts
		}
		if c.Result.Missing != nil {
			line.Missing = c.Result.Missing
		}
	}
	if c.Err != nil {
		line.Error = errText(c.Err)
	}
	// Encoding these types cannot fail; a write error shows up as the
	// reader's own.
	json.NewEncoder(w).Encode(line)
}

// roundSummary is -v's account of a poll: what it cost, what the last
// hour cost, the rate limit, and when and why the next poll is.
func roundSummary(r watch.Round) string {
	var b strings.Builder
	fmt.Fprintf(&b, "watch: polled %d of %d refs: %d requests, %d not modified (free); last hour: %d requests, %d counted against the rate limit",
		r.Checked, len(r.Statuses), r.Spent.Requests, r.Spent.NotModified, r.LastHour.Requests, r.LastHour.Full())
	if r.Rate.Remaining >= 0 {
		fmt.Fprintf(&b, "; rate limit %d/%d left", r.Rate.Remaining, r.Rate.Limit)
		if !r.Rate.Reset.IsZero() {
			fmt.Fprintf(&b, " until %s", r.Rate.Reset.Format("15:04:05"))
		}
	}
	fmt.Fprintf(&b, "; next poll in %s (%s)", r.Next.Sub(r.Time).Round(time.Millisecond), r.Wait)
	return b.String()
}

// draw writes the live view: a line per ref, then the next poll.
func (p *watchPrinter) draw(r watch.Round) {
	var lines []string
	for _, s := range r.Statuses {
		state := string(s.State)
		if state == "" {
			state = "waiting"
		}
		line := fmt.Sprintf("  %-9s %s", state, s.Name())
		if s.SHA != "" {
			line += " " + shortSHA(s.SHA)
		}
		switch {
		case s.Err != nil:
			line += ": " + oneLine(displayErr(s.Err))
		case !s.Since.IsZero():
			line += " since " + s.Since.Format("15:04:05")
		}
		if s.Result != nil && s.Err == nil {
			if names := watch.Failing(s.Result); len(names) > 0 {
				line += "; failing: " + strings.Join(names, ", ")
			}
		}
		lines = append(lines, line)
	}
	lines = append(lines, fmt.Sprintf("  next poll %s (%s); %d requests in the last hour, %d counted",
		r.Next.Format("15:04:05"), r.Wait, r.LastHour.Requests, r.LastHour.Full()))
	for _, l := range lines {
		fmt.Fprintln(p.w, truncate(l, p.width-1))
	}
	p.drawn = len(lines)
}

// clear erases the live view, so that what comes next takes its place.
func (p *watchPrinter) clear() {
	if p.drawn > 0 {
		fmt.Fprintf(p.w, "\x1b[%dA\r\x1b[J", p.drawn)
		p.drawn = 0
	}
}

// truncate cuts s to n runes, so that a line never wraps and throws off
// the count of lines to redraw.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
