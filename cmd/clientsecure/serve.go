package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/fakehub"
	"github.com/clientsecure/clientsecure/inspect"
)

type serveOptions struct {
	addr     string
	rsaBits  int
	certFile string
	keyFile  string
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
start (or serves --cert/--key), prints its fingerprints and the exact status command
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
	f.StringVar(&o.addr, "addr", "127.0.0.1:8443", "address to listen on (0.0.0.0:8443 to reach it from the LAN)")
	f.IntVar(&o.rsaBits, "rsa", 0, "make an RSA key of this many bits instead of ECDSA P-256")
	f.StringVar(&o.certFile, "cert", "", "PEM certificate chain to serve instead of a generated one")
	f.StringVar(&o.keyFile, "key", "", "PEM private key of --cert")
	f.StringVar(&o.scenario, "scenario", "", "JSON scenario of repositories, statuses and check runs")
	f.BoolVar(&o.bearSSL, "bearssl", false, "serve only what an ESP8266/ESP32 BearSSL client talks: TLS 1.2, its ECDHE suites, HTTP/1.1")
	return cmd
}

func (o *serveOptions) run(ctx context.Context, e *env) error {
	host, _, err := net.SplitHostPort(o.addr)
	if err != nil {
		return usagef("--addr %q: want HOST:PORT like 127.0.0.1:8443", o.addr)
	}
	sc, err := loadScenario(o.scenario)
	if err != nil {
		return err
	}
	cert, err := o.certificate(host, e.now())
	if err != nil {
		return err
	}
	cfg := tlsConfigFor(cert)
	if o.bearSSL {
		cfg = fakehub.BearSSLConfig(cert)
	}
	hub := fakehub.New(sc)
	ready := func(a net.Addr) { printServing(e.stdout, a, cert, sc, o.bearSSL) }
	if err := fakehub.ListenAndServe(ctx, o.addr, hub, cfg, ready); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, "clientsecure: serve: stopped")
	return nil
}

// certificate is --cert/--key, or a fresh one for the names the server
// will be reached by.
func (o *serveOptions) certificate(host string, now time.Time) (tls.Certificate, error) {
	if (o.certFile == "") != (o.keyFile == "") {
		return tls.Certificate{}, usagef("--cert and --key go together")
	}
	if o.certFile != "" {
		if o.rsaBits != 0 {
			return tls.Certificate{}, usagef("--rsa makes a key; --cert/--key bring one: choose")
		}
		cert, err := tls.LoadX509KeyPair(o.certFile, o.keyFile)
		if err != nil {
			return tls.Certificate{}, usagef("--cert/--key: %v", err)
		}
		return cert, nil
	}
	if o.rsaBits != 0 && (o.rsaBits < 2048 || o.rsaBits > 8192) {
		return tls.Certificate{}, usagef("--rsa %d: want 2048 to 8192 bits", o.rsaBits)
	}
	cert, err := fakehub.Certificate(serverNames(host), o.rsaBits, now)
	if err != nil {
		return tls.Certificate{}, err
	}
	return cert, nil
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
		fmt.Fprintln(w, "  mode           BearSSL: TLS 1.2, ECDHE suites, HTTP/1.1")
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
