package scan

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/inspect"
	"github.com/clientsecure/clientsecure/internal/scantest"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func scanFiles(t *testing.T, files map[string]string) (*Result, string) {
	t.Helper()
	dir := write(t, files)
	res, err := Tree([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res, dir
}

var leaf = testcerts.Shared().Good.Cert

func sha1Doc() string { s := sha1.Sum(leaf.Raw); return inspect.DocumentHex(s[:]) }

// TestForms finds each way of writing a fingerprint or a pin, with its
// kind, line and use.
func TestForms(t *testing.T) {
	s1 := sha1.Sum(leaf.Raw)
	lower := hex.EncodeToString(s1[:])
	spki := clientsecure.CertificatePins(leaf).SPKI.Format(clientsecure.FormatOkHttp)
	b64 := strings.TrimPrefix(spki, "sha256/")
	cases := []struct {
		name, src string
		kind      Kind
		use       Use
		line      int
	}{
		{"document", "const char* fingerprint = \"" + sha1Doc() + "\";\n", KindSHA1, UseFingerprint, 1},
		{"colons", "\n\nfp = '" + strings.ReplaceAll(sha1Doc(), " ", ":") + "'\n", KindSHA1, UseFingerprint, 3},
		{"bare hex in a string", "x = \"" + lower + "\"\n", KindSHA1, UseFingerprint, 1},
		{"openssl output", "SHA1 Fingerprint=" + strings.ReplaceAll(sha1Doc(), " ", ":") + "\n", KindSHA1, UseFingerprint, 1},
		{"byte array", "const uint8_t fp[20] = {\n  " + scantest.ByteArray(s1[:], 7, "  ") + "\n};\nclient.setFingerprint(fp);\n", KindSHA1, UseFingerprint, 1},
		{"byte array with comments", "const uint8_t fp[] = { /* sha1 */ " + scantest.ByteArray(s1[:], 20, "") + " // end\n};\n", KindSHA1, UseFingerprint, 1},
		{"okhttp pin", ".add(\"api.example.com\", \"" + spki + "\")\n", KindSPKIPin, UsePin, 1},
		{"curl pin", "curl --pinnedpubkey 'sha256//" + b64 + "'\n", KindSPKIPin, UsePin, 1},
		{"hpkp pin", "Public-Key-Pins: pin-sha256=\"" + b64 + "\"; max-age=5184000\n", KindSPKIPin, UsePin, 1},
		{"setKnownKey by name", "static const char pubkey[] PROGMEM = R\"KEY(\n" + string(pemKey(leaf.RawSubjectPublicKeyInfo)) + ")KEY\";\n", KindPublicKey, UseKey, 2},
		{"JSON one-line PEM", `{"ca": "` + strings.ReplaceAll(string(testcerts.PEM(leaf)), "\n", `\n`) + `"}` + "\n", KindCertificate, UseAnchor, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, _ := scanFiles(t, map[string]string{"f.txt": c.src})
			if len(res.Items) != 1 {
				t.Fatalf("%d items in\n%s", len(res.Items), c.src)
			}
			it := res.Items[0]
			if it.Kind != c.kind || it.Use != c.use || it.Line != c.line {
				t.Errorf("got %s/%s line %d, want %s/%s line %d", it.Kind, it.Use, it.Line, c.kind, c.use, c.line)
			}
		})
	}
}

// TestNotFingerprints are hex that is no fingerprint: wrong lengths,
// part of a longer word, a bare run outside quotes, a long byte array.
func TestNotFingerprints(t *testing.T) {
	s1 := sha1.Sum(leaf.Raw)
	lower := hex.EncodeToString(s1[:])
	srcs := []string{
		"x = \"" + lower[:38] + "\"\n",
		"x = \"" + lower + "ab\"\n",
		"commit " + lower + "\n",
		"x = \"" + strings.ReplaceAll(sha1Doc(), " ", ":") + ":AB\"\n",
		"const uint8_t k[] = {" + scantest.ByteArray(append(s1[:], 1), 30, "") + "};\n",
		"static const unsigned char TA0_DN[] = {" + scantest.ByteArray(s1[:], 30, "") + "};\n",
	}
	for _, src := range srcs {
		res, _ := scanFiles(t, map[string]string{"f.c": src})
		if len(res.Items) != 0 {
			t.Errorf("found %s in %q", res.Items[0].Kind, src)
		}
	}
}

// TestPairing follows DESIGN.md: the nearest host in the file, else the
// folder's, then each parent's; equal distances are unpaired.
func TestPairing(t *testing.T) {
	fp := `const char* fp = "` + sha1Doc() + `";` + "\n"
	res, dir := scanFiles(t, map[string]string{
		"near/a.ino":       "const char* h1 = \"one.example.com\";\n" + fp + "\n\n\nconst char* h2 = \"two.example.com\";\n",
		"tie/a.ino":        "const char* h1 = \"one.example.com\";\n" + fp + "const char* h2 = \"two.example.com\";\n",
		"tie-same/a.ino":   "const char* h1 = \"one.example.com\";\n" + fp + "const char* h2 = \"one.example.com\";\n",
		"folder/fp.h":      fp,
		"folder/main.ino":  "client.connect(\"three.example.com\", 8883);\n",
		"parent/x/y/fp.h":  fp,
		"parent/p.ino":     "const char *url = \"https://four.example.com:9443/x\";\n",
		"folder2/fp.h":     fp,
		"folder2/a.ino":    "connect(\"one.example.com\");\n",
		"folder2/b.ino":    "connect(\"two.example.com\");\n",
		"comment/fp.ino":   "// see https://docs.example.com/how\n# include \"x.example.com\"\n" + fp,
		"mqtt/m.ino":       "const char* mqtt_server = \"broker.example.net\";\n" + fp + "void setup() { client.setServer(mqtt_server, 8883); }\n",
		"yaml/device.yaml": "mqtt:\n  broker: yaml.example.net\n  port: 8884\n  fp: " + strings.ReplaceAll(sha1Doc(), " ", ":") + "\n",
	})
	want := map[string]string{
		"near/a.ino":       "one.example.com:443",
		"tie/a.ino":        "",
		"tie-same/a.ino":   "one.example.com:443",
		"folder/fp.h":      "three.example.com:8883",
		"parent/x/y/fp.h":  "four.example.com:9443",
		"folder2/fp.h":     "",
		"comment/fp.ino":   "",
		"mqtt/m.ino":       "broker.example.net:8883",
		"yaml/device.yaml": "yaml.example.net:8884",
	}
	got := map[string]string{}
	for _, it := range res.Items {
		rel, _ := filepath.Rel(dir, it.File)
		got[filepath.ToSlash(rel)] = ""
		if it.Host != nil {
			got[filepath.ToSlash(rel)] = it.Host.Addr()
		}
	}
	for f, w := range want {
		if g, ok := got[f]; !ok || g != w {
			t.Errorf("%s: paired with %q (found %v), want %q", f, g, ok, w)
		}
	}
	for _, h := range res.DistinctHosts() {
		if h.Name == "four.example.com" && !h.HTTPS {
			t.Error("an https URL's host lost HTTPS")
		}
	}
}

// TestHosts: the list bundle --from-tree connects to, each host once in
// order of first mention, https URLs kept as URLs, a broker with its port.
func TestHosts(t *testing.T) {
	_, dir := scanFiles(t, map[string]string{
		"a/main.ino": "const char* mqtt_server = \"broker.example.net\";\nvoid setup() { client.setServer(mqtt_server, 8883); }\n",
		"b/api.ino":  "const char *url = \"https://api.example.com/v1\";\nconst char *again = \"https://api.example.com/v2\";\n",
		"c/no.txt":   "nothing here\n",
	})
	got, err := Hosts(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"broker.example.net:8883", "https://api.example.com:443"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Hosts = %q, want %q", got, want)
	}
	if _, err := Hosts(filepath.Join(dir, "missing")); err == nil {
		t.Error("Hosts of a missing folder: no error")
	}
}

// TestBadInput: binary files skipped, huge files read up to the bound
// with a warning, invalid UTF-8 scanned, unterminated literals and PEM
// blocks warned, link loops and links out of the tree not followed.
func TestBadInput(t *testing.T) {
	fp := `const char* fp = "` + sha1Doc() + `";` + "\n"
	huge := strings.Repeat("// filler line of a generated file\n", 40000) + fp
	dir := write(t, map[string]string{
		"bin/firmware.bin":   "\x00\x01\x02" + fp,
		"utf8/bad.ino":       "\xff\xfe\xc3\x28 " + fp + "\"unterminated literal \xe2\x82\n",
		"pem/open.pem":       "-----BEGIN CERTIFICATE-----\nMIIB\n",
		"pem/garbage.pem":    "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
		"huge/generated.ino": huge,
		".git/objects/x":     fp,
		"build/out.ino":      fp,
	})
	outside := write(t, map[string]string{"secret.ino": fp})
	if err := os.Symlink(filepath.Join(outside, "secret.ino"), filepath.Join(dir, "out.ino")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("loop2", filepath.Join(dir, "loop1")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("loop1", filepath.Join(dir, "loop2")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(".", filepath.Join(dir, "self")); err != nil {
		t.Fatal(err)
	}
	res, err := Tree([]string{dir}, Options{MaxFileBytes: int64(len(huge) - 10)})
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, it := range res.Items {
		rel, _ := filepath.Rel(dir, it.File)
		files = append(files, rel)
	}
	if strings.Join(files, " ") != "utf8/bad.ino" {
		t.Errorf("items in %v, want only utf8/bad.ino", files)
	}
	warned := func(s string) bool {
		for _, w := range res.Warnings {
			if strings.Contains(w.Error(), s) {
				return true
			}
		}
		return false
	}
	for _, w := range []string{"generated.ino: larger than", "open.pem: line 1: a CERTIFICATE block with no END line", "garbage.pem: line 1", "out.ino: a link out of the scanned paths", "loop1"} {
		if !warned(w) {
			t.Errorf("no warning %q in %v", w, res.Warnings)
		}
	}
}

// TestStores reads the binary stores and brssl's arrays with one item per
// anchor, and the brssl file compiles against BearSSL.
func TestStores(t *testing.T) {
	p := testcerts.Shared()
	rsaRoot := testcerts.NewRootWith("rsa root", testcerts.Template{Key: testcerts.RSA2048})
	ta := scantest.BrsslTA(p.Root.Cert, rsaRoot.Cert)
	dir := write(t, map[string]string{
		"certs.ar":            string(scantest.Ar(p.Root.Cert, p.Intermediate.Cert, rsaRoot.Cert)),
		"x509_crt_bundle":     string(scantest.ESPIDFBundle(false, p.Root.Cert, rsaRoot.Cert)),
		"x509_crt_bundle.bin": string(scantest.ESPIDFBundle(true, p.Root.Cert, rsaRoot.Cert)),
		"ta.h":                string(ta),
		"root.der":            string(p.Root.Cert.Raw),
	})
	res, err := Tree([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, it := range res.Items {
		count[filepath.Base(it.File)]++
		if it.Anchor == nil || it.Use != UseAnchor {
			t.Errorf("%s: no anchor", it.File)
			continue
		}
		if !bytes.Equal(it.Anchor.Subject, p.Root.Cert.RawSubject) && !bytes.Equal(it.Anchor.Subject, rsaRoot.Cert.RawSubject) && !bytes.Equal(it.Anchor.Subject, p.Intermediate.Cert.RawSubject) {
			t.Errorf("%s: anchor %s", it.File, it.Text)
		}
	}
	want := map[string]int{"certs.ar": 3, "x509_crt_bundle": 2, "x509_crt_bundle.bin": 2, "ta.h": 2, "root.der": 1}
	for f, n := range want {
		if count[f] != n {
			t.Errorf("%s: %d items, want %d", f, count[f], n)
		}
	}
	if _, err := os.Stat("/usr/include/bearssl.h"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("bearssl.h is not installed")
		}
		t.Skip("bearssl.h is not installed (CI unset): the TAs[] file is not compiled")
	}
	src := filepath.Join(dir, "ta.c")
	os.WriteFile(src, append(ta, []byte("\nconst br_x509_trust_anchor *anchors(size_t *n) { *n = TAs_NUM; return TAs; }\n")...), 0o644)
	if out, err := exec.Command("cc", "-Wall", "-Werror", "-c", "-o", filepath.Join(dir, "ta.o"), src).CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, out)
	}
}

func pemKey(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}
