package buildstatus

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v93/github"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/fakehub"
	"github.com/clientsecure/clientsecure/fakehubtest"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// The benchmarks of issue 9; docs/PERFORMANCE.md has the numbers.

// BenchmarkReduce reduces 1,000 contexts: 500 commit statuses and 500
// check runs, every state represented. "history" lists each status
// context three times and each check run twice, as a ref re-run a few
// times does, so that 2,500 entries reduce to the same 1,000.
func BenchmarkReduce(b *testing.B) {
	states := []string{"success", "failure", "pending", "error"}
	conclusions := []string{"success", "failure", "neutral", "skipped", "timed_out", "cancelled"}
	contexts := func(statusReports, runReports int) ([]*github.RepoStatus, []*github.CheckRun) {
		var statuses []*github.RepoStatus
		var runs []*github.CheckRun
		for i := range 500 {
			for n := range statusReports {
				statuses = append(statuses, status(int64(i*10+n), fmt.Sprintf("ci/status-%03d", i), states[(i+n)%len(states)], t0.Add(time.Duration(n)*time.Minute)))
			}
			for n := range runReports {
				runs = append(runs, run(int64(i*10+n), fmt.Sprintf("check-%03d", i), "completed", conclusions[(i+n)%len(conclusions)]))
			}
		}
		return statuses, runs
	}
	for _, tc := range []struct {
		name          string
		statuses, run int
	}{
		{"1000-contexts", 1, 1},
		{"1000-contexts-history", 3, 2},
	} {
		statuses, runs := contexts(tc.statuses, tc.run)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, contexts := Reduce(statuses, runs); len(contexts) != 1000 {
					b.Fatalf("%d contexts", len(contexts))
				}
			}
		})
	}
}

// BenchmarkCheck is one ref's status from fakehub over loopback TLS 1.3
// and HTTP/2, client and server in this process, so the handshake CPU of
// both sides counts:
//
//   - handshake: a new verified client each time (a new process's cost):
//     TCP connection, full handshake with chain verification, the two
//     lists, the verdict;
//   - resumed: a new connection each time, resuming the session of the
//     previous one (still verified: VerifyConnection runs on resumption);
//   - reused: the connection stays open (status for many refs, --watch).
func BenchmarkCheck(b *testing.B) {
	p := testcerts.Shared()
	for _, key := range []struct {
		name string
		leaf *testcerts.Leaf
	}{
		{"ECDSA", p.Good},
		{"RSA2048", p.GoodRSA},
	} {
		srv := fakehubtest.NewUnstartedServer(fakehub.DefaultScenario(), key.leaf.TLS())
		srv.Hub.SetRateLimit(1<<30, time.Now().Add(time.Hour))
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{srv.Cert}, MinVersion: tls.VersionTLS13}
		srv.Start()
		b.Cleanup(srv.Close)

		check := func(b *testing.B, hc *http.Client, hs *handshakeStats) {
			ctx := httptrace.WithClientTrace(b.Context(), hs.trace())
			c, err := NewClient(hc, srv.URL, testToken)
			if err != nil {
				b.Fatal(err)
			}
			res, err := c.Check(ctx, Target{Owner: "esp8266", Repo: "Arduino", Ref: "master"}, Want{})
			if err != nil || res.State != StateSuccess {
				b.Fatalf("%+v %v", res, err)
			}
		}
		b.Run(key.name+"/handshake", func(b *testing.B) {
			var hs handshakeStats
			b.ReportAllocs()
			for b.Loop() {
				hc := clientsecure.NewClient(verifiedClient())
				check(b, hc, &hs)
				hc.CloseIdleConnections()
			}
			hs.report(b)
		})
		b.Run(key.name+"/resumed", func(b *testing.B) {
			var hs handshakeStats
			trust := verifiedClient()
			b.ReportAllocs()
			for b.Loop() {
				hc := clientsecure.NewClient(trust)
				check(b, hc, &hs)
				hc.CloseIdleConnections()
			}
			hs.report(b)
		})
		b.Run(key.name+"/reused", func(b *testing.B) {
			var hs handshakeStats
			hc := clientsecure.NewClient(verifiedClient())
			b.Cleanup(hc.CloseIdleConnections)
			b.ReportAllocs()
			for b.Loop() {
				check(b, hc, &hs)
			}
			hs.report(b)
		})
	}
}

