package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/devicetls"
	"github.com/clientsecure/clientsecure/fakehub"
	"github.com/clientsecure/clientsecure/inspect"
)

type serveOptions struct {
	deviceFlags
	scenario string
	bearSSL  bool
}

func newServeCmd(e *env) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve [flags]",
		Short: "Run the embedded GitHub-like API over TLS, to test clients (and sketches) offline",
		Long: `serve runs a GitHub-like REST API over TLS: /repos/{o}/{r}, .../commits/{ref}/status
and .../commits/{ref}/check-runs in GitHub's JSON shapes, with pagination, ETag/304
and rate-limit headers. It makes a fresh key and self-signed certificate at each
start (or serves --cert/--key), named and bounded as relay's device side is (see
relay --help: every address of the machine as a name BearSSL accepts, valid from
1970, records of at most --max-record bytes), prints its fingerprints and the exact status command
that queries it, and serves until interrupted.

The default scenario is the "Client Secure" document's own reply: esp8266/Arduino,
master, Travis CI passed. --scenario FILE serves your own (see fakehub's package
documentation and fakehub/testdata/example.json).`,
		Example: `  clientsecure serve
  clientsecure serve --addr 0.0.0.0:8443 --bearssl --rsa 2048   # for an ESP8266 on the LAN
  clientsecure serve --scenario fakehub/testdata/example.json`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), e)
		},
	}
	f := cmd.Flags()
	o.deviceFlags.register(f)
	f.StringVar(&o.scenario, "scenario", "", "JSON scenario of repositories, statuses and check runs")
	f.BoolVar(&o.bearSSL, "bearssl", false, "serve only what an ESP8266/ESP32 BearSSL client talks: TLS 1.2, its ECDHE suites, HTTP/1.1")
	return cmd
}

func (o *serveOptions) run(ctx context.Context, e *env) error {
	if err := o.deviceFlags.check(); err != nil {
		return err
	}
	sc, err := loadScenario(o.scenario)
	if err != nil {
		return err
	}
	id, err := o.identity("", e.now())
	if err != nil {
		return err
	}
	cert := id.Certificate
	opts := o.tlsOptions()
	opts.TLS12Only = o.bearSSL
	hub := fakehub.New(sc)
	srv := &http.Server{
		Handler:           hub,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          log.New(io.Discard, "", 0), // a test server's visitors misbehave on purpose
	}
	var lc net.ListenConfig
	raw, err := lc.Listen(ctx, "tcp", o.addr)
	if err != nil {
		return fmt.Errorf("clientsecure: serve: %w", err)
	}
	ln := devicetls.Listen(raw, devicetls.Config(cert, opts), opts)
	printServing(e.stdout, raw.Addr(), cert, sc, o.bearSSL)
	if err := devicetls.Serve(ctx, ln, srv); err != nil {
		return fmt.Errorf("clientsecure: serve: %w", err)
	}
	fmt.Fprintln(e.stderr, "clientsecure: serve: stopped")
	return nil
}

// serverNames are the names a server on host is reached by: loopback
// always, the host itself, and every interface address when it listens on
// all of them (so a sketch on the LAN can verify the name it dials).
func serverNames(host string) []string {
	names := []string{"localhost", "127.0.0.1", "::1"}
	ip := net.ParseIP(host)
	switch {
	case host == "" || (ip != nil && ip.IsUnspecified()):
		addrs, _ := net.InterfaceAddrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
				names = append(names, n.IP.String())
			}
		}
	case host != "localhost" && !(ip != nil && ip.IsLoopback()):
		names = append(names, host)
	}
	return names
}

func loadScenario(path string) (*fakehub.Scenario, error) {
	if path == "" {
		return fakehub.DefaultScenario(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--scenario: %v", err)
	}
	sc, err := fakehub.ParseScenario(data)
	if err != nil {
		// The error names the line and column: "scenario:3:13: ...".
		return nil, usagef("--scenario %s: %v", path, strings.TrimPrefix(err.Error(), "fakehub: "))
	}
	return sc, nil
}

// serveURL is the URL a client on this machine uses for a server on a.
func serveURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "https://" + a.String()
	}
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "https://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

// printServing says where the server is, how to trust it, and the exact
// command that asks it for the build status.
func printServing(w io.Writer, a net.Addr, cert tls.Certificate, sc *fakehub.Scenario, bearSSL bool) {
	leaf := cert.Leaf
	c := inspect.Describe(leaf)
	url := serveURL(a)
	pins := clientsecure.CertificatePins(leaf)
	fmt.Fprintf(w, "clientsecure serve: a GitHub-like API on %s\n", url)
	if tcp, ok := a.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		var ips []string
		for _, ip := range leaf.IPAddresses {
			if !ip.IsLoopback() {
				ips = append(ips, ip.String())
			}
		}
		fmt.Fprintf(w, "  from the LAN   %s, port %d (names in the certificate)\n", strings.Join(ips, ", "), tcp.Port)
	}
	fmt.Fprintf(w, "  certificate    %s, %s, valid until %s\n", c.Subject, c.Key(), leaf.NotAfter.UTC().Format(time.DateOnly))
	fmt.Fprintf(w, "  sha1           %s   (the document's form; ESP8266 setFingerprint)\n", c.SHA1Document())
	fmt.Fprintf(w, "  sha256         %s   (ESP32 verify)\n", c.SHA256Colon())
	fmt.Fprintf(w, "  spki pin       %s   (--pin, OkHttp; curl: %s)\n", c.SPKISHA256, pins.SPKI.Format(clientsecure.FormatCurl))
	if bearSSL {
		fmt.Fprintln(w, "  mode           BearSSL: TLS 1.2 only, HTTP/1.1")
	}
	if len(sc.Repos) > 0 && len(sc.Repos[0].Refs) > 0 {
		r := sc.Repos[0]
		fmt.Fprintln(w, "query it with:")
		fmt.Fprintf(w, "  clientsecure status --api-url %s --pin-only --pin %q %s/%s@%s\n", url, c.SHA1Document(), r.Owner, r.Name, r.Refs[0].Name)
	}
	fmt.Fprintln(w, "serving until interrupted")
}

func tlsConfigFor(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}}
}
