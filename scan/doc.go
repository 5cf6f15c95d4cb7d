// Package scan finds the trust data in a sketch or firmware tree: the
// certificate fingerprints, public-key pins, certificates, public keys and
// trust-anchor stores that devices carry, and the host names and ports the
// code connects to. It pairs each item with the host its code uses, and
// records how each item is spelled so that a fix can rewrite it in place.
//
// # Rules
//
// Like gitleaks, detection is a set of rules run by one walker: each rule
// looks at a file's bytes and reports items with their file, line and the
// exact text matched. A text file is searched for
//
//   - fingerprints: 20 or 32 bytes of hex written "CF 05 ...", "CF:05:..."
//     or bare in a quoted string, and C byte arrays {0xCF, 0x05, ...};
//   - public-key pins in every form [clientsecure.ParsePins] takes;
//   - PEM certificates and public keys, also inside string literals of C,
//     C++ (one literal per line, raw strings), Python, YAML and JSON;
//   - BearSSL trust-anchor arrays as brssl ta writes them;
//   - host names and URLs in strings (and YAML values), with the port
//     beside them.
//
// A binary file is read as a DER certificate, an ESP8266 CertStore archive
// (certs.ar) or an ESP-IDF certificate bundle (x509_crt_bundle, either
// layout); any other binary file is skipped.
//
// # Pairing
//
// An item is paired with the nearest host in its file (by lines), else the
// hosts named in the same folder, then in each parent folder up to the
// scanned path; several distinct hosts at the same distance leave it
// unpaired, and so does finding none, unless [Options.Fallback] is set.
//
// # Safety
//
// .git, version-control and build-output folders are skipped; symbolic
// links to folders are not followed (so a loop cannot trap the walk), and
// a link to a file is followed only when its target is inside a scanned
// path. Reads are bounded by [Options.MaxFileBytes]. An unreadable file is
// a warning, never an error.
package scan
