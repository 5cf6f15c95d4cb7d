// Package relay serves the build verdict of a few refs to a fleet of small
// devices: the server behind `clientsecure relay`. Upstream it is the
// status command's machinery (buildstatus over a conditional transport,
// driven by a watch.Watcher); toward devices it answers from memory, so a
// thousand devices cost GitHub what one does.
//
// # Upstream
//
// [Relay.Run] polls every ref once per interval (never more often than the
// server's X-Poll-Interval, slower when the rate limit asks), with
// If-None-Match so that an unchanged ref is a free 304. Device requests
// never reach upstream: they read the last verdict the poller stored.
//
// # Device routes
//
// GET /repos/{owner}/{repo}/commits/{ref}/status, for the refs given only,
// answers a body of at most [MaxBody] bytes that begins {"state":" and the
// combined verdict in GitHub's words, so that the "Client Secure" sketch's
// startsWith("{\"state\":\"success\"") holds exactly when the build passed,
// check runs (GitHub Actions) included:
//
//	{"state":"success","verdict":"success","sha":"…","checked_at":"2026-06-01T12:00:00Z","failing":[]}
//
// state is success, failure or pending (no_status is pending, as GitHub's
// combined status says for a ref without statuses); verdict is the status
// command's word. failing holds the failing names that fit, and
// failing_more counts those that did not. While upstream fails after a
// verdict, the last verdict is served with "age_s", its age in seconds.
// Before the first answer: 503 with Retry-After. When the first answer is
// an error: 502 with a GitHub-style {"message"} naming its kind only
// (unauthorized, rate limited, not found, unreachable), never upstream's
// text. GET /time answers {"unix":N}. Anything else is GitHub's 404.
// Every reply has Date and Content-Length and is never chunked.
//
// With a device token every route but /time wants Authorization: Bearer
// TOKEN (or ?token=TOKEN), else 401.
//
// # Connections
//
// [Server] bounds what devices can hold: the request headers (and the TLS
// handshake before them) within 10 s, keep-alive idle for 30 s, and at most
// MaxConns open connections: at the limit the oldest idle one (else the
// oldest that has not sent a request yet) is closed to admit the new one.
// A connection that net/http is closing after a Connection: close reply
// (it half-closes, then lingers for half a second) no longer counts.
package relay
