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
//   - [Dial] for a verified *tls.Conn to any TLS server: it offers the
//     ALPN protocols in [Trust.NextProtos], none by default, so an MQTT
//     broker is reached as well as a web server;
//   - [NewTransport] or [NewClient] for net/http, HTTP/2 and HTTPS_PROXY
//     included (pins apply to the origin, not the proxy); the transport
//     offers h2 and http/1.1 itself.
//
// [Trust.DialContext] makes the TCP connections when set: the way to
// point a name at another address (curl's --resolve) while the name
// verified and sent in SNI stays the one asked for.
//
// # What a handshake decided
//
// Verification is not done twice to be shown. [Trust.OnVerified] is
// called inside every handshake that passed, fresh or resumed, with the
// connection's state and the [Verification]: the name verified, the
// address dialed (the origin, never a proxy), the chains verified
// ([Verification.Chains], cross-signed paths included; [Verification.Chain]
// is the first) and the pin that matched. cmd/clientsecure prints its
// trace (-v) and status --json's "server" from it.
//
// # Errors
//
// A failure is an [*IdentityError]. Its Error is one line, as crypto/tls's
// are: the host, the rule that failed ([Reason]) and a few words of
// detail. The rest is in its fields, for a program to render: the pins
// expected, every certificate presented ([CertificatePins] gives each
// one's SHA-1, SHA-256 and SPKI pins), the address dialed. A malformed
// pin is a one-line [*PinError]; [AcceptedPinForms] is the list to show
// beneath it.
//
// Programs that may run where the system has no roots (a scratch
// container) should install golang.org/x/crypto/x509roots/fallback's
// roots: importing that package does it at start-up; cmd/clientsecure does
// it lazily, only when it is about to verify against the system's roots.
package clientsecure
