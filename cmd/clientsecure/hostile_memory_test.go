package main

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/clientsecure/clientsecure/buildstatus"
)

// Memory against hostile servers, in process so that it can be measured:
// status refuses big bodies at buildstatus.MaxBodySize, get streams any
// body in constant memory. Not parallel: the allocation count is the
// whole process's, hostile server included.

// countingWriter is a stdout that keeps only a count, and the first bytes.
type countingWriter struct {
	n    int64
	head bytes.Buffer
}

func (w *countingWriter) Write(p []byte) (int, error) {
	if room := 4096 - w.head.Len(); room > 0 {
		w.head.Write(p[:min(len(p), room)])
	}
	w.n += int64(len(p))
	return len(p), nil
}

// runMeasured runs the command line in process with stdout w and returns
// its exit code, its stderr, and what the whole process allocated.
func runMeasured(t *testing.T, w io.Writer, args ...string) (int, string, uint64) {
	t.Helper()
	var stderr bytes.Buffer
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	code := run(context.Background(), args, &env{
		stdin: strings.NewReader(""), stdout: w, stderr: &stderr,
		getenv: func(string) string { return "" }, now: time.Now,
	})
	runtime.ReadMemStats(&after)
	return code, stderr.String(), after.TotalAlloc - before.TotalAlloc
}

func startCase(t *testing.T, name string) *hostileServer {
	t.Helper()
	cert := scriptPKI().Good.TLS()
	srv, err := startHostile(hostileCases[name](""), &cert, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// One status of one ref reads two lists at once, each refused at
// MaxBodySize; json.Decoder's doubling buffer has then allocated about
// 3.2 times that for each (see buildstatus.TestHostileBodiesStayUnderTheMemoryCap).
const statusCap = 2 * 4 * buildstatus.MaxBodySize

func TestStatusMemoryAgainstBigBodies(t *testing.T) {
	root := writeRoot(t, scriptPKI())
	gzipMember() // made once, outside the measurements
	for _, name := range []string{"huge", "hugecl", "gzipbomb"} {
		t.Run(name, func(t *testing.T) {
			srv := startCase(t, name)
			var stdout bytes.Buffer
			code, stderr, n := runMeasured(t, &stdout, "status", "--timeout", "20s", "--api-url", srv.URL, "--ca-file", root, "o/r@main")
			t.Logf("allocated %.1f MiB (cap %d MiB)", float64(n)/(1<<20), statusCap>>20)
			if code != exitError || !strings.Contains(stdout.String(), "is larger than 10 MiB: refusing to read it") {
				t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr)
			}
			if n > statusCap && !raceEnabled {
				t.Errorf("allocated %d bytes, more than %d", n, statusCap)
			}
		})
	}
}

// get streams: memory does not grow with the body. What it takes is a
// few read buffers (and, for the bomb, the in-process server's gzip
// compressor): the cap is a twelfth of the 50 MiB body, and the same for
// the 150 MiB or so the bomb pours out in a second.
func TestGetStreamsInConstantMemory(t *testing.T) {
	root := writeRoot(t, scriptPKI())
	gzipMember() // made once, outside the measurements
	const getCap = 4 << 20

	srv := startCase(t, "huge")
	var out countingWriter
	code, stderr, n := runMeasured(t, &out, "get", "--timeout", "20s", "--ca-file", root, srv.URL+"/x")
	t.Logf("50 MiB body: wrote %d bytes, allocated %.2f MiB", out.n, float64(n)/(1<<20))
	if code != exitOK || out.n != hugeSize {
		t.Fatalf("exit %d, wrote %d of %d bytes\n%s", code, out.n, hugeSize, stderr)
	}
	if n > getCap && !raceEnabled {
		t.Errorf("allocated %d bytes for a streamed body, more than %d", n, getCap)
	}

	// A gzip bomb (64 GiB of zeros) is a body like any other: streamed
	// until --timeout.
	srv = startCase(t, "gzipbomb")
	out = countingWriter{}
	code, stderr, n = runMeasured(t, &out, "get", "--timeout", "1s", "--ca-file", root, srv.URL+"/x")
	t.Logf("gzip bomb: wrote %d MiB in 1s, allocated %.2f MiB", out.n>>20, float64(n)/(1<<20))
	if code != exitError || !strings.Contains(stderr, "timed out after 1s (--timeout)") {
		t.Fatalf("exit %d after %d bytes: %s", code, out.n, stderr)
	}
	if out.n < 10<<20 {
		t.Errorf("wrote only %d bytes: the bomb was not streamed", out.n)
	}
	if n > getCap && !raceEnabled {
		t.Errorf("allocated %d bytes, more than %d", n, getCap)
	}
}

// get does not interpret bodies: invalid UTF-8 comes out byte for byte.
func TestGetPassesBytesThrough(t *testing.T) {
	root := writeRoot(t, scriptPKI())
	srv := startCase(t, "badutf8")
	var out bytes.Buffer
	code, stderr, _ := runMeasured(t, &out, "get", "--ca-file", root, srv.URL+"/x")
	if want := hubBody("ci \xff\xfe build"); code != exitOK || out.String() != want {
		t.Fatalf("exit %d, body %q, want %q\n%s", code, out.String(), want, stderr)
	}
}

// The slow drip, in process: the answer would take ten seconds and be a
// success; --timeout 1s ends it with exit 5 saying so. The time taken is
// logged, not asserted.
func TestSlowDripEndsAtTheTimeout(t *testing.T) {
	root := writeRoot(t, scriptPKI())
	srv := startCase(t, "drip")
	for _, args := range [][]string{
		{"status", "--api-url", srv.URL, "o/r@main"},
		{"get", srv.URL + "/x"},
	} {
		var out bytes.Buffer
		start := time.Now()
		code, stderr, _ := runMeasured(t, &out, append(args, "--timeout", "1s", "--ca-file", root)...)
		t.Logf("%s: exit %d after %v", args[0], code, time.Since(start).Round(time.Millisecond))
		if code != exitError || !strings.Contains(out.String()+stderr, "timed out after 1s (--timeout)") {
			t.Errorf("%s: exit %d\n%s%s", args[0], code, out.String(), stderr)
		}
	}
}
