package scantest

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"math/big"
	"strings"
)

// BrsslTA writes certs as `brssl ta` does: per anchor a TAn_DN array and
// its key (TAn_RSA_N and TAn_RSA_E, or TAn_EC_Q), then the TAs[] table
// and TAs_NUM. The output compiles against bearssl.h.
func BrsslTA(certs ...*x509.Certificate) []byte {
	var b strings.Builder
	b.WriteString("/*\n * Trust anchors, in the shape brssl ta writes them.\n */\n\n#include <bearssl.h>\n\n")
	var entries []string
	for i, c := range certs {
		array(&b, fmt.Sprintf("TA%d_DN", i), c.RawSubject)
		switch k := c.PublicKey.(type) {
		case *rsa.PublicKey:
			array(&b, fmt.Sprintf("TA%d_RSA_N", i), k.N.Bytes())
			array(&b, fmt.Sprintf("TA%d_RSA_E", i), big.NewInt(int64(k.E)).Bytes())
			entries = append(entries, fmt.Sprintf(`	{
		{ (unsigned char *)TA%[1]d_DN, sizeof TA%[1]d_DN },
		BR_X509_TA_CA,
		{
			BR_KEYTYPE_RSA,
			{ .rsa = {
				(unsigned char *)TA%[1]d_RSA_N, sizeof TA%[1]d_RSA_N,
				(unsigned char *)TA%[1]d_RSA_E, sizeof TA%[1]d_RSA_E,
			} }
		}
	}`, i))
		case *ecdsa.PublicKey:
			q, err := k.Bytes()
			if err != nil {
				panic("scantest: " + err.Error())
			}
			array(&b, fmt.Sprintf("TA%d_EC_Q", i), q)
			entries = append(entries, fmt.Sprintf(`	{
		{ (unsigned char *)TA%[1]d_DN, sizeof TA%[1]d_DN },
		BR_X509_TA_CA,
		{
			BR_KEYTYPE_EC,
			{ .ec = {
				BR_EC_secp256r1,
				(unsigned char *)TA%[1]d_EC_Q, sizeof TA%[1]d_EC_Q,
			} }
		}
	}`, i))
		default:
			panic("scantest: brssl ta has no such key")
		}
	}
	fmt.Fprintf(&b, "static const br_x509_trust_anchor TAs[%d] = {\n%s\n};\n\n#define TAs_NUM   %d\n", len(certs), strings.Join(entries, ",\n"), len(certs))
	return []byte(b.String())
}

func array(b *strings.Builder, name string, data []byte) {
	fmt.Fprintf(b, "static const unsigned char %s[] = {\n", name)
	for i := 0; i < len(data); i += 12 {
		var el []string
		for _, c := range data[i:min(i+12, len(data))] {
			el = append(el, fmt.Sprintf("0x%02X", c))
		}
		end := ","
		if i+12 >= len(data) {
			end = ""
		}
		fmt.Fprintf(b, "\t%s%s\n", strings.Join(el, ", "), end)
	}
	b.WriteString("};\n\n")
}
