package inspect

// Printable is s for a terminal or a one-line message: as is, or
// Go-quoted if it holds control characters or invalid UTF-8. Other
// packages that print names taken from certificates use it.
func Printable(s string) string { return printable(s) }

// Comment is s for a line comment in C, C++ or Java, or after '#': as is
// when it is plain printable ASCII without a backslash, else quoted with
// ASCII escapes, so that nothing in it can end the comment.
func Comment(s string) string { return comment(s) }
