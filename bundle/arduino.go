package bundle

import (
	"bufio"
	"encoding/pem"
	"strings"
)

// arduinoSymbol is the PEM string's name in the arduino header.
const arduinoSymbol = "CLIENTSECURE_TRUST_ANCHORS"

// writeArduino writes a C/C++ header holding every anchor, PEM, in one
// PROGMEM string: what BearSSL::X509List takes on ESP8266 and setCACert
// on ESP32 (mbedTLS parses every certificate of a PEM string). The hosts
// and anchors are listed in comments.
func writeArduino(w *bufio.Writer, b *Bundle) error {
	for _, l := range b.header() {
		writeComment(w, "//", l)
	}
	writeComment(w, "//", "")
	writeComment(w, "//", "ESP8266 (BearSSL::WiFiClientSecure):")
	writeComment(w, "//", "  BearSSL::X509List anchors("+arduinoSymbol+");")
	writeComment(w, "//", "  client.setTrustAnchors(&anchors);  // and set the clock: configTime()")
	writeComment(w, "//", "ESP32 (WiFiClientSecure, NetworkClientSecure):")
	writeComment(w, "//", "  client.setCACert("+arduinoSymbol+");")
	for i, a := range b.Anchors {
		writeComment(w, "//", "")
		for _, l := range a.comment(i, b.At) {
			writeComment(w, "//", l)
		}
	}
	w.WriteString("\n#ifndef " + arduinoSymbol + "_H\n#define " + arduinoSymbol + "_H\n\n")
	w.WriteString("static const char " + arduinoSymbol + "[] PROGMEM =\n")
	for i, a := range b.Anchors {
		// PEM is base64 and dashes: nothing in it needs escaping in C.
		text := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Cert.Raw}))
		lines := strings.SplitAfter(text, "\n")
		for _, l := range lines[:len(lines)-1] {
			w.WriteString(`    "` + strings.TrimSuffix(l, "\n") + `\n"`)
			if i == len(b.Anchors)-1 && l == lines[len(lines)-2] {
				w.WriteString(";")
			}
			w.WriteString("\n")
		}
	}
	w.WriteString("\n#endif // " + arduinoSymbol + "_H\n")
	return nil
}
