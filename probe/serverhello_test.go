package probe

import (
	"bytes"
	"crypto/tls"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReadServerHello(t *testing.T) {
	echo512 := serverHello{exts: []ext{{extRenegotiationInfo, []byte{0}}, mflEcho(1)}}.message()
	tests := []struct {
		name  string
		reply []byte
		check func(t *testing.T, s *ServerHello)
	}{
		{"echo", record(22, echo512), func(t *testing.T, s *ServerHello) {
			if s.MaxFragmentLengthCode != 1 || s.MaxFragmentLength() != 512 {
				t.Errorf("echo code %d (%d bytes), want 1 (512)", s.MaxFragmentLengthCode, s.MaxFragmentLength())
			}
			if !s.SecureRenegotiation {
				t.Error("renegotiation_info not seen")
			}
			if s.Version != tls.VersionTLS12 || s.CipherSuite != tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 || s.Compression != 0 {
				t.Errorf("version %#04x suite %#04x compression %d", s.Version, s.CipherSuite, s.Compression)
			}
			if want := []uint16{extRenegotiationInfo, extMaxFragmentLength}; !slices.Equal(s.Extensions, want) {
				t.Errorf("extensions %v, want %v", s.Extensions, want)
			}
		}},
		{"no echo", record(22, serverHello{exts: []ext{{extExtendedMasterSecret, nil}}}.message()), func(t *testing.T, s *ServerHello) {
			if s.MaxFragmentLengthCode != 0 || s.MaxFragmentLength() != 0 {
				t.Errorf("echo code %d, want none", s.MaxFragmentLengthCode)
			}
			if !s.ExtendedMasterSecret {
				t.Error("extended_master_secret not seen")
			}
		}},
		{"no extensions at all", record(22, serverHello{noExts: true, sessionID: []byte{7, 7}}.message()), func(t *testing.T, s *ServerHello) {
			if len(s.Extensions) != 0 || s.MaxFragmentLengthCode != 0 || !bytes.Equal(s.SessionID, []byte{7, 7}) {
				t.Errorf("extensions %v, echo %d, session ID %x", s.Extensions, s.MaxFragmentLengthCode, s.SessionID)
			}
		}},
		{"wrong echo value", record(22, serverHello{exts: []ext{mflEcho(3)}}.message()), func(t *testing.T, s *ServerHello) {
			if s.MaxFragmentLengthCode != 3 || s.MaxFragmentLength() != 2048 {
				t.Errorf("echo code %d (%d bytes), want 3 (2048)", s.MaxFragmentLengthCode, s.MaxFragmentLength())
			}
		}},
		{"echo of an undefined code", record(22, serverHello{exts: []ext{mflEcho(9)}}.message()), func(t *testing.T, s *ServerHello) {
			if s.MaxFragmentLengthCode != 9 || s.MaxFragmentLength() != 0 {
				t.Errorf("echo code %d (%d bytes), want 9 (no size)", s.MaxFragmentLengthCode, s.MaxFragmentLength())
			}
		}},
		{"TLS 1.3 answer", record(22, serverHello{suite: tls.TLS_AES_128_GCM_SHA256,
			exts: []ext{{extSupportedVersions, []byte{3, 4}}, {51, []byte{0, 29, 0, 1, 9}}}}.message()), func(t *testing.T, s *ServerHello) {
			if s.Version != tls.VersionTLS13 || s.LegacyVersion != tls.VersionTLS12 {
				t.Errorf("version %#04x legacy %#04x, want 0x0304 and 0x0303", s.Version, s.LegacyVersion)
			}
			if s.HelloRetryRequest {
				t.Error("taken for a HelloRetryRequest")
			}
		}},
		{"HelloRetryRequest", record(22, serverHello{random: helloRetryRandom[:],
			exts: []ext{{extSupportedVersions, []byte{3, 4}}}}.message()), func(t *testing.T, s *ServerHello) {
			if !s.HelloRetryRequest {
				t.Error("HelloRetryRequest not recognised")
			}
		}},
		{"record_size_limit", record(22, serverHello{exts: []ext{{extRecordSizeLimit, []byte{0x40, 0x01}}}}.message()), func(t *testing.T, s *ServerHello) {
			if s.RecordSizeLimit != 16385 {
				t.Errorf("record_size_limit %d, want 16385", s.RecordSizeLimit)
			}
		}},
		{"split over two records", join(record(22, echo512[:10]), record(22, echo512[10:])), func(t *testing.T, s *ServerHello) {
			if s.MaxFragmentLength() != 512 {
				t.Errorf("echo %d, want 512", s.MaxFragmentLength())
			}
		}},
		{"header in one record, body in the next", join(record(22, echo512[:2]), record(22, echo512[2:4]), record(22, echo512[4:])), func(t *testing.T, s *ServerHello) {
			if s.MaxFragmentLength() != 512 {
				t.Errorf("echo %d, want 512", s.MaxFragmentLength())
			}
		}},
		{"followed by a Certificate in the same record", record(22, join(echo512, []byte{11, 0, 0, 3, 0, 0, 0})), func(t *testing.T, s *ServerHello) {
			if s.MaxFragmentLength() != 512 {
				t.Errorf("echo %d, want 512", s.MaxFragmentLength())
			}
		}},
		{"after a HelloRequest and a warning alert", join(record(22, []byte{0, 0, 0, 0}), record(21, []byte{1, 112}), record(22, echo512)), func(t *testing.T, s *ServerHello) {
			if s.MaxFragmentLength() != 512 {
				t.Errorf("echo %d, want 512", s.MaxFragmentLength())
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ReadServerHello(bytes.NewReader(tt.reply))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
			// Reads that return one byte at a time (records cut across
			// TCP segments) give the same answer.
			s, err = ReadServerHello(iotest.OneByteReader(bytes.NewReader(tt.reply)))
			if err != nil {
				t.Fatalf("one byte at a time: %v", err)
			}
			tt.check(t, s)
		})
	}
}

func TestReadServerHelloStopsAtTheServerHello(t *testing.T) {
	echo := record(22, serverHello{exts: []ext{mflEcho(1)}}.message())
	rest := record(22, []byte{11, 0, 0, 3, 0, 0, 0})
	r := bytes.NewReader(join(echo, rest))
	if _, err := ReadServerHello(r); err != nil {
		t.Fatal(err)
	}
	if r.Len() != len(rest) {
		t.Errorf("%d bytes left unread, want the %d of the next record", r.Len(), len(rest))
	}
}

func TestReadServerHelloRejects(t *testing.T) {
	hello := serverHello{exts: []ext{mflEcho(1)}}.message()
	tests := []struct {
		name  string
		reply []byte
		is    error  // errors.Is target
		says  string // part of the message
	}{
		{"nothing", nil, ErrClosed, "sent nothing"},
		{"truncated header", []byte{22, 3, 3}, ErrClosed, "after 3 bytes, in a record header"},
		{"truncated record", record(22, hello)[:20], ErrClosed, "15 bytes into a"},
		{"truncated message", record(22, hello[:30]), ErrClosed, "after 35 bytes"},
		{"alert", record(21, []byte{2, 40}), nil, "fatal alert handshake_failure (40)"},
		{"close_notify", record(21, []byte{1, 0}), nil, "warning alert close_notify (0)"},
		{"garbage", []byte("\x00\x01\x02\x03\x04\x05garbage"), ErrNotTLS, `starts with "\x00\x01\x02\x03\x04"`},
		{"plain HTTP", []byte("HTTP/1.1 400 Bad Request\r\n\r\n"), ErrNotTLS, "plain HTTP"},
		{"a banner", []byte("220 mail.example ESMTP\r\n"), ErrNotTLS, `starts with "220 m"`},
		{"garbage after a record", join(record(22, hello[:10]), []byte("xxxxxxxx")), ErrMalformed, "is not TLS"},
		{"oversized record", []byte{22, 3, 3, 0xff, 0xff, 2}, ErrMalformed, "handshake record of 65535 bytes"},
		{"oversized ServerHello", record(22, []byte{2, 0xff, 0xff, 0xff}), ErrMalformed, "claims 16777215 bytes"},
		{"empty handshake record", record(22, nil), ErrMalformed, "empty handshake record"},
		{"odd alert", record(21, []byte{2, 40, 0}), ErrMalformed, "alert record of 3 bytes"},
		{"certificate first", record(22, []byte{11, 0, 0, 0}), ErrMalformed, "got handshake message type 11"},
		{"change_cipher_spec first", record(20, []byte{1}), ErrMalformed, "change_cipher_spec record"},
		{"application data first", record(23, []byte("hi")), ErrMalformed, "application_data record"},
		{"duplicate extension", record(22, serverHello{exts: []ext{mflEcho(1), mflEcho(1)}}.message()), ErrMalformed, "sent twice"},
		{"two-byte echo", record(22, serverHello{exts: []ext{{extMaxFragmentLength, []byte{1, 1}}}}.message()), ErrMalformed, "not one byte"},
		{"empty echo", record(22, serverHello{exts: []ext{{extMaxFragmentLength, nil}}}.message()), ErrMalformed, "not one byte"},
		{"short supported_versions", record(22, serverHello{exts: []ext{{extSupportedVersions, []byte{3}}}}.message()), ErrMalformed, "supported_versions"},
		{"bad record_size_limit", record(22, serverHello{exts: []ext{{extRecordSizeLimit, []byte{1, 2, 3}}}}.message()), ErrMalformed, "record_size_limit"},
		{"renegotiated connection", record(22, serverHello{exts: []ext{{extRenegotiationInfo, []byte{1, 9}}}}.message()), ErrMalformed, "renegotiation_info is not empty"},
		{"trailing bytes", record(22, serverHello{exts: []ext{mflEcho(1)}, trailing: []byte{0}}.message()), ErrMalformed, "wrong length"},
		{"long session ID", record(22, serverHello{sessionID: make([]byte, 33)}.message()), ErrMalformed, "session ID of 33 bytes"},
		{"not TLS version", record(22, serverHello{version: 0x0200}.message()), ErrMalformed, "is not TLS"},
		{"extension cut", record(22, []byte{2, 0, 0, 43, 3, 3, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
			16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 0, 0xc0, 0x2b, 0, 0, 3, 0, 1, 0}), ErrMalformed, "extension cut short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ReadServerHello(bytes.NewReader(tt.reply))
			if err == nil {
				t.Fatalf("no error; parsed %+v", s)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q is not %q", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q does not say %q", err, tt.says)
			}
			if !strings.HasPrefix(err.Error(), "probe: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestReadServerHelloAlertError(t *testing.T) {
	_, err := ReadServerHello(bytes.NewReader(record(21, []byte{2, 70})))
	var alert *AlertError
	if !errors.As(err, &alert) {
		t.Fatalf("error %v is not an *AlertError", err)
	}
	if alert.Level != 2 || alert.Description != 70 || alertName(alert.Description) != "protocol_version" {
		t.Errorf("alert %+v (%s), want fatal protocol_version", alert, alertName(alert.Description))
	}
}

// endless is a server that never stops sending warning alerts. It hangs
// up after four times the cap, so that a reader without the cap fails the
// test instead of reading forever.
type endless struct{ n int }

func (e *endless) Read(p []byte) (int, error) {
	if e.n >= 4*maxReply {
		return 0, io.EOF
	}
	alert := record(21, []byte{1, 112})
	for i := range p {
		p[i] = alert[(e.n+i)%len(alert)]
	}
	e.n += len(p)
	return len(p), nil
}

func TestReadServerHelloBoundsAnEndlessReply(t *testing.T) {
	r := &endless{}
	_, err := ReadServerHello(r)
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "without a complete ServerHello") {
		t.Fatalf("error %v, want the reply cap", err)
	}
	if r.n > maxReply+16 {
		t.Errorf("read %d bytes, more than the %d cap", r.n, maxReply)
	}
}

func TestReadServerHelloPassesReadErrors(t *testing.T) {
	boom := errors.New("connection reset")
	_, err := ReadServerHello(io.MultiReader(bytes.NewReader([]byte{22, 3}), iotest.ErrReader(boom)))
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "after 2 bytes") {
		t.Fatalf("error %v, want the reader's error after 2 bytes", err)
	}
}
