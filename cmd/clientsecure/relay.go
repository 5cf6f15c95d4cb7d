package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/spf13/cobra"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/buildstatus"
	"github.com/clientsecure/clientsecure/devicetls"
	"github.com/clientsecure/clientsecure/inspect"
	"github.com/clientsecure/clientsecure/relay"
	"github.com/clientsecure/clientsecure/watch"
)

type relayOptions struct {
	trustFlags
	deviceFlags
	apiURL      string
	interval    time.Duration
	state       string
	deviceToken string
	metrics     string
	maxConns    int
}

// minRelayInterval keeps a mistyped --interval from hammering GitHub.
const minRelayInterval = time.Second

// relayClock is the relay's clock; tests replace it, nil is the real one.
var relayClock watch.Clock

func newRelayCmd(e *env) *cobra.Command {
	o := &relayOptions{}
	cmd := &cobra.Command{
		Use:   "relay [flags] OWNER/REPO[@REF]...",
		Short: "Serve the build verdict of some refs to small devices on the LAN, over small TLS records",
		Long: `relay polls GitHub for the build verdict of each ref given (statuses and check
runs, as status does: one conditional, authenticated request pair per ref per
--interval, whatever the number of devices) and serves it to devices at
/repos/{o}/{r}/commits/{ref}/status: a body of at most 512 bytes beginning
{"state":"success"|"failure"|"pending", so the "Client Secure" sketch works
unchanged but for host and fingerprint, Actions-only repositories included.

The device side keeps its key and a self-signed certificate (valid from 1970 for
30 years, naming every address of the machine so BearSSL's trust-anchor mode
accepts a sketch that connects by IP) in --state, so the fingerprint a device
holds stays valid across restarts; replicas sharing the directory present the
same identity. TLS 1.2 records carry at most --max-record bytes, handshake
included, so a BearSSL client with 512-byte buffers works.

The GitHub token comes from GH_TOKEN, else GITHUB_TOKEN; it goes to the API host
only and never reaches a device or the log. Devices must send --device-token
(or CLIENTSECURE_DEVICE_TOKEN) as "Authorization: Bearer T" or ?token=T when it
is set. GET /time answers {"unix":N} to devices that need the time.`,
		Example: `  GH_TOKEN=... clientsecure relay esp8266/Arduino@master
  clientsecure relay --addr 0.0.0.0:8443 --device-token s3cret --metrics 127.0.0.1:9464 octo/app@main`,
		Args: cobraArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), e, args)
		},
	}
	f := cmd.Flags()
	o.trustFlags.register(f)
	o.deviceFlags.register(f)
	f.Lookup("timeout").Usage = "limit for each upstream request"
	f.StringVar(&o.apiURL, "api-url", "", "GitHub API base URL (env GITHUB_API_URL; default "+defaultAPIURL+")")
	f.DurationVar(&o.interval, "interval", time.Minute, "time between polls of each ref (never less than the server's X-Poll-Interval)")
	f.StringVar(&o.state, "state", "", "directory keeping the device-side key and certificate (default $XDG_STATE_HOME/clientsecure/relay)")
	f.StringVar(&o.deviceToken, "device-token", "", "token devices must send (env CLIENTSECURE_DEVICE_TOKEN)")
	f.StringVar(&o.metrics, "metrics", "", "serve Prometheus metrics at http://ADDR/metrics and /healthz")
	f.IntVar(&o.maxConns, "max-conns", relay.DefaultMaxConns, "most device connections open at once (the oldest idle one is closed for a new one)")
	return cmd
}

