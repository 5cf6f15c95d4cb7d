package inspect

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/clientsecure/clientsecure/internal/testcerts"
)

func TestLoadCertificates(t *testing.T) {
	p := testcerts.Shared()
	chain := p.Good.ChainPEM()
	both := append(append([]byte{}, p.Good.Cert.Raw...), p.Intermediate.Cert.Raw...)
	for _, tc := range []struct {
		name string
		data []byte
		want []*x509.Certificate
	}{
		{"pem", p.Good.CertPEM(), []*x509.Certificate{p.Good.Cert}},
		{"pem bundle in order", chain, p.Good.Chain},
		{"crlf", bytes.ReplaceAll(chain, []byte("\n"), []byte("\r\n")), p.Good.Chain},
		{"text around blocks", append([]byte("subject=CN=localhost\n"), chain...), p.Good.Chain},
		{"key and certificate", append(p.Good.KeyPEM(), p.Good.CertPEM()...), []*x509.Certificate{p.Good.Cert}},
		{"old block type", pem.EncodeToMemory(&pem.Block{Type: "X509 CERTIFICATE", Bytes: p.Root.Cert.Raw}), []*x509.Certificate{p.Root.Cert}},
		{"der", p.Good.Cert.Raw, []*x509.Certificate{p.Good.Cert}},
		{"der back to back", both, p.Good.Chain},
	} {
		got, err := LoadCertificates(tc.data)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d certificates, want %d", tc.name, len(got), len(tc.want))
			continue
		}
		for i := range got {
			if !got[i].Equal(tc.want[i]) {
				t.Errorf("%s: certificate %d is %s, want %s", tc.name, i, got[i].Subject, tc.want[i].Subject)
			}
		}
	}
}

func TestLoadCertificatesErrors(t *testing.T) {
	p := testcerts.Shared()
	chain := p.Good.ChainPEM()
	badDER := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("\x30\x03abc")})
	for _, tc := range []struct {
		name   string
		data   []byte
		noCert bool   // wraps ErrNoCertificate
		want   string // in the message
	}{
		{"empty", nil, true, "the input is empty"},
		{"blank", []byte(" \n\t\n"), true, "the input is empty"},
		{"key only", p.Good.KeyPEM(), true, "the PEM holds only PRIVATE KEY"},
		{"text", []byte("CF 05 98 89 CA FF 8E D8\n"), true, "text without a -----BEGIN CERTIFICATE----- block"},
		{"garbage", []byte{0xff, 0x00, 0x13, 0x37, 0x42}, true, "neither PEM nor DER (5 bytes starting FF 00 13 37 42)"},
		{"pem cut short", chain[:len(chain)-100], false, "PEM block 2 cannot be decoded"},
		{"pem bad base64", []byte("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"), false, "PEM block 1 cannot be decoded"},
		{"pem not a certificate inside", append(testcerts.PEM(p.Root.Cert), badDER...), false, "certificate 2 (SHA-256 13:1E:EF:38:2B:03:25:DA:FB:92:4A:34:80:51:66:D2:CC:B9:3C:C4:A0:32:97:01:73:54:58:DA:27:A2:9E:0D): x509: malformed"},
		{"der cut short", p.Good.Cert.Raw[:200], false, "not a DER certificate (200 bytes)"},
	} {
		certs, err := LoadCertificates(tc.data)
		if err == nil {
			t.Errorf("%s: no error, %d certificates", tc.name, len(certs))
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "inspect: ") || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: error %q, want it to hold %q", tc.name, msg, tc.want)
		}
		if got := errors.Is(err, ErrNoCertificate); got != tc.noCert {
			t.Errorf("%s: errors.Is(err, ErrNoCertificate) = %v, want %v", tc.name, got, tc.noCert)
		}
		if strings.Contains(msg, "PRIVATE KEY-----") || bytes.Contains([]byte(msg), p.Good.KeyPEM()[30:60]) {
			t.Errorf("%s: the error shows key material: %q", tc.name, msg)
		}
	}
}
