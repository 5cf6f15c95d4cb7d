package bundle

import (
	"crypto/x509"

	"github.com/clientsecure/clientsecure"
)

// verifiedChains is every chain v verified, cross-signed paths included.
//
// TODO(merge core): clientsecure.Verification.Chains lands with core's
// branch; until then only the first chain is known, so cross-signed
// alternatives are missed. Once it is on main this becomes
// `return v.Chains`.
func verifiedChains(v *clientsecure.Verification) [][]*x509.Certificate {
	return [][]*x509.Certificate{v.Chain}
}
