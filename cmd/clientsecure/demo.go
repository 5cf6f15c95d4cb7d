package main

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clientsecure/clientsecure/devicetls"
	"github.com/clientsecure/clientsecure/fakehub"
	"github.com/clientsecure/clientsecure/inspect"
)

// staleFingerprint is the one printed in the "Client Secure" document: the
// fingerprint of a certificate GitHub retired long ago, exactly the thing
// the document warns about.
const staleFingerprint = "CF 05 98 89 CA FF 8E D8 5E 5C E0 C2 E4 F7 E6 C3 C7 50 DD 5C"

func newDemoCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: `Run the whole "Client Secure" example offline: a local GitHub-like server, a pinned check, a stale pin refused`,
		Long: `demo starts the embedded GitHub-like server on a loopback port with a fresh
certificate, asks it for the build status of esp8266/Arduino pinned by the
certificate's SHA-1 fingerprint (the document's own method) and prints the
document's trace; then it repeats the check with the document's stale
fingerprint and shows the server refused, with nothing sent to it.

It exits 0 when both went as the document says, 5 otherwise.`,
		Args: cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDemo(cmd.Context(), e)
		},
	}
}

func runDemo(ctx context.Context, e *env) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cert, err := devicetls.NewCertificate([]string{"localhost", "127.0.0.1", "::1"}, devicetls.KeySpec{}, e.now())
	if err != nil {
		return err
	}
	hub := fakehub.New(fakehub.DefaultScenario())
	ready := make(chan net.Addr, 1)
	served := make(chan error, 1)
	go func() {
		served <- fakehub.ListenAndServe(ctx, "127.0.0.1:0", hub, tlsConfigFor(cert), func(a net.Addr) { ready <- a })
	}()
	var addr net.Addr
	select {
	case addr = <-ready:
	case err := <-served:
		return fmt.Errorf("demo: starting the server: %w", err)
	}
	defer func() { cancel(); <-served }()

	url := serveURL(addr)
	fingerprint := inspect.Describe(cert.Leaf).SHA1Document()
	out := e.stdout
	// The sub-commands' trace (stderr) and results (stdout) go to one
	// stream, in order, as on the document's serial monitor.
	sub := &env{stdin: e.stdin, stdout: out, stderr: out, getenv: func(string) string { return "" }, now: e.now}

	fmt.Fprintf(out, "== a GitHub-like API is up on %s\n", url)
	fmt.Fprintf(out, "== its certificate's SHA-1 fingerprint: %s\n\n", fingerprint)
	args := []string{"status", "-v", "--api-url", url, "--pin-only", "--pin", fingerprint, "esp8266/Arduino@master"}
	fmt.Fprintf(out, "$ clientsecure %s\n", quoteArgs(args))
	first := run(ctx, args, sub)

	before := hub.Stats().Requests
	fmt.Fprintf(out, "\n== the same check with the document's fingerprint, stale since GitHub renewed its certificate:\n\n")
	args = []string{"status", "--api-url", url, "--pin-only", "--pin", staleFingerprint, "esp8266/Arduino@master"}
	fmt.Fprintf(out, "$ clientsecure %s\n", quoteArgs(args))
	second := run(ctx, args, sub)
	sent := hub.Stats().Requests - before

	fmt.Fprintln(out)
	switch {
	case first != exitOK:
		return fmt.Errorf("demo: the pinned check exited %d, want 0", first)
	case second != exitIdentity:
		return fmt.Errorf("demo: the stale pin exited %d, want 4 (identity not verified)", second)
	case sent != 0:
		return fmt.Errorf("demo: the refused server received %d requests, want none", sent)
	}
	fmt.Fprintln(out, "== the pinned check passed (exit 0); the stale fingerprint was refused inside the handshake (exit 4)")
	fmt.Fprintln(out, "== and the server received 0 requests from it: no request line, no token.")
	return nil
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " \"'") {
			a = fmt.Sprintf("%q", a)
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}
