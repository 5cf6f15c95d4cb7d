package inspect

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// WriteText writes the chain for people: where it came from, whether it
// verifies, then each certificate sent, leaf first, and the trust anchor.
// Validity is told as of now, and a certificate that has expired, is not
// yet valid or has under SoonDays left is marked with a "!" note.
func (c *Chain) WriteText(w io.Writer, now time.Time) error {
	bw := bufio.NewWriter(w)
	if c.File != "" {
		fmt.Fprintf(bw, "file:     %s\n", printable(c.File))
	}
	if c.Host != "" || c.Port != 0 {
		fmt.Fprintf(bw, "host:     %s\n", printable(c.address()))
	}
	fmt.Fprintf(bw, "verified: %s\n", c.verdict())
	if line := c.pinLine(); line != "" {
		fmt.Fprintf(bw, "pins:     %s\n", line)
	}
	where := "sent"
	if c.File != "" {
		where = "in the file"
	}
	fmt.Fprintf(bw, "\n%s %s, leaf first:\n", plural(len(c.Certs), "certificate"), where)
	for i, cert := range c.Certs {
		fmt.Fprintf(bw, "\n[%d] ", i)
		writeCertText(bw, cert, now)
	}
	if c.Anchor != nil {
		fmt.Fprintf(bw, "\ntrust anchor (%s): ", c.anchorNote())
		if i := c.AnchorIndex(); i >= 0 {
			fmt.Fprintf(bw, "[%d] above\n", i)
		} else {
			writeCertText(bw, *c.Anchor, now)
		}
	}
	return bw.Flush()
}

// verdict is the "verified:" line: the policy's verdict and what it
// checked.
func (c *Chain) verdict() string {
	switch {
	case !c.Verified && c.Host == "":
		return "NO (no host name was checked): " + printable(c.Reason)
	case !c.Verified:
		return "NO: " + printable(c.Reason)
	case c.Mode == ModePinOnly:
		return "yes, by pin alone (--pin-only: chain, host name and dates not checked)"
	case c.Mode == ModeInsecure && len(c.Pins) > 0:
		return "yes, by pin alone (--insecure: chain, host name and dates not checked)"
	case c.Mode == ModeInsecure:
		return "not checked (--insecure)"
	case c.Host == "":
		return "yes (no host name was checked), by " + c.anchorFrom()
	}
	return fmt.Sprintf("yes, for %s, by %s", printable(c.Host), c.anchorFrom())
}

// pinLine says whether the pins given matched, "" when none were.
func (c *Chain) pinLine() string {
	if c.PinMatched == nil {
		return ""
	}
	given := plural(len(c.Pins), "pin") + " given"
	switch {
	case !*c.PinMatched:
		return "NO MATCH: none of the " + given + " matches"
	case c.Verified || c.Mode != ModeChain:
		return "matched (one of the " + given + ")"
	}
	return "matched (one of the " + given + ") by the certificates sent, but the chain did not verify"
}

func writeCertText(w io.Writer, c Cert, now time.Time) {
	field := func(name, value string) { fmt.Fprintf(w, "    %-9s%s\n", name+":", value) }
	if c.ParseError != "" {
		fmt.Fprintf(w, "(does not parse)\n")
		field("error", printable(c.ParseError))
		field("SHA-1", c.SHA1Document())
		field("SHA-256", c.SHA256Colon())
		return
	}
	fmt.Fprintf(w, "%s\n", subjectOrEmpty(c.Subject))
	field("issuer", subjectOrEmpty(c.Issuer))
	if names := c.Names(); len(names) > 0 {
		field("names", printable(strings.Join(names, ", ")))
	}
	field("valid", fmt.Sprintf("%s to %s (%s)", formatTime(c.NotBefore), formatTime(c.NotAfter), c.Validity(now)))
	field("key", c.Key())
	field("SHA-1", c.SHA1Document())
	field("SHA-256", c.SHA256Colon())
	field("SPKI", c.SPKISHA256.String())
}

func subjectOrEmpty(s string) string {
	if s == "" {
		return "(empty subject)"
	}
	return printable(s)
}

// anchorFrom is what verified the chain, in words.
func (c *Chain) anchorFrom() string {
	switch c.AnchorSource {
	case AnchorSystemRoots:
		return "the system roots"
	case AnchorCAFile:
		return "the CA file"
	}
	return c.AnchorSource
}

// anchorWords says where the anchor came from, in words.
func (c *Chain) anchorWords() string {
	if c.AnchorSource == AnchorLastSent {
		return "the last certificate sent, not a trusted root"
	}
	return "from " + c.anchorFrom()
}

// anchorNote is anchorWords with advice for people.
func (c *Chain) anchorNote() string {
	if c.AnchorSource == AnchorLastSent {
		return "the last certificate sent; it verified nothing, check it before trusting it"
	}
	return c.anchorWords()
}

// address is HOST:PORT, bracketing an IPv6 literal.
func (c *Chain) address() string {
	host := c.Host
	if host == "" {
		host = "HOST"
	}
	if c.Port == 0 {
		return host
	}
	return net.JoinHostPort(host, strconv.Itoa(c.Port))
}

// WriteJSON writes the chain as the fingerprint command's JSON:
// {"host","port","verified","reason","pin_matched","chain":[...]} with,
// beside them, "file", "anchor" and "anchor_source".
func (c *Chain) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return fmt.Errorf("inspect: %w", err)
	}
	return nil
}
