package clientsecure_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// Pinning attacks, beyond TestSPKIPinIgnoresUnverifiedExtras (a pinned
// key appended to a chain that verifies).

// Where no chain to an anchor is built (pin-only, insecure with pins), a
// public-key pin matches any certificate the server sent, as DESIGN.md
// specifies. A CA's certificate is public, so anyone can append it: this
// test pins down that known weakness (CVE-2016-2402's shape without
// anchors), which docs/SECURITY.md tells users to avoid by pinning the
// leaf in these modes. Outside them, TestSPKIPinIgnoresUnverifiedExtras
// shows the attack fails.
func TestCAPinWithoutAnchorsMatchesAnySentCertificate(t *testing.T) {
	t.Parallel()
	p := testcerts.Shared()
	interSPKI := clientsecure.CertificatePins(p.Intermediate.Cert).SPKI
	rootSPKI := clientsecure.CertificatePins(p.Root.Cert).SPKI
	// An attacker's CA with the very name of the real intermediate: the
	// names chain, the signature does not.
	impostor := testcerts.NewRoot("clientsecure test intermediate")
	if !bytes.Equal(impostor.Cert.RawSubject, p.Intermediate.Cert.RawSubject) {
		t.Fatalf("the impostor is %s, not %s", impostor.Cert.Subject, p.Intermediate.Cert.Subject)
	}
	for _, tc := range []struct {
		name string
		leaf *testcerts.Leaf
		pin  clientsecure.Pin
		want clientsecure.Reason
	}{
		{"the pinned intermediate signed the leaf", p.Good, interSPKI, ok},
		{"the root, sent too, signed the intermediate", p.Good.WithChain(p.Intermediate.Cert, p.Root.Cert), rootSPKI, ok},
		{"the chain sent out of order", p.Good.WithChain(p.Root.Cert, p.Intermediate.Cert), rootSPKI, ok},
		{"the root not sent", p.Good, rootSPKI, mismatch},
		{"self-signed leaf + the pinned intermediate appended", p.SelfSigned.WithChain(p.Intermediate.Cert), interSPKI, ok},
		{"another CA's leaf + the pinned intermediate appended", p.UntrustedRoot.WithChain(p.Intermediate.Cert), interSPKI, ok},
		{"impostor's leaf + the real intermediate, same name", impostor.Leaf(testcerts.Template{}).WithChain(p.Intermediate.Cert), interSPKI, ok},
		{"the pinned intermediate appended after the impostor", impostor.Leaf(testcerts.Template{}).WithChain(impostor.Cert, p.Intermediate.Cert), interSPKI, ok},
		{"a leaf pin is not fooled: the impostor's leaf", impostor.Leaf(testcerts.Template{}).WithChain(p.Intermediate.Cert), clientsecure.CertificatePins(p.Good.Cert).SPKI, mismatch},
	} {
		for _, mode := range []string{"pin-only", "insecure"} {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				t.Parallel()
				trust := &clientsecure.Trust{PinOnly: mode == "pin-only", Insecure: mode == "insecure", Pins: []clientsecure.Pin{tc.pin}}
				trust.Time = func() time.Time { return testcerts.Now }
				trust.ServerName = testcerts.Host
				checkOutcome(t, startServer(t, tc.leaf, 0), trust, tc.want)
			})
		}
	}
}

// An unrelated certificate appended to a good chain changes nothing where
// a chain is verified: the chain still verifies, the verified chain does
// not hold it, and a pin of it does not match. Pin-only and insecure
// match what was sent (DESIGN.md).
func TestUnrelatedCertificateAppended(t *testing.T) {
	t.Parallel()
	p := testcerts.Shared()
	extra := p.UntrustedRoot.Cert // a leaf of another PKI
	served := p.Good.WithChain(p.Intermediate.Cert, extra, p.OtherRoot.Cert)
	srv := startServer(t, served, 0)
	extraSPKI := clientsecure.CertificatePins(extra).SPKI
	extraSHA1 := clientsecure.CertificatePins(extra).SHA1
	roots := testcerts.Pool(p.Root.Cert)

	v, err := (&clientsecure.Trust{Roots: roots, Time: func() time.Time { return testcerts.Now }}).Verify(testcerts.Host, served.Chain)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range v.Chain {
		if c.Equal(extra) || c.Equal(p.OtherRoot.Cert) {
			t.Errorf("the verified chain holds the appended %s", c.Subject)
		}
	}
	for _, tc := range []struct {
		name  string
		trust *clientsecure.Trust
		want  clientsecure.Reason
	}{
		{"anchors", &clientsecure.Trust{Roots: roots}, ok},
		{"anchors + the leaf's pin", &clientsecure.Trust{Roots: roots, Pins: []clientsecure.Pin{pinsOf(p.Good, 0).SHA1}}, ok},
		{"anchors + the extra's key", &clientsecure.Trust{Roots: roots, Pins: []clientsecure.Pin{extraSPKI}}, mismatch},
		{"anchors + the extra's fingerprint", &clientsecure.Trust{Roots: roots, Pins: []clientsecure.Pin{extraSHA1}}, mismatch},
		{"pin-only + the extra's key", &clientsecure.Trust{PinOnly: true, Pins: []clientsecure.Pin{extraSPKI}}, ok},
		{"insecure + the extra's key", &clientsecure.Trust{Insecure: true, Pins: []clientsecure.Pin{extraSPKI}}, ok},
		{"pin-only + the extra's fingerprint", &clientsecure.Trust{PinOnly: true, Pins: []clientsecure.Pin{extraSHA1}}, mismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOutcome(t, srv, policy(tc.trust), tc.want)
		})
	}
}

