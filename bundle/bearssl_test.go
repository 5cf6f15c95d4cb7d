package bundle

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// bearClient is a BearSSL client, as on a device: it trusts the anchors
// of tas.h (the bundle's bearssl output), connects to 127.0.0.1:PORT with
// SNI HOST, verifies at the given time (days since 0 AD and seconds, as
// br_x509_minimal_set_time takes it), sends a request and prints the
// reply. It exits 0 only when the handshake verified and a reply came;
// else it prints BearSSL's error code.
const bearClient = `#include <bearssl.h>
#include "tas.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int sock_read(void *ctx, unsigned char *buf, size_t len) {
	ssize_t n = read(*(int *)ctx, buf, len);
	return n <= 0 ? -1 : (int)n;
}

static int sock_write(void *ctx, const unsigned char *buf, size_t len) {
	ssize_t n = write(*(int *)ctx, buf, len);
	return n <= 0 ? -1 : (int)n;
}

int main(int argc, char **argv) {
	if (argc != 5) return 2;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) { perror("connect"); return 3; }

	static br_ssl_client_context sc;
	static br_x509_minimal_context xc;
	static unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
	br_ssl_client_init_full(&sc, &xc, TAs, TAs_NUM);
	br_x509_minimal_set_time(&xc, (uint32_t)strtoul(argv[3], 0, 10), (uint32_t)strtoul(argv[4], 0, 10));
	br_ssl_engine_set_buffer(&sc.eng, iobuf, sizeof iobuf, 1);
	br_ssl_client_reset(&sc, argv[2], 0);

	br_sslio_context ioc;
	br_sslio_init(&ioc, &sc.eng, sock_read, &fd, sock_write, &fd);
	const char *req = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
	br_sslio_write_all(&ioc, req, strlen(req));
	br_sslio_flush(&ioc);
	char buf[512];
	int n, got = 0;
	while ((n = br_sslio_read(&ioc, buf, sizeof buf)) > 0) {
		fwrite(buf, 1, (size_t)n, stdout);
		got += n;
	}
	int err = br_ssl_engine_last_error(&sc.eng);
	close(fd);
	if (got == 0) {
		printf("bearssl error %d\n", err);
		return 1;
	}
	return 0;
}
`

// TestBearSSLClient compiles a real BearSSL client (libbearssl-dev)
// against the bundle's bearssl output and connects it to loopback Go
// servers: the hosts the bundle covers, RSA and ECDSA anchors and leaves,
// verify; a host from a root the bundle lacks does not.
func TestBearSSLClient(t *testing.T) {
	cc := need(t, "cc")
	if _, err := os.Stat("/usr/include/bearssl.h"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("bearssl.h is missing, and CI must have libbearssl-dev")
		}
		t.Skip("libbearssl-dev is not installed (CI unset)")
	}
	a := sharedAnchors()
	hello := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("hello device")) })
	servers := map[string]Target{
		"ecdsa root, ecdsa leaf":          target(t, server(t, a.OnlyC, hello)),
		"rsa root, ecdsa leaf":            target(t, server(t, a.OnlyB, hello)),
		"rsa root, rsa leaf":              target(t, server(t, a.OnlyBRSA, hello)),
		"cross-signed, either root":       target(t, server(t, a.Cross, hello)),
		"uncovered: a root not in it":     target(t, server(t, a.Stray, hello)),
		"uncovered: missing intermediate": target(t, server(t, a.Incomplete, hello)),
	}
	var targets []Target
	for _, tg := range servers {
		targets = append(targets, tg)
	}
	hosts := observe(t, a.Candidates(), targets...)
	b := Verifier{Time: fixedClock}.Choose(hosts, Options{})
	if got := subjects(b); len(got) != 2 { // B (for Cross and OnlyB*) and C
		t.Fatalf("anchors %v", got)
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tas.h"), written(t, "bearssl", b), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "client.c"), []byte(bearClient), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, dir, cc, "-std=c99", "-D_POSIX_C_SOURCE=200112L", "-Wall", "-Wextra", "-Werror", "-o", "client", "client.c", "-lbearssl")

	// BearSSL counts days from January 1st of year 0 (Gregorian);
	// 719528 of them end in 1970-01-01.
	unix := fixedClock().Unix()
	days, secs := strconv.FormatInt(719528+unix/86400, 10), strconv.FormatInt(unix%86400, 10)
	for name, tg := range servers {
		t.Run(name, func(t *testing.T) {
			cmd := exec.CommandContext(context.Background(), filepath.Join(dir, "client"), strconv.Itoa(tg.Port), tg.Host, days, secs)
			out, err := cmd.CombinedOutput()
			covered := !strings.HasPrefix(name, "uncovered")
			switch {
			case covered && (err != nil || !strings.Contains(string(out), "hello device")):
				t.Errorf("covered host refused: %v\n%s", err, out)
			case !covered && err == nil:
				t.Errorf("uncovered host accepted:\n%s", out)
			case !covered && !strings.Contains(string(out), "bearssl error 62"): // BR_ERR_X509_NOT_TRUSTED
				t.Errorf("uncovered host failed otherwise than untrusted: %v\n%s", err, out)
			}
		})
	}
}
