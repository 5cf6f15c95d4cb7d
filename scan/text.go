package scan

import (
	"bytes"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/clientsecure/clientsecure"
)

// text runs the rules on one text file.
type text struct {
	name   string
	data   []byte
	lines  []int // offsets of line starts, made on first use
	items  []*Item
	hosts  []Host
	hostAt []hostSpan // where each of hosts is written
	// longArrays is set when byteArrays met an array longer than a
	// fingerprint: only then may the file hold brssl's TAs[].
	longArrays bool
	uses       []useLine
	warnings   []error
}

func newText(name string, data []byte) *text { return &text{name: name, data: data} }

// rules are the detectors of a text file, in the order they run. Adding a
// form is adding a rule.
var rules = []func(*text){
	(*text).hexRuns,
	(*text).byteArrays,
	(*text).pemBlocks,
	(*text).spkiPins,
	(*text).trustAnchorArrays,
	(*text).hostLiterals,
	(*text).yamlHosts,
}

func (t *text) run() {
	for _, r := range rules {
		r(t)
	}
	if len(t.items) > 0 || len(t.hosts) > 0 {
		t.uses = t.useLines()
		t.ports()
		for _, it := range t.items {
			if it.Use == "" {
				it.Name = t.nameBefore(it.Start)
				it.Use = useOf(it, t.lineText(it.Line), t.uses) // "" until pairing looks further
			}
		}
	}
	sort.SliceStable(t.items, func(i, j int) bool { return t.items[i].Start < t.items[j].Start })
}

// line is the 1-based line of offset pos.
func (t *text) line(pos int) int {
	if t.lines == nil {
		t.lines = []int{0}
		for i := 0; ; {
			k := bytes.IndexByte(t.data[i:], '\n')
			if k < 0 {
				break
			}
			i += k + 1
			t.lines = append(t.lines, i)
		}
	}
	return sort.Search(len(t.lines), func(i int) bool { return t.lines[i] > pos })
}

// lineText is line n (1-based) without its line ending.
func (t *text) lineText(n int) string {
	t.line(0)
	if n < 1 || n > len(t.lines) {
		return ""
	}
	start, end := t.lines[n-1], len(t.data)
	if n < len(t.lines) {
		end = t.lines[n] - 1
	}
	return strings.TrimRight(string(t.data[start:end]), "\r")
}

func (t *text) warnf(format string, args ...any) {
	t.warnings = append(t.warnings, fmt.Errorf("scan: %s: "+format, append([]any{t.name}, args...)...))
}

func (t *text) add(it *Item) {
	it.File = t.name
	if it.Line == 0 {
		it.Line = t.line(it.Start)
	}
	t.items = append(t.items, it)
}

var isHex, isWord, isB64, isRunByte [256]bool

func init() {
	for c := 0; c < 256; c++ {
		b := byte(c)
		isHex[c] = b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F'
		isWord[c] = isHex[c] || b >= 'g' && b <= 'z' || b >= 'G' && b <= 'Z' || b == '_'
		isB64[c] = isWord[c] && b != '_' || b == '+' || b == '/' || b == '='
		isRunByte[c] = isHex[c] || b == ' ' || b == ':'
	}
}

// minHexRun is the shortest text a fingerprint is written in: 40 hex
// digits (20 bytes bare; the separated forms are longer).
const minHexRun = 40

// hexRuns finds 20 or 32 bytes of hex: pairs separated by spaces or
// colons, or bare between quotes. Every such form lies within a segment of
// at least minHexRun bytes that are hex digits, spaces or colons, so the
// search probes one byte in minHexRun and looks closer only where a
// probe lands on such a byte (as grep skips through text).
func (t *text) hexRuns() { segments(t.data, &isRunByte, minHexRun, t.hexRunsIn) }

// segments calls found for every maximal run [s, e) of bytes in class at
// least minRun long, probing one byte in minRun: a probe that misses the
// class rules out every run through it.
func segments(d []byte, class *[256]bool, minRun int, found func(s, e int)) {
	n := len(d)
	for i := minRun - 1; i < n; {
		if !class[d[i]] {
			i += minRun
			continue
		}
		s, e := i, i+1
		for s > 0 && class[d[s-1]] {
			s--
		}
		for e < n && class[d[e]] {
			e++
		}
		if e-s >= minRun {
			found(s, e)
		}
		// The next run starts after e and is minRun long.
		i = e + minRun
	}
}

