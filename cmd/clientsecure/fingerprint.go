package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/inspect"
)

// maxCertFile bounds what --file reads: a bundle of every public root is
// well under 1 MiB.
const maxCertFile = 16 << 20

// fingerprintFormats are the --format values, each a rendering of the chain.
var fingerprintFormats = map[string]func(c *inspect.Chain, w io.Writer, now time.Time) error{
	"text":    func(c *inspect.Chain, w io.Writer, now time.Time) error { return c.WriteText(w, now) },
	"json":    func(c *inspect.Chain, w io.Writer, _ time.Time) error { return c.WriteJSON(w) },
	"arduino": func(c *inspect.Chain, w io.Writer, _ time.Time) error { return c.WriteArduino(w) },
	"esp32":   func(c *inspect.Chain, w io.Writer, _ time.Time) error { return c.WriteESP32(w) },
	"pins":    func(c *inspect.Chain, w io.Writer, _ time.Time) error { return c.WritePins(w) },
	"pem":     func(c *inspect.Chain, w io.Writer, _ time.Time) error { return c.WritePEM(w) },
}

type fingerprintOptions struct {
	trustFlags
	file   string
	format string
	json   bool
	verify bool
}

func newFingerprintCmd(e *env) *cobra.Command {
	o := &fingerprintOptions{}
	cmd := &cobra.Command{
		Use:   "fingerprint [flags] HOST[:PORT] | --file CERT.pem",
		Short: "Show a server's certificates, fingerprints and pins, and what a sketch needs to trust it",
		Long: `fingerprint connects to HOST (port 443 unless given; IPv6 as [::1]:8443), takes the
certificates the server sends, even a chain that does not verify, and shows for each,
leaf first: subject, issuer, names, validity and days left, key, SHA-1 in the form
ESP8266 setFingerprint takes ("CF 05 98 ..."), SHA-256 and the SPKI pin; then whether
the chain verifies for the host against the system roots (or --ca-file), and the
trust anchor: the root that verified it, else the last certificate sent.

--file reads certificates (PEM bundle or DER; - for standard input) instead.
--at changes the time the chain is verified at, not the days left shown.

Formats: text, json, pins (OkHttp, curl, HPKP), pem (the chain and its anchor),
arduino (a header for ESP8266 BearSSL: setFingerprint, setKnownKey, setTrustAnchors),
esp32 (a header for setCACert and verify).`,
		Example: `  clientsecure fingerprint api.github.com
  clientsecure fingerprint --format arduino api.github.com > github_trust.h
  clientsecure fingerprint --ca-file root.pem --verify localhost:8443
  clientsecure fingerprint --file server.pem --servername example.com`,
		Args: cobraArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), e, args)
		},
	}
	o.register(cmd.Flags())
	f := cmd.Flags()
	f.StringVar(&o.file, "file", "", "read certificates from this PEM or DER file (- for standard input) instead of a server")
	f.StringVar(&o.format, "format", "text", "output format: text, json, pins, pem, arduino, esp32")
	f.BoolVar(&o.json, "json", false, "short for --format json")
	cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "json", "pins", "pem", "arduino", "esp32"}, cobra.ShellCompDirectiveNoFileComp))
	f.BoolVar(&o.verify, "verify", false, "exit 4 when the chain does not verify for the host (or no --pin matches)")
	return cmd
}

func (o *fingerprintOptions) run(ctx context.Context, e *env, args []string) error {
	if o.json {
		if o.format != "text" && o.format != "json" {
			return usagef("--json and --format %s: give one of them", o.format)
		}
		o.format = "json"
	}
	render, ok := fingerprintFormats[o.format]
	if !ok {
		return usagef("--format %q: want text, json, pins, pem, arduino or esp32", o.format)
	}
	if (o.file == "") == (len(args) == 0) {
		return usagef("give HOST[:PORT] or --file CERT.pem (one of them)")
	}
	trust, err := o.trust(e.warnf)
	if err != nil {
		return err
	}
	tr := newTracer(e.stderr, o.verbose)

	var der [][]byte
	var host string
	var port int
	if o.file != "" {
		if der, err = readCertFile(o.file, e.stdin); err != nil {
			return usageErr(err)
		}
		host = o.serverName
	} else {
		if host, port, err = parseTarget(args[0]); err != nil {
			return usageErr(err)
		}
		name := o.name(host)
		ctx, cancel := o.withTimeout(ctx)
		defer cancel()
		sent, err := fetchChain(ctx, tr, net.JoinHostPort(host, strconv.Itoa(port)), name, trust, e.stderr)
		if err != nil {
			return timeoutErr(ctx, inWords(err), o.timeout)
		}
		for _, c := range sent {
			der = append(der, c.Raw)
		}
		host = name
	}

	if trust.Roots == nil {
		useSystemRoots() // whether the chain verifies is shown in every mode
	}
	// The verdict of trust.Verify, as connections get it: weak keys,
	// SHA-1 signatures and pins included.
	chain, err := inspect.NewChainDER(der, host, port, trust)
	if err != nil {
		return err
	}
	chain.File = o.file
	chain.CAFile = o.caFile
	chain.Generated = e.now()
	if err := render(chain, e.stdout, e.now()); err != nil {
		return fmt.Errorf("writing the %s output: %w", o.format, err)
	}
	if o.verify && !chain.Verified {
		if host == "" {
			return exitCode(exitIdentity, fmt.Errorf("certificates not verified (no host name was checked; --servername names one): %s", chain.Reason))
		}
		return exitCode(exitIdentity, fmt.Errorf("identity of %s not verified: %s", host, chain.Reason))
	}
	return nil
}