// handshakeStats counts the handshakes of a benchmark and checks each was
// TLS 1.3, so that the numbers are what they say.
type handshakeStats struct {
	full, resumed atomic.Int64
	other         atomic.Value // the first version other than TLS 1.3, if any
}

func (h *handshakeStats) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{TLSHandshakeDone: func(cs tls.ConnectionState, err error) {
		switch {
		case err != nil:
		case cs.Version != tls.VersionTLS13:
			h.other.CompareAndSwap(nil, tls.VersionName(cs.Version))
		case cs.DidResume:
			h.resumed.Add(1)
		default:
			h.full.Add(1)
		}
	}}
}

// report adds handshakes per check as metrics.
func (h *handshakeStats) report(b *testing.B) {
	if v := h.other.Load(); v != nil {
		b.Fatalf("negotiated %v, not TLS 1.3", v)
	}
	b.ReportMetric(float64(h.full.Load())/float64(b.N), "full-handshakes/op")
	b.ReportMetric(float64(h.resumed.Load())/float64(b.N), "resumed/op")
}

// BenchmarkRequired is what --required costs beside a plain check, over
// one reused HTTP/2 connection to a fakehub that takes serverDelay to
// answer each request, as a distant API does: requests made one after
// another add a delay each, requests made together share one. A pull
// request is read first, so it costs one delay more than a ref.
func BenchmarkRequired(b *testing.B) {
	const serverDelay = 5 * time.Millisecond
	sc := fakehub.DefaultScenario()
	master := &sc.Repos[0].Refs[0]
	master.Rules = &fakehub.Rules{RequiredStatusChecks: []fakehub.RequiredCheck{{Context: "continuous-integration/travis-ci/push"}}}
	master.Protection = &fakehub.Protection{Contexts: []string{"codecov/project"}}
	head := fakehub.Ref{Name: "patch-1"}
	for _, st := range master.Statuses {
		st.ID = 0 // numbered anew: ids are unique across the scenario
		head.Statuses = append(head.Statuses, st)
	}
	sc.Repos[0].Refs = append(sc.Repos[0].Refs, head)
	sc.Repos[0].Pulls = []fakehub.Pull{{Number: 7, Head: "patch-1"}}
	srv := fakehubtest.NewUnstartedServer(sc, testcerts.Shared().Good.TLS())
	srv.Hub.SetRateLimit(1<<30, time.Now().Add(time.Hour))
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(serverDelay)
		srv.Hub.ServeHTTP(w, r)
	})
	srv.Start()
	b.Cleanup(srv.Close)
	hc := clientsecure.NewClient(verifiedClient())
	b.Cleanup(hc.CloseIdleConnections)
	c, err := NewClient(hc, srv.URL, testToken)
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		target Target
		want   Want
	}{
		{"ref/plain", Target{Owner: "esp8266", Repo: "Arduino", Ref: "master"}, Want{}},
		{"ref/required", Target{Owner: "esp8266", Repo: "Arduino", Ref: "master"}, Want{Required: true}},
		{"pull/plain", Target{Owner: "esp8266", Repo: "Arduino", Pull: 7}, Want{}},
		{"pull/required", Target{Owner: "esp8266", Repo: "Arduino", Pull: 7}, Want{Required: true}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			requests := 0
			for b.Loop() {
				res, err := c.Check(b.Context(), tc.target, tc.want)
				if err != nil || res.State != StateSuccess || tc.want.Required && !res.RequiredOnly {
					b.Fatalf("%+v %v", res, err)
				}
				requests += res.Usage.Requests
			}
			b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
			b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(serverDelay), "delays/op")
		})
	}
}
