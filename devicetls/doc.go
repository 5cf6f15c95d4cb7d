// Package devicetls is the device-facing TLS of `clientsecure serve` and
// `clientsecure relay`: what a small BearSSL client (ESP8266, ESP32) needs
// from a server to connect with 512-byte buffers, trust it for years, and
// keep trusting it across restarts.
//
// # Identity
//
// [LoadOrCreate] keeps a key and a self-signed certificate in a state
// directory (one file, identity.pem, mode 0600). The first start makes
// them; every later start, and every replica given the same directory,
// reuses them, so the SHA-1 fingerprint, public key and trust anchor a
// device holds never go stale. Two replicas starting at once on an empty
// directory race safely: each writes a temporary file and links it into
// place, and the loser reads the winner's.
//
// The certificate ([NewCertificate]) is valid from 1970-01-01, so a device
// whose clock has not been set yet accepts it in trust-anchor mode, for 30
// years from the day it is made. It names every address of the machine
// ([MachineNames]) twice: as IP address SANs, for clients that follow RFC
// 6125, and as DNS name SANs holding the address written as a string,
// because BearSSL compares the name a sketch connected with only to DNS
// SANs and the common name, never to IP SANs. The common name is the
// machine's first LAN address.
//
// # Record size
//
// A BearSSL client with an 837-byte input buffer takes records of at most
// 512 bytes of plaintext. crypto/tls has no option for that: it ignores
// max_fragment_length and writes handshake messages in records of up to
// 16 KiB. [Listen] bounds what it sends in two layers:
//
//   - Below tls.Server, on the raw connection, a re-framer parses the
//     server's outgoing byte stream into records. Until the first
//     ChangeCipherSpec or application-data record, records are plaintext:
//     each handshake record (content type 22) longer than the limit is
//     split into fragments of at most MaxRecord bytes, each with its own
//     header; TLS allows a handshake message to span records and BearSSL
//     reassembles them. After that point nothing can be re-framed (the
//     records are encrypted) and bytes pass through untouched, with no
//     parsing cost. In TLS 1.2 the only encrypted handshake message the
//     server sends is Finished (12 bytes of plaintext).
//   - Above tls.Server, the connection handed to net/http splits every
//     Write into pieces of at most MaxRecord bytes, so each application-data
//     record carries at most that much plaintext (crypto/tls writes one
//     record per piece when the piece is smaller than its own limit).
//
// On the wire, a plaintext record's payload is then at most MaxRecord
// bytes, and an encrypted one's at most MaxRecord plus the suite's
// overhead: 24 bytes for AES-GCM (8 explicit nonce, 16 tag), 16 for
// ChaCha20-Poly1305, and for AES-CBC the IV (16), the MAC (20, 32 or 48)
// and up to 16 bytes of padding. In TLS 1.3 the handshake after
// ServerHello is encrypted and not bounded (no BearSSL device speaks 1.3);
// application data is.
//
// # Suites and versions
//
// [Config] offers TLS 1.2 and 1.3 (or 1.2 only, with Options.TLS12Only),
// HTTP/1.1 only, session tickets, and, when the key is RSA, the plain-RSA
// key-exchange suites that ESP8266 builds with reduced ciphers still use.
// crypto/tls resumes sessions by ticket only: a BearSSL client, which
// resumes by session ID, makes a full handshake each time.
package devicetls
