package testcerts

import (
	"crypto/x509"
	"time"
)

// Anchors is a small web PKI for choosing trust anchors: three roots,
// one of which cross-signs another (as DST Root CA X3 did ISRG Root X1),
// and servers whose
// chains reach one root, two roots (through the cross-signature), or a
// root outside the candidates, plus one that leaves its intermediate out.
type Anchors struct {
	RootA *Authority // ECDSA; issues InterA
	RootB *Authority // RSA-2048; issues InterB and cross-signs RootA
	RootC *Authority // ECDSA, ends sooner than the others; issues InterC
	Other *Authority // not a candidate; issues Stray

	InterA, InterB, InterC *Authority
	// CrossA is RootA signed by RootB: a chain through InterA reaches
	// RootA and, when CrossA is sent after InterA, RootB.
	CrossA *x509.Certificate

	Cross      *Leaf // issued by InterA, sends InterA then CrossA: verified by RootA and RootB
	OnlyB      *Leaf // ECDSA, issued by InterB: verified by RootB
	OnlyBRSA   *Leaf // the same with an RSA key
	OnlyC      *Leaf // issued by InterC: verified by RootC
	Stray      *Leaf // issued under Other: no candidate verifies it
	Incomplete *Leaf // issued by InterC, sent without InterC
}

// Candidates are the roots a bundle chooses from (Other is not one).
func (a *Anchors) Candidates() []*x509.Certificate {
	return []*x509.Certificate{a.RootA.Cert, a.RootB.Cert, a.RootC.Cert}
}

// NewAnchors makes the PKI valid at now: NewAnchors(Now) for tests on the
// fixed clock, NewAnchors(time.Now()) for end-to-end scripts.
func NewAnchors(now time.Time) *Anchors {
	day := 24 * time.Hour
	ca := func(years int, k Key) Template {
		return Template{NotBefore: now.Add(-365 * day), NotAfter: now.Add(time.Duration(years) * 365 * day), Key: k}
	}
	leaf := func(k Key) Template {
		return Template{NotBefore: now.Add(-30 * day), NotAfter: now.Add(60 * day), Key: k}
	}
	a := &Anchors{
		RootA: NewRootWith("bundle test root A", ca(20, ECDSA)),
		RootB: NewRootWith("bundle test root B", ca(25, RSA2048)),
		RootC: NewRootWith("bundle test root C", ca(15, ECDSA)),
		Other: NewRootWith("bundle test stray root", ca(20, ECDSA)),
	}
	a.InterA = a.RootA.IntermediateWith("bundle test intermediate A", ca(10, ECDSA))
	a.InterB = a.RootB.IntermediateWith("bundle test intermediate B", ca(10, RSA2048))
	a.InterC = a.RootC.IntermediateWith("bundle test intermediate C", ca(10, ECDSA))
	a.CrossA = a.RootB.CrossSign(a.RootA)

	a.Cross = a.InterA.Leaf(leaf(ECDSA))
	a.Cross.Chain = append(a.Cross.Chain, a.CrossA)
	a.OnlyB = a.InterB.Leaf(leaf(ECDSA))
	a.OnlyBRSA = a.InterB.Leaf(leaf(RSA2048))
	a.OnlyC = a.InterC.Leaf(leaf(ECDSA))
	a.Stray = a.Other.IntermediateWith("bundle test stray intermediate", ca(10, ECDSA)).Leaf(leaf(ECDSA))
	a.Incomplete = a.InterC.Leaf(leaf(ECDSA)).WithChain()
	return a
}
