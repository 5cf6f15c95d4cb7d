package fakehub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// checkShape walks the JSON against the Scenario types before decoding,
// because encoding/json reports unknown fields and bad times without a
// position, and type errors at the end of the value rather than its start.
// It also records where every value starts, for later errors.
func checkShape(data []byte) (positions, error) {
	w := &shapeWalker{data: data, dec: json.NewDecoder(bytes.NewReader(data)), pos: positions{}}
	w.dec.UseNumber()
	if err := w.value(reflect.TypeFor[Scenario](), ""); err != nil {
		return nil, err
	}
	if rest := w.next(); rest < len(data) {
		return nil, positioned(data, rest, "", "unexpected data after the scenario's closing '}'")
	}
	return w.pos, nil
}

type shapeWalker struct {
	data []byte
	dec  *json.Decoder
	pos  positions
}

var timeType = reflect.TypeFor[time.Time]()

// next is the offset of the next token's first byte, past the separators
// the decoder has not consumed yet.
func (w *shapeWalker) next() int {
	off := int(w.dec.InputOffset())
	for off < len(w.data) && strings.IndexByte(" \t\r\n,:", w.data[off]) >= 0 {
		off++
	}
	return off
}

func (w *shapeWalker) token(path string) (json.Token, int, error) {
	start := w.next()
	tok, err := w.dec.Token()
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return nil, start, positioned(w.data, syntaxOffset(w.data, syntax), path, "%w", err)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return nil, start, positioned(w.data, len(w.data), path, "unexpected end of JSON")
	case err != nil:
		return nil, start, positioned(w.data, start, path, "%w", err)
	}
	return tok, start, nil
}

func (w *shapeWalker) value(t reflect.Type, path string) error {
	tok, start, err := w.token(path)
	if err != nil {
		return err
	}
	w.pos[path] = start
	if tok == nil {
		return nil // null leaves the default, as encoding/json does
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	wrong := func(want string) error {
		return positioned(w.data, start, path, "want %s, got %s", want, describe(tok))
	}
	switch {
	case t == timeType:
		s, ok := tok.(string)
		if !ok {
			return wrong("an RFC 3339 time string")
		}
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			return positioned(w.data, start, path, "%q is not an RFC 3339 time like \"2016-08-01T09:54:38Z\"", s)
		}
	case t.Kind() == reflect.Struct:
		if tok != json.Delim('{') {
			return wrong("an object")
		}
		return w.object(t, path)
	case t.Kind() == reflect.Slice:
		if tok != json.Delim('[') {
			return wrong("an array")
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		_, _, err := w.token(path)
		return err
	case t.Kind() == reflect.String:
		if _, ok := tok.(string); !ok {
			return wrong("a string")
		}
	case t.Kind() == reflect.Bool:
		if _, ok := tok.(bool); !ok {
			return wrong("true or false")
		}
	case t.Kind() == reflect.Int || t.Kind() == reflect.Int64:
		n, ok := tok.(json.Number)
		if !ok {
			return wrong("an integer")
		}
		if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
			return positioned(w.data, start, path, "%s is not an integer", n)
		}
	default:
		panic("fakehub: checkShape: no rule for " + t.String())
	}
	return nil
}

func (w *shapeWalker) object(t reflect.Type, path string) error {
	fields := jsonFields(t)
	seen := make(map[string]bool)
	for w.dec.More() {
		tok, start, err := w.token(path)
		if err != nil {
			return err
		}
		key := tok.(string) // the decoder allows nothing else here
		field := key
		if path != "" {
			field = path + "." + key
		}
		ft, known := fields[key]
		switch {
		case !known:
			return positioned(w.data, start, field, "unknown field %q; known here: %s", key, strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
		case seen[key]:
			return positioned(w.data, start, field, "field %q given twice", key)
		}
		seen[key] = true
		if err := w.value(ft, field); err != nil {
			return err
		}
	}
	_, _, err := w.token(path)
	return err
}

// jsonFields maps a struct's JSON names to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := make(map[string]reflect.Type)
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" && f.IsExported() {
			fields[name] = f.Type
		}
	}
	return fields
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return fmt.Sprintf("string %q", v)
	case json.Number:
		return "number " + v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(tok)
}
