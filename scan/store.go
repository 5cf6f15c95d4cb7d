package scan

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// scanBinary reads a binary file as a DER certificate, a certs.ar or an
// ESP-IDF bundle; anything else gives nothing.
func scanBinary(name string, data []byte) []*Item {
	// What is found keeps slices of data (certificates, subjects, keys):
	// its own copy, for the read buffer is reused.
	data = bytes.Clone(data)
	if bytes.HasPrefix(data, []byte("!<arch>\n")) {
		items, err := readAr(name, data)
		if err == nil {
			return items
		}
	}
	if strings.Contains(strings.ToLower(filepath.Base(name)), "crt_bundle") {
		if anchors, err := ReadESPIDFBundle(data); err == nil {
			var items []*Item
			for _, a := range anchors {
				items = append(items, &Item{File: name, Kind: KindCertStore, Use: UseAnchor, Text: subjectText(a.Subject), Anchor: a})
			}
			return items
		}
	}
	if c, err := x509.ParseCertificate(data); err == nil {
		return []*Item{certItem(name, c, KindCertificate)}
	}
	return nil
}

// looksDER reports a file that may be a DER certificate whatever its
// bytes: the extensions certificates are saved under, or a SEQUENCE with a
// two-byte length.
func looksDER(name string, data []byte) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".der" || ext == ".cer" || ext == ".crt" || len(data) > 4 && data[0] == 0x30 && data[1] == 0x82
}

func certItem(name string, c *x509.Certificate, kind Kind) *Item {
	return &Item{File: name, Kind: kind, Use: UseAnchor, Text: c.Subject.String(), Cert: c,
		Anchor: &Anchor{Subject: c.RawSubject, SPKI: c.RawSubjectPublicKeyInfo, Cert: c}}
}

// readAr reads an ESP8266 CertStore archive: an ar archive of DER
// certificates.
func readAr(name string, data []byte) ([]*Item, error) {
	var items []*Item
	for p := 8; p+60 <= len(data); {
		hdr := data[p : p+60]
		size, err := strconv.Atoi(strings.TrimSpace(string(hdr[48:58])))
		if err != nil || size < 0 || p+60+size > len(data) {
			return nil, fmt.Errorf("scan: %s: malformed ar member header", name)
		}
		member := data[p+60 : p+60+size]
		if c, err := x509.ParseCertificate(member); err == nil {
			items = append(items, certItem(name, c, KindCertStore))
		}
		p += 60 + size + size%2
	}
	if len(items) == 0 {
		return nil, errNotStore
	}
	return items, nil
}

// ReadESPIDFBundle reads an x509_crt_bundle in either layout: current
// ESP-IDF's (a little-endian u32 offset per anchor, then per anchor
// little-endian u16 subject and key lengths, subject, key) or the legacy one
// (a big-endian u16 count, then big-endian u16 lengths, subject, key).
func ReadESPIDFBundle(data []byte) ([]*Anchor, error) {
	if a, err := readESPIDF(data); err == nil {
		return a, nil
	}
	return readESPIDFLegacy(data)
}

var errBundle = errors.New("scan: not an ESP-IDF certificate bundle")

