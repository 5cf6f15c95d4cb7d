package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/bundle"
	"github.com/clientsecure/clientsecure/inspect"
)

// bundleJobs is how many hosts bundle contacts at once.
const bundleJobs = 8

type bundleOptions struct {
	trustFlags
	roots      string
	spare      string
	from       string
	fromTree   string
	format     string
	json       bool
	output     string
	alternates bool
	verify     bool
	warnDays   int

	// finder finds the hosts of --from-tree; nil when no scanner is
	// wired in.
	finder hostFinder
	// isTerminal reports whether w is a terminal (binary formats refuse
	// one).
	isTerminal func(w io.Writer) bool
}

// treeHosts is the scanner --from-tree uses.
//
// TODO(merge check): package scan, check's tree scanner, has not landed on
// main; wire it here (an adapter of scan's host findings) when it does.
var treeHosts hostFinder

// hostFinder finds, in a source tree, the hosts its code talks to, as
// HOST[:PORT] or URLs: the scanner of `check`.
type hostFinder interface {
	Hosts(dir string) ([]string, error)
}

func newBundleCmd(e *env) *cobra.Command {
	o := &bundleOptions{finder: treeHosts, isTerminal: fileIsTerminal}
	cmd := &cobra.Command{
		Use:   "bundle [flags] HOST[:PORT]|URL...",
		Short: "Build the smallest trust store that verifies the hosts a device talks to",
		Long: `bundle connects to every host given (or listed in --from, or found in the code of
--from-tree), takes every chain that verifies it against the candidate anchors
(--roots, default the system's roots), cross-signed paths included, and writes the
fewest anchors that verify them all, in the format a device loads. For a URL, the
redirects are followed (at most 10) and every host on the way is covered too.

Formats: pem, arduino (one PROGMEM PEM string for X509List / setCACert), bearssl
(C source: TAs[] and TAs_NUM as brssl ta writes), certs-ar (ESP8266 CertStore),
esp-idf (x509_crt_bundle of ESP-IDF v5.4 and later, arduino-esp32 3.2+),
esp-idf-legacy (the layout of earlier releases), json (the report).

The report goes to stderr: each host and its anchors, each anchor (subject, key,
SHA-256, expiry, hosts, size) and the exact size of every format.

Exit: 0 every host covered; 4 a host no candidate verifies (the bundle is still
written for the others); 5 other errors; 64 usage.`,
		Example: `  clientsecure bundle --format arduino -o trust.h api.github.com https://github.com/esp8266/Arduino/releases/latest
  clientsecure bundle --format certs-ar -o data/certs.ar --from hosts.txt
  clientsecure bundle --format esp-idf -o x509_crt_bundle --alternates --verify mqtt.example.com:8883`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), e, args)
		},
	}
	o.register(cmd.Flags())
	f := cmd.Flags()
	f.StringVar(&o.roots, "roots", "", "PEM file of candidate anchors (default: the system's roots)")
	f.StringVar(&o.spare, "spare", "", "PEM file of anchors to add whatever they cover (a CA's next root)")
	f.StringVar(&o.from, "from", "", "file of hosts, one HOST[:PORT] or URL a line (# comments)")
	f.StringVar(&o.fromTree, "from-tree", "", "cover the hosts the code in this directory talks to (check's scanner)")
	f.StringVar(&o.format, "format", "pem", "output format: pem, arduino, bearssl, certs-ar, esp-idf, esp-idf-legacy, json")
	f.BoolVar(&o.json, "json", false, "short for --format json")
	f.StringVarP(&o.output, "output", "o", "", "write the output to this file instead of standard output")
	f.BoolVar(&o.alternates, "alternates", false, "add every other candidate that also verifies a host")
	f.BoolVar(&o.verify, "verify", false, "verify every host again against the bundle alone")
	f.IntVar(&o.warnDays, "warn-days", 30, "warn about anchors that end within this many days")
	// The trust flags that choose what to believe do not apply: bundle
	// verifies against its candidates, and pins or no verification at all
	// would choose no anchors.
	for _, name := range []string{"pin", "pin-only", "insecure", "ca-file", "servername"} {
		f.MarkHidden(name)
	}
	return cmd
}

