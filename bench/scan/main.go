// Command scan measures clientsecure check's scan of a large tree against
// grep searching the same tree for the same hex patterns, each as its own
// process:
//
//   - check: `clientsecure check --format json TREE`, the whole command:
//     walk, read, every rule (fingerprints, byte arrays, PEM, pins, hosts,
//     stores), pairing, and judging (the tree's hosts are 127.0.0.1 on
//     closed ports, so nothing leaves the machine and every contact is an
//     immediate refusal);
//   - grep: `grep -rEc PATTERN TREE` with the fingerprint forms check
//     finds: 20 or 32 hex pairs separated by spaces or colons, 40 or 64
//     hex digits between quotes, and 0xHH array elements.
//
// The tree is made by internal/scantest.Tree (10,000 C-like files of 10 KiB,
// about 100 MB, by default). The variants run interleaved after one
// discarded warm-up round (the tree is then in the page cache for both);
// the medians and their ratio are printed.
//
// Usage, from the module's root:
//
//	go run ./bench/scan [-runs 7] [-files 10000] [-size 10240]
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/clientsecure/clientsecure/internal/scantest"
)

// grepPattern is the fingerprint forms of scan's rules as one extended
// regular expression.
const grepPattern = `([0-9A-Fa-f]{2}[ :]){19}[0-9A-Fa-f]{2}|([0-9A-Fa-f]{2}[ :]){31}[0-9A-Fa-f]{2}|["'][0-9A-Fa-f]{40}["']|["'][0-9A-Fa-f]{64}["']|0[xX][0-9A-Fa-f]{2}`

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench/scan: ")
	runs := flag.Int("runs", 7, "measured runs of each variant (after one warm-up)")
	files := flag.Int("files", 10000, "files in the tree")
	size := flag.Int("size", 10<<10, "bytes per file")
	bin := flag.String("bin", "", "clientsecure binary (default: go build -o)")
	flag.Parse()
	if *runs < 1 {
		log.Fatal("-runs must be at least 1")
	}
	work, err := os.MkdirTemp("", "bench-scan-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)
	if *bin == "" {
		*bin = filepath.Join(work, "clientsecure")
		if out, err := exec.Command("go", "build", "-o", *bin, "./cmd/clientsecure").CombinedOutput(); err != nil {
			log.Fatalf("go build: %v\n%s", err, out)
		}
	}
	tree := filepath.Join(work, "tree")
	if err := scantest.Tree(tree, *files, *size, 1); err != nil {
		log.Fatal(err)
	}
	n, bytes, err := scantest.TreeSize(tree)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("tree: %d files, %.1f MB\n", n, float64(bytes)/1e6)

	variants := []struct {
		name string
		cmd  func() *exec.Cmd
		// ok is the exit statuses that mean the variant did its job.
		ok []int
	}{
		// check exits 5: the tree's loopback hosts refuse connections.
		{"check", func() *exec.Cmd { return exec.Command(*bin, "check", "--format", "json", tree) }, []int{5}},
		{"grep", func() *exec.Cmd { return exec.Command("grep", "-rEc", grepPattern, tree) }, []int{0}},
	}
	times := make([][]time.Duration, len(variants))
	for round := 0; round <= *runs; round++ {
		for i, v := range variants {
			cmd := v.cmd()
			start := time.Now()
			err := cmd.Run()
			took := time.Since(start)
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				log.Fatalf("%s: %v", v.name, err)
			}
			if !slices.Contains(v.ok, code) {
				log.Fatalf("%s exited %d", v.name, code)
			}
			if round > 0 {
				times[i] = append(times[i], took)
			}
		}
	}
	medians := make([]time.Duration, len(variants))
	for i, v := range variants {
		slices.Sort(times[i])
		medians[i] = times[i][len(times[i])/2]
		fmt.Printf("%-6s median %8.1f ms  (%d runs, min %.1f, max %.1f)  %.0f MB/s\n", v.name,
			ms(medians[i]), len(times[i]), ms(times[i][0]), ms(times[i][len(times[i])-1]), float64(bytes)/1e6/medians[i].Seconds())
	}
	fmt.Printf("check/grep: %.2f\n", float64(medians[0])/float64(medians[1]))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