func (o *relayOptions) run(ctx context.Context, e *env, args []string) error {
	targets, err := relayTargets(args)
	if err != nil {
		return err
	}
	if err := o.deviceFlags.check(); err != nil {
		return err
	}
	switch {
	case o.interval < minRelayInterval:
		return usagef("--interval %v: at least %v", o.interval, minRelayInterval)
	case o.maxConns < 1:
		return usagef("--max-conns %d: at least 1", o.maxConns)
	}
	trust, err := o.trust(e.warnf)
	if err != nil {
		return err
	}
	apiURL, token, err := upstreamFrom(o.apiURL, e, trust)
	if err != nil {
		return err
	}
	deviceToken := o.deviceToken
	if deviceToken == "" {
		deviceToken = e.getenv("CLIENTSECURE_DEVICE_TOKEN")
	}
	if deviceToken != "" && token != "" && deviceToken == token {
		return usagef("--device-token is the GitHub token: devices would hold it; choose another")
	}
	stateDir := o.state
	if stateDir == "" {
		stateDir = defaultStateDir(e)
	}
	if o.certFile != "" {
		stateDir = ""
	}
	id, err := o.identity(stateDir, e.now())
	if err != nil {
		return err
	}

	metrics := relay.NewMetrics()
	client, _, err := relay.NewUpstream(clientsecure.NewClient(trust), apiURL, token, metrics)
	if err != nil {
		return usageErr(err)
	}
	client.SetClock(e.now)
	log := &relayLog{w: e.stderr}
	r, err := relay.New(relay.Config{
		Targets:     targets,
		Check:       client.Checker(buildstatus.Want{}),
		Interval:    o.interval,
		Timeout:     o.timeout,
		Clock:       relayClock,
		DeviceToken: deviceToken,
		Metrics:     metrics,
		OnRound:     log.round,
	})
	if err != nil {
		return err
	}

	var lc net.ListenConfig
	raw, err := lc.Listen(ctx, "tcp", o.addr)
	if err != nil {
		return fmt.Errorf("clientsecure: relay: %w", err)
	}
	opts := o.tlsOptions()
	ln := devicetls.Listen(raw, devicetls.Config(id.Certificate, opts), opts)
	if o.metrics != "" {
		stop, err := serveMetrics(ctx, o.metrics, metrics)
		if err != nil {
			raw.Close()
			return err
		}
		defer stop()
	}
	if !loopback(raw.Addr()) && deviceToken == "" {
		e.warnf("warning: listening on %s without --device-token: anyone on the network can read the verdicts", raw.Addr())
	}
	printRelay(e.stdout, raw.Addr(), id, targets, o.maxRecord, deviceToken != "")
	if unnamed := devicetls.Unnamed(id.Certificate.Leaf, devicetls.MachineNames()); id.Path != "" && len(unnamed) > 0 {
		e.warnf("warning: the kept certificate does not name %s (made before this address existed): fingerprint and key pins still work, trust-anchor mode by that name does not", strings.Join(unnamed, ", "))
	}

	srv := &relay.Server{Handler: r, Listener: ln, MaxConns: o.maxConns, Metrics: metrics}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var pollErr error
	wg.Go(func() {
		pollErr = r.Run(ctx)
		cancel()
	})
	serveErr := srv.Serve(ctx)
	cancel()
	wg.Wait()
	if serveErr != nil {
		return fmt.Errorf("clientsecure: relay: %w", serveErr)
	}
	if pollErr != nil && !errors.Is(pollErr, context.Canceled) {
		return fmt.Errorf("clientsecure: relay: %w", pollErr)
	}
	fmt.Fprintln(e.stderr, "clientsecure: relay: stopped")
	return nil
}

// relayTargets are the refs given, as status reads them. A pull request
// is refused, as its head moves and the sketch asks by ref; so is another
// host, as the relay reads one API (--api-url).
func relayTargets(args []string) ([]watch.Target, error) {
	var targets []watch.Target
	for _, a := range args {
		t, err := buildstatus.ParseSpec(a)
		switch {
		case err != nil:
			return nil, usageErr(err)
		case t.Pull > 0:
			return nil, usagef("%s: relay serves branches, tags and commits, not pull requests (their head moves; a sketch asks by ref)", a)
		case t.Host != "":
			return nil, usagef("%s: relay reads one API: give --api-url %s and %s/%s", a, t.APIURL(), t.Owner, t.Repo)
		}
		targets = append(targets, t)
	}
	return targets, nil
}

// upstreamFrom is the API URL and token, as status takes them.
func upstreamFrom(flag string, e *env, trust *clientsecure.Trust) (apiURL, token string, err error) {
	apiURL = flag
	if apiURL == "" {
		apiURL = e.getenv("GITHUB_API_URL")
	}
	if apiURL == "" {
		apiURL = defaultAPIURL
	}
	if u, err := url.Parse(apiURL); err != nil || u.Scheme != "https" || u.Host == "" {
		return "", "", usagef("--api-url %q: want an https:// URL like %s", apiURL, defaultAPIURL)
	}
	token = e.getenv("GH_TOKEN")
	if token == "" {
		token = e.getenv("GITHUB_TOKEN")
	}
	if token != "" && trust.Insecure && len(trust.Pins) == 0 {
		e.warnf("warning: token withheld: --insecure without --pin cannot tell the API server from anyone else")
		token = ""
	}
	return apiURL, token, nil
}

