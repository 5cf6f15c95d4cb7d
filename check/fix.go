package check

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/clientsecure/clientsecure/scan"
)

// hexReplacement writes digest over the item's hex digits, each in the
// case the digit it replaces was written in (the item's own case where
// that digit was a number), keeping every separator, prefix, line break
// and indentation. It is "" when the item is not rewritable so.
func hexReplacement(it *scan.Item, digest []byte) string {
	if it.Edit != scan.EditHex || len(it.Digits) != len(digest) {
		return ""
	}
	upper := majorityUpper(it)
	out := []byte(it.Text)
	const lowerHex, upperHex = "0123456789abcdef", "0123456789ABCDEF"
	for k, off := range it.Digits {
		for n, nibble := range [2]byte{digest[k] >> 4, digest[k] & 0xf} {
			old := out[off+n]
			switch {
			case old >= 'a' && old <= 'f':
				out[off+n] = lowerHex[nibble]
			case old >= 'A' && old <= 'F':
				out[off+n] = upperHex[nibble]
			case upper:
				out[off+n] = upperHex[nibble]
			default:
				out[off+n] = lowerHex[nibble]
			}
		}
	}
	return string(out)
}

// majorityUpper reports whether most of the item's hex letters are
// uppercase (true when it has none: the document's form).
func majorityUpper(it *scan.Item) bool {
	up, low := 0, 0
	for _, off := range it.Digits {
		for _, c := range []byte(it.Text[off : off+2]) {
			switch {
			case c >= 'a' && c <= 'f':
				low++
			case c >= 'A' && c <= 'F':
				up++
			}
		}
	}
	return up >= low
}

// pemReplacement writes der as a PEM block of label in the wrapping the
// item's block was found in; "" when the item is not a PEM text.
func pemReplacement(it *scan.Item, label string, der []byte) string {
	if it.Edit != scan.EditPEM || it.PEM == nil {
		return ""
	}
	return it.PEM.Encode(label, der)
}

// Change is one rewrite: where, and what was there and what is now, each
// in one line (a PEM block by what it holds).
type Change struct {
	File     string // as reported
	Line     int
	Old, New string
}

// oneLine writes a value that spans lines (a byte array) on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// summary is an item in one line.
func summary(it *scan.Item) string {
	switch {
	case it.Edit != scan.EditPEM:
		return oneLine(it.Text)
	case it.Cert != nil:
		return "certificate " + it.Cert.Subject.String()
	}
	return "public key"
}

// ErrChanged is a file that changed between the scan and the fix.
var ErrChanged = errors.New("check: the file changed since it was scanned; nothing written")

// edit is a file's planned rewrite.
type edit struct {
	real, shown string
	sum         [32]byte
	findings    []*Finding
}

func plan(fs []*Finding) []*edit {
	byFile := map[string]*edit{}
	var order []string
	type at struct {
		real  string
		start int
	}
	seen := map[at]bool{} // a file reached twice (by a link) is rewritten once
	for _, f := range fs {
		it := f.Item
		if f.Replacement == "" || f.Replacement == it.Text || it.RealPath() == "" || seen[at{it.RealPath(), it.Start}] {
			continue
		}
		seen[at{it.RealPath(), it.Start}] = true
		e := byFile[it.RealPath()]
		if e == nil {
			e = &edit{real: it.RealPath(), shown: it.File, sum: it.Sum}
			byFile[it.RealPath()] = e
			order = append(order, it.RealPath())
		}
		e.findings = append(e.findings, f)
	}
	var out []*edit
	for _, p := range order {
		e := byFile[p]
		sort.Slice(e.findings, func(i, j int) bool { return e.findings[i].Item.Start < e.findings[j].Item.Start })
		out = append(out, e)
	}
	return out
}

// rewrite returns the file's new contents, checking that it is still the
// file scanned.
func (e *edit) rewrite() (old, updated []byte, err error) {
	old, err = os.ReadFile(e.real)
	if err != nil {
		return nil, nil, fmt.Errorf("check: %s: %w", e.shown, err)
	}
	if sha256.Sum256(old) != e.sum {
		return nil, nil, fmt.Errorf("%s: %w", e.shown, ErrChanged)
	}
	var b bytes.Buffer
	pos := 0
	for _, f := range e.findings {
		it := f.Item
		if it.Start < pos || it.End > len(old) || string(old[it.Start:it.End]) != it.Text {
			return nil, nil, fmt.Errorf("%s: %w", e.shown, ErrChanged)
		}
		b.Write(old[pos:it.Start])
		b.WriteString(f.Replacement)
		pos = it.End
	}
	b.Write(old[pos:])
	return old, b.Bytes(), nil
}

// Apply rewrites every fixable finding in place, each file atomically (a
// temporary file in the same folder, renamed over it), and refuses a file
// that changed since the scan. Files are rewritten through their real
// path, so a link inside the scanned tree stays a link. It returns the
// changes made; on an error, the files before it are already rewritten.
func Apply(fs []*Finding) ([]Change, error) {
	var changes []Change
	for _, e := range plan(fs) {
		_, updated, err := e.rewrite()
		if err != nil {
			return changes, err
		}
		if err := writeAtomic(e, updated); err != nil {
			return changes, err
		}
		for _, f := range e.findings {
			changes = append(changes, Change{File: f.Item.File, Line: f.Item.Line, Old: summary(f.Item), New: f.ReplacementSummary})
		}
	}
	return changes, nil
}

func writeAtomic(e *edit, data []byte) error {
	fi, err := os.Stat(e.real)
	if err != nil {
		return fmt.Errorf("check: %s: %w", e.shown, err)
	}
	dir := filepath.Dir(e.real)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(e.real)+".clientsecure-*")
	if err != nil {
		return fmt.Errorf("check: %s: %w", e.shown, err)
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("check: %s: %w", e.shown, err)
	}
	if err := tmp.Chmod(fi.Mode().Perm()); err != nil {
		tmp.Close()
		return fmt.Errorf("check: %s: %w", e.shown, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("check: %s: %w", e.shown, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("check: %s: %w", e.shown, err)
	}
	// The last look before the rename: a file changed while the new one
	// was written is left as it is.
	if now, err := os.ReadFile(e.real); err != nil || sha256.Sum256(now) != e.sum {
		return fmt.Errorf("%s: %w", e.shown, ErrChanged)
	}
	if err := os.Rename(tmp.Name(), e.real); err != nil {
		return fmt.Errorf("check: %s: %w", e.shown, err)
	}
	return nil
}

// Diff is the unified diff of every fixable finding, without writing.
func Diff(fs []*Finding) (string, error) {
	var b strings.Builder
	for _, e := range plan(fs) {
		old, _, err := e.rewrite()
		if err != nil {
			return b.String(), err
		}
		b.WriteString(unified(e.shown, old, e.findings))
	}
	return b.String(), nil
}