// hexRunsIn finds the fingerprints in the segment [s, e) of hex digits,
// spaces and colons.
func (t *text) hexRunsIn(s, e int) {
	d, n := t.data, len(t.data)
	for i := s; i < e; {
		if !isHex[d[i]] {
			i++
			continue
		}
		if i > 0 && isWord[d[i-1]] {
			for i < n && isWord[d[i]] {
				i++
			}
			continue
		}
		start := i
		if i+4 < n && isHex[d[i+1]] && (d[i+2] == ' ' || d[i+2] == ':') && isHex[d[i+3]] && isHex[d[i+4]] {
			sep := d[i+2]
			pairs, j := 0, i
			var digits []int
			for j+1 < n && isHex[d[j]] && isHex[d[j+1]] && (j+2 == n || !isWord[d[j+2]]) {
				digits = append(digits, j-start)
				pairs++
				j += 2
				if j+2 < n && d[j] == sep && isHex[d[j+1]] && isHex[d[j+2]] {
					j++
					continue
				}
				break
			}
			if (pairs == 20 || pairs == 32) && (j == n || !isWord[d[j]]) {
				t.addHex(start, j, digits)
			}
			i = j
			for i < n && isWord[d[i]] {
				i++
			}
			continue
		}
		j := i
		for j < n && isHex[d[j]] {
			j++
		}
		if k := j - i; (k == 40 || k == 64) && (j == n || !isWord[d[j]]) && i > 0 && isQuote(d[i-1]) && j < n && d[j] == d[i-1] {
			digits := make([]int, 0, k/2)
			for o := 0; o < k; o += 2 {
				digits = append(digits, o)
			}
			t.addHex(start, j, digits)
		}
		i = j
		for i < n && isWord[d[i]] {
			i++
		}
	}
}

func isQuote(b byte) bool { return b == '"' || b == '\'' }

