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
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	root.AddCommand(
		newGetCmd(e),
		newStatusCmd(e),
		newServeCmd(e),
		newDemoCmd(e),
		newFingerprintCmd(e),
		newProbeCmd(e),
		newCheckCmd(e),
	)
	return root
}

// cobraArgs wraps a cobra argument validator so that a wrong count is a
// usage error (exit 64).
func cobraArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return usageErr(err)
		}
		return nil
	}
}
