package bundle

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
)

// The ESP-IDF certificate bundle (x509_crt_bundle, what
// esp_crt_bundle_set and arduino-esp32's setCACertBundle take) keeps, per
// anchor, the subject DER and the SubjectPublicKeyInfo DER, sorted by
// subject DER so that the device finds an issuer by binary search. Two
// layouts exist; docs/BUNDLE.md says which ESP-IDF releases read which.

// writeESPIDF writes the layout ESP-IDF v5.4 and later read: a
// little-endian u32 offset per anchor from the start of the bundle, then
// per anchor a little-endian u16 subject length, a little-endian u16 key
// length, the subject and the key.
func writeESPIDF(w *bufio.Writer, b *Bundle) error {
	if err := espIDFLimits(b, math.MaxUint32); err != nil {
		return err
	}
	offset := 4 * len(b.Anchors)
	for _, a := range b.Anchors {
		binary.Write(w, binary.LittleEndian, uint32(offset))
		offset += espIDFEntry(a)
	}
	for _, a := range b.Anchors {
		writeEntry(w, binary.LittleEndian, a)
	}
	return nil
}

// writeESPIDFLegacy writes the layout of ESP-IDF before v5.4 (and the
// arduino-esp32 cores built on it): a big-endian u16 count, then per
// anchor big-endian u16 subject and key lengths, the subject and the key.
func writeESPIDFLegacy(w *bufio.Writer, b *Bundle) error {
	if err := espIDFLimits(b, math.MaxUint16); err != nil {
		return err
	}
	binary.Write(w, binary.BigEndian, uint16(len(b.Anchors)))
	for _, a := range b.Anchors {
		writeEntry(w, binary.BigEndian, a)
	}
	return nil
}

// espIDFEntry is an anchor's entry: 4 bytes of lengths, the subject and
// the key.
func espIDFEntry(a *Anchor) int {
	return 4 + len(a.Cert.RawSubject) + len(a.Cert.RawSubjectPublicKeyInfo)
}

func writeEntry(w *bufio.Writer, order binary.ByteOrder, a *Anchor) {
	binary.Write(w, order, uint16(len(a.Cert.RawSubject)))
	binary.Write(w, order, uint16(len(a.Cert.RawSubjectPublicKeyInfo)))
	w.Write(a.Cert.RawSubject)
	w.Write(a.Cert.RawSubjectPublicKeyInfo)
}

// espIDFLimits checks that every length fits its u16 and the count (or
// the offsets) fit maxCount.
func espIDFLimits(b *Bundle, maxCount int) error {
	total := 4 * len(b.Anchors)
	for i, a := range b.Anchors {
		if len(a.Cert.RawSubject) > math.MaxUint16 || len(a.Cert.RawSubjectPublicKeyInfo) > math.MaxUint16 {
			return fmt.Errorf("anchor %d: subject or key longer than 65535 bytes", i)
		}
		total += espIDFEntry(a)
	}
	if len(b.Anchors) > maxCount || total > math.MaxUint32 {
		return fmt.Errorf("%d anchors do not fit the layout", len(b.Anchors))
	}
	return nil
}
