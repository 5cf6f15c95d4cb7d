package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/scan"
)

// HostResult is what one host sent and how it verified.
type HostResult struct {
	Host scan.Host
	// Sent is what the server presented, leaf first; nil when it could
	// not be contacted.
	Sent []*x509.Certificate
	// Err is why the host could not be contacted.
	Err error
	// Verification is the verdict of Options.Trust on Sent, nil when it
	// did not verify; VerifyErr says why.
	Verification *clientsecure.Verification
	VerifyErr    error
}

// Verified reports whether the chain the host sent verified under the
// trust of the check (system roots, or --ca-file).
func (h *HostResult) Verified() bool { return h.Verification != nil }

// httpProtos are offered to HTTPS hosts. Others get no ALPN: a broker
// that speaks only "mqtt" refuses a client offering HTTP.
var httpProtos = []string{"h2", "http/1.1"}

// contact reaches every host, jobs at a time, each once.
func contact(ctx context.Context, hosts []scan.Host, opts *Options) []*HostResult {
	out := make([]*HostResult, len(hosts))
	sem := make(chan struct{}, opts.jobs())
	var wg sync.WaitGroup
	for i, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i] = &HostResult{Host: h, Err: ctx.Err()}
				return
			}
			defer func() { <-sem }()
			out[i] = fetch(ctx, h, opts)
		}()
	}
	wg.Wait()
	return out
}

// fetch takes the certificates h sends (whatever they are: an invalid
// chain is an answer too) and verifies them.
func fetch(ctx context.Context, h scan.Host, opts *Options) *HostResult {
	r := &HostResult{Host: h}
	dial := opts.Dial
	if dial == nil {
		// The trust's hook is how --resolve points a name elsewhere.
		dial = opts.Trust.DialContext
	}
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	raw, err := dial(ctx, "tcp", h.Addr())
	if err != nil {
		r.Err = err
		return r
	}
	defer raw.Close()
	name := h.Name
	if opts.Trust.ServerName != "" {
		name = opts.Trust.ServerName
	}
	cfg := &tls.Config{
		ServerName: name,
		// The chain is verified below with the project's verifier; here
		// it is only taken, as fingerprint does, so that a stale item can
		// be told from an unreachable host.
		InsecureSkipVerify: true,
		MinVersion:         tls.VersionTLS12,
		Certificates:       opts.Trust.Certificates,
		Time:               opts.Trust.Time,
	}
	if h.ALPN() {
		cfg.NextProtos = httpProtos
	}
	conn := tls.Client(raw, cfg)
	if err := conn.HandshakeContext(ctx); err != nil {
		r.Err = err
		return r
	}
	r.Sent = conn.ConnectionState().PeerCertificates
	conn.Close()
	if len(r.Sent) == 0 {
		r.Err = errors.New("check: the server sent no certificate")
		return r
	}
	r.Verification, r.VerifyErr = opts.Trust.Verify(name, r.Sent)
	if r.VerifyErr != nil {
		r.Verification = nil
	}
	return r
}

// errString is err for a report, "" for nil.
func errString(err error) string {
	if err == nil {
		return ""
	}
	var ie *clientsecure.IdentityError
	if errors.As(err, &ie) {
		return fmt.Sprintf("%v", ie.Reason)
	}
	return err.Error()
}
