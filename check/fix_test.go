package check

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clientsecure/clientsecure/internal/testcerts"
	"github.com/clientsecure/clientsecure/scan"
)

// spelling is one random way of writing trust data in a sketch.
type spelling struct {
	name string
	// write renders the file holding value (the item), and says which
	// part of the file is the item's.
	write func(value func() string) string
}

// hexSpelling writes a SHA-1 as the forms people use, with random case,
// separators, array layout and indentation.
func hexSpelling(r *rand.Rand, digest []byte) string {
	upper := r.IntN(2) == 0
	h := hex.EncodeToString(digest)
	if upper {
		h = strings.ToUpper(h)
	}
	pairs := make([]string, len(digest))
	for i := range pairs {
		pairs[i] = h[2*i : 2*i+2]
	}
	switch r.IntN(4) {
	case 0:
		return `"` + strings.Join(pairs, " ") + `"`
	case 1:
		return `"` + strings.Join(pairs, ":") + `"`
	case 2:
		return `'` + h + `'`
	}
	per := 1 + r.IntN(20)
	indent := strings.Repeat(" ", r.IntN(9))
	prefix := "0x"
	if r.IntN(3) == 0 {
		prefix = "0X"
	}
	var lines []string
	for i := 0; i < len(pairs); i += per {
		var el []string
		for _, p := range pairs[i:min(i+per, len(pairs))] {
			el = append(el, prefix+p)
		}
		lines = append(lines, indent+strings.Join(el, ", "))
	}
	trailing := ""
	if r.IntN(2) == 0 {
		trailing = ","
	}
	return "{\n" + strings.Join(lines, ",\n") + trailing + "\n}"
}

// pemSpelling writes PEM text as code does: C literals per line (with or
// without backslashes), a raw string, a YAML block, a JSON string, a
// Python triple-quoted string.
func pemSpelling(r *rand.Rand, pemText string) (decl string) {
	indent := strings.Repeat(" ", r.IntN(7))
	lines := strings.Split(strings.TrimSuffix(pemText, "\n"), "\n")
	switch r.IntN(5) {
	case 0, 1:
		cont := ""
		if r.IntN(2) == 0 {
			cont = " \\"
		}
		for i, l := range lines {
			lines[i] = indent + `"` + l + `\n"`
		}
		return "const char* root_ca =" + cont + "\n" + strings.Join(lines, cont+"\n") + ";"
	case 2:
		return "static const char ca[] PROGMEM = R\"EOF(\n" + pemText + ")EOF\";"
	case 3:
		return "ca_json = \"" + strings.Join(lines, `\n`) + `\n"`
	}
	for i, l := range lines {
		lines[i] = indent + "  " + l
	}
	return "ca_certificate: |\n" + strings.Join(lines, "\n")
}

