package fakehub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseScenario reads a scenario from JSON, strictly: unknown fields,
// duplicate fields, values of the wrong type, times not in RFC 3339, trailing
// data and invalid values (a state GitHub does not have, a check run
// concluded but not completed...) are all errors. Every error is a
// *ScenarioError with the line and column of the offending value, its JSON
// path and, once past the syntax, the repository and ref it belongs to.
func ParseScenario(data []byte) (*Scenario, error) {
	positions, err := checkShape(data)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var sc Scenario
	if err := dec.Decode(&sc); err != nil {
		// checkShape has seen everything Decode refuses; this is a
		// safety net, and says where if it can.
		se := &ScenarioError{Err: err}
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syntax):
			se.Line, se.Column = lineColumn(data, syntaxOffset(data, syntax))
		case errors.As(err, &typ):
			se.Line, se.Column = lineColumn(data, int(typ.Offset))
			se.Path = typ.Field
		}
		return nil, se
	}
	if err := sc.Validate(); err != nil {
		var se *ScenarioError
		if errors.As(err, &se) {
			se.Line, se.Column = lineColumn(data, positions.find(se.Path))
		}
		return nil, err
	}
	return &sc, nil
}

// positions maps the JSON path of every value in a document to the offset
// where it starts, so validation errors, which know only a path, can say
// where.
type positions map[string]int

// find is the offset of path, or of its nearest enclosing value (a field
// left out is reported where it should have been).
func (p positions) find(path string) int {
	for path != "" {
		if off, ok := p[path]; ok {
			return off
		}
		cut := strings.LastIndexAny(path, ".[")
		if cut < 0 {
			break
		}
		path = path[:cut]
	}
	return p[""]
}

// lineColumn turns a byte offset into a 1-based line and column, the column
// counted in characters.
// syntaxOffset is where a syntax error's offending byte is. Go 1.26's
// encoding/json reports the offset before an invalid character, later
// releases the offset after it (as SyntaxError.Offset documents: "after
// reading Offset bytes"); the character named in the message tells which.
func syntaxOffset(data []byte, e *json.SyntaxError) int {
	off := int(e.Offset)
	if off > 0 && off <= len(data) {
		named := "invalid character " + strconv.QuoteRune(rune(data[off-1]))
		if strings.HasPrefix(e.Error(), named) {
			off--
		}
	}
	return off
}

func lineColumn(data []byte, offset int) (line, column int) {
	offset = min(max(offset, 0), len(data))
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}

// positioned is a ScenarioError at offset.
func positioned(data []byte, offset int, path, format string, args ...any) *ScenarioError {
	line, col := lineColumn(data, offset)
	return &ScenarioError{Line: line, Column: col, Path: path, Err: fmt.Errorf(format, args...)}
}
