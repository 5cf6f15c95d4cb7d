package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/fakehub"
	"github.com/clientsecure/clientsecure/fakehubtest"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

func init() {
	extraScriptCmds["fakehub"] = cmdFakehub
	extraScriptCmds["hub"] = cmdHub
}

var hubs sync.Map // *testscript.TestScript -> *scriptHub

// scriptHub is a script's fakehub and the counts its last `hub stats`
// saw, so that each `hub stats` asserts what happened since the previous.
type scriptHub struct {
	*fakehubtest.Server
	seen fakehub.Stats
}

// cmdFakehub starts the embedded GitHub-like API on 127.0.0.1 with the
// scripts' good certificate and sets HUB (its URL), HUB_HOSTPORT, ROOT (a
// PEM file of the test root), HUB_SHA1 (the leaf's SHA-1 in the
// document's form) and HUB_SPKI.
//
//	fakehub [SCENARIO.json]
func cmdFakehub(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 {
		ts.Fatalf("usage: fakehub [SCENARIO.json]")
	}
	sc := fakehub.DefaultScenario()
	if len(args) == 1 {
		var err error
		sc, err = fakehub.ParseScenario([]byte(ts.ReadFile(args[0])))
		ts.Check(err)
	}
	p := scriptPKI()
	srv := fakehubtest.NewServer(sc, p.Good.TLS())
	ts.Defer(srv.Close)
	hubs.Store(ts, &scriptHub{Server: srv})
	root := filepath.Join(ts.Getenv("WORK"), "root.pem")
	ts.Check(os.WriteFile(root, testcerts.PEM(p.Root.Cert), 0o644))
	pins := clientsecure.CertificatePins(p.Good.Cert)
	ts.Setenv("HUB", srv.URL)
	ts.Setenv("HUB_HOSTPORT", srv.Addr())
	ts.Setenv("ROOT", root)
	ts.Setenv("HUB_SHA1", pins.SHA1.String())
	ts.Setenv("HUB_SPKI", pins.SPKI.String())
}

// cmdHub controls or inspects the script's fakehub:
//
//	hub stats requests=N notmodified=N token=N   assert counts since the previous hub stats
//	hub wait requests=N                          block until N more requests came (since hub stats)
//	hub token TOKEN                              accept only this token
//	hub fail STATUS N                            fail the next N requests
//	hub ratelimit REMAINING RESET_SECONDS        set the rate limit
//	hub set OWNER/REPO REF STATE                 post a status "ci" on a ref
func cmdHub(ts *testscript.TestScript, neg bool, args []string) {
	v, ok := hubs.Load(ts)
	if !ok || len(args) == 0 {
		ts.Fatalf("usage: hub stats|token|fail|ratelimit|set ... (after fakehub)")
	}
	srv := v.(*scriptHub)
	atoi := func(s string) int {
		n, err := strconv.Atoi(s)
		ts.Check(err)
		return n
	}
	switch args[0] {
	case "stats":
		st, was := srv.Hub.Stats(), srv.seen
		srv.seen = st
		got := map[string]int{"requests": st.Requests - was.Requests, "notmodified": st.NotModified - was.NotModified,
			"token": st.WithToken - was.WithToken, "ratelimited": st.RateLimited - was.RateLimited}
		for _, a := range args[1:] {
			name, want, _ := strings.Cut(a, "=")
			if g, ok := got[name]; !ok || (g == atoi(want)) == neg {
				ts.Fatalf("hub %s = %d, want %s%s (all: %v)", name, g, map[bool]string{true: "not ", false: ""}[neg], want, got)
			}
		}
	case "wait":
		name, want, _ := strings.Cut(args[1], "=")
		if name != "requests" {
			ts.Fatalf("usage: hub wait requests=N")
		}
		deadline := time.Now().Add(20 * time.Second)
		for srv.Hub.Stats().Requests-srv.seen.Requests < atoi(want) {
			if time.Now().After(deadline) {
				ts.Fatalf("hub wait: %d requests after 20s, want %s", srv.Hub.Stats().Requests-srv.seen.Requests, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	case "token":
		srv.Hub.RequireToken(args[1])
	case "fail":
		srv.Hub.FailNext(atoi(args[1]), atoi(args[2]))
	case "ratelimit":
		srv.Hub.SetRateLimit(atoi(args[1]), time.Now().Add(time.Duration(atoi(args[2]))*time.Second))
	case "set":
		owner, name, _ := strings.Cut(args[1], "/")
		srv.Hub.Update(func(sc *fakehub.Scenario) {
			for i := range sc.Repos {
				r := &sc.Repos[i]
				if r.Owner != owner || r.Name != name {
					continue
				}
				for j := range r.Refs {
					if r.Refs[j].Name == args[2] {
						r.Refs[j].Statuses = append(r.Refs[j].Statuses, fakehub.Status{State: args[3], Context: "ci", CreatedAt: time.Now()})
						return
					}
				}
			}
			ts.Fatalf("hub set: no ref %s in %s", args[2], args[1])
		})
	default:
		ts.Fatalf("hub: unknown subcommand %q", args[0])
	}
}
