//go:build !unix

package main

import "os/exec"

// killGroup leaves cancellation to exec.CommandContext, which kills the
// shell; there are no process groups to kill here.
func killGroup(cmd *exec.Cmd) {}
