package probe

import (
	"bytes"
	"crypto/tls"
	"errors"
	"reflect"
	"testing"
	"testing/iotest"
)

// fuzzSeeds are replies a server might send: the corpus under
// testdata/fuzz/FuzzParseServerHello holds these and what the fuzzer found.
func fuzzSeeds() [][]byte {
	echo := serverHello{exts: []ext{{extRenegotiationInfo, []byte{0}}, mflEcho(1)}}.message()
	return [][]byte{
		record(22, echo),
		record(22, serverHello{noExts: true}.message()),
		record(22, serverHello{exts: []ext{mflEcho(9), {extRecordSizeLimit, []byte{2, 0}}}}.message()),
		record(22, serverHello{suite: tls.TLS_AES_128_GCM_SHA256, exts: []ext{{extSupportedVersions, []byte{3, 4}}}}.message()),
		join(record(22, echo[:7]), record(22, echo[7:])),
		join(record(21, []byte{1, 112}), record(22, echo)),
		record(21, []byte{2, 40}),
		[]byte("HTTP/1.1 400 Bad Request\r\n\r\n"),
		{22, 3, 3, 0xff, 0xff},
	}
}

// FuzzParseServerHello feeds arbitrary replies to the record reader and
// the ServerHello parser: neither may panic, both must agree however the
// reply is cut into reads, and what they accept must be consistent.
func FuzzParseServerHello(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, reply []byte) {
		s, err := ReadServerHello(bytes.NewReader(reply))
		s1, err1 := ReadServerHello(iotest.OneByteReader(bytes.NewReader(reply)))
		if (err == nil) != (err1 == nil) || !reflect.DeepEqual(s, s1) {
			t.Fatalf("whole reply: %+v, %v; one byte at a time: %+v, %v", s, err, s1, err1)
		}
		if err != nil {
			var alert *AlertError
			if !errors.Is(err, ErrNotTLS) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrClosed) && !errors.As(err, &alert) {
				t.Fatalf("unclassified error %v", err)
			}
		} else {
			checkServerHello(t, s)
		}

		// The same bytes as one handshake message.
		if s, err := ParseServerHello(reply); err == nil {
			checkServerHello(t, s)
		} else if !errors.Is(err, ErrMalformed) {
			t.Fatalf("ParseServerHello: unclassified error %v", err)
		}
	})
}

func checkServerHello(t *testing.T, s *ServerHello) {
	t.Helper()
	if len(s.Random) != 32 || len(s.SessionID) > 32 || s.LegacyVersion>>8 != 3 {
		t.Fatalf("accepted %+v", s)
	}
	if size := s.MaxFragmentLength(); (size != 0) != (s.MaxFragmentLengthCode >= 1 && s.MaxFragmentLengthCode <= 4) {
		t.Fatalf("code %d means %d bytes", s.MaxFragmentLengthCode, size)
	}
	seen := map[uint16]bool{}
	for _, e := range s.Extensions {
		if seen[e] {
			t.Fatalf("extension %d accepted twice", e)
		}
		seen[e] = true
	}
}
