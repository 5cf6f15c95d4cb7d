package inspect

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/clientsecure/clientsecure"
)

// Where a Chain's trust anchor came from.
const (
	AnchorSystemRoots = "system roots"          // a root of the system's store verified the chain
	AnchorCAFile      = "ca file"               // a certificate of the CA file given verified it
	AnchorLastSent    = "last certificate sent" // nothing verified it: the top of what was sent
)

// Chain is what a server sent (or a file held), verified for a host name.
// NewChain fills it; the caller may set Generated (and File) before
// rendering, and nothing changes it afterwards.
type Chain struct {
	// Host is the name the chain was verified for (the server name sent
	// in SNI) and the name pins and sketches are written for. Empty when
	// a file was read without a name: the host check is then skipped.
	Host string `json:"host"`
	Port int    `json:"port"` // 0 for a file
	// File is the file the certificates were read from, "" for a server.
	File string `json:"file,omitempty"`

	// Verified is the verdict of clientsecure.Trust.Verify under the
	// policy given (the one connections use: every rule of the library,
	// pins included); Reason says why not, "" when Verified.
	Verified bool   `json:"verified"`
	Reason   string `json:"reason"`
	// PinMatched says whether one of the policy's pins matched: by the
	// verified chain when the chain verified, else by the certificates
	// sent (as with --pin-only). nil when no pins were given.
	PinMatched *bool `json:"pin_matched"`
	// Pins are the pins the policy expected.
	Pins []clientsecure.Pin `json:"-"`
	// Mode is how the policy verifies: ModeChain, ModePinOnly or
	// ModeInsecure.
	Mode string `json:"-"`

	Certs []Cert `json:"chain"` // as sent, leaf first

	// Anchor is the certificate trust ends at: the root that verified the
	// chain (which the server need not send), else the last certificate
	// sent. AnchorSource says which, one of the Anchor* constants.
	Anchor       *Cert  `json:"anchor"`
	AnchorSource string `json:"anchor_source"`

	// Generated is when the facts were gathered, stamped into the C
	// headers. NewChain sets it to the verification time.
	Generated time.Time `json:"-"`

	// CAFile is the file of anchors the chain was verified against, if
	// any, for the commands WritePins suggests. The caller sets it.
	CAFile string `json:"-"`

	// chainErr is why the chain itself did not verify ("" when it did, or
	// was not checked), apart from pins.
	chainErr string
}

// How a Chain's policy verified it.
const (
	ModeChain    = "chain"    // chain, name and dates checked (and pins, if any)
	ModePinOnly  = "pin-only" // only the pins
	ModeInsecure = "insecure" // nothing, except pins if any
)

// NewChain describes sent (leaf first) and verifies it for host under
// trust with trust.Verify: the verdict connections get, weak keys, SHA-1
// signatures and pins included. A chain that does not verify is still
// described, with the reason: a fingerprint tool has to show bad chains
// too. The only error is having no certificate at all.
func NewChain(sent []*x509.Certificate, host string, port int, trust *clientsecure.Trust) (*Chain, error) {
	certs := make([]Cert, len(sent))
	for i, c := range sent {
		certs[i] = Describe(c)
	}
	return newChain(certs, host, port, trust)
}

// NewChainDER is NewChain for certificates in DER, some of which Go may
// not parse: those are described by their hashes and parse error, and
// the chain then does not verify.
func NewChainDER(der [][]byte, host string, port int, trust *clientsecure.Trust) (*Chain, error) {
	certs := make([]Cert, len(der))
	for i, d := range der {
		if c, err := x509.ParseCertificate(d); err != nil {
			certs[i] = describeUnparsed(d, err)
		} else {
			certs[i] = Describe(c)
		}
	}
	return newChain(certs, host, port, trust)
}