// defaultStateDir is $XDG_STATE_HOME/clientsecure/relay, else
// ~/.local/state/clientsecure/relay.
func defaultStateDir(e *env) string {
	base := e.getenv("XDG_STATE_HOME")
	if base == "" {
		base = filepath.Join(e.getenv("HOME"), ".local", "state")
	}
	return filepath.Join(base, "clientsecure", "relay")
}

// serveMetrics serves the metrics and /healthz on addr until stop.
func serveMetrics(ctx context.Context, addr string, m *relay.Metrics) (stop func(), err error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("clientsecure: --metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: relay.HeaderTimeout}
	go srv.Serve(ln)
	return func() { srv.Close() }, nil
}

// relayLog prints each ref's news: its verdict, or the kind of error
// upstream gave (never upstream's text).
type relayLog struct {
	w    io.Writer
	mu   sync.Mutex
	last map[string]string
}

func (l *relayLog) round(r watch.Round) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = map[string]string{}
	}
	for _, s := range r.Statuses {
		var line string
		switch {
		case s.State == "":
			continue
		case s.Err != nil:
			line = "upstream " + string(relay.Classify(s.Err))
		default:
			line = string(s.State) + " at " + shortSHA(s.SHA)
		}
		if l.last[s.Name()] != line {
			l.last[s.Name()] = line
			fmt.Fprintf(l.w, "clientsecure: relay: %s %s: %s\n", r.Time.UTC().Format(time.TimeOnly), s.Name(), line)
		}
	}
}

// printRelay says where the relay is, how a device trusts it, and the
// lines of the document's sketch that change.
func printRelay(w io.Writer, a net.Addr, id *devicetls.Identity, targets []watch.Target, maxRecord int, token bool) {
	leaf := id.Certificate.Leaf
	c := inspect.Describe(leaf)
	tcp, _ := a.(*net.TCPAddr)
	port := 0
	hosts := []string{}
	if tcp != nil {
		port = tcp.Port
		if tcp.IP.IsUnspecified() {
			for _, n := range devicetls.MachineNames() {
				if ip := net.ParseIP(n); ip != nil && !ip.IsLoopback() {
					hosts = append(hosts, n)
				}
			}
		}
		if len(hosts) == 0 {
			hosts = append(hosts, tcp.IP.String())
		}
	}
	fmt.Fprintf(w, "clientsecure relay: serving %d ref(s) to devices on %s\n", len(targets), a)
	for _, h := range hosts {
		fmt.Fprintf(w, "  address        https://%s\n", net.JoinHostPort(h, strconv.Itoa(port)))
	}
	kept := "made now"
	if id.Path != "" && !id.Created {
		kept = "kept in " + id.Path
	} else if id.Path != "" {
		kept = "made now, kept in " + id.Path
	}
	fmt.Fprintf(w, "  certificate    %s, %s, valid until %s (%s)\n", c.Subject, c.Key(), leaf.NotAfter.UTC().Format(time.DateOnly), kept)
	fmt.Fprintf(w, "  sha1           %s   (the document's form; ESP8266 setFingerprint)\n", c.SHA1Document())
	fmt.Fprintf(w, "  sha256         %s   (ESP32 verify)\n", c.SHA256)
	fmt.Fprintf(w, "  spki pin       %s\n", c.SPKISHA256)
	fmt.Fprintf(w, "  records        at most %d bytes (TLS 1.2, handshake included)\n", maxRecord)
	for _, t := range targets {
		ref := t.Ref
		if ref == "" {
			ref = "{default branch}"
		}
		fmt.Fprintf(w, "  route          /repos/%s/%s/commits/%s/status\n", t.Owner, t.Repo, ref)
	}
	fmt.Fprintln(w, "the sketch's lines that change:")
	fmt.Fprintf(w, "  const char* host = %q;\n", hosts[0])
	fmt.Fprintf(w, "  const int httpsPort = %d;\n", port)
	fmt.Fprintf(w, "  const char* fingerprint = %q;\n", c.SHA1Document())
	if maxRecord == 512 {
		fmt.Fprintln(w, "  client.setBufferSizes(512, 512);   // optional: saves about 20 KB of heap")
	}
	if token {
		fmt.Fprintln(w, `  // and send "Authorization: Bearer <device token>" with the request`)
	}
}
