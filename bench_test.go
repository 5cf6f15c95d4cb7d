package clientsecure_test

import (
	"crypto/tls"
	"crypto/x509"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/internal/testcerts"
)

// The benchmarks of issue 9. The pin check must cost under 2% of chain
// verification: compare BenchmarkVerifyConnection's pins=N with its x509
// line (the standard library alone) and pins=0 over -count=10 with
// benchstat; docs/PERFORMANCE.md has the command and the numbers.

func BenchmarkParsePin(b *testing.B) {
	p := testcerts.Shared()
	leaf := clientsecure.CertificatePins(p.Good.Cert)
	forms := []struct{ name, pin string }{
		{"document-sha1", leaf.SHA1.Format(clientsecure.FormatDocument)},
		{"colon-sha256", leaf.SHA256.Format(clientsecure.FormatColon)},
		{"openssl-sha1", leaf.SHA1.Format(clientsecure.FormatOpenSSL)},
		{"okhttp-spki", leaf.SPKI.Format(clientsecure.FormatOkHttp)},
		{"curl-spki", leaf.SPKI.Format(clientsecure.FormatCurl)},
		{"hpkp-spki", leaf.SPKI.Format(clientsecure.FormatHPKP)},
	}
	for _, f := range forms {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := clientsecure.ParsePin(f.pin); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyConnection runs what a handshake runs, on a leaf,
// intermediate and root chain: x509 is the standard library's chain
// verification with the options Trust uses; pins=0 is Trust with no pins
// (the same verification through VerifyConnection); pins=1 pins the leaf
// certificate's SHA-256; pins=3 has two pins that match nothing before a
// root public-key pin, the worst case: every certificate of the chain is
// hashed.
func BenchmarkVerifyConnection(b *testing.B) {
	p := testcerts.Shared()
	wrong := clientsecure.CertificatePins(p.OtherRoot.Cert)
	rootSPKI := clientsecure.CertificatePins(p.Root.Cert).SPKI
	for _, key := range []struct {
		name string
		leaf *testcerts.Leaf
	}{
		{"ECDSA", p.Good},
		{"RSA2048", p.GoodRSA},
	} {
		chain := key.leaf.Chain
		b.Run(key.name+"/x509", func(b *testing.B) {
			roots := testcerts.Pool(p.Root.Cert)
			b.ReportAllocs()
			for b.Loop() {
				if err := verifyX509(chain, roots); err != nil {
					b.Fatal(err)
				}
			}
		})
		leafSHA256 := clientsecure.CertificatePins(chain[0]).SHA256
		for _, pins := range [][]clientsecure.Pin{
			nil,
			{leafSHA256},
			{wrong.SHA256, wrong.SPKI, rootSPKI},
		} {
			b.Run(key.name+"/pins="+strconv.Itoa(len(pins)), func(b *testing.B) {
				trust := &clientsecure.Trust{
					Roots: testcerts.Pool(p.Root.Cert),
					Pins:  pins,
					Time:  func() time.Time { return testcerts.Now },
				}
				verify := trust.VerifyConnection(testcerts.Host)
				cs := tls.ConnectionState{PeerCertificates: chain}
				b.ReportAllocs()
				for b.Loop() {
					if err := verify(cs); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// verifyX509 is plain chain verification, as crypto/tls would do it with
// the same roots, name and clock.
func verifyX509(chain []*x509.Certificate, roots *x509.CertPool) error {
	intermediates := x509.NewCertPool()
	for _, c := range chain[1:] {
		intermediates.AddCert(c)
	}
	_, err := chain[0].Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: intermediates,
		DNSName:       testcerts.Host,
		CurrentTime:   testcerts.Now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	return err
}

// BenchmarkPinOverhead measures what pins add to chain verification
// directly: each iteration verifies the same chain without pins and with
// them, in alternating order, and the metric "%pins" is how much longer
// the median verification with pins takes than the median without. On a
// busy machine this is steadier than subtracting two benchmarks run at
// different moments.
func BenchmarkPinOverhead(b *testing.B) {
	p := testcerts.Shared()
	wrong := clientsecure.CertificatePins(p.OtherRoot.Cert)
	rootSPKI := clientsecure.CertificatePins(p.Root.Cert).SPKI
	chain := p.Good.Chain
	trust := func(pins ...clientsecure.Pin) func(tls.ConnectionState) error {
		t := &clientsecure.Trust{Roots: testcerts.Pool(p.Root.Cert), Pins: pins, Time: func() time.Time { return testcerts.Now }}
		return t.VerifyConnection(testcerts.Host)
	}
	for _, pins := range [][]clientsecure.Pin{
		{clientsecure.CertificatePins(chain[0]).SHA256},
		{wrong.SHA256, wrong.SPKI, rootSPKI},
	} {
		b.Run("pins="+strconv.Itoa(len(pins)), func(b *testing.B) {
			plain, pinned := trust(), trust(pins...)
			cs := tls.ConnectionState{PeerCertificates: chain}
			var without, with []time.Duration
			timed := func(verify func(tls.ConnectionState) error, into *[]time.Duration) {
				start := time.Now()
				if err := verify(cs); err != nil {
					b.Fatal(err)
				}
				*into = append(*into, time.Since(start))
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if i%2 == 0 {
					timed(plain, &without)
					timed(pinned, &with)
				} else {
					timed(pinned, &with)
					timed(plain, &without)
				}
			}
			base := median(without)
			b.ReportMetric(100*float64(median(with)-base)/float64(base), "%pins")
		})
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
