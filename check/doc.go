// Package check judges the trust data a [scan] found against what the
// live servers send now, and rewrites what is stale.
//
// # Judging
//
// [Run] contacts each host some item is paired with once, at most
// [Options.Jobs] at a time, offering ALPN only to HTTPS hosts (an https
// URL, or port 443 or 8443: an MQTT broker gets none), takes the
// certificates it sends and verifies them with [clientsecure.Trust.Verify],
// the one verifier of the project. Each item then gets a [State]:
//
//   - a fingerprint (SHA-1 or SHA-256 of a certificate) used as
//     setFingerprint and ESP32 verify use it is compared with the leaf
//     only: matching the leaf is current (or expiring when the leaf ends
//     within the warning days), matching a CA's certificate is misused,
//     matching nothing is stale;
//   - a public key (setKnownKey) likewise with the leaf's key;
//   - a public-key pin matches any certificate of the verified chain;
//   - an anchor (a certificate, an entry of certs.ar, of an ESP-IDF bundle
//     or of a BearSSL TAs[] array) is judged by verifying the live chain
//     with that anchor as the only root: a root or intermediate that
//     verifies it is current or expiring by its own expiry, a CA-issued
//     leaf is fragile (it breaks at the next renewal), and one that does
//     not verify is stale.
//
// A host that cannot be contacted makes its items unreachable; an item
// with no host is unpaired. In a store holding several anchors, an anchor
// that verifies nothing while another of the store verifies the host is
// unpaired rather than stale: a store serves many hosts, and the code does
// not say which ones this anchor is for.
//
// # Fixing
//
// [Apply] rewrites, atomically and in the item's own spelling, every
// finding with a [Finding.Replacement]; [Diff] shows the same change as a
// unified diff without writing.
package check
