package main

import (
	"context"
	"errors"
	"net/http/httptrace"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/buildstatus"
	"github.com/clientsecure/clientsecure/watch"
)

// watchOptions are the flags of `status --watch` (DESIGN.md "--watch").
type watchOptions struct {
	on          bool
	interval    time.Duration
	exitOnDone  bool
	exec        string
	execTimeout time.Duration
	cctray      string
	flags       *pflag.FlagSet // to tell a flag given from a default
}

const (
	defaultWatchInterval = time.Minute
	// minWatchInterval keeps a mistyped --interval from hammering a server.
	minWatchInterval   = 100 * time.Millisecond
	defaultExecTimeout = time.Minute
)

// watchClock is the watch's clock; tests replace it, nil is the real one.
var watchClock watch.Clock

const watchHelp = `

With --watch, status polls until stopped, printing one line per change: the
time, OWNER/REPO@REF, the previous and the new state, the failing contexts
(with --json, one JSON object per change, a line each). On a terminal, a
compact view of every ref stays below the lines. An unchanged ref is asked
with If-None-Match, and its 304 answer costs no rate limit; X-Poll-Interval,
Retry-After and X-RateLimit-Remaining/Reset are honoured (polls slow down
before the limit runs out); errors are retried with backoff. --timeout then
bounds each poll, and -v adds the requests spent in the last hour.
Stopped (Ctrl-C), it exits with the code of the last verdicts.

  --exit-on-done  exit once nothing is pending, with the code above; a ref
                  that is not found or whose server is not verified counts
                  as done, a network error or rate limit does not
  --exec CMD      run "sh -c CMD" on each change (the first verdict too) with
                  CLIENTSECURE_REPO, CLIENTSECURE_REF, CLIENTSECURE_STATE,
                  CLIENTSECURE_PREVIOUS ("" at first) and CLIENTSECURE_SHA;
                  its output goes to ours (stdout to stderr with --json); a
                  failing or overrunning hook is reported and the watch goes on
  --cctray ADDR   serve http://ADDR/cc.xml, a CCTray feed for CCMenu,
                  Nevergreen and BuildNotify: Building while pending, then
                  Success, Failure, Unknown (nothing reported) or Exception
                  (the last poll failed)`

func (w *watchOptions) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&w.on, "watch", false, "poll until stopped, printing each change")
	f.DurationVar(&w.interval, "interval", defaultWatchInterval, "with --watch: time between polls (never less than the server's X-Poll-Interval)")
	f.BoolVar(&w.exitOnDone, "exit-on-done", false, "with --watch: exit with the verdict's code once nothing is pending")
	f.StringVar(&w.exec, "exec", "", "with --watch: shell command to run on each change (CLIENTSECURE_* in its environment)")
	f.DurationVar(&w.execTimeout, "exec-timeout", defaultExecTimeout, "with --exec: limit for each run of the command")
	f.StringVar(&w.cctray, "cctray", "", "with --watch: serve a CCTray feed at http://ADDR/cc.xml")
	w.flags = f
	cmd.Long += watchHelp
	cmd.Example += "\n  clientsecure status --watch --exit-on-done cli/cli@main" +
		"\n  clientsecure status --watch --cctray 127.0.0.1:8080 --exec 'notify-send \"$CLIENTSECURE_REPO $CLIENTSECURE_STATE\"' cli/cli"
}

// validate refuses the watch flags without --watch, and values that make
// no sense.
func (w *watchOptions) validate() error {
	if !w.on {
		for _, name := range []string{"interval", "exit-on-done", "exec", "exec-timeout", "cctray"} {
			if w.flags != nil && w.flags.Changed(name) {
				return usagef("--%s needs --watch", name)
			}
		}
		return nil
	}
	if w.interval < minWatchInterval {
		return usagef("--interval %v: at least %v", w.interval, minWatchInterval)
	}
	if w.execTimeout <= 0 {
		return usagef("--exec-timeout %v: must be positive", w.execTimeout)
	}
	return nil
}

