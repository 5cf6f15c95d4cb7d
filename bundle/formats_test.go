package bundle

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// formatBundle is a bundle of the three candidate roots (ECDSA, RSA,
// ECDSA), one host each.
func formatBundle(t testing.TB) *Bundle {
	a := sharedAnchors()
	hosts := []*Host{
		offline(t, "localhost", 8443, a.Cross, a.RootA.Cert),
		offline(t, "localhost", 8444, a.OnlyB, a.Candidates()...),
		offline(t, "localhost", 8445, a.OnlyC, a.Candidates()...),
	}
	b := Verifier{Time: fixedClock}.Choose(hosts, Options{})
	if len(b.Anchors) != 3 {
		t.Fatalf("%d anchors, want 3", len(b.Anchors))
	}
	return b
}

func written(t testing.TB, name string, b *Bundle) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := FormatNamed(name).Write(&buf, b); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return buf.Bytes()
}

// need finds an external tool; absent, the test fails in CI and skips
// elsewhere.
func need(t *testing.T, tool string) string {
	t.Helper()
	path, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed, and CI must have it (.ci/run installs it)", tool)
		}
		t.Skipf("%s is not installed (CI unset)", tool)
	}
	return path
}

func run(t *testing.T, dir string, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr)
	}
	return out
}

// TestSizesExact: the report's size of each format is the length of what
// that format writes.
func TestSizesExact(t *testing.T) {
	b := formatBundle(t)
	r := NewReport(b)
	got := map[string]*int{
		"pem": r.Bytes.PEM, "arduino": r.Bytes.Arduino, "bearssl": r.Bytes.BearSSL,
		"certs-ar": r.Bytes.CertsAr, "esp-idf": r.Bytes.ESPIDF, "esp-idf-legacy": r.Bytes.ESPIDFLegacy,
	}
	for _, f := range Formats {
		n := len(written(t, f.Name, b))
		if got[f.Name] == nil || *got[f.Name] != n {
			t.Errorf("%s: report says %v bytes, the format writes %d", f.Name, got[f.Name], n)
		}
	}
	idf := len(written(t, "esp-idf", b))
	sum := 0
	for _, a := range r.Anchors {
		sum += 4 + a.Bytes.ESPIDF // the offset, then the entry
	}
	if sum != idf {
		t.Errorf("anchors' esp_idf bytes plus offsets: %d, the bundle: %d", sum, idf)
	}
}

