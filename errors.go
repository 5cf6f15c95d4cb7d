package clientsecure

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Reason is which rule an identity check failed.
type Reason int

const (
	ReasonPinMismatch Reason = iota + 1
	ReasonUnknownAuthority
	ReasonExpired
	ReasonNotYetValid
	ReasonWrongHost
	ReasonInvalidChain // any other chain fault: name constraints, key usage, a CA that is no CA, a weak key, a SHA-1 signature
	ReasonNoCertificate
)

func (r Reason) String() string {
	switch r {
	case ReasonPinMismatch:
		return "certificate pin mismatch"
	case ReasonUnknownAuthority:
		return "certificate signed by unknown authority"
	case ReasonExpired:
		return "certificate expired"
	case ReasonNotYetValid:
		return "certificate not yet valid"
	case ReasonWrongHost:
		return "certificate is not for this host"
	case ReasonInvalidChain:
		return "invalid certificate chain"
	case ReasonNoCertificate:
		return "server sent no certificate"
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// IdentityError is a server whose identity did not verify. The handshake
// was aborted, so nothing was sent to it. Error is one line; the fields
// hold what a program (or cmd/clientsecure) lists beneath it, OkHttp
// style: the pins expected and every certificate presented.
type IdentityError struct {
	Host      string              // the name verified
	Addr      string              // the address dialed, "host:port"; empty when Verify was called directly
	Reason    Reason              // the rule that failed
	Pins      []Pin               // the pins expected, if any
	Presented []*x509.Certificate // what the server sent, leaf first
	At        time.Time           // the time verified at
	Err       error               // the x509 error, for chain failures
}

func (e *IdentityError) Unwrap() error { return e.Err }

// Error says which host failed which rule, and why in a few words: the
// names the certificate is for, the dates, the issuer not trusted.
func (e *IdentityError) Error() string {
	msg := fmt.Sprintf("clientsecure: identity of %s not verified: %v", e.Host, e.Reason)
	if detail := e.Detail(); detail != "" {
		msg += " (" + detail + ")"
	}
	return msg
}

// MaxListed is how many certificates, or names of one, an error should
// list: a hostile server may send a thousand.
const MaxListed = 10

// printable is s, or s Go-quoted if it holds control characters or
// invalid UTF-8.
func printable(s string) string {
	if !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// Detail is the specifics of the failure in a few words, "" when there
// are none beyond the reason. Names taken from the server's certificates
// are quoted if they hold control characters, so it is safe to print.
func (e *IdentityError) Detail() string { return printable(e.detail()) }

func (e *IdentityError) detail() string {
	switch e.Reason {
	case ReasonExpired, ReasonNotYetValid:
		var ci x509.CertificateInvalidError
		if errors.As(e.Err, &ci) && ci.Cert != nil {
			return fmt.Sprintf("%s valid %s to %s, checked at %s", ci.Cert.Subject,
				ci.Cert.NotBefore.UTC().Format(time.RFC3339), ci.Cert.NotAfter.UTC().Format(time.RFC3339), e.At.UTC().Format(time.RFC3339))
		}
	case ReasonWrongHost:
		var he x509.HostnameError
		if errors.As(e.Err, &he) && he.Certificate != nil {
			names := append([]string{}, he.Certificate.DNSNames...)
			for _, ip := range he.Certificate.IPAddresses {
				names = append(names, ip.String())
			}
			switch {
			case len(names) == 0 && he.Certificate.Subject.CommonName != "":
				return "it names no hosts: its common name " + he.Certificate.Subject.CommonName +
					" is not a host name since RFC 6125; only subject alternative names are"
			case len(names) == 0:
				return "it names no hosts"
			case len(names) > MaxListed:
				return fmt.Sprintf("it is for %s and %d more", strings.Join(names[:MaxListed], ", "), len(names)-MaxListed)
			}
			return "it is for " + strings.Join(names, ", ")
		}
	case ReasonUnknownAuthority:
		var ua x509.UnknownAuthorityError
		if errors.As(e.Err, &ua) && ua.Cert != nil {
			return "issuer " + ua.Cert.Issuer.String() + " is not a trusted root"
		}
	case ReasonInvalidChain:
		if d, ok := insecureSignatureDetail(e.Err, e.Presented); ok {
			return d
		}
		if e.Err != nil {
			return strings.TrimPrefix(e.Err.Error(), "clientsecure: ")
		}
	}
	return ""
}

// reasonOf classifies an x509 verification error.
func reasonOf(err error, at time.Time) Reason {
	var (
		ci x509.CertificateInvalidError
		he x509.HostnameError
		ua x509.UnknownAuthorityError
	)
	switch {
	case errors.As(err, &he):
		return ReasonWrongHost
	case errors.As(err, &ua):
		return ReasonUnknownAuthority
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		if ci.Cert != nil && at.Before(ci.Cert.NotBefore) {
			return ReasonNotYetValid
		}
		return ReasonExpired
	}
	return ReasonInvalidChain
}

// splitHost returns addr's host, or addr itself when it has no port.
func splitHost(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return strings.Trim(addr, "[]")
}
