// Package testcerts makes the certificates the tests need: a root, an
// intermediate, good leaves (ECDSA and RSA) and every bad case a verifying
// client must refuse, all on a fixed clock so that expiry never depends on the
// day the tests run.
//
// Nothing here is for production: keys are generated fresh for each PKI and
// errors panic, which is what a test wants from a factory.
package testcerts

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"net"
	"time"
)

// Now is the fixed clock every certificate here is valid at (unless it is
// made not to be). Tests verify with Time set to Now.
var Now = time.Date(2026, time.June, 1, 12, 0, 0, 0, time.UTC)

// Host is the DNS name the good leaves are issued for, beside the loopback
// addresses 127.0.0.1 and ::1.
const Host = "localhost"

// Key is the kind of key a certificate is made with.
type Key struct {
	RSABits int  // 0 means ECDSA P-256
	Ed25519 bool // an Ed25519 key instead (RSABits must be 0)
}

var (
	ECDSA   = Key{}
	RSA2048 = Key{RSABits: 2048}
	Ed25519 = Key{Ed25519: true}
)

func (k Key) generate() crypto.Signer {
	if k.Ed25519 {
		_, key, err := ed25519.GenerateKey(rand.Reader)
		must(err)
		return key
	}
	if k.RSABits == 0 {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(err)
		return key
	}
	if k.RSABits > 4096 {
		// Two 4096-bit primes for an RSA-8192 key take half a minute to
		// find; eight 1024-bit ones take about a second, and a peer cannot
		// tell the moduli apart. The price is signing without CRT, about
		// half a second a handshake.
		key, err := rsa.GenerateMultiPrimeKey(rand.Reader, k.RSABits/1024, k.RSABits)
		must(err)
		return key
	}
	key, err := rsa.GenerateKey(rand.Reader, k.RSABits)
	must(err)
	return key
}

// Authority is a CA: a self-signed root or an intermediate below one.
type Authority struct {
	Cert   *x509.Certificate
	Key    crypto.Signer
	parent *Authority // nil for a root
	src    *source    // where keys and serial numbers come from
}

// Template says what a leaf (or CA) certificate holds. Zero fields take
// defaults: valid from Now-30 days to Now+60 days, ECDSA, the names of a
// loopback server.
type Template struct {
	CommonName string
	DNSNames   []string
	IPs        []net.IP
	NotBefore  time.Time
	NotAfter   time.Time
	Key        Key
	// SignatureAlgorithm, when set, is what the issuer signs with (say
	// x509.SHA1WithRSA for the SHA-1-signed cases).
	SignatureAlgorithm x509.SignatureAlgorithm
	// PermittedDNSDomains makes a CA name-constrained.
	PermittedDNSDomains []string
	// NoNames leaves DNSNames and IPs empty (the CN-only case).
	NoNames bool
	// ExtKeyUsage, when set, replaces a leaf's server-auth usage (say
	// x509.ExtKeyUsageClientAuth for a client certificate).
	ExtKeyUsage []x509.ExtKeyUsage
}

func (t Template) withDefaults() Template {
	if t.NotBefore.IsZero() {
		t.NotBefore = Now.Add(-30 * 24 * time.Hour)
	}
	if t.NotAfter.IsZero() {
		t.NotAfter = Now.Add(60 * 24 * time.Hour)
	}
	if !t.NoNames && t.DNSNames == nil && t.IPs == nil {
		t.DNSNames = []string{Host}
		t.IPs = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	}
	if t.CommonName == "" && len(t.DNSNames) > 0 {
		t.CommonName = t.DNSNames[0]
	}
	return t
}

// NewRoot makes a self-signed root CA.
func NewRoot(name string) *Authority {
	return newAuthority(random, name, nil, Template{})
}

// NewRootWith makes a self-signed root CA from t (key, validity, constraints).
func NewRootWith(name string, t Template) *Authority {
	return newAuthority(random, name, nil, t)
}

// Intermediate makes a CA signed by a.
func (a *Authority) Intermediate(name string) *Authority {
	return newAuthority(a.src, name, a, Template{})
}

// IntermediateWith makes a CA signed by a from t.
func (a *Authority) IntermediateWith(name string, t Template) *Authority {
	return newAuthority(a.src, name, a, t)
}

