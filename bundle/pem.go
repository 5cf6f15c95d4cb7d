package bundle

import (
	"bufio"
	"encoding/pem"
)

// writePEM writes each anchor as a PEM certificate after "#" comments
// (subject, expiry, hosts), which PEM readers skip: openssl, Go, mbedTLS
// and BearSSL's X509List read the file as is.
func writePEM(w *bufio.Writer, b *Bundle) error {
	for _, l := range b.header() {
		writeComment(w, "#", l)
	}
	for i, a := range b.Anchors {
		w.WriteString("\n")
		for _, l := range a.comment(i, b.At) {
			writeComment(w, "#", l)
		}
		if err := pem.Encode(w, &pem.Block{Type: "CERTIFICATE", Bytes: a.Cert.Raw}); err != nil {
			return err
		}
	}
	return nil
}

// writeComment writes one comment line: prefix, a space unless the line
// is empty.
func writeComment(w *bufio.Writer, prefix, line string) {
	w.WriteString(prefix)
	if line != "" {
		w.WriteString(" " + line)
	}
	w.WriteString("\n")
}
