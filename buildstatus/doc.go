// Package buildstatus answers the question the "Client Secure" document's
// sketch asks GitHub: did the build of this ref pass? It reads every commit
// status and every check run of a ref through GitHub's REST API (with
// go-github) and reduces them to one verdict.
//
// # Verdict
//
// A ref's CI results come from two APIs: commit statuses (older CI services,
// Travis CI, codecov) and check runs (GitHub Actions and apps). Both are read
// completely, every page of each, and [Reduce] keeps the latest status per
// context and the latest check run per app and name (two apps may report a
// check of the same name), then classifies each:
//
//   - failure: status failure or error; check conclusion failure, timed_out,
//     cancelled, action_required, startup_failure or stale (GitHub marks a
//     run stale after 14 days incomplete: it is final)
//   - pending: status pending; a check run not yet completed
//   - success: status success; conclusion success, neutral or skipped
//
// The overall state is failure if any context failed, else pending if any is
// pending, else success if there is any context at all, else no_status. The
// combined state GitHub computes is not used: it says "pending" for a ref that
// has check runs but no statuses, which means nothing, not pending.
//
// A value this package does not know (a status state or check conclusion
// GitHub may add later, or a completed check run without a conclusion)
// counts as failure: it is final, so waiting will not change it, and nothing
// vouches that it passed. [Context.Conclusion] keeps the raw value so that a
// user can see what it was.
//
// Both lists are read page by page (100 a page) until the server stops
// sending a "next" link; a list sent without any Link header whose
// total_count is more than its pages held is paged on explicitly (GitHub
// documents no Link header on the combined status). Pages after the first ask for the commit SHA the
// first page named, not the branch, and if the branch moved between the two
// lists the check runs are read again at the statuses' commit: a verdict
// never mixes two commits. A listing shorter than its total_count is read
// once more, then refused as malformed.
//
// # Targets, expected and required checks
//
// A [Target] is a ref (the default branch when empty) or a pull request,
// whose verdict is its head commit's, a fork's included. [ParseSpec] reads
// the forms users write and paste, GitHub Enterprise hosts included.
//
// [Want] adds what must be present. Expect names checks that must have
// reported; Required reads the checks the branch requires, from its rules
// (GET /repos/{o}/{r}/rules/branches/{branch}) and its classic protection
// together, concurrently with the two lists, and then only the required
// checks count. A required check from a named app is fulfilled only by a
// check run of that app. A missing check makes the verdict at best
// pending: a workflow that has not started yet is not green. Classic
// protection that the token may not read (403, 404) and a GitHub
// Enterprise Server without rulesets (404) are notes in [Result.Notes],
// not errors.
//
// # Client
//
// [NewClient] wraps an *http.Client the caller has already made safe (the
// clientsecure verified client): this package adds a bearer token for the API
// origin only, refuses redirects to any other host, caps every response body
// at [MaxBodySize] and turns GitHub's answers into an [*APIError] whose
// message says what to do. Timeouts and cancellation come from the context;
// network and identity errors are returned wrapped, so errors.As still finds
// a *clientsecure.IdentityError.
//
// Every error is prefixed "buildstatus: " and never holds the token, even
// when a server echoes it back.
//
// # Polling
//
// [ConditionalTransport] remembers each response's ETag and body and makes
// the next request for the same URL conditional, so that a poll of an
// unchanged ref is answered 304 Not Modified, which GitHub does not count
// against the rate limit. Install it below the client:
//
//	hc.Transport = buildstatus.NewConditionalTransport(hc.Transport)
//	c, err := buildstatus.NewClient(hc, apiURL, token)
//
// Each [Result] carries the [Usage] of the Check that made it: requests
// spent, how many were free 304s, the server's X-Poll-Interval and rate
// limit, which a watch loop paces itself by.
package buildstatus
