package probe

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
)

// Result is what a probe learned. Its JSON form is the `--json` output of
// `clientsecure probe`. Versions are written "1.0" to "1.3".
type Result struct {
	Host string `json:"host"`
	Port int    `json:"port"`
	// ServerName is the SNI sent; empty for an IP address.
	ServerName string `json:"server_name,omitempty"`
	// Address is the address connected to, once a connection was made.
	Address string `json:"address,omitempty"`

	// TLSVersions are the versions the server accepted, lowest first.
	TLSVersions []string `json:"tls_versions"`
	// RefusedVersions holds, for each version the server turned down in
	// TLS (an alert, or a ServerHello of another version), what it said.
	// A refusal is a finding about the server, not a failed probe: most
	// servers now refuse 1.0 and 1.1, as they should.
	RefusedVersions map[string]string `json:"tls_versions_refused,omitempty"`
	// Ciphers is the suite negotiated at each accepted version.
	Ciphers map[string]string `json:"ciphers"`
	// ALPN is the protocol the server chose from "h2" and "http/1.1",
	// at its highest version; empty when it chose none.
	ALPN string `json:"alpn"`
	// KeyType ("RSA", "ECDSA", "Ed25519") and KeyBits describe the
	// leaf's public key; ChainCertificates and ChainBytes (the sum of the
	// DER encodings) the chain the server sends.
	KeyType           string `json:"key_type,omitempty"`
	KeyBits           int    `json:"key_bits,omitempty"`
	ChainCertificates int    `json:"chain_certificates"`
	ChainBytes        int    `json:"chain_bytes"`
	OCSPStapled       bool   `json:"ocsp_stapled"`
	// Resumption says, for TLS 1.2 and 1.3 when accepted, whether a second
	// connection resumed the first one's session (from a session ticket).
	Resumption map[string]bool `json:"resumption"`
	// Identity is "verified", or "not verified: " and the reason, when
	// Options.VerifyConnection was given; empty otherwise.
	Identity string `json:"identity,omitempty"`
	// IdentityError is the verifier's error, for errors.As.
	IdentityError error `json:"-"`

	// MaxFragmentLength says, for 512, 1024, 2048 and 4096, whether the
	// server honoured max_fragment_length at that size.
	MaxFragmentLength FragmentSupport `json:"max_fragment_length"`
	// Fragments details each max_fragment_length probe.
	Fragments []FragmentProbe `json:"max_fragment_length_probes"`
	// RecordSizeLimit is the record_size_limit (RFC 8449) the server
	// announced when offered one; 0 when it ignored the offer.
	RecordSizeLimit int `json:"record_size_limit"`
	// ESP8266 is the memory a BearSSL client on an ESP8266 needs.
	ESP8266 ESP8266 `json:"esp8266"`

	// Errors holds, per probe ("tls 1.0", "resumption 1.3",
	// "max_fragment_length 512", "record_size_limit"), why it failed.
	Errors map[string]string `json:"errors,omitempty"`
}

// FragmentProbe is the answer to one max_fragment_length request.
type FragmentProbe struct {
	Requested int `json:"requested"`
	// Outcome is "honoured" (the same size echoed), "ignored" (no echo),
	// "wrong echo" (another code: a client must abort the handshake), or
	// "failed" (no usable ServerHello; see Result.Errors).
	Outcome string `json:"outcome"`
	// EchoedCode is the max_fragment_length code the server sent back, and
	// Echoed the size it stands for (0 for a code RFC 6066 lacks).
	EchoedCode uint8 `json:"echoed_code,omitempty"`
	Echoed     int   `json:"echoed,omitempty"`
	// Version and CipherSuite are what the ServerHello chose.
	Version     string `json:"version,omitempty"`
	CipherSuite string `json:"cipher_suite,omitempty"`
}

// Outcomes of a FragmentProbe.
const (
	Honoured  = "honoured"
	Ignored   = "ignored"
	WrongEcho = "wrong echo"
	Failed    = "failed"
)

// FragmentSupport maps a fragment length to whether it was honoured. Its
// JSON object has the keys "512" to "4096" in numeric order.
type FragmentSupport map[int]bool

// MarshalJSON writes the sizes in numeric order; encoding/json would sort
// them as strings, putting "512" last.
func (f FragmentSupport) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, size := range slices.Sorted(maps.Keys(f)) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + strconv.Itoa(size) + `":` + strconv.FormatBool(f[size]))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

var _ json.Marshaler = FragmentSupport(nil)

// smallestHonoured is the smallest fragment length honoured, 0 for none.
func (f FragmentSupport) smallestHonoured() int {
	for _, size := range fragmentLengths {
		if f[size] {
			return size
		}
	}
	return 0
}
