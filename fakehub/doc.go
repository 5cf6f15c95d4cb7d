// Package fakehub is a GitHub-like REST API over TLS, embedded: the server
// that `clientsecure serve` and `clientsecure demo` run, that the tests of
// the build failure detector run against, and that any program's tests can
// use to check its GitHub client offline.
//
// It answers the three requests the detector makes, in the JSON shapes of
// GitHub (as go-github decodes them), with GitHub's headers and errors.
// Every body carries each field GitHub's published OpenAPI description
// marks required for its operation; the package's tests check every route
// and status against that description (scripts/fetch-openapi fetches it):
//
//	GET /repos/{owner}/{repo}                        the repository, with default_branch
//	GET /repos/{owner}/{repo}/commits/{ref}/status     the combined status
//	GET /repos/{owner}/{repo}/commits/{ref}/check-runs the check runs
//
// The same paths answer under /api/v3, as GitHub Enterprise Server serves
// them; HEAD works wherever GET does. Any other path or method is 404.
//
// # Behaviour
//
// A [Hub] serves a [Scenario]: repositories, refs, statuses, check runs.
//
//   - Combined status: the latest status of each context, state computed
//     as GitHub does (failure if any is error or failure, pending if any is
//     pending or if there are none at all, else success), total_count, sha,
//     repository, commit_url. Compact JSON with "state" first, exactly what
//     the document's sketch looks for.
//   - Check runs: filter=latest (the default: latest per name) or all;
//     check_name, status and app_id narrow the list. conclusion and
//     completed_at are null until a run completes.
//   - Both lists are paginated with page and per_page (default 30, at most
//     100) and an RFC 5988 Link header (prev, next, last, first) built from
//     the request's own scheme, host and parameters.
//   - A ref is a full SHA, a branch, a tag, heads/NAME, tags/NAME (with or
//     without refs/), HEAD, or an unambiguous SHA prefix of at least 4 hex
//     digits. Anything else is 422 "No commit found for SHA: REF"; any ref
//     of a repository without refs is 409 "Git Repository is empty.".
//   - An unknown repository, or a private one asked for without a valid
//     token, is 404 "Not Found".
//   - Every answer carries X-GitHub-Request-Id, X-GitHub-Media-Type and
//     X-RateLimit-Limit, -Remaining, -Reset, -Used and -Resource. A 200 has
//     a strong ETag over its body; If-None-Match with it is 304, which, as
//     on GitHub, costs no rate limit. [Hub.SetPollInterval] adds
//     X-Poll-Interval.
//   - [Hub.SetRateLimit] with 0 remaining answers 403 with GitHub's
//     "API rate limit exceeded" until the reset, when the limit is
//     restored. [Hub.FailNext] makes the next requests fail with 401, 403
//     or 429 (a secondary rate limit, with Retry-After), 404, 422, 500,
//     502... each with GitHub's JSON error body.
//   - [Hub.RequireToken] sets the one token accepted (as "token T",
//     "Bearer T" or Basic with T as password); another is 401 "Bad
//     credentials". Without it any token is accepted. Private repositories
//     are shown only to a request with an accepted token.
//   - [Hub.Stats] counts requests, 304s, rate-limited answers and requests
//     that carried a token; [Hub.Update] changes the scenario while it
//     serves, and ETags follow.
//
// URLs inside responses (url, html_url, commit_url...) point at the host the
// request was sent to.
//
// # Scenario files
//
// A scenario is JSON; [ParseScenario] reads it strictly and reports errors
// with their line and column. Only what matters needs saying:
//
//	{
//	  "repos": [{
//	    "owner": "esp8266", "name": "Arduino",      // required
//	    "id": 1,                                    // default: numbered
//	    "description": "ESP8266 core for Arduino",
//	    "private": false,                           // needs a token when true
//	    "default_branch": "master",                 // default: the first ref's name
//	    "refs": [{
//	      "name": "master",                         // the branch
//	      "tags": ["v2.3.0"],                       // more names for this commit
//	      "sha": "40 hex digits",                   // default: derived from repo and name
//	      "statuses": [{                            // in the order they were posted
//	        "state": "success",                     // error | failure | pending | success
//	        "context": "continuous-integration/travis-ci/push",  // default "default"
//	        "description": "The Travis CI build passed",
//	        "target_url": "https://travis-ci.org/esp8266/Arduino",
//	        "id": 677326372,                        // default: numbered
//	        "created_at": "2016-08-01T09:54:38Z",   // default: 2026-01-01T00:00:00Z
//	        "updated_at": "2016-08-01T09:54:38Z"    // default: created_at
//	      }],
//	      "check_runs": [{
//	        "name": "build",                        // required
//	        "status": "completed",                  // queued | in_progress | completed | waiting | requested | pending
//	        "conclusion": "failure",                // exactly when completed: action_required | cancelled |
//	                                                // failure | neutral | success | skipped | stale |
//	                                                // timed_out | startup_failure
//	        "details_url": "https://ci.example/1",  // default: the run's html_url
//	        "title": "3 tests failed", "summary": "...",
//	        "id": 42,                               // default: numbered
//	        "started_at": "...", "completed_at": "...",  // defaults: 2026-01-01T00:00:00Z, a minute later
//	        "app": {"slug": "circleci", "name": "CircleCI", "id": 18001}  // default: GitHub Actions
//	      }],
//	      "generate": {                             // synthetic entries, for pagination
//	        "statuses": 120, "state": "success",
//	        "check_runs": 150, "check_status": "completed", "conclusion": "success"
//	      }
//	    }]
//	  }]
//	}
//
// (JSON has no comments; they are here to explain.) Times are RFC 3339. A
// SHA left out is derived from the repository and the ref's name, so it is
// the same at every start. A status's state is
// the latest per context: the one with the latest created_at, and of equal
// times the later in the list. Likewise filter=latest keeps the check run
// of each name with the latest started_at. A conclusion alone implies
// status completed.
//
// Generated statuses have contexts "generated/status-001"...; generated
// check runs are named "generated/check-001"...; both come before the
// listed ones, so a failure listed after 150 generated successes is on the
// second page of 100. testdata/example.json has a passing, a failing and a
// pending ref, a private repository and a paginated one.
//
// Errors are [*ScenarioError] values that say where and what:
//
//	fakehub: scenario:3:13: repo esp8266/Arduino, ref master: repos[0].refs[0].statuses[0].state: state "passed" is not one of error, failure, pending, success
//
// Go tests may build a [Scenario] directly instead ([Scenario.Validate]
// checks it the same way); [DefaultScenario] is
// the document's esp8266/Arduino reply: master, Travis CI passed and
// codecov/project, both success.
//
// # Serving
//
// [ListenAndServe] serves any handler (a Hub) until its context is
// cancelled, then shuts down gracefully, for `clientsecure serve`. Tests
// start a Hub on a loopback port with package fakehubtest, which also
// counts connections, handshakes and requests per [Route].
package fakehub
