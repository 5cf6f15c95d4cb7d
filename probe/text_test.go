package probe

import (
	"strings"
	"testing"
)

func TestWriteText(t *testing.T) {
	r := &Result{
		Host: "broker.example", Port: 8883, Address: "192.0.2.7:8883",
		TLSVersions: []string{"1.2", "1.3"},
		Ciphers:     map[string]string{"1.2": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "1.3": "TLS_AES_128_GCM_SHA256"},
		KeyType:     "RSA", KeyBits: 2048, ChainCertificates: 2, ChainBytes: 2310,
		Resumption: map[string]bool{"1.3": false, "1.2": true},
		Identity:   "verified",
		Fragments: []FragmentProbe{
			{Requested: 512, Outcome: Honoured}, {Requested: 1024, Outcome: WrongEcho, EchoedCode: 3},
			{Requested: 2048, Outcome: Ignored}, {Requested: 4096, Outcome: Failed},
		},
		ESP8266: EstimateESP8266(512),
		Errors: map[string]string{
			"max_fragment_length 4096": "probe: gave up waiting for the server: context deadline exceeded",
			"max_fragment_length 1024": "probe: server echoed max_fragment_length code 3",
			"tls 1.0":                  "remote error: tls: protocol version not supported",
		},
	}
	var b strings.Builder
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `broker.example:8883 (192.0.2.7:8883)
  TLS versions         1.2 (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256), 1.3 (TLS_AES_128_GCM_SHA256)
  ALPN                 none
  certificate          RSA 2048 bits; chain of 2 sent, 2310 bytes; OCSP staple: no
  session resumption   1.2 yes, 1.3 no
  identity             verified
  max_fragment_length  512 yes, 1024 wrong echo (code 3), 2048 no, 4096 failed
  record_size_limit    not announced
  ESP8266 (BearSSL)    fits in about 7 KB with max_fragment_length 512 (setBufferSizes(512, 512)), plus the 6 KB BearSSL stack
                       receive 837 + transmit 597 + context 5222 = 6656 bytes a connection
errors:
  tls 1.0: remote error: tls: protocol version not supported
  max_fragment_length 1024: probe: server echoed max_fragment_length code 3
  max_fragment_length 4096: probe: gave up waiting for the server: context deadline exceeded
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
