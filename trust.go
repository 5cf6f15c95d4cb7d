package clientsecure

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"sync"
	"time"
)

// Trust says which servers to believe. The zero Trust verifies the chain
// against the system's roots, the host name and the dates, like a browser.
//
// A Trust must not be changed after it has been used to verify a
// connection: its session cache would carry sessions across policies.
type Trust struct {
	// Roots are the trust anchors. nil means the system's roots (with
	// golang.org/x/crypto/x509roots/fallback imported by the program, the
	// embedded Mozilla roots where the system has none). Any certificate in
	// Roots is an anchor, so an intermediate can be one.
	Roots *x509.CertPool

	// Pins, if any, must be matched by one of them as well: a certificate
	// pin by the leaf, a public-key pin by any certificate of the verified
	// chain (with PinOnly or Insecure, by any certificate the server sent,
	// as DESIGN.md specifies: pin a leaf in those modes, see
	// docs/SECURITY.md).
	Pins []Pin

	// PinOnly skips chain, host name and date checks: the pins are the
	// whole identity, as on an ESP8266 with setFingerprint. It needs Pins.
	PinOnly bool

	// Insecure skips verification entirely, except that Pins, if given,
	// are still enforced (as curl does with -k and --pinnedpubkey).
	Insecure bool

	// Time returns the time to verify dates at; nil means time.Now. A
	// device with no clock, or a check of an old capture, sets it.
	Time func() time.Time

	// ServerName, if set, is sent in SNI and verified instead of the host
	// being dialed.
	ServerName string

	// Certificates are client certificates for mutual TLS.
	Certificates []tls.Certificate

	// NextProtos are the ALPN protocols Config and Dial offer, most
	// preferred first; empty offers none, so that a server speaking MQTT
	// or anything else is reached as it is. The HTTP transport offers h2
	// and http/1.1 whatever this says.
	NextProtos []string

	// DialContext, if set, makes every TCP connection the package opens
	// for this Trust (to the server or to a proxy) instead of a
	// net.Dialer. addr is what is being dialed, "host:port"; the name
	// verified and sent in SNI stays the host asked for, whatever the
	// connection reaches. This is how curl's --resolve is done (see
	// cmd/clientsecure) and how tests point real names at loopback.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)

	// OnVerified, if set, is called inside every handshake that passed
	// verification (fresh or resumed) with the connection's state and
	// what was decided, before any application data is sent. It lets a
	// program show why a server was believed without verifying again;
	// v.Addr is the origin dialed, never a proxy. It is called from
	// several connections at once, and must not block.
	OnVerified func(cs tls.ConnectionState, v *Verification)

	sessionsOnce sync.Once
	sessions     tls.ClientSessionCache
}

func (t *Trust) now() time.Time {
	if t.Time != nil {
		return t.Time()
	}
	return time.Now()
}

func (t *Trust) validate() error {
	if t.PinOnly && len(t.Pins) == 0 {
		return errors.New("clientsecure: pin-only verification needs at least one pin")
	}
	return nil
}

// name is the name to verify and send for a connection to host.
func (t *Trust) name(host string) string {
	if t.ServerName != "" {
		return t.ServerName
	}
	return host
}

// Config returns a tls.Config for connecting to host under this policy,
// offering t.NextProtos. Verification happens in VerifyConnection, inside
// the handshake, so that it also runs on resumed sessions and a server
// that fails it receives no application data. Each call returns a new
// Config the caller may adjust.
func (t *Trust) Config(host string) *tls.Config {
	return t.config("", host, t.NextProtos)
}

// config is Config for a connection dialed to addr ("" when unknown),
// offering protos.
func (t *Trust) config(addr, host string, protos []string) *tls.Config {
	t.sessionsOnce.Do(func() { t.sessions = tls.NewLRUClientSessionCache(64) })
	name := t.name(host)
	return &tls.Config{
		ServerName: name,
		// crypto/tls's own verification cannot express pin-only or
		// "intermediate as anchor with a fixed clock and our error
		// messages", so we do all of it in VerifyConnection.
		InsecureSkipVerify: true,
		VerifyConnection:   t.verifyConnection(addr, name),
		NextProtos:         protos,
		ClientSessionCache: t.sessions,
		Certificates:       t.Certificates,
		MinVersion:         tls.VersionTLS12,
		// The same clock as verification, or crypto/tls drops cached
		// sessions whose certificate has expired by its own clock.
		Time: t.Time,
	}
}

