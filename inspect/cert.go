package inspect

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/clientsecure/clientsecure"
)

// Cert is what a client needs to know about one certificate. Its JSON form is
// the element of the fingerprint command's "chain" array.
type Cert struct {
	Subject     string    `json:"subject"` // RFC 2253 form, "CN=localhost,O=..."
	Issuer      string    `json:"issuer"`
	DNSNames    []string  `json:"dns_names"`    // never nil, so JSON has []
	IPAddresses []string  `json:"ip_addresses"` // never nil
	NotBefore   time.Time `json:"not_before"`
	NotAfter    time.Time `json:"not_after"`

	KeyType string `json:"key_type"` // "ECDSA P-256", "RSA", "Ed25519", "unknown"
	KeyBits int    `json:"key_bits"` // modulus or curve size; 0 if unknown

	// The pins that match the certificate. In JSON, "sha1" and "sha256"
	// are uppercase colon-separated hex, "spki_sha256" is "sha256/BASE64".
	// SPKISHA256 is the zero Pin for a certificate that does not parse.
	SHA1       clientsecure.Pin `json:"-"` // of the DER: the document's fingerprint
	SHA256     clientsecure.Pin `json:"-"` // of the DER
	SPKISHA256 clientsecure.Pin `json:"-"` // of the SubjectPublicKeyInfo

	// ParseError says why Go could not parse the certificate; only the
	// DER's hashes are known then. Empty for a certificate that parsed.
	ParseError string `json:"parse_error,omitempty"`

	// DER is the certificate's encoding; Raw the parsed certificate (nil
	// when it does not parse). Both are nil in a Cert decoded from JSON.
	DER []byte            `json:"-"`
	Raw *x509.Certificate `json:"-"`
}

// certJSON is Cert's JSON form: the pins as strings.
type certJSON struct {
	jsonCert
	SHA1       string `json:"sha1"`
	SHA256     string `json:"sha256"`
	SPKISHA256 string `json:"spki_sha256"`
}

// jsonCert is Cert without its methods, so that encoding it does not
// recurse into MarshalJSON.
type jsonCert Cert

// MarshalJSON writes c as an element of the fingerprint command's
// "chain" array.
func (c Cert) MarshalJSON() ([]byte, error) {
	spki := ""
	if c.SPKISHA256.Kind() != 0 {
		spki = c.SPKISHA256.String()
	}
	return json.Marshal(certJSON{jsonCert: jsonCert(c), SHA1: c.SHA1.Format(clientsecure.FormatColon),
		SHA256: c.SHA256.Format(clientsecure.FormatColon), SPKISHA256: spki})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *Cert) UnmarshalJSON(data []byte) error {
	var j certJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*c = Cert(j.jsonCert)
	for _, f := range []struct {
		dst *clientsecure.Pin
		s   string
	}{{&c.SHA1, j.SHA1}, {&c.SHA256, j.SHA256}, {&c.SPKISHA256, j.SPKISHA256}} {
		if f.s == "" {
			continue
		}
		p, err := clientsecure.ParsePin(f.s)
		if err != nil {
			return fmt.Errorf("inspect: %w", err)
		}
		*f.dst = p
	}
	return nil
}

// Describe states the facts of c.
func Describe(c *x509.Certificate) Cert {
	pins := clientsecure.CertificatePins(c)
	d := Cert{
		Subject:     c.Subject.String(),
		Issuer:      c.Issuer.String(),
		DNSNames:    append([]string{}, c.DNSNames...),
		IPAddresses: []string{},
		NotBefore:   c.NotBefore.UTC(),
		NotAfter:    c.NotAfter.UTC(),
		SHA1:        pins.SHA1,
		SHA256:      pins.SHA256,
		SPKISHA256:  pins.SPKI,
		DER:         c.Raw,
		Raw:         c,
	}
	for _, ip := range c.IPAddresses {
		d.IPAddresses = append(d.IPAddresses, ip.String())
	}
	d.KeyType, d.KeyBits = keyOf(c)
	return d
}

func keyOf(c *x509.Certificate) (string, int) {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name, k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 256
	}
	return "unknown", 0
}

// DocumentHex is b as the "Client Secure" document and ESP8266
// setFingerprint write a fingerprint: uppercase hex pairs separated by
// spaces, "CF 05 98 89 ...".
func DocumentHex(b []byte) string { return fmt.Sprintf("% X", b) }

