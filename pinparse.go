package clientsecure

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// AcceptedPinForms is the list of forms ParsePin reads, for error messages
// and help text.
const AcceptedPinForms = `accepted forms:
  CF 05 98 89 ... / CF:05:98:89:... / cf059889...  SHA-1 (20 bytes) or SHA-256 (32 bytes) of the certificate
  sha256/BASE64, sha1/BASE64                      public key (SPKI) hash, as OkHttp writes it
  sha256//BASE64[;sha256//BASE64...]              public key SHA-256, as curl --pinnedpubkey takes it
  pin-sha256="BASE64"                             public key SHA-256, as the HPKP header writes it
  SHA1 Fingerprint=CF:05:... / sha256 Fingerprint=...  openssl x509 -fingerprint output`

// PinError is a malformed pin: what was given, where the problem is and
// what is wrong. Error is one line; show AcceptedPinForms beneath it.
type PinError struct {
	Input  string
	Pos    int // byte offset into Input (0-based) where the problem was found
	Reason string
}

func (e *PinError) Error() string {
	return fmt.Sprintf("clientsecure: malformed pin %q: at position %d: %s", e.Input, e.Pos+1, e.Reason)
}

// ParsePins reads one or several pins: curl's sha256//A;sha256//B, a pasted
// HPKP header (its max-age, includeSubDomains and report-uri directives are
// ignored), or any single form ParsePin takes.
func ParsePins(s string) ([]Pin, error) {
	if !strings.Contains(s, ";") {
		p, err := ParsePin(s)
		if err != nil {
			return nil, err
		}
		return []Pin{p}, nil
	}
	var pins []Pin
	offset := 0
	for part := range strings.SplitSeq(s, ";") {
		start := offset
		offset += len(part) + 1
		trimmed := strings.TrimSpace(part)
		if trimmed == "" || isHPKPDirective(trimmed) {
			continue
		}
		p, err := ParsePin(part)
		if err != nil {
			if pe, ok := err.(*PinError); ok {
				pe.Input, pe.Pos = s, pe.Pos+start
			}
			return nil, err
		}
		pins = append(pins, p)
	}
	if len(pins) == 0 {
		return nil, &PinError{Input: s, Reason: "no pin in the list"}
	}
	return pins, nil
}

func isHPKPDirective(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "max-age") || l == "includesubdomains" || strings.HasPrefix(l, "report-uri")
}

// ParsePin reads a pin in any of the forms in AcceptedPinForms. Hex is
// case-insensitive; surrounding white space is ignored.
func ParsePin(s string) (Pin, error) {
	lead := len(s) - len(strings.TrimLeft(s, " \t\r\n"))
	body := strings.TrimSpace(s)
	fail := func(pos int, format string, args ...any) (Pin, error) {
		return Pin{}, &PinError{Input: s, Pos: lead + pos, Reason: fmt.Sprintf(format, args...)}
	}
	if body == "" {
		return Pin{}, &PinError{Input: s, Reason: "empty pin"}
	}
	lower := strings.ToLower(body)
	switch {
	case strings.HasPrefix(lower, "sha256//"):
		// curl's form, or OkHttp's whose base64 starts with '/'. The
		// lengths differ (44 characters of padded base64 after the
		// prefix), so at most one of them decodes to 32 bytes.
		p, err := parseBase64(s, lead, body, len("sha256//"), SPKISHA256)
		if err != nil {
			if p2, err2 := parseBase64(s, lead, body, len("sha256/"), SPKISHA256); err2 == nil {
				return p2, nil
			}
		}
		return p, err
	case strings.HasPrefix(lower, "sha256/"):
		return parseBase64(s, lead, body, len("sha256/"), SPKISHA256)
	case strings.HasPrefix(lower, "sha1/"):
		return parseBase64(s, lead, body, len("sha1/"), SPKISHA1)
	case strings.HasPrefix(lower, "pin-sha256="):
		n := len("pin-sha256=")
		rest := body[n:]
		if len(rest) < 2 || rest[0] != '"' || rest[len(rest)-1] != '"' {
			return fail(n, `the HPKP form quotes its value: pin-sha256="BASE64"`)
		}
		return parseBase64(s, lead, body[:len(body)-1], n+1, SPKISHA256)
	case strings.HasPrefix(lower, "sha1 fingerprint="):
		return parseHex(s, lead, body, len("sha1 fingerprint="), CertSHA1)
	case strings.HasPrefix(lower, "sha256 fingerprint="):
		return parseHex(s, lead, body, len("sha256 fingerprint="), CertSHA256)
	case strings.Contains(lower, "/") || strings.Contains(lower, "="):
		return fail(0, "unknown pin prefix")
	}
	return parseHex(s, lead, body, 0, 0)
}

// parseBase64 reads body[start:] as standard base64 of a kind-sized digest.
func parseBase64(input string, lead int, body string, start int, kind PinKind) (Pin, error) {
	enc := body[start:]
	fail := func(pos int, format string, args ...any) (Pin, error) {
		return Pin{}, &PinError{Input: input, Pos: lead + pos, Reason: fmt.Sprintf(format, args...)}
	}
	if enc == "" {
		return fail(start, "missing base64 digest after the prefix")
	}
	for i := 0; i < len(enc); i++ {
		c := enc[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return fail(start+i, "%q is not a base64 character", c)
		}
	}
	digest, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		// Accept unpadded base64, which some tools print.
		if d, err2 := base64.RawStdEncoding.DecodeString(enc); err2 == nil {
			digest, err = d, nil
		}
	}
	if err != nil {
		pos := start
		if ce, ok := err.(base64.CorruptInputError); ok {
			pos += int(ce)
		}
		return fail(pos, "invalid base64")
	}
	if len(digest) != kind.size() {
		return fail(start, "a %v is %d bytes, this decodes to %d", kind, kind.size(), len(digest))
	}
	return Pin{kind: kind, hash: string(digest)}, nil
}

// parseHex reads body[start:] as hex pairs, optionally separated by spaces
// or colons. kind 0 means "by length": 20 bytes SHA-1, 32 bytes SHA-256.
func parseHex(input string, lead int, body string, start int, kind PinKind) (Pin, error) {
	fail := func(pos int, format string, args ...any) (Pin, error) {
		return Pin{}, &PinError{Input: input, Pos: lead + pos, Reason: fmt.Sprintf(format, args...)}
	}
	digest := make([]byte, 0, 32)
	var hi byte
	half := false
	for i := start; i < len(body); i++ {
		c := body[i]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		case c == ' ' || c == ':':
			if half {
				return fail(i, "separator %q splits a hex pair", c)
			}
			continue
		default:
			return fail(i, "%q is not a hex digit", c)
		}
		if !half {
			hi, half = v, true
			continue
		}
		digest = append(digest, hi<<4|v)
		half = false
		if len(digest) > 32 {
			return fail(i, "too long: a fingerprint is 20 bytes (SHA-1) or 32 bytes (SHA-256)")
		}
	}
	if half {
		return fail(len(body)-1, "odd number of hex digits")
	}
	switch {
	case kind == 0 && len(digest) == 20:
		kind = CertSHA1
	case kind == 0 && len(digest) == 32:
		kind = CertSHA256
	case kind == 0:
		return fail(start, "%d bytes: a fingerprint is 20 bytes (SHA-1) or 32 bytes (SHA-256)", len(digest))
	case len(digest) != kind.size():
		return fail(start, "a %v is %d bytes, this is %d", kind, kind.size(), len(digest))
	}
	return Pin{kind: kind, hash: string(digest)}, nil
}
