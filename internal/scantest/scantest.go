// Package scantest writes the corpus of sketch-like files that the scan
// and check tests read: every form of trust data the issue lists, filled
// in at test time from testcerts so that the fingerprints, keys and
// anchors match the loopback servers the tests start.
//
// The templates are under testdata/corpus (written for this project, in
// the shapes the tools and libraries use: the "Client Secure" document's
// sketch, ESP8266 cert.py, brssl ta, ESP-IDF, ESPHome, MicroPython). The
// binary stores (certs.ar, x509_crt_bundle in both layouts), brssl's
// TAs[] file and the fingerprint command's headers are written by code.
package scantest

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/clientsecure/clientsecure"

	"github.com/clientsecure/clientsecure/inspect"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

//go:embed testdata/corpus
var corpus embed.FS

// Site is a host of the corpus and what its server sends.
type Site struct {
	Name  string
	Port  int
	Leaf  *testcerts.Leaf // Chain is what the server sends
	Root  *x509.Certificate
	Inter *x509.Certificate // the intermediate below Root, if any
	// CA issues Leaf (and its renewals).
	CA *testcerts.Authority
}

// Sites are the corpus's hosts by name: api.example.com,
// ota.example.org, mqtt.example.net.
type Sites map[string]*Site

// Names are the host names the corpus uses.
var Names = []string{"api.example.com", "ota.example.org", "mqtt.example.net"}

// Write renders the corpus into dir for sites, as of now (for the
// headers' comments).
func Write(dir string, sites Sites, now time.Time) error {
	for _, n := range Names {
		if sites[n] == nil {
			return fmt.Errorf("scantest: no site %s", n)
		}
	}
	funcs := template.FuncMap{
		"port":        func(h string) int { return sites[h].Port },
		"sha1doc":     func(h, w string) string { return inspect.DocumentHex(sum1(sites.cert(h, w))) },
		"sha1colon":   func(h, w string) string { return inspect.ColonHex(sum1(sites.cert(h, w))) },
		"sha1lower":   func(h, w string) string { return hex.EncodeToString(sum1(sites.cert(h, w))) },
		"sha256colon": func(h, w string) string { return inspect.ColonHex(sum256(sites.cert(h, w))) },
		"sha1array": func(h, w string, per int, indent string) string {
			return ByteArray(sum1(sites.cert(h, w)), per, indent)
		},
		"pem": func(h, w string) string { return string(testcerts.PEM(sites.cert(h, w))) },
		"keypem": func(h, w string) string {
			return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: sites.cert(h, w).RawSubjectPublicKeyInfo}))
		},
		"cpem": func(h, w, indent, cont string) string {
			return CLiterals(testcerts.PEM(sites.cert(h, w)), indent, cont)
		},
		"cpemhead": func(h, w string) string { return `"-----BEGIN CERTIFICATE-----\n"` },
		"cpemtail": func(h, w, indent, cont string) string {
			lines := CLiterals(testcerts.PEM(sites.cert(h, w)), indent, cont)
			return lines[strings.Index(lines, "\n")+1:]
		},
		"indent": func(s, indent string) string {
			return indent + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+indent)
		},
		"notbefore": func(h, w string) string { return sites.cert(h, w).NotBefore.UTC().Format(time.RFC1123) },
		"notafter":  func(h, w string) string { return sites.cert(h, w).NotAfter.UTC().Format(time.RFC1123) },
	}
	err := fs.WalkDir(corpus, "testdata/corpus", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".tmpl") {
			return err
		}
		src, err := corpus.ReadFile(p)
		if err != nil {
			return err
		}
		tmpl, err := template.New(p).Delims("[[", "]]").Funcs(funcs).Parse(string(src))
		if err != nil {
			return err
		}
		var out bytes.Buffer
		if err := tmpl.Execute(&out, nil); err != nil {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(p, "testdata/corpus/"), ".tmpl")
		return writeFile(filepath.Join(dir, rel), out.Bytes())
	})
	if err != nil {
		return fmt.Errorf("scantest: %w", err)
	}
	api := sites["api.example.com"]
	files := map[string][]byte{
		"certstore/data/certs.ar":           Ar(api.Root, api.Inter),
		"espidf/x509_crt_bundle":            ESPIDFBundle(false, api.Root),
		"espidf-legacy/x509_crt_bundle.bin": ESPIDFBundle(true, api.Root),
		"brssl/trust_anchors.h":             BrsslTA(api.Root),
		"headers/api_example_com.h":         header(api, now, (*inspect.Chain).WriteArduino),
		"headers/api_example_com_esp32.h":   header(api, now, (*inspect.Chain).WriteESP32),
	}
	for name, data := range files {
		if err := writeFile(filepath.Join(dir, name), data); err != nil {
			return fmt.Errorf("scantest: %w", err)
		}
	}
	return nil
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// cert is the leaf, intermediate or root of host h.
func (s Sites) cert(h, which string) *x509.Certificate {
	site := s[h]
	switch which {
	case "leaf":
		return site.Leaf.Cert
	case "intermediate":
		return site.Inter
	case "root":
		return site.Root
	}
	panic("scantest: no certificate " + which)
}