// A server sending hundreds of certificates gets a readable error: one
// line, however many it sent (the command lists the first MaxListed and
// counts the rest: cmd/clientsecure's TestDescribeIdentityManyCerts).
func TestManyCertificatesAppended(t *testing.T) {
	t.Parallel()
	p := testcerts.Shared()
	chain := []*x509.Certificate{p.Intermediate.Cert}
	for range 300 {
		chain = append(chain, p.OtherRoot.Cert)
	}
	served := p.Good.WithChain(chain...)
	wrong, _ := clientsecure.ParsePin(docSHA1)
	_, err := clientsecure.Dial(ctx(t), "tcp", startServer(t, served, 0).addr,
		policy(&clientsecure.Trust{Roots: testcerts.Pool(p.Root.Cert), Pins: []clientsecure.Pin{wrong}}))
	var ie *clientsecure.IdentityError
	if !errors.As(err, &ie) || ie.Reason != mismatch || len(ie.Presented) != 302 {
		t.Fatalf("got %v", err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || len(msg) > 200 {
		t.Errorf("message is not one short line:\n%s", msg)
	}
}

// A resumed session is verified again under the policy of the connection
// that resumes it: a pin that no longer matches refuses it (crypto/tls
// does not check pins, and skips its own chain check on resumption once
// InsecureSkipVerify is set, which Trust.Config does). A leaf that has
// expired since is refused too: crypto/tls drops the session by the
// Trust's clock, and the full handshake fails verification.
func TestResumedSessionsAreVerifiedAgain(t *testing.T) {
	t.Parallel()
	p := testcerts.Shared()
	wrong, _ := clientsecure.ParsePin(docSHA1)
	// Valid for an hour after testcerts.Now: a session made then is still
	// within its ticket's lifetime when the leaf has expired.
	shortLived := p.Intermediate.Leaf(testcerts.Template{NotBefore: testcerts.Now.Add(-time.Hour), NotAfter: testcerts.Now.Add(time.Hour)})
	samePolicy := func(t *clientsecure.Trust) *clientsecure.Trust { return t }
	for _, v := range versions {
		for _, tc := range []struct {
			name  string
			leaf  *testcerts.Leaf
			later func(*clientsecure.Trust) *clientsecure.Trust // the policy of the resuming connection
			clock time.Time                                     // its time
			want  clientsecure.Reason
			fresh bool // a full handshake, not a resumption
		}{
			{"same policy resumes", p.Good, samePolicy, testcerts.Now, ok, false},
			{"wrong pin", p.Good, func(t *clientsecure.Trust) *clientsecure.Trust {
				return &clientsecure.Trust{Roots: t.Roots, Pins: []clientsecure.Pin{wrong}}
			}, testcerts.Now, mismatch, false},
			{"insecure with a wrong pin", p.Good, func(*clientsecure.Trust) *clientsecure.Trust {
				return &clientsecure.Trust{Insecure: true, Pins: []clientsecure.Pin{wrong}}
			}, testcerts.Now, mismatch, false},
			{"leaf expired since", shortLived, samePolicy, testcerts.Now.Add(2 * time.Hour), expired, true},
		} {
			t.Run(v.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				srv := startServer(t, tc.leaf, v.version)
				var now atomic.Pointer[time.Time]
				now.Store(&testcerts.Now)
				clock := func() time.Time { return *now.Load() }
				cache := tls.NewLRUClientSessionCache(4)
				var resumed atomic.Bool
				dial := func(trust *clientsecure.Trust) (*tls.Conn, error) {
					cfg := trust.Config(testcerts.Host)
					cfg.ClientSessionCache = cache
					verify := cfg.VerifyConnection
					cfg.VerifyConnection = func(cs tls.ConnectionState) error {
						resumed.Store(cs.DidResume)
						return verify(cs)
					}
					conn := tls.Client(dialTCP(t, srv.addr), cfg)
					return conn, conn.HandshakeContext(ctx(t))
				}
				first := &clientsecure.Trust{Roots: testcerts.Pool(p.Root.Cert), Time: clock}
				conn, err := dial(first)
				if err != nil {
					t.Fatal(err)
				}
				roundTrip(t, conn) // TLS 1.3 tickets come after the handshake
				conn.Close()

				later := tc.later(first)
				later.Time = clock
				at := tc.clock
				now.Store(&at)
				before := srv.received.Load()
				conn, err = dial(later)
				if resumed.Load() == tc.fresh {
					t.Fatalf("resumed = %v, want %v (%v)", resumed.Load(), !tc.fresh, err)
				}
				if tc.want == ok {
					if err != nil {
						t.Fatal(err)
					}
					roundTrip(t, conn)
					conn.Close()
					return
				}
				var ie *clientsecure.IdentityError
				if !errors.As(err, &ie) || ie.Reason != tc.want {
					t.Fatalf("want %v on resumption, got %v", tc.want, err)
				}
				if got := srv.received.Load() - before; got != 0 {
					t.Errorf("refused server received %d application bytes", got)
				}
			})
		}
	}
}

// dialTCP connects to addr on loopback, closed when the test ends.
func dialTCP(t *testing.T, addr string) net.Conn {
	t.Helper()
	var d net.Dialer
	c, err := d.DialContext(ctx(t), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
