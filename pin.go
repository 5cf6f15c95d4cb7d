package clientsecure

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// PinKind says what a pin is a hash of.
type PinKind int

const (
	// CertSHA1 is the SHA-1 of the certificate's DER: the document's
	// fingerprint, ESP8266 setFingerprint. It matches the leaf only.
	CertSHA1 PinKind = iota + 1
	// CertSHA256 is the SHA-256 of the certificate's DER (ESP32 verify,
	// browsers). It matches the leaf only.
	CertSHA256
	// SPKISHA1 is the SHA-1 of the SubjectPublicKeyInfo (old OkHttp pins).
	SPKISHA1
	// SPKISHA256 is the SHA-256 of the SubjectPublicKeyInfo (OkHttp, HPKP,
	// curl --pinnedpubkey). It matches any certificate of the verified
	// chain, so a pin survives certificate renewal with the same key.
	SPKISHA256
)

func (k PinKind) String() string {
	switch k {
	case CertSHA1:
		return "certificate SHA-1"
	case CertSHA256:
		return "certificate SHA-256"
	case SPKISHA1:
		return "public key SHA-1"
	case SPKISHA256:
		return "public key SHA-256"
	}
	return fmt.Sprintf("PinKind(%d)", int(k))
}

// IsSPKI reports whether the pin is over the public key rather than the
// whole certificate.
func (k PinKind) IsSPKI() bool { return k == SPKISHA1 || k == SPKISHA256 }

func (k PinKind) size() int {
	if k == CertSHA1 || k == SPKISHA1 {
		return 20
	}
	return 32
}

// Pin is an expected certificate or public-key hash. The zero Pin is not
// valid; make one with ParsePin or NewPin. Pins are comparable.
type Pin struct {
	kind PinKind
	hash string // raw digest bytes
}

// NewPin makes a pin of kind from a raw digest.
func NewPin(kind PinKind, digest []byte) (Pin, error) {
	if kind < CertSHA1 || kind > SPKISHA256 {
		return Pin{}, fmt.Errorf("clientsecure: unknown pin kind %d", int(kind))
	}
	if len(digest) != kind.size() {
		return Pin{}, fmt.Errorf("clientsecure: a %v pin is %d bytes, not %d", kind, kind.size(), len(digest))
	}
	return Pin{kind: kind, hash: string(digest)}, nil
}

// Kind is what the pin is a hash of.
func (p Pin) Kind() PinKind { return p.kind }

// Digest is the raw hash.
func (p Pin) Digest() []byte { return []byte(p.hash) }

// PinFormat is a way of writing a pin down.
type PinFormat int

const (
	// FormatDocument is "CF 05 98 ...": uppercase hex pairs separated by
	// spaces, as the ESP8266 example and setFingerprint take them.
	FormatDocument PinFormat = iota + 1
	// FormatColon is "CF:05:98:...", as browsers and openssl show them.
	FormatColon
	// FormatHex is "cf0598...", lowercase without separators.
	FormatHex
	// FormatOpenSSL is openssl x509 -fingerprint's line: "SHA1 Fingerprint=CF:05:...".
	FormatOpenSSL
	// FormatOkHttp is "sha256/BASE64" (OkHttp CertificatePinner).
	FormatOkHttp
	// FormatCurl is "sha256//BASE64" (curl --pinnedpubkey).
	FormatCurl
	// FormatHPKP is `pin-sha256="BASE64"` (the Public-Key-Pins header).
	FormatHPKP
)

// Formats lists the formats p can be written in: the hex forms for
// certificate pins, the base64 forms for public-key pins.
func (p Pin) Formats() []PinFormat {
	switch p.kind {
	case CertSHA1, CertSHA256:
		return []PinFormat{FormatDocument, FormatColon, FormatHex, FormatOpenSSL}
	case SPKISHA1:
		return []PinFormat{FormatOkHttp}
	case SPKISHA256:
		return []PinFormat{FormatOkHttp, FormatCurl, FormatHPKP}
	}
	return nil
}

// Format writes p in format f. It returns "" when p cannot be written that
// way (a certificate hash has no HPKP form, for one).
func (p Pin) Format(f PinFormat) string {
	digest := []byte(p.hash)
	if !p.kind.IsSPKI() {
		switch f {
		case FormatDocument:
			return fmt.Sprintf("% X", digest)
		case FormatColon:
			return colonHex(digest)
		case FormatHex:
			return hex.EncodeToString(digest)
		case FormatOpenSSL:
			name := "SHA1"
			if p.kind == CertSHA256 {
				name = "sha256"
			}
			return name + " Fingerprint=" + colonHex(digest)
		}
		return ""
	}
	b64 := base64.StdEncoding.EncodeToString(digest)
	switch {
	case f == FormatOkHttp && p.kind == SPKISHA1:
		return "sha1/" + b64
	case f == FormatOkHttp:
		return "sha256/" + b64
	case f == FormatCurl && p.kind == SPKISHA256:
		return "sha256//" + b64
	case f == FormatHPKP && p.kind == SPKISHA256:
		return `pin-sha256="` + b64 + `"`
	}
	return ""
}

// String is the pin's usual form: the document's spaced hex for a
// certificate hash, "sha256/BASE64" for a public-key hash. ParsePin reads it
// back.
func (p Pin) String() string {
	if p.kind == 0 {
		return "<invalid pin>"
	}
	if p.kind.IsSPKI() {
		return p.Format(FormatOkHttp)
	}
	return p.Format(FormatDocument)
}

// Match reports whether p matches a certificate with the given DER and
// SubjectPublicKeyInfo digests. Callers hash each certificate once and
// compare every pin against the digests.
func (p Pin) match(d *digests) bool {
	switch p.kind {
	case CertSHA1:
		return bytes.Equal(d.certSHA1(), []byte(p.hash))
	case CertSHA256:
		return bytes.Equal(d.certSHA256(), []byte(p.hash))
	case SPKISHA1:
		return bytes.Equal(d.spkiSHA1(), []byte(p.hash))
	case SPKISHA256:
		return bytes.Equal(d.spkiSHA256(), []byte(p.hash))
	}
	return false
}

// colonHex is "CF:05:98:...", as browsers and openssl show a fingerprint.
func colonHex(b []byte) string { return strings.ReplaceAll(fmt.Sprintf("% X", b), " ", ":") }
