package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrUnreachable is wrapped by Run's error when no TCP connection to the
// server could be made at all.
var ErrUnreachable = errors.New("probe: server unreachable")

// Options tune Run. The zero value probes with nothing verified.
type Options struct {
	// ServerName is sent as SNI and is the name session tickets are kept
	// under; empty means the host (no SNI is sent for an IP address).
	ServerName string
	// VerifyConnection, when set, checks the server's identity. It runs
	// inside each handshake, as in tls.Config (with InsecureSkipVerify
	// set, so it must verify the chain itself), and its first verdict is
	// reported in Result.Identity; a failure does not stop the probe.
	VerifyConnection func(tls.ConnectionState) error
	// Certificates are offered to a server that asks for a client
	// certificate (mutual TLS).
	Certificates []tls.Certificate
	// DialContext opens the TCP connections; nil uses a net.Dialer.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// Time is the client's clock, as in tls.Config: crypto/tls will not
	// resume a session whose certificate has expired by it. nil means
	// time.Now; a caller verifying "as of" another time passes that.
	Time func() time.Time
	// Trace, when set, is told the outcome of each probe as it ends
	// ("TLS 1.3: accepted, TLS_AES_128_GCM_SHA256"), for a -v trace.
	Trace func(line string)
	// ProbeTimeout bounds each connection; 0 means 10 seconds. The
	// context given to Run bounds them all.
	ProbeTimeout time.Duration
}

// prober holds what the probes of one Run share.
type prober struct {
	opts        Options
	addr        string
	serverName  string
	timeout     time.Duration
	dialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	remote      string

	verified    bool // the verifier ran
	identityErr error
}

// Run probes host:port: the capability scan over crypto/tls, then the
// max_fragment_length and record_size_limit probes. Each probe that fails
// is listed in Result.Errors and the others go on. The error is not nil
// when the server could not be reached (wrapping [ErrUnreachable]) or no
// probe got a TLS answer; the Result then says what is known.
func Run(ctx context.Context, host string, port int, opts Options) (*Result, error) {
	if host == "" {
		return nil, errors.New("probe: no host given")
	}
	if port < 1 || port > 65535 {
		return nil, fmt.Errorf("probe: port %d is not between 1 and 65535", port)
	}
	p := &prober{opts: opts, addr: net.JoinHostPort(host, strconv.Itoa(port)), serverName: opts.ServerName,
		timeout: opts.ProbeTimeout, dialContext: opts.DialContext}
	if p.serverName == "" {
		p.serverName = host
	}
	if p.timeout <= 0 {
		p.timeout = 10 * time.Second
	}
	if p.dialContext == nil {
		p.dialContext = (&net.Dialer{}).DialContext
	}
	sni, err := sniName(p.serverName)
	if err != nil {
		return nil, err
	}
	r := &Result{Host: host, Port: port, ServerName: sni, TLSVersions: []string{}, Ciphers: map[string]string{},
		Resumption: map[string]bool{}, MaxFragmentLength: FragmentSupport{}, Fragments: []FragmentProbe{}}

	caches, err := p.scan(ctx, r)
	if err != nil {
		return r, err
	}
	p.resumption(ctx, r, caches)
	answered := len(r.TLSVersions) > 0 || len(r.RefusedVersions) > 0
	for _, size := range fragmentLengths {
		if p.fragment(ctx, r, size) {
			answered = true
		}
	}
	if p.recordSizeLimit(ctx, r) {
		answered = true
	}
	r.Address = p.remote
	p.identity(r)
	p.esp8266(r)
	if !answered {
		return r, fmt.Errorf("probe: %s did not answer TLS: %s", p.addr, noTLSReason(r))
	}
	return r, nil
}

// scan shakes hands at each version, highest first, and records the
// certificate facts from the first success. It returns the session caches
// of TLS 1.2 and 1.3 for the resumption probe, and an error only when the
// very first connection could not be made.
func (p *prober) scan(ctx context.Context, r *Result) (map[uint16]*ticketCache, error) {
	caches := map[uint16]*ticketCache{}
	var accepted []uint16
	for i, v := range scanVersions {
		name := "tls " + versionName(v)
		if cause := context.Cause(ctx); cause != nil {
			r.fail(name, fmt.Errorf("probe: not run: %w", cause))
			continue
		}
		cache := newTicketCache()
		state, err := p.handshake(ctx, v, cache)
		if reason, ok := refusal(err); ok {
			p.trace("TLS %s: refused: %v", versionName(v), err)
			r.refuse(versionName(v), reason)
			continue
		}
		if err != nil {
			p.trace("TLS %s: failed: %v", versionName(v), err)
			r.fail(name, err)
			if i == 0 && errors.Is(err, ErrUnreachable) {
				return nil, err
			}
			continue
		}
		p.trace("TLS %s: accepted, %s", versionName(v), tls.CipherSuiteName(state.CipherSuite))
		if len(accepted) == 0 {
			r.certificate(state)
		}
		accepted = append(accepted, v)
		r.Ciphers[versionName(v)] = tls.CipherSuiteName(state.CipherSuite)
		if v >= tls.VersionTLS12 {
			caches[v] = cache
		}
	}
	slices.Sort(accepted)
	for _, v := range accepted {
		r.TLSVersions = append(r.TLSVersions, versionName(v))
	}
	return caches, nil
}

