package main

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/clientsecure/clientsecure/fakehubtest"
)

// status --json has DESIGN.md's shape, every key in every result, for a
// verdict and for an error alike.
func TestStatusJSONShape(t *testing.T) {
	p := scriptPKI()
	srv := fakehubtest.NewServer(exitScenario(), p.Good.TLS())
	defer srv.Close()
	code, stdout, stderr := runCmd(t, "status", "--json", "--api-url", srv.URL, "--ca-file", writeRoot(t, p), "o/r@green", "o/r@red", "o/nope@main")
	if code != exitError {
		t.Fatalf("exit %d, want 5\n%s", code, stderr)
	}
	var out struct {
		Results []map[string]json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(out.Results) != 3 {
		t.Fatalf("%d results, want 3", len(out.Results))
	}
	for i, r := range out.Results {
		for _, key := range []string{"repo", "ref", "sha", "state", "contexts", "missing", "server", "error"} {
			if _, ok := r[key]; !ok {
				t.Errorf("result %d lacks %q: %s", i, key, stdout)
			}
		}
	}
	var state, errText string
	json.Unmarshal(out.Results[1]["state"], &state)
	var contexts []map[string]json.RawMessage
	json.Unmarshal(out.Results[1]["contexts"], &contexts)
	if state != "failure" || len(contexts) != 1 {
		t.Fatalf("o/r@red: state %q with %d contexts", state, len(contexts))
	}
	var keys []string
	for k := range contexts[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"app", "conclusion", "description", "kind", "name", "required", "state", "url"}; !slices.Equal(keys, want) {
		t.Errorf("context keys %v, want %v", keys, want)
	}
	if string(out.Results[0]["missing"]) != "[]" || string(out.Results[0]["error"]) != "null" || string(out.Results[0]["server"]) == "null" {
		t.Errorf("a verdict has error %s and server %s", out.Results[0]["error"], out.Results[0]["server"])
	}
	json.Unmarshal(out.Results[2]["state"], &state)
	json.Unmarshal(out.Results[2]["error"], &errText)
	if state != "error" || errText == "" || string(out.Results[2]["server"]) != "null" {
		t.Errorf("o/nope: state %q, error %q, server %s", state, errText, out.Results[2]["server"])
	}
}
