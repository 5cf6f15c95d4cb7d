package bundle

import (
	"crypto/x509"

	"github.com/clientsecure/clientsecure"
)

// verifiedChains is every chain v verified, cross-signed paths included.
func verifiedChains(v *clientsecure.Verification) [][]*x509.Certificate { return v.Chains }
