package inspect

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"time"
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

	Verified    bool   `json:"verified"`
	VerifyError string `json:"verify_error,omitempty"` // why not, when not Verified

	Certs []Cert `json:"chain"` // as sent, leaf first

	// Anchor is the certificate trust ends at: the root that verified the
	// chain (which the server need not send), else the last certificate
	// sent. AnchorSource says which, one of the Anchor* constants.
	Anchor       *Cert  `json:"anchor"`
	AnchorSource string `json:"anchor_source"`

	// Generated is when the facts were gathered, stamped into the C
	// headers. NewChain sets it to the verification time.
	Generated time.Time `json:"-"`
}

// NewChain describes sent (leaf first) and verifies it with Verify for host
// against roots (nil: the system's, where the anchor source is
// AnchorSystemRoots; else AnchorCAFile) as of at (zero: now). A chain that
// does not verify is still described, with the reason in VerifyError: a
// fingerprint tool has to show bad chains too. The only error is having no
// certificate at all.
func NewChain(sent []*x509.Certificate, host string, port int, roots *x509.CertPool, at time.Time) (*Chain, error) {
	if len(sent) == 0 {
		return nil, errors.New("inspect: no certificates to describe")
	}
	if at.IsZero() {
		at = time.Now()
	}
	c := &Chain{Host: host, Port: port, Generated: at}
	for _, cert := range sent {
		c.Certs = append(c.Certs, Describe(cert))
	}
	verified, err := verify(sent, host, roots, at)
	if err != nil {
		c.VerifyError = err.Error()
		anchor := c.Certs[len(c.Certs)-1]
		c.Anchor, c.AnchorSource = &anchor, AnchorLastSent
		return c, nil
	}
	anchor := Describe(verified[len(verified)-1])
	c.Verified, c.Anchor, c.AnchorSource = true, &anchor, AnchorSystemRoots
	if roots != nil {
		c.AnchorSource = AnchorCAFile
	}
	return c, nil
}

// Leaf is the first certificate sent, the server's own.
func (c *Chain) Leaf() Cert { return c.Certs[0] }

// AnchorIndex is the position of the anchor among the certificates sent,
// or -1 when the server did not send it (a root from a store).
func (c *Chain) AnchorIndex() int {
	for i, cert := range c.Certs {
		if c.Anchor != nil && cert.Raw != nil && c.Anchor.Raw != nil && bytes.Equal(cert.Raw.Raw, c.Anchor.Raw.Raw) {
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

// Verify verifies certs (leaf first, the rest as intermediates in any
// order) for host as a TLS server at time at (zero: now), against roots
// (nil: the system's). An empty host skips the name check; an IP address
// is checked against the IP SANs. It returns the verified chain, leaf
// first, ending with the root anchor that verified it.
func Verify(certs []*x509.Certificate, host string, roots *x509.CertPool, at time.Time) ([]*x509.Certificate, error) {
	chain, err := verify(certs, host, roots, at)
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	return chain, nil
}

// verify is Verify with the x509 error unwrapped, for VerifyError.
func verify(certs []*x509.Certificate, host string, roots *x509.CertPool, at time.Time) ([]*x509.Certificate, error) {
	if len(certs) == 0 {
		return nil, errors.New("no certificates to verify")
	}
	opts := x509.VerifyOptions{
		DNSName:       host,
		Roots:         roots,
		Intermediates: x509.NewCertPool(),
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	chains, err := certs[0].Verify(opts)
	if err != nil {
		return nil, err
	}
	// Several paths may reach an anchor (cross-signed roots); the
	// shortest is the one a constrained client is likeliest to build.
	best := chains[0]
	for _, ch := range chains[1:] {
		if len(ch) < len(best) {
			best = ch
		}
	}
	return best, nil
}
