package check

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"net"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/scan"
)

// Options are how a check runs.
type Options struct {
	// Trust verifies the live chains: its Roots (nil: the system's), Time
	// (nil: now), ServerName and client certificates apply.
	Trust *clientsecure.Trust
	// Jobs bounds the hosts contacted at once; 0 means DefaultJobs.
	Jobs int
	// WarnDays is how close an expiry makes an item expiring; 0 means
	// DefaultWarnDays, negative means never (as --warn-days 0 does).
	WarnDays int
	// Dial makes each TCP connection ("tcp", "host:port"); nil means
	// Trust.DialContext (how --resolve points names at other addresses),
	// else a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

const (
	DefaultJobs     = 8
	DefaultWarnDays = 30
)

func (o *Options) jobs() int {
	if o.Jobs <= 0 {
		return DefaultJobs
	}
	return o.Jobs
}

// Run contacts the hosts the items of res are paired with and judges
// every item. ctx bounds the whole run.
func Run(ctx context.Context, res *scan.Result, opts Options) *Report {
	opts.defaults()
	return Judge(res, contact(ctx, res.PairedHosts(), &opts), opts)
}

func (o *Options) defaults() {
	if o.Trust == nil {
		o.Trust = &clientsecure.Trust{}
	}
	if o.WarnDays == 0 {
		o.WarnDays = DefaultWarnDays
	}
}

// Judge judges the items of res against hosts already contacted (a Run's
// Report.Hosts), contacting nothing: how --fix judges the tree it leaves.
// An item whose host is not among them is unreachable.
func Judge(res *scan.Result, hosts []*HostResult, opts Options) *Report {
	opts.defaults()
	at := time.Now()
	if opts.Trust.Time != nil {
		at = opts.Trust.Time()
	}
	byAddr := map[string]*HostResult{}
	for _, h := range hosts {
		byAddr[h.Host.Addr()] = h
	}
	warn := time.Duration(max(opts.WarnDays, 0)) * 24 * time.Hour
	j := &judge{at: at, warn: warn, trust: opts.Trust}
	r := &Report{Hosts: hosts, At: at, WarnDays: opts.WarnDays}
	for _, it := range res.Items {
		f := &Finding{Item: it, Matches: MatchNone}
		switch {
		case it.Host == nil:
			f.State, f.Message = Unpaired, "no host found for it: name one with --host HOST[:PORT]"
		case byAddr[it.Host.Addr()] == nil:
			f.State, f.Message = Unreachable, fmt.Sprintf("%s was not contacted", it.Host.Addr())
		default:
			f.Host = byAddr[it.Host.Addr()]
			j.judge(f)
		}
		r.Findings = append(r.Findings, f)
	}
	storesServeOthers(r.Findings)
	return r
}

// storesServeOthers marks unpaired, rather than stale, the anchors of a
// store that verify nothing when another anchor of the same store verifies
// the host.
func storesServeOthers(fs []*Finding) {
	good := map[string]bool{}
	for _, f := range fs {
		if isStore(f.Item) && f.State != Stale && f.State != Unreachable {
			good[f.Item.File+"\x00"+f.Item.Host.Addr()] = true
		}
	}
	for _, f := range fs {
		if isStore(f.Item) && f.State == Stale && good[f.Item.File+"\x00"+f.Item.Host.Addr()] {
			f.State = Unpaired
			f.Message = fmt.Sprintf("this anchor of the store does not verify %s (another does): name its host with --host", f.Item.Host.Addr())
		}
	}
}

func isStore(it *scan.Item) bool {
	return it.Kind == scan.KindCertStore || it.Kind == scan.KindTrustAnchor
}

type judge struct {
	at    time.Time
	warn  time.Duration
	trust *clientsecure.Trust
}

func (j *judge) judge(f *Finding) {
	h := f.Host
	if h.Err != nil {
		f.State = Unreachable
		f.Message = fmt.Sprintf("%s could not be contacted: %v", h.Host.Addr(), h.Err)
		return
	}
	switch f.Item.Kind {
	case scan.KindSHA1, scan.KindSHA256:
		j.fingerprint(f)
	case scan.KindSPKIPin:
		j.pin(f)
	case scan.KindPublicKey:
		j.key(f)
	default:
		if f.Item.Use == scan.UseKey && f.Item.Cert != nil {
			j.key(f)
		} else {
			j.anchor(f)
		}
	}
}

// known is every certificate of the host's chain: what it sent and the
// root its chain verified to.
func known(h *HostResult) []*x509.Certificate {
	certs := append([]*x509.Certificate{}, h.Sent...)
	if h.Verification != nil {
		for _, c := range h.Verification.Chain {
			if !contains(certs, c) {
				certs = append(certs, c)
			}
		}
	}
	return certs
}

func contains(certs []*x509.Certificate, c *x509.Certificate) bool {
	for _, x := range certs {
		if x.Equal(c) {
			return true
		}
	}
	return false
}

// position says where c sits in h's chain.
func position(h *HostResult, c *x509.Certificate) Match {
	switch {
	case c.Equal(h.Sent[0]):
		return MatchLeaf
	case bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil:
		return MatchRoot
	}
	return MatchIntermediate
}

// certDigest is the hash of c the item's kind is.
func certDigest(kind scan.Kind, c *x509.Certificate) []byte {
	if kind == scan.KindSHA1 {
		s := sha1.Sum(c.Raw)
		return s[:]
	}
	s := sha256.Sum256(c.Raw)
	return s[:]
}

func (j *judge) fingerprint(f *Finding) {
	it, h := f.Item, f.Host
	leaf := h.Sent[0]
	var matched *x509.Certificate
	for _, c := range known(h) {
		if bytes.Equal(certDigest(it.Kind, c), it.Pin.Digest()) {
			matched = c
			break
		}
	}
	replacement := hexReplacement(it, certDigest(it.Kind, leaf))
	f.ReplacementSummary = oneLine(replacement)
	what := "SHA-1"
	if it.Kind == scan.KindSHA256 {
		what = "SHA-256"
	}
	if matched == nil {
		f.State, f.Replacement = Stale, replacement
		f.Message = fmt.Sprintf("matches nothing %s sends: the leaf's %s is now %s (--fix writes it)", h.Host.Addr(), what, oneLine(replacement))
		return
	}
	f.Matches, f.Depends = position(h, matched), matched
	if it.Use == scan.UseFingerprint && f.Matches != MatchLeaf {
		f.State, f.Replacement = Misused, replacement
		f.Message = fmt.Sprintf("this is the %s's %s, but %s compares the leaf's only, so it never matches: use the leaf's %s (--fix writes it)", f.Matches, what, fingerprintCall(it), oneLine(replacement))
		return
	}
	j.byExpiry(f, "it stops matching when the server renews its certificate: run check --fix after the renewal")
}

func fingerprintCall(it *scan.Item) string {
	if it.Kind == scan.KindSHA256 {
		return "verify()"
	}
	return "setFingerprint"
}

// byExpiry makes a matching item current or expiring by Depends.
func (j *judge) byExpiry(f *Finding, expiringHint string) {
	days, _ := f.DaysLeft(j.at)
	if f.Depends.NotAfter.Sub(j.at) < j.warn {
		f.State = Expiring
		f.Message = fmt.Sprintf("the %s it depends on (%s) ends in %d days: %s", f.Matches, f.Depends.Subject, days, expiringHint)
		return
	}
	f.State = Current
	f.Message = fmt.Sprintf("matches the %s (%d days left)", f.Matches, days)
}

func (j *judge) pin(f *Finding) {
	h := f.Host
	candidates := h.Sent
	if h.Verification != nil {
		candidates = h.Verification.Chain
	}
	for _, c := range candidates {
		for _, p := range pinsOf(c) {
			if p == f.Item.Pin {
				f.Matches, f.Depends = position(h, c), c
				j.byExpiry(f, "a new certificate may come with a new key: keep a backup pin")
				return
			}
		}
	}
	f.State = Stale
	f.Message = fmt.Sprintf("matches no key of what %s sends; which key it meant cannot be known, so there is no fix: pin a current one (clientsecure fingerprint %s)", h.Host.Addr(), h.Host.Addr())
}

// pinsOf are the public-key pins of c, in both hashes the parser takes.
func pinsOf(c *x509.Certificate) []clientsecure.Pin {
	s1 := sha1.Sum(c.RawSubjectPublicKeyInfo)
	s256 := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	p1, _ := clientsecure.NewPin(clientsecure.SPKISHA1, s1[:])
	p256, _ := clientsecure.NewPin(clientsecure.SPKISHA256, s256[:])
	return []clientsecure.Pin{p1, p256}
}

func (j *judge) key(f *Finding) {
	it, h := f.Item, f.Host
	spki := it.Key
	if spki == nil && it.Cert != nil {
		spki = it.Cert.RawSubjectPublicKeyInfo
	}
	leaf := h.Sent[0]
	replacement := pemReplacement(it, "PUBLIC KEY", leaf.RawSubjectPublicKeyInfo)
	f.ReplacementSummary = "public key of " + leaf.Subject.String()
	for _, c := range known(h) {
		if bytes.Equal(c.RawSubjectPublicKeyInfo, spki) {
			f.Matches, f.Depends = position(h, c), c
			break
		}
	}
	switch {
	case f.Depends == nil:
		f.State, f.Replacement = Stale, replacement
		f.Message = fmt.Sprintf("matches no key %s sends: --fix writes the leaf's current key", h.Host.Addr())
	case f.Matches != MatchLeaf:
		f.State, f.Replacement = Misused, replacement
		f.Message = fmt.Sprintf("this is the %s's key, but setKnownKey compares the leaf's key only: --fix writes the leaf's", f.Matches)
	default:
		j.byExpiry(f, "the renewal may bring a new key: run check --fix after it")
	}
}

func (j *judge) anchor(f *Finding) {
	it, h := f.Item, f.Host
	anchor := it.Cert
	if anchor == nil && it.Anchor != nil {
		var err error
		if anchor, err = anchorCert(it.Anchor); err != nil {
			f.State = Stale
			f.Message = fmt.Sprintf("the anchor's key does not parse: %v", err)
			return
		}
	}
	if anchor == nil {
		f.State = Stale
		f.Message = "not a trust anchor"
		return
	}
	roots := x509.NewCertPool()
	roots.AddCert(anchor)
	t := &clientsecure.Trust{Roots: roots, Time: func() time.Time { return j.at }, ServerName: j.trust.ServerName}
	replacement := ""
	if root := liveRoot(h); root != nil {
		replacement = pemReplacement(it, "CERTIFICATE", root.Raw)
		f.ReplacementSummary = "certificate " + root.Subject.String()
	}
	v, err := t.Verify(h.Host.Name, h.Sent)
	if err != nil {
		f.State, f.Replacement = Stale, replacement
		f.Message = fmt.Sprintf("the chain %s sends does not verify to it (%s)%s", h.Host.Addr(), errString(err), fixHint(replacement, h))
		return
	}
	top := v.Chain[len(v.Chain)-1]
	f.Depends = top
	if it.Cert == nil {
		f.Depends = nil // a store's anchor has no dates: BearSSL and ESP-IDF keep only name and key
	}
	if it.Cert == nil {
		f.Matches = anchorPosition(h, it.Anchor)
	} else {
		f.Matches = position(h, top)
	}
	if f.Matches == MatchLeaf && !bytes.Equal(top.RawIssuer, top.RawSubject) {
		f.State, f.Replacement = Fragile, replacement
		f.Message = fmt.Sprintf("a CA-issued leaf used as a trust anchor stops working at the next routine renewal%s", fixHint(replacement, h))
		return
	}
	if f.Depends == nil {
		f.State = Current
		f.Message = fmt.Sprintf("the chain verifies to this %s", f.Matches)
		return
	}
	j.byExpiry(f, "get the CA's next anchor before then (clientsecure bundle)")
}

func fixHint(replacement string, h *HostResult) string {
	if replacement == "" {
		return fmt.Sprintf(": no single root verifies %s under the check's trust, so there is no fix", h.Host.Addr())
	}
	return ": --fix writes the root the live chain verifies to"
}

// liveRoot is the one root the host's chain verified to under the check's
// trust; nil when it did not verify.
func liveRoot(h *HostResult) *x509.Certificate {
	if h.Verification == nil || len(h.Verification.Chain) == 0 {
		return nil
	}
	return h.Verification.Chain[len(h.Verification.Chain)-1]
}

// anchorCert makes a certificate of a store's anchor (name and key, no
// dates, as BearSSL and ESP-IDF hold them) that x509 can verify to.
func anchorCert(a *scan.Anchor) (*x509.Certificate, error) {
	pub, err := x509.ParsePKIXPublicKey(a.SPKI)
	if err != nil {
		return nil, err
	}
	shell := &x509.Certificate{
		Raw:                     append(append([]byte{}, a.Subject...), a.SPKI...),
		RawSubject:              a.Subject,
		RawSubjectPublicKeyInfo: a.SPKI,
		PublicKey:               pub,
		BasicConstraintsValid:   true,
		IsCA:                    true,
		MaxPathLen:              -1, // no constraint: x509's "absent"
		Version:                 3,
		KeyUsage:                x509.KeyUsageCertSign,
		NotAfter:                time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC),
	}
	switch pub.(type) {
	case *rsa.PublicKey:
		shell.PublicKeyAlgorithm = x509.RSA
	case *ecdsa.PublicKey:
		shell.PublicKeyAlgorithm = x509.ECDSA
	case ed25519.PublicKey:
		shell.PublicKeyAlgorithm = x509.Ed25519
	default:
		return nil, fmt.Errorf("check: unsupported anchor key %T", pub)
	}
	return shell, nil
}

// anchorPosition says where a store's anchor sits: where a certificate of
// the host's chain has its name and key, else the root (what stores hold).
func anchorPosition(h *HostResult, a *scan.Anchor) Match {
	for _, c := range known(h) {
		if bytes.Equal(c.RawSubject, a.Subject) && bytes.Equal(c.RawSubjectPublicKeyInfo, a.SPKI) {
			return position(h, c)
		}
	}
	return MatchRoot
}
