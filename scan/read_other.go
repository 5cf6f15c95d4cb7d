//go:build !unix

package scan

import "os"

// readFile reads at most max+1 bytes of path into buf.
func readFile(path string, max int64, buf *[]byte) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var size int64
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	return readBounded(f.Read, size, max, buf)
}
