package main

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/clientsecure/clientsecure/fakehub"
)

func init() {
	extraScriptCmds["after"] = cmdAfter
}

// cmdAfter changes the script's fakehub later, while the next command
// runs, so that a watch sees a ref change under it:
//
//	after requests=N hub set OWNER/REPO REF STATE   once the hub has answered N requests since the previous hub stats
//	after DURATION hub set OWNER/REPO REF STATE     once DURATION has passed
//
// `hub set` is the hub command's: a status "ci" posted on the ref. Counting
// requests makes a script independent of how fast the machine is: the
// watch has seen the old state by then.
func cmdAfter(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 6 || args[1] != "hub" || args[2] != "set" {
		ts.Fatalf("usage: after requests=N|DURATION hub set OWNER/REPO REF STATE")
	}
	v, ok := hubs.Load(ts)
	if !ok {
		ts.Fatalf("after: no fakehub in this script")
	}
	srv := v.(*scriptHub)
	var ready func() bool
	if n, found := strings.CutPrefix(args[0], "requests="); found {
		want, err := strconv.Atoi(n)
		ts.Check(err)
		base := srv.seen.Requests
		ready = func() bool { return srv.Hub.Stats().Requests-base >= want }
	} else {
		d, err := time.ParseDuration(args[0])
		ts.Check(err)
		at := time.Now().Add(d)
		ready = func() bool { return !time.Now().Before(at) }
	}
	owner, name, _ := strings.Cut(args[3], "/")
	ref, state := args[4], args[5]
	find := func(sc *fakehub.Scenario) *fakehub.Ref {
		for i := range sc.Repos {
			r := &sc.Repos[i]
			for j := range r.Refs {
				if r.Owner == owner && r.Name == name && r.Refs[j].Name == ref {
					return &r.Refs[j]
				}
			}
		}
		return nil
	}
	post := func(sc *fakehub.Scenario) {
		if r := find(sc); r != nil {
			r.Statuses = append(r.Statuses, fakehub.Status{State: state, Context: "ci", CreatedAt: time.Now()})
		}
	}
	// Refuse a ref that is not there now, rather than fail unseen later;
	// an Update that changes nothing is harmless.
	found := false
	srv.Hub.Update(func(sc *fakehub.Scenario) { found = find(sc) != nil })
	if !found {
		ts.Fatalf("after: no ref %s in %s", ref, args[3])
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if ready() {
				srv.Hub.Update(post)
				return
			}
		}
	})
	ts.Defer(func() {
		close(stop)
		wg.Wait()
	})
}
