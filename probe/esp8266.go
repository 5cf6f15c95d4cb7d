package probe

import "fmt"

// The ESP8266 Arduino core's figures for BearSSL::WiFiClientSecure.
//
// Sources (esp8266/Arduino on GitHub):
//   - doc/esp8266wifi/bearssl-client-secure-class.rst, "Memory
//     Requirements": a per-application secondary stack of "approximately
//     6KB" (5.6KB before pull request #7920), allocated once for all
//     connections, and per-connection buffers of "approximately 22KB" with
//     the default buffer sizes; "MFLN or Maximum Fragment Length
//     Negotiation (Saving RAM)": the transmit buffer is kept at "slightly
//     more than 512 bytes" while the receive buffer must hold a full 16KB
//     record unless the server agrees to max_fragment_length, which
//     probeMaxFragmentLength checks and setBufferSizes(recv, xmit) then
//     uses; the heap is "only around 40KB" in all.
//   - libraries/ESP8266WiFi/src/WiFiClientSecureBearSSL.cpp,
//     setBufferSizes: each size is clamped to 512..16384, then 325 bytes
//     (MAX_IN_OVERHEAD) are added to the receive buffer and 85
//     (MAX_OUT_OVERHEAD) to the transmit buffer, "taken from
//     bearssl/src/ssl/ssl_engine.c" (BearSSL's BR_SSL_BUFSIZE_INPUT is
//     16384+325, BR_SSL_BUFSIZE_OUTPUT 16384+85); _clear sets the defaults
//     with setBufferSizes(16384, 512).
//   - libraries/ESP8266WiFi/examples/BearSSL_MaxFragmentLength: after a
//     successful probe at 512 it calls setBufferSizes(512, 512).
const (
	espInOverhead  = 325
	espOutOverhead = 85
	espMinBuffer   = 512
	// espTransmit is the transmit size this estimate uses whatever the
	// fragment length: the core's default and its MFLN example's choice.
	// BearSSL splits what it sends to fit, so a larger transmit buffer
	// buys speed, not the ability to connect.
	espTransmit = espMinBuffer
	// espPerConnection is the documented per-connection figure ("22KB")
	// with the default buffers, from which the connection's context
	// (br_ssl_client_context and the X.509 validator) is derived.
	espPerConnection  = 22 * 1024
	espSecondaryStack = 6 * 1024
	espHeap           = 40 * 1024
)

// espContext is the per-connection memory beside the two buffers: the
// documented 22 KB less the default receive (16384+325) and transmit
// (512+85) buffers.
const espContext = espPerConnection - (maxPlaintext + espInOverhead) - (espTransmit + espOutOverhead)

// ESP8266 is the RAM a BearSSL::WiFiClientSecure on an ESP8266 needs for
// one connection to the server, in bytes.
type ESP8266 struct {
	// FragmentLength is the smallest max_fragment_length the server
	// honoured; 0 when it honoured none, and a full 16384-byte record must
	// then fit in the receive buffer.
	FragmentLength int `json:"fragment_length"`
	// SetBufferSizes is the call that sizes a sketch's buffers for it.
	SetBufferSizes string `json:"set_buffer_sizes"`
	ReceiveBuffer  int    `json:"receive_buffer"`
	TransmitBuffer int    `json:"transmit_buffer"`
	// Context is the rest of a connection's memory (see espContext).
	Context       int `json:"context"`
	PerConnection int `json:"per_connection"`
	// SecondaryStack is allocated once for all TLS connections.
	SecondaryStack int    `json:"secondary_stack"`
	Verdict        string `json:"verdict"`
}

// EstimateESP8266 is the memory an ESP8266 client needs when the server
// honours max_fragment_length fragment (512 to 4096), or honours none (0).
func EstimateESP8266(fragment int) ESP8266 {
	recv := maxPlaintext
	if fragmentCode(fragment) != 0 {
		recv = fragment
	} else {
		fragment = 0
	}
	e := ESP8266{
		FragmentLength: fragment,
		SetBufferSizes: fmt.Sprintf("setBufferSizes(%d, %d)", recv, espTransmit),
		ReceiveBuffer:  recv + espInOverhead,
		TransmitBuffer: espTransmit + espOutOverhead,
		Context:        espContext,
		SecondaryStack: espSecondaryStack,
	}
	e.PerConnection = e.ReceiveBuffer + e.TransmitBuffer + e.Context
	perConn := (e.PerConnection + 512) / 1024
	if fragment != 0 {
		e.Verdict = fmt.Sprintf("fits in about %d KB with max_fragment_length %d (%s), plus the %d KB BearSSL stack",
			perConn, fragment, e.SetBufferSizes, espSecondaryStack/1024)
	} else {
		e.Verdict = fmt.Sprintf("needs the full 16 KB receive buffer: about %d KB per connection of the ESP8266's %d KB heap, plus the %d KB BearSSL stack",
			perConn, espHeap/1024, espSecondaryStack/1024)
	}
	return e
}
