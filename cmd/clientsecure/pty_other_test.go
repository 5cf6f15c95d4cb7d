//go:build !linux

package main

import (
	"os"
	"testing"
)

func openPTY(t *testing.T) *os.File {
	t.Skip("the terminal test opens a Linux pseudo-terminal")
	return nil
}