// certificate records the facts of the handshake at the highest version.
func (r *Result) certificate(state tls.ConnectionState) {
	r.ALPN = state.NegotiatedProtocol
	r.OCSPStapled = len(state.OCSPResponse) > 0
	r.ChainCertificates = len(state.PeerCertificates)
	for _, c := range state.PeerCertificates {
		r.ChainBytes += len(c.Raw)
	}
	if len(state.PeerCertificates) > 0 {
		r.KeyType, r.KeyBits = keyFacts(state.PeerCertificates[0])
	}
}

// resumption connects again at TLS 1.2 and 1.3 with the first
// connection's session, when the server issued one.
func (p *prober) resumption(ctx context.Context, r *Result, caches map[uint16]*ticketCache) {
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		cache, ok := caches[v]
		if !ok {
			continue
		}
		name := versionName(v)
		if !cache.has() { // no ticket issued: nothing to resume
			r.Resumption[name] = false
			continue
		}
		state, err := p.handshake(ctx, v, cache)
		if err != nil {
			r.fail("resumption "+name, err)
		}
		r.Resumption[name] = err == nil && state.DidResume
		p.trace("resumption at TLS %s: %v", name, r.Resumption[name])
	}
}

// dial opens a TCP connection to the server.
func (p *prober) dial(ctx context.Context) (net.Conn, error) {
	conn, err := p.dialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, &dialError{addr: p.addr, err: err}
	}
	if p.remote == "" {
		p.remote = conn.RemoteAddr().String()
	}
	return conn, nil
}

// dialError is a failure to open the TCP connection itself.
type dialError struct {
	addr string
	err  error
}

func (e *dialError) Error() string {
	return "probe: cannot connect to " + e.addr + ": " + e.err.Error()
}
func (e *dialError) Unwrap() error        { return e.err }
func (e *dialError) Is(target error) bool { return target == ErrUnreachable }

func (p *prober) trace(format string, args ...any) {
	if p.opts.Trace != nil {
		p.opts.Trace(fmt.Sprintf(format, args...))
	}
}

func (p *prober) identity(r *Result) {
	switch {
	case p.opts.VerifyConnection == nil:
	case !p.verified:
		r.Identity = "not checked: no handshake succeeded"
	case p.identityErr == nil:
		r.Identity = "verified"
	default:
		// The first line: a verifier's error may go on to list the chain.
		msg, _, _ := strings.Cut(p.identityErr.Error(), "\n")
		r.Identity = "not verified: " + msg
		r.IdentityError = p.identityErr
	}
}

// esp8266 estimates from the smallest honoured fragment length; BearSSL
// speaks TLS 1.0 to 1.2, so a server that accepts only 1.3 is out of reach.
func (p *prober) esp8266(r *Result) {
	r.ESP8266 = EstimateESP8266(r.MaxFragmentLength.smallestHonoured())
	if len(r.TLSVersions) > 0 && !slices.ContainsFunc(r.TLSVersions, func(v string) bool { return v != "1.3" }) {
		r.ESP8266.Verdict = "cannot connect: BearSSL speaks TLS 1.0 to 1.2 and the server accepts only TLS 1.3"
	}
}

// fail records why a probe failed, in the words a report shows: the
// package's "probe: " prefix says nothing inside a probe's result.
func (r *Result) fail(probe string, err error) {
	if r.Errors == nil {
		r.Errors = map[string]string{}
	}
	r.Errors[probe] = strings.TrimPrefix(err.Error(), "probe: ")
}

func (r *Result) refuse(version, reason string) {
	if r.RefusedVersions == nil {
		r.RefusedVersions = map[string]string{}
	}
	r.RefusedVersions[version] = reason
}

// refusal tells a server's answer to a version it does not speak from a
// failure to probe it. crypto/tls reports a received alert as a
// *net.OpError with Op "remote error" (its alert type is unexported), and
// a ServerHello of a version not offered as its own error; anything else
// (no answer, a reset, a timeout, bytes that are not TLS) is a failure.
func refusal(err error) (string, bool) {
	if err == nil {
		return "", false
	}
	if op, ok := errors.AsType[*net.OpError](err); ok && op.Op == "remote error" {
		return "alert: " + strings.TrimPrefix(op.Err.Error(), "tls: "), true
	}
	var chosen uint16
	msg := err.Error()
	if i := strings.Index(msg, "tls: server selected unsupported protocol version "); i >= 0 {
		if _, scanErr := fmt.Sscanf(msg[i:], "tls: server selected unsupported protocol version %x", &chosen); scanErr == nil {
			return "answered with TLS " + versionName(chosen), true
		}
		return "answered with another version", true
	}
	return "", false
}

// noTLSReason says in a few words why no probe got a TLS answer: the raw
// probes see what came back (plain HTTP, other bytes), which crypto/tls's
// handshakes do not say.
func noTLSReason(r *Result) string {
	var other string
	for _, e := range r.Errors {
		switch {
		case strings.Contains(e, "plain HTTP"):
			return "it looks like plain HTTP (is this an HTTPS port?)"
		case other == "" && strings.Contains(e, "reply is not TLS: "):
			_, other, _ = strings.Cut(e, "reply is not TLS: ")
		}
	}
	if other != "" {
		return "its reply is not TLS: " + other
	}
	return r.Errors["tls 1.3"]
}
