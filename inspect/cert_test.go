package inspect

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// GlobalSign publishes these for its Root CA (R1); the issue quotes them.
// They are computed here from the certificate in testdata, which is
// Mozilla's copy (see testdata/README.md): an independent check of the
// hashing and formatting.
const (
	globalSignSHA1   = "B1:BC:96:8B:D4:F4:9D:62:2A:A8:9A:81:F2:15:01:52:A4:1D:82:9C"
	globalSignSHA256 = "EB:D4:10:40:E4:BB:3E:C7:42:C9:E3:81:D3:1E:F2:A4:1A:48:B6:68:5C:96:E7:CE:F3:C1:DF:6C:D4:33:1C:99"
	globalSignSPKI   = "sha256/K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q="
)

func globalSign(t *testing.T) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile("testdata/globalsign-root-ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	certs, err := LoadCertificates(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 1 {
		t.Fatalf("%d certificates in the GlobalSign file, want 1", len(certs))
	}
	return certs[0]
}

func TestPublishedVectors(t *testing.T) {
	c := Describe(globalSign(t))
	for _, f := range []struct{ name, got, want string }{
		{"sha1", c.SHA1.Format(clientsecure.FormatColon), globalSignSHA1},
		{"sha256", c.SHA256Colon(), globalSignSHA256},
		{"spki", c.SPKISHA256.String(), globalSignSPKI},
		{"document form", c.SHA1Document(), "B1 BC 96 8B D4 F4 9D 62 2A A8 9A 81 F2 15 01 52 A4 1D 82 9C"},
		{"subject", c.Subject, "CN=GlobalSign Root CA,OU=Root CA,O=GlobalSign nv-sa,C=BE"},
		{"issuer", c.Issuer, "CN=GlobalSign Root CA,OU=Root CA,O=GlobalSign nv-sa,C=BE"},
		{"key", c.Key(), "RSA 2048 bits"},
		{"not after", c.NotAfter.Format(time.RFC3339), "2028-01-28T12:00:00Z"},
	} {
		if f.got != f.want {
			t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
		}
	}
}

func TestHexForms(t *testing.T) {
	b := []byte{0xcf, 0x05, 0x98, 0x00, 0xff}
	if got, want := DocumentHex(b), "CF 05 98 00 FF"; got != want {
		t.Errorf("DocumentHex = %q, want %q", got, want)
	}
	if got, want := ColonHex(b), "CF:05:98:00:FF"; got != want {
		t.Errorf("ColonHex = %q, want %q", got, want)
	}
	if got := DocumentHex(nil); got != "" {
		t.Errorf("DocumentHex(nil) = %q", got)
	}
}

func TestDescribeKeys(t *testing.T) {
	p := testcerts.Shared()
	ed := p.Intermediate.Leaf(testcerts.Template{Key: testcerts.Ed25519})
	for _, tc := range []struct {
		name     string
		cert     *x509.Certificate
		typ      string
		bits     int
		key      string
		dns, ips string
	}{
		{"ecdsa", p.Good.Cert, "ECDSA P-256", 256, "ECDSA P-256", "localhost", "127.0.0.1,::1"},
		{"rsa", p.GoodRSA.Cert, "RSA", 2048, "RSA 2048 bits", "localhost", "127.0.0.1,::1"},
		{"ed25519", ed.Cert, "Ed25519", 256, "Ed25519", "localhost", "127.0.0.1,::1"},
		{"root", p.Root.Cert, "ECDSA P-256", 256, "ECDSA P-256", "", ""},
	} {
		c := Describe(tc.cert)
		if c.KeyType != tc.typ || c.KeyBits != tc.bits || c.Key() != tc.key {
			t.Errorf("%s: key %q %d bits (%q), want %q %d (%q)", tc.name, c.KeyType, c.KeyBits, c.Key(), tc.typ, tc.bits, tc.key)
		}
		if got := strings.Join(c.DNSNames, ","); got != tc.dns {
			t.Errorf("%s: DNS names %q, want %q", tc.name, got, tc.dns)
		}
		if got := strings.Join(c.IPAddresses, ","); got != tc.ips {
			t.Errorf("%s: IP addresses %q, want %q", tc.name, got, tc.ips)
		}
		if c.DNSNames == nil || c.IPAddresses == nil {
			t.Errorf("%s: nil name slices would be JSON null", tc.name)
		}
		if c.Raw != tc.cert {
			t.Errorf("%s: Raw is not the certificate described", tc.name)
		}
	}
}

