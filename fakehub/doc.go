// Package fakehub is a GitHub-like REST API over TLS, embedded: the server
// that `clientsecure serve` and `clientsecure demo` run, that the tests of
// the build failure detector run against, and that any program's tests can
// use to check its GitHub client offline.
//
// It answers the requests the detector makes, in the JSON shapes of
// GitHub (as go-github decodes them), with GitHub's headers and errors.
// Every body carries each field GitHub's published OpenAPI description
// marks required for its operation; the package's tests check every route
// and status against that description (scripts/fetch-openapi fetches it):
//
//	GET /repos/{owner}/{repo}                        the repository, with default_branch
//	GET /repos/{owner}/{repo}/commits/{ref}/status     the combined status
//	GET /repos/{owner}/{repo}/commits/{ref}/check-runs the check runs
//	GET /repos/{owner}/{repo}/pulls/{number}           a pull request
//	GET /repos/{owner}/{repo}/rules/branches/{branch}  the rules of a branch
//	GET /repos/{owner}/{repo}/branches/{branch}/protection/required_status_checks
//	                                                   classic protection's required checks
//
// The same paths answer under /api/v3, as GitHub Enterprise Server serves
// them; HEAD works wherever GET does. Any other path or method is 404.
//
// # Behaviour
//
// A [Hub] serves a [Scenario]: repositories, refs, statuses, check runs,
// pull requests and the checks branches require.
//
//   - Combined status: the latest status of each context, state computed
//     as GitHub does (failure if any is error or failure, pending if any is
//     pending or if there are none at all, else success), total_count, sha,
//     repository, commit_url. Compact JSON with "state" first, exactly what
//     the document's sketch looks for.
//   - Check runs: filter=latest (the default: latest per app and name) or all;
//     check_name, status and app_id narrow the list. conclusion and
//     completed_at are null until a run completes.
//   - Both lists are paginated with page and per_page (default 30, at most
//     100) and an RFC 5988 Link header (prev, next, last, first) built from
//     the request's own scheme, host and parameters. GitHub documents no
//     Link on the combined status: a repository with "status_links": false
//     leaves it off there (pages still answer page and per_page).
//   - A ref is a full SHA, a branch, a tag, heads/NAME, tags/NAME (with or
//     without refs/), HEAD, or an unambiguous SHA prefix of at least 4 hex
//     digits; also, as on GitHub, pull/N/head (with or without refs/) or
//     the full SHA of a pull request's head, even a fork's, whose statuses
//     and check runs are then those of the fork's branch. Anything else is
//     422 "No commit found for SHA: REF"; any ref of a repository without
//     refs is 409 "Git Repository is empty.".
//   - Pull request: GitHub's pull-request object, head and base each with
//     label "owner:branch", ref, sha, user and the full repository (a
//     fork's says "fork": true, there and at GET /repos/{owner}/{repo}).
//     A number the repository does not have is 404 "Not Found".
//   - Rules of a branch: an array with one rule of type
//     required_status_checks (strict_required_status_checks_policy,
//     required_status_checks with context and integration_id) when the
//     branch has Rules, else [] (for a branch that does not exist too, as
//     GitHub answers), paginated like the lists below. A repository with
//     "rulesets": false answers 404 "Not Found", as a GitHub Enterprise
//     Server from before rulesets does.
//   - Classic protection's required checks (url, strict, contexts,
//     contexts_url, checks with app_id, null for any app) go to a request
//     with an accepted token only; GitHub documents only 404 for the rest,
//     so an anonymous request gets 404 "Not Found". "protection_access"
//     "forbidden" answers 403 "Resource not accessible by integration" (what
//     GitHub Actions' GITHUB_TOKEN gets), "hidden" 404 "Not Found" (a token
//     without admin rights); otherwise a branch without Protection is 404
//     "Branch not protected" and an unknown one 404 "Branch not found".
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
//	      },
//	      "rules": {                                // rulesets of this branch (needs "name")
//	        "required_status_checks": [{"context": "build", "integration_id": 15368}],  // integration_id optional
//	        "strict": false
//	      },
//	      "protection": {                           // classic protection of this branch (needs "name")
//	        "contexts": ["ci/travis"],              // contexts or checks, or both naming the same
//	        "checks": [{"context": "ci/travis", "app_id": 123}],  // app_id optional (null: any app)
//	        "strict": true
//	      }
//	    }],
//	    "pulls": [{
//	      "number": 7,                              // required, unique in the repository
//	      "head": "patch-1",                        // required: a branch of head_repo
//	      "head_repo": "contributor/Arduino",       // default: this repository; must be in the scenario
//	      "base": "master",                         // default: default_branch; a branch of this repository
//	      "state": "open",                          // open | closed; default open (closed when merged)
//	      "title": "Fix the WiFi reconnect",        // default "Pull request 7"
//	      "body": "...", "merged": false
//	    }],
//	    "rulesets": true,                           // false: the rules route is 404 (old GitHub Enterprise)
//	    "protection_access": "read",                // read | forbidden (403) | hidden (404)
//	    "status_links": true                        // false: no Link header on the combined status
//	  }]
//	}
//
// (JSON has no comments; they are here to explain.) Times are RFC 3339. A
// SHA left out is derived from the repository and the ref's name, so it is
// the same at every start. A status's state is
// the latest per context: the one with the latest created_at, and of equal
// times the later in the list. Likewise filter=latest keeps the check run
// of each app and name with the latest started_at. A conclusion alone implies
// status completed.
//
// Generated statuses have contexts "generated/status-001"...; generated
// check runs are named "generated/check-001"...; both come before the
// listed ones, so a failure listed after 150 generated successes is on the
// second page of 100. testdata/example.json has a passing, a failing and a
// pending ref, a private repository and a paginated one; testdata/pulls.json
// a same-repository pull request that passes, a fork's that fails, a branch
// whose rules require a check that has not reported, classic protection the
// token may read, a repository without rulesets (and without Link on its
// combined status) and one whose protection is forbidden.
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
