package probe

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"sync"
	"time"
)

// ticketWait bounds the wait for a TLS 1.3 session ticket, which comes
// after the handshake; servers send it at once, so the wait is only spent
// on a server that sends none.
const ticketWait = 2 * time.Second

// scanVersions are tried highest first: the first is the likeliest to
// succeed, and its failure to even connect ends the probe early.
var scanVersions = []uint16{tls.VersionTLS13, tls.VersionTLS12, tls.VersionTLS11, tls.VersionTLS10}

// handshake completes one crypto/tls handshake at exactly version and
// closes the connection (close_notify) without sending any data, keeping
// any session in cache; a TLS 1.3 connection waits for the session ticket.
func (p *prober) handshake(ctx context.Context, version uint16, cache *ticketCache) (tls.ConnectionState, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	conn, err := p.dial(ctx)
	if err != nil {
		return tls.ConnectionState{}, err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline) //nolint:errcheck // HandshakeContext watches ctx too
	}
	cfg := &tls.Config{
		ServerName:   p.serverName,
		MinVersion:   version, // Go's client refuses 1.0 and 1.1 unless asked
		MaxVersion:   version,
		CipherSuites: allCipherSuites(),
		NextProtos:   []string{"h2", "http/1.1"},
		Certificates: p.opts.Certificates,
		Time:         p.opts.Time,
		// Capability is measured whoever the server is; its identity
		// is checked (and reported) by p.verify, inside the handshake.
		InsecureSkipVerify: true,
		VerifyConnection:   p.verify,
		ClientSessionCache: cache,
	}
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return tls.ConnectionState{}, ctxErr(ctx, fmt.Errorf("probe: TLS %s handshake: %w", versionName(version), err))
	}
	if version == tls.VersionTLS13 {
		awaitTicket(ctx, tc, cache)
	}
	state := tc.ConnectionState()
	tc.Close()
	return state, nil
}

// verify runs the caller's VerifyConnection and keeps its first verdict,
// letting the handshake go on whatever it says: the probe sends nothing
// that an impostor could learn from.
func (p *prober) verify(cs tls.ConnectionState) error {
	if p.opts.VerifyConnection == nil || p.verified {
		return nil
	}
	p.verified = true
	p.identityErr = p.opts.VerifyConnection(cs)
	return nil
}

// allCipherSuites is every suite crypto/tls calls secure, RSA key exchange
// included (Go leaves those out by default): the point is to learn what
// the server accepts.
func allCipherSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}

// ticketCache is a session cache that says when a session was stored.
type ticketCache struct {
	tls.ClientSessionCache
	once   sync.Once
	stored chan struct{} // closed when the first session is stored
}

func newTicketCache() *ticketCache {
	return &ticketCache{ClientSessionCache: tls.NewLRUClientSessionCache(4), stored: make(chan struct{})}
}

func (c *ticketCache) Put(key string, cs *tls.ClientSessionState) {
	c.ClientSessionCache.Put(key, cs)
	if cs != nil {
		c.once.Do(func() { close(c.stored) })
	}
}

// has reports whether a session was ever stored.
func (c *ticketCache) has() bool {
	select {
	case <-c.stored:
		return true
	default:
		return false
	}
}

// awaitTicket reads from a TLS 1.3 connection until a session ticket is
// stored, the server sends or closes anything, or ticketWait (or ctx) ends:
// crypto/tls handles post-handshake messages only while reading.
func awaitTicket(ctx context.Context, tc *tls.Conn, cache *ticketCache) {
	deadline := time.Now().Add(ticketWait)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	tc.SetReadDeadline(deadline) //nolint:errcheck // a failed Read ends the wait all the same
	done := make(chan struct{})
	go func() {
		defer close(done)
		var b [1]byte
		tc.Read(b[:]) //nolint:errcheck // only its side effect, the ticket, matters
	}()
	select {
	case <-cache.stored:
	case <-done:
	case <-ctx.Done():
	}
	tc.SetReadDeadline(time.Now()) //nolint:errcheck // unblocks the Read
	<-done
}

// keyFacts names a certificate's public key type and size.
func keyFacts(cert *x509.Certificate) (string, int) {
	switch k := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 256
	}
	return cert.PublicKeyAlgorithm.String(), 0
}
