package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/buildstatus"
)

const defaultAPIURL = "https://api.github.com"

type statusOptions struct {
	trustFlags
	apiURL      string
	json        bool
	concurrency int
	expect      []string
	required    bool
	watch       watchOptions
}

func newStatusCmd(e *env) *cobra.Command {
	o := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status [flags] REPO-SPEC...",
		Short: "Say whether the build of each ref passed: GitHub commit statuses and check runs",
		Long: `status is the "Client Secure" document's build failure detector, done properly: it
reads every commit status and every check run of each ref (all pages), keeps the
latest of each, and reduces them to one verdict: success, failure, pending or
no_status. A REPO-SPEC is one of:

` + indent(buildstatus.SpecForms, "  ") + `

--expect NAME makes a check that has not reported yet (a workflow not started)
keep the verdict pending; --required counts only the checks the branch requires
(its rules and branch protection; a pull request's base branch), and keeps the
verdict pending while one of them has not reported.

The token comes from GH_TOKEN, else GITHUB_TOKEN, and is sent only to the API host,
never over --insecure without a pin, and never printed. A GitHub Enterprise host
named in a REPO-SPEC gets GH_ENTERPRISE_TOKEN, else GITHUB_ENTERPRISE_TOKEN,
never the github.com token.

Exit codes: 0 all green, 1 a build failed, 2 pending, 3 nothing reported,
4 server identity not verified, 5 other error, 64 usage error; with several refs
the first present in the order 4, 5, 1, 2, 3, 0.`,
		Example: `  clientsecure status esp8266/Arduino@master
  clientsecure status --required https://github.com/cli/cli/pull/5573
  clientsecure status --json cli/cli golang/go@master
  clientsecure status --api-url https://127.0.0.1:8443 --pin "CF 05 98 ..." esp8266/Arduino`,
		Args: cobraArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), e, args)
		},
	}
	o.register(cmd.Flags())
	f := cmd.Flags()
	f.StringVar(&o.apiURL, "api-url", "", "GitHub API base URL (env GITHUB_API_URL; default "+defaultAPIURL+")")
	f.BoolVar(&o.json, "json", false, "print the results as JSON")
	f.IntVar(&o.concurrency, "concurrency", 8, "refs checked at once")
	f.StringArrayVar(&o.expect, "expect", nil, "a context or check that must be present: while missing, the verdict is at best pending (repeatable)")
	f.BoolVar(&o.required, "required", false, "count only the checks the branch requires; one not reported yet is missing")
	o.watch.register(cmd)
	return cmd
}

// outcome is a Result with the error that made it, kept for the exit code.
type outcome struct {
	*buildstatus.Result
	Server *serverInfo `json:"server,omitempty"`
	target buildstatus.Target
	err    error
}

// name is how the outcome is shown: the target as asked, with the ref it
// resolved to ([HOST/]OWNER/REPO@REF, or OWNER/REPO#N for a pull request).
func (o *outcome) name() string {
	t := o.target
	if t.Pull == 0 && o.Ref != "" {
		t.Ref = o.Ref
	}
	return t.String()
}

