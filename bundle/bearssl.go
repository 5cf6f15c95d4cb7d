package bundle

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"math/big"

	"github.com/clientsecure/clientsecure/inspect"
)

// writeBearSSL writes C source defining the anchors as BearSSL's
// br_x509_trust_anchor values, under the names `brssl ta` uses:
// `static const br_x509_trust_anchor TAs[]` and `#define TAs_NUM`. It
// includes bearssl.h unless a BearSSL header came first (ESP8266 sketches
// have <bearssl/bearssl.h> through WiFiClientSecure).
func writeBearSSL(w *bufio.Writer, b *Bundle) error {
	type key struct{ kind, init string }
	keys := make([]key, len(b.Anchors))
	for i, a := range b.Anchors {
		switch k := a.Cert.PublicKey.(type) {
		case *rsa.PublicKey:
			keys[i] = key{"BR_KEYTYPE_RSA", fmt.Sprintf("{ .rsa = {\n\t\t\t\t(unsigned char *)TA%[1]d_RSA_N, sizeof TA%[1]d_RSA_N,\n\t\t\t\t(unsigned char *)TA%[1]d_RSA_E, sizeof TA%[1]d_RSA_E,\n\t\t\t} }", i)}
		case *ecdsa.PublicKey:
			curve, ok := bearCurves[k.Curve]
			if !ok {
				return fmt.Errorf("anchor %d (%s): BearSSL has no curve %s", i, inspect.Printable(a.Cert.Subject.String()), k.Curve.Params().Name)
			}
			keys[i] = key{"BR_KEYTYPE_EC", fmt.Sprintf("{ .ec = {\n\t\t\t\t%s,\n\t\t\t\t(unsigned char *)TA%[2]d_EC_Q, sizeof TA%[2]d_EC_Q,\n\t\t\t} }", curve, i)}
		default:
			return fmt.Errorf("anchor %d (%s): BearSSL has no %T keys", i, inspect.Printable(a.Cert.Subject.String()), a.Cert.PublicKey)
		}
	}

	for _, l := range b.header() {
		writeComment(w, "//", l)
	}
	w.WriteString("\n#ifndef BR_BEARSSL_H__\n#include <bearssl.h>\n#endif\n")
	for i, a := range b.Anchors {
		w.WriteString("\n")
		for _, l := range a.comment(i, b.At) {
			writeComment(w, "//", l)
		}
		cArray(w, fmt.Sprintf("TA%d_DN", i), a.Cert.RawSubject)
		switch k := a.Cert.PublicKey.(type) {
		case *rsa.PublicKey:
			cArray(w, fmt.Sprintf("TA%d_RSA_N", i), k.N.Bytes()) // big-endian, no leading zero
			cArray(w, fmt.Sprintf("TA%d_RSA_E", i), big.NewInt(int64(k.E)).Bytes())
		case *ecdsa.PublicKey:
			q, err := k.ECDH() // the uncompressed point BearSSL takes
			if err != nil {
				return fmt.Errorf("anchor %d: %w", i, err)
			}
			cArray(w, fmt.Sprintf("TA%d_EC_Q", i), q.Bytes())
		}
	}
	fmt.Fprintf(w, "\nstatic const br_x509_trust_anchor TAs[%d] = {\n", len(b.Anchors))
	for i, a := range b.Anchors {
		flags := "0" // an end-entity anchor: only its own key is trusted
		if a.Cert.IsCA {
			flags = "BR_X509_TA_CA"
		}
		fmt.Fprintf(w, "\t{\n\t\t{ (unsigned char *)TA%[1]d_DN, sizeof TA%[1]d_DN },\n\t\t%[2]s,\n\t\t{\n\t\t\t%[3]s,\n\t\t\t%[4]s\n\t\t}\n\t},\n", i, flags, keys[i].kind, keys[i].init)
	}
	fmt.Fprintf(w, "};\n\n#define TAs_NUM   %d\n", len(b.Anchors))
	return nil
}

var bearCurves = map[elliptic.Curve]string{
	elliptic.P256(): "BR_EC_secp256r1",
	elliptic.P384(): "BR_EC_secp384r1",
	elliptic.P521(): "BR_EC_secp521r1",
}

// cArray writes data as a static const unsigned char array, twelve bytes
// a line.
func cArray(w *bufio.Writer, name string, data []byte) {
	fmt.Fprintf(w, "static const unsigned char %s[] = {", name)
	for i, c := range data {
		if i%12 == 0 {
			w.WriteString("\n\t")
		} else {
			w.WriteString(" ")
		}
		fmt.Fprintf(w, "0x%02X,", c)
	}
	w.WriteString("\n};\n")
}