func (o *bundleOptions) run(ctx context.Context, e *env, args []string) error {
	if o.json {
		o.format = "json"
	}
	format := bundle.FormatNamed(o.format)
	if format == nil && o.format != "json" {
		return usagef("--format %q: want pem, arduino, bearssl, certs-ar, esp-idf, esp-idf-legacy or json", o.format)
	}
	if err := o.refuseTrustFlags(); err != nil {
		return err
	}
	if o.warnDays < 0 {
		return usagef("--warn-days %d: want 0 or more", o.warnDays)
	}
	if format != nil && format.Binary && o.output == "" && o.isTerminal(e.stdout) {
		return usagef("--format %s is binary: give -o FILE or redirect standard output", o.format)
	}
	if o.roots != "" {
		if _, err := readAnchors("--roots", o.roots); err != nil {
			return err
		}
		// The trust flags load the candidates as their CA file: the
		// system's roots (100 ms and more to load) are then never read.
		o.caFile = o.roots
	}
	trust, err := o.trust(e.warnf)
	if err != nil {
		return err
	}
	var spare []*x509.Certificate
	if o.spare != "" {
		if spare, err = readAnchors("--spare", o.spare); err != nil {
			return err
		}
	}
	targets, err := o.targets(args)
	if err != nil {
		return err
	}

	ctx, cancel := o.withTimeout(ctx)
	defer cancel()
	tr := newTracer(e.stderr, o.verbose)
	obs := &bundle.Observer{Trust: trust, Jobs: bundleJobs, Trace: tr.printf}
	hosts := obs.Observe(ctx, targets)
	v := bundle.Verifier{Roots: trust.Roots, Time: trust.Time}
	if v.Time == nil {
		v.Time = e.now
	}
	for _, h := range hosts {
		v.Judge(h)
	}
	b := v.Choose(hosts, bundle.Options{Alternates: o.alternates, Spare: spare})
	if o.verify {
		v.Recheck(b)
	}

	report := bundle.NewReport(b)
	var werr error
	switch {
	case format == nil:
		werr = o.write(e, report.WriteJSON)
	case len(b.Anchors) == 0:
		// The exit code says why (no host verified, or none reached).
		e.warnf("nothing written: no host was verified")
	default:
		werr = o.write(e, func(w io.Writer) error { return format.Write(w, b) })
	}
	if format != nil {
		if err := report.WriteText(e.stderr, b.Minimal); err != nil {
			return err
		}
	}
	for i, a := range report.Anchors {
		if a.DaysLeft < o.warnDays {
			e.warnf("warning: anchor [%d] %s ends in %d days (%s), within --warn-days %d", i, a.Subject, a.DaysLeft, a.NotAfter.Format("2006-01-02"), o.warnDays)
		}
	}
	for _, w := range b.OutOfOrder() {
		e.warnf("warning: %s verifies it only along a path other than the order the server sends: BearSSL (ESP8266) does not build paths and refuses it", w)
	}
	if werr != nil {
		return werr
	}
	return bundleExit(ctx, hosts, o.timeout)
}

// refuseTrustFlags rejects the trust flags that have no meaning here.
func (o *bundleOptions) refuseTrustFlags() error {
	switch {
	case len(o.pins) > 0, o.pinOnly, o.insecure:
		return usagef("bundle chooses anchors from verified chains: --pin, --pin-only and --insecure do not apply")
	case o.caFile != "":
		return usagef("bundle takes its candidate anchors from --roots FILE, not --ca-file")
	case o.serverName != "":
		return usagef("bundle verifies each host by its own name: --servername does not apply (--resolve points a name at another address)")
	}
	return nil
}

