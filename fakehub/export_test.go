package fakehub

// The tests are package fakehub_test, so that they can serve a Hub with
// fakehubtest (which imports fakehub); these are the internals they check
// answers against.
var Epoch = epoch

const (
	DocsREST      = docsREST
	DocsRepo      = docsRepo
	DocsStatus    = docsStatus
	DocsCheckRuns = docsCheckRuns
	JSONType      = jsonType
)

type ErrorBody = errorBody

const (
	DocsPull       = docsPull
	DocsRules      = docsRules
	DocsProtection = docsProtection
)
