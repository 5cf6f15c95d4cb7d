package inspect_test

import (
	"fmt"
	"os"

	"github.com/clientsecure/clientsecure/inspect"
)

// Describe a certificate read from a file: the values a sketch or a pin
// needs.
func ExampleDescribe() {
	data, err := os.ReadFile("testdata/globalsign-root-ca.pem")
	if err != nil {
		fmt.Println(err)
		return
	}
	certs, err := inspect.LoadCertificates(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := inspect.Describe(certs[0])
	fmt.Println(c.Subject)
	fmt.Println(c.Key())
	fmt.Println(c.SHA1Document())
	fmt.Println(c.SPKISHA256)
	// Output:
	// CN=GlobalSign Root CA,OU=Root CA,O=GlobalSign nv-sa,C=BE
	// RSA 2048 bits
	// B1 BC 96 8B D4 F4 9D 62 2A A8 9A 81 F2 15 01 52 A4 1D 82 9C
	// sha256/K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q=
}

func ExampleDocumentHex() {
	fmt.Println(inspect.DocumentHex([]byte{0xcf, 0x05, 0x98, 0x89}))
	fmt.Println(inspect.ColonHex([]byte{0xcf, 0x05, 0x98, 0x89}))
	// Output:
	// CF 05 98 89
	// CF:05:98:89
}
