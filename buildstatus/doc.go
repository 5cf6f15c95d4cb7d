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
// context and the latest check run per name, then classifies each:
//
//   - failure: status failure or error; check conclusion failure, timed_out,
//     cancelled, action_required or startup_failure
//   - pending: status pending; a check run not yet completed; conclusion stale
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
// sending a "next" link. Pages after the first ask for the commit SHA the
// first page named, not the branch, and if the branch moved between the two
// lists the check runs are read again at the statuses' commit: a verdict
// never mixes two commits. A listing shorter than its total_count is read
// once more, then refused as malformed.
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
