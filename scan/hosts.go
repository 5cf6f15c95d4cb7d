package scan

import (
	"bytes"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// maxLiteral bounds the strings looked at as host names.
const maxLiteral = 512

// hostLiterals finds quoted strings that are a host name or a TLS URL.
func (t *text) hostLiterals() {
	d := t.data
	for _, q := range []byte{'"', '\''} {
		for i := 0; i < len(d); {
			k := bytes.IndexByte(d[i:], q)
			if k < 0 {
				break
			}
			open := i + k
			end, ok := closeQuote(d, open, q)
			if !ok {
				i = open + 1 // unterminated on its line: not a literal
				continue
			}
			lit := d[open+1 : end]
			if maybeHost(lit) {
				if h, ok := parseHost(string(lit)); ok && !t.inComment(open) {
					h.File, h.Line = t.name, t.line(open)
					t.hosts = append(t.hosts, h)
					t.hostAt = append(t.hostAt, hostSpan{open, end + 1})
				}
			}
			i = end + 1
		}
	}
}

// closeQuote finds the quote closing the literal opened at open, on the
// same line and within maxLiteral bytes, skipping escaped quotes.
func closeQuote(d []byte, open int, q byte) (int, bool) {
	limit := min(open+1+maxLiteral, len(d))
	for from := open + 1; from < limit; {
		k := bytes.IndexByte(d[from:limit], q)
		if k < 0 {
			return 0, false
		}
		end := from + k
		if bytes.IndexByte(d[from:end], '\n') >= 0 {
			return 0, false
		}
		backslashes := 0
		for b := end - 1; b > open && d[b] == '\\'; b-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return end, true
		}
		from = end + 1
	}
	return 0, false
}

// maybeHost is the cheap test before parseHost: a host name has a dot (or
// is localhost) and no white space.
func maybeHost(lit []byte) bool {
	if len(lit) < 4 || bytes.IndexByte(lit, ' ') >= 0 {
		return false
	}
	return bytes.IndexByte(lit, '.') >= 0 || string(lit) == "localhost"
}

// hostSpan is where a host literal is, for finding its port.
type hostSpan struct{ start, end int }

// yamlHosts finds unquoted YAML values that are a host name or URL
// (`broker: mqtt.example.com`).
func (t *text) yamlHosts() {
	if !isYAML(t.name) {
		return
	}
	for n, pos := 1, 0; pos < len(t.data); n++ {
		end := bytes.IndexByte(t.data[pos:], '\n')
		if end < 0 {
			end = len(t.data) - pos
		}
		line := string(t.data[pos : pos+end])
		if c := strings.Index(line, ": "); c > 0 {
			v := strings.TrimSpace(line[c+2:])
			if h := strings.Index(v, " #"); h >= 0 {
				v = strings.TrimSpace(v[:h])
			}
			if v != "" && !isQuote(v[0]) {
				if h, ok := parseHost(v); ok {
					h.File, h.Line = t.name, n
					t.hosts = append(t.hosts, h)
					t.hostAt = append(t.hostAt, hostSpan{pos + c + 2, pos + end})
				}
			}
		}
		pos += end + 1
	}
}

// tlsSchemes are the URL schemes spoken over TLS, with their default port.
var tlsSchemes = map[string]int{"https": 443, "wss": 443, "mqtts": 8883, "ssl": 8883, "tls": 443}

// fileExts end names that look like host names but are files.
var fileExts = map[string]bool{}

func init() {
	for _, e := range strings.Fields("h hh hpp hxx c cc cpp cxx ino pde py json yaml yml txt md rst pem crt cer der key bin ar html htm css js ts png jpg jpeg gif svg ico csv xml ini cfg conf log zip gz tgz tar sh bat go rs java o a so elf hex map ld lock toml cmake mk s S inc ld dat csr p12 pfx jks") {
		fileExts[strings.ToLower(e)] = true
	}
}

// parseHost reads s as a TLS URL or a bare host name or IPv4 address.
func parseHost(s string) (Host, bool) {
	if i := strings.Index(s, "://"); i > 0 {
		scheme := strings.ToLower(s[:i])
		port, ok := tlsSchemes[scheme]
		if !ok {
			return Host{}, false
		}
		u, err := url.Parse(s)
		if err != nil || !hostName(u.Hostname()) {
			return Host{}, false
		}
		if p := u.Port(); p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > 65535 {
				return Host{}, false
			}
			port = n
		}
		return Host{Name: strings.ToLower(u.Hostname()), Port: port, HTTPS: scheme == "https", explicitPort: true}, true
	}
	if hostName(s) {
		return Host{Name: strings.ToLower(s), Port: 443}, true
	}
	return Host{}, false
}

