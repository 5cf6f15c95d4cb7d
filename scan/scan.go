package scan

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/clientsecure/clientsecure"
)

// Kind is what an item is, in the words of check's JSON.
type Kind string

const (
	KindSHA1        Kind = "sha1"         // SHA-1 of a certificate
	KindSHA256      Kind = "sha256"       // SHA-256 of a certificate
	KindSPKIPin     Kind = "spki-pin"     // a public-key pin
	KindCertificate Kind = "certificate"  // a certificate (PEM or DER)
	KindPublicKey   Kind = "public-key"   // a SubjectPublicKeyInfo (PEM)
	KindTrustAnchor Kind = "trust-anchor" // an entry of a BearSSL TAs[] array
	KindCertStore   Kind = "cert-store"   // an entry of certs.ar or an ESP-IDF bundle
)

// Use is how the code uses an item.
type Use string

const (
	UseFingerprint Use = "fingerprint" // compared to the leaf (setFingerprint, ESP32 verify)
	UseAnchor      Use = "anchor"      // a trust anchor the chain must verify to
	UseKey         Use = "key"         // the server's key itself (setKnownKey)
	UsePin         Use = "pin"         // a public-key pin on any certificate of the chain
	UseUnknown     Use = "unknown"
)

// Anchor is a trust anchor as stores keep it: the subject and the public
// key, with the certificate when the store has one.
type Anchor struct {
	Subject []byte            // the subject's DER
	SPKI    []byte            // the SubjectPublicKeyInfo's DER
	Cert    *x509.Certificate // nil for BearSSL and ESP-IDF entries
}

// Edit says how a fix may rewrite an item's text.
type Edit int

const (
	// EditNone: the item cannot be rewritten in place (a binary store).
	EditNone Edit = iota
	// EditHex: the hex digits of Text are replaced one for one, keeping
	// every separator, prefix and line break and each digit's case.
	EditHex
	// EditPEM: Text is a PEM block inside whatever wraps its lines
	// (string quotes, escapes, indentation); the new block is written
	// with the same wrapping.
	EditPEM
	// EditPin: Text is a public-key pin in one of the parser's forms.
	EditPin
)

// Item is one piece of trust data found.
type Item struct {
	File string // the path as reached from the scanned path
	Line int    // 1-based; 0 inside a binary file
	Kind Kind
	Use  Use
	// Name is the identifier the code gives the item, if any
	// (fingerprint_api_github_com, root_ca).
	Name string

	// Text is the item as written, and [Start, End) its bytes in the
	// file (both 0 in a binary file).
	Text       string
	Start, End int
	Edit       Edit
	// Digits are, for EditHex, the offsets in Text of each byte's two
	// hex digits.
	Digits []int
	// PEM is, for EditPEM, how the block's lines are wrapped.
	PEM *PEMSpelling

	Pin    clientsecure.Pin // KindSHA1, KindSHA256, KindSPKIPin
	Cert   *x509.Certificate
	Key    []byte  // KindPublicKey: the SubjectPublicKeyInfo DER
	Anchor *Anchor // KindTrustAnchor, KindCertStore, and certificates

	// Host is the host the item is paired with, nil when unpaired.
	Host *Host

	// Sum is the SHA-256 of the file as it was read, so that a fix can
	// refuse a file that changed since.
	Sum [32]byte

	real string // the file's real path, for rewriting it
}

// RealPath is the file the item is in with symbolic links resolved: the
// file a fix rewrites.
func (it *Item) RealPath() string { return it.real }

// Host is a host name (or IP address) the code connects to.
type Host struct {
	Name string
	Port int // the constant beside it, the URL's, else 443
	// HTTPS is set when the host was given as an https:// URL.
	HTTPS bool
	File  string
	Line  int

	explicitPort bool // a URL's port (or its scheme's), not to be looked for
}

// Addr is "name:port".
func (h Host) Addr() string { return joinHostPort(h.Name, h.Port) }

// ALPN reports whether a client of this host speaks HTTP over TLS and so
// offers ALPN: an https URL, or port 443 or 8443. An MQTT broker on 8883
// gets none.
func (h Host) ALPN() bool { return h.HTTPS || h.Port == 443 || h.Port == 8443 }

