package inspect

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Text from a certificate is chosen by whoever made it, which for a
// fingerprint tool is any server at all. Each helper here makes such text
// safe for one destination.

// printable is s for a terminal: as is, or Go-quoted if it holds control
// characters or invalid UTF-8 (a newline or an escape sequence in a
// subject must not reach the terminal raw).
func printable(s string) string {
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// comment is s for a // comment in C, C++ or Java: as is when it is plain
// printable ASCII without a backslash, else quoted with ASCII escapes. A
// raw newline would end the comment, a final backslash would splice the
// next line into it, and Java reads \u000a as a newline even in comments;
// quoting doubles every backslash, which defuses all three.
func comment(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e || s[i] == '\\' {
			return strconv.QuoteToASCII(s)
		}
	}
	return s
}

// cString is s as a C string literal. Bytes outside printable ASCII are
// three-digit octal escapes (hex escapes would swallow a following hex
// digit) and '?' is escaped so that no trigraph can form.
func cString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\' || c == '?':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c < 0x20 || c > 0x7e:
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// javaString is s as a Java string literal, non-ASCII as \uXXXX escapes.
func javaString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r > 0x7e:
			for _, u := range utf16.AppendRune(nil, r) {
				fmt.Fprintf(&b, "\\u%04x", u)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// shellQuote is s as one POSIX shell word.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_./:=@%+,[]", r)))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// cSymbol makes a C identifier prefix from a host name: api.github.com is
// API_GITHUB_COM, 127.0.0.1 is HOST_127_0_0_1 (an identifier cannot start
// with a digit), and no host at all is SERVER.
func cSymbol(host string) string {
	var b strings.Builder
	underscore := true // no leading underscore
	for _, r := range strings.ToUpper(host) {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			underscore = false
		} else if !underscore {
			b.WriteByte('_')
			underscore = true
		}
	}
	s := strings.TrimRight(b.String(), "_")
	switch {
	case s == "":
		return "SERVER"
	case s[0] >= '0' && s[0] <= '9':
		return "HOST_" + s
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return itoa(n) + " " + unit + "s"
}
