// Package watch keeps asking for the build status of some refs and says
// when it changes: the poll loop behind `clientsecure status --watch`, and
// a CCTray feed for build monitors.
//
// # Polling
//
// A [Watcher] checks every target (OWNER/REPO[@REF]) once, then each again
// when it is due, until its context is cancelled. It reports each change
// of a ref's state or commit as a [Change], and the whole picture after
// each poll as a [Round]. It is built to cost nothing while nothing
// changes, and never to hammer a server:
//
//   - Give it a check function backed by a [buildstatus.Client] over a
//     [buildstatus.ConditionalTransport]: an unchanged ref is then answered
//     304 Not Modified, which GitHub does not count against the rate limit.
//   - A ref is polled every [Watcher.Interval], or every X-Poll-Interval
//     if the server asks for longer.
//   - The rate limit (X-RateLimit-Remaining, -Reset) is paced: with fewer
//     requests left than one poll of every ref could take, the watcher
//     waits for the reset; otherwise, if the requests spent lately would
//     run out before the reset, polls are spread out until it. A 403 or
//     429 rate limit stops every poll until its reset or Retry-After.
//   - An error is retried with exponential backoff and jitter, starting at
//     about one interval: errors never make polls more frequent. A server
//     that went away is dialled again on the next poll, and the
//     conditional store, which lives in the transport, outlives it.
//   - A target without a ref watches the default branch, looked up on the
//     first poll and then kept.
//
// # Time
//
// All waiting goes through a [Clock], so that tests drive the loop
// without sleeping; [RealClock] is the default.
//
// # CCTray
//
// A [Feed] serves the targets as a CCTray cc.xml document, the format
// CCMenu, Nevergreen, BuildNotify and CCTray itself read: one Project per
// ref, named OWNER/REPO@REF, whose activity is Building while the ref is
// pending and Sleeping otherwise, and whose lastBuildStatus is Success,
// Failure, Unknown (nothing reported yet, or not yet polled) or Exception
// (the last poll failed: the light should not stay green on stale news).
// While pending, lastBuildStatus is the last settled verdict.
package watch
