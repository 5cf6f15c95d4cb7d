package scan

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"strings"
)

// PEMSpelling is how a PEM block is wrapped where it was found: what comes
// between its BEGIN line and the first base64 line (Lead), between two
// base64 lines (Between) and before the END line (Trail), and how long a
// full base64 line is. In a .pem file Lead is "\n"; in a C literal per line
// it is `\n"` + the line break and indentation + `"`.
type PEMSpelling struct {
	Lead, Between, Trail string
	Width                int
}

// Encode writes the PEM block of label and der with this spelling.
func (s *PEMSpelling) Encode(label string, der []byte) string {
	b64 := base64.StdEncoding.EncodeToString(der)
	var b strings.Builder
	b.WriteString("-----BEGIN " + label + "-----")
	b.WriteString(s.Lead)
	width := s.Width
	if width <= 0 {
		width = len(b64)
	}
	for i := 0; i < len(b64); i += width {
		if i > 0 {
			b.WriteString(s.Between)
		}
		b.WriteString(b64[i:min(i+width, len(b64))])
	}
	b.WriteString(s.Trail)
	b.WriteString("-----END " + label + "-----")
	return b.String()
}

// maxPEM bounds how far an END line is looked for.
const maxPEM = 256 << 10

// pemBlocks finds PEM certificates and public keys, in a file of their own
// or inside the string literals of code.
func (t *text) pemBlocks() {
	d := t.data
	begin := []byte("-----BEGIN ")
	for i := 0; ; {
		k := bytes.Index(d[i:], begin)
		if k < 0 {
			return
		}
		start := i + k
		i = start + len(begin)
		e := bytes.Index(d[i:min(i+80, len(d))], []byte("-----"))
		if e < 0 {
			continue
		}
		label := string(d[i : i+e])
		bodyStart := i + e + 5
		i = bodyStart
		endMarker := []byte("-----END " + label + "-----")
		limit := min(bodyStart+maxPEM, len(d))
		m := bytes.Index(d[bodyStart:limit], endMarker)
		if m < 0 {
			t.warnf("line %d: a %s block with no END line", t.line(start), label)
			continue
		}
		bodyEnd := bodyStart + m
		end := bodyEnd + len(endMarker)
		i = end
		if label != "CERTIFICATE" && label != "PUBLIC KEY" {
			continue
		}
		der, spelling, ok := unwrap(d[bodyStart:bodyEnd])
		if !ok {
			t.warnf("line %d: a %s block that does not decode", t.line(start), label)
			continue
		}
		it := &Item{Text: string(d[start:end]), Start: start, End: end, Edit: EditPEM, PEM: spelling}
		if label == "CERTIFICATE" {
			c, err := x509.ParseCertificate(der)
			if err != nil {
				t.warnf("line %d: a certificate that does not parse: %v", t.line(start), err)
				continue
			}
			it.Kind, it.Cert = KindCertificate, c
			it.Anchor = &Anchor{Subject: c.RawSubject, SPKI: c.RawSubjectPublicKeyInfo, Cert: c}
		} else {
			if _, err := x509.ParsePKIXPublicKey(der); err != nil {
				t.warnf("line %d: a public key that does not parse: %v", t.line(start), err)
				continue
			}
			it.Kind, it.Key = KindPublicKey, der
		}
		t.add(it)
	}
}

// unwrap reads the base64 lines of a PEM body out of whatever wraps them
// (quotes, escapes such as \n, line continuations, indentation) and says
// how they were wrapped.
func unwrap(body []byte) ([]byte, *PEMSpelling, bool) {
	var payload []string
	var seps []string
	sep := 0
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '\\':
			i += 2 // an escape in a literal: \n, \r, or a line continuation
		case isB64[c]:
			j := i
			for j < len(body) && isB64[body[j]] {
				j++
			}
			seps = append(seps, string(body[sep:i]))
			payload = append(payload, string(body[i:j]))
			i, sep = j, j
		default:
			i++
		}
	}
	if len(payload) == 0 {
		return nil, nil, false
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(payload, ""))
	if err != nil {
		return nil, nil, false
	}
	s := &PEMSpelling{Lead: seps[0], Trail: string(body[sep:]), Width: len(payload[0])}
	if len(payload) > 1 {
		s.Between = seps[1]
	}
	return der, s, true
}
