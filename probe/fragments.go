package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strconv"
)

// fragment asks for max_fragment_length size and records the answer. It
// reports whether the server answered in TLS at all.
func (p *prober) fragment(ctx context.Context, r *Result, size int) bool {
	name := "max_fragment_length " + strconv.Itoa(size)
	fp := FragmentProbe{Requested: size, Outcome: Failed}
	defer func() {
		r.Fragments = append(r.Fragments, fp)
		r.MaxFragmentLength[size] = fp.Outcome == Honoured
		p.trace("%s: %s", name, fp.Outcome)
	}()
	sh, err := p.hello(ctx, Hello{ServerName: p.serverName, MaxFragmentLength: size})
	if err != nil {
		r.fail(name, err)
		var alert *AlertError
		return errors.As(err, &alert)
	}
	fp.Version = versionName(sh.Version)
	fp.CipherSuite = tls.CipherSuiteName(sh.CipherSuite)
	fp.EchoedCode = sh.MaxFragmentLengthCode
	fp.Echoed = sh.MaxFragmentLength()
	switch {
	case sh.Version > tls.VersionTLS12 || sh.HelloRetryRequest:
		r.fail(name, fmt.Errorf("probe: server chose TLS %s, which was not offered", fp.Version))
	case sh.MaxFragmentLengthCode == 0:
		fp.Outcome = Ignored
	case sh.MaxFragmentLengthCode == fragmentCode(size):
		fp.Outcome = Honoured
	default:
		fp.Outcome = WrongEcho
		r.fail(name, fmt.Errorf("probe: server echoed max_fragment_length code %d (%s) for %d: a client must abort (RFC 6066)",
			sh.MaxFragmentLengthCode, sizeName(fp.Echoed), size))
	}
	return true
}

func sizeName(size int) string {
	if size == 0 {
		return "no such size"
	}
	return strconv.Itoa(size) + " bytes"
}

// recordSizeLimit offers record_size_limit alone (a server that supports
// it must ignore max_fragment_length when both come) and records the
// server's limit. It reports whether the server answered in TLS.
func (p *prober) recordSizeLimit(ctx context.Context, r *Result) bool {
	sh, err := p.hello(ctx, Hello{ServerName: p.serverName, RecordSizeLimit: 512})
	if err != nil {
		r.fail("record_size_limit", err)
		var alert *AlertError
		return errors.As(err, &alert)
	}
	r.RecordSizeLimit = sh.RecordSizeLimit
	p.trace("record_size_limit: %d", sh.RecordSizeLimit)
	return true
}

// hello runs one raw ClientHello exchange on a new connection.
func (p *prober) hello(ctx context.Context, h Hello) (*ServerHello, error) {
	if cause := context.Cause(ctx); cause != nil {
		return nil, fmt.Errorf("probe: not run: %w", cause)
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	conn, err := p.dial(ctx)
	if err != nil {
		return nil, err
	}
	return Exchange(ctx, conn, h)
}
