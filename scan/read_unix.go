//go:build unix

package scan

import (
	"os"
	"syscall"
)

// readFile reads at most max+1 bytes of path into buf. On Unix it uses the
// system calls directly: os.Open would also try to register each file with
// the network poller, a system call wasted on every regular file, and a
// tree of ten thousand files makes that count.
func readFile(path string, max int64, buf *[]byte) ([]byte, error) {
	var fd int
	var err error
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	read := func(b []byte) (int, error) {
		for {
			n, err := syscall.Read(fd, b)
			if err == syscall.EINTR {
				continue
			}
			if err != nil {
				return 0, &os.PathError{Op: "read", Path: path, Err: err}
			}
			return n, nil
		}
	}
	return readBounded(read, st.Size, max, buf)
}
