package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/probe"
)

type probeOptions struct {
	trustFlags
	json   bool
	verify bool
}

func newProbeCmd(e *env) *cobra.Command {
	o := &probeOptions{}
	cmd := &cobra.Command{
		Use:   "probe [flags] HOST[:PORT]",
		Short: "Measure what a small TLS client needs from a server, max_fragment_length and ESP8266 memory included",
		Long: `probe connects to HOST (port 443 unless given; IPv6 as [::1]:8443) several times and
reports what a constrained client needs to know: the TLS versions accepted and the
cipher suite chosen at each, ALPN (h2, http/1.1), the certificate's key type and size,
the size in bytes of the chain the server sends, OCSP stapling, session resumption,
and whether the server honours max_fragment_length (RFC 6066) at 512, 1024, 2048 and
4096 bytes, asked with a hand-built TLS 1.2 ClientHello as an ESP8266 asks. From that
it works out the RAM a BearSSL client on an ESP8266 needs, and the setBufferSizes call.

No application data is sent. The server's identity is checked with the trust flags
and reported ("identity"); it does not stop the probe unless --verify is given.

Exit codes: 0 probed, 4 identity not verified (with --verify), 5 the server could not
be reached or answered no TLS at all, 64 usage error.`,
		Example: `  clientsecure probe api.github.com
  clientsecure probe --json mqtt.example.org:8883
  clientsecure probe --ca-file root.pem --verify localhost:8443`,
		Args: cobraArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), e, args[0])
		},
	}
	o.register(cmd.Flags())
	cmd.Flags().BoolVar(&o.json, "json", false, "write the result as JSON")
	cmd.Flags().BoolVar(&o.verify, "verify", false, "exit 4 when the server's identity is not verified")
	return cmd
}

func (o *probeOptions) run(ctx context.Context, e *env, target string) error {
	host, port, err := parseTarget(target)
	if err != nil {
		return usageErr(err)
	}
	trust, err := o.trust(e.warnf)
	if err != nil {
		return err
	}
	name := o.name(host)
	tr := newTracer(e.stderr, o.verbose)
	opts := probe.Options{
		ServerName:   o.serverName,
		Certificates: trust.Certificates,
		Time:         trust.Time,
		DialContext:  trust.DialContext, // --resolve
		Trace:        func(line string) { tr.printf("%s", line) },
	}
	unchecked := trust.Insecure && len(trust.Pins) == 0
	if !unchecked {
		opts.VerifyConnection = trust.VerifyConnection(name)
	}

	ctx, cancel := o.withTimeout(ctx)
	defer cancel()
	tr.printf("probing %s", target)
	r, err := probe.Run(ctx, host, port, opts)
	if errors.Is(err, probe.ErrUnreachable) {
		return timeoutErr(ctx, inWords(err), o.timeout)
	}
	if r == nil { // arguments Run refused
		return usageErr(err)
	}
	var ie *clientsecure.IdentityError
	switch {
	case unchecked:
		r.Identity = "not checked (--insecure)"
	case errors.As(r.IdentityError, &ie): // the listing is for --verify
		r.Identity = fmt.Sprintf("not verified for %s: %v (--verify says why)", ie.Host, ie.Reason)
	}
	if err != nil && !o.json {
		// No TLS answer: one error, not a report of figures that no
		// handshake stands behind (--json still has every probe's error).
		return timeoutErr(ctx, err, o.timeout)
	}
	if werr := o.write(e, r); werr != nil {
		return werr
	}
	if err != nil {
		return timeoutErr(ctx, err, o.timeout)
	}
	if o.verify && r.IdentityError != nil {
		return r.IdentityError // an *clientsecure.IdentityError: exit 4
	}
	return nil
}

func (o *probeOptions) write(e *env, r *probe.Result) error {
	if !o.json {
		return r.WriteText(e.stdout)
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
