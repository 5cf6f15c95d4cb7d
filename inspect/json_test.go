package inspect

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/clientsecure/clientsecure"
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
		Reason   *string `json:"reason"`
		// pin_matched is null without pins: present, decoded as nil.
		PinMatched json.RawMessage `json:"pin_matched"`
		Chain      []struct {
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
	if doc.Reason == nil || *doc.Reason != c.Reason || string(doc.PinMatched) != "null" {
		t.Errorf("reason %v, pin_matched %s; want %q and null", doc.Reason, doc.PinMatched, c.Reason)
	}
	// A Cert reads back what it wrote.
	var back struct {
		Chain []Cert `json:"chain"`
	}
	var again bytes.Buffer
	c.WriteJSON(&again)
	if err := json.Unmarshal(again.Bytes(), &back); err != nil || len(back.Chain) != len(c.Certs) || back.Chain[0].SPKISHA256 != c.Certs[0].SPKISHA256 || back.Chain[0].SHA1 != c.Certs[0].SHA1 {
		t.Errorf("round trip: %v %+v", err, back.Chain)
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
		if *e.SHA1 != want.SHA1.Format(clientsecure.FormatColon) || *e.SHA256 != want.SHA256Colon() || *e.SPKI != want.SPKISHA256.String() || *e.Subject != want.Subject {
			t.Errorf("chain[%d] = %+v, want the facts of %s", i, e, want.Subject)
		}
		if *e.NotAfter != want.NotAfter.Format("2006-01-02T15:04:05Z07:00") {
			t.Errorf("chain[%d].not_after = %s, want RFC 3339 %v", i, *e.NotAfter, want.NotAfter)
		}
	}
}