// TestFixProperty writes random spellings of stale trust data, fixes
// them, and checks: the second check finds nothing to fix and all is
// current; everything outside the items is byte for byte as it was; each
// digit keeps its case and each line its wrapping; CRLF files stay CRLF;
// a second --fix changes nothing.
func TestFixProperty(t *testing.T) {
	const host = "api.example.com"
	p := testcerts.New()
	old := leafFor(p.Intermediate, host, testcerts.Now.Add(10*day))
	cur := p.Intermediate.Renewed(old.WithChain(p.Intermediate.Cert), testcerts.Now.Add(-day), 90)
	other := testcerts.New()
	w := newWorld(t, p.Root.Cert, other.Root.Cert)
	w.serve(host+":443", cur)
	movedHost := "moved.example.com"
	w.serve(movedHost+":443", leafFor(other.Intermediate, movedHost, testcerts.Now.Add(90*day)))

	oldSum := sha1.Sum(old.Cert.Raw)
	for seed := range uint64(60) {
		r := rand.New(rand.NewPCG(seed, 7))
		crlf := r.IntN(3) == 0
		var src, itemHost string
		if seed%2 == 0 {
			itemHost = host
			src = fmt.Sprintf("const char* host = %q;\nconst int httpsPort = 443;\nconst uint8_t fingerprint[] = %s;\nvoid setup() {\n  client.setFingerprint(fingerprint);\n}\n", host, hexSpelling(r, oldSum[:]))
			if !strings.Contains(src, "{") {
				src = strings.Replace(src, "uint8_t fingerprint[]", "char* fingerprint", 1)
			}
		} else {
			itemHost = movedHost
			src = fmt.Sprintf("host = %q\n%s\n", movedHost, pemSpelling(r, string(testcerts.PEM(p.Root.Cert))))
		}
		if crlf {
			src = strings.ReplaceAll(src, "\n", "\r\n")
		}
		name := []string{"a.ino", "b.py", "c.yaml", "d.cpp"}[r.IntN(4)]
		if strings.Contains(src, "ca_certificate: |") {
			name = "c.yaml"
		}
		t.Run(fmt.Sprintf("seed%d-%s", seed, name), func(t *testing.T) {
			rep, dir := w.check(map[string]string{name: src})
			f := only(t, rep)
			if f.State != Stale || f.Item.Host.Name != itemHost {
				t.Fatalf("before the fix: %s for %v: %s\n%s", f.State, f.Item.Host, f.Message, src)
			}
			if f.Replacement == "" {
				t.Fatalf("no replacement for\n%s", src)
			}
			item := f.Item
			changes, err := Apply(rep.Fixable())
			if err != nil || len(changes) != 1 {
				t.Fatalf("Apply: %v, %d changes", err, len(changes))
			}
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			// Outside the item, nothing moved.
			if !bytes.HasPrefix(got, []byte(src[:item.Start])) || !bytes.HasSuffix(got, []byte(src[item.End:])) {
				t.Fatalf("text outside the item changed:\n%s", got)
			}
			newText := string(got[item.Start : len(got)-(len(src)-item.End)])
			checkSpelling(t, item, newText, crlf)
			again := w.checkDir(dir)
			if g := only(t, again); g.State != Current || len(again.Fixable()) != 0 {
				t.Fatalf("after the fix: %s (%s)\n%s", g.State, g.Message, got)
			}
			if changes, err := Apply(again.Fixable()); err != nil || len(changes) != 0 {
				t.Fatalf("a second fix: %v, %d changes", err, len(changes))
			}
		})
	}
}

// checkSpelling checks that newText is written as item.Text was.
func checkSpelling(t *testing.T, item *scan.Item, newText string, crlf bool) {
	t.Helper()
	if crlf && strings.Count(newText, "\n") != strings.Count(newText, "\r\n") {
		t.Errorf("a CRLF file got bare line feeds:\n%q", newText)
	}
	switch item.Edit {
	case scan.EditHex:
		if len(newText) != len(item.Text) {
			t.Fatalf("hex item changed length: %q -> %q", item.Text, newText)
		}
		for i := range len(newText) {
			o, n := item.Text[i], newText[i]
			isDigit := false
			for _, off := range item.Digits {
				if i == off || i == off+1 {
					isDigit = true
				}
			}
			switch {
			case !isDigit && o != n:
				t.Fatalf("separator or layout changed at %d: %q -> %q", i, item.Text, newText)
			case isDigit && isLetter(o) && isLetter(n) && isUpper(o) != isUpper(n):
				t.Fatalf("case changed at %d: %q -> %q", i, item.Text, newText)
			}
		}
	case scan.EditPEM:
		oldLines, newLines := strings.Split(item.Text, "\n"), strings.Split(newText, "\n")
		if len(oldLines) > 2 && len(newLines) > 2 {
			// Every base64 line keeps the wrapping of the old ones.
			op, os := wrapping(oldLines[1])
			np, ns := wrapping(newLines[1])
			if op != np || os != ns {
				t.Errorf("line wrapping changed: %q %q -> %q %q", op, os, np, ns)
			}
		}
	}
}

// wrapping is what surrounds the base64 on a line.
func wrapping(l string) (string, string) {
	i := strings.IndexFunc(l, func(r rune) bool { return r < 128 && isB64Char(byte(r)) })
	if i < 0 {
		return l, ""
	}
	j := i
	for j < len(l) && isB64Char(l[j]) {
		j++
	}
	return l[:i], l[j:]
}

func isB64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
func isUpper(c byte) bool  { return c >= 'A' && c <= 'F' }

// renewedWorld serves host with a renewed leaf cur; old is the one
// before.
func renewedWorld(t *testing.T, host string) (w *world, old, cur *testcerts.Leaf) {
	p := testcerts.New()
	old = leafFor(p.Intermediate, host, testcerts.Now.Add(60*day))
	cur = leafFor(p.Intermediate, host, testcerts.Now.Add(90*day))
	w = newWorld(t, p.Root.Cert)
	w.serve(host+":443", cur)
	return w, old, cur
}

