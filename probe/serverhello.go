package probe

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"slices"

	"golang.org/x/crypto/cryptobyte"
)

// helloRetryRandom is the Random of a TLS 1.3 HelloRetryRequest, which is
// a ServerHello in form (RFC 8446, section 4.1.3).
var helloRetryRandom = sha256.Sum256([]byte("HelloRetryRequest"))

// ServerHello is a server's answer to a [Hello], as far as the probe needs it.
type ServerHello struct {
	// Version is the version the server chose: the supported_versions
	// extension's when there is one (a TLS 1.3 answer), else LegacyVersion.
	Version uint16
	// LegacyVersion is the version field itself; 0x0303 in TLS 1.3 answers.
	LegacyVersion uint16
	Random        []byte
	SessionID     []byte
	CipherSuite   uint16
	Compression   uint8
	// Extensions lists the extension types in the order they came.
	Extensions []uint16
	// MaxFragmentLengthCode is the max_fragment_length code the server
	// echoed, 0 when it sent none. It may be a code other than the one
	// asked for, or no code RFC 6066 defines: [ServerHello.MaxFragmentLength]
	// says which size it stands for.
	MaxFragmentLengthCode uint8
	// RecordSizeLimit is the server's record_size_limit, 0 when it sent none.
	RecordSizeLimit int
	// SecureRenegotiation is set when the server sent renegotiation_info.
	SecureRenegotiation bool
	// ExtendedMasterSecret is set when the server agreed to RFC 7627.
	ExtendedMasterSecret bool
	// HelloRetryRequest is set when this is a TLS 1.3 HelloRetryRequest.
	HelloRetryRequest bool
}

// MaxFragmentLength is the size the echoed max_fragment_length code stands
// for: 0 when none was echoed or the code is not one RFC 6066 defines.
func (s *ServerHello) MaxFragmentLength() int { return fragmentSize(s.MaxFragmentLengthCode) }

// ParseServerHello parses one complete handshake message, header included,
// that must be a ServerHello. Every length is checked; nothing may follow
// the extensions.
func ParseServerHello(msg []byte) (*ServerHello, error) {
	in := cryptobyte.String(msg)
	var typ uint8
	var body cryptobyte.String
	if !in.ReadUint8(&typ) || !in.ReadUint24LengthPrefixed(&body) {
		return nil, malformed("handshake message cut short (%d bytes)", len(msg))
	}
	if typ != typeServerHello {
		return nil, malformed("expected a ServerHello (type 2), got handshake message type %d", typ)
	}
	if !in.Empty() {
		return nil, malformed("%d bytes after the ServerHello message", len(in))
	}

	s := &ServerHello{}
	var random, sessionID []byte
	if !body.ReadUint16(&s.LegacyVersion) || !body.ReadBytes(&random, 32) ||
		!body.ReadUint8LengthPrefixed((*cryptobyte.String)(&sessionID)) ||
		!body.ReadUint16(&s.CipherSuite) || !body.ReadUint8(&s.Compression) {
		return nil, malformed("ServerHello cut short")
	}
	if s.LegacyVersion>>8 != 3 {
		return nil, malformed("ServerHello version %#04x is not TLS", s.LegacyVersion)
	}
	if len(sessionID) > 32 {
		return nil, malformed("session ID of %d bytes (at most 32)", len(sessionID))
	}
	s.Version = s.LegacyVersion
	s.Random = bytes.Clone(random)
	s.SessionID = bytes.Clone(sessionID)
	s.HelloRetryRequest = bytes.Equal(random, helloRetryRandom[:])

	if body.Empty() { // a TLS 1.2 ServerHello may have no extensions at all
		return s, nil
	}
	var exts cryptobyte.String
	if !body.ReadUint16LengthPrefixed(&exts) || !body.Empty() {
		return nil, malformed("extensions block has a wrong length")
	}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return nil, malformed("extension cut short")
		}
		if slices.Contains(s.Extensions, typ) {
			return nil, malformed("extension %d sent twice", typ)
		}
		s.Extensions = append(s.Extensions, typ)
		if err := s.readExtension(typ, data); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// readExtension records the extensions the probe reports on; it checks that
// each has the one form its RFC allows and ignores the others.
func (s *ServerHello) readExtension(typ uint16, data cryptobyte.String) error {
	switch typ {
	case extMaxFragmentLength:
		if !data.ReadUint8(&s.MaxFragmentLengthCode) || !data.Empty() {
			return malformed("max_fragment_length extension is not one byte")
		}
	case extRecordSizeLimit:
		var limit uint16
		if !data.ReadUint16(&limit) || !data.Empty() {
			return malformed("record_size_limit extension is not two bytes")
		}
		s.RecordSizeLimit = int(limit)
	case extSupportedVersions:
		if !data.ReadUint16(&s.Version) || !data.Empty() {
			return malformed("supported_versions extension is not two bytes")
		}
	case extRenegotiationInfo:
		var renegotiated cryptobyte.String
		if !data.ReadUint8LengthPrefixed(&renegotiated) || !data.Empty() {
			return malformed("renegotiation_info extension has a wrong length")
		}
		if len(renegotiated) != 0 {
			return malformed("renegotiation_info is not empty in an initial handshake")
		}
		s.SecureRenegotiation = true
	case extExtendedMasterSecret:
		if !data.Empty() {
			return malformed("extended_master_secret extension is not empty")
		}
		s.ExtendedMasterSecret = true
	}
	return nil
}

// versionName is "1.0" to "1.3" for TLS versions, tls.VersionName otherwise.
func versionName(v uint16) string {
	switch v {
	case tls.VersionTLS10:
		return "1.0"
	case tls.VersionTLS11:
		return "1.1"
	case tls.VersionTLS12:
		return "1.2"
	case tls.VersionTLS13:
		return "1.3"
	}
	return tls.VersionName(v)
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}
