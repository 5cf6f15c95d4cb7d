package inspect

import (
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// stub is all a header needs from the Arduino core to compile on a PC.
const stub = "#define PROGMEM\n"

// headerSymbols are the constants each format declares, by suffix.
var headerSymbols = map[string][]string{
	"esp8266.h": {"FINGERPRINT", "PUBLIC_KEY", "TRUST_ANCHOR"},
	"esp32.h":   {"FINGERPRINT", "ROOT_CA"},
}

func gxx(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("g++")
	if err != nil {
		t.Skip("g++ is not installed")
	}
	return path
}

// TestHeadersCompile compiles every golden case's ESP8266 and ESP32 header
// as C++, included twice (the include guard must hold), each constant
// used as a const char* and the port as an int. Strict C++11 turns
// trigraphs on, which a '??/' in a certificate's subject would exploit.
func TestHeadersCompile(t *testing.T) {
	gxx := gxx(t)
	dir := t.TempDir()
	var sources []string
	for _, g := range golden() {
		c := g.chain(t)
		for ext, syms := range headerSymbols {
			var h bytes.Buffer
			write := (*Chain).WriteArduino
			if ext == "esp32.h" {
				write = (*Chain).WriteESP32
			}
			if err := write(c, &h); err != nil {
				t.Fatal(err)
			}
			name := g.name + "." + ext
			if err := os.WriteFile(filepath.Join(dir, name), h.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			sym := cSymbol(g.host)
			var uses []string
			for _, s := range syms {
				uses = append(uses, sym+"_"+s)
			}
			if g.host != "" {
				uses = append(uses, sym+"_HOST")
			}
			src := fmt.Sprintf("%s#include %q\n#include %q\nconst char *used[] = {%s};\n", stub, name, name, strings.Join(uses, ", "))
			if g.port != 0 {
				src += fmt.Sprintf("int port = %s_PORT;\n", sym)
			}
			cpp := filepath.Join(dir, strings.ReplaceAll(name, ".", "_")+".cpp")
			if err := os.WriteFile(cpp, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			sources = append(sources, cpp)
		}
	}
	for _, std := range []string{"-std=c++11", "-std=gnu++17"} {
		args := append([]string{std, "-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-pedantic", "-Wtrigraphs"}, sources...)
		cmd := exec.CommandContext(context.Background(), gxx, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("g++ %s: %v\n%s", std, err, out)
		}
	}
}

// TestHeaderValues compiles a program that prints every constant of the
// hostile case's headers and checks that C reads back exactly what was
// meant: escaping that compiles but changes a byte would pass the syntax
// check and fail on the device.
func TestHeaderValues(t *testing.T) {
	gxx := gxx(t)
	var g goldenCase
	for _, c := range golden() {
		if c.name == "hostile" {
			g = c
		}
	}
	c := g.chain(t)
	var h8266, h32 bytes.Buffer
	if err := c.WriteArduino(&h8266); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteESP32(&h32); err != nil {
		t.Fatal(err)
	}
	leaf, anchor := c.Leaf(), c.Anchor
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: leaf.Raw.RawSubjectPublicKeyInfo}))
	anchorPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: anchor.Raw.Raw}))
	sym := cSymbol(g.host)
	want := []struct{ name, value string }{
		{"HOST", g.host},
		{"FINGERPRINT", leaf.SHA1Document()},
		{"PUBLIC_KEY", keyPEM},
		{"TRUST_ANCHOR", anchorPEM},
		{"esp32::FINGERPRINT", leaf.SHA256Colon()},
		{"esp32::ROOT_CA", anchorPEM},
	}

	dir := t.TempDir()
	for name, data := range map[string][]byte{"esp8266.h": h8266.Bytes(), "esp32.h": h32.Bytes()} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := stub + "#include <cstdio>\n#include \"esp8266.h\"\n" +
		"namespace esp32 {\n#undef CLIENTSECURE_" + sym + "_H\n#include \"esp32.h\"\n}\n" +
		"int main() {\n"
	for _, w := range want {
		name := sym + "_" + w.name
		if ns, n, ok := strings.Cut(w.name, "::"); ok {
			name = ns + "::" + sym + "_" + n
		}
		src += fmt.Sprintf("  std::fputs(%s, stdout); std::putchar(0);\n", name)
	}
	src += fmt.Sprintf("  std::printf(\"%%d\", %s_PORT);\n}\n", sym)
	if err := os.WriteFile(filepath.Join(dir, "main.cpp"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	build := exec.CommandContext(context.Background(), gxx, "-std=c++11", "-Wall", "-Werror", "-o", "main", "main.cpp")
	build.Dir = dir
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("g++: %v\n%s\n%s", err, out, src)
	}
	out, err := exec.CommandContext(context.Background(), filepath.Join(dir, "main")).Output()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(string(out), "\x00")
	if len(got) != len(want)+1 {
		t.Fatalf("the program printed %d values, want %d", len(got), len(want)+1)
	}
	for i, w := range want {
		if got[i] != w.value {
			t.Errorf("%s reads back as %q, want %q", w.name, got[i], w.value)
		}
	}
	if got[len(want)] != "443" {
		t.Errorf("PORT reads back as %q, want 443", got[len(want)])
	}
}
