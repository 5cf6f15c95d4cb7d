// Package bundle builds the smallest trust store that verifies the hosts a
// device talks to, and writes it in the formats devices load.
//
// # Observing
//
// An [Observer] connects to each [Target] under a [clientsecure.Trust]
// whose Roots are the candidate anchors, so that the connection is
// verified in the handshake like any other of clientsecure's. A
// HOST[:PORT] target gets a handshake and nothing else; a URL target is
// fetched (GET, body unread) and each redirect followed by hand, up to
// [MaxRedirects], so that every host on the way is seen: github.com sends
// downloads to another host, with another chain. A redirect to http://,
// a loop or an eleventh redirect is an error of the host that sent it,
// and nothing is sent to a host that did not verify.
//
// # Judging
//
// [Verifier.Judge] verifies what a host sent with [clientsecure.Trust.Verify],
// the one verifier of the project, and keeps every verified chain
// ([clientsecure.Verification.Chains]): a cross-signed intermediate gives
// one path per root, and each root that ends one is an anchor that
// verifies the host. A chain that stops at a certificate whose issuer was
// neither sent nor a candidate is a [MissingIssuerError] naming it.
//
// # Choosing
//
// [Verifier.Choose] picks the fewest anchors that cover every verified
// host: exact set cover by branch and bound, seeded with greedy, bounded
// in work, ties broken by the later not_after (see its doc for the
// algorithm and its cost). [Options] add the alternates of each host and
// spare anchors. [Verifier.Recheck] verifies every host again against the
// bundle alone.
//
// # Formats
//
// Each of [Formats] writes the anchors in the same order (subject DER,
// ascending): pem, arduino (one PROGMEM PEM string), bearssl (`brssl ta`'s
// TAs[] and TAs_NUM), certs-ar (an ESP8266 CertStore ar archive), esp-idf
// (the x509_crt_bundle layout of ESP-IDF v5.4 and later) and
// esp-idf-legacy (the layout before v5.4). [Sizes] are the exact bytes
// each writes; [NewReport] is the JSON document and the text report.
// docs/BUNDLE.md describes every layout byte by byte.
package bundle