func (o *statusOptions) run(ctx context.Context, e *env, args []string) error {
	targets := make([]buildstatus.Target, 0, len(args))
	for _, a := range args {
		t, err := buildstatus.ParseSpec(a)
		if err != nil {
			return usagef("%s\nA REPO-SPEC is one of:\n%s", errorLine(err), indent(buildstatus.SpecForms, "  "))
		}
		targets = append(targets, t)
	}
	if o.concurrency < 1 {
		return usagef("--concurrency must be at least 1")
	}
	for _, name := range o.expect {
		if strings.TrimSpace(name) == "" {
			return usagef("--expect needs a check's name")
		}
	}
	if err := o.watch.validate(); err != nil {
		return err
	}
	trust, err := o.trust(e.warnf)
	if err != nil {
		return err
	}
	apis, err := o.upstreams(e, targets, trust)
	if err != nil {
		return err
	}
	want := buildstatus.Want{Expect: o.expect, Required: o.required}
	if o.watch.on {
		return o.runWatch(ctx, e, targets, apis, trust, want)
	}

	tr := newTracer(e.stderr, o.verbose)
	ups, err := apis.connect(e, trust, tr, false)
	if err != nil {
		return err
	}
	defer ups.close()

	ctx, cancel := o.withTimeout(ctx)
	defer cancel()
	// One trace for every API; who answered, and why it was believed, as
	// each handshake decided it, for --json.
	ct := tr.clientTrace(trust)
	var servers *serverLog
	if o.json {
		servers = recordServers(trust)
	}
	for _, up := range ups.ups {
		up.trace = ct
	}
	outcomes := checkAll(ctx, ups, targets, want, o.concurrency)
	for _, out := range outcomes {
		traceVerdict(tr, out)
	}
	tr.printf("closing connection")
	notes := newNoter(e)
	for _, out := range outcomes {
		if out.err == nil && servers != nil {
			out.Server = servers.get(apis.api(out.target).url)
		}
		out.err = timeoutErr(ctx, out.err, o.timeout)
		if out.err != nil {
			out.Error = errText(out.err)
		}
		notes.note(out.name(), out.Notes)
	}
	if o.json {
		if err := writeStatusJSON(e.stdout, outcomes); err != nil {
			return err
		}
	} else {
		writeStatusText(e.stdout, outcomes, o.verbose)
	}
	return exitCode(statusExitCode(outcomes), nil)
}

// apiConfig is where status asks and with which token.
type apiConfig struct {
	url      string
	token    string // "" when anonymous
	withheld bool   // a token was set but is not sent (--insecure without --pin)
	// tokenVars names where the token comes from, for hints.
	tokenVars string
}

// newAPIClient is the GitHub client of status and --watch: over a verified
// connection, tracing requests when tr is on, and, for polling
// (conditional), answering repeated requests with 304s. The conditional
// store is keyed by URL, not by credentials: one per token, and this
// client has one token.
func newAPIClient(e *env, trust *clientsecure.Trust, api apiConfig, tr *tracer, conditional bool) (*buildstatus.Client, *http.Client, error) {
	hc := clientsecure.NewClient(trust)
	if conditional {
		hc.Transport = buildstatus.NewConditionalTransport(hc.Transport)
	}
	client, err := buildstatus.NewClient(hc, api.url, api.token)
	if err != nil {
		return nil, nil, usageErr(err)
	}
	switch {
	case api.withheld:
		// Setting GH_TOKEN would not help: it is set, and not sent.
		client.SetAnonymousHint("the token is withheld without --pin")
	case api.tokenVars != "" && api.tokenVars != githubTokenVars:
		client.SetAnonymousHint("set " + api.tokenVars)
	}
	client.SetClock(e.now)
	if tr.on() {
		client.SetTrace(buildstatus.Trace(tr.printf))
	}
	return client, hc, nil
}

// checkAll checks every target, at most limit at once, each on its API's
// client (sharing its verified connections), and returns the outcomes in
// the order asked.
func checkAll(ctx context.Context, ups *connected, targets []buildstatus.Target, want buildstatus.Want, limit int) []*outcome {
	results := buildstatus.CheckAll(ctx, len(targets), limit, func(ctx context.Context, i int) (*buildstatus.Result, error) {
		up := ups.of(targets[i])
		if up.trace != nil {
			ctx = httptrace.WithClientTrace(ctx, up.trace)
		}
		return up.client.Check(ctx, targets[i], want)
	})
	outcomes := make([]*outcome, len(targets))
	for i, r := range results {
		if r.Result == nil {
			t := targets[i]
			r.Result = &buildstatus.Result{Repo: t.Owner + "/" + t.Repo, Ref: t.Ref, Pull: t.Pull, State: buildstatus.StateError,
				Contexts: []buildstatus.Context{}, Missing: []string{}}
		}
		outcomes[i] = &outcome{Result: r.Result, target: targets[i], err: r.Err}
	}
	return outcomes
}

