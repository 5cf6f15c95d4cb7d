package devicetls

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"os"
	"time"
)

// Validity of a certificate NewCertificate makes: from the Unix epoch,
// which a device without a clock believes it is, for Lifetime from now.
var epoch = time.Unix(0, 0).UTC()

// Lifetime is how long after its making a certificate stays valid.
const Lifetime = 30 * 365 * 24 * time.Hour

// KeySpec says which key to make: RSABits 0 means ECDSA P-256.
type KeySpec struct {
	RSABits int
}

// Check refuses key sizes that clients refuse or that take minutes to make.
func (k KeySpec) Check() error {
	if k.RSABits != 0 && (k.RSABits < 2048 || k.RSABits > 8192) {
		return fmt.Errorf("devicetls: RSA key of %d bits: want 2048 to 8192", k.RSABits)
	}
	return nil
}

func (k KeySpec) generate() (crypto.Signer, error) {
	if err := k.Check(); err != nil {
		return nil, err
	}
	if k.RSABits == 0 {
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	return rsa.GenerateKey(rand.Reader, k.RSABits)
}

func (k KeySpec) String() string {
	if k.RSABits == 0 {
		return "ECDSA P-256"
	}
	return fmt.Sprintf("RSA %d", k.RSABits)
}

// matches reports whether key is of this kind.
func (k KeySpec) matches(key crypto.PublicKey) bool {
	switch key := key.(type) {
	case *ecdsa.PublicKey:
		return k.RSABits == 0 && key.Curve == elliptic.P256()
	case *rsa.PublicKey:
		return k.RSABits == key.N.BitLen()
	}
	return false
}

// NewCertificate makes a fresh key and a self-signed certificate for
// names (host names and addresses, as MachineNames gives), valid from
// 1970-01-01 until Lifetime after now. Each address is written both as an
// IP SAN and as a DNS SAN (see the package documentation); the first
// name that is not loopback, else the first, is the common name.
func NewCertificate(names []string, k KeySpec, now time.Time) (tls.Certificate, error) {
	key, err := k.generate()
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("devicetls: generating a key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("devicetls: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: commonName(names), Organization: []string{"clientsecure"}},
		NotBefore:             epoch,
		NotAfter:              now.Add(Lifetime).UTC().Truncate(time.Second),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	if k.RSABits != 0 {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment // plain-RSA key exchange
	}
	seen := map[string]bool{}
	for _, n := range names {
		if n == "" || seen[n] {
			continue
		}
		seen[n] = true
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		}
		tmpl.DNSNames = append(tmpl.DNSNames, n)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("devicetls: creating the certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("devicetls: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

func commonName(names []string) string {
	for _, n := range names {
		if ip := net.ParseIP(n); (ip != nil && !ip.IsLoopback()) || (ip == nil && n != "localhost" && n != "") {
			return n
		}
	}
	if len(names) > 0 {
		return names[0]
	}
	return "localhost"
}

// MachineNames are the names a device may use for this machine: localhost,
// the host name, and every address of every interface (loopback
// included; IPv6 link-local addresses left out, as no sketch dials them),
// LAN addresses first. extra names (a listen address, a load balancer's
// name) come before them.
func MachineNames(extra ...string) []string {
	var lan, loop []string
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			n, ok := a.(*net.IPNet)
			switch {
			case !ok || n.IP.IsLinkLocalUnicast() || n.IP.IsUnspecified():
			case n.IP.IsLoopback():
				loop = append(loop, n.IP.String())
			default:
				lan = append(lan, n.IP.String())
			}
		}
	}
	var names []string
	for _, e := range extra {
		if ip := net.ParseIP(e); e != "" && (ip == nil || !ip.IsUnspecified()) {
			names = append(names, e)
		}
	}
	names = append(names, lan...)
	if h, err := os.Hostname(); err == nil && h != "" && h != "localhost" {
		names = append(names, h)
	}
	names = append(names, "localhost", "127.0.0.1", "::1")
	names = append(names, loop...)
	return dedupe(names)
}

func dedupe(names []string) []string {
	seen := map[string]bool{}
	out := names[:0]
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// Unnamed returns the names a certificate does not carry as a DNS SAN,
// which is what BearSSL compares: a persisted certificate made before the
// machine got a new address does not name it.
func Unnamed(leaf *x509.Certificate, names []string) []string {
	have := map[string]bool{leaf.Subject.CommonName: true}
	for _, d := range leaf.DNSNames {
		have[d] = true
	}
	var out []string
	for _, n := range names {
		if !have[n] {
			out = append(out, n)
		}
	}
	return out
}
