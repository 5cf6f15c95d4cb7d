package scan

import (
	"os"
	"testing"
)

func BenchmarkBig(b *testing.B) {
	dir := os.Getenv("BIGTREE")
	if dir == "" {
		b.Skip()
	}
	for b.Loop() {
		Tree([]string{dir}, Options{})
	}
}
