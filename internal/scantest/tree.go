package scantest

import (
	"crypto/sha1"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/clientsecure/clientsecure/inspect"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// Tree writes a firmware-like tree for benchmarks: files C-like source
// files of about size bytes each, 100 to a folder, with trust data in some
// (a fingerprint in one file in 20, a PEM root literal in one in 50, a byte
// array in one in 50) and loopback hosts beside them, so that a check of
// it contacts nothing beyond 127.0.0.1. The same seed writes the same
// tree.
func Tree(dir string, files, size int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 1))
	p := testcerts.Deterministic("scantest tree")
	sum := sha1.Sum(p.Good.Cert.Raw)
	fp := inspect.DocumentHex(sum[:])
	pemLines := CLiterals(testcerts.PEM(p.Root.Cert), "    ", "")
	words := strings.Fields("client connect status buffer length index value result error retry timeout wifi http request response header body parse json token update sensor reading interval millis delay serial print begin end loop setup config")
	var b strings.Builder
	for i := range files {
		b.Reset()
		fmt.Fprintf(&b, "// generated file %d\n#include <Arduino.h>\n#include \"config.h\"\n\n", i)
		switch {
		case i%20 == 0:
			fmt.Fprintf(&b, "const char* host = \"127.0.0.1\";\nconst int httpsPort = %d;\nconst char* fingerprint = \"%s\";\n\n", 9+i%3, fp)
		case i%50 == 1:
			fmt.Fprintf(&b, "const char* server = \"127.0.0.1\";\nconst char* root_ca =\n%s;\n\n", pemLines)
		case i%50 == 2:
			fmt.Fprintf(&b, "const char* ota = \"127.0.0.1\";\nconst uint8_t fp[20] = {%s};\n\n", ByteArray(sum[:], 10, "  "))
		}
		for b.Len() < size {
			w1, w2, w3 := words[r.IntN(len(words))], words[r.IntN(len(words))], words[r.IntN(len(words))]
			switch r.IntN(6) {
			case 0:
				fmt.Fprintf(&b, "static int %s_%s_%d(int %s) {\n", w1, w2, r.IntN(1000), w3)
			case 1:
				fmt.Fprintf(&b, "  if (%s > 0x%02x && %s < %d) { %s(%s, \"%s %s\"); }\n", w1, r.IntN(256), w2, r.IntN(100000), w3, w1, w2, w3)
			case 2:
				fmt.Fprintf(&b, "  // %s the %s before the %s: %08x\n", w1, w2, w3, r.Uint32())
			case 3:
				fmt.Fprintf(&b, "  %s = %s.%s(%d, %s);\n", w1, w2, w3, r.IntN(65536), w1)
			case 4:
				fmt.Fprintf(&b, "  Serial.printf(\"%s=%%d %s=%%s\\n\", %s, %s);\n", w1, w2, w3, w1)
			default:
				b.WriteString("}\n\n")
			}
		}
		path := filepath.Join(dir, fmt.Sprintf("lib%03d", i/100), fmt.Sprintf("%s_%d.cpp", words[i%len(words)], i))
		if err := writeFile(path, []byte(b.String())); err != nil {
			return fmt.Errorf("scantest: %w", err)
		}
	}
	return nil
}

// TreeSize is the bytes and files under dir, to report what was measured.
func TreeSize(dir string) (files int, bytes int64, err error) {
	err = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			files++
			bytes += fi.Size()
		}
		return err
	})
	return files, bytes, err
}
