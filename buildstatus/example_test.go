package buildstatus_test

import (
	"fmt"

	"github.com/google/go-github/v93/github"

	"github.com/clientsecure/clientsecure/buildstatus"
)

// A ref with a passing Travis CI status, a re-run check that now passes, a
// skipped deploy and a lint still running is pending: the first failure or
// pending context decides, and only the latest run of each name counts.
func ExampleReduce() {
	statuses := []*github.RepoStatus{{
		ID: github.Ptr(int64(1)), Context: github.Ptr("continuous-integration/travis-ci/push"), State: github.Ptr("success"),
	}}
	runs := []*github.CheckRun{
		{ID: github.Ptr(int64(10)), Name: github.Ptr("build"), Status: github.Ptr("completed"), Conclusion: github.Ptr("failure")},
		{ID: github.Ptr(int64(11)), Name: github.Ptr("build"), Status: github.Ptr("completed"), Conclusion: github.Ptr("success")},
		{ID: github.Ptr(int64(12)), Name: github.Ptr("deploy"), Status: github.Ptr("completed"), Conclusion: github.Ptr("skipped")},
		{ID: github.Ptr(int64(13)), Name: github.Ptr("lint"), Status: github.Ptr("in_progress")},
	}
	state, contexts := buildstatus.Reduce(statuses, runs)
	fmt.Println(state)
	for _, c := range contexts {
		fmt.Printf("%-8s %-10s %s (%s)\n", c.State, c.Kind, c.Name, c.Conclusion)
	}
	// Output:
	// pending
	// pending  check_run  lint (in_progress)
	// success  check_run  build (success)
	// success  status     continuous-integration/travis-ci/push (success)
	// success  check_run  deploy (skipped)
}
