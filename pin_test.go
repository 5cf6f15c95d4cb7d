package clientsecure_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// The document's fingerprint, in each way it gets written.
const docSHA1 = "CF 05 98 89 CA FF 8E D8 5E 5C E0 C2 E4 F7 E6 C3 C7 50 DD 5C"

func TestParsePinForms(t *testing.T) {
	sha256hex := "EB:D4:10:40:E4:BB:3E:C7:42:C9:E3:81:D3:1E:F2:A4:1A:48:B6:68:5C:96:E7:CE:F3:C1:DF:6C:D4:33:1C:99"
	spki := "K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q="
	sha1spki := base64.StdEncoding.EncodeToString(make([]byte, 20))
	tests := []struct {
		in   string
		kind clientsecure.PinKind
		want string // String() of the parsed pin
	}{
		{docSHA1, clientsecure.CertSHA1, docSHA1},
		{"CF:05:98:89:CA:FF:8E:D8:5E:5C:E0:C2:E4:F7:E6:C3:C7:50:DD:5C", clientsecure.CertSHA1, docSHA1},
		{"cf059889caff8ed85e5ce0c2e4f7e6c3c750dd5c", clientsecure.CertSHA1, docSHA1},
		{"  cf 05 98 89 ca ff 8e d8 5e 5c e0 c2 e4 f7 e6 c3 c7 50 dd 5c\n", clientsecure.CertSHA1, docSHA1},
		{"SHA1 Fingerprint=CF:05:98:89:CA:FF:8E:D8:5E:5C:E0:C2:E4:F7:E6:C3:C7:50:DD:5C", clientsecure.CertSHA1, docSHA1},
		{"sha1 Fingerprint=CF:05:98:89:CA:FF:8E:D8:5E:5C:E0:C2:E4:F7:E6:C3:C7:50:DD:5C", clientsecure.CertSHA1, docSHA1},
		{sha256hex, clientsecure.CertSHA256, strings.ReplaceAll(sha256hex, ":", " ")},
		{"sha256 Fingerprint=" + sha256hex, clientsecure.CertSHA256, strings.ReplaceAll(sha256hex, ":", " ")},
		{"SHA256 Fingerprint=" + sha256hex, clientsecure.CertSHA256, strings.ReplaceAll(sha256hex, ":", " ")},
		{"sha256/" + spki, clientsecure.SPKISHA256, "sha256/" + spki},
		{"sha256//" + spki, clientsecure.SPKISHA256, "sha256/" + spki},
		{`pin-sha256="` + spki + `"`, clientsecure.SPKISHA256, "sha256/" + spki},
		{"sha1/" + sha1spki, clientsecure.SPKISHA1, "sha1/" + sha1spki},
		{"sha256/" + strings.TrimRight(spki, "="), clientsecure.SPKISHA256, "sha256/" + spki}, // unpadded
		// OkHttp's form of a digest whose base64 starts with '/' looks
		// like curl's prefix.
		{"sha256//cXUXB1IA1kl9mhLZVMyKuLGUyIOe++d5T8DYwJxCKM=", clientsecure.SPKISHA256, "sha256//cXUXB1IA1kl9mhLZVMyKuLGUyIOe++d5T8DYwJxCKM="},
	}
	for _, tc := range tests {
		p, err := clientsecure.ParsePin(tc.in)
		if err != nil {
			t.Errorf("ParsePin(%q): %v", tc.in, err)
			continue
		}
		if p.Kind() != tc.kind || p.String() != tc.want {
			t.Errorf("ParsePin(%q) = %v %q, want %v %q", tc.in, p.Kind(), p, tc.kind, tc.want)
		}
	}
}

// Every pin renders to each of its forms and parses back to itself.
func TestPinRoundTrip(t *testing.T) {
	var pins []clientsecure.Pin
	for _, c := range testcerts.Shared().Good.Chain {
		cp := clientsecure.CertificatePins(c)
		pins = append(pins, cp.SHA1, cp.SHA256, cp.SPKI)
	}
	sha1spki, err := clientsecure.NewPin(clientsecure.SPKISHA1, make([]byte, 20))
	if err != nil {
		t.Fatal(err)
	}
	pins = append(pins, sha1spki)
	for _, p := range pins {
		for _, f := range p.Formats() {
			s := p.Format(f)
			if s == "" {
				t.Fatalf("%v: empty form %d", p, f)
			}
			back, err := clientsecure.ParsePin(s)
			if err != nil || back != p {
				t.Errorf("%v in form %d = %q parses to %v, %v", p, f, s, back, err)
			}
		}
	}
}

