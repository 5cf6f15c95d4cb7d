package fakehub

import (
	"fmt"
	"strings"
)

// ScenarioError is what ParseScenario and Scenario.Validate return for a
// scenario they refuse. It says where, in the words a person editing the file
// needs: the line and column (when parsing JSON), the repository and ref, and
// the JSON path of the offending value.
type ScenarioError struct {
	Line, Column int    // 1-based position in the JSON; 0 when not parsing
	Where        string // "repo esp8266/Arduino, ref master", or empty
	Path         string // JSON path, "repos[0].refs[0].statuses[1].state", or empty
	Err          error  // what is wrong
}

func (e *ScenarioError) Error() string {
	var b strings.Builder
	b.WriteString("fakehub: scenario")
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Where != "" {
		b.WriteString(e.Where)
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ScenarioError) Unwrap() error { return e.Err }

// invalid is a validation error at path, in repository or ref where.
func invalid(where, path, format string, args ...any) *ScenarioError {
	return &ScenarioError{Where: where, Path: path, Err: fmt.Errorf(format, args...)}
}
