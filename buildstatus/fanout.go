package buildstatus

import (
	"context"
	"sync"
)

// Outcome is one ref's Result from CheckAll, with the error that made it,
// if any.
type Outcome struct {
	Result *Result
	Err    error
}

// CheckAll calls check for i from 0 to n-1, at most limit at once (limit
// below 1 means one at a time), and returns the outcomes in that order
// once every call has returned. It is how `status` and `--watch` check
// many refs.
//
// All calls start together: a Client holds its requests back until its
// first one has a connection, so over HTTP/2 every check shares that one
// connection and its one handshake; nothing here needs to send a first
// request alone.
func CheckAll(ctx context.Context, n, limit int, check func(ctx context.Context, i int) (*Result, error)) []Outcome {
	out := make([]Outcome, n)
	sem := make(chan struct{}, max(limit, 1))
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			res, err := check(ctx, i)
			out[i] = Outcome{res, err}
		})
	}
	wg.Wait()
	return out
}