// VerifyConnection returns a function for tls.Config.VerifyConnection that
// enforces this policy for a server known as host. Set InsecureSkipVerify
// in that Config, or crypto/tls verifies against its own settings first.
// OnVerified, if set, is called after each verification that passed.
func (t *Trust) VerifyConnection(host string) func(tls.ConnectionState) error {
	return t.verifyConnection("", host)
}

func (t *Trust) verifyConnection(addr, host string) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		v, err := t.Verify(host, cs.PeerCertificates)
		if err != nil {
			var ie *IdentityError
			if errors.As(err, &ie) {
				ie.Addr = addr
			}
			return err
		}
		v.Addr = addr
		if t.OnVerified != nil {
			t.OnVerified(cs, v)
		}
		return nil
	}
}

// dial opens a TCP connection to addr with DialContext, else a net.Dialer.
func (t *Trust) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if t.DialContext != nil {
		return t.DialContext(ctx, network, addr)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// Verification is what a successful Verify found.
type Verification struct {
	// Host is the name verified (and sent in SNI).
	Host string
	// Addr is the address dialed for the connection, "host:port": the
	// origin server, also when the connection went through a proxy. It is
	// empty when Verify was called directly, or through a tls.Config made
	// by Config or VerifyConnection, which do not know it.
	Addr string
	// Chain is the first verified chain, leaf to anchor; nil when the
	// chain was not checked (PinOnly, Insecure).
	Chain []*x509.Certificate
	// Chains are every verified chain (a cross-signed root gives more
	// than one), each leaf to anchor, Chain first; nil when the chain was
	// not checked.
	Chains [][]*x509.Certificate
	// Pin is the pin that matched, if pins were given.
	Pin *Pin
	// Matched is the certificate the pin matched.
	Matched *x509.Certificate
}

// Verify checks the certificates a server presented, leaf first, for host.
// It returns an *IdentityError saying why when they do not pass.
func (t *Trust) Verify(host string, presented []*x509.Certificate) (*Verification, error) {
	fail := func(reason Reason, err error) (*Verification, error) {
		return nil, &IdentityError{Host: host, Reason: reason, Pins: t.Pins, Presented: presented, At: t.now(), Err: err}
	}
	if err := t.validate(); err != nil {
		return nil, err
	}
	if len(presented) == 0 {
		return fail(ReasonNoCertificate, nil)
	}
	v := &Verification{Host: host}
	candidates := presented
	if !t.PinOnly && !t.Insecure {
		chains, err := t.verifyChain(host, presented)
		if err != nil {
			return fail(chainReason(err, presented, t.now()), err)
		}
		if chains, err = strongChains(chains); err != nil {
			return fail(ReasonInvalidChain, err)
		}
		v.Chain, v.Chains = chains[0], chains
		// Public-key pins match the verified chains, never the raw list the
		// server sent: an attacker can append any certificate to that
		// (OkHttp's CVE-2016-2402).
		candidates = flatten(chains)
	}
	if len(t.Pins) == 0 {
		return v, nil
	}
	for i, cert := range candidates {
		d := &digests{cert: cert}
		for _, p := range t.Pins {
			if !p.kind.IsSPKI() && i > 0 {
				continue // certificate pins name the leaf
			}
			if p.match(d) {
				matched := p // only the match is copied to the heap
				v.Pin, v.Matched = &matched, cert
				return v, nil
			}
		}
	}
	return fail(ReasonPinMismatch, nil)
}

// verifyChain builds the chains from presented[0] to the roots, checking
// the name, the dates and the key usage.
func (t *Trust) verifyChain(host string, presented []*x509.Certificate) ([][]*x509.Certificate, error) {
	intermediates := x509.NewCertPool()
	for _, c := range presented[1:] {
		intermediates.AddCert(c)
	}
	return presented[0].Verify(x509.VerifyOptions{
		Roots:         t.Roots,
		Intermediates: intermediates,
		DNSName:       host,
		CurrentTime:   t.now(),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
}

// flatten lists the certificates of several verified chains (cross-signed
// roots give more than one) once each, leaf first.
func flatten(chains [][]*x509.Certificate) []*x509.Certificate {
	if len(chains) == 1 {
		return chains[0]
	}
	seen := map[*x509.Certificate]bool{}
	var all []*x509.Certificate
	for _, chain := range chains {
		for _, c := range chain {
			if !seen[c] {
				seen[c] = true
				all = append(all, c)
			}
		}
	}
	return all
}