// Options adjust a scan. The zero Options are the defaults.
type Options struct {
	// MaxFileBytes bounds what is read of one file; past it the rest is
	// not scanned and a warning says so. 0 means DefaultMaxFileBytes.
	MaxFileBytes int64
	// Fallback pairs the items for which the code names no host
	// (check's --host).
	Fallback *Host
	// Jobs is how many files are scanned at once; 0 means GOMAXPROCS.
	Jobs int
}

// DefaultMaxFileBytes is the default bound of one file's read.
const DefaultMaxFileBytes = 16 << 20

// Result is what a scan found.
type Result struct {
	Items []*Item // sorted by file, then line
	Hosts []Host  // every host named, sorted by file, then line
	// Warnings are files that could not be read or were cut short.
	Warnings []error
}

// DistinctHosts lists each host:port once, in order of first mention;
// a host named once as an https URL keeps HTTPS set.
func (r *Result) DistinctHosts() []Host {
	return distinct(r.Hosts)
}

// PairedHosts lists each host:port some item is paired with, once.
func (r *Result) PairedHosts() []Host {
	var hs []Host
	for _, it := range r.Items {
		if it.Host != nil {
			hs = append(hs, *it.Host)
		}
	}
	return distinct(hs)
}

func distinct(hs []Host) []Host {
	index := map[string]int{}
	var out []Host
	for _, h := range hs {
		k := h.Addr()
		if i, ok := index[k]; ok {
			out[i].HTTPS = out[i].HTTPS || h.HTTPS
			continue
		}
		index[k] = len(out)
		out = append(out, h)
	}
	return out
}

// skipDirs are folders of version control and build output.
var skipDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true,
	".pio": true, ".pioenvs": true, ".piolibdeps": true, ".esphome": true,
	"build": true, "_build": true, ".build": true, "node_modules": true,
}

// Tree scans paths (files or folders) and pairs what it finds.
func Tree(paths []string, opts Options) (*Result, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	if opts.MaxFileBytes <= 0 {
		opts.MaxFileBytes = DefaultMaxFileBytes
	}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	var roots []string
	for _, p := range paths {
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		abs, err := filepath.Abs(real)
		if err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		roots = append(roots, abs)
	}

	type job struct{ shown, real, root string }
	jobsCh := make(chan job, 64)
	var (
		mu      sync.Mutex
		files   []*fileResult
		wg      sync.WaitGroup
		walkErr []error
	)
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte // each worker reuses one read buffer
			for j := range jobsCh {
				fr := scanFile(j.shown, j.real, j.root, opts.MaxFileBytes, &buf)
				if fr == nil {
					continue
				}
				mu.Lock()
				files = append(files, fr)
				mu.Unlock()
			}
		}()
	}
	warn := func(err error) {
		mu.Lock()
		walkErr = append(walkErr, err)
		mu.Unlock()
	}
	for i, p := range paths {
		root := roots[i]
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			shown := p
			if rel, rerr := filepath.Rel(root, path); rerr == nil && rel != "." {
				shown = filepath.Join(p, rel)
			}
			if err != nil {
				warn(fmt.Errorf("scan: %s: %w", shown, err))
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if path != root && skipDirs[d.Name()] {
					return fs.SkipDir
				}
				return nil
			}
			real := path
			if d.Type()&fs.ModeSymlink != 0 {
				target, err := filepath.EvalSymlinks(path)
				if err != nil {
					warn(fmt.Errorf("scan: %s: %w", shown, err))
					return nil
				}
				if !insideAny(target, roots) {
					warn(fmt.Errorf("scan: %s: a link out of the scanned paths, not followed", shown))
					return nil
				}
				if fi, err := os.Stat(target); err != nil || !fi.Mode().IsRegular() {
					return nil // a link to a folder is not followed
				}
				real = target
			} else if !d.Type().IsRegular() {
				return nil
			}
			jobsCh <- job{shown: shown, real: real, root: p}
			return nil
		})
		if err != nil {
			close(jobsCh)
			wg.Wait()
			return nil, fmt.Errorf("scan: %w", err)
		}
	}
	close(jobsCh)
	wg.Wait()

	sort.Slice(files, func(i, j int) bool { return files[i].shown < files[j].shown })
	res := &Result{Warnings: walkErr}
	for _, f := range files {
		res.Items = append(res.Items, f.items...)
		res.Hosts = append(res.Hosts, f.hosts...)
		res.Warnings = append(res.Warnings, f.warnings...)
	}
	pair(files, opts.Fallback)
	return res, nil
}