// TestFixRefusesChangedFile changes a file between the check and the fix:
// nothing is written.
func TestFixRefusesChangedFile(t *testing.T) {
	const host = "api.example.com"
	w, old, _ := renewedWorld(t, host)
	rep, dir := w.check(map[string]string{"a.ino": fingerprintSketch(host, 443, docSHA1(old.Cert))})
	path := filepath.Join(dir, "a.ino")
	edited := []byte("// edited by someone else\n" + fingerprintSketch(host, 443, docSHA1(old.Cert)))
	if err := os.WriteFile(path, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(rep.Fixable()); err == nil || !strings.Contains(err.Error(), "changed since it was scanned") {
		t.Fatalf("Apply on a changed file: %v", err)
	}
	if _, err := Diff(rep.Fixable()); err == nil {
		t.Fatal("Diff on a changed file: no error")
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, edited) {
		t.Fatal("the changed file was written")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

// TestFixThroughLink fixes a file reached by a link inside the tree: the
// target is rewritten and the link stays a link.
func TestFixThroughLink(t *testing.T) {
	const host = "api.example.com"
	w, old, cur := renewedWorld(t, host)
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "real"), 0o755)
	os.MkdirAll(filepath.Join(dir, "sketch"), 0o755)
	target := filepath.Join(dir, "real", "fp.ino")
	if err := os.WriteFile(target, []byte(fingerprintSketch(host, 443, docSHA1(old.Cert))), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "sketch", "fp.ino")
	if err := os.Symlink("../real/fp.ino", link); err != nil {
		t.Fatal(err)
	}
	rep := w.checkDir(filepath.Join(dir, "sketch"))
	if len(rep.Findings) != 0 {
		t.Fatalf("a link out of the scanned path was followed: %d findings", len(rep.Findings))
	}
	rep = w.checkDir(dir)
	if _, err := Apply(rep.Fixable()); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v", err)
	}
	got, _ := os.ReadFile(target)
	if !strings.Contains(string(got), docSHA1(cur.Cert)) {
		t.Fatalf("the target was not fixed:\n%s", got)
	}
}

// TestDiffAppliesWithPatch checks that --diff's output, applied by
// patch(1), gives the file --fix writes.
func TestDiffAppliesWithPatch(t *testing.T) {
	if _, err := exec.LookPath("patch"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("patch is not installed")
		}
		t.Skip("patch is not installed (CI unset)")
	}
	const host = "api.example.com"
	p := testcerts.New()
	old := leafFor(p.Intermediate, host, testcerts.Now.Add(60*day))
	cur := leafFor(p.Intermediate, host, testcerts.Now.Add(90*day))
	other := testcerts.New()
	w := newWorld(t, p.Root.Cert, other.Root.Cert)
	w.serve(host+":443", cur)
	w.serve("moved.example.com:443", leafFor(other.Intermediate, "moved.example.com", testcerts.Now.Add(90*day)))
	files := map[string]string{
		"a/a.ino": fingerprintSketch(host, 443, docSHA1(old.Cert)) + strings.Repeat("// filler\n", 10) +
			fmt.Sprintf("const char *fp2 = %q; // setFingerprint(fp2)\n", docSHA1(old.Cert)),
		"b/b.ino": anchorSketch("moved.example.com", 443, testcerts.PEM(p.Root.Cert)),
		"c/c.ino": strings.TrimSuffix(fingerprintSketch(host, 443, docSHA1(old.Cert)), "\n") + "\n// last line without a newline",
	}
	rep, dir := w.check(files)
	diff, err := Diff(rep.Fixable())
	if err != nil {
		t.Fatal(err)
	}
	copyDir := t.TempDir()
	for name, body := range files {
		os.MkdirAll(filepath.Join(copyDir, filepath.Dir(name)), 0o755)
		os.WriteFile(filepath.Join(copyDir, name), []byte(body), 0o644)
	}
	// The diff names files as reached from the scanned path (absolute
	// here): patch them by stripping to the tree.
	diff = strings.ReplaceAll(diff, dir+"/", "")
	cmd := exec.Command("patch", "-p1", "--no-backup-if-mismatch", "-d", copyDir)
	cmd.Stdin = strings.NewReader(diff)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch: %v\n%s\n%s", err, out, diff)
	}
	if _, err := Apply(rep.Fixable()); err != nil {
		t.Fatal(err)
	}
	for name := range files {
		fixed, _ := os.ReadFile(filepath.Join(dir, name))
		patched, _ := os.ReadFile(filepath.Join(copyDir, name))
		if !bytes.Equal(fixed, patched) {
			t.Errorf("%s: the patched file differs from the fixed one\n%s", name, diff)
		}
	}
}
