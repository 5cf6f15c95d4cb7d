package probe

import (
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"golang.org/x/crypto/cryptobyte"
)

// Wire constants of TLS 1.2 (RFC 5246) and its extensions.
const (
	recordHandshake        = 22
	recordAlert            = 21
	recordChangeCipherSpec = 20
	recordApplicationData  = 23

	typeHelloRequest = 0
	typeClientHello  = 1
	typeServerHello  = 2

	extServerName           = 0
	extMaxFragmentLength    = 1 // RFC 6066
	extSupportedGroups      = 10
	extECPointFormats       = 11
	extSignatureAlgorithms  = 13
	extExtendedMasterSecret = 23 // RFC 7627
	extRecordSizeLimit      = 28 // RFC 8449
	extSessionTicket        = 35 // RFC 5077
	extSupportedVersions    = 43 // RFC 8446
	extRenegotiationInfo    = 0xff01

	// maxPlaintext is the largest record fragment TLS allows (2^14).
	maxPlaintext = 1 << 14
)

// fragmentLengths are the sizes RFC 6066 lets a client ask for; the
// extension carries them as the codes 1 to 4.
var fragmentLengths = [...]int{512, 1024, 2048, 4096}

// fragmentCode is the max_fragment_length code for size, or 0 when RFC 6066
// has none.
func fragmentCode(size int) uint8 {
	for i, n := range fragmentLengths {
		if n == size {
			return uint8(i + 1)
		}
	}
	return 0
}

// fragmentSize is the size a max_fragment_length code stands for, or 0 for
// a code RFC 6066 does not define.
func fragmentSize(code uint8) int {
	if code < 1 || int(code) > len(fragmentLengths) {
		return 0
	}
	return fragmentLengths[code-1]
}

// cipherSuites is what a TLS 1.2 client of today offers, strongest first:
// ECDHE with AES-GCM and ChaCha20-Poly1305, then the CBC suites that older
// servers and BearSSL still use, then RSA key exchange as the last resort.
var cipherSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	tls.TLS_RSA_WITH_AES_256_CBC_SHA,
}

var supportedGroups = []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521}

var signatureAlgorithms = []tls.SignatureScheme{
	tls.ECDSAWithP256AndSHA256,
	tls.PSSWithSHA256,
	tls.PKCS1WithSHA256,
	tls.ECDSAWithP384AndSHA384,
	tls.PSSWithSHA384,
	tls.PKCS1WithSHA384,
	tls.PSSWithSHA512,
	tls.PKCS1WithSHA512,
	tls.ECDSAWithSHA1,
	tls.PKCS1WithSHA1,
}

// Hello is the TLS 1.2 ClientHello a raw probe sends. It offers only TLS
// 1.2 (no supported_versions), as BearSSL does, so that a server answers the
// question an ESP8266 would ask.
type Hello struct {
	// ServerName is sent as SNI. Empty, or an IP literal (RFC 6066 allows
	// only host names), sends no server_name extension.
	ServerName string
	// MaxFragmentLength is 512, 1024, 2048 or 4096 to ask for that
	// max_fragment_length; 0 leaves the extension out.
	MaxFragmentLength int
	// RecordSizeLimit, when not 0, offers record_size_limit (RFC 8449)
	// with that value, 64 to 16384. A server that supports it must then
	// ignore max_fragment_length, so a probe should offer one or the other.
	RecordSizeLimit int
	// Random is the 32-byte client random; nil draws one from crypto/rand.
	Random []byte
}

// Marshal returns the ClientHello as one handshake record, ready to write.
func (h Hello) Marshal() ([]byte, error) {
	random := h.Random
	if random == nil {
		random = make([]byte, 32)
		if _, err := rand.Read(random); err != nil {
			return nil, fmt.Errorf("probe: client random: %w", err)
		}
	}
	if len(random) != 32 {
		return nil, fmt.Errorf("probe: client random is %d bytes, not 32", len(random))
	}
	var code uint8
	if h.MaxFragmentLength != 0 {
		if code = fragmentCode(h.MaxFragmentLength); code == 0 {
			return nil, fmt.Errorf("probe: max_fragment_length %d is not one of 512, 1024, 2048, 4096", h.MaxFragmentLength)
		}
	}
	if h.RecordSizeLimit != 0 && (h.RecordSizeLimit < 64 || h.RecordSizeLimit > maxPlaintext) {
		return nil, fmt.Errorf("probe: record_size_limit %d is not between 64 and %d", h.RecordSizeLimit, maxPlaintext)
	}
	sni, err := sniName(h.ServerName)
	if err != nil {
		return nil, err
	}

	var b cryptobyte.Builder
	b.AddUint8(recordHandshake)
	// Real clients put 1.0 in the first record's version, for the servers
	// that choke on anything newer there; the hello itself says 1.2.
	b.AddUint16(tls.VersionTLS10)
	b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint8(typeClientHello)
		b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
			b.AddUint16(tls.VersionTLS12)
			b.AddBytes(random)
			b.AddUint8(0) // no session ID: a fresh session, as BearSSL asks
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, s := range cipherSuites {
					b.AddUint16(s)
				}
			})
			b.AddUint8(1) // one compression method:
			b.AddUint8(0) // null
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				addExtensions(b, sni, code, h.RecordSizeLimit)
			})
		})
	})
	return b.Bytes()
}

func addExtensions(b *cryptobyte.Builder, sni string, mflCode uint8, recordSizeLimit int) {
	ext := func(typ uint16, body func(*cryptobyte.Builder)) {
		b.AddUint16(typ)
		b.AddUint16LengthPrefixed(body)
	}
	if sni != "" {
		ext(extServerName, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint8(0) // host_name
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(sni)) })
			})
		})
	}
	ext(extExtendedMasterSecret, func(*cryptobyte.Builder) {})
	ext(extRenegotiationInfo, func(b *cryptobyte.Builder) {
		b.AddUint8(0) // empty renegotiated_connection: an initial handshake
	})
	ext(extSupportedGroups, func(b *cryptobyte.Builder) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, g := range supportedGroups {
				b.AddUint16(uint16(g))
			}
		})
	})
	ext(extECPointFormats, func(b *cryptobyte.Builder) {
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) }) // uncompressed
	})
	ext(extSessionTicket, func(*cryptobyte.Builder) {})
	ext(extSignatureAlgorithms, func(b *cryptobyte.Builder) {
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, s := range signatureAlgorithms {
				b.AddUint16(uint16(s))
			}
		})
	})
	if mflCode != 0 {
		ext(extMaxFragmentLength, func(b *cryptobyte.Builder) { b.AddUint8(mflCode) })
	}
	if recordSizeLimit != 0 {
		ext(extRecordSizeLimit, func(b *cryptobyte.Builder) { b.AddUint16(uint16(recordSizeLimit)) })
	}
}

// sniName is the name to send as SNI: "" for an IP literal, the name
// without a trailing dot otherwise (RFC 6066, section 3).
func sniName(name string) (string, error) {
	if _, err := netip.ParseAddr(strings.Trim(name, "[]")); err == nil {
		return "", nil
	}
	name = strings.TrimSuffix(name, ".")
	if len(name) > 255 {
		return "", errors.New("probe: server name longer than 255 bytes")
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f {
			return "", fmt.Errorf("probe: server name %q is not an ASCII host name (use its punycode form)", name)
		}
	}
	return name, nil
}
