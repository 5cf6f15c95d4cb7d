package bundle

import (
	"bufio"
	"fmt"
)

// writeCertsAr writes an ESP8266 CertStore archive: a System V (GNU) ar
// archive of the anchors' DER, named ca_000.der, ca_001.der, ..., as the
// ESP8266 core's certs-from-mozilla.py makes with `ar q`. The fields that
// would vary (date, owner) are zero, so the same anchors give the same
// bytes.
func writeCertsAr(w *bufio.Writer, b *Bundle) error {
	if len(b.Anchors) > 1000 {
		return fmt.Errorf("%d anchors: CertStore names go to ca_999.der", len(b.Anchors))
	}
	w.WriteString("!<arch>\n")
	for i, a := range b.Anchors {
		der := a.Cert.Raw
		// name/16 mtime/12 uid/6 gid/6 mode/8 size/10 "`\n"; GNU ar ends
		// a short name with '/'.
		fmt.Fprintf(w, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", fmt.Sprintf("ca_%03d.der/", i), 0, 0, 0, "100644", len(der))
		w.Write(der)
		if len(der)%2 == 1 {
			w.WriteString("\n") // members start at even offsets
		}
	}
	return nil
}
