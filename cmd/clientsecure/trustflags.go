package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/inspect"
)

// trustFlags are the flags of every subcommand that connects (DESIGN.md
// "The command").
type trustFlags struct {
	pins       []string
	pinOnly    bool
	caFile     string
	insecure   bool
	at         string
	serverName string
	clientCert string
	clientKey  string
	timeout    time.Duration
	resolve    []string
	verbose    bool
}

func (f *trustFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.pins, "pin", nil, "expected certificate fingerprint or public-key pin (repeatable; any one must match)")
	fs.BoolVar(&f.pinOnly, "pin-only", false, "trust the pins alone: no chain, host name or date checks (needs --pin)")
	fs.StringVar(&f.caFile, "ca-file", "", "PEM file of trust anchors to use instead of the system roots")
	fs.BoolVar(&f.insecure, "insecure", false, "do not verify the server (pins, if given, are still enforced)")
	fs.StringVar(&f.at, "at", "", "verify dates as of this time (RFC 3339)")
	fs.StringVar(&f.serverName, "servername", "", "name to send in SNI and verify, instead of the host")
	fs.StringVar(&f.clientCert, "client-cert", "", "PEM client certificate for mutual TLS")
	fs.StringVar(&f.clientKey, "client-key", "", "PEM private key of --client-cert")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "limit for the whole operation (0: no limit)")
	fs.StringArrayVar(&f.resolve, "resolve", nil, "connect to ADDR (IP, IP:PORT, [IPv6]:PORT) whenever HOST:PORT is dialed, as curl's HOST:PORT:ADDR; the name verified stays HOST (repeatable)")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "trace the connection to stderr")
}

// trust builds the policy the flags describe. Malformed flags are usage
// errors; warnings about weakened checks go to warn.
func (f *trustFlags) trust(warn func(format string, args ...any)) (*clientsecure.Trust, error) {
	t := &clientsecure.Trust{
		PinOnly:    f.pinOnly,
		Insecure:   f.insecure,
		ServerName: f.serverName,
	}
	if f.timeout < 0 {
		return nil, usagef("--timeout %s: want a positive duration like 30s, or 0 for no limit", f.timeout)
	}
	resolve, err := parseResolve(f.resolve)
	if err != nil {
		return nil, err
	}
	if resolve != nil {
		t.DialContext = resolve.dialer()
	}
	for _, s := range f.pins {
		pins, err := clientsecure.ParsePins(s)
		if err != nil {
			return nil, usageErr(err)
		}
		t.Pins = append(t.Pins, pins...)
	}
	if f.pinOnly && len(t.Pins) == 0 {
		return nil, usagef("--pin-only needs at least one --pin")
	}
	if f.caFile != "" {
		pool, err := loadRoots(f.caFile)
		if err != nil {
			return nil, usageErr(err)
		}
		t.Roots = pool
	}
	if f.at != "" {
		at, err := time.Parse(time.RFC3339, f.at)
		if err != nil {
			return nil, usagef("--at %q: want RFC 3339 like 2026-06-01T12:00:00Z", f.at)
		}
		t.Time = func() time.Time { return at }
	}
	if (f.clientCert == "") != (f.clientKey == "") {
		return nil, usagef("--client-cert and --client-key go together")
	}
	if f.clientCert != "" {
		pair, err := tls.LoadX509KeyPair(f.clientCert, f.clientKey)
		if err != nil {
			return nil, usagef("client certificate: %v", err)
		}
		t.Certificates = []tls.Certificate{pair}
	}
	switch {
	case f.insecure && len(t.Pins) == 0:
		warn("warning: --insecure: the server's identity is not verified")
	case f.insecure:
		warn("warning: --insecure: only the pins are checked")
	case f.pinOnly:
		warn("warning: --pin-only: host name and dates are not checked, only the pins")
	}
	if f.insecure && f.caFile != "" {
		warn("warning: --ca-file has no effect with --insecure")
	}
	if f.at != "" && (f.pinOnly || f.insecure) {
		warn("warning: --at has no effect with --pin-only or --insecure: no dates are checked")
	}
	if t.Roots == nil && !t.PinOnly && !t.Insecure {
		useSystemRoots() // embedded roots where the system has none
	}
	return t, nil
}

// name is what to send in SNI and verify for a connection to host:
// --servername when given.
func (f *trustFlags) name(host string) string {
	if f.serverName != "" {
		return f.serverName
	}
	return host
}

// withTimeout bounds the whole operation by --timeout; 0 is no limit (a
// negative one is refused by trust).
func (f *trustFlags) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if f.timeout == 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, f.timeout)
}

// loadRoots reads the anchors of --ca-file. A certificate Go refuses is
// an error naming which one and why, not a silent gap in the pool.
func loadRoots(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--ca-file: %w", err)
	}
	certs, err := inspect.LoadCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("--ca-file %s: %w", path, err)
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}
