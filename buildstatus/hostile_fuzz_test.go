package buildstatus

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-github/v93/github"
)

// FuzzReduceJSON feeds Reduce whatever a server's JSON decodes to: the
// verdict is always one of the four a reduction gives, and agrees with
// the contexts it keeps. Seeds are in testdata/fuzz/FuzzReduceJSON.
func FuzzReduceJSON(f *testing.F) {
	f.Add(`[{"id":1,"context":"ci","state":"success","created_at":"2026-06-01T12:00:00Z"}]`,
		`[{"id":2,"name":"build","status":"completed","conclusion":"failure"}]`)
	f.Fuzz(func(t *testing.T, statusesJSON, runsJSON string) {
		var statuses []*github.RepoStatus
		var runs []*github.CheckRun
		if json.Unmarshal([]byte(statusesJSON), &statuses) != nil || json.Unmarshal([]byte(runsJSON), &runs) != nil {
			return
		}
		state, contexts := Reduce(statuses, runs)
		checkReduction(t, statuses, runs, state, contexts)
	})
}

func checkReduction(t *testing.T, statuses []*github.RepoStatus, runs []*github.CheckRun, state State, contexts []Context) {
	t.Helper()
	if contexts == nil {
		t.Fatal("nil contexts")
	}
	names := map[string]map[string]bool{KindStatus: {}, KindCheckRun: {}}
	for _, s := range statuses {
		if s != nil {
			names[KindStatus][s.GetContext()] = true
		}
	}
	for _, r := range runs {
		if r != nil {
			names[KindCheckRun][r.GetName()] = true
		}
	}
	if want := len(names[KindStatus]) + len(names[KindCheckRun]); len(contexts) != want {
		t.Fatalf("%d contexts, want one per status context and check name: %d", len(contexts), want)
	}
	seen := map[State]bool{}
	for i, c := range contexts {
		switch c.State {
		case StateSuccess, StateFailure, StatePending:
		default:
			t.Fatalf("context %d has state %q", i, c.State)
		}
		if c.Kind != KindStatus && c.Kind != KindCheckRun {
			t.Fatalf("context %d has kind %q", i, c.Kind)
		}
		if i > 0 && rank(c.State) < rank(contexts[i-1].State) {
			t.Fatalf("context %d (%s) sorted after a better one (%s)", i, c.State, contexts[i-1].State)
		}
		for _, s := range []string{c.Name, c.Conclusion, c.URL, c.Description} {
			if strings.ContainsFunc(s, unsafeRune) {
				t.Fatalf("context %d keeps a control character: %q", i, s)
			}
		}
		seen[c.State] = true
	}
	var want State
	switch {
	case seen[StateFailure]:
		want = StateFailure
	case seen[StatePending]:
		want = StatePending
	case seen[StateSuccess]:
		want = StateSuccess
	default:
		want = StateNoStatus
	}
	if state != want {
		t.Fatalf("state %q, want %q from the contexts %+v", state, want, contexts)
	}
}

// FuzzBodyGuards reads any body through the guards every answer passes:
// they pass it unchanged, refuse it exactly when it is not UTF-8 (or
// holds more JSON values than any answer), and never panic, however the
// reads cut it.
func FuzzBodyGuards(f *testing.F) {
	f.Add([]byte(`{"a":"ß€𝄞"}`), uint8(1))
	f.Add([]byte("\xe2\x82"), uint8(2))
	f.Add([]byte(`"\"{"`), uint8(3))
	u, _ := url.Parse("https://api.example/x")
	f.Fuzz(func(t *testing.T, body []byte, size uint8) {
		var guarded io.ReadCloser = io.NopCloser(&chunked{s: string(body), size: int(size%16) + 1})
		guarded = &utf8Body{rc: guarded, url: u}
		guarded = &containerCount{rc: guarded, url: u}
		got, err := io.ReadAll(guarded)
		if !utf8.Valid(body) {
			if err == nil {
				t.Fatalf("%q passed, but it is not UTF-8", body)
			}
			return
		}
		if err != nil {
			if !strings.Contains(err.Error(), "more JSON values") {
				t.Fatalf("valid UTF-8 %q refused: %v", body, err)
			}
			return
		}
		if string(got) != string(body) {
			t.Fatalf("body changed: %q became %q", body, got)
		}
	})
}
