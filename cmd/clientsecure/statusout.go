package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/clientsecure/clientsecure/buildstatus"
)

// writeStatusText prints a headline per ref, then its failing and pending
// contexts with their URLs (all of them when verbose), then, for a server
// that failed verification, the full identity error.
func writeStatusText(w io.Writer, outcomes []*outcome, verbose bool) {
	for _, o := range outcomes {
		name := o.name()
		if o.err != nil {
			fmt.Fprintf(w, "%s: error: %s\n", name, displayErr(o.err))
			continue
		}
		fmt.Fprintf(w, "%s: %s (%s)\n", name, o.State, summary(o.Result))
		for _, c := range o.Contexts {
			if !verbose && c.State == buildstatus.StateSuccess {
				continue
			}
			line := fmt.Sprintf("  %-8s %s (%s", c.State, c.Name, strings.ReplaceAll(c.Kind, "_", " "))
			if c.App != "" && sharedName(o.Contexts, c.Name) {
				line += " by " + c.App
			}
			if c.Conclusion != "" && c.Conclusion != string(c.State) {
				line += ": " + c.Conclusion
			}
			if o.RequiredOnly && !c.Required {
				line += "; not required"
			}
			line += ")"
			if c.Description != "" {
				line += " " + c.Description
			}
			if c.URL != "" {
				line += " " + c.URL
			}
			fmt.Fprintln(w, line)
		}
		for _, name := range o.Missing {
			fmt.Fprintf(w, "  %-8s %s (not reported yet)\n", "missing", name)
		}
	}
}

// sharedName reports whether two contexts have this name: checks of two
// apps, told apart by the app.
func sharedName(contexts []buildstatus.Context, name string) bool {
	n := 0
	for _, c := range contexts {
		if c.Name == name {
			n++
		}
	}
	return n > 1
}

// displayErr is an error as a person reads it (describeError): an
// identity failure with its listing and hint, without package prefixes.
func displayErr(err error) string { return describeError(err, nil) }

// summary counts the contexts the verdict counts: "3 checks: 2 passed, 1
// failed", "2 required checks: 1 passed, 1 missing; 4 not required".
func summary(r *buildstatus.Result) string {
	counted := r.Counted()
	if len(counted) == 0 && len(r.Missing) == 0 {
		return "nothing reported for " + shortSHA(r.SHA)
	}
	var passed, failed, pending int
	for _, c := range counted {
		switch c.State {
		case buildstatus.StateSuccess:
			passed++
		case buildstatus.StateFailure:
			failed++
		default:
			pending++
		}
	}
	parts := []string{}
	for _, p := range []struct {
		n    int
		word string
	}{{passed, "passed"}, {failed, "failed"}, {pending, "pending"}, {len(r.Missing), "missing"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.word))
		}
	}
	n := len(counted) + len(r.Missing)
	checks := "checks"
	if n == 1 {
		checks = "check"
	}
	if r.RequiredOnly {
		checks = "required " + checks
	}
	out := fmt.Sprintf("%d %s: %s", n, checks, strings.Join(parts, ", "))
	if others := len(r.Contexts) - len(counted); others > 0 {
		out += fmt.Sprintf("; %d not required", others)
	}
	return out + "; " + shortSHA(r.SHA)
}

func shortSHA(sha string) string {
	if len(sha) > 7 {
		return sha[:7]
	}
	if sha == "" {
		return "the ref"
	}
	return sha
}

// writeStatusJSON prints DESIGN.md's {"results":[...]}. Every field is
// present in every result: "server" is null when no server was verified,
// "error" null when there was none.
func writeStatusJSON(w io.Writer, outcomes []*outcome) error {
	type result struct {
		*buildstatus.Result
		Server *serverInfo `json:"server"`
		Error  *string     `json:"error"` // shadows Result.Error, which omits itself when empty
	}
	out := struct {
		Results []result `json:"results"`
	}{Results: make([]result, len(outcomes))}
	for i, o := range outcomes {
		out.Results[i] = result{Result: o.Result, Server: o.Server}
		if o.Result.Error != "" {
			out.Results[i].Error = &o.Result.Error
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
