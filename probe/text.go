package probe

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// WriteText writes r for a person: one line per question, the ESP8266
// verdict, then the probes that failed and why.
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	line := func(label, format string, args ...any) {
		fmt.Fprintf(&b, "  %-20s %s\n", label, fmt.Sprintf(format, args...))
	}
	b.WriteString(r.Host + ":" + strconv.Itoa(r.Port))
	if r.Address != "" && r.Address != r.Host+":"+strconv.Itoa(r.Port) {
		b.WriteString(" (" + r.Address + ")")
	}
	b.WriteString("\n")

	var versions []string
	for _, v := range r.TLSVersions {
		versions = append(versions, fmt.Sprintf("%s (%s)", v, r.Ciphers[v]))
	}
	line("TLS versions", "%s", orNone(strings.Join(versions, ", ")))
	if len(r.RefusedVersions) > 0 {
		// Versions refused for the same reason share it: "1.0, 1.1 (alert: ...)".
		var refused []string
		versions := slices.Sorted(maps.Keys(r.RefusedVersions))
		for i, v := range versions {
			reason := r.RefusedVersions[v]
			if i+1 < len(versions) && r.RefusedVersions[versions[i+1]] == reason {
				refused = append(refused, v)
				continue
			}
			refused = append(refused, fmt.Sprintf("%s (%s)", v, reason))
		}
		line("refused", "%s", strings.Join(refused, ", "))
	}
	line("ALPN", "%s", orNone(r.ALPN))
	if r.ChainCertificates > 0 {
		staple := "no"
		if r.OCSPStapled {
			staple = "yes"
		}
		line("certificate", "%s %d bits; chain of %d sent, %d bytes; OCSP staple: %s",
			r.KeyType, r.KeyBits, r.ChainCertificates, r.ChainBytes, staple)
	}
	var resumption []string
	for _, v := range slices.Sorted(maps.Keys(r.Resumption)) {
		resumption = append(resumption, v+" "+yesNo(r.Resumption[v]))
	}
	line("session resumption", "%s", orNone(strings.Join(resumption, ", ")))
	if r.Identity != "" {
		line("identity", "%s", r.Identity)
	}

	var fragments []string
	for _, f := range r.Fragments {
		answer := map[string]string{Honoured: "yes", Ignored: "no", Failed: "failed"}[f.Outcome]
		if f.Outcome == WrongEcho {
			answer = fmt.Sprintf("wrong echo (code %d)", f.EchoedCode)
		}
		fragments = append(fragments, fmt.Sprintf("%d %s", f.Requested, answer))
	}
	line("max_fragment_length", "%s", strings.Join(fragments, ", "))
	if r.RecordSizeLimit > 0 {
		line("record_size_limit", "%d", r.RecordSizeLimit)
	} else {
		line("record_size_limit", "not announced")
	}
	e := r.ESP8266
	line("ESP8266 (BearSSL)", "%s", e.Verdict)
	line("", "receive %d + transmit %d + context %d = %d bytes a connection",
		e.ReceiveBuffer, e.TransmitBuffer, e.Context, e.PerConnection)

	if len(r.Errors) > 0 {
		b.WriteString("errors:\n")
		for _, probe := range errorOrder(r.Errors) {
			fmt.Fprintf(&b, "  %s: %s\n", probe, r.Errors[probe])
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// errorOrder lists the failed probes by kind, versions lowest first.
func errorOrder(errs map[string]string) []string {
	var order []string
	for _, v := range slices.Backward(scanVersions) {
		order = append(order, "tls "+versionName(v))
	}
	order = append(order, "resumption 1.2", "resumption 1.3")
	for _, size := range fragmentLengths {
		order = append(order, "max_fragment_length "+strconv.Itoa(size))
	}
	order = append(order, "record_size_limit")
	var out []string
	for _, k := range order {
		if _, ok := errs[k]; ok {
			out = append(out, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(errs)) {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