// TestJSONFields: the document has the contract's field names and a
// host's anchors are its anchors' sha256.
func TestJSONFields(t *testing.T) {
	b := formatBundle(t)
	var buf bytes.Buffer
	if err := NewReport(b).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	keys := func(v any) []string {
		var out []string
		for k := range v.(map[string]any) {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	host := doc["hosts"].([]any)[0]
	anchor := doc["anchors"].([]any)[0]
	for _, c := range []struct {
		what string
		got  []string
		want []string
	}{
		{"top", keys(doc), []string{"anchors", "bytes", "hosts"}},
		{"host", keys(host), []string{"anchors", "chain", "error", "host", "port", "verified"}},
		{"anchor", keys(anchor), []string{"bytes", "days_left", "hosts", "key_bits", "key_type", "not_after", "sha256", "spki_sha256", "subject"}},
		{"anchor bytes", keys(anchor.(map[string]any)["bytes"]), []string{"der", "esp_idf"}},
		{"bytes", keys(doc["bytes"]), []string{"arduino", "bearssl", "certs_ar", "esp_idf", "esp_idf_legacy", "pem"}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s fields %v, want %v", c.what, c.got, c.want)
		}
	}
	// days_left counts from the time verified at (the fixed clock here).
	r := NewReport(b)
	for i, an := range b.Anchors {
		want := int(an.Cert.NotAfter.Sub(testcerts.Now) / (24 * time.Hour))
		if r.Anchors[i].DaysLeft != want {
			t.Errorf("anchor %d: days_left %d, want %d", i, r.Anchors[i].DaysLeft, want)
		}
	}
	sums := map[string]bool{}
	for _, a := range doc["anchors"].([]any) {
		sums[a.(map[string]any)["sha256"].(string)] = true
	}
	for _, h := range doc["hosts"].([]any) {
		for _, s := range h.(map[string]any)["anchors"].([]any) {
			if !sums[s.(string)] {
				t.Errorf("host anchor %s is none of the anchors", s)
			}
		}
	}
}

// TestPEM: every anchor, each after its comment, in the bundle's order.
func TestPEM(t *testing.T) {
	b := formatBundle(t)
	out := written(t, "pem", b)
	rest := out
	for i, a := range b.Anchors {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil || !bytes.Equal(blk.Bytes, a.Cert.Raw) {
			t.Fatalf("certificate %d is not anchor %d", i, i)
		}
	}
	for _, a := range b.Anchors {
		if !bytes.Contains(out, []byte("# ["+fmt.Sprint(slices.Index(b.Anchors, a))+"] "+a.Cert.Subject.String())) {
			t.Errorf("no comment for %s", a.Cert.Subject)
		}
	}
}

// TestCertsAr reads the CertStore archive back with ar: the members are
// ca_000.der... in order, each the DER of its anchor.
func TestCertsAr(t *testing.T) {
	ar := need(t, "ar")
	b := formatBundle(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "certs.ar"), written(t, "certs-ar", b), 0o644); err != nil {
		t.Fatal(err)
	}
	names := strings.Fields(string(run(t, dir, ar, "t", "certs.ar")))
	want := []string{"ca_000.der", "ca_001.der", "ca_002.der"}
	if !slices.Equal(names, want) {
		t.Fatalf("ar t: %v, want %v", names, want)
	}
	for i, name := range names {
		der := run(t, dir, ar, "p", "certs.ar", name)
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !c.Equal(b.Anchors[i].Cert) {
			t.Errorf("%s is %s, want anchor %d", name, c.Subject, i)
		}
	}
}

// idfEntry is one anchor as a device reads it from a bundle.
type idfEntry struct{ subject, key []byte }

// readESPIDF reads the current layout the way esp_crt_bundle.c does: the
// first u32 is the first entry's offset and so 4 × the count; each entry
// is found by its offset.
func readESPIDF(t *testing.T, data []byte) []idfEntry {
	t.Helper()
	if len(data) < 4 {
		t.Fatal("bundle shorter than one offset")
	}
	first := binary.LittleEndian.Uint32(data)
	if first == 0 || first%4 != 0 || int(first) > len(data) {
		t.Fatalf("first offset %d", first)
	}
	var out []idfEntry
	end := int(first)
	for i := 0; i < int(first/4); i++ {
		off := int(binary.LittleEndian.Uint32(data[4*i:]))
		if off != end {
			t.Fatalf("entry %d at %d, the previous ended at %d", i, off, end)
		}
		nameLen := int(binary.LittleEndian.Uint16(data[off:]))
		keyLen := int(binary.LittleEndian.Uint16(data[off+2:]))
		end = off + 4 + nameLen + keyLen
		if end > len(data) {
			t.Fatalf("entry %d runs past the end", i)
		}
		out = append(out, idfEntry{data[off+4 : off+4+nameLen], data[off+4+nameLen : end]})
	}
	if end != len(data) {
		t.Fatalf("%d bytes after the last entry", len(data)-end)
	}
	return out
}

// readESPIDFLegacy reads the older layout: a big-endian u16 count, then
// entries with big-endian u16 lengths one after another.
func readESPIDFLegacy(t *testing.T, data []byte) []idfEntry {
	t.Helper()
	count := int(binary.BigEndian.Uint16(data))
	var out []idfEntry
	p := 2
	for i := 0; i < count; i++ {
		nameLen := int(binary.BigEndian.Uint16(data[p:]))
		keyLen := int(binary.BigEndian.Uint16(data[p+2:]))
		p += 4
		if p+nameLen+keyLen > len(data) {
			t.Fatalf("entry %d runs past the end", i)
		}
		out = append(out, idfEntry{data[p : p+nameLen], data[p+nameLen : p+nameLen+keyLen]})
		p += nameLen + keyLen
	}
	if p != len(data) {
		t.Fatalf("%d bytes after the last entry", len(data)-p)
	}
	return out
}

// TestESPIDF parses both layouts, checks the order a binary search needs,
// and matches every key to its certificate: the subject finds the anchor,
// and the key must parse and be that anchor's public key.
func TestESPIDF(t *testing.T) {
	b := formatBundle(t)
	for name, read := range map[string]func(*testing.T, []byte) []idfEntry{
		"esp-idf": readESPIDF, "esp-idf-legacy": readESPIDFLegacy,
	} {
		t.Run(name, func(t *testing.T) {
			entries := read(t, written(t, name, b))
			if len(entries) != len(b.Anchors) {
				t.Fatalf("%d entries, want %d", len(entries), len(b.Anchors))
			}
			for i, e := range entries {
				if i > 0 && bytes.Compare(entries[i-1].subject, e.subject) >= 0 {
					t.Errorf("entry %d is not after entry %d by subject DER", i, i-1)
				}
				var cert *x509.Certificate
				for _, a := range b.Anchors {
					if bytes.Equal(a.Cert.RawSubject, e.subject) {
						cert = a.Cert
					}
				}
				if cert == nil {
					t.Fatalf("entry %d: no anchor has its subject", i)
				}
				key, err := x509.ParsePKIXPublicKey(e.key)
				if err != nil {
					t.Fatalf("entry %d: key: %v", i, err)
				}
				if k, ok := key.(interface{ Equal(crypto.PublicKey) bool }); !ok || !k.Equal(cert.PublicKey) {
					t.Errorf("entry %d: key is not %s's", i, cert.Subject)
				}
			}
		})
	}
}

// TestArduinoCompiles compiles the header with g++ against a stub of the
// Arduino core's pgmspace, runs it, and checks the string it holds is
// every anchor's PEM.
func TestArduinoCompiles(t *testing.T) {
	gxx := need(t, "g++")
	b := formatBundle(t)
	dir := t.TempDir()
	files := map[string]string{
		"pgmspace.h": "#pragma once\n#define PROGMEM\n",
		"anchors.h":  string(written(t, "arduino", b)),
		"main.cpp": `#include <cstdio>
#include "pgmspace.h"
#include "anchors.h"
#include "anchors.h"
int main() { std::fputs(CLIENTSECURE_TRUST_ANCHORS, stdout); return 0; }
`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run(t, dir, gxx, "-std=c++11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-o", "anchors", "main.cpp")
	out := run(t, dir, filepath.Join(dir, "anchors"))
	for i, a := range b.Anchors {
		var blk *pem.Block
		blk, out = pem.Decode(out)
		if blk == nil || !bytes.Equal(blk.Bytes, a.Cert.Raw) {
			t.Fatalf("PEM %d in the string is not anchor %d", i, i)
		}
	}
	if len(bytes.TrimSpace(out)) != 0 {
		t.Errorf("left after the certificates: %q", out)
	}
}

// TestBearSSLRefusesEd25519: BearSSL has no Ed25519, so that format says
// which anchor it cannot write; the others still can.
func TestBearSSLRefusesEd25519(t *testing.T) {
	root := testcerts.NewRootWith("ed root", testcerts.Template{Key: testcerts.Ed25519})
	h := offline(t, "localhost", 1, root.Intermediate("ed inter").Leaf(testcerts.Template{}), root.Cert)
	b := Verifier{Time: fixedClock}.Choose([]*Host{h}, Options{})
	err := FormatNamed("bearssl").Write(&bytes.Buffer{}, b)
	if err == nil || !strings.Contains(err.Error(), "CN=ed root") {
		t.Fatalf("bearssl with an Ed25519 anchor: %v", err)
	}
	if sizes := Sizes(b); sizes["pem"] == 0 || sizes["bearssl"] != 0 {
		t.Errorf("sizes %v", sizes)
	}
	if r := NewReport(b); r.Bytes.BearSSL != nil {
		t.Errorf("report gives bearssl %d bytes", *r.Bytes.BearSSL)
	}
}

// TestEmptyBundle: nothing verified, nothing written.
func TestEmptyBundle(t *testing.T) {
	b := Verifier{Time: fixedClock}.Choose(nil, Options{})
	for _, f := range Formats {
		if err := f.Write(&bytes.Buffer{}, b); err != ErrEmpty {
			t.Errorf("%s: %v, want ErrEmpty", f.Name, err)
		}
	}
}

// TestHostileSubject: a subject chosen by whoever made the root cannot
// end a comment early in the text formats.
func TestHostileSubject(t *testing.T) {
	root := testcerts.NewRoot("evil\n#define TAs_NUM 0\n// \\")
	h := offline(t, "localhost", 1, root.Intermediate("inter").Leaf(testcerts.Template{}), root.Cert)
	b := Verifier{Time: fixedClock}.Choose([]*Host{h}, Options{})
	for _, name := range []string{"pem", "arduino", "bearssl"} {
		out := string(written(t, name, b))
		if strings.Contains(out, "\n#define TAs_NUM 0") || strings.Contains(out, "\\\n") {
			t.Errorf("%s: the subject broke out of its comment:\n%s", name, out)
		}
	}
}