// runWatch is `status --watch`: the one-shot status's client, made
// conditional, driven by a watch.Watcher until ctx ends or, with
// --exit-on-done, nothing is pending.
func (o *statusOptions) runWatch(ctx context.Context, e *env, targets []watch.Target, apis *apiPlan, trust *clientsecure.Trust, want buildstatus.Want) error {
	tr := newTracer(e.stderr, o.verbose)
	ups, err := apis.connect(e, trust, tr, true)
	if err != nil {
		return err
	}
	defer ups.close()
	if tr.on() {
		if ct := tr.clientTrace(trust); ct != nil {
			ctx = httptrace.WithClientTrace(ctx, ct)
		}
	}
	clock := watchClock
	if clock == nil {
		clock = watch.RealClock
	}
	notes := newNoter(e)
	check := func(ctx context.Context, t watch.Target) (*buildstatus.Result, error) {
		res, err := ups.of(t).client.Check(ctx, t, want)
		if res != nil {
			notes.note(watch.Status{Target: t, Ref: res.Ref}.Name(), res.Notes)
		}
		return res, err
	}

	out := newWatchPrinter(e, o.json, o.verbose, tr)
	hook := newHook(o.watch.exec, o.watch.execTimeout, e, o.json)
	var feed *watch.Feed
	if o.watch.cctray != "" {
		feed = watch.NewFeed(func(t watch.Target) string { return apis.api(t).url }, targets, clock.Now())
		stop, err := serveFeed(ctx, o.watch.cctray, feed, e)
		if err != nil {
			return err
		}
		defer stop()
	}

	var last []watch.Status
	w := &watch.Watcher{
		Check:       check,
		Targets:     targets,
		Interval:    o.watch.interval,
		Timeout:     o.timeout,
		Concurrency: o.concurrency,
		Clock:       clock,
		OnChange: func(c watch.Change) {
			out.change(c)
			hook.run(ctx, c)
		},
		OnRound: func(r watch.Round) error {
			last = r.Statuses
			if feed != nil {
				feed.Update(r.Statuses)
			}
			out.round(r)
			if o.watch.exitOnDone && allDone(r.Statuses) {
				return exitCode(watchExitCode(r.Statuses), nil)
			}
			return nil
		},
	}
	err = w.Run(ctx)
	switch {
	case !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded):
		return err
	case last == nil:
		return exitCode(exitError, errors.New("clientsecure: stopped before any answer"))
	}
	// Stopped: the answer is what was last known.
	return exitCode(watchExitCode(last), nil)
}

// allDone reports whether waiting can change no verdict: none pending,
// none unknown, no error that a retry may cure.
func allDone(statuses []watch.Status) bool {
	for _, s := range statuses {
		switch s.State {
		case "", buildstatus.StatePending:
			return false
		case buildstatus.StateError:
			if !finalError(s.Err) {
				return false
			}
		}
	}
	return true
}

// finalError reports whether an error will be the same on the next poll:
// a server whose identity failed, a bad token, a repository or ref that
// does not exist. Networks, servers and rate limits recover.
func finalError(err error) bool {
	var ie *clientsecure.IdentityError
	if errors.As(err, &ie) {
		return true
	}
	var ae *buildstatus.APIError
	if errors.As(err, &ae) {
		switch ae.Kind {
		case buildstatus.Unauthorized, buildstatus.Forbidden, buildstatus.NotFound, buildstatus.Invalid:
			return true
		}
	}
	return false
}

// watchExitCode is status's exit code over the last verdicts; a ref never
// answered counts as an error.
func watchExitCode(statuses []watch.Status) int {
	outcomes := make([]*outcome, len(statuses))
	for i, s := range statuses {
		res := s.Result
		if res == nil {
			res = &buildstatus.Result{State: buildstatus.StateError}
		}
		err := s.Err
		if res.State == buildstatus.StateError && err == nil {
			err = errors.New("clientsecure: no answer yet")
		}
		outcomes[i] = &outcome{Result: res, err: err}
	}
	return statusExitCode(outcomes)
}
