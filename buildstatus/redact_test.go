package buildstatus

import (
	"errors"
	"net"
	"strings"
	"testing"
)

// Redaction touches what the server said, never the package's own words:
// a token that is a common letter leaves messages readable, and the
// server's echo of it is still caught.
func TestRedactionLeavesOwnWordsAlone(t *testing.T) {
	for _, tc := range []struct {
		token, server, want string
	}{
		{"e", `{"message":"Not Found"}`, "repository or ref not found (or the token cannot see it) (HTTP 404)"},
		{"token", `{"message":"Not Found"}`, "repository or ref not found (or the token cannot see it) (HTTP 404)"},
		{"sekrit", `{"message":"Validation Failed: sekrit"}`, `no commit found for ref (HTTP 422): 127.0.0.1`},
	} {
		status := 404
		if strings.Contains(tc.server, "Validation") {
			status = 422
		}
		srv, hc := tlsServer(t, jsonError(status, tc.server))
		_, err := newTestClient(t, hc, srv.URL, tc.token).Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("token %q: %v, want it to hold %q", tc.token, err, tc.want)
		}
		if status == 422 && (strings.Contains(err.Error(), "sekrit") || !strings.Contains(err.Error(), `said "Validation Failed: [redacted]"`)) {
			t.Errorf("token %q echoed by the server: %v", tc.token, err)
		}
	}
}

// A client whose token the program withheld tells the user what the
// program says instead of asking for GH_TOKEN.
func TestAnonymousHintReplaced(t *testing.T) {
	srv, hc := tlsServer(t, jsonError(404, `{"message":"Not Found"}`))
	c := newTestClient(t, hc, srv.URL, "")
	c.SetAnonymousHint("the token was withheld")
	_, err := c.Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
	if ae := apiError(t, err, NotFound); ae.Message != "repository or ref not found (or private: the token was withheld) (HTTP 404)" {
		t.Errorf("withheld: %q", ae.Message)
	}
	c.SetAnonymousHint("")
	_, err = c.Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
	if ae := apiError(t, err, NotFound); strings.Contains(ae.Message, "GH_TOKEN") || ae.Message != "repository or ref not found (or private) (HTTP 404)" {
		t.Errorf("no hint: %q", ae.Message)
	}
}

// A server that cannot be reached is said so in a user's words, with the
// cause, and not as net/http's `Get "https://...": dial tcp ...` chain.
func TestUnreachableInWords(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, err = newTestClient(t, trustingClient(t), "https://"+addr, testToken).Check(testCtx(t), Target{Owner: "o", Repo: "r", Ref: "main"}, Want{})
	ae := apiError(t, err, Unreachable)
	if ae.Message != "cannot reach "+addr+": connection refused" {
		t.Errorf("message %q", ae.Message)
	}
	if strings.Contains(err.Error(), "Get \"") || strings.Contains(err.Error(), "dial tcp") {
		t.Errorf("error keeps net/http's chain: %v", err)
	}
	var op *net.OpError
	if !errors.As(err, &op) {
		t.Errorf("the cause is not kept: %v", err)
	}
}