func sum1(c *x509.Certificate) []byte   { s := sha1.Sum(c.Raw); return s[:] }
func sum256(c *x509.Certificate) []byte { s := sha256.Sum256(c.Raw); return s[:] }

// ByteArray writes b as C array elements, per to a line, each line
// indented.
func ByteArray(b []byte, per int, indent string) string {
	var lines []string
	for i := 0; i < len(b); i += per {
		var el []string
		for _, c := range b[i:min(i+per, len(b))] {
			el = append(el, fmt.Sprintf("0x%02X", c))
		}
		lines = append(lines, strings.Join(el, ", "))
	}
	return strings.Join(lines, ",\n"+indent)
}

// CLiterals writes PEM text as C string literals, one per line, each
// ending in \n, lines joined by cont (" \\" for a macro-style
// continuation, "" for plain concatenation).
func CLiterals(pemText []byte, indent, cont string) string {
	lines := strings.Split(strings.TrimSuffix(string(pemText), "\n"), "\n")
	for i, l := range lines {
		lines[i] = indent + `"` + l + `\n"`
	}
	return strings.Join(lines, cont+"\n")
}

// Ar is an ESP8266 CertStore archive of certs: an ar archive of DER files
// ca_000.der, ca_001.der, ...
func Ar(certs ...*x509.Certificate) []byte {
	var b bytes.Buffer
	b.WriteString("!<arch>\n")
	for i, c := range certs {
		fmt.Fprintf(&b, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", fmt.Sprintf("ca_%03d.der/", i), 0, 0, 0, "644", len(c.Raw))
		b.Write(c.Raw)
		if len(c.Raw)%2 == 1 {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// ESPIDFBundle is an x509_crt_bundle of certs: the current layout (u32
// little-endian offsets, u16 little-endian lengths) or the legacy one (a
// u16 big-endian count, u16 big-endian lengths), sorted by subject.
func ESPIDFBundle(legacy bool, certs ...*x509.Certificate) []byte {
	sorted := append([]*x509.Certificate{}, certs...)
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i].RawSubject, sorted[j].RawSubject) < 0 })
	var entries [][]byte
	for _, c := range sorted {
		var e []byte
		if legacy {
			e = binary.BigEndian.AppendUint16(e, uint16(len(c.RawSubject)))
			e = binary.BigEndian.AppendUint16(e, uint16(len(c.RawSubjectPublicKeyInfo)))
		} else {
			e = binary.LittleEndian.AppendUint16(e, uint16(len(c.RawSubject)))
			e = binary.LittleEndian.AppendUint16(e, uint16(len(c.RawSubjectPublicKeyInfo)))
		}
		e = append(append(e, c.RawSubject...), c.RawSubjectPublicKeyInfo...)
		entries = append(entries, e)
	}
	var out []byte
	if legacy {
		out = binary.BigEndian.AppendUint16(out, uint16(len(entries)))
	} else {
		off := 4 * len(entries)
		for _, e := range entries {
			out = binary.LittleEndian.AppendUint32(out, uint32(off))
			off += len(e)
		}
	}
	for _, e := range entries {
		out = append(out, e...)
	}
	return out
}

func header(s *Site, now time.Time, write func(*inspect.Chain, io.Writer) error) []byte {
	chain, err := inspect.NewChain(s.Leaf.Chain, s.Name, s.Port, &clientsecure.Trust{Roots: testcerts.Pool(s.Root), Time: func() time.Time { return now }})
	if err != nil {
		panic("scantest: " + err.Error())
	}
	chain.Generated = now
	var b bytes.Buffer
	if err := write(chain, &b); err != nil {
		panic("scantest: " + err.Error())
	}
	return b.Bytes()
}
