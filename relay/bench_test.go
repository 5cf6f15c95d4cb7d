package relay

import (
	"bufio"
	"crypto/tls"
	"io"
	"net/http"
	"testing"
)

// BenchmarkDeviceRequest: one device request per iteration over TLS 1.2
// ECDHE-ECDSA with Connection: close, as the sketch does, client and relay
// in this process: full handshakes, and handshakes resumed by ticket.
func BenchmarkDeviceRequest(b *testing.B) {
	u := newUpstream(b, testScenario())
	tr := startRelay(b, u, relayOpts{})
	tr.waitRound(b)
	for _, resumed := range []bool{false, true} {
		name := "full"
		if resumed {
			name = "resumed"
		}
		b.Run(name, func(b *testing.B) {
			cfg := &tls.Config{RootCAs: testcertsPool(tr.id), ServerName: "127.0.0.1", MaxVersion: tls.VersionTLS12,
				CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}
			if resumed {
				cfg.ClientSessionCache = tls.NewLRUClientSessionCache(1)
			}
			b.ReportAllocs()
			for b.Loop() {
				c, err := tls.Dial("tcp", tr.addr, cfg)
				if err != nil {
					b.Fatal(err)
				}
				io.WriteString(c, "GET "+greenStatus+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
				resp, err := http.ReadResponse(bufio.NewReader(c), nil)
				if err != nil || resp.StatusCode != 200 {
					b.Fatal(resp, err)
				}
				io.Copy(io.Discard, resp.Body)
				c.Close()
			}
		})
	}
}