// parseTarget reads HOST, HOST:PORT, [IPV6]:PORT, a bare IPv6 literal or
// an https:// URL. The port defaults to 443.
func parseTarget(arg string) (string, int, error) {
	host, portStr := arg, ""
	switch {
	case strings.Contains(arg, "://"):
		u, err := url.Parse(arg)
		if err != nil || u.Scheme != "https" || u.Hostname() == "" {
			return "", 0, fmt.Errorf("%q: want HOST[:PORT] or an https:// URL", arg)
		}
		host, portStr = u.Hostname(), u.Port()
	case strings.HasPrefix(arg, "[") && strings.HasSuffix(arg, "]"):
		host = arg[1 : len(arg)-1]
	case strings.HasPrefix(arg, "[") || strings.Count(arg, ":") == 1:
		var err error
		if host, portStr, err = net.SplitHostPort(arg); err != nil {
			return "", 0, fmt.Errorf("%q: want HOST[:PORT], [IPV6]:PORT: %w", arg, err)
		}
	}
	// More than one colon without brackets is a bare IPv6 address.
	if host == "" || strings.ContainsAny(host, "/ []") {
		return "", 0, fmt.Errorf("%q: no host name in it", arg)
	}
	if portStr == "" {
		return host, 443, nil
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("%q: port %q is not a number from 1 to 65535", arg, portStr)
	}
	return host, port, nil
}

// fetchChain connects to addr (as trust.DialContext does, for --resolve)
// and returns the certificates the server sends for name, offering
// trust's client certificates. It trusts nothing, since it must show bad chains too,
// and sends nothing but the handshake. The certificates are captured as
// they arrive, so that a handshake which fails afterwards (a server that
// wants a client certificate) still shows them; that failure is a
// warning on stderr.
func fetchChain(ctx context.Context, tr *tracer, addr, name string, trust *clientsecure.Trust, stderr io.Writer) ([]*x509.Certificate, error) {
	tr.printf("connecting to %s", addr)
	dial := trust.DialContext
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	raw, err := dial(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	var sent []*x509.Certificate
	conn := tls.Client(raw, &tls.Config{
		ServerName:         name,
		InsecureSkipVerify: true, // verified by inspect.NewChainDER, and shown either way
		// Old servers too: the handshake only reads their certificates.
		MinVersion:   tls.VersionTLS10,
		Certificates: trust.Certificates,
		// Runs once the certificates have arrived and crypto/tls has parsed
		// them (one it cannot parse fails the handshake before this).
		VerifyConnection: func(cs tls.ConnectionState) error {
			sent = cs.PeerCertificates
			return nil
		},
	})
	err = conn.HandshakeContext(ctx)
	switch {
	case err != nil && len(sent) == 0:
		return nil, fmt.Errorf("TLS handshake with %s: %w", addr, err)
	case err != nil:
		fmt.Fprintf(stderr, "clientsecure: warning: the handshake failed after the server sent its certificates: %v\n", err)
	default:
		cs := conn.ConnectionState()
		tr.printf("%s handshake done, %d certificates received", tls.VersionName(cs.Version), len(sent))
	}
	tr.printf("closing connection")
	return sent, nil
}

// readCertFile reads certificates from path, or standard input for "-",
// in DER: one Go cannot parse is still shown (NewChainDER).
func readCertFile(path string, stdin io.Reader) ([][]byte, error) {
	var r io.Reader = stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("--file: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxCertFile+1))
	if err != nil {
		return nil, fmt.Errorf("--file %s: %w", path, err)
	}
	if len(data) > maxCertFile {
		return nil, fmt.Errorf("--file %s: larger than %d MiB, not a certificate file", path, maxCertFile>>20)
	}
	certs, err := inspect.LoadDER(data)
	if err != nil {
		return nil, fmt.Errorf("--file %s: %w", path, err)
	}
	return certs, nil
}