func newChain(certs []Cert, host string, port int, trust *clientsecure.Trust) (*Chain, error) {
	if len(certs) == 0 {
		return nil, errors.New("inspect: no certificates to describe")
	}
	at := time.Now()
	if trust.Time != nil {
		at = trust.Time()
	}
	c := &Chain{Host: host, Port: port, Generated: at, Certs: certs, Pins: trust.Pins, Mode: ModeChain}
	switch {
	case trust.Insecure:
		c.Mode = ModeInsecure
	case trust.PinOnly:
		c.Mode = ModePinOnly
	}
	sent := make([]*x509.Certificate, 0, len(certs))
	for i, cert := range certs {
		if cert.Raw == nil {
			c.Reason = fmt.Sprintf("certificate [%d] does not parse: %s", i, cert.ParseError)
			c.chainErr = c.Reason
			c.lastSentAnchor()
			if len(trust.Pins) > 0 {
				c.PinMatched = new(bool)
			}
			return c, nil
		}
		sent = append(sent, cert.Raw)
	}

	v, err := trust.Verify(host, sent)
	if err != nil {
		var ie *clientsecure.IdentityError
		if !errors.As(err, &ie) {
			return nil, fmt.Errorf("inspect: %w", err)
		}
		c.Reason = ie.Reason.String()
		if d := ie.Detail(); d != "" {
			c.Reason += " (" + d + ")"
		}
		if ie.Reason != clientsecure.ReasonPinMismatch {
			c.chainErr = c.Reason
		}
		if len(trust.Pins) > 0 {
			matched := ie.Reason != clientsecure.ReasonPinMismatch && pinsMatchSent(trust, host, sent)
			c.PinMatched = &matched
		}
	} else {
		c.Verified = true
		if len(trust.Pins) > 0 {
			matched := v.Pin != nil
			c.PinMatched = &matched
		}
	}

	chains := [][]*x509.Certificate(nil)
	if v != nil {
		chains = v.Chains
	}
	if chains == nil && (c.Mode != ModeChain || c.Verified || c.chainErr == "") {
		// Pin-only and insecure verify no chain, and a pin mismatch ends
		// the verification: the anchor a sketch embeds is still the root
		// that verifies the chain.
		v, err := (&clientsecure.Trust{Roots: trust.Roots, Time: trust.Time}).Verify(host, sent)
		if err == nil {
			chains = v.Chains
		} else if ie := (*clientsecure.IdentityError)(nil); errors.As(err, &ie) {
			c.chainErr = ie.Reason.String()
		}
	}
	if chains == nil {
		c.lastSentAnchor()
		return c, nil
	}
	// Several paths may reach an anchor (cross-signed roots); the
	// shortest is the one a constrained client is likeliest to build.
	best := chains[0]
	for _, ch := range chains[1:] {
		if len(ch) < len(best) {
			best = ch
		}
	}
	anchor := Describe(best[len(best)-1])
	c.Anchor, c.AnchorSource = &anchor, AnchorSystemRoots
	if trust.Roots != nil {
		c.AnchorSource = AnchorCAFile
	}
	return c, nil
}

// pinsMatchSent reports whether one of trust's pins matches the
// certificates sent, as with --pin-only: for a chain that did not verify.
func pinsMatchSent(trust *clientsecure.Trust, host string, sent []*x509.Certificate) bool {
	_, err := (&clientsecure.Trust{PinOnly: true, Pins: trust.Pins}).Verify(host, sent)
	return err == nil
}

// chainVerified reports whether the chain itself verified, pins aside:
// whether a client that checks chains would accept it.
func (c *Chain) chainVerified() bool { return c.chainErr == "" }

// chainReason is why the chain did not verify.
func (c *Chain) chainReason() string { return c.chainErr }

// lastSentAnchor makes the last certificate sent the anchor: nothing
// verified the chain.
func (c *Chain) lastSentAnchor() {
	anchor := c.Certs[len(c.Certs)-1]
	c.Anchor, c.AnchorSource = &anchor, AnchorLastSent
}

// Leaf is the first certificate sent, the server's own.
func (c *Chain) Leaf() Cert { return c.Certs[0] }

// AnchorIndex is the position of the anchor among the certificates sent,
// or -1 when the server did not send it (a root from a store).
func (c *Chain) AnchorIndex() int {
	for i, cert := range c.Certs {
		if c.Anchor != nil && cert.DER != nil && c.Anchor.DER != nil && bytes.Equal(cert.DER, c.Anchor.DER) {
			return i
		}
	}
	return -1
}

// all is the certificates sent, then the anchor when it was not sent.
func (c *Chain) all() []Cert {
	if c.Anchor != nil && c.AnchorIndex() < 0 {
		return append(append([]Cert{}, c.Certs...), *c.Anchor)
	}
	return c.Certs
}