// traceVerdict ends a ref's trace as the document's sketch does: the
// verdict in words, then the reply it was drawn from.
func traceVerdict(tr *tracer, o *outcome) {
	if !tr.on() || o.err != nil {
		return
	}
	words := map[buildstatus.State]string{
		buildstatus.StateSuccess:  "CI successful!",
		buildstatus.StateFailure:  "CI has failed",
		buildstatus.StatePending:  "CI is still running",
		buildstatus.StateNoStatus: "CI reported nothing",
	}[o.State]
	tr.printf("%s %s", o.name(), words)
	reply, err := json.Marshal(o.Result)
	if err == nil {
		tr.printf("reply was:\n%s", reply)
	}
}

// statusExitCode is the first code present in the order 4, 5, 1, 2, 3, 0.
func statusExitCode(outcomes []*outcome) int {
	present := map[int]bool{}
	for _, o := range outcomes {
		present[outcomeCode(o)] = true
	}
	for _, code := range []int{exitIdentity, exitError, exitFailed, exitPending, exitNoStatus} {
		if present[code] {
			return code
		}
	}
	return exitOK
}

func outcomeCode(o *outcome) int {
	if o.err != nil {
		return codeOf(o.err)
	}
	switch o.State {
	case buildstatus.StateSuccess:
		return exitOK
	case buildstatus.StateFailure:
		return exitFailed
	case buildstatus.StatePending:
		return exitPending
	case buildstatus.StateNoStatus:
		return exitNoStatus
	}
	return exitError
}

// errText is an error for a Result's "error" field: the identity error's
// first line (the rest is in the text output), any other as displayErr
// words it.
func errText(err error) string {
	var ie *clientsecure.IdentityError
	if errors.As(err, &ie) {
		return fmt.Sprintf("identity of %s not verified: %v", ie.Host, ie.Reason)
	}
	return displayErr(err)
}

// serverInfo is the "server" object of --json: who answered, and why it
// was believed.
type serverInfo struct {
	Host       string `json:"host"` // the origin dialed, never a proxy
	TLSVersion string `json:"tls_version"`
	Cipher     string `json:"cipher_suite"`
	ALPN       string `json:"alpn,omitempty"`
	Verified   string `json:"verified"`
	LeafSHA1   string `json:"leaf_sha1"`
	LeafSPKI   string `json:"leaf_spki_sha256"`
}

// serverLog keeps the first verified handshake with each origin.
type serverLog struct {
	mu   sync.Mutex
	seen map[string]*serverInfo // by "host:port"
}

// recordServers makes trust record what each first handshake with an
// origin decided (Trust.OnVerified, chained to any hook already set), so
// that nothing is verified twice. Call it before trust is first used.
func recordServers(trust *clientsecure.Trust) *serverLog {
	l := &serverLog{seen: make(map[string]*serverInfo)}
	prev := trust.OnVerified
	trust.OnVerified = func(cs tls.ConnectionState, v *clientsecure.Verification) {
		if prev != nil {
			prev(cs, v)
		}
		if len(cs.PeerCertificates) == 0 {
			return
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.seen[v.Addr] != nil {
			return
		}
		pins := clientsecure.CertificatePins(cs.PeerCertificates[0])
		l.seen[v.Addr] = &serverInfo{
			Host:       v.Addr,
			TLSVersion: tls.VersionName(cs.Version),
			Cipher:     tls.CipherSuiteName(cs.CipherSuite),
			ALPN:       cs.NegotiatedProtocol,
			Verified:   verificationWords(trust, v, cs),
			LeafSHA1:   pins.SHA1.String(),
			LeafSPKI:   pins.SPKI.String(),
		}
	}
	return l
}

// get is what was recorded for the origin of apiURL, nil if nothing was.
func (l *serverLog) get(apiURL string) *serverInfo {
	u, err := url.Parse(apiURL)
	if err != nil {
		return nil
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "443")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seen[addr]
}
