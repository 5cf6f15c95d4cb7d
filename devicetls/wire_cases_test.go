package devicetls

import (
	"crypto/tls"
	"fmt"
	"testing"
)

// TestRecordLimit runs full and resumed handshakes for each version, key
// and suite family and checks every record on the wire.
func TestRecordLimit(t *testing.T) {
	ecdsaCert, err := NewCertificate([]string{"127.0.0.1", "localhost"}, KeySpec{}, now)
	if err != nil {
		t.Fatal(err)
	}
	rsaCert, err := NewCertificate([]string{"127.0.0.1", "localhost"}, KeySpec{RSABits: 2048}, now)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		cert  tls.Certificate
		vers  uint16
		suite uint16
	}{
		{"1.2/ecdsa-gcm", ecdsaCert, tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
		{"1.2/ecdsa-chacha", ecdsaCert, tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
		{"1.2/ecdsa-cbc", ecdsaCert, tls.VersionTLS12, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA},
		{"1.2/rsa-ecdhe-gcm", rsaCert, tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384},
		{"1.2/rsa-kex-gcm", rsaCert, tls.VersionTLS12, tls.TLS_RSA_WITH_AES_128_GCM_SHA256},
		{"1.2/rsa-kex-cbc", rsaCert, tls.VersionTLS12, tls.TLS_RSA_WITH_AES_256_CBC_SHA},
		{"1.3/ecdsa", ecdsaCert, tls.VersionTLS13, 0},
		{"1.3/rsa", rsaCert, tls.VersionTLS13, 0},
	}
	for _, c := range cases {
		for _, max := range []int{512, 1024, 16384} {
			t.Run(fmt.Sprintf("%s/%d", c.name, max), func(t *testing.T) {
				client := clientFor(c.cert, c.vers, c.suite)
				o := Options{MaxRecord: max}
				dl := Listen(nil, Config(c.cert, o), o)
				for _, resumed := range []bool{false, true} {
					wire, mark, st := exchange(t, dl, client)
					if st.Version != c.vers || (c.suite != 0 && st.CipherSuite != c.suite) {
						t.Fatalf("negotiated %s %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
					}
					if st.DidResume != resumed {
						t.Fatalf("DidResume = %v, want %v", st.DidResume, resumed)
					}
					if st.NegotiatedProtocol != "" && st.NegotiatedProtocol != "http/1.1" {
						t.Errorf("ALPN %q", st.NegotiatedProtocol)
					}
					checkRecords(t, wire, mark, st, max)
				}
			})
		}
	}
}

// TestRecordLimitSplitsTheCertificate proves the re-framer did the work:
// an RSA certificate message cannot fit in 512 bytes, so a 512 limit must
// give more handshake records than none.
func TestRecordLimitSplitsTheCertificate(t *testing.T) {
	cert, err := NewCertificate([]string{"127.0.0.1"}, KeySpec{RSABits: 2048}, now)
	if err != nil {
		t.Fatal(err)
	}
	count := func(max int) int {
		client := clientFor(cert, tls.VersionTLS12, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
		client.ClientSessionCache = nil
		o := Options{MaxRecord: max}
		wire, _, _ := exchange(t, Listen(nil, Config(cert, o), o), client)
		recs, err := parseRecords(wire)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range recs {
			if r.typ == recordHandshake {
				n++
			}
		}
		return n
	}
	small, large := count(512), count(16384)
	if small <= large {
		t.Errorf("handshake records: %d at 512, %d at 16384; want more at 512", small, large)
	}
}

func TestPlainRSAOnlyWithRSAKey(t *testing.T) {
	ecdsaCert, err := NewCertificate([]string{"127.0.0.1"}, KeySpec{}, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Config(ecdsaCert, Options{}).CipherSuites {
		for _, r := range rsaKexSuites {
			if s == r {
				t.Errorf("ECDSA key offers %s", tls.CipherSuiteName(s))
			}
		}
	}
}

func TestCheckMaxRecord(t *testing.T) {
	for _, n := range []int{0, 511, 16385, -1} {
		if CheckMaxRecord(n) == nil {
			t.Errorf("CheckMaxRecord(%d) accepted", n)
		}
	}
	for _, n := range []int{512, 4096, 16384} {
		if err := CheckMaxRecord(n); err != nil {
			t.Errorf("CheckMaxRecord(%d): %v", n, err)
		}
	}
}