// ColonHex is b as browsers and openssl show a fingerprint: "CF:05:98:...".
func ColonHex(b []byte) string { return strings.ReplaceAll(DocumentHex(b), " ", ":") }

// describeUnparsed states what is known of a certificate Go cannot parse:
// its DER's hashes, and why.
func describeUnparsed(der []byte, err error) Cert {
	sha1sum, sha256sum := sha1.Sum(der), sha256.Sum256(der)
	d := Cert{DNSNames: []string{}, IPAddresses: []string{}, KeyType: "unknown", DER: der, ParseError: err.Error()}
	d.SHA1, _ = clientsecure.NewPin(clientsecure.CertSHA1, sha1sum[:])
	d.SHA256, _ = clientsecure.NewPin(clientsecure.CertSHA256, sha256sum[:])
	return d
}

// SHA1Document is the certificate's SHA-1 in the document's form, what an
// ESP8266 sketch passes to setFingerprint.
func (c Cert) SHA1Document() string { return c.SHA1.Format(clientsecure.FormatDocument) }

// SHA256Colon is the certificate's SHA-256 as browsers, openssl and ESP32
// verify() show it: "EB:D4:10:...".
func (c Cert) SHA256Colon() string { return c.SHA256.Format(clientsecure.FormatColon) }

// Names are the DNS names then the IP addresses the certificate is for.
func (c Cert) Names() []string {
	return append(append([]string{}, c.DNSNames...), c.IPAddresses...)
}

// Key is the key type for people: "ECDSA P-256", "RSA 2048 bits".
func (c Cert) Key() string {
	if c.KeyType == "RSA" {
		return "RSA " + itoa(c.KeyBits) + " bits"
	}
	return c.KeyType
}

// Summary is c in six lines for an error message that lists the
// certificates a server presented: subject, issuer, validity, and the
// SHA-1 (document form), SHA-256 and SPKI pin, each of which the pin parser
// accepts as written. Lines are separated by "\n", with no final newline
// and no indentation, so that the caller can indent them. Text taken from
// the certificate is quoted if it holds control characters.
func (c Cert) Summary() string {
	if c.ParseError != "" {
		return strings.Join([]string{
			"does not parse: " + printable(c.ParseError),
			"sha1    " + c.SHA1Document(),
			"sha256  " + c.SHA256Colon(),
		}, "\n")
	}
	return strings.Join([]string{
		"subject " + printable(c.Subject),
		"issuer  " + printable(c.Issuer),
		"valid   " + formatTime(c.NotBefore) + " to " + formatTime(c.NotAfter),
		"sha1    " + c.SHA1Document(),
		"sha256  " + c.SHA256Colon(),
		"spki    " + c.SPKISHA256.String(),
	}, "\n")
}

// DaysLeft is the number of whole days from now until c expires, negative
// once it has.
func (c Cert) DaysLeft(now time.Time) int {
	d := c.NotAfter.Sub(now)
	days := int(d / (24 * time.Hour))
	if d < 0 && d%(24*time.Hour) != 0 {
		days-- // round towards the past: an hour ago is day -1
	}
	return days
}

// SoonDays is how close to expiry a certificate is flagged: under 30 days
// left, the text marks it and the C headers carry a warning.
const SoonDays = 30

// Validity says where now falls in c's validity: "60 days left",
// "expires in 12 days!", "expired 3 days ago!" (whole days since), "not
// valid until ...!". The exclamation mark flags what needs a look
// (expired, not yet valid, under SoonDays left).
func (c Cert) Validity(now time.Time) string {
	switch days := c.DaysLeft(now); {
	case now.Before(c.NotBefore):
		return "not valid until " + formatTime(c.NotBefore) + "!"
	case now.After(c.NotAfter):
		if ago := int(now.Sub(c.NotAfter) / (24 * time.Hour)); ago > 0 {
			return "expired " + plural(ago, "day") + " ago!"
		}
		return "expired less than a day ago!"
	case days == 0:
		return "expires in less than a day!"
	case days < SoonDays:
		return "expires in " + plural(days, "day") + "!"
	default:
		return plural(days, "day") + " left"
	}
}

// Soon reports whether c has expired, is not yet valid, or has under
// SoonDays left at now.
func (c Cert) Soon(now time.Time) bool {
	return now.Before(c.NotBefore) || c.DaysLeft(now) < SoonDays
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") }
