package main

import (
	"github.com/spf13/cobra"
)

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "clientsecure",
		Short: "A TLS client that verifies the server before it sends a byte, and a build failure detector",
		Long: `clientsecure verifies a server's identity inside the TLS handshake (by certificate
fingerprint, public-key pin, trust anchors or the system's roots) before any request
leaves, and asks GitHub whether a build passed.

Exit codes: 0 success, 1 build failed, 2 pending, 3 nothing reported,
4 server identity not verified, 5 other error, 64 usage error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
	}
	root.SetVersionTemplate(versionLine() + "\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })

	root.AddCommand(
		newGetCmd(e),
		newStatusCmd(e),
		newServeCmd(e),
		newRelayCmd(e),
		newDemoCmd(e),
		newFingerprintCmd(e),
		newProbeCmd(e),
		newVersionCmd(e),
		newBundleCmd(e),
	)
	// cobra's completion command prints its help and exits 0 for a shell
	// it has no script for (tcsh): that is a usage error.
	root.InitDefaultCompletionCmd()
	if comp, _, err := root.Find([]string{"completion"}); err == nil && comp != root {
		comp.Args = cobra.ArbitraryArgs
		comp.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("missing shell: usage: clientsecure completion bash|zsh|fish|powershell")
			}
			return usagef("no completion script for %q: want bash, zsh, fish or powershell", args[0])
		}
	}
	return root
}

// cobraArgs wraps a cobra argument validator so that a wrong count is a
// usage error (exit 64) that says what is missing or extra and how the
// command is used, instead of cobra's "requires at least 1 arg(s)".
func cobraArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			if len(args) == 0 {
				return usagef("missing argument: usage: %s", cmd.UseLine())
			}
			return usagef("unexpected argument %q: usage: %s", args[len(args)-1], cmd.UseLine())
		}
		return nil
	}
}
