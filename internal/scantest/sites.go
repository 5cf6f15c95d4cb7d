package scantest

import (
	"time"

	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// NewSites makes the corpus's hosts valid at now: api.example.com (port
// 443) and ota.example.org (8443) with leaves from one root's
// intermediate, mqtt.example.net (8883) from another root's.
func NewSites(now time.Time) Sites {
	day := 24 * time.Hour
	ca := testcerts.Template{NotBefore: now.Add(-5 * 365 * day), NotAfter: now.Add(10 * 365 * day)}
	root := testcerts.NewRootWith("clientsecure test root", ca)
	inter := root.IntermediateWith("clientsecure test intermediate", ca)
	mroot := testcerts.NewRootWith("clientsecure test broker root", ca)
	minter := mroot.IntermediateWith("clientsecure test broker intermediate", ca)
	leaf := func(a *testcerts.Authority, name string) *testcerts.Leaf {
		return a.Leaf(testcerts.Template{DNSNames: []string{name}, NotBefore: now.Add(-30 * day), NotAfter: now.Add(60 * day)})
	}
	return Sites{
		"api.example.com":  {Name: "api.example.com", Port: 443, Leaf: leaf(inter, "api.example.com"), Root: root.Cert, Inter: inter.Cert, CA: inter},
		"ota.example.org":  {Name: "ota.example.org", Port: 8443, Leaf: leaf(inter, "ota.example.org"), Root: root.Cert, Inter: inter.Cert, CA: inter},
		"mqtt.example.net": {Name: "mqtt.example.net", Port: 8883, Leaf: leaf(minter, "mqtt.example.net"), Root: mroot.Cert, Inter: minter.Cert, CA: minter},
	}
}
