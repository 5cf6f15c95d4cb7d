// Package inspect states the facts about a TLS certificate chain and renders
// them for the people and devices that have to trust it. It is the one place
// in clientsecure that describes a certificate: the fingerprint command
// prints these descriptions, and the secure client's identity errors list
// every certificate a refused server presented through [Cert.Summary].
//
// # Facts
//
// [Describe] turns an x509 certificate into a [Cert]: subject, issuer, names,
// validity, key type and size, and the three pins a client may hold, as
// [clientsecure.Pin] values ([clientsecure.CertificatePins]):
//
//   - SHA-1 of the certificate, which ESP8266 sketches pass to
//     setFingerprint and the "Client Secure" document writes as
//     "CF 05 98 89 ..." ([Cert.SHA1Document]);
//   - SHA-256 of the certificate, as browsers, openssl and ESP32 sketches
//     show it ("EB:D4:10:40:...", [Cert.SHA256Colon]);
//   - SHA-256 of the SubjectPublicKeyInfo, the OkHttp, curl and HPKP pin
//     that survives a renewal which keeps the key ("sha256/BASE64").
//
// A certificate Go cannot parse is still described, by the hashes of its
// DER and the parse error ([Cert.ParseError], [NewChainDER]).
//
// [NewChain] describes the certificates a server sent (or a file held), leaf
// first, and verifies them for a host name with the policy given,
// [clientsecure.Trust.Verify]: the verdict is the one connections get,
// every rule of the library included (key sizes, signature algorithms,
// pins). It reports whether a pin matched, and finds the trust anchor: the
// root (from the system's store or a CA file) that verified the chain,
// else the last certificate sent, and says which.
//
// # Renderings
//
// A [Chain] writes itself as text for people ([Chain.WriteText]), the JSON of
// the fingerprint command ([Chain.WriteJSON]), ready-to-paste pins for OkHttp,
// curl and HPKP ([Chain.WritePins]), PEM ([Chain.WritePEM]), and C headers for
// ESP8266 ([Chain.WriteArduino]) and ESP32 ([Chain.WriteESP32]) sketches.
// Everything taken from a certificate is escaped for where it lands: a
// hostile server's subject cannot break out of a C comment or string.
//
// # Input
//
// [LoadCertificates] reads PEM bundles and DER certificates, with errors that
// say what was found instead of a certificate, and which certificate Go
// refused and why; [LoadDER] reads them without parsing.
package inspect
