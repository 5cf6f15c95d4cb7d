package clientsecure_test

import (
	"bufio"
	"crypto/tls"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

func pinsOf(leaf *testcerts.Leaf, i int) clientsecure.CertPins {
	return clientsecure.CertificatePins(leaf.Chain[i])
}

// ok is the expected outcome "verified"; any other value is the reason the
// identity check must fail with.
const ok clientsecure.Reason = 0

func TestTrustModes(t *testing.T) {
	p := testcerts.Shared()
	roots := testcerts.Pool(p.Root.Cert)
	good := p.Good
	leafSHA1 := pinsOf(good, 0).SHA1
	leafSHA256 := pinsOf(good, 0).SHA256
	leafSPKI := pinsOf(good, 0).SPKI
	interSPKI := pinsOf(good, 1).SPKI
	rootSPKI := clientsecure.CertificatePins(p.Root.Cert).SPKI
	otherRootSPKI := clientsecure.CertificatePins(p.OtherRoot.Cert).SPKI
	wrong, _ := clientsecure.ParsePin("CF 05 98 89 CA FF 8E D8 5E 5C E0 C2 E4 F7 E6 C3 C7 50 DD 5C")

	modes := []struct {
		name  string
		trust *clientsecure.Trust
	}{
		{"anchors", &clientsecure.Trust{Roots: roots}},
		{"intermediate-anchor", &clientsecure.Trust{Roots: testcerts.Pool(p.Intermediate.Cert)}},
		{"anchors+leaf-sha1", &clientsecure.Trust{Roots: roots, Pins: []clientsecure.Pin{leafSHA1}}},
		{"anchors+leaf-sha256", &clientsecure.Trust{Roots: roots, Pins: []clientsecure.Pin{leafSHA256}}},
		{"anchors+root-spki", &clientsecure.Trust{Roots: roots, Pins: []clientsecure.Pin{rootSPKI}}},
		{"anchors+wrong+backup", &clientsecure.Trust{Roots: roots, Pins: []clientsecure.Pin{wrong, interSPKI}}},
		{"anchors+wrong", &clientsecure.Trust{Roots: roots, Pins: []clientsecure.Pin{wrong}}},
		{"pin-only-sha1", &clientsecure.Trust{PinOnly: true, Pins: []clientsecure.Pin{leafSHA1}}},
		{"pin-only-spki", &clientsecure.Trust{PinOnly: true, Pins: []clientsecure.Pin{leafSPKI}}},
		{"insecure", &clientsecure.Trust{Insecure: true}},
		{"insecure+wrong", &clientsecure.Trust{Insecure: true, Pins: []clientsecure.Pin{otherRootSPKI}}},
	}
	// Expected outcome per mode for each server. Pin modes pin Good's
	// certificates, so every other leaf mismatches them.
	cases := []struct {
		name string
		leaf *testcerts.Leaf
		want map[string]clientsecure.Reason
	}{
		{"good", good, map[string]clientsecure.Reason{
			"anchors+wrong": clientsecure.ReasonPinMismatch, "insecure+wrong": clientsecure.ReasonPinMismatch,
		}},
		{"good-rsa", p.GoodRSA, map[string]clientsecure.Reason{
			"anchors+leaf-sha1": clientsecure.ReasonPinMismatch, "anchors+leaf-sha256": clientsecure.ReasonPinMismatch,
			"anchors+wrong": clientsecure.ReasonPinMismatch, "pin-only-sha1": clientsecure.ReasonPinMismatch,
			"pin-only-spki": clientsecure.ReasonPinMismatch, "insecure+wrong": clientsecure.ReasonPinMismatch,
		}},
		{"expired", p.Expired, badChain(clientsecure.ReasonExpired)},
		{"not-yet-valid", p.NotYetValid, badChain(clientsecure.ReasonNotYetValid)},
		{"wrong-host", p.WrongHost, badChain(clientsecure.ReasonWrongHost)},
		{"self-signed", p.SelfSigned, badChain(clientsecure.ReasonUnknownAuthority)},
		{"untrusted-root", p.UntrustedRoot, badChain(clientsecure.ReasonUnknownAuthority)},
		{"missing-intermediate", p.MissingIntermediate, map[string]clientsecure.Reason{
			// The leaf alone cannot chain to the root, but it is Good's
			// leaf, so the leaf pins match without a chain, and the
			// intermediate anchor needs no intermediate sent.
			"anchors": clientsecure.ReasonUnknownAuthority, "anchors+leaf-sha1": clientsecure.ReasonUnknownAuthority,
			"anchors+leaf-sha256": clientsecure.ReasonUnknownAuthority, "anchors+root-spki": clientsecure.ReasonUnknownAuthority,
			"anchors+wrong+backup": clientsecure.ReasonUnknownAuthority, "anchors+wrong": clientsecure.ReasonUnknownAuthority,
			"insecure+wrong": clientsecure.ReasonPinMismatch,
		}},
	}
	for _, v := range versions {
		for _, c := range cases {
			srv := startServer(t, c.leaf, v.version)
			for _, m := range modes {
				t.Run(v.name+"/"+c.name+"/"+m.name, func(t *testing.T) {
					ie := checkOutcome(t, srv, policy(m.trust), c.want[m.name])
					if ie != nil && (ie.Host != "localhost" || len(ie.Presented) != len(c.leaf.Chain)) {
						t.Errorf("error names host %q and %d certificates", ie.Host, len(ie.Presented))
					}
				})
			}
		}
	}
}

// badChain: every chain-checking mode fails with reason; pin-only passes
// only if the pins match, which they do not (they pin Good); insecure
// passes.
func badChain(reason clientsecure.Reason) map[string]clientsecure.Reason {
	m := map[string]clientsecure.Reason{
		"pin-only-sha1": clientsecure.ReasonPinMismatch, "pin-only-spki": clientsecure.ReasonPinMismatch,
		"insecure+wrong": clientsecure.ReasonPinMismatch,
	}
	for _, mode := range []string{"anchors", "intermediate-anchor", "anchors+leaf-sha1", "anchors+leaf-sha256", "anchors+root-spki", "anchors+wrong+backup", "anchors+wrong"} {
		m[mode] = reason
	}
	return m
}

// policy is a fresh Trust with p's rules, verifying as of testcerts.Now
// for localhost. (A Trust is not copied once used: it holds its session
// cache.)
func policy(p *clientsecure.Trust) *clientsecure.Trust {
	return &clientsecure.Trust{
		Roots: p.Roots, Pins: p.Pins, PinOnly: p.PinOnly, Insecure: p.Insecure,
		Time:       func() time.Time { return testcerts.Now },
		ServerName: "localhost",
	}
}

func roundTrip(t *testing.T, conn *tls.Conn) {
	t.Helper()
	if _, err := conn.Write([]byte("ping\n")); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || line != "ok\n" {
		t.Fatalf("reply %q, %v", line, err)
	}
}

// A public-key pin present among the certificates sent but outside the
// verified chain must not match (OkHttp's CVE-2016-2402): an attacker with
// any valid certificate appends the pinned one.
func TestSPKIPinIgnoresUnverifiedExtras(t *testing.T) {
	p := testcerts.Shared()
	// A good chain that verifies, with the other root's certificate
	// appended: its key is what the client pinned.
	attack := p.Good.WithChain(p.Intermediate.Cert, p.OtherRoot.Cert)
	pinned := clientsecure.CertificatePins(p.OtherRoot.Cert).SPKI
	srv := startServer(t, attack, 0)
	for _, tc := range []struct {
		name  string
		trust *clientsecure.Trust
		want  clientsecure.Reason
	}{
		{"verified chain", &clientsecure.Trust{Roots: testcerts.Pool(p.Root.Cert), Pins: []clientsecure.Pin{pinned}}, clientsecure.ReasonPinMismatch},
		// Without a verified chain, DESIGN.md has the pin match any
		// certificate sent: the reason to pin a leaf in these modes.
		{"pin-only matches what was sent", &clientsecure.Trust{PinOnly: true, Pins: []clientsecure.Pin{pinned}}, ok},
		{"insecure with the pin likewise", &clientsecure.Trust{Insecure: true, Pins: []clientsecure.Pin{pinned}}, ok},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOutcome(t, srv, policy(tc.trust), tc.want)
		})
	}
}

