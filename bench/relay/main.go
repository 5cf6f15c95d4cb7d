// Command relay compares, in one run on this machine, what `clientsecure
// relay` and nginx cost for serving devices: full TLS 1.2 ECDHE-ECDSA
// handshakes with one request each, per second; resumed ones (session
// tickets); CPU time of the server process per reply; and memory (RSS)
// per idle keep-alive device connection. Both serve the same ECDSA P-256
// certificate on loopback; nginx serves the relay's own reply as a static
// file, so both send the same bytes.
//
// Usage:
//
//	go run ./bench/relay [-d 5s] [-rounds 3] [-c 16] [-idle 1000]
//
// The relay runs as its own process (the clientsecure command, built into
// a temporary directory), polling a fakehub in this process; nginx is
// /usr/sbin/nginx with a generated configuration, worker_processes set to
// the number of CPUs (the relay's GOMAXPROCS). Each figure is the median
// of the rounds; the servers are measured alternately, so that both see
// the same machine.
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	pemlib "encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/clientsecure/clientsecure/devicetls"
	"github.com/clientsecure/clientsecure/fakehubtest"
)

const path = "/repos/esp8266/Arduino/commits/master/status"

func main() {
	dur := flag.Duration("d", 5*time.Second, "length of each measurement")
	rounds := flag.Int("rounds", 3, "rounds (the median is reported)")
	conc := flag.Int("c", 16, "concurrent clients")
	idle := flag.Int("idle", 1000, "idle connections for the memory figure")
	nginxBin := flag.String("nginx", "/usr/sbin/nginx", "nginx binary")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("bench/relay: ")
	if err := run(*dur, *rounds, *conc, *idle, *nginxBin); err != nil {
		log.Fatal(err)
	}
}

type server struct {
	name string
	addr string
	pid  int
	cmd  *exec.Cmd
}

