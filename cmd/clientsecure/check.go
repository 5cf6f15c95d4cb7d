package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clientsecure/clientsecure/check"
	"github.com/clientsecure/clientsecure/scan"
)

type checkOptions struct {
	trustFlags
	format   string
	json     bool
	fix      bool
	diff     bool
	warnDays int
	jobs     int
	host     string
}

func newCheckCmd(e *env) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check [flags] [PATH...]",
		Short: "Find the trust data in a sketch or firmware tree and judge it against the live servers",
		Long: `check scans files and folders (default .) for the trust data devices carry:
fingerprints ("CF 05 ...", "CF:05:...", hex strings, C byte arrays), public-key pins,
PEM certificates and keys (files, DER, C/C++ literals and raw strings, Python, YAML,
JSON), BearSSL TAs[] arrays, certs.ar and ESP-IDF x509_crt_bundle files, and the
host names and ports the code connects to. It pairs each item with its host, contacts
each host once and says, for each item, whether it is current, expiring (within
--warn-days), fragile (a CA-issued leaf used as anchor), stale, misused (a CA's
fingerprint given to setFingerprint), unreachable or unpaired.

--fix rewrites every stale, fragile or misused item that has one safe replacement, in
place and in its own spelling; --diff shows the same change as a unified diff.

Exit: 1 stale or misused, else 5 a host unreachable, else 2 expiring or fragile,
else 3 nothing could be judged, else 0; 64 usage.`,
		Example: `  clientsecure check
  clientsecure check --format sarif sketches/ > check.sarif
  clientsecure check --diff src/
  clientsecure check --fix --host api.github.com include/certs.h`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), e, args)
		},
	}
	o.register(cmd.Flags())
	f := cmd.Flags()
	f.StringVar(&o.format, "format", "text", "output format: text, json, sarif")
	f.BoolVar(&o.json, "json", false, "short for --format json")
	f.BoolVar(&o.fix, "fix", false, "rewrite stale, fragile and misused items in place, keeping their spelling")
	f.BoolVar(&o.diff, "diff", false, "print what --fix would change as a unified diff, writing nothing")
	f.IntVar(&o.warnDays, "warn-days", check.DefaultWarnDays, "an item whose certificate ends within this many days is expiring (0: never)")
	f.IntVar(&o.jobs, "jobs", check.DefaultJobs, "hosts contacted at once")
	f.StringVar(&o.host, "host", "", "HOST[:PORT] for the items whose code names no host")
	return cmd
}

// checkWriters are the --format values.
var checkWriters = map[string]func(r *check.Report, w io.Writer) error{
	"text":  (*check.Report).WriteText,
	"json":  (*check.Report).WriteJSON,
	"sarif": func(r *check.Report, w io.Writer) error { return r.WriteSARIF(w, buildVersion()) },
}

func (o *checkOptions) run(ctx context.Context, e *env, paths []string) error {
	if o.json {
		o.format = "json"
	}
	write, ok := checkWriters[o.format]
	switch {
	case !ok:
		return usagef("--format %q: want text, json or sarif", o.format)
	case o.fix && o.diff:
		return usagef("--fix and --diff go one at a time")
	case o.jobs < 1:
		return usagef("--jobs %d: want at least 1", o.jobs)
	case o.warnDays < 0:
		return usagef("--warn-days %d: want 0 or more", o.warnDays)
	}
	scanOpts := scan.Options{}
	if o.host != "" {
		host, port, err := parseTarget(o.host)
		if err != nil {
			return usagef("--host: %v", err)
		}
		scanOpts.Fallback = &scan.Host{Name: host, Port: port}
	}
	trust, err := o.trust(e.warnf)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	res, err := scan.Tree(paths, scanOpts)
	if err != nil {
		return usageErr(err)
	}
	for _, w := range res.Warnings {
		e.warnf("warning: %s", strings.TrimPrefix(w.Error(), "scan: "))
	}
	opts := check.Options{Trust: trust, Jobs: o.jobs, WarnDays: o.warnDays}
	if o.warnDays == 0 {
		opts.WarnDays = -1
	}
	ctx, cancel := o.withTimeout(ctx)
	defer cancel()
	report := check.Run(ctx, res, opts)
	for _, f := range report.Findings {
		if f.State == check.Unpaired {
			e.warnf("warning: %s: unpaired: %s", findingPlace(f), f.Message)
		}
	}

	switch {
	case o.diff:
		diff, err := check.Diff(report.Fixable())
		if err != nil {
			return err
		}
		fmt.Fprint(e.stdout, diff)
	case o.fix:
		changes, err := check.Apply(report.Fixable())
		changeOut := e.stdout
		if o.format != "text" {
			changeOut = e.stderr // stdout holds the document
		}
		for _, c := range changes {
			fmt.Fprintf(changeOut, "%s:%d: %s -> %s\n", c.File, c.Line, c.Old, c.New)
		}
		if err != nil {
			return err
		}
		// Judge the tree as it is left, against what the hosts sent.
		after, err := scan.Tree(paths, scanOpts)
		if err != nil {
			return err
		}
		report = check.Judge(after, report.Hosts, opts)
		if o.format == "text" && len(changes) > 0 {
			fmt.Fprintln(changeOut)
		}
		if err := write(report, e.stdout); err != nil {
			return err
		}
	default:
		if err := write(report, e.stdout); err != nil {
			return err
		}
	}
	if code := report.Exit(); code != exitOK {
		return exitCode(code, nil)
	}
	return nil
}

func findingPlace(f *check.Finding) string {
	if f.Item.Line == 0 {
		return f.Item.File
	}
	return fmt.Sprintf("%s:%d", f.Item.File, f.Item.Line)
}

// buildVersion is the module version, else the VCS revision, else devel.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			return s.Value
		}
	}
	return "devel"
}
