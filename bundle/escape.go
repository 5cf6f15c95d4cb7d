package bundle

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Names in certificates are chosen by whoever made them; these make them
// safe where they land.

// printable is s for a terminal or a one-line error: as is, or Go-quoted
// when it holds control characters or invalid UTF-8.
func printable(s string) string {
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// plain is s for a line comment (C's //, PEM's #): as is when it is
// printable ASCII without a backslash, else quoted with ASCII escapes, so
// that no newline ends the comment early and no final backslash splices
// the next line into it.
func plain(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e || s[i] == '\\' {
			return strconv.QuoteToASCII(s)
		}
	}
	return s
}
