package probe_test

import (
	"bytes"
	"fmt"

	"github.com/clientsecure/clientsecure/probe"
)

func ExampleEstimateESP8266() {
	for _, fragment := range []int{512, 0} {
		e := probe.EstimateESP8266(fragment)
		fmt.Printf("%s: %d + %d + %d = %d bytes\n", e.SetBufferSizes, e.ReceiveBuffer, e.TransmitBuffer, e.Context, e.PerConnection)
		fmt.Println(e.Verdict)
	}
	// Output:
	// setBufferSizes(512, 512): 837 + 597 + 5222 = 6656 bytes
	// fits in about 7 KB with max_fragment_length 512 (setBufferSizes(512, 512)), plus the 6 KB BearSSL stack
	// setBufferSizes(16384, 512): 16709 + 597 + 5222 = 22528 bytes
	// needs the full 16 KB receive buffer: about 22 KB per connection of the ESP8266's 40 KB heap, plus the 6 KB BearSSL stack
}

func ExampleReadServerHello() {
	// A fatal handshake_failure alert, as a server sends when it shares
	// no cipher suite with the client.
	reply := []byte{21, 3, 3, 0, 2, 2, 40}
	_, err := probe.ReadServerHello(bytes.NewReader(reply))
	fmt.Println(err)
	// Output:
	// probe: server sent fatal alert handshake_failure (40)
}