// Resumed sessions are verified again: VerifyConnection runs on them.
func TestResumptionIsVerified(t *testing.T) {
	p := testcerts.Shared()
	for _, v := range versions {
		t.Run(v.name, func(t *testing.T) {
			srv := startServer(t, p.Good, v.version)
			trust := &clientsecure.Trust{Roots: testcerts.Pool(p.Root.Cert), Time: func() time.Time { return testcerts.Now }, ServerName: "localhost"}
			var resumed bool
			for range 3 {
				conn, err := clientsecure.Dial(ctx(t), "tcp", srv.addr, trust)
				if err != nil {
					t.Fatal(err)
				}
				roundTrip(t, conn) // TLS 1.3 tickets arrive after the handshake
				resumed = resumed || conn.ConnectionState().DidResume
				conn.Close()
			}
			if !resumed {
				t.Fatal("no session was resumed")
			}
			// The same cached session offered under a policy that refuses
			// the server must still be refused.
			cfg := trust.Config("localhost")
			strict := &clientsecure.Trust{Roots: testcerts.Pool(p.OtherRoot.Cert), Time: trust.Time}
			cfg.VerifyConnection = strict.VerifyConnection("localhost")
			conn, err := tls.Dial("tcp", srv.addr, cfg)
			var ie *clientsecure.IdentityError
			if !errors.As(err, &ie) || ie.Reason != clientsecure.ReasonUnknownAuthority {
				if conn != nil {
					t.Errorf("resumed=%v", conn.ConnectionState().DidResume)
					conn.Close()
				}
				t.Fatalf("want unknown authority on resumption, got %v", err)
			}
		})
	}
}