// hostName reports a DNS name with a dot and an alphabetic top label that
// is not a file extension, localhost, or an IPv4 address.
func hostName(s string) bool {
	if s == "localhost" {
		return true
	}
	if ip := net.ParseIP(s); ip != nil {
		return ip.To4() != nil && strings.Count(s, ".") == 3
	}
	if len(s) > 253 || !strings.Contains(s, ".") {
		return false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	top := labels[len(labels)-1]
	if len(top) < 2 || fileExts[strings.ToLower(top)] {
		return false
	}
	for i := 0; i < len(top); i++ {
		if !(top[i] >= 'a' && top[i] <= 'z' || top[i] >= 'A' && top[i] <= 'Z') {
			return false
		}
	}
	return true
}

// ports sets each host's port from the code beside it, unless its URL
// gave one: a number after it on its line (connect("h", 8883)), a number
// after its identifier anywhere (setServer(mqtt_server, 8883)), else a
// port constant within three lines (httpsPort = 443, MQTT_PORT 8883,
// port: 8883), the nearest first.
func (t *text) ports() {
	for k := range t.hosts {
		h := &t.hosts[k]
		if h.explicitPort {
			continue
		}
		span := t.hostAt[k]
		if p, ok := numberAfter(t.data[span.end:min(span.end+16, len(t.data))]); ok {
			h.Port = p
			continue
		}
		if name := t.nameBefore(span.start); name != "" {
			if p, ok := t.portAfterName(name); ok {
				h.Port = p
				continue
			}
		}
		if p, ok := t.portNear(h.Line); ok {
			h.Port = p
		}
	}
}

// numberAfter reads `, 8883` or `:8883` at the start of b.
func numberAfter(b []byte) (int, bool) {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	if i >= len(b) || b[i] != ',' {
		return 0, false
	}
	i++
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return portDigits(b[i:])
}

func portDigits(b []byte) (int, bool) {
	j := 0
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	if j == 0 || j > 5 || j < len(b) && isWord[b[j]] {
		return 0, false
	}
	n, _ := strconv.Atoi(string(b[:j]))
	return n, n >= 1 && n <= 65535
}

// portAfterName finds name followed by a port: `name, 8883`.
func (t *text) portAfterName(name string) (int, bool) {
	if name == "" {
		return 0, false
	}
	d := t.data
	for i := 0; ; {
		k := bytes.Index(d[i:], []byte(name))
		if k < 0 {
			return 0, false
		}
		a, b := i+k, i+k+len(name)
		i = b
		if a > 0 && isWord[d[a-1]] || b < len(d) && isWord[d[b]] {
			continue
		}
		if p, ok := numberAfter(d[b:min(b+16, len(d))]); ok {
			return p, true
		}
	}
}

// portNear finds a port constant within three lines of line n.
func (t *text) portNear(n int) (int, bool) {
	for dist := 0; dist <= 3; dist++ {
		for _, m := range []int{n - dist, n + dist} {
			if p, ok := portConstant(t.lineText(m)); ok {
				return p, true
			}
			if dist == 0 {
				break
			}
		}
	}
	return 0, false
}

// portConstant reads `...port... = 443`, `...PORT 8883`, `port: 8883`.
func portConstant(line string) (int, bool) {
	l := strings.ToLower(line)
	i := strings.Index(l, "port")
	if i < 0 {
		return 0, false
	}
	j := i + 4
	for j < len(l) && (isWord[l[j]]) {
		j++
	}
	for j < len(l) && (l[j] == ' ' || l[j] == '\t' || l[j] == '=' || l[j] == ':' || l[j] == '(') {
		j++
	}
	return portDigits([]byte(l[j:]))
}

func joinHostPort(name string, port int) string {
	return net.JoinHostPort(name, strconv.Itoa(port))
}

// dir is the folder of a shown path.
func dir(p string) string { return filepath.Dir(p) }

// inComment reports a position after a comment's start on its line (//,
// a line starting with * or /*, or # other than #define), where a host
// name is prose, not something the code connects to.
func (t *text) inComment(pos int) bool {
	start := bytes.LastIndexByte(t.data[:pos], '\n') + 1
	prefix := t.data[start:pos]
	trimmed := bytes.TrimLeft(prefix, " \t")
	switch {
	case bytes.HasPrefix(trimmed, []byte("*")), bytes.HasPrefix(trimmed, []byte("/*")):
		return true
	case bytes.HasPrefix(trimmed, []byte("#")) && !bytes.HasPrefix(trimmed, []byte("#define")):
		return true
	}
	return bytes.Contains(prefix, []byte("//")) && bytes.Count(prefix, []byte(`"`))%2 == 0
}
