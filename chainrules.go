package clientsecure

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// MinRSABits is the smallest RSA key a verified chain may hold. Go's x509
// accepts 1024 bits; no public CA has issued under 2048 since 2013
// (CA/Browser Forum Baseline Requirements), and a 1024-bit modulus is
// within reach of a well-funded attacker.
const MinRSABits = 2048

// strongChains keeps the verified chains whose every certificate, anchor
// included, has a key of acceptable strength. An error names the first
// weak key when none is left.
func strongChains(chains [][]*x509.Certificate) ([][]*x509.Certificate, error) {
	var strong [][]*x509.Certificate
	var weak error
	for _, chain := range chains {
		err := chainKeys(chain)
		if err == nil {
			strong = append(strong, chain)
		} else if weak == nil {
			weak = err
		}
	}
	if len(strong) == 0 {
		return nil, weak
	}
	return strong, nil
}

func chainKeys(chain []*x509.Certificate) error {
	for _, c := range chain {
		if k, ok := c.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < MinRSABits {
			return fmt.Errorf("clientsecure: %s has a %d-bit RSA key, under the %d bits required", c.Subject, k.N.BitLen(), MinRSABits)
		}
	}
	return nil
}

// chainReason classifies a failed chain verification. x509 reports a
// certificate signed with SHA-1 as signed by an unknown authority (it
// cannot check the signature, so finds no issuer), which would send a
// user looking for a missing root: that is an invalid chain.
func chainReason(err error, presented []*x509.Certificate, at time.Time) Reason {
	r := reasonOf(err, at)
	if r == ReasonUnknownAuthority && insecurelySigned(presented) != nil {
		return ReasonInvalidChain
	}
	return r
}

// insecurelySigned returns the first certificate in certs signed with an
// algorithm x509 refuses (SHA-1, MD5, MD2), self-signed ones aside: a
// root's own signature is never checked.
func insecurelySigned(certs []*x509.Certificate) *x509.Certificate {
	for _, c := range certs {
		if bytes.Equal(c.RawIssuer, c.RawSubject) {
			continue
		}
		switch c.SignatureAlgorithm {
		case x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1, x509.MD5WithRSA, x509.MD2WithRSA:
			return c
		}
	}
	return nil
}

// insecureSignatureDetail is what an invalid chain's detail says when x509
// found no issuer because a signature used SHA-1 or MD5.
func insecureSignatureDetail(err error, presented []*x509.Certificate) (string, bool) {
	var ua x509.UnknownAuthorityError
	if !errors.As(err, &ua) {
		return "", false
	}
	c := insecurelySigned(presented)
	if c == nil {
		return "", false
	}
	return fmt.Sprintf("%s is signed with %v, an insecure algorithm that is refused", c.Subject, c.SignatureAlgorithm), true
}
