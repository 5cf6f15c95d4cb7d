package probe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
)

var (
	// ErrNotTLS is wrapped by the error for a reply that is not TLS at
	// all: plain HTTP, a banner, garbage.
	ErrNotTLS = errors.New("probe: reply is not TLS")
	// ErrMalformed is wrapped by the error for TLS records or a
	// ServerHello that break the protocol's encoding.
	ErrMalformed = errors.New("probe: malformed TLS reply")
	// ErrClosed is wrapped by the error for a connection the server
	// closed before its ServerHello was complete.
	ErrClosed = errors.New("probe: connection closed before the ServerHello")
)

const (
	// maxServerHello bounds the ServerHello message. Real ones are under
	// 200 bytes; a TLS 1.3 HelloRetryRequest with a post-quantum key
	// share is near 1.2 KB.
	maxServerHello = maxPlaintext
	// maxReply bounds what is read before the ServerHello is complete, so
	// that a server sending endless tiny records cannot keep us reading.
	maxReply = 64 << 10
)

// AlertError is a TLS alert the server sent instead of its ServerHello.
type AlertError struct {
	Level       uint8 // 1 warning, 2 fatal
	Description uint8
}

func (e *AlertError) Error() string {
	level := "fatal"
	if e.Level == 1 {
		level = "warning"
	}
	return fmt.Sprintf("probe: server sent %s alert %s (%d)", level, alertName(e.Description), e.Description)
}

// ReadServerHello reads TLS records from r up to the end of the server's
// ServerHello and parses it. It reassembles a ServerHello split over
// records or reads, stops at an alert, and reads nothing after the
// ServerHello. Anything else is an error wrapping [ErrNotTLS],
// [ErrMalformed], [ErrClosed] or an [*AlertError]; r's own errors (a
// deadline) are wrapped as they are.
func ReadServerHello(r io.Reader) (*ServerHello, error) {
	rd := &recordReader{r: r}
	var hs []byte // handshake bytes so far
	for {
		typ, fragment, err := rd.next()
		if err != nil {
			return nil, err
		}
		switch typ {
		case recordHandshake:
			hs = append(hs, fragment...)
			// Skip HelloRequests: RFC 5246 (7.4.1.1) has clients ignore
			// them while a handshake is under way.
			for len(hs) >= 4 && hs[0] == typeHelloRequest && hs[1]|hs[2]|hs[3] == 0 {
				hs = hs[4:]
			}
			if len(hs) < 4 {
				continue
			}
			if hs[0] != typeServerHello {
				return nil, malformed("expected a ServerHello (type 2), got handshake message type %d", hs[0])
			}
			n := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
			if n > maxServerHello {
				return nil, malformed("ServerHello claims %d bytes (at most %d)", n, maxServerHello)
			}
			if len(hs) >= 4+n {
				return ParseServerHello(hs[:4+n])
			}
		case recordAlert:
			if len(fragment) != 2 {
				return nil, malformed("alert record of %d bytes, not 2", len(fragment))
			}
			alert := &AlertError{Level: fragment[0], Description: fragment[1]}
			// A warning (say unrecognized_name) lets the handshake go
			// on; close_notify and user_canceled end it.
			if alert.Level == 1 && alert.Description != 0 && alert.Description != 90 {
				continue
			}
			return nil, alert
		case recordChangeCipherSpec, recordApplicationData:
			return nil, malformed("%s record before the ServerHello", recordName(typ))
		}
	}
}

// recordReader reads TLS records and keeps count of what it read.
type recordReader struct {
	r    io.Reader
	read int
}