// addHex adds a fingerprint whose byte k is the two hex digits at
// start+digits[k].
func (t *text) addHex(start, end int, digits []int) {
	digest := make([]byte, len(digits))
	for k, o := range digits {
		digest[k] = unhex(t.data[start+o])<<4 | unhex(t.data[start+o+1])
	}
	kind, pk := KindSHA1, clientsecure.CertSHA1
	if len(digest) == 32 {
		kind, pk = KindSHA256, clientsecure.CertSHA256
	}
	pin, err := clientsecure.NewPin(pk, digest)
	if err != nil {
		return
	}
	t.add(&Item{Kind: kind, Text: string(t.data[start:end]), Start: start, End: end, Edit: EditHex, Digits: digits, Pin: pin})
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// byteArrays finds C arrays {0xCF, 0x05, ...} of 20 or 32 bytes.
func (t *text) byteArrays() {
	d := t.data
	for _, x := range []byte{'x', 'X'} {
		for i := 1; i < len(d); {
			k := bytes.IndexByte(d[i:], x)
			if k < 0 {
				break
			}
			i += k
			if d[i-1] != '0' {
				i++
				continue
			}
			open := skipBackSpaceComments(d, i-2)
			if open < 0 || d[open] != '{' {
				i++
				continue
			}
			end, digits, ok := t.arrayAt(open)
			if !ok {
				i++
				if end > i {
					i = end
				}
				continue
			}
			if n := len(digits); (n == 20 || n == 32) && !isTAArray(t.nameBefore(open)) {
				t.addHex(open, end, digits)
			}
			i = end
		}
	}
}

// arrayAt reads the array whose '{' is at open: elements 0xHH separated by
// commas, white space and comments, up to '}'. It returns the offset past
// '}' and where each element's two digits are (relative to open).
func (t *text) arrayAt(open int) (int, []int, bool) {
	d, n := t.data, len(t.data)
	var digits []int
	i := open + 1
	for {
		i = skipSpaceComments(d, i)
		if i < n && d[i] == '}' {
			return i + 1, digits, len(digits) > 0
		}
		if i+3 >= n || d[i] != '0' || d[i+1]|0x20 != 'x' || !isHex[d[i+2]] || !isHex[d[i+3]] || (i+4 < n && isWord[d[i+4]]) {
			return i, nil, false
		}
		digits = append(digits, i+2-open)
		if len(digits) > 32 {
			// A longer array (a certificate, a key): skip it whole.
			t.longArrays = true
			for i < n && d[i] != '}' {
				i++
			}
			return i, nil, false
		}
		i = skipSpaceComments(d, i+4)
		if i < n && d[i] == ',' {
			i++
		}
	}
}

func skipSpaceComments(d []byte, i int) int {
	for i < len(d) {
		switch {
		case isSpace(d[i]):
			i++
		case d[i] == '/' && i+1 < len(d) && d[i+1] == '/':
			for i < len(d) && d[i] != '\n' {
				i++
			}
		case d[i] == '/' && i+1 < len(d) && d[i+1] == '*':
			e := bytes.Index(d[i+2:], []byte("*/"))
			if e < 0 {
				return len(d)
			}
			i += e + 4
		default:
			return i
		}
	}
	return i
}

// skipBackSpaceComments steps back from i over white space and /* */
// comments, returning the offset of the byte before them (-1 at the
// start).
func skipBackSpaceComments(d []byte, i int) int {
	for i >= 0 {
		switch {
		case isSpace(d[i]):
			i--
		case d[i] == '/' && i > 0 && d[i-1] == '*':
			k := bytes.LastIndex(d[:i-1], []byte("/*"))
			if k < 0 {
				return i
			}
			i = k - 1
		default:
			return i
		}
	}
	return i
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// isTAArray reports a name of brssl ta's arrays (TA0_DN, TA3_RSA_N): their
// bytes are a trust anchor's parts, not a fingerprint.
func isTAArray(name string) bool {
	if !strings.HasPrefix(name, "TA") {
		return false
	}
	rest := strings.TrimLeft(name[2:], "0123456789")
	return len(rest) < len(name)-2 && strings.HasPrefix(rest, "_")
}

// minPinRun is the shortest run of base64 characters a pin lies in:
// "sha1/" and 28 characters, "sha256/" and 44, or the 44 of
// pin-sha256="...".
const minPinRun = 32

// spkiPins finds public-key pins: sha256/B64, sha256//B64, sha1/B64,
// pin-sha256="B64". Each lies in a run of at least minPinRun base64
// characters, so the search probes one byte in minPinRun, as hexRuns does.
func (t *text) spkiPins() { segments(t.data, &isB64, minPinRun, t.pinIn) }

// pinIn reads the pin in the base64 run [s, e), if it is one.
func (t *text) pinIn(s, e int) {
	d := t.data
	start, end := s, e
	switch {
	case s >= len(`pin-sha256="`) && bytes.HasSuffix(d[:s], []byte(`pin-sha256="`)) && e < len(d) && d[e] == '"':
		start, end = s-len(`pin-sha256="`), e+1
	default:
		k := bytes.Index(d[s:e], []byte("sha"))
		if k < 0 {
			return
		}
		start = s + k
		if !bytes.HasPrefix(d[start:e], []byte("sha256/")) && !bytes.HasPrefix(d[start:e], []byte("sha1/")) {
			return
		}
		if k > 0 {
			return // part of a longer word
		}
	}
	if start > 0 && isWord[d[start-1]] {
		return
	}
	pin, err := clientsecure.ParsePin(string(d[start:end]))
	if err != nil {
		return
	}
	t.add(&Item{Kind: KindSPKIPin, Text: string(d[start:end]), Start: start, End: end, Pin: pin})
}

// useLine is a line that calls a function trusting something.
type useLine struct {
	line int
	text string
}

// useCalls say what a call does with its argument, read from the code
// around an item.
var useCalls = []struct {
	call string
	use  Use
}{
	{"setFingerprint", UseFingerprint},
	{"setKnownKey", UseKey},
	{"PublicKey", UseKey},
	{"setCACert", UseAnchor},
	{"setTrustAnchors", UseAnchor},
	{"X509List", UseAnchor},
	{"setCACertBundle", UseAnchor},
	{"load_verify_locations", UseAnchor},
	{"cadata", UseAnchor},
	{"ca_certs", UseAnchor},
	{"CertificatePinner", UsePin},
	{"pinnedpubkey", UsePin},
	{"verify(", UseFingerprint},
}

// useLines lists the lines of the file that call one of useCalls.
func (t *text) useLines() []useLine {
	seen := map[int]bool{}
	var out []useLine
	for _, c := range useCalls {
		for i := 0; ; {
			k := bytes.Index(t.data[i:], []byte(c.call))
			if k < 0 {
				break
			}
			n := t.line(i + k)
			if !seen[n] {
				seen[n] = true
				out = append(out, useLine{line: n, text: t.lineText(n)})
			}
			i += k + len(c.call)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].line < out[j].line })
	return out
}

// callUse is the use of the first of useCalls in s.
func callUse(s string) Use {
	for _, c := range useCalls {
		if strings.Contains(s, c.call) {
			return c.use
		}
	}
	return ""
}

// useOf reads how the code uses it: a call on its own line, a call naming
// its identifier, its identifier's words, else its kind.
func useOf(it *Item, own string, uses []useLine) Use {
	if it.Kind == KindTrustAnchor || it.Kind == KindCertStore {
		return UseAnchor
	}
	if u := callUse(own); u != "" {
		return u
	}
	return useByName(it.Name, uses)
}

// useByName is the use of a call naming name on one of uses.
func useByName(name string, uses []useLine) Use {
	if name == "" {
		return ""
	}
	for _, u := range uses {
		if containsWord(u.text, name) {
			if use := callUse(u.text); use != "" {
				return use
			}
		}
	}
	return ""
}

// defaultUse guesses from the identifier's words, then from the kind.
func defaultUse(it *Item) Use {
	n := strings.ToLower(it.Name)
	switch {
	case strings.Contains(n, "fingerprint") || n == "fp" || strings.HasPrefix(n, "fp_") || strings.HasSuffix(n, "_fp"):
		if it.Kind == KindSHA1 || it.Kind == KindSHA256 {
			return UseFingerprint
		}
	case strings.Contains(n, "pubkey") || strings.Contains(n, "public_key") || strings.Contains(n, "publickey"):
		return UseKey
	}
	switch it.Kind {
	case KindSHA1, KindSHA256:
		return UseFingerprint
	case KindSPKIPin:
		return UsePin
	case KindPublicKey:
		return UseKey
	case KindCertificate, KindTrustAnchor, KindCertStore:
		return UseAnchor
	}
	return UseUnknown
}

func containsWord(s, w string) bool {
	for i := 0; ; {
		k := strings.Index(s[i:], w)
		if k < 0 {
			return false
		}
		a, b := i+k, i+k+len(w)
		if (a == 0 || !isWord[s[a-1]]) && (b == len(s) || !isWord[s[b]]) {
			return true
		}
		i = b
	}
}

// declWords are the words of a declaration that are not its name.
var declWords = map[string]bool{
	"const": true, "static": true, "char": true, "unsigned": true, "signed": true,
	"uint8_t": true, "int8_t": true, "byte": true, "PROGMEM": true, "constexpr": true,
	"auto": true, "String": true, "std": true, "string": true, "inline": true,
	"extern": true, "volatile": true, "int": true, "uint16_t": true, "uint32_t": true,
	"ICACHE_RODATA_ATTR": true, "DRAM_ATTR": true, "R": true,
}

// nameBefore is the identifier assigned the value at pos: the last name in
// the declaration before the '=' (or YAML's ':') that precedes pos in the
// same statement.
func (t *text) nameBefore(pos int) string {
	d := t.data
	lo := max(pos-400, 0)
	eq := -1
	for i := pos - 1; i >= lo; i-- {
		c := d[i]
		if c == ';' || c == '}' {
			break
		}
		if c == '=' && (i == 0 || d[i-1] != '=' && d[i-1] != '!') && (i+1 >= len(d) || d[i+1] != '=') {
			eq = i
			break
		}
		if c == ':' && i+1 < len(d) && (d[i+1] == ' ' || d[i+1] == '\n' || d[i+1] == '\r') {
			eq = i
			break
		}
		if c == '(' && i > 0 && isWord[d[i-1]] && !rawStringOpen(d[lo:i]) {
			break // an argument of a call, not a declaration
		}
	}
	if eq < 0 {
		return ""
	}
	stmt := lo
	for i := eq - 1; i >= lo; i-- {
		if d[i] == ';' || d[i] == '}' || d[i] == '{' || d[i] == '\n' && i < eq-1 && lineHasContent(d[i+1:eq]) {
			stmt = i + 1
			break
		}
	}
	words := strings.FieldsFunc(string(d[stmt:eq]), func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	for i := len(words) - 1; i >= 0; i-- {
		w := words[i]
		if declWords[w] || w[0] >= '0' && w[0] <= '9' {
			continue
		}
		return w
	}
	return ""
}

func lineHasContent(b []byte) bool { return len(bytes.TrimSpace(b)) > 0 }

func isYAML(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// rawStringOpen reports b ending in a C++ raw string's opening, R"DELIM
// (the '(' follows).
func rawStringOpen(b []byte) bool {
	i := len(b)
	for i > 0 && i > len(b)-16 && isWord[b[i-1]] {
		i--
	}
	return i >= 2 && b[i-1] == '"' && b[i-2] == 'R'
}
