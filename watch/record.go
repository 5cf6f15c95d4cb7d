package watch

import (
	"errors"
	"slices"
	"time"

	"github.com/clientsecure/clientsecure/buildstatus"
)

// record takes in one poll's results at now: it updates each target,
// reports changes, and schedules the next poll.
func (r *run) record(now time.Time, due []int, results []checked) Round {
	var spent Spend
	var pollInterval time.Duration
	answered := false
	rate := Rate{Remaining: -1}
	for k, i := range due {
		res, err := results[k].res, results[k].err
		u := res.Usage
		spent.add(Spend{u.Requests, u.NotModified})
		if u.Requests > 0 {
			answered = true
			pollInterval = max(pollInterval, u.PollInterval)
			r.cost[i] = max(u.Requests, 2)
		}
		if u.Remaining >= 0 && (rate.Remaining < 0 || u.Remaining < rate.Remaining) {
			rate = Rate{Limit: u.RateLimit, Remaining: u.Remaining, Reset: u.Reset}
		}
		r.update(now, i, res, err)
	}
	if answered {
		r.serverInterval = pollInterval
	}
	if rate.Remaining >= 0 {
		r.rate = rate
	}
	r.hour.add(now, spent)
	r.schedule(now, due, results)
	last, _ := r.hour.total()
	next, why := r.next()
	return Round{
		Time:     now,
		Checked:  len(due),
		Statuses: slices.Clone(r.st),
		Spent:    spent,
		LastHour: last,
		Rate:     r.rate,
		Next:     next,
		Wait:     why,
	}
}

// update takes in target i's result and reports a change.
func (r *run) update(now time.Time, i int, res *buildstatus.Result, err error) {
	s := &r.st[i]
	s.Result, s.Err = res, err
	if err == nil && s.Ref == "" {
		s.Ref = res.Ref // the default branch, kept from now on
	}
	if err != nil {
		s.Errors++
	} else {
		s.Errors = 0
	}
	newCommit := res.SHA != "" && s.SHA != "" && res.SHA != s.SHA
	if res.State == s.State && !newCommit {
		return
	}
	prev := s.State
	s.State, s.Since = res.State, now
	if res.SHA != "" {
		s.SHA = res.SHA
	}
	if settled(res.State) {
		s.Settled, s.SettledAt = res.State, now
	}
	if r.w.OnChange == nil {
		return
	}
	ref := res.Ref
	if ref == "" {
		ref = s.Ref
	}
	r.w.OnChange(Change{
		Time:     now,
		Target:   s.Target,
		Repo:     res.Repo,
		Ref:      ref,
		SHA:      res.SHA,
		Previous: prev,
		Current:  res.State,
		Failing:  Failing(res),
		Result:   res,
		Err:      err,
	})
}

// settled reports whether a state is a verdict that waiting will not
// change by itself.
func settled(s buildstatus.State) bool {
	switch s {
	case buildstatus.StateSuccess, buildstatus.StateFailure, buildstatus.StateNoStatus:
		return true
	}
	return false
}

// Failing is the names of res's failing contexts that count (see
// Result.Counted), for a change line or a monitor's view.
func Failing(res *buildstatus.Result) []string {
	var names []string
	for _, c := range res.Counted() {
		if c.State == buildstatus.StateFailure {
			names = append(names, c.Name)
		}
	}
	return names
}

// schedule sets when each checked target is due again: a poll interval
// after a good answer (stretched to pace the rate limit), a backoff after
// an error, and for every target not before a spent rate limit resets.
func (r *run) schedule(now time.Time, due []int, results []checked) {
	interval, why := r.w.Interval, WaitInterval
	if r.serverInterval > interval {
		interval, why = r.serverInterval, WaitPollInterval
	}
	reserve := 0
	for _, c := range r.cost {
		reserve += c
	}
	last, rounds := r.hour.total()
	p := pacing{now: now, interval: interval, rate: r.rate, reserve: reserve}
	if rounds > 0 {
		p.fullPerRound = float64(last.Full()) / float64(rounds)
	}
	wait, untilReset := pace(p)
	switch {
	case untilReset:
		r.hold(now.Add(wait), WaitRateReset)
	case wait > interval:
		interval, why = wait, WaitPaced
	}

	for k, i := range due {
		s := &r.st[i]
		if results[k].err == nil {
			s.Next, r.why[i] = now.Add(interval), why
			continue
		}
		s.Next, r.why[i] = now.Add(backoff(s.Errors, r.w.Interval, r.maxBackoff(), r.rand)), WaitBackoff
		var ae *buildstatus.APIError
		if errors.As(results[k].err, &ae) && ae.Kind == buildstatus.RateLimited {
			r.hold(r.rateLimitEnd(now, ae, s.Errors), WaitRateReset)
		}
	}
}

// hold keeps every target back until t.
func (r *run) hold(t time.Time, why string) {
	if t.After(r.gate) {
		r.gate, r.gateWhy = t, why
	}
}

// rateLimitEnd is when a refused request may be made again: after the
// reset and after Retry-After (an hour at most), whichever is later;
// without either, after a backoff from a minute up, as GitHub's
// documentation asks.
func (r *run) rateLimitEnd(now time.Time, ae *buildstatus.APIError, errs int) time.Time {
	end := now
	if ae.Reset.After(now) {
		end = now.Add(untilReset(now, ae.Reset))
	}
	if wait := min(ae.RetryAfter, maxResetWait); wait > 0 && now.Add(wait).After(end) {
		end = now.Add(wait)
	}
	if end.Equal(now) {
		end = now.Add(backoff(errs, max(r.w.Interval, time.Minute), max(r.maxBackoff(), time.Minute), r.rand))
	}
	return end
}

func (r *run) maxBackoff() time.Duration {
	if r.w.MaxBackoff > 0 {
		return r.w.MaxBackoff
	}
	return max(DefaultMaxBackoff, r.w.Interval)
}
