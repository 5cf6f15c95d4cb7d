package buildstatus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	shaA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	shaB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

func runsJSON(sha, conclusion string) string {
	return fmt.Sprintf(`{"total_count":1,"check_runs":[{"id":1,"name":"build","head_sha":%q,"status":"completed","conclusion":%q}]}`, sha, conclusion)
}

func TestBranchMovingBetweenTheTwoListsIsReadAtOneCommit(t *testing.T) {
	for _, tc := range []struct {
		name      string
		runsOfA   string // what check-runs of commit A answers
		wantState State
		wantKind  ErrorKind
	}{
		{"re-read at the statuses' commit", runsJSON(shaA, "success"), StateSuccess, ""},
		{"server contradicting itself", runsJSON(shaB, "failure"), StateError, Malformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var asked []string
			srv, hc := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				asked = append(asked, r.URL.Path)
				mu.Unlock()
				switch r.URL.Path {
				case "/repos/o/r/commits/main/status":
					// The statuses were read while main was at A...
					fmt.Fprintf(w, `{"sha":%q,"total_count":1,"statuses":[{"id":1,"context":"ci","state":"success"}]}`, shaA)
				case "/repos/o/r/commits/main/check-runs":
					// ...and the check runs after it moved to B.
					io.WriteString(w, runsJSON(shaB, "failure"))
				case "/repos/o/r/commits/" + shaA + "/check-runs":
					io.WriteString(w, tc.runsOfA)
				default:
					http.NotFound(w, r)
				}
			}))
			res, err := newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
			if tc.wantKind != "" {
				apiError(t, err, tc.wantKind)
			} else if err != nil {
				t.Fatal(err)
			}
			if res.State != tc.wantState {
				t.Errorf("state %v, want %v", res.State, tc.wantState)
			}
			if tc.wantKind == "" && res.SHA != shaA {
				t.Errorf("SHA %s, want the statuses' %s", res.SHA, shaA)
			}
			if !strings.Contains(strings.Join(asked, " "), shaA+"/check-runs") {
				t.Errorf("check runs of %s never asked for: %q", shaA, asked)
			}
		})
	}
}

func TestShortListingIsReadAgain(t *testing.T) {
	// A status posted while paging shifts the pages: the first read lists
	// fewer than total_count, the second is whole.
	var mu sync.Mutex
	reads := 0
	srv, hc := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/status") {
			io.WriteString(w, emptyRuns)
			return
		}
		mu.Lock()
		reads++
		n := reads
		mu.Unlock()
		if n == 1 {
			fmt.Fprintf(w, `{"sha":%q,"total_count":2,"statuses":[{"id":1,"context":"a","state":"success"}]}`, shaA)
			return
		}
		if r.URL.Path != "/repos/o/r/commits/"+shaA+"/status" {
			t.Errorf("re-read of %s, want it at the commit", r.URL.Path)
		}
		fmt.Fprintf(w, `{"sha":%q,"total_count":2,"statuses":[{"id":1,"context":"a","state":"success"},{"id":2,"context":"b","state":"failure"}]}`, shaA)
	}))
	res, err := newTestClient(t, hc, srv.URL, "").Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
	mu.Lock()
	defer mu.Unlock()
	if err != nil || res.State != StateFailure || len(res.Contexts) != 2 || reads != 2 {
		t.Errorf("%+v %v after %d reads", res, err, reads)
	}
}

func TestTheTwoListsAreFetchedAtOnce(t *testing.T) {
	// Each endpoint answers only once the other has been asked: fetched one
	// after the other, the first would wait until the context ended.
	statusAsked, runsAsked := make(chan struct{}), make(chan struct{})
	srv, hc := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mine, other, body := runsAsked, statusAsked, emptyRuns
		if strings.HasSuffix(r.URL.Path, "/status") {
			mine, other, body = statusAsked, runsAsked, emptyStatus
		}
		close(mine)
		select {
		case <-other:
			io.WriteString(w, body)
		case <-r.Context().Done():
		}
	}))
	ctx, cancel := context.WithTimeout(testCtx(t), 5*time.Second)
	defer cancel()
	res, err := newTestClient(t, hc, srv.URL, "").Check(ctx, Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
	if err != nil || res.State != StateNoStatus {
		t.Fatalf("%+v %v: the lists were not fetched concurrently", res, err)
	}
}

func TestOneListFailingCancelsTheOther(t *testing.T) {
	srv, hc := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/status") {
			jsonError(401, `{"message":"Bad credentials"}`)(w, r)
			return
		}
		<-r.Context().Done() // the check runs never come
	}))
	_, err := newTestClient(t, hc, srv.URL, testToken).Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
	apiError(t, err, Unauthorized)
	if errors.Is(err, context.Canceled) {
		t.Errorf("reported the cancellation, not its cause: %v", err)
	}
}

// When one list fails, the other request is cancelled, and the failure
// reported is the first one, message included, whatever the cancelled
// request's own error looks like: here a 422 whose body is cut short,
// which go-github reports as a 422 without a message.
func TestFirstFailureIsReported(t *testing.T) {
	release := make(chan struct{})
	srv, hc := tlsServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/status") {
			// Headers and half a body, then nothing until the client
			// gives up on this request.
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"message":"the cancelled one`)
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		w.WriteHeader(http.StatusUnprocessableEntity)
		io.WriteString(w, `{"message":"No commit found for SHA: nope"}`)
	}))
	defer close(release)
	c := newTestClient(t, hc, srv.URL, "")
	for range 5 {
		_, err := c.Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "nope"}, Want{})
		if err == nil || !strings.Contains(err.Error(), "No commit found for SHA: nope") {
			t.Fatalf("got %v, want the check runs' failure with its message", err)
		}
	}
}
