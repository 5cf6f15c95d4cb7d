package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/buildstatus"
	"github.com/clientsecure/clientsecure/fakehub"
	"github.com/clientsecure/clientsecure/fakehubtest"
	"github.com/clientsecure/clientsecure/internal/fakeclock"
	"github.com/clientsecure/clientsecure/internal/testcerts"
	"github.com/clientsecure/clientsecure/watch"
)

// lockedBuffer is written by the command and its hooks, read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// watchFixture runs `clientsecure status --watch` in-process against a
// fakehub on loopback, on a fake clock.
type watchFixture struct {
	srv            *fakehubtest.Server
	root           string
	clock          *fakeclock.Clock
	stdout, stderr *lockedBuffer
	cancel         context.CancelFunc
}

func newWatchFixture(t *testing.T) *watchFixture {
	t.Helper()
	p := scriptPKI()
	srv := fakehubtest.NewServer(watchScenario(), p.Good.TLS())
	t.Cleanup(srv.Close)
	root := filepath.Join(t.TempDir(), "root.pem")
	if err := os.WriteFile(root, testcerts.PEM(p.Root.Cert), 0o644); err != nil {
		t.Fatal(err)
	}
	f := &watchFixture{srv: srv, root: root, clock: fakeclock.New(time.Now().Truncate(time.Second)),
		stdout: &lockedBuffer{}, stderr: &lockedBuffer{}}
	srv.Hub.SetClock(f.clock.Now)
	srv.Hub.SetRateLimit(5000, f.clock.Now().Add(time.Hour))
	return f
}

func watchScenario() *fakehub.Scenario {
	return &fakehub.Scenario{Repos: []fakehub.Repo{{
		Owner: "octo", Name: "app",
		Refs: []fakehub.Ref{{Name: "main", Statuses: []fakehub.Status{{State: "pending", Context: "ci"}}}},
	}}}
}

// post adds a status "ci" to octo/app@main, later than any before.
func (f *watchFixture) post(state string) {
	f.srv.Hub.Update(func(sc *fakehub.Scenario) {
		r := &sc.Repos[0].Refs[0]
		at := time.Date(2026, 2, 1, 0, 0, len(r.Statuses), 0, time.UTC)
		r.Statuses = append(r.Statuses, fakehub.Status{State: state, Context: "ci", CreatedAt: at})
	})
}

// run runs the command with args after `status --watch --api-url HUB
// --ca-file ROOT`; during is called at each sleep, and the watch is
// stopped at sleep stopAt (0: never; it must end by itself).
func (f *watchFixture) run(t *testing.T, stopAt int, during func(n int), args ...string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f.cancel = cancel
	f.clock.OnSleep(func(n int, _ time.Time) {
		if during != nil {
			during(n)
		}
		if stopAt > 0 && n >= stopAt {
			cancel()
		}
		if n > 50 {
			t.Errorf("still watching after %d polls", n)
			cancel()
		}
	})
	watchClock = f.clock
	defer func() { watchClock = nil }()
	e := &env{
		stdin: strings.NewReader(""), stdout: f.stdout, stderr: f.stderr,
		getenv: func(string) string { return "" }, now: f.clock.Now,
	}
	full := append([]string{"status", "--watch", "--api-url", f.srv.URL, "--ca-file", f.root}, args...)
	code := run(ctx, full, e)
	if ctx.Err() == context.DeadlineExceeded {
		t.Fatal("the watch did not stop")
	}
	return code
}

func (f *watchFixture) stdoutLines() []string {
	return strings.Split(strings.TrimSuffix(f.stdout.String(), "\n"), "\n")
}

var lineRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d) octo/app@main: `)

func TestWatchExitOnDone(t *testing.T) {
	for _, tc := range []struct {
		state string
		code  int
	}{{"success", exitOK}, {"failure", exitFailed}, {"error", exitFailed}} {
		t.Run(tc.state, func(t *testing.T) {
			f := newWatchFixture(t)
			code := f.run(t, 0, func(n int) {
				if n == 2 {
					f.post(tc.state)
				}
			}, "--exit-on-done", "octo/app@main")
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, f.stderr)
			}
			lines := f.stdoutLines()
			if len(lines) != 2 || !lineRE.MatchString(lines[0]) || !lineRE.MatchString(lines[1]) {
				t.Fatalf("stdout:\n%s", f.stdout)
			}
			if !regexp.MustCompile(`: pending [0-9a-f]{7}$`).MatchString(lines[0]) {
				t.Errorf("first line %q", lines[0])
			}
			want := "pending -> failure [0-9a-f]{7}; failing: ci$"
			if tc.state == "success" {
				want = "pending -> success [0-9a-f]{7}$"
			}
			if !regexp.MustCompile(want).MatchString(lines[1]) {
				t.Errorf("second line %q, want %q", lines[1], want)
			}
			// Three polls: the first full, the second all 304s, the third
			// a full statuses list and a 304 for the unchanged check runs.
			if st := f.srv.Hub.Stats(); st.Requests != 6 || st.NotModified != 3 {
				t.Errorf("hub stats %+v, want 6 requests, 3 not modified", st)
			}
		})
	}
}

// Waiting does not cure a repository that does not exist, nor a server
// that is not the one pinned: --exit-on-done gives up at once.
func TestWatchExitOnDoneFinalErrors(t *testing.T) {
	f := newWatchFixture(t)
	if code := f.run(t, 0, nil, "--exit-on-done", "octo/nope@main"); code != exitError {
		t.Errorf("unknown repository: exit %d, want %d", code, exitError)
	}
	if !strings.Contains(f.stdout.String(), "octo/nope@main: error: repository or ref not found") {
		t.Errorf("stdout:\n%s", f.stdout)
	}
	// One poll: the lists are asked at once, and the first 404 cancels
	// the other request.
	if st := f.srv.Hub.Stats(); st.Requests < 1 || st.Requests > 2 {
		t.Errorf("hub stats %+v, want the requests of one poll", st)
	}
}

// A server that fails verification is final too, and is asked nothing. A
// hub of its own: a request the test above cancelled may still reach its
// hub after that watch has exited, and be counted there.
func TestWatchExitOnDoneIdentityIsFinal(t *testing.T) {
	f := newWatchFixture(t)
	pin := "CF 05 98 89 CA FF 8E D8 5E 5C E0 C2 E4 F7 E6 C3 C7 50 DD 5C"
	if code := f.run(t, 0, nil, "--exit-on-done", "--pin", pin, "octo/app@main"); code != exitIdentity {
		t.Errorf("wrong pin: exit %d, want %d", code, exitIdentity)
	}
	if st := f.srv.Hub.Stats(); st.Requests != 0 {
		t.Errorf("hub stats %+v after a server that failed verification, want no requests", st)
	}
}

// A network error is not final: the watch backs off and goes on.
func TestWatchExitOnDoneWaitsOutErrors(t *testing.T) {
	f := newWatchFixture(t)
	f.srv.Hub.FailNext(502, 2)
	code := f.run(t, 0, func(n int) {
		if n == 1 {
			f.post("success")
		}
	}, "--exit-on-done", "octo/app@main")
	out := f.stdout.String()
	if code != exitOK || !strings.Contains(out, "main: error: server error from") || !strings.Contains(out, "error -> success") {
		t.Errorf("exit %d, stdout:\n%s", code, out)
	}
}

// Stopped, the watch exits with the last verdict's code.
func TestWatchStoppedExitsWithLastVerdict(t *testing.T) {
	f := newWatchFixture(t)
	if code := f.run(t, 3, nil, "octo/app@main"); code != exitPending {
		t.Errorf("exit %d, want %d (pending)", code, exitPending)
	}
}

func TestWatchJSONLines(t *testing.T) {
	f := newWatchFixture(t)
	code := f.run(t, 0, func(n int) {
		if n == 1 {
			f.post("failure")
		}
	}, "--json", "--exit-on-done", "octo/app@main")
	if code != exitFailed {
		t.Fatalf("exit %d; stderr:\n%s", code, f.stderr)
	}
	lines := f.stdoutLines()
	if len(lines) != 2 {
		t.Fatalf("stdout:\n%s", f.stdout)
	}
	var got []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		got = append(got, m)
	}
	if got[0]["previous"] != nil || got[0]["state"] != "pending" || got[1]["previous"] != "pending" || got[1]["state"] != "failure" {
		t.Errorf("lines %v", got)
	}
	for _, m := range got {
		if m["repo"] != "octo/app" || m["ref"] != "main" || len(m["sha"].(string)) != 40 || m["time"] == "" {
			t.Errorf("line %v", m)
		}
		if _, ok := m["contexts"].([]any); !ok {
			t.Errorf("contexts %v", m["contexts"])
		}
	}
	if f, _ := got[1]["failing"].([]any); len(f) != 1 || f[0] != "ci" {
		t.Errorf("failing %v", got[1]["failing"])
	}
}

// The hook sees each change in its environment; it failing does not stop
// the watch.
func TestWatchExec(t *testing.T) {
	f := newWatchFixture(t)
	log := filepath.Join(t.TempDir(), "hook.log")
	hook := fmt.Sprintf(`printf '%%s|%%s|%%s|%%s|%%s\n' "$CLIENTSECURE_REPO" "$CLIENTSECURE_REF" "$CLIENTSECURE_PREVIOUS" "$CLIENTSECURE_STATE" "$CLIENTSECURE_SHA" >> %s; echo hook says hi; exit 3`, log)
	code := f.run(t, 0, func(n int) {
		if n == 1 {
			f.post("success")
		}
	}, "--exec", hook, "--exit-on-done", "octo/app@main")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, f.stderr)
	}
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	calls := strings.Split(strings.TrimSpace(string(data)), "\n")
	re := regexp.MustCompile(`^octo/app\|main\|(|pending)\|(pending|success)\|[0-9a-f]{40}$`)
	if len(calls) != 2 || !re.MatchString(calls[0]) || !re.MatchString(calls[1]) ||
		!strings.Contains(calls[0], "||pending|") || !strings.Contains(calls[1], "|pending|success|") {
		t.Errorf("hook calls:\n%s", data)
	}
	if n := strings.Count(f.stderr.String(), "clientsecure: --exec for octo/app@main failed: exit status 3"); n != 2 {
		t.Errorf("%d failures reported, want 2; stderr:\n%s", n, f.stderr)
	}
	if n := strings.Count(f.stdout.String(), "hook says hi\n"); n != 2 {
		t.Errorf("the hook's output is not on stdout:\n%s", f.stdout)
	}
}

// A hook that overruns is killed, reported, and the watch goes on. With
// --json its output goes to stderr, keeping stdout JSON Lines.
func TestWatchExecTimeout(t *testing.T) {
	f := newWatchFixture(t)
	code := f.run(t, 0, func(n int) {
		if n == 1 {
			f.post("success")
		}
	}, "--json", "--exec", "echo started; sleep 30", "--exec-timeout", "50ms", "--exit-on-done", "octo/app@main")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, f.stderr)
	}
	if n := strings.Count(f.stderr.String(), "--exec for octo/app@main: killed after 50ms"); n != 2 {
		t.Errorf("stderr:\n%s", f.stderr)
	}
	for _, l := range f.stdoutLines() {
		if !json.Valid([]byte(l)) {
			t.Errorf("stdout line %q is not JSON", l)
		}
	}
	if strings.Count(f.stderr.String(), "started\n") != 2 {
		t.Errorf("the hook's stdout is not on stderr:\n%s", f.stderr)
	}
}

// The feed carries the states as they change, and parses as CCTray; once
// the watch is stopped, nothing it started runs on.
func TestWatchCCTray(t *testing.T) {
	f := newWatchFixture(t)
	leak := goroutinesSettle(t)
	type project struct {
		Name            string `xml:"name,attr"`
		Activity        string `xml:"activity,attr"`
		LastBuildStatus string `xml:"lastBuildStatus,attr"`
		LastBuildLabel  string `xml:"lastBuildLabel,attr"`
		LastBuildTime   string `xml:"lastBuildTime,attr"`
		WebURL          string `xml:"webUrl,attr"`
	}
	var seen []project
	feedRE := regexp.MustCompile(`CCTray feed at (http://127\.0\.0\.1:\d+/cc\.xml)`)
	fetch := func() {
		m := feedRE.FindStringSubmatch(f.stderr.String())
		if m == nil {
			t.Fatalf("no feed address in stderr:\n%s", f.stderr)
		}
		resp, err := http.Get(m[1])
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var doc struct {
			XMLName  xml.Name  `xml:"Projects"`
			Projects []project `xml:"Project"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil || len(doc.Projects) != 1 {
			t.Fatalf("cc.xml: %v\n%s", err, body)
		}
		seen = append(seen, doc.Projects[0])
	}
	code := f.run(t, 2, func(n int) {
		fetch()
		if n == 1 {
			f.post("success")
		}
	}, "--cctray", "127.0.0.1:0", "octo/app@main")
	if code != exitOK {
		t.Errorf("exit %d; stderr:\n%s", code, f.stderr)
	}
	if len(seen) != 2 {
		t.Fatalf("fetched %d times", len(seen))
	}
	web := f.srv.URL + "/octo/app/commits/main"
	for i, want := range [][2]string{{"Building", "Unknown"}, {"Sleeping", "Success"}} {
		p := seen[i]
		if p.Name != "octo/app@main" || p.Activity != want[0] || p.LastBuildStatus != want[1] || len(p.LastBuildLabel) != 7 || p.WebURL != web {
			t.Errorf("fetch %d: %+v, want %s/%s", i, p, want[0], want[1])
		}
		if _, err := time.Parse(time.RFC3339, p.LastBuildTime); err != nil {
			t.Errorf("lastBuildTime: %v", err)
		}
	}
	m := feedRE.FindStringSubmatch(f.stderr.String())
	if _, err := http.Get(m[1]); err == nil {
		t.Error("the feed still answers after the watch stopped")
	}
	leak()
}

func TestWatchCCTrayListenError(t *testing.T) {
	f := newWatchFixture(t)
	if code := f.run(t, 0, nil, "--cctray", "127.0.0.1:notaport", "octo/app@main"); code != exitError {
		t.Errorf("exit %d", code)
	}
	if !strings.Contains(f.stderr.String(), "clientsecure: --cctray: ") {
		t.Errorf("stderr:\n%s", f.stderr)
	}
}

func TestWatchVerboseCountsRequests(t *testing.T) {
	f := newWatchFixture(t)
	f.run(t, 3, nil, "-v", "octo/app@main")
	out := f.stderr.String()
	for _, want := range []string{
		"watch: polled 1 of 1 refs: 2 requests, 0 not modified (free); last hour: 2 requests, 2 counted against the rate limit; rate limit 4998/5000 left",
		"watch: polled 1 of 1 refs: 2 requests, 2 not modified (free); last hour: 6 requests, 2 counted against the rate limit",
		"next poll in 1m0s (interval)",
		"headers received: 304 Not Modified (stored response reused)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
}

func TestWatchUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"status", "--exec", "true", "a/b"},
		{"status", "--exit-on-done", "a/b"},
		{"status", "--cctray", ":0", "a/b"},
		{"status", "--interval", "5s", "a/b"},
		{"status", "--watch", "--interval", "1ms", "a/b"},
		{"status", "--watch", "--exec-timeout", "0s", "a/b"},
	} {
		var stderr bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &stderr, getenv: func(string) string { return "" }, now: time.Now}
		if code := run(context.Background(), args, e); code != exitUsage {
			t.Errorf("%v: exit %d, want %d; stderr:\n%s", args, code, exitUsage, stderr.String())
		}
	}
}

// On a terminal the view of every ref is redrawn in place, below the
// change lines.
func TestWatchLiveView(t *testing.T) {
	var b bytes.Buffer
	p := &watchPrinter{w: &b, live: true, width: 80}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	sha := "0123456789abcdef0123456789abcdef01234567"
	res := &buildstatus.Result{Repo: "octo/app", Ref: "main", SHA: sha, State: buildstatus.StateFailure,
		Contexts: []buildstatus.Context{{Name: "ci", Kind: buildstatus.KindStatus, State: buildstatus.StateFailure}}}
	change := watch.Change{Time: at, Repo: "octo/app", Ref: "main", SHA: sha, Previous: buildstatus.StatePending,
		Current: buildstatus.StateFailure, Failing: []string{"ci"}, Result: res}
	round := watch.Round{Time: at, Checked: 2, Next: at.Add(time.Minute), Wait: watch.WaitInterval,
		LastHour: watch.Spend{Requests: 2}, Statuses: []watch.Status{
			{Target: watch.Target{Owner: "octo", Repo: "app", Ref: "main"}, Ref: "main", State: buildstatus.StateFailure, SHA: sha, Since: at, Result: res},
			{Target: watch.Target{Owner: "octo", Repo: "app", Ref: "dev"}, Ref: "dev"},
		}}
	p.change(change) // nothing to erase yet
	p.round(round)
	p.round(round)   // erased, redrawn
	p.change(change) // erased, the line takes its place
	p.round(round)
	out := b.String()
	if strings.Count(out, "\x1b") != 4 || strings.Count(out, "\x1b[3A\r\x1b[J") != 2 {
		t.Errorf("the view is not erased before each change and redraw:\n%q", out)
	}
	if !strings.Contains(out, "  failure   octo/app@main 0123456 since 12:00:00; failing: ci\n") ||
		!strings.Contains(out, "  waiting   octo/app@dev\n") ||
		!strings.Contains(out, "  next poll 12:01:00 (interval); 2 requests in the last hour, 2 counted\n") {
		t.Errorf("view:\n%s", out)
	}
	for _, l := range strings.Split(out, "\n") {
		if len([]rune(l)) > 100 {
			t.Errorf("line wider than the terminal: %q", l)
		}
	}
}

// Output that is not a terminal gets no escape sequences.
func TestWatchNoLiveViewWhenNotATerminal(t *testing.T) {
	file, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	term := func(string) string { return "xterm" }
	if isTerminal(file, term) || isTerminal(&bytes.Buffer{}, term) {
		t.Error("a file or buffer taken for a terminal")
	}
	f := newWatchFixture(t)
	f.run(t, 2, nil, "octo/app@main")
	if strings.Contains(f.stdout.String(), "\x1b") {
		t.Errorf("escape sequences in stdout:\n%q", f.stdout)
	}
}

// goroutinesSettle fails the test if, at the time it is called back, more
// goroutines run than when goroutinesSettle was called, once connections
// have had a moment to close.
func goroutinesSettle(t *testing.T) func() {
	before := runtime.NumGoroutine()
	return func() {
		t.Helper()
		var now int
		for range 300 {
			if now = runtime.NumGoroutine(); now <= before {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines left, %d before:\n%s", now, before, buf[:runtime.Stack(buf, true)])
	}
}

// A server that is not the one pinned: the change line, then once the
// certificates it sent, as status shows them.
func TestWatchIdentityErrorShownOnce(t *testing.T) {
	f := newWatchFixture(t)
	pin := "CF 05 98 89 CA FF 8E D8 5E 5C E0 C2 E4 F7 E6 C3 C7 50 DD 5C"
	code := f.run(t, 3, nil, "--pin", pin, "octo/app@main")
	out := f.stdout.String()
	if code != exitIdentity || strings.Count(out, "octo/app@main: error: identity of 127.0.0.1 not verified") != 1 ||
		!strings.Contains(out, clientsecure.CertificatePins(scriptPKI().Good.Cert).SHA1.String()) {
		t.Errorf("exit %d, stdout:\n%s", code, out)
	}
	if st := f.srv.Hub.Stats(); st.Requests != 0 {
		t.Errorf("%d requests reached a server that failed verification", st.Requests)
	}
}

// Stopped before the first answer: an error, said so.
func TestWatchStoppedBeforeAnswer(t *testing.T) {
	f := newWatchFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e := &env{stdin: strings.NewReader(""), stdout: f.stdout, stderr: f.stderr, getenv: func(string) string { return "" }, now: time.Now}
	code := run(ctx, []string{"status", "--watch", "--api-url", f.srv.URL, "--ca-file", f.root, "octo/app@main"}, e)
	if code != exitError || !strings.Contains(f.stderr.String(), "clientsecure: stopped before any answer") {
		t.Errorf("exit %d, stderr:\n%s", code, f.stderr)
	}
}
