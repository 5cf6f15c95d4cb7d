package inspect

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestJSONContract decodes the JSON with exactly the fields DESIGN.md fixes
// and checks that they carry the chain's facts.
func TestJSONContract(t *testing.T) {
	g := golden()[0]
	c := g.chain(t)
	var out bytes.Buffer
	if err := c.WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Host     *string `json:"host"`
		Port     *int    `json:"port"`
		Verified *bool   `json:"verified"`
		Chain    []struct {
			Subject     *string   `json:"subject"`
			Issuer      *string   `json:"issuer"`
			DNSNames    *[]string `json:"dns_names"`
			IPAddresses *[]string `json:"ip_addresses"`
			NotBefore   *string   `json:"not_before"`
			NotAfter    *string   `json:"not_after"`
			KeyType     *string   `json:"key_type"`
			KeyBits     *int      `json:"key_bits"`
			SHA1        *string   `json:"sha1"`
			SHA256      *string   `json:"sha256"`
			SPKI        *string   `json:"spki_sha256"`
		} `json:"chain"`
	}
	dec := json.NewDecoder(&out)
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Host == nil || *doc.Host != c.Host || doc.Port == nil || *doc.Port != c.Port || doc.Verified == nil || *doc.Verified != c.Verified {
		t.Errorf("host/port/verified missing or wrong: %+v", doc)
	}
	if len(doc.Chain) != len(c.Certs) {
		t.Fatalf("%d chain entries, want %d", len(doc.Chain), len(c.Certs))
	}
	for i, e := range doc.Chain {
		want := c.Certs[i]
		if e.Subject == nil || e.Issuer == nil || e.DNSNames == nil || e.IPAddresses == nil || e.NotBefore == nil ||
			e.NotAfter == nil || e.KeyType == nil || e.KeyBits == nil || e.SHA1 == nil || e.SHA256 == nil || e.SPKI == nil {
			t.Fatalf("chain[%d] lacks a field: %+v", i, e)
		}
		if *e.SHA1 != want.SHA1 || *e.SHA256 != want.SHA256 || *e.SPKI != want.SPKISHA256 || *e.Subject != want.Subject {
			t.Errorf("chain[%d] = %+v, want the facts of %s", i, e, want.Subject)
		}
		if *e.NotAfter != want.NotAfter.Format("2006-01-02T15:04:05Z07:00") {
			t.Errorf("chain[%d].not_after = %s, want RFC 3339 %v", i, *e.NotAfter, want.NotAfter)
		}
	}
}
