package devicetls

import (
	"crypto/rsa"
	"crypto/tls"
	"fmt"
)

// Record-size limits for Options.MaxRecord.
const (
	DefaultMaxRecord = 512
	MinMaxRecord     = 512   // the smallest max_fragment_length (RFC 6066)
	MaxMaxRecord     = 16384 // TLS's own limit
)

// Options shape the device-side TLS.
type Options struct {
	// MaxRecord bounds the plaintext of every TLS 1.2 record sent, and of
	// every application-data record on TLS 1.3; 0 means DefaultMaxRecord.
	MaxRecord int
	// TLS12Only refuses TLS 1.3, as serve --bearssl does, to behave
	// exactly like the devices' only version.
	TLS12Only bool
}

// CheckMaxRecord refuses a limit outside 512..16384.
func CheckMaxRecord(n int) error {
	if n < MinMaxRecord || n > MaxMaxRecord {
		return fmt.Errorf("devicetls: max record %d: want %d to %d bytes", n, MinMaxRecord, MaxMaxRecord)
	}
	return nil
}

func (o Options) maxRecord() int {
	if o.MaxRecord == 0 {
		return DefaultMaxRecord
	}
	return o.MaxRecord
}

// ecdheSuites are the TLS 1.2 suites BearSSL clients implement, strongest
// first.
var ecdheSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
}

// rsaKexSuites are the plain-RSA key-exchange suites, offered only with an
// RSA key: ESP8266 builds with reduced ciphers (setCiphersLessSecure) and
// older BearSSL profiles speak nothing else. crypto/tls leaves them out of
// its defaults; naming them in CipherSuites enables them.
var rsaKexSuites = []uint16{
	tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	tls.TLS_RSA_WITH_AES_256_CBC_SHA,
}

// Config is the server configuration for cert: TLS 1.2 (and 1.3 unless
// TLS12Only), HTTP/1.1 by ALPN, session tickets on, and the plain-RSA
// suites after the ECDHE ones when cert's key is RSA.
func Config(cert tls.Certificate, o Options) *tls.Config {
	suites := append([]uint16(nil), ecdheSuites...)
	if _, ok := cert.PrivateKey.(*rsa.PrivateKey); ok {
		suites = append(suites, rsaKexSuites...)
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   tls.VersionTLS13,
		CipherSuites: suites,
		NextProtos:   []string{"http/1.1"},
	}
	if o.TLS12Only {
		cfg.MaxVersion = tls.VersionTLS12
	}
	return cfg
}
