package inspect

import (
	"bufio"
	"encoding/pem"
	"fmt"
	"io"
	"strings"

	"github.com/clientsecure/clientsecure"
)

// hpkpMaxAge is the max-age written in the HPKP line: 60 days, long enough
// to matter and short enough to recover from a mistake.
const hpkpMaxAge = 60 * 24 * 60 * 60

// WritePins writes ready-to-paste SPKI pins of every certificate in the
// chain, leaf first and the anchor last: an OkHttp CertificatePinner, a
// curl --pinnedpubkey command, an HPKP Public-Key-Pins header and the
// clientsecure flags. Pinning several (the leaf and a CA, or a backup key)
// keeps clients working through a key change.
//
// The commands work when pasted: the port is kept unless 443, a chain
// verified by CAFile takes --ca-file (curl: --cacert), and one that did
// not verify takes --pin-only with the leaf's pin (curl: -k): curl and
// clientsecure would otherwise refuse it before looking at a pin.
func (c *Chain) WritePins(w io.Writer) error {
	bw := bufio.NewWriter(w)
	certs := c.all()
	for _, cert := range certs {
		if cert.ParseError != "" {
			return fmt.Errorf("inspect: a certificate does not parse, so it has no public key to pin: %s", cert.ParseError)
		}
	}
	host := c.Host
	if host == "" {
		host = "HOST"
	}
	addr := c.address()
	if c.Port == 0 || c.Port == 443 { // the default goes without saying
		addr = host
		if strings.Contains(host, ":") {
			addr = "[" + host + "]" // an IPv6 literal in a URL
		}
	}
	url := "https://" + addr + "/"

	fmt.Fprintf(bw, "# SPKI pins for %s, leaf first, the trust anchor (%s) last.\n", comment(c.address()), c.anchorWords())
	if c.Host == "" {
		fmt.Fprintf(bw, "# No host name was given: replace HOST with the server's.\n")
	}
	if !c.chainVerified() {
		fmt.Fprintf(bw, "# WARNING: the chain did not verify (%s):\n# make sure these keys are the server's before pinning them.\n", comment(c.chainReason()))
		fmt.Fprintf(bw, "# The commands below trust the leaf's pin alone (curl -k, clientsecure --pin-only).\n")
	}
	fmt.Fprintf(bw, "# Keep more than one pin so that a key change does not lock clients out.\n")

	fmt.Fprintf(bw, "\n# OkHttp\nCertificatePinner certificatePinner = new CertificatePinner.Builder()\n")
	for _, cert := range certs {
		fmt.Fprintf(bw, "    .add(%s, %s) // %s\n", javaString(host), javaString(cert.SPKISHA256.String()), comment(cert.Subject))
	}
	fmt.Fprintf(bw, "    .build();\n")

	var curl, hpkp, flags []string
	for _, cert := range certs {
		curl = append(curl, cert.SPKISHA256.Format(clientsecure.FormatCurl))
		hpkp = append(hpkp, cert.SPKISHA256.Format(clientsecure.FormatHPKP))
		flags = append(flags, "--pin "+cert.SPKISHA256.String())
	}
	var curlTrust, csTrust string
	switch {
	case !c.chainVerified():
		// Without a chain a public-key pin matches any certificate sent,
		// and anyone can send a CA's: pin the leaf alone.
		curlTrust, csTrust = "-k ", "--pin-only "
		curl, flags = curl[:1], flags[:1]
	case c.CAFile != "":
		curlTrust = "--cacert " + shellQuote(c.CAFile) + " "
		csTrust = "--ca-file " + shellQuote(c.CAFile) + " "
	}
	fmt.Fprintf(bw, "\n# curl\ncurl %s--pinnedpubkey %s %s\n", curlTrust, shellQuote(strings.Join(curl, ";")), shellQuote(url))
	fmt.Fprintf(bw, "\n# HPKP (Public-Key-Pins response header)\nPublic-Key-Pins: %s; max-age=%d\n", strings.Join(hpkp, "; "), hpkpMaxAge)
	fmt.Fprintf(bw, "\n# clientsecure\nclientsecure get %s%s %s\n", csTrust, strings.Join(flags, " "), shellQuote(url))
	return bw.Flush()
}

// WritePEM writes the certificates sent, leaf first, then the trust anchor
// when the server did not send it: the whole chain, as a CA or bundle file
// takes it.
func (c *Chain) WritePEM(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for _, cert := range c.all() {
		if cert.DER == nil {
			return fmt.Errorf("inspect: no DER for %s", printable(cert.Subject))
		}
		if err := pem.Encode(bw, &pem.Block{Type: "CERTIFICATE", Bytes: cert.DER}); err != nil {
			return fmt.Errorf("inspect: %w", err)
		}
	}
	return bw.Flush()
}