func newAuthority(src *source, name string, parent *Authority, t Template) *Authority {
	t.NoNames = true
	if t.NotBefore.IsZero() {
		t.NotBefore = Now.Add(-5 * 365 * 24 * time.Hour)
	}
	if t.NotAfter.IsZero() {
		t.NotAfter = Now.Add(10 * 365 * 24 * time.Hour)
	}
	t = t.withDefaults()
	sn := src.nextSerial()
	key := src.key(t.Key, sn)
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: name, Organization: []string{"clientsecure tests"}},
		NotBefore:             t.NotBefore,
		NotAfter:              t.NotAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		PermittedDNSDomains:   t.PermittedDNSDomains,
		SignatureAlgorithm:    t.SignatureAlgorithm,
	}
	a := &Authority{Key: key, parent: parent, src: src}
	if parent == nil {
		a.Cert = create(src.signingRand(), tmpl, tmpl, key.Public(), key)
	} else {
		a.Cert = create(src.signingRand(), tmpl, parent.Cert, key.Public(), parent.Key)
	}
	return a
}

// Leaf is a server certificate with the chain a server sends for it.
type Leaf struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// Chain is what the server sends: the leaf, then each intermediate
	// below the root. The root is not sent.
	Chain []*x509.Certificate
}

// Leaf issues a server certificate from t.
func (a *Authority) Leaf(t Template) *Leaf {
	t = t.withDefaults()
	sn := a.src.nextSerial()
	key := a.src.key(t.Key, sn)
	tmpl := &x509.Certificate{
		SerialNumber:       sn,
		Subject:            pkix.Name{CommonName: t.CommonName},
		DNSNames:           t.DNSNames,
		IPAddresses:        t.IPs,
		NotBefore:          t.NotBefore,
		NotAfter:           t.NotAfter,
		KeyUsage:           x509.KeyUsageDigitalSignature,
		ExtKeyUsage:        []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		SignatureAlgorithm: t.SignatureAlgorithm,
	}
	if t.ExtKeyUsage != nil {
		tmpl.ExtKeyUsage = t.ExtKeyUsage
	}
	if t.Key.RSABits != 0 {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	leaf := &Leaf{Key: key, Cert: create(a.src.signingRand(), tmpl, a.Cert, key.Public(), a.Key)}
	leaf.Chain = []*x509.Certificate{leaf.Cert}
	for p := a; p != nil && p.parent != nil; p = p.parent {
		leaf.Chain = append(leaf.Chain, p.Cert)
	}
	return leaf
}

// SelfSigned makes a leaf that is its own issuer, as a device or a
// developer's server often has.
func SelfSigned(t Template) *Leaf {
	return selfSigned(random, t)
}

func selfSigned(src *source, t Template) *Leaf {
	t = t.withDefaults()
	sn := src.nextSerial()
	key := src.key(t.Key, sn)
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: t.CommonName},
		DNSNames:              t.DNSNames,
		IPAddresses:           t.IPs,
		NotBefore:             t.NotBefore,
		NotAfter:              t.NotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
	}
	cert := create(src.signingRand(), tmpl, tmpl, key.Public(), key)
	return &Leaf{Cert: cert, Key: key, Chain: []*x509.Certificate{cert}}
}

// TLS is the leaf as a server presents it: Chain, in order, with its key.
func (l *Leaf) TLS() tls.Certificate {
	c := tls.Certificate{PrivateKey: l.Key, Leaf: l.Cert}
	for _, cert := range l.Chain {
		c.Certificate = append(c.Certificate, cert.Raw)
	}
	return c
}

// WithChain is the same leaf sending a different chain (a missing
// intermediate, an extra certificate appended).
func (l *Leaf) WithChain(chain ...*x509.Certificate) *Leaf {
	return &Leaf{Cert: l.Cert, Key: l.Key, Chain: append([]*x509.Certificate{l.Cert}, chain...)}
}

// CertPEM is the leaf's certificate alone, PEM-encoded.
func (l *Leaf) CertPEM() []byte { return PEM(l.Cert) }

// KeyPEM is the leaf's private key, PKCS #8 PEM.
func (l *Leaf) KeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(l.Key)
	must(err)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// ChainPEM is what a server's certificate file holds: the chain, leaf first.
func (l *Leaf) ChainPEM() []byte { return PEM(l.Chain...) }

// PEM encodes certificates one after another.
func PEM(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// Pool is a CertPool holding certs.
func Pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

func create(r io.Reader, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	der, err := x509.CreateCertificate(r, tmpl, parent, pub, signer)
	must(err)
	cert, err := x509.ParseCertificate(der)
	must(err)
	return cert
}

func must(err error) {
	if err != nil {
		panic("testcerts: " + err.Error())
	}
}