func insideAny(path string, roots []string) bool {
	for _, r := range roots {
		if path == r || strings.HasPrefix(path, r+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// fileResult is what one file gave.
type fileResult struct {
	shown, root string
	items       []*Item
	hosts       []Host
	uses        []useLine // lines that call a trust function, for pairing uses across files
	warnings    []error
}

// scanFile reads one file (at most max bytes) and runs the rules on it.
func scanFile(shown, real, root string, max int64, buf *[]byte) *fileResult {
	fr := &fileResult{shown: shown, root: root}
	data, err := readFile(real, max, buf)
	if err != nil {
		fr.warnings = []error{fmt.Errorf("scan: %s: %w", shown, err)}
		return fr
	}
	*buf = data[:0]
	if int64(len(data)) > max {
		data = data[:max]
		fr.warnings = append(fr.warnings, fmt.Errorf("scan: %s: larger than %d bytes: only the first %d scanned", shown, max, max))
	}
	items, hosts, uses, warnings := scanData(shown, data)
	fr.warnings = append(fr.warnings, warnings...)
	if len(items) > 0 {
		sum := sha256.Sum256(data)
		for _, it := range items {
			it.real, it.Sum = real, sum
		}
	}
	fr.items, fr.hosts, fr.uses = items, hosts, uses
	if len(fr.warnings) == 0 && len(items) == 0 && len(hosts) == 0 && len(uses) == 0 {
		return nil
	}
	return fr
}

// readBounded reads at most limit+1 bytes with read into buf's storage
// (grown as needed), so that a file larger than limit is seen to be. size
// is the file's size if known (else 0), to read it in one go.
func readBounded(read func([]byte) (int, error), size, limit int64, buf *[]byte) ([]byte, error) {
	want := int64(512)
	if size > 0 {
		want = size + 1 // +1 to see EOF (or growth) in one more read
	}
	want = min(want, limit+1)
	data := *buf
	if int64(cap(data)) < want {
		data = make([]byte, 0, want)
	}
	data = data[:0]
	for int64(len(data)) <= limit {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := read(data[len(data):min(int64(cap(data)), limit+1)])
		data = data[:len(data)+max(n, 0)]
		if err == io.EOF || err == nil && n == 0 {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
	}
	return data, nil
}

// scanData runs every rule on a file's contents.
func scanData(name string, data []byte) ([]*Item, []Host, []useLine, []error) {
	if looksDER(name, data) {
		if items := scanBinary(name, data); len(items) > 0 {
			return items, nil, nil, nil
		}
	}
	if bytes.HasPrefix(data, []byte("!<arch>\n")) || isBinary(data) {
		return scanBinary(name, data), nil, nil, nil
	}
	t := newText(name, data)
	t.run()
	return t.items, t.hosts, t.uses, t.warnings
}

// isBinary reports a NUL byte in the first 8000 bytes, as git and grep
// decide.
func isBinary(data []byte) bool {
	head := data
	if len(head) > 8000 {
		head = head[:8000]
	}
	return bytes.IndexByte(head, 0) >= 0
}

var errNotStore = errors.New("not a store")

// Hosts scans the tree at dir and lists each host its code names, once,
// in order of first mention: "https://name:port" for a host named as an
// https URL, "name:port" otherwise. It is what `bundle --from-tree`
// builds a store for.
func Hosts(dir string) ([]string, error) {
	res, err := Tree([]string{dir}, Options{})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, h := range res.DistinctHosts() {
		if h.HTTPS {
			out = append(out, "https://"+h.Addr())
		} else {
			out = append(out, h.Addr())
		}
	}
	return out, nil
}
