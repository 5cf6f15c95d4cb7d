package probe

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"testing"

	"golang.org/x/crypto/cryptobyte"
)

// parsedHello is a ClientHello read back independently of the builder.
type parsedHello struct {
	recordVersion uint16
	version       uint16
	random        []byte
	sessionID     []byte
	suites        []uint16
	compression   []byte
	extOrder      []uint16
	exts          map[uint16][]byte
}

func parseClientHello(t *testing.T, rec []byte) parsedHello {
	t.Helper()
	p, err := parseHelloRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// parseHelloRecord reads a ClientHello record with cryptobyte, checking
// every length, without any of the code that built it.
func parseHelloRecord(rec []byte) (parsedHello, error) {
	in := cryptobyte.String(rec)
	var p parsedHello
	var typ uint8
	var fragment, body cryptobyte.String
	if !in.ReadUint8(&typ) || typ != 22 {
		return p, fmt.Errorf("record type %d, want 22 (handshake)", typ)
	}
	if !in.ReadUint16(&p.recordVersion) || !in.ReadUint16LengthPrefixed(&fragment) || !in.Empty() {
		return p, errors.New("record length does not match its contents")
	}
	if !fragment.ReadUint8(&typ) || typ != 1 {
		return p, fmt.Errorf("handshake type %d, want 1 (client_hello)", typ)
	}
	if !fragment.ReadUint24LengthPrefixed(&body) || !fragment.Empty() {
		return p, errors.New("handshake length does not match the record")
	}
	var suites, exts cryptobyte.String
	if !body.ReadUint16(&p.version) || !body.ReadBytes(&p.random, 32) ||
		!body.ReadUint8LengthPrefixed((*cryptobyte.String)(&p.sessionID)) ||
		!body.ReadUint16LengthPrefixed(&suites) ||
		!body.ReadUint8LengthPrefixed((*cryptobyte.String)(&p.compression)) ||
		!body.ReadUint16LengthPrefixed(&exts) || !body.Empty() {
		return p, errors.New("ClientHello body does not parse")
	}
	for !suites.Empty() {
		var s uint16
		if !suites.ReadUint16(&s) {
			return p, errors.New("odd cipher suite list")
		}
		p.suites = append(p.suites, s)
	}
	p.exts = map[uint16][]byte{}
	for !exts.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&typ) || !exts.ReadUint16LengthPrefixed(&data) {
			return p, errors.New("extension does not parse")
		}
		if _, dup := p.exts[typ]; dup {
			return p, fmt.Errorf("extension %d sent twice", typ)
		}
		p.extOrder = append(p.extOrder, typ)
		p.exts[typ] = data
	}
	return p, nil
}

func TestClientHelloFields(t *testing.T) {
	random := bytes.Repeat([]byte{0xab}, 32)
	rec, err := Hello{ServerName: "build.example.org.", MaxFragmentLength: 1024, Random: random}.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	p := parseClientHello(t, rec)

	if p.recordVersion != tls.VersionTLS10 {
		t.Errorf("record version %#04x, want 0x0301", p.recordVersion)
	}
	if p.version != tls.VersionTLS12 {
		t.Errorf("client_version %#04x, want 0x0303", p.version)
	}
	if !bytes.Equal(p.random, random) {
		t.Errorf("random %x, want %x", p.random, random)
	}
	if len(p.sessionID) != 0 {
		t.Errorf("session ID %x, want none", p.sessionID)
	}
	if !bytes.Equal(p.compression, []byte{0}) {
		t.Errorf("compression methods %v, want [0]", p.compression)
	}

	// The cipher list: ECDHE first, AEADs before CBC, RSA key exchange last,
	// every one a suite crypto/tls knows by name.
	for _, want := range []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	} {
		if !slices.Contains(p.suites, want) {
			t.Errorf("cipher suites lack %s", tls.CipherSuiteName(want))
		}
	}
	if p.suites[0] != tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 {
		t.Errorf("first suite %s, want TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", tls.CipherSuiteName(p.suites[0]))
	}
	if last := p.suites[len(p.suites)-1]; last != tls.TLS_RSA_WITH_AES_256_CBC_SHA {
		t.Errorf("last suite %s, want TLS_RSA_WITH_AES_256_CBC_SHA", tls.CipherSuiteName(last))
	}
	for _, s := range p.suites {
		if name := tls.CipherSuiteName(s); name[0] == '0' {
			t.Errorf("unknown cipher suite %s", name)
		}
		if s == 0x00ff {
			t.Error("TLS_EMPTY_RENEGOTIATION_INFO_SCSV sent beside the renegotiation_info extension")
		}
	}

	wantExt := map[uint16][]byte{
		// server_name_list(13) { host_name(0), length(10), "build.example.org" }
		extServerName:           append([]byte{0, 20, 0, 0, 17}, "build.example.org"...),
		extExtendedMasterSecret: {},
		extRenegotiationInfo:    {0},
		extSupportedGroups:      {0, 8, 0, 29, 0, 23, 0, 24, 0, 25},
		extECPointFormats:       {1, 0},
		extSessionTicket:        {},
		extSignatureAlgorithms: {0, 20, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03, 0x08, 0x05,
			0x05, 0x01, 0x08, 0x06, 0x06, 0x01, 0x02, 0x03, 0x02, 0x01},
		extMaxFragmentLength: {2},
	}
	for typ, want := range wantExt {
		got, ok := p.exts[typ]
		if !ok {
			t.Errorf("extension %d missing", typ)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("extension %d = %x, want %x", typ, got, want)
		}
	}
	for typ := range p.exts {
		if _, ok := wantExt[typ]; !ok {
			t.Errorf("unexpected extension %d", typ)
		}
	}
	if p.extOrder[0] != extServerName {
		t.Errorf("first extension %d, want server_name first as real clients send it", p.extOrder[0])
	}
}