func run(dur time.Duration, rounds, conc, idle int, nginxBin string) error {
	raiseFileLimit()
	dir, err := os.MkdirTemp("", "bench-relay")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)

	// Upstream: the document's reply, from a fakehub on loopback.
	upCert, err := devicetls.NewCertificate([]string{"127.0.0.1"}, devicetls.KeySpec{}, time.Now())
	if err != nil {
		return err
	}
	up := fakehubtest.NewServer(nil, upCert)
	defer up.Close()
	rootPEM := filepath.Join(dir, "upstream.pem")
	os.WriteFile(rootPEM, pemlib.EncodeToMemory(&pemlib.Block{Type: "CERTIFICATE", Bytes: upCert.Certificate[0]}), 0o644)

	bin := filepath.Join(dir, "clientsecure")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/clientsecure").CombinedOutput(); err != nil {
		return fmt.Errorf("building clientsecure (run from the module root): %v\n%s", err, out)
	}
	relayAddr := freeAddr()
	state := filepath.Join(dir, "state")
	relay := exec.Command(bin, "relay", "--addr", relayAddr, "--state", state, "--ca-file", rootPEM,
		"--api-url", up.URL, "--max-conns", strconv.Itoa(idle+conc+100), "esp8266/Arduino@master")
	relay.Env = append(os.Environ(), "GH_TOKEN=", "GITHUB_TOKEN=", "CLIENTSECURE_DEVICE_TOKEN=")
	relay.Stdout, relay.Stderr = io.Discard, io.Discard
	if err := relay.Start(); err != nil {
		return err
	}
	defer stop(relay)
	rs := &server{name: "relay", addr: relayAddr, pid: relay.Process.Pid, cmd: relay}
	body, err := waitBody(relayAddr)
	if err != nil {
		return fmt.Errorf("relay: %w", err)
	}

	// nginx: the same certificate, the relay's reply as a static file.
	identity := filepath.Join(state, "identity.pem")
	pem, err := os.ReadFile(identity)
	if err != nil {
		return err
	}
	certPEM := filepath.Join(dir, "identity.pem")
	os.WriteFile(certPEM, pem, 0o644)
	www := filepath.Join(dir, "www")
	os.MkdirAll(filepath.Join(www, filepath.Dir(path)), 0o755)
	os.WriteFile(filepath.Join(www, path), body, 0o644)
	nginxAddr := freeAddr()
	conf := filepath.Join(dir, "nginx.conf")
	os.WriteFile(conf, []byte(nginxConf(dir, nginxAddr, certPEM, www, idle+conc+100)), 0o644)
	ng := exec.Command(nginxBin, "-p", dir, "-c", conf, "-g", "daemon off;")
	ng.Stdout, ng.Stderr = io.Discard, os.Stderr
	if err := ng.Start(); err != nil {
		return fmt.Errorf("nginx: %w", err)
	}
	defer stop(ng)
	ns := &server{name: "nginx", addr: nginxAddr, pid: ng.Process.Pid, cmd: ng}
	if _, err := waitBody(nginxAddr); err != nil {
		return fmt.Errorf("nginx: %w", err)
	}

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	type figures struct{ full, resumed, cpuFull, cpuResumed []float64 }
	res := map[string]*figures{"relay": {}, "nginx": {}}
	for r := range rounds {
		for _, s := range []*server{rs, ns} {
			f := res[s.name]
			for _, resumed := range []bool{false, true} {
				rate, cpu, err := load(s, pool, conc, dur, resumed)
				if err != nil {
					return fmt.Errorf("%s: %w", s.name, err)
				}
				if resumed {
					f.resumed, f.cpuResumed = append(f.resumed, rate), append(f.cpuResumed, cpu)
				} else {
					f.full, f.cpuFull = append(f.full, rate), append(f.cpuFull, cpu)
				}
				log.Printf("round %d %s resumed=%v: %.0f replies/s, %.1f µs CPU per reply", r+1, s.name, resumed, rate, cpu)
			}
		}
	}
	mem := map[string]float64{}
	for _, s := range []*server{rs, ns} {
		m, err := idleMemory(s, pool, idle)
		if err != nil {
			return fmt.Errorf("%s idle: %w", s.name, err)
		}
		mem[s.name] = m
	}

	fmt.Printf("machine: %d CPUs, %s; %d concurrent clients, %v per measurement, median of %d rounds\n", runtime.NumCPU(), runtime.Version(), conc, dur, rounds)
	fmt.Printf("%-8s %16s %16s %16s %16s %14s\n", "", "full hs/s", "resumed hs/s", "CPU/reply full", "CPU/reply res.", "RSS/idle conn")
	for _, n := range []string{"relay", "nginx"} {
		f := res[n]
		fmt.Printf("%-8s %16.0f %16.0f %14.1fµs %14.1fµs %12.0f B\n", n, median(f.full), median(f.resumed), median(f.cpuFull), median(f.cpuResumed), mem[n])
	}
	r, g := res["relay"], res["nginx"]
	fmt.Printf("relay/nginx: full-handshake rate %.2fx (target >= 0.8x), resumed rate %.2fx, CPU per reply full %.2fx (target <= 1.5x), resumed %.2fx, memory per idle connection %.2fx\n",
		median(r.full)/median(g.full), median(r.resumed)/median(g.resumed),
		median(r.cpuFull)/median(g.cpuFull), median(r.cpuResumed)/median(g.cpuResumed), mem["relay"]/mem["nginx"])
	return nil
}

