// Package clientsecure is a TLS client that verifies a server's identity
// before a single byte of the request leaves: by certificate fingerprint,
// by public-key (SPKI) pin, by trust anchors, or by the system's roots.
//
// It grew from the ESP8266 "Client Secure" example, which checks a SHA-1
// fingerprint after connecting. Here the check runs inside the handshake
// ([tls.Config.VerifyConnection]), also on resumed sessions, so a server
// that fails it never receives a request line, let alone a token.
//
// # Pins
//
// [ParsePin] reads every form pins are written in: the document's
// "CF 05 98 ...", colon-separated or bare hex (SHA-1 or SHA-256 of the
// certificate), OkHttp's "sha256/BASE64", curl's "sha256//BASE64", HPKP's
// pin-sha256="BASE64" and openssl's "SHA1 Fingerprint=...". [Pin.Format]
// writes a pin back in each form that fits its kind.
//
// A certificate pin matches the leaf. A public-key pin matches any
// certificate of the verified chain; never a certificate that was merely
// sent. Where no chain is verified at all ([Trust.PinOnly],
// [Trust.Insecure]) it matches any certificate the server sent, so in
// those modes pin the leaf: anyone can append a CA's public certificate.
// Several pins mean any one of them.
//
// In the modes that verify a chain, RSA keys under [MinRSABits] and
// certificates signed with SHA-1 are refused anywhere in it.
//
// # Trust
//
// A [Trust] is the policy: roots (system by default), pins, pin-only,
// insecure, the time to verify at. Use it as
//
//   - [Trust.Config] or [Trust.VerifyConnection] in any tls.Config;
//   - [Dial] for a verified *tls.Conn;
//   - [NewTransport] or [NewClient] for net/http, HTTP/2 and HTTPS_PROXY
//     included (pins apply to the origin, not the proxy).
//
// A failure is an [*IdentityError] naming the host, the rule that failed,
// the pins expected and every certificate presented with its pins.
//
// Programs that may run where the system has no roots (a scratch
// container) should install golang.org/x/crypto/x509roots/fallback's
// roots: importing that package does it at start-up; cmd/clientsecure does
// it lazily, only when it is about to verify against the system's roots.
package clientsecure