// An identity error is one line, as crypto/tls's are; the detail is in
// its fields, from which the command renders its listing and hint.
func TestIdentityErrorMessage(t *testing.T) {
	p := testcerts.Shared()
	srv := startServer(t, p.Good, 0)
	wrong, _ := clientsecure.ParsePin("CF 05 98 89 CA FF 8E D8 5E 5C E0 C2 E4 F7 E6 C3 C7 50 DD 5C")
	trust := &clientsecure.Trust{Roots: testcerts.Pool(p.Root.Cert), Pins: []clientsecure.Pin{wrong}, Time: func() time.Time { return testcerts.Now }}
	_, err := clientsecure.Dial(ctx(t), "tcp", srv.addr, trust)
	var ie *clientsecure.IdentityError
	if !errors.As(err, &ie) {
		t.Fatalf("wrong pin accepted, or not an IdentityError: %v", err)
	}
	if got, want := err.Error(), "clientsecure: identity of 127.0.0.1 not verified: certificate pin mismatch"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if ie.Host != "127.0.0.1" || ie.Addr != srv.addr || ie.Reason != clientsecure.ReasonPinMismatch {
		t.Errorf("host %q addr %q reason %v, want 127.0.0.1 %s pin mismatch", ie.Host, ie.Addr, ie.Reason, srv.addr)
	}
	if len(ie.Pins) != 1 || ie.Pins[0] != wrong {
		t.Errorf("pins %v, want the one expected", ie.Pins)
	}
	if len(ie.Presented) != 2 || !ie.Presented[0].Equal(p.Good.Cert) || !ie.Presented[1].Equal(p.Intermediate.Cert) {
		t.Errorf("presented %d certificates, want the leaf and the intermediate", len(ie.Presented))
	}
}

// Verify called directly knows no address.
func TestIdentityErrorWithoutAddr(t *testing.T) {
	p := testcerts.Shared()
	_, err := (&clientsecure.Trust{Roots: testcerts.Pool(p.OtherRoot.Cert), Time: func() time.Time { return testcerts.Now }}).Verify("localhost", p.Good.Chain)
	var ie *clientsecure.IdentityError
	if !errors.As(err, &ie) || ie.Addr != "" || strings.Contains(err.Error(), "\n") {
		t.Fatalf("got %#v", err)
	}
	if !strings.Contains(err.Error(), "certificate signed by unknown authority (issuer CN=clientsecure test root,O=clientsecure tests is not a trusted root)") {
		t.Errorf("Error() = %q lacks the issuer in its detail", err)
	}
}

func TestPinOnlyNeedsPins(t *testing.T) {
	_, err := (&clientsecure.Trust{PinOnly: true}).Verify("localhost", testcerts.Shared().Good.Chain)
	if err == nil || !strings.Contains(err.Error(), "needs at least one pin") {
		t.Fatalf("got %v", err)
	}
}
