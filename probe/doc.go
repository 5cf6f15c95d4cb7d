// Package probe measures what a small TLS client needs to know about a
// server before it connects: the TLS versions and cipher suites the server
// accepts, its ALPN answer, the size of its key and of the certificate chain
// it sends, whether it staples OCSP and resumes sessions, and whether it
// honours the max_fragment_length extension (RFC 6066) that lets a client
// with a few kilobytes of RAM receive in small records.
//
// # Two kinds of probe
//
// The capability scan uses crypto/tls, one handshake per TLS version, as any
// Go client would. It does not refuse an unverified server, because probing is
// about capability; an [Options.VerifyConnection] function, when given, runs
// inside every handshake and its verdict is reported as
// [Result.Identity]. No application data is sent on any connection.
//
// crypto/tls cannot ask for max_fragment_length, so the fragment probes write
// a hand-built TLS 1.2 ClientHello ([Hello]) on a plain TCP connection, read
// records up to the ServerHello ([ReadServerHello]) and hang up, the way
// BearSSL's WiFiClientSecure::probeMaxFragmentLength does on an ESP8266. They
// offer what a real TLS 1.2 client offers (SNI, groups, signature algorithms,
// EC point formats, renegotiation_info, extended_master_secret, ECDHE and RSA
// cipher suites) so that servers answer as they would answer that client.
//
// # Hostile servers
//
// Every read is bounded: by the context's deadline (set on the connection,
// which is also closed when the context is done), by the 16384-byte record
// limit of TLS, and by a cap on the bytes read before a ServerHello. A reply
// that is silence, garbage, plain HTTP, a truncated or oversized record, or an
// alert becomes an error for that probe alone, listed in [Result.Errors];
// the other probes still run. A version the server turns down in TLS (a
// protocol_version alert, or a ServerHello of another version) is a finding,
// listed in [Result.RefusedVersions], not an error. When no probe gets any
// TLS answer, [Run] returns an error saying what came back instead.
//
// # ESP8266 memory
//
// [EstimateESP8266] turns the smallest honoured fragment length into the
// buffer sizes an ESP8266 BearSSL::WiFiClientSecure allocates
// (setBufferSizes) and the RAM a connection needs, from the figures the
// ESP8266 Arduino core documents; see esp8266.go for the sources.
package probe
