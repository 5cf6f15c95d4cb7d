package devicetls

import (
	"encoding/binary"
	"net"
)

// TLS record content types.
const (
	recordChangeCipherSpec = 20
	recordHandshake        = 22
	recordApplicationData  = 23
	recordHeaderLen        = 5
)

// reframer sits between tls.Server and the network and splits the
// server's plaintext handshake records into records of at most max bytes
// (see the package documentation). It is used by one writer, crypto/tls,
// which serializes its writes.
type reframer struct {
	net.Conn
	max     int
	done    bool   // past the plaintext: bytes pass through
	pending []byte // the start of a record not yet written whole
}

func (r *reframer) Write(b []byte) (int, error) {
	if r.done {
		return r.Conn.Write(b)
	}
	in := b
	if len(r.pending) > 0 {
		in = append(r.pending, b...)
	}
	out := make([]byte, 0, len(in)+len(in)/r.max*recordHeaderLen+recordHeaderLen)
	for !r.done && len(in) >= recordHeaderLen {
		n := int(binary.BigEndian.Uint16(in[3:5]))
		if len(in) < recordHeaderLen+n {
			break
		}
		typ, payload := in[0], in[recordHeaderLen:recordHeaderLen+n]
		if typ == recordHandshake {
			out = r.split(out, in[:3], payload)
		} else {
			out = append(out, in[:recordHeaderLen+n]...)
		}
		if typ == recordChangeCipherSpec || typ == recordApplicationData {
			r.done = true
		}
		in = in[recordHeaderLen+n:]
	}
	if r.done {
		out = append(out, in...)
		r.pending = nil
	} else {
		r.pending = append(r.pending[:0:0], in...)
	}
	if _, err := r.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// split appends payload as handshake records of at most r.max bytes, each
// with the type and version of hdr.
func (r *reframer) split(out, hdr, payload []byte) []byte {
	for {
		n := min(len(payload), r.max)
		out = append(out, hdr...)
		out = binary.BigEndian.AppendUint16(out, uint16(n))
		out = append(out, payload[:n]...)
		if payload = payload[n:]; len(payload) == 0 {
			return out
		}
	}
}
