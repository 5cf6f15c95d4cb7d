package bundle

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/inspect"
)

// Target is one thing a device talks to, as the user named it.
type Target struct {
	Host string // the name verified and sent in SNI
	Port int
	// URL, for a URL argument, is fetched and its redirects followed, so
	// that every host on the way is covered too; nil for HOST[:PORT].
	URL *url.URL
}

func (t Target) addr() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

// Host is a server seen while observing the targets: what it sent, and
// what the candidates make of it.
type Host struct {
	Name string // verified and sent in SNI
	Port int

	// Sent is what the server sent, leaf first; nil when it could not be
	// reached.
	Sent []*x509.Certificate

	// Err is a failure that is not about identity: the server could not be
	// reached, or a URL's redirects went wrong (a loop, too many, a
	// redirect to http://). The host may still be verified.
	Err error

	// Chains are every chain that verified Sent against the candidates,
	// leaf to anchor (cross-signed paths give several); set by Judge.
	Chains [][]*x509.Certificate
	// Unverified says why no candidate verifies Sent; set by Judge. It
	// wraps the *clientsecure.IdentityError.
	Unverified error
}

// Addr is "host:port".
func (h *Host) Addr() string { return net.JoinHostPort(h.Name, strconv.Itoa(h.Port)) }

// Verified reports whether some candidate verifies the host (and, after
// Recheck, the bundle alone does too).
func (h *Host) Verified() bool { return len(h.Chains) > 0 && h.Unverified == nil }

// Problem is what went wrong with the host, if anything: no candidate
// verifies it (first), or the error met while observing it.
func (h *Host) Problem() error {
	if h.Unverified != nil {
		return h.Unverified
	}
	return h.Err
}

// anchors are the distinct certificates the host's chains end at, in the
// order the verifier found them.
func (h *Host) anchors() []*x509.Certificate {
	var out []*x509.Certificate
	for _, chain := range h.Chains {
		top := chain[len(chain)-1]
		if !containsCert(out, top) {
			out = append(out, top)
		}
	}
	return out
}

// verifiedBy reports whether one of the host's chains ends at a.
func (h *Host) verifiedBy(a *x509.Certificate) bool {
	for _, chain := range h.Chains {
		if chain[len(chain)-1].Equal(a) {
			return true
		}
	}
	return false
}

func containsCert(certs []*x509.Certificate, c *x509.Certificate) bool {
	for _, d := range certs {
		if d.Equal(c) {
			return true
		}
	}
	return false
}

// Verifier verifies what a host sent with the one verifier every
// connection of clientsecure uses ([clientsecure.Trust.Verify]): chain,
// host name, dates, key usage, key sizes and signature algorithms.
type Verifier struct {
	// Roots are the candidate anchors; nil means the system's roots.
	Roots *x509.CertPool
	// Time is the time to verify at; nil means now.
	Time func() time.Time
}

func (v Verifier) now() time.Time {
	if v.Time != nil {
		return v.Time()
	}
	return time.Now()
}

// Recheck verifies every verified host again against b's anchors alone
// (--verify): a host they do not verify becomes unverified, saying why.
func (v Verifier) Recheck(b *Bundle) {
	var certs []*x509.Certificate
	for _, a := range b.Anchors {
		certs = append(certs, a.Cert)
	}
	pool := poolOf(certs...)
	for _, h := range b.Hosts {
		if !h.Verified() {
			continue
		}
		if _, err := v.chains(pool, h); err != nil {
			h.Unverified = fmt.Errorf("bundle: the bundle alone does not verify %s: %w", h.Addr(), err)
		}
	}
}

func poolOf(certs ...*x509.Certificate) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool
}

// Judge verifies h.Sent against the candidates and sets h.Chains, or
// h.Unverified saying why not. A host that sent nothing is left alone.
func (v Verifier) Judge(h *Host) {
	if len(h.Sent) == 0 {
		return
	}
	chains, err := v.chains(v.Roots, h)
	if err != nil {
		h.Unverified = explain(h, err)
		return
	}
	h.Chains = chains
}

