package inspect

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrNoCertificate is wrapped by every LoadCertificates error that means
// the input holds no certificate at all (empty, a key, text, garbage), as
// opposed to a certificate that is damaged.
var ErrNoCertificate = errors.New("no certificate")

// LoadCertificates reads the certificates in data: a PEM bundle (blocks of
// type CERTIFICATE, in order; other blocks such as private keys are passed
// over) or DER (one certificate, or several back to back). A damaged
// certificate or PEM block is an error naming which one: nothing is
// silently dropped.
func LoadCertificates(data []byte) ([]*x509.Certificate, error) {
	ders, err := LoadDER(data)
	if err != nil {
		return nil, err
	}
	certs := make([]*x509.Certificate, len(ders))
	for i, der := range ders {
		if certs[i], err = x509.ParseCertificate(der); err != nil {
			return nil, fmt.Errorf("inspect: certificate %d (SHA-256 %s): %w", i+1, ColonHex(sha256Of(der)), err)
		}
	}
	return certs, nil
}

// LoadDER is LoadCertificates without parsing the certificates of a PEM
// bundle: each CERTIFICATE block's DER, in order, so that one Go cannot
// parse can still be shown by its hashes (NewChainDER). DER input must
// parse: without PEM's framing, there is no telling where a damaged
// certificate ends.
func LoadDER(data []byte) ([][]byte, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("inspect: %w: the input is empty", ErrNoCertificate)
	}
	if bytes.Contains(data, []byte("-----BEGIN")) {
		return loadPEM(data)
	}
	certs, err := x509.ParseCertificates(data)
	if err == nil && len(certs) > 0 {
		ders := make([][]byte, len(certs))
		for i, c := range certs {
			ders[i] = c.Raw
		}
		return ders, nil
	}
	if looksLikeText(data) {
		return nil, fmt.Errorf("inspect: %w: the input is text without a -----BEGIN CERTIFICATE----- block", ErrNoCertificate)
	}
	if len(data) > 0 && data[0] == 0x30 {
		// A DER SEQUENCE: a certificate, damaged or cut short, or some
		// other ASN.1 structure (a key, a PKCS #7 bundle).
		return nil, fmt.Errorf("inspect: not a DER certificate (%d bytes): %w", len(data), err)
	}
	return nil, fmt.Errorf("inspect: %w: the input is neither PEM nor DER (%d bytes starting %s)", ErrNoCertificate, len(data), DocumentHex(data[:min(len(data), 8)]))
}

func loadPEM(data []byte) ([][]byte, error) {
	var certs [][]byte
	var others []string
	rest := data
	n := 0
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		n++
		switch block.Type {
		case "CERTIFICATE", "X509 CERTIFICATE":
			certs = append(certs, block.Bytes)
		default:
			others = append(others, block.Type)
		}
	}
	// pem.Decode stops at the first block it cannot read and returns the
	// rest untouched: a block cut short or with broken base64.
	if i := bytes.Index(rest, []byte("-----BEGIN")); i >= 0 {
		line, _, _ := bytes.Cut(rest[i:], []byte("\n"))
		return nil, fmt.Errorf("inspect: PEM block %d cannot be decoded (cut short, or not base64): %q", n+1, bytes.TrimSpace(line))
	}
	if len(certs) == 0 {
		if len(others) > 0 {
			return nil, fmt.Errorf("inspect: %w: the PEM holds only %s", ErrNoCertificate, strings.Join(others, ", "))
		}
		return nil, fmt.Errorf("inspect: %w: no PEM block found", ErrNoCertificate)
	}
	return certs, nil
}

// looksLikeText reports whether data starts as UTF-8 text would.
func looksLikeText(data []byte) bool {
	data = data[:min(len(data), 512)]
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size == 1 && len(data) >= utf8.UTFMax {
			return false // invalid, and not a rune cut at the 512th byte
		}
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
		data = data[size:]
	}
	return true
}

func sha256Of(b []byte) []byte {
	sum := sha256.Sum256(b)
	return sum[:]
}
