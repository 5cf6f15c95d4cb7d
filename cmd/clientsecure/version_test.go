package main

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"testing"
)

func TestVersionOf(t *testing.T) {
	for _, tc := range []struct {
		info *debug.BuildInfo
		want string
	}{
		{&debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}}}, "0123456789ab"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc"}, {Key: "vcs.modified", Value: "true"}}}, "abc+dirty"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel"},
	} {
		if got := versionOf(tc.info); got != tc.want {
			t.Errorf("versionOf(%+v) = %q, want %q", tc.info.Main, got, tc.want)
		}
	}
}

// get names itself, with its version, in the User-Agent.
func TestGetUserAgent(t *testing.T) {
	p := scriptPKI()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.UserAgent()) }))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{p.Good.TLS()}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	code, stdout, stderr := runCmd(t, "get", "--ca-file", writeRoot(t, p), srv.URL)
	if code != exitOK || stdout != "clientsecure/"+version() {
		t.Errorf("exit %d, User-Agent %q, want clientsecure/%s; stderr %s", code, stdout, version(), stderr)
	}
}