// next reads one record: its type and fragment.
func (rd *recordReader) next() (uint8, []byte, error) {
	var hdr [5]byte
	n, err := io.ReadFull(rd.r, hdr[:])
	rd.read += n
	if err != nil {
		return 0, nil, rd.cut(err, "in a record header")
	}
	if err := checkHeader(hdr, rd.read == len(hdr)); err != nil {
		return 0, nil, err
	}
	length := int(hdr[3])<<8 | int(hdr[4])
	if length > maxPlaintext {
		return 0, nil, malformed("%s record of %d bytes (TLS allows %d)", recordName(hdr[0]), length, maxPlaintext)
	}
	if length == 0 && hdr[0] != recordApplicationData {
		return 0, nil, malformed("empty %s record", recordName(hdr[0]))
	}
	if rd.read+length > maxReply {
		return 0, nil, malformed("more than %d bytes without a complete ServerHello", maxReply)
	}
	fragment := make([]byte, length)
	n, err = io.ReadFull(rd.r, fragment)
	rd.read += n
	if err != nil {
		return 0, nil, rd.cut(err, fmt.Sprintf("%d bytes into a %d-byte record", n, length))
	}
	return hdr[0], fragment, nil
}

// cut explains a read that stopped early: the server closed the connection,
// or r failed (a deadline, a reset).
func (rd *recordReader) cut(err error, where string) error {
	if errors.Is(err, syscall.ECONNRESET) {
		return fmt.Errorf("%w: reset by the server after %d bytes: %w", ErrClosed, rd.read, err)
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("probe: reading the reply after %d bytes: %w", rd.read, err)
	}
	if rd.read == 0 {
		return fmt.Errorf("%w: the server sent nothing", ErrClosed)
	}
	return fmt.Errorf("%w: after %d bytes, %s", ErrClosed, rd.read, where)
}

// checkHeader tells a TLS record header from things that are not TLS. The
// first header gets the friendlier diagnosis, since that is where a plain
// HTTP server or a banner shows.
func checkHeader(hdr [5]byte, first bool) error {
	if first && bytes.HasPrefix(hdr[:], []byte("HTTP/")) {
		return fmt.Errorf("%w: the server answered in plain HTTP (is this an HTTPS port?)", ErrNotTLS)
	}
	known := hdr[0] >= recordChangeCipherSpec && hdr[0] <= recordApplicationData
	if !known || hdr[1] != 3 {
		if first {
			return fmt.Errorf("%w: it starts with %s", ErrNotTLS, quoteBytes(hdr[:]))
		}
		return malformed("record header %s is not TLS", quoteBytes(hdr[:]))
	}
	return nil
}

// quoteBytes shows bytes from the server byte for byte: printable ASCII as
// it is, anything else (which could be a terminal escape) as \xNN.
func quoteBytes(b []byte) string {
	var s strings.Builder
	s.WriteByte('"')
	for _, c := range b {
		switch {
		case c == '"' || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			s.WriteByte(c)
		default:
			fmt.Fprintf(&s, "\\x%02x", c)
		}
	}
	s.WriteByte('"')
	return s.String()
}

func recordName(typ uint8) string {
	switch typ {
	case recordChangeCipherSpec:
		return "change_cipher_spec"
	case recordAlert:
		return "alert"
	case recordHandshake:
		return "handshake"
	case recordApplicationData:
		return "application_data"
	}
	return fmt.Sprintf("type %d", typ)
}

// alertNames are the TLS alert descriptions of RFC 5246, 6066, 7301 and 8446.
var alertNames = map[uint8]string{
	0: "close_notify", 10: "unexpected_message", 20: "bad_record_mac",
	21: "decryption_failed", 22: "record_overflow", 30: "decompression_failure",
	40: "handshake_failure", 41: "no_certificate", 42: "bad_certificate",
	43: "unsupported_certificate", 44: "certificate_revoked", 45: "certificate_expired",
	46: "certificate_unknown", 47: "illegal_parameter", 48: "unknown_ca",
	49: "access_denied", 50: "decode_error", 51: "decrypt_error",
	60: "export_restriction", 70: "protocol_version", 71: "insufficient_security",
	80: "internal_error", 86: "inappropriate_fallback", 90: "user_canceled",
	100: "no_renegotiation", 109: "missing_extension", 110: "unsupported_extension",
	111: "certificate_unobtainable", 112: "unrecognized_name",
	113: "bad_certificate_status_response", 114: "bad_certificate_hash_value",
	115: "unknown_psk_identity", 116: "certificate_required", 120: "no_application_protocol",
}

func alertName(d uint8) string {
	if name, ok := alertNames[d]; ok {
		return name
	}
	return "unknown"
}
