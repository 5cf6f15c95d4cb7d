package testcerts

import (
	"sync"
	"time"
)

// PKI is one root with an intermediate below it, the good leaves it issues,
// and the bad cases a verifying client must refuse. Each field is made once.
type PKI struct {
	Root         *Authority
	Intermediate *Authority

	Good    *Leaf // ECDSA P-256, issued by Intermediate, for localhost, 127.0.0.1, ::1
	GoodRSA *Leaf // the same with an RSA-2048 key

	Expired             *Leaf // NotAfter a day before Now
	NotYetValid         *Leaf // NotBefore a day after Now
	WrongHost           *Leaf // issued for wrong.example only
	SelfSigned          *Leaf // its own issuer, for localhost
	UntrustedRoot       *Leaf // a good leaf from another root (OtherRoot)
	MissingIntermediate *Leaf // Good's certificate sent without its intermediate

	OtherRoot *Authority // not trusted by anyone; issues UntrustedRoot
}

var (
	shared     *PKI
	sharedOnce sync.Once
)

// Shared is one PKI for a whole test binary: keys are slow to make, and
// tests only read it.
func Shared() *PKI {
	sharedOnce.Do(func() { shared = New() })
	return shared
}

// New makes a fresh PKI valid at Now.
func New() *PKI { return newPKI(random, Now) }

// NewAt makes a fresh PKI whose good certificates are valid at now and
// whose bad ones are bad at now. End-to-end tests of the command, which
// runs on the real clock, use NewAt(time.Now()).
func NewAt(now time.Time) *PKI { return newPKI(random, now) }

func newPKI(src *source, now time.Time) *PKI {
	day := 24 * time.Hour
	ca := Template{NotBefore: now.Add(-5 * 365 * day), NotAfter: now.Add(10 * 365 * day)}
	valid := Template{NotBefore: now.Add(-30 * day), NotAfter: now.Add(60 * day)}
	with := func(t Template, edit func(*Template)) Template { edit(&t); return t }
	p := &PKI{Root: newAuthority(src, "clientsecure test root", nil, ca)}
	p.Intermediate = p.Root.IntermediateWith("clientsecure test intermediate", ca)
	p.Good = p.Intermediate.Leaf(valid)
	p.GoodRSA = p.Intermediate.Leaf(with(valid, func(t *Template) { t.Key = RSA2048 }))
	p.Expired = p.Intermediate.Leaf(Template{NotBefore: now.Add(-90 * day), NotAfter: now.Add(-day)})
	p.NotYetValid = p.Intermediate.Leaf(Template{NotBefore: now.Add(day), NotAfter: now.Add(90 * day)})
	p.WrongHost = p.Intermediate.Leaf(with(valid, func(t *Template) { t.DNSNames = []string{"wrong.example"} }))
	p.SelfSigned = selfSigned(src, valid)
	p.OtherRoot = newAuthority(src, "untrusted root", nil, ca)
	p.UntrustedRoot = p.OtherRoot.IntermediateWith("untrusted intermediate", ca).Leaf(valid)
	p.MissingIntermediate = p.Good.WithChain()
	return p
}