func nginxConf(dir, addr, cert, www string, conns int) string {
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;"
	}
	return fmt.Sprintf(`%s
worker_processes %d;
pid %s/nginx.pid;
error_log %s/error.log error;
events { worker_connections %d; }
http {
    access_log off;
    client_body_temp_path %s/tmp;
    proxy_temp_path %s/tmp;
    fastcgi_temp_path %s/tmp;
    uwsgi_temp_path %s/tmp;
    scgi_temp_path %s/tmp;
    keepalive_timeout 120s;
    keepalive_requests 100000;
    server {
        listen %s ssl;
        ssl_certificate %s;
        ssl_certificate_key %s;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_tickets on;
        ssl_session_cache shared:SSL:10m;
        root %s;
        default_type application/json;
    }
}
`, user, runtime.NumCPU(), dir, dir, conns+100, dir, dir, dir, dir, dir, addr, cert, cert, www)
}

// load runs conc clients for dur, each making a TLS 1.2 ECDHE-ECDSA
// connection per request (resumed: from its session cache), and returns
// replies per second and the server's CPU time per reply in µs.
func load(s *server, pool *x509.CertPool, conc int, dur time.Duration, resumed bool) (float64, float64, error) {
	var n atomic.Int64
	var firstErr atomic.Value
	cpu0 := cpuTime(s.pid)
	start := time.Now()
	deadline := start.Add(dur)
	var wg sync.WaitGroup
	for range conc {
		cfg := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}
		if resumed {
			cfg.ClientSessionCache = tls.NewLRUClientSessionCache(1)
		}
		wg.Go(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				if err := oneRequest(s.addr, cfg, resumed && i > 0); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuTime(s.pid) - cpu0
	if e := firstErr.Load(); e != nil {
		return 0, 0, e.(error)
	}
	return float64(n.Load()) / elapsed.Seconds(), float64(cpu.Microseconds()) / float64(n.Load()), nil
}

func oneRequest(addr string, cfg *tls.Config, wantResumed bool) error {
	c, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: BuildFailureDetectorESP8266\r\nConnection: close\r\n\r\n"); err != nil {
		return err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(string(b), `{"state":"success"`) {
		return fmt.Errorf("reply %d %q %v", resp.StatusCode, b, err)
	}
	if st := c.ConnectionState(); st.DidResume != wantResumed {
		return fmt.Errorf("resumed %v, want %v", st.DidResume, wantResumed)
	}
	return nil
}

// idleMemory opens n keep-alive connections that each made one request,
// and returns the growth of the server's resident memory per connection.
func idleMemory(s *server, pool *x509.CertPool, n int) (float64, error) {
	before := rss(s.pid)
	cfg := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MaxVersion: tls.VersionTLS12}
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := tls.Dial("tcp", s.addr, cfg)
		if err != nil {
			return 0, err
		}
		conns = append(conns, c)
		io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	time.Sleep(500 * time.Millisecond)
	return float64(rss(s.pid)-before) / float64(n), nil
}

// processes is pid and its children (nginx's workers).
func processes(pid int) []int {
	pids := []int{pid}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err == nil {
		for _, f := range strings.Fields(string(data)) {
			if c, err := strconv.Atoi(f); err == nil {
				pids = append(pids, c)
			}
		}
	}
	return pids
}

// cpuTime is the user and system time of pid and its children so far.
func cpuTime(pid int) time.Duration {
	var total int64
	for _, p := range processes(pid) {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
		if err != nil {
			continue
		}
		s := string(data)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		utime, _ := strconv.ParseInt(fields[11], 10, 64)
		stime, _ := strconv.ParseInt(fields[12], 10, 64)
		total += utime + stime
	}
	return time.Duration(total) * time.Second / 100 // USER_HZ
}

// rss is the resident memory of pid and its children, in bytes.
func rss(pid int) int64 {
	var total int64
	for _, p := range processes(pid) {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				total += kb << 10
			}
		}
	}
	return total
}

func waitBody(addr string) ([]byte, error) {
	c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := c.Get("https://" + addr + path)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return b, nil
			}
			err = errors.New(resp.Status)
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func stop(c *exec.Cmd) {
	c.Process.Signal(syscall.SIGTERM)
	c.Wait()
}

func raiseFileLimit() {
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil && rl.Cur < rl.Max {
		rl.Cur = rl.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
