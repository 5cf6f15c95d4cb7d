package check

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/clientsecure/clientsecure/inspect"
)

// WriteText writes one line per item (file:line, kind, host:port, state,
// days left), then what to do for each that is not current.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range r.Findings {
		days := "-"
		if d, ok := f.DaysLeft(r.At); ok {
			days = strconv.Itoa(d) + " days left"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", location(f), f.Item.Kind, hostOf(f), f.State, days)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	first := true
	for _, f := range r.Findings {
		if f.State == Current {
			continue
		}
		if first {
			fmt.Fprintln(w, "\nwhat to do:")
			first = false
		}
		fmt.Fprintf(w, "  %s: %s: %s\n", location(f), f.State, printable(f.Message))
	}
	return nil
}

func location(f *Finding) string {
	if f.Item.Line == 0 {
		return f.Item.File
	}
	return f.Item.File + ":" + strconv.Itoa(f.Item.Line)
}

func hostOf(f *Finding) string {
	if f.Item.Host == nil {
		return "-"
	}
	return f.Item.Host.Addr()
}

// printable keeps control characters (from a server's names or a file)
// off the terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// jsonItem is an item of check's JSON (DESIGN.md).
type jsonItem struct {
	File        string     `json:"file"`
	Line        int        `json:"line"`
	Kind        string     `json:"kind"`
	Use         string     `json:"use"`
	Value       string     `json:"value"`
	Host        string     `json:"host"`
	Port        int        `json:"port"`
	State       string     `json:"state"`
	Matches     string     `json:"matches"`
	NotAfter    *time.Time `json:"not_after"`
	DaysLeft    *int       `json:"days_left"`
	Replacement string     `json:"replacement"`
	Message     string     `json:"message"`
}

type jsonHost struct {
	Host     string         `json:"host"`
	Port     int            `json:"port"`
	Verified bool           `json:"verified"`
	Error    string         `json:"error"`
	Chain    []inspect.Cert `json:"chain"`
}

// WriteJSON writes {"items":[...],"hosts":[...]}.
func (r *Report) WriteJSON(w io.Writer) error {
	doc := struct {
		Items []jsonItem `json:"items"`
		Hosts []jsonHost `json:"hosts"`
	}{Items: []jsonItem{}, Hosts: []jsonHost{}}
	for _, f := range r.Findings {
		it := f.Item
		j := jsonItem{File: filepath.ToSlash(it.File), Line: it.Line, Kind: string(it.Kind), Use: string(it.Use),
			Value: it.Text, State: string(f.State), Matches: string(f.Matches), Replacement: f.Replacement, Message: f.Message}
		if it.Host != nil {
			j.Host, j.Port = it.Host.Name, it.Host.Port
		}
		if d, ok := f.DaysLeft(r.At); ok {
			na := f.NotAfter().UTC()
			j.NotAfter, j.DaysLeft = &na, &d
		}
		doc.Items = append(doc.Items, j)
	}
	for _, h := range r.Hosts {
		jh := jsonHost{Host: h.Host.Name, Port: h.Host.Port, Verified: h.Verified(), Chain: []inspect.Cert{}}
		switch {
		case h.Err != nil:
			jh.Error = h.Err.Error()
		case h.VerifyErr != nil:
			jh.Error = errString(h.VerifyErr)
		}
		for _, c := range h.Sent {
			jh.Chain = append(jh.Chain, inspect.Describe(c))
		}
		doc.Hosts = append(doc.Hosts, jh)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	return nil
}

// sarifRules describe each state a result can have.
var sarifRules = []struct {
	state State
	level string
	text  string
}{
	{Stale, "error", "Trust data that matches nothing the server sends, or no longer verifies its chain"},
	{Misused, "error", "Trust data that matches, but not the way the code uses it"},
	{Expiring, "warning", "Trust data whose certificate ends within the warning days"},
	{Fragile, "warning", "A CA-issued leaf certificate used as a trust anchor: it breaks at the next renewal"},
	{Unreachable, "warning", "The host of this trust data could not be contacted"},
}

// WriteSARIF writes a SARIF 2.1.0 log: one result per item that is stale,
// misused, expiring, fragile or unreachable, its ruleId the state, at its
// file and line (no region inside a binary file).
func (r *Report) WriteSARIF(w io.Writer, version string) error {
	type msg struct {
		Text string `json:"text"`
	}
	type rule struct {
		ID               string            `json:"id"`
		ShortDescription msg               `json:"shortDescription"`
		Default          map[string]string `json:"defaultConfiguration"`
	}
	type region struct {
		StartLine int `json:"startLine"`
	}
	type physical struct {
		Artifact map[string]string `json:"artifactLocation"`
		Region   *region           `json:"region,omitempty"`
	}
	type location struct {
		Physical physical `json:"physicalLocation"`
	}
	type result struct {
		RuleID    string     `json:"ruleId"`
		Level     string     `json:"level"`
		Message   msg        `json:"message"`
		Locations []location `json:"locations"`
	}
	levels := map[State]string{}
	var rules []rule
	for _, s := range sarifRules {
		levels[s.state] = s.level
		rules = append(rules, rule{ID: string(s.state), ShortDescription: msg{s.text}, Default: map[string]string{"level": s.level}})
	}
	results := []result{}
	for _, f := range r.Findings {
		level, ok := levels[f.State]
		if !ok {
			continue
		}
		loc := location{Physical: physical{Artifact: map[string]string{"uri": filepath.ToSlash(f.Item.File)}}}
		if f.Item.Line > 0 {
			loc.Physical.Region = &region{StartLine: f.Item.Line}
		}
		text := fmt.Sprintf("%s %s for %s: %s", f.Item.Kind, f.State, hostOf(f), f.Message)
		results = append(results, result{RuleID: string(f.State), Level: level, Message: msg{text}, Locations: []location{loc}})
	}
	log := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name":           "clientsecure",
				"version":        version,
				"informationUri": "https://github.com/clientsecure/clientsecure",
				"rules":          rules,
			}},
			"results": results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	return nil
}
