package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"

	"github.com/spf13/cobra"
)

// version is what this build calls itself (DESIGN.md "The command"): the
// module version when built from a tagged module, else the VCS revision
// it was built from (with "+dirty" for uncommitted changes), else "devel".
var version = sync.OnceValue(func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	return versionOf(info)
})

func versionOf(info *debug.BuildInfo) string {
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	var dirty bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	switch {
	case rev == "":
		return "devel"
	case len(rev) > 12:
		rev = rev[:12]
	}
	if dirty {
		rev += "+dirty"
	}
	return rev
}

// versionLine is `clientsecure VERSION (GOVERSION)`.
func versionLine() string { return fmt.Sprintf("clientsecure %s (%s)", version(), runtime.Version()) }

// userAgent is sent with every request the command makes.
func userAgent() string { return "clientsecure/" + version() }

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of clientsecure and of Go it was built with",
		Args:  cobraArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintln(e.stdout, versionLine())
			return nil
		},
	}
}
