package scan

import (
	"testing"

	"github.com/clientsecure/clientsecure/internal/scantest"
)

// BenchmarkTree scans a generated tree of 1,000 files of 10 KB (a tenth of
// the tree bench/scan compares with grep, so that -bench runs quickly).
func BenchmarkTree(b *testing.B) {
	dir := b.TempDir()
	if err := scantest.Tree(dir, 1000, 10<<10, 1); err != nil {
		b.Fatal(err)
	}
	_, size, _ := scantest.TreeSize(dir)
	b.SetBytes(size)
	for b.Loop() {
		res, err := Tree([]string{dir}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Items) != 50+20+20 {
			b.Fatalf("%d items", len(res.Items))
		}
	}
}
