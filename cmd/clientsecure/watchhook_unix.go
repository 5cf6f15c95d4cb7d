//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// killGroup runs the hook in a process group of its own and makes its
// cancellation kill the whole group: "sh -c" may leave children behind,
// and a hook that overran must not go on running.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