func TestClientHelloEachFragmentLength(t *testing.T) {
	for code, size := range map[byte]int{1: 512, 2: 1024, 3: 2048, 4: 4096} {
		rec, err := Hello{ServerName: "localhost", MaxFragmentLength: size}.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		p := parseClientHello(t, rec)
		if got := p.exts[extMaxFragmentLength]; !bytes.Equal(got, []byte{code}) {
			t.Errorf("size %d: max_fragment_length %x, want %x", size, got, code)
		}
		if _, ok := p.exts[extRecordSizeLimit]; ok {
			t.Errorf("size %d: record_size_limit sent beside max_fragment_length", size)
		}
		if bytes.Equal(p.random, make([]byte, 32)) {
			t.Errorf("size %d: random is all zeros", size)
		}
	}
}

func TestClientHelloOptionalExtensions(t *testing.T) {
	tests := []struct {
		name    string
		hello   Hello
		absent  []uint16
		present map[uint16][]byte
	}{
		{"IPv4 literal sends no SNI", Hello{ServerName: "127.0.0.1"}, []uint16{extServerName, extMaxFragmentLength}, nil},
		{"IPv6 literal sends no SNI", Hello{ServerName: "::1"}, []uint16{extServerName}, nil},
		{"bracketed IPv6 sends no SNI", Hello{ServerName: "[2001:db8::1]"}, []uint16{extServerName}, nil},
		{"no name sends no SNI", Hello{}, []uint16{extServerName}, nil},
		{"record_size_limit", Hello{ServerName: "a.example", RecordSizeLimit: 512},
			[]uint16{extMaxFragmentLength}, map[uint16][]byte{extRecordSizeLimit: {2, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := tt.hello.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			p := parseClientHello(t, rec)
			for _, typ := range tt.absent {
				if _, ok := p.exts[typ]; ok {
					t.Errorf("extension %d sent", typ)
				}
			}
			for typ, want := range tt.present {
				if got := p.exts[typ]; !bytes.Equal(got, want) {
					t.Errorf("extension %d = %x, want %x", typ, got, want)
				}
			}
		})
	}
}

func TestClientHelloRejectsBadInput(t *testing.T) {
	for _, h := range []Hello{
		{MaxFragmentLength: 1000},
		{MaxFragmentLength: 16384},
		{RecordSizeLimit: 63},
		{RecordSizeLimit: 16385},
		{ServerName: "bücher.example"},
		{ServerName: "a b"},
		{ServerName: string(bytes.Repeat([]byte("a"), 256))},
		{Random: []byte{1, 2, 3}},
	} {
		if _, err := h.Marshal(); err == nil {
			t.Errorf("%+v: no error", h)
		} else if err.Error()[:7] != "probe: " {
			t.Errorf("%+v: error %q lacks the package prefix", h, err)
		}
	}
}