func readESPIDF(data []byte) ([]*Anchor, error) {
	if len(data) < 4 {
		return nil, errBundle
	}
	first := binary.LittleEndian.Uint32(data)
	if first == 0 || first%4 != 0 || int(first) > len(data) {
		return nil, errBundle
	}
	n := int(first / 4)
	var out []*Anchor
	for i := range n {
		off := int(binary.LittleEndian.Uint32(data[4*i:]))
		if off+4 > len(data) {
			return nil, errBundle
		}
		sl := int(binary.LittleEndian.Uint16(data[off:]))
		kl := int(binary.LittleEndian.Uint16(data[off+2:]))
		a, err := anchorEntry(data, off+4, sl, kl)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func readESPIDFLegacy(data []byte) ([]*Anchor, error) {
	if len(data) < 2 {
		return nil, errBundle
	}
	n := int(binary.BigEndian.Uint16(data))
	var out []*Anchor
	p := 2
	for range n {
		if p+4 > len(data) {
			return nil, errBundle
		}
		sl := int(binary.BigEndian.Uint16(data[p:]))
		kl := int(binary.BigEndian.Uint16(data[p+2:]))
		a, err := anchorEntry(data, p+4, sl, kl)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
		p += 4 + sl + kl
	}
	if p != len(data) || n == 0 {
		return nil, errBundle
	}
	return out, nil
}

func anchorEntry(data []byte, p, sl, kl int) (*Anchor, error) {
	if p+sl+kl > len(data) {
		return nil, errBundle
	}
	subj, key := data[p:p+sl], data[p+sl:p+sl+kl]
	if _, err := x509.ParsePKIXPublicKey(key); err != nil {
		return nil, errBundle
	}
	return &Anchor{Subject: subj, SPKI: key}, nil
}

// subjectText is a subject DER for people, as x509 writes names.
func subjectText(der []byte) string {
	var rdn pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &rdn); err != nil || len(rest) > 0 {
		return fmt.Sprintf("a subject of %d bytes", len(der))
	}
	var name pkix.Name
	name.FillFromRDNSequence(&rdn)
	return name.String()
}

// taArray matches one array of brssl ta's output.
var taArray = regexp.MustCompile(`(?m)^\s*static\s+const\s+unsigned\s+char\s+(TA(\d+)_(DN|RSA_N|RSA_E|EC_Q))\s*\[\]\s*=\s*\{`)

// trustAnchorArrays reads the TAs[] arrays brssl ta writes: per anchor
// the subject DN and the RSA modulus and exponent or the EC point.
func (t *text) trustAnchorArrays() {
	if !t.longArrays || !bytes.Contains(t.data, []byte("br_x509_trust_anchor")) {
		return
	}
	type ta struct {
		line        int
		start       int
		dn, n, e, q []byte
	}
	tas := map[int]*ta{}
	var order []int
	for _, m := range taArray.FindAllSubmatchIndex(t.data, -1) {
		idx, _ := strconv.Atoi(string(t.data[m[4]:m[5]]))
		open := m[1] - 1
		_, digits, _ := t.arrayBytes(open)
		a := tas[idx]
		if a == nil {
			a = &ta{line: t.line(m[0]), start: m[0]}
			tas[idx] = a
			order = append(order, idx)
		}
		switch string(t.data[m[6]:m[7]]) {
		case "DN":
			a.dn = digits
		case "RSA_N":
			a.n = digits
		case "RSA_E":
			a.e = digits
		case "EC_Q":
			a.q = digits
		}
	}
	for _, idx := range order {
		a := tas[idx]
		spki, err := taKey(a.n, a.e, a.q)
		if err != nil || a.dn == nil {
			t.warnf("line %d: trust anchor TA%d: %v", a.line, idx, err)
			continue
		}
		t.add(&Item{Kind: KindTrustAnchor, Use: UseAnchor, Line: a.line, Start: a.start, Name: fmt.Sprintf("TA%d", idx),
			Text: subjectText(a.dn), Anchor: &Anchor{Subject: a.dn, SPKI: spki}})
	}
}

// arrayBytes reads the bytes of the array whose '{' is at open, of any
// length.
func (t *text) arrayBytes(open int) (int, []byte, bool) {
	d := t.data
	var out []byte
	i := open + 1
	for {
		i = skipSpaceComments(d, i)
		if i >= len(d) {
			return i, nil, false
		}
		if d[i] == '}' {
			return i + 1, out, true
		}
		if i+3 >= len(d) || d[i] != '0' || d[i+1]|0x20 != 'x' || !isHex[d[i+2]] || !isHex[d[i+3]] {
			return i, nil, false
		}
		out = append(out, unhex(d[i+2])<<4|unhex(d[i+3]))
		i = skipSpaceComments(d, i+4)
		if i < len(d) && d[i] == ',' {
			i++
		}
	}
}

// taKey builds the SubjectPublicKeyInfo of a BearSSL anchor's key.
func taKey(n, e, q []byte) ([]byte, error) {
	switch {
	case n != nil && e != nil:
		return x509.MarshalPKIXPublicKey(&rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())})
	case q != nil:
		var curve elliptic.Curve
		switch len(q) {
		case 65:
			curve = elliptic.P256()
		case 97:
			curve = elliptic.P384()
		case 133:
			curve = elliptic.P521()
		default:
			return nil, fmt.Errorf("an EC point of %d bytes", len(q))
		}
		k, err := ecdsa.ParseUncompressedPublicKey(curve, q)
		if err != nil {
			return nil, err
		}
		return x509.MarshalPKIXPublicKey(k)
	}
	return nil, errors.New("no key")
}
