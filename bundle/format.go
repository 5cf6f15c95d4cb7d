package bundle

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/inspect"
)

// Format is one way devices load a trust store.
type Format struct {
	Name string
	// Binary formats are refused on a terminal.
	Binary bool
	write  func(w *bufio.Writer, b *Bundle) error
}

// Formats are the trust-store formats, in the order the report lists
// their sizes. JSON, the report itself, is written by [WriteJSON].
var Formats = []*Format{
	{Name: "pem", write: writePEM},
	{Name: "arduino", write: writeArduino},
	{Name: "bearssl", write: writeBearSSL},
	{Name: "certs-ar", Binary: true, write: writeCertsAr},
	{Name: "esp-idf", Binary: true, write: writeESPIDF},
	{Name: "esp-idf-legacy", Binary: true, write: writeESPIDFLegacy},
}

// FormatNamed returns the format called name, or nil.
func FormatNamed(name string) *Format {
	for _, f := range Formats {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// ErrEmpty is the error of writing a bundle without anchors: no host was
// verified, and an empty trust store trusts nothing.
var ErrEmpty = errors.New("bundle: no anchors to write: no host was verified")

// Write writes b in format f.
func (f *Format) Write(w io.Writer, b *Bundle) error {
	if len(b.Anchors) == 0 {
		return ErrEmpty
	}
	bw := bufio.NewWriter(w)
	if err := f.write(bw, b); err != nil {
		return fmt.Errorf("bundle: %s: %w", f.Name, err)
	}
	return bw.Flush()
}

// Sizes are the exact bytes each format writes for b, by format name; a
// format that cannot hold b (bearssl with an Ed25519 anchor) is missing.
func Sizes(b *Bundle) map[string]int {
	sizes := map[string]int{}
	for _, f := range Formats {
		var n counter
		if err := f.Write(&n, b); err == nil {
			sizes[f.Name] = int(n)
		}
	}
	return sizes
}

type counter int64

func (c *counter) Write(p []byte) (int, error) {
	*c += counter(len(p))
	return len(p), nil
}

// hostList is the bundle's hosts as "host:port", comma-separated.
func hostList(hosts []*Host) string {
	var names []string
	for _, h := range hosts {
		names = append(names, h.Addr())
	}
	return strings.Join(names, ", ")
}

// coveredHosts are the hosts b verifies.
func (b *Bundle) coveredHosts() []*Host {
	var out []*Host
	for _, h := range b.Hosts {
		if h.Verified() {
			out = append(out, h)
		}
	}
	return out
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 MST") }

// header is the comment every text format starts with, a line a string:
// what the anchors are for.
func (b *Bundle) header() []string {
	hosts := b.coveredHosts()
	return []string{
		fmt.Sprintf("%d trust anchor(s) for %d host(s), chosen by clientsecure bundle", len(b.Anchors), len(hosts)),
		"verified at " + formatTime(b.At) + ": " + inspect.Comment(hostList(hosts)),
	}
}

// comment describes anchor i in a few lines for a text format.
func (a *Anchor) comment(i int, at time.Time) []string {
	d := inspect.Describe(a.Cert)
	return []string{
		fmt.Sprintf("[%d] %s (%s)", i, inspect.Comment(d.Subject), a.Why),
		fmt.Sprintf("    not after %s (%d days left), %s", formatTime(d.NotAfter), d.DaysLeft(at), d.Key()),
		"    sha256 " + d.SHA256.Format(clientsecure.FormatColon),
		"    hosts: " + inspect.Comment(hostList(a.Hosts)),
	}
}
