package relay

import (
	"bufio"
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

const greenStatus = "/repos/octo/green/commits/main/status"

// serves asserts that a fresh device is answered.
func (tr *testRelay) serves(t *testing.T, why string) {
	t.Helper()
	c := tr.device()
	defer c.CloseIdleConnections()
	if code, _, body := tr.get(t, c, greenStatus); code != 200 {
		t.Errorf("%s: a device got %d %s", why, code, body)
	}
}

// TestGarbageInsteadOfClientHello: bytes that are not TLS end that
// connection (counted as a failed handshake) and no other.
func TestGarbageInsteadOfClientHello(t *testing.T) {
	u := newUpstream(t, testScenario())
	tr := startRelay(t, u, relayOpts{})
	tr.waitRound(t)
	for _, garbage := range [][]byte{
		[]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		{0x16, 0x03, 0x01, 0xff, 0xff, 0x01}, // a record header claiming 64 KB
		randomBytes(4096),
	} {
		c, err := net.Dial("tcp", tr.addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write(garbage)
		c.SetReadDeadline(time.Now().Add(15 * time.Second))
		buf := make([]byte, 1024)
		for {
			if _, err := c.Read(buf); err != nil {
				break // closed by the relay
			}
		}
		c.Close()
		tr.serves(t, "after garbage")
	}
	if n := value(t, tr.Metrics().handshakes.WithLabelValues("error", "", "false")); n < 3 {
		t.Errorf("%v failed handshakes counted, want at least 3", n)
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// TestSlowloris: a device that sends its headers a byte at a time is
// closed at the header deadline, and others are served meanwhile.
func TestSlowloris(t *testing.T) {
	u := newUpstream(t, testScenario())
	tr := startRelay(t, u, relayOpts{})
	tr.waitRound(t)
	pool := testcertsPool(tr.id)
	closed := make(chan time.Duration, 5)
	for range 5 {
		c, err := tls.Dial("tcp", tr.addr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		start := time.Now()
		go func() {
			for _, b := range []byte("GET " + greenStatus + " HTTP/1.1\r\nHost: x\r\nX-Pad: " + string(make([]byte, 200))) {
				if _, err := c.Write([]byte{b}); err != nil {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
		go func() {
			buf := make([]byte, 1)
			c.SetReadDeadline(time.Now().Add(60 * time.Second))
			c.Read(buf)
			closed <- time.Since(start)
		}()
	}
	tr.serves(t, "beside 5 slowloris devices")
	for range 5 {
		select {
		case d := <-closed:
			t.Logf("slowloris connection closed after %v", d.Round(time.Millisecond))
		case <-time.After(45 * time.Second):
			t.Fatal("a slowloris connection is still open after 45 s")
		}
	}
}

// raiseFileLimit lifts the soft limit on open files to the hard one.
func raiseFileLimit(t *testing.T, need uint64) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		t.Fatal(err)
	}
	if rl.Cur < rl.Max {
		rl.Cur = rl.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
			t.Fatal(err)
		}
	}
	if rl.Cur < need {
		t.Fatalf("open files limited to %d, need %d", rl.Cur, need)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse
}

// TestFiveThousandIdleConnections: 5,000 connections that never speak
// fill --max-conns (1000) over and over; the oldest are closed to admit
// newer ones, and a device is still served. Memory is reported.
func TestFiveThousandIdleConnections(t *testing.T) {
	const idle = 5000
	raiseFileLimit(t, 2*idle+200)
	u := newUpstream(t, testScenario())
	tr := startRelay(t, u, relayOpts{})
	tr.waitRound(t)
	before := heapInUse()
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := range idle {
		c, err := net.Dial("tcp", tr.addr)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		conns = append(conns, c)
		if i == DefaultMaxConns-1 {
			time.Sleep(200 * time.Millisecond) // let the accepts land
			t.Logf("memory per idle connection (client and server side, in process): %d bytes", (heapInUse()-before)/DefaultMaxConns)
		}
	}
	tr.serves(t, "beside 5,000 idle connections")
	open := value(t, tr.Metrics().conns)
	evicted := value(t, tr.Metrics().evicted.WithLabelValues("evicted"))
	if open > DefaultMaxConns {
		t.Errorf("%v connections counted open, over %d", open, DefaultMaxConns)
	}
	if evicted < idle-DefaultMaxConns {
		t.Errorf("%v evicted, want at least %d", evicted, idle-DefaultMaxConns)
	}
	t.Logf("open %v, evicted %v", open, evicted)
}

// TestConnectionCloseFreesTheSlot: where net/http closes a connection
// after its reply by half-closing and lingering half a second (here: 431
// for headers over the limit), the connection no longer counts against
// --max-conns: replies faster than the linger never fill a small limit.
func TestConnectionCloseFreesTheSlot(t *testing.T) {
	u := newUpstream(t, testScenario())
	tr := startRelay(t, u, relayOpts{maxConns: 3})
	tr.waitRound(t)
	pad := strings.Repeat("x", 2*maxHeaderBytes)
	start := time.Now()
	for i := range 20 {
		c, err := tls.Dial("tcp", tr.addr, &tls.Config{RootCAs: testcertsPool(tr.id), ServerName: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close() // kept open: the server's linger is what is measured
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nX-Pad: %s\r\nConnection: close\r\n\r\n", greenStatus, pad)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Fatalf("request %d: %s", i, resp.Status)
		}
	}
	elapsed := time.Since(start)
	m := tr.Metrics()
	if n := value(t, m.evicted.WithLabelValues("evicted")) + value(t, m.evicted.WithLabelValues("refused")); n != 0 {
		t.Errorf("%v connections evicted or refused at max-conns 3 by 20 closing replies in %v", n, elapsed.Round(time.Millisecond))
	}
	tr.serves(t, "after the closing replies")
}

// TestEvictsTheOldestIdle: at the limit, the oldest idle keep-alive
// connection is closed for a new device, and not a newer one.
func TestEvictsTheOldestIdle(t *testing.T) {
	u := newUpstream(t, testScenario())
	tr := startRelay(t, u, relayOpts{maxConns: 2})
	tr.waitRound(t)
	var clients []*http.Client
	for range 3 {
		c := tr.device()
		tr.get(t, c, greenStatus) // then idle, kept alive
		clients = append(clients, c)
		time.Sleep(10 * time.Millisecond) // distinct ages
	}
	m := tr.Metrics()
	if n := value(t, m.evicted.WithLabelValues("evicted")); n != 1 {
		t.Errorf("%v evicted, want 1", n)
	}
	if n := value(t, m.conns); n != 2 {
		t.Errorf("%v open, want 2", n)
	}
}

// value reads a counter or gauge.
func value(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		t.Fatal(err)
	}
	if d.Counter != nil {
		return d.Counter.GetValue()
	}
	return d.Gauge.GetValue()
}