// chains verifies h against roots and returns every verified chain.
func (v Verifier) chains(roots *x509.CertPool, h *Host) ([][]*x509.Certificate, error) {
	t := &clientsecure.Trust{Roots: roots, Time: v.Time}
	ver, err := t.Verify(h.Name, h.Sent)
	if err != nil {
		return nil, err
	}
	return verifiedChains(ver), nil
}

// MissingIssuerError is a chain that stops short of every candidate: the
// topmost certificate the server sent names an issuer that it did not
// send and that no candidate is. Usually an intermediate the server
// should send (devices do not fetch missing ones), else a root that is
// not among the candidates.
type MissingIssuerError struct {
	Host   string
	Top    *x509.Certificate // the last certificate the chain reached
	Issuer string            // the issuer Top names, RFC 2253
	Err    error             // the *clientsecure.IdentityError
}

func (e *MissingIssuerError) Error() string {
	msg := fmt.Sprintf("bundle: no candidate verifies %s: the chain it sent stops at %s, whose issuer %s was not sent and is not a candidate (an intermediate the server must send, or a root missing from the candidates)",
		e.Host, inspect.Printable(e.Top.Subject.String()), inspect.Printable(e.Issuer))
	if len(e.Top.IssuingCertificateURL) > 0 {
		msg += "; the certificate says its issuer is at " + inspect.Printable(e.Top.IssuingCertificateURL[0])
	}
	return msg
}

func (e *MissingIssuerError) Unwrap() error { return e.Err }

// explain turns a failed verification into the error the host reports:
// a chain that stops at a certificate whose issuer was not sent is a
// *MissingIssuerError naming that issuer.
func explain(h *Host, err error) error {
	var ie *clientsecure.IdentityError
	if !errors.As(err, &ie) || ie.Reason != clientsecure.ReasonUnknownAuthority {
		return err
	}
	top := chainTop(h.Sent)
	if bytes.Equal(top.RawIssuer, top.RawSubject) {
		return err // a complete chain to a root that is not a candidate
	}
	return &MissingIssuerError{Host: h.Name, Top: top, Issuer: top.Issuer.String(), Err: err}
}

// chainTop follows issuers from the leaf through the certificates sent
// (in any order, as servers send them) and returns the last one reached.
func chainTop(sent []*x509.Certificate) *x509.Certificate {
	top := sent[0]
	used := map[*x509.Certificate]bool{top: true}
	for {
		next := issuerAmong(top, sent, used)
		if next == nil {
			return top
		}
		used[next] = true
		top = next
	}
}

func issuerAmong(c *x509.Certificate, certs []*x509.Certificate, used map[*x509.Certificate]bool) *x509.Certificate {
	if bytes.Equal(c.RawIssuer, c.RawSubject) {
		return nil // self-signed: the chain ends here
	}
	for _, d := range certs {
		if !used[d] && bytes.Equal(c.RawIssuer, d.RawSubject) && c.CheckSignatureFrom(d) == nil {
			return d
		}
	}
	return nil
}

// oneLine is err's first line: the library's identity errors go on to list
// the certificates, which the report shows as the host's chain.
func oneLine(err error) string {
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}

// InOrder reports whether a verifies h along the certificates h sent, in
// the order sent: the only path BearSSL (ESP8266) takes, since it does
// not build paths. A cross-signed root sent after the intermediate is in
// order; an extra certificate between them is not.
func (h *Host) InOrder(a *x509.Certificate) bool {
	for _, chain := range h.Chains {
		if !chain[len(chain)-1].Equal(a) {
			continue
		}
		path := chain[:len(chain)-1]
		if len(path) <= len(h.Sent) && slices.EqualFunc(path, h.Sent[:len(path)], (*x509.Certificate).Equal) {
			return true
		}
	}
	return false
}