// TestOpenSSLAgrees checks SHA-1, SHA-256 and the SPKI pin against openssl
// for keys of every type.
func TestOpenSSLAgrees(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed (.ci/run installs it)")
	}
	p := testcerts.Shared()
	for name, cert := range map[string]*x509.Certificate{
		"ecdsa leaf": p.Good.Cert,
		"rsa leaf":   p.GoodRSA.Cert,
		"root":       p.Root.Cert,
		"ed25519":    p.Intermediate.Leaf(testcerts.Template{Key: testcerts.Ed25519}).Cert,
		"globalsign": globalSign(t),
	} {
		c := Describe(cert)
		pemData := testcerts.PEM(cert)
		sha1Line := openssl(t, pemData, "x509", "-noout", "-fingerprint", "-sha1")
		if want := "SHA1 Fingerprint=" + c.SHA1.Format(clientsecure.FormatColon); !strings.EqualFold(sha1Line, want) {
			t.Errorf("%s: openssl says %q, we say %q", name, sha1Line, want)
		}
		sha256Line := openssl(t, pemData, "x509", "-noout", "-fingerprint", "-sha256")
		if want := "SHA256 Fingerprint=" + c.SHA256Colon(); !strings.EqualFold(sha256Line, want) {
			t.Errorf("%s: openssl says %q, we say %q", name, sha256Line, want)
		}
		pub := openssl(t, pemData, "x509", "-noout", "-pubkey")
		der := opensslBytes(t, []byte(pub), "pkey", "-pubin", "-outform", "DER")
		sum := opensslBytes(t, der, "dgst", "-sha256", "-binary")
		if got := "sha256/" + base64.StdEncoding.EncodeToString(sum); got != c.SPKISHA256.String() {
			t.Errorf("%s: openssl's SPKI pin %q, ours %q", name, got, c.SPKISHA256)
		}
	}
}

func openssl(t *testing.T, stdin []byte, args ...string) string {
	return strings.TrimSpace(string(opensslBytes(t, stdin, args...)))
}

func opensslBytes(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

func TestSummary(t *testing.T) {
	c := Describe(globalSign(t))
	want := `subject CN=GlobalSign Root CA,OU=Root CA,O=GlobalSign nv-sa,C=BE
issuer  CN=GlobalSign Root CA,OU=Root CA,O=GlobalSign nv-sa,C=BE
valid   1998-09-01 12:00:00 UTC to 2028-01-28 12:00:00 UTC
sha1    B1 BC 96 8B D4 F4 9D 62 2A A8 9A 81 F2 15 01 52 A4 1D 82 9C
sha256  ` + globalSignSHA256 + `
spki    ` + globalSignSPKI
	if got := c.Summary(); got != want {
		t.Errorf("Summary:\n%s\nwant:\n%s", got, want)
	}

	// A hostile subject cannot add lines to an error message.
	evil := Describe(testcerts.Shared().Intermediate.Leaf(testcerts.Template{CommonName: "a\nsha1    00 00\x1b[2J"}).Cert)
	if got := strings.Count(evil.Summary(), "\n"); got != 5 {
		t.Errorf("Summary of a subject with a newline has %d newlines, want 5:\n%s", got, evil.Summary())
	}
	if strings.Contains(evil.Summary(), "\x1b") {
		t.Error("Summary passes an escape character through")
	}
}

func TestValidity(t *testing.T) {
	day := 24 * time.Hour
	now := testcerts.Now
	c := Cert{NotBefore: now.Add(-10 * day), NotAfter: now.Add(60 * day)}
	for _, tc := range []struct {
		at   time.Time
		want string
		days int
		soon bool
	}{
		{now, "60 days left", 60, false},
		{now.Add(30 * day), "30 days left", 30, false},
		{now.Add(30*day + time.Hour), "expires in 29 days!", 29, true},
		{now.Add(59 * day), "expires in 1 day!", 1, true},
		{now.Add(60*day - time.Hour), "expires in less than a day!", 0, true},
		{now.Add(60 * day), "expires in less than a day!", 0, true}, // x509 still accepts it
		{now.Add(60*day + time.Hour), "expired less than a day ago!", -1, true},
		{now.Add(61*day + time.Hour), "expired 1 day ago!", -2, true},
		{now.Add(63 * day), "expired 3 days ago!", -3, true},
		{now.Add(-11 * day), "not valid until " + formatTime(c.NotBefore) + "!", 71, true},
	} {
		if got := c.Validity(tc.at); got != tc.want {
			t.Errorf("at %v: Validity %q, want %q", tc.at, got, tc.want)
		}
		if got := c.DaysLeft(tc.at); got != tc.days {
			t.Errorf("at %v: DaysLeft %d, want %d", tc.at, got, tc.days)
		}
		if got := c.Soon(tc.at); got != tc.soon {
			t.Errorf("at %v: Soon %v, want %v", tc.at, got, tc.soon)
		}
	}
}

func TestDescribeIsSHA1OfDER(t *testing.T) {
	// The fingerprint is of the whole certificate, not of the key or the
	// TBS part: the thing setFingerprint compares.
	cert := testcerts.Shared().Good.Cert
	sum := sha1.Sum(cert.Raw)
	if got := Describe(cert).SHA1.Format(clientsecure.FormatColon); got != ColonHex(sum[:]) {
		t.Errorf("SHA1 %s is not the hash of the DER", got)
	}
}
