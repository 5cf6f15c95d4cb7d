package clientsecure_test

import (
	"fmt"

	"github.com/clientsecure/clientsecure"
)

// The document's fingerprint, pasted as the sketch has it, and written
// back in the other forms tools use.
func ExampleParsePin() {
	pin, err := clientsecure.ParsePin("CF 05 98 89 CA FF 8E D8 5E 5C E0 C2 E4 F7 E6 C3 C7 50 DD 5C")
	if err != nil {
		panic(err)
	}
	fmt.Println(pin.Kind())
	fmt.Println(pin.Format(clientsecure.FormatColon))
	fmt.Println(pin.Format(clientsecure.FormatOpenSSL))
	// Output:
	// certificate SHA-1
	// CF:05:98:89:CA:FF:8E:D8:5E:5C:E0:C2:E4:F7:E6:C3:C7:50:DD:5C
	// SHA1 Fingerprint=CF:05:98:89:CA:FF:8E:D8:5E:5C:E0:C2:E4:F7:E6:C3:C7:50:DD:5C
}

// Several backup pins, as curl takes them; any one matching is enough.
func ExampleParsePins() {
	pins, err := clientsecure.ParsePins("sha256//K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q=;sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
	if err != nil {
		panic(err)
	}
	for _, p := range pins {
		fmt.Println(p, "=", p.Format(clientsecure.FormatHPKP))
	}
	// Output:
	// sha256/K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q= = pin-sha256="K87oWBWM9UZfyddvDfoxL+8lpNyoUB2ptGtn0fv6G2Q="
	// sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= = pin-sha256="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
}

// A malformed pin says where and what, and lists the forms accepted.
func ExampleParsePin_malformed() {
	_, err := clientsecure.ParsePin("CF 05 98 8G")
	fmt.Println(err.(*clientsecure.PinError).Reason)
	// Output:
	// 'G' is not a hex digit
}
