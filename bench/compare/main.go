// Command compare measures clientsecure side by side with the public
// tools that do the same jobs, on loopback against `clientsecure serve`:
//
//   - get: `clientsecure get` and `curl --pinnedpubkey` fetching one
//     ref's combined status, both verifying the chain to the server's
//     certificate, the host name and an SPKI pin;
//   - status: `clientsecure status` for one ref, curl fetching the same two
//     resources (statuses and check runs) on one connection, `gh api` making
//     the same two calls (two processes; gh does not pin), and `hub
//     ci-status` (which resolves the ref with git first);
//   - refs: `clientsecure status` for 100 refs at once, the same 100 checked
//     one by one, and curl fetching the same 200 resources on one
//     connection.
//
// Each command runs as its own process, the variants of a group
// interleaved (A B C A B C ...) after one discarded warm-up round; each
// variant's median wall time and peak resident set size (getrusage of the
// child; for a variant of several processes, their total time and largest
// peak) are printed, with ratios.
//
// Usage, from the module's root:
//
//	go run ./bench/compare [-runs 11] [-install]
//
// It builds the clientsecure binary once with go build -o (or takes -bin),
// makes the server's key and certificate with openssl, and needs curl.
// gh and hub (Debian packages gh and hub) are measured where installed;
// -install installs them with apt-get first. Nothing leaves the machine:
// every tool is pointed at 127.0.0.1.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("compare: ")
	var o options
	flag.IntVar(&o.runs, "runs", 11, "measured runs of each variant (after one warm-up)")
	flag.IntVar(&o.refs, "refs", 100, "refs for the many-refs group")
	flag.StringVar(&o.bin, "bin", "", "clientsecure binary to measure (default: build it with go build -o)")
	flag.BoolVar(&o.install, "install", false, "install gh and hub with apt-get (Debian) before measuring")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory (certificates, scenario, binary)")
	flag.Parse()
	if o.runs < 1 || o.refs < 1 {
		log.Fatal("-runs and -refs must be at least 1")
	}
	if err := o.run(); err != nil {
		log.Fatal(err)
	}
}

type options struct {
	runs, refs    int
	bin           string
	install, keep bool
}

func (o *options) run() error {
	if o.install {
		if err := installTools(os.Stderr); err != nil {
			return err
		}
	}
	work, err := os.MkdirTemp("", "clientsecure-compare")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintf(os.Stderr, "compare: work directory %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}
	if o.bin == "" {
		o.bin = filepath.Join(work, "clientsecure")
		if err := buildBinary(o.bin); err != nil {
			return err
		}
	}
	s, err := newSetup(work, o.bin, o.refs)
	if err != nil {
		return err
	}
	defer s.stop()
	fmt.Println(s.describe())
	var groups []*group
	for _, g := range s.groups() {
		if err := g.measure(s, o.runs); err != nil {
			return fmt.Errorf("%s: %w", g.title, err)
		}
		g.print(os.Stdout)
		groups = append(groups, g)
	}
	printTargets(os.Stdout, groups)
	return nil
}