func TestPinFormats(t *testing.T) {
	p, err := clientsecure.ParsePin(docSHA1)
	if err != nil {
		t.Fatal(err)
	}
	for f, want := range map[clientsecure.PinFormat]string{
		clientsecure.FormatDocument: docSHA1,
		clientsecure.FormatColon:    strings.ReplaceAll(docSHA1, " ", ":"),
		clientsecure.FormatHex:      strings.ToLower(strings.ReplaceAll(docSHA1, " ", "")),
		clientsecure.FormatOpenSSL:  "SHA1 Fingerprint=" + strings.ReplaceAll(docSHA1, " ", ":"),
		clientsecure.FormatHPKP:     "", // no HPKP form for a certificate hash
	} {
		if got := p.Format(f); got != want {
			t.Errorf("Format(%d) = %q, want %q", f, got, want)
		}
	}
	spki, _ := clientsecure.ParsePin("sha256/K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q=")
	for f, want := range map[clientsecure.PinFormat]string{
		clientsecure.FormatOkHttp: "sha256/K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q=",
		clientsecure.FormatCurl:   "sha256//K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q=",
		clientsecure.FormatHPKP:   `pin-sha256="K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q="`,
		clientsecure.FormatColon:  "",
	} {
		if got := spki.Format(f); got != want {
			t.Errorf("Format(%d) = %q, want %q", f, got, want)
		}
	}
}

func TestParsePins(t *testing.T) {
	a := "sha256//K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q="
	b := "sha256//" + base64.StdEncoding.EncodeToString(make([]byte, 32))
	pins, err := clientsecure.ParsePins(a + ";" + b)
	if err != nil || len(pins) != 2 {
		t.Fatalf("curl list: %v %v", pins, err)
	}
	header := `pin-sha256="K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q="; pin-sha256="` + b[len("sha256//"):] + `"; max-age=5184000; includeSubDomains; report-uri="https://r.example/"`
	pins, err = clientsecure.ParsePins(header)
	if err != nil || len(pins) != 2 {
		t.Fatalf("HPKP header: %v %v", pins, err)
	}
	_, err = clientsecure.ParsePins(a + ";sha256//!!")
	var pe *clientsecure.PinError
	if !errors.As(err, &pe) || pe.Pos != len(a)+1+len("sha256//") {
		t.Fatalf("error in second pin: %#v", err)
	}
	if _, err := clientsecure.ParsePins("max-age=1"); err == nil {
		t.Fatal("a header without pins parsed")
	}
}

func TestParsePinErrors(t *testing.T) {
	tests := []struct {
		in     string
		pos    int // 0-based
		reason string
	}{
		{"", 0, "empty pin"},
		{"   ", 0, "empty pin"},
		{"CF 05 98", 0, "3 bytes"},
		{"CF 05 98 89 CA FF 8E D8 5E 5C E0 C2 E4 F7 E6 C3 C7 50 DD 5", 57, "odd number"},
		{"CF 05 98 89 CA FF 8E D8 5E 5C E0 C2 E4 F7 E6 C3 C7 50 DD 5G", 58, `'G' is not a hex digit`},
		{"C F", 1, "splits a hex pair"},
		{"CF-05", 2, `'-' is not a hex digit`},
		{strings.Repeat("ab", 33), 65, "too long"},
		{"sha256/", 7, "missing base64"},
		{"sha256/abc$", 10, "not a base64 character"},
		{"sha256/AAAA", 7, "decodes to 3"},
		{"sha1/K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q=", 5, "is 20 bytes"},
		{"sha512/AAAA", 0, "unknown pin prefix"},
		{"pin-sha256=AAAA", 11, "quotes its value"},
		{"SHA1 Fingerprint=" + strings.Repeat("AB:", 31) + "AB", 17, "is 20 bytes, this is 32"},
	}
	for _, tc := range tests {
		_, err := clientsecure.ParsePin(tc.in)
		var pe *clientsecure.PinError
		if !errors.As(err, &pe) {
			t.Errorf("ParsePin(%q) = %v, want a PinError", tc.in, err)
			continue
		}
		if pe.Pos != tc.pos || !strings.Contains(pe.Reason, tc.reason) {
			t.Errorf("ParsePin(%q): at %d %q, want at %d %q", tc.in, pe.Pos, pe.Reason, tc.pos, tc.reason)
		}
		// One line; the command shows AcceptedPinForms beneath it.
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "clientsecure: malformed pin") {
			t.Errorf("message %q is not one line naming the pin", msg)
		}
	}
}

func FuzzParsePin(f *testing.F) {
	for _, s := range []string{docSHA1, "sha256/K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q=", "sha256//a;sha256//b", `pin-sha256="x"`, "SHA1 Fingerprint=AB", "cf:05"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pins, err := clientsecure.ParsePins(s)
		if err != nil {
			var pe *clientsecure.PinError
			if !errors.As(err, &pe) {
				t.Fatalf("error is not a PinError: %v", err)
			}
			if pe.Pos < 0 || pe.Pos > len(pe.Input) {
				t.Fatalf("position %d outside input of %d bytes", pe.Pos, len(pe.Input))
			}
			return
		}
		for _, p := range pins {
			for _, form := range p.Formats() {
				back, err := clientsecure.ParsePin(p.Format(form))
				if err != nil || back != p {
					t.Fatalf("%q: pin %v does not round-trip through form %d: %v", s, p, form, err)
				}
			}
		}
	})
}
