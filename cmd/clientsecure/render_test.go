package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// The command renders what the library's one-line errors hold in fields:
// the pins expected, every certificate presented with its pins, and a
// hint that works when pasted.
func TestDescribeIdentity(t *testing.T) {
	p := testcerts.Shared()
	wrong, _ := clientsecure.ParsePin(staleFingerprint)
	ie := &clientsecure.IdentityError{Host: "127.0.0.1", Addr: "127.0.0.1:47443", Reason: clientsecure.ReasonPinMismatch,
		Pins: []clientsecure.Pin{wrong}, Presented: p.Good.Chain}
	msg := describeError(fmt.Errorf("wrapped: %w", ie), nil)
	leaf := clientsecure.CertificatePins(p.Good.Cert)
	for _, want := range []string{
		"identity of 127.0.0.1 not verified: certificate pin mismatch\n",
		"\n  pins expected (any one):\n    " + staleFingerprint + "  [certificate SHA-1]",
		"\n  certificates presented:\n    1. subject CN=localhost\n",
		"sha1    " + leaf.SHA1.Format(clientsecure.FormatDocument),
		"sha256  " + leaf.SHA256.Format(clientsecure.FormatColon),
		"spki    " + leaf.SPKI.String(),
		"\n    2. subject CN=clientsecure test intermediate",
		"\n  hint: clientsecure fingerprint 127.0.0.1:47443 shows",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("lacks %q:\n%s", want, msg)
		}
	}
	if strings.HasPrefix(msg, "clientsecure: ") || strings.Contains(msg, "wrapped") {
		t.Errorf("not the identity error alone, without prefix:\n%s", msg)
	}
}

func TestFingerprintHint(t *testing.T) {
	for _, tc := range []struct {
		host, addr string
		args       []string
		want       string
	}{
		{"127.0.0.1", "127.0.0.1:47443", nil, "clientsecure fingerprint 127.0.0.1:47443"},
		{"api.example", "api.example:443", nil, "clientsecure fingerprint api.example"},
		{"::1", "[::1]:443", nil, "clientsecure fingerprint [::1]"},
		{"::1", "[::1]:8443", nil, "clientsecure fingerprint [::1]:8443"},
		{"api.example", "127.0.0.1:8443", nil, "clientsecure fingerprint --servername api.example 127.0.0.1:8443"},
		{"a.example", "a.example:443", []string{"--resolve", "a.example:443:127.0.0.1:8443"}, "clientsecure fingerprint --resolve a.example:443:127.0.0.1:8443 a.example"},
		{"a.example", "", nil, ""},
	} {
		got := fingerprintHint(&clientsecure.IdentityError{Host: tc.host, Addr: tc.addr}, tc.args)
		if got != tc.want {
			t.Errorf("%s at %s: %q, want %q", tc.host, tc.addr, got, tc.want)
		}
	}
	if got := shellWord("it's"); got != `'it'\''s'` {
		t.Errorf("shellWord: %s", got)
	}
}

// A server sending hundreds of certificates gets a readable listing: the
// first ten, then a count of the rest.
func TestDescribeIdentityManyCerts(t *testing.T) {
	p := testcerts.Shared()
	chain := []*x509.Certificate{p.Good.Cert}
	for range 301 {
		chain = append(chain, p.OtherRoot.Cert)
	}
	msg := describeError(&clientsecure.IdentityError{Host: "localhost", Reason: clientsecure.ReasonPinMismatch, Presented: chain}, nil)
	if !strings.Contains(msg, "\n    10. ") || strings.Contains(msg, "\n    11. ") || !strings.Contains(msg, "... and 292 more") {
		t.Errorf("does not list ten certificates and count the rest:\n%s", msg)
	}
}

// A malformed pin is one line from the library; the command shows the
// accepted forms beneath it.
func TestDescribePinError(t *testing.T) {
	_, err := clientsecure.ParsePin("CF 05 98 8G")
	msg := describeError(usageErr(err), nil)
	if !strings.HasPrefix(msg, `malformed pin "CF 05 98 8G": at position 11: 'G' is not a hex digit`+"\naccepted forms:\n") {
		t.Errorf("got:\n%s", msg)
	}
}

// Network failures say what failed in words and keep the cause.
func TestInWords(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{refused, "cannot connect to 127.0.0.1:1: connection refused"},
		{&net.DNSError{Name: "nope.invalid", Err: "no such host"}, "cannot find the address of nope.invalid: no such host"},
		{errors.New("clientsecure: proxy x: inspect: y"), "proxy x: y"},
	} {
		err := inWords(tc.err)
		if got := describeError(err, nil); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.err, got, tc.want)
		}
		if !errors.Is(err, tc.err) {
			t.Errorf("%v: cause lost", tc.err)
		}
	}
}