// targets are the arguments, then the lines of --from, then the hosts of
// --from-tree.
func (o *bundleOptions) targets(args []string) ([]bundle.Target, error) {
	specs := append([]string{}, args...)
	if o.from != "" {
		lines, err := readHostList(o.from)
		if err != nil {
			return nil, usageErr(err)
		}
		specs = append(specs, lines...)
	}
	if o.fromTree != "" {
		if o.finder == nil {
			return nil, usagef("--from-tree: this build has no tree scanner")
		}
		found, err := o.finder.Hosts(o.fromTree)
		if err != nil {
			return nil, usagef("--from-tree %s: %w", o.fromTree, err)
		}
		specs = append(specs, found...)
	}
	if len(specs) == 0 {
		return nil, usagef("no hosts: give HOST[:PORT] or URL arguments, --from FILE or --from-tree DIR")
	}
	var targets []bundle.Target
	for _, s := range specs {
		t, err := parseBundleTarget(s)
		if err != nil {
			return nil, usageErr(err)
		}
		targets = append(targets, t)
	}
	return targets, nil
}

// parseBundleTarget reads HOST[:PORT] or an https:// URL, which is
// fetched and its redirects followed.
func parseBundleTarget(s string) (bundle.Target, error) {
	host, port, err := parseTarget(s)
	if err != nil {
		if strings.HasPrefix(strings.ToLower(s), "http://") {
			return bundle.Target{}, fmt.Errorf("%q: only https:// URLs: a device cannot verify a server over http", s)
		}
		return bundle.Target{}, err
	}
	t := bundle.Target{Host: host, Port: port}
	if strings.Contains(s, "://") {
		if t.URL, err = url.Parse(s); err != nil {
			return bundle.Target{}, fmt.Errorf("%q: %w", s, err)
		}
	}
	return t, nil
}

// readHostList reads --from: one target a line; blank lines and text
// after '#' are ignored.
func readHostList(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--from %s: %w", path, err)
	}
	return out, nil
}

// readAnchors reads the PEM certificates of --roots or --spare; a file
// with none is a usage error.
func readAnchors(flag, path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("%s: %w", flag, err)
	}
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		return nil, usagef("%s %s: no PEM certificates in it", flag, path)
	}
	certs, err := inspect.LoadCertificates(data)
	if err != nil {
		return nil, usagef("%s %s: %w", flag, path, err)
	}
	return certs, nil
}

// write writes the output to -o (atomically: a failure leaves the file as
// it was) or to stdout.
func (o *bundleOptions) write(e *env, render func(io.Writer) error) error {
	if o.output == "" || o.output == "-" {
		return render(e.stdout)
	}
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(o.output), "."+filepath.Base(o.output)+".*")
	if err != nil {
		return fmt.Errorf("-o %s: %w", o.output, err)
	}
	defer os.Remove(tmp.Name()) // once renamed, there is nothing to remove
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("-o %s: %w", o.output, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("-o %s: %w", o.output, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("-o %s: %w", o.output, err)
	}
	if err := os.Rename(tmp.Name(), o.output); err != nil {
		return fmt.Errorf("-o %s: %w", o.output, err)
	}
	return nil
}

// bundleExit is the exit of a run: 4 if a host reached was verified by no
// candidate, else 5 if any host had an error, else 0. The report has
// already said which and why.
func bundleExit(ctx context.Context, hosts []*bundle.Host, limit time.Duration) error {
	code := exitOK
	for _, h := range hosts {
		var ie *clientsecure.IdentityError
		switch err := h.Problem(); {
		case err == nil:
		case errors.As(err, &ie):
			code = exitIdentity
		case code == exitOK:
			code = exitError
		}
	}
	if code == exitOK {
		return nil
	}
	if ctx.Err() != nil {
		return exitCode(code, fmt.Errorf("timed out after %s (--timeout)", limit))
	}
	return exitCode(code, nil)
}

// fileIsTerminal reports whether w is a terminal.
func fileIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
