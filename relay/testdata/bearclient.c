/*
 * bearclient: a BearSSL client configured the way an ESP8266 sketch's
 * WiFiClientSecure is, for the relay's tests. It connects to ADDR:PORT,
 * sends the "Client Secure" document's request for PATH with Host and SNI
 * NAME, and prints the reply (headers and body) to stdout.
 *
 *   bearclient MODE NAME ADDR PORT CERT.der PATH [TOKEN]
 *
 * MODE:
 *   fingerprint  the leaf's SHA-1 must equal CERT's (setFingerprint)
 *   knownkey     the leaf's key must be CERT's key (setKnownKey)
 *   anchor       CERT is the trust anchor (setTrustAnchors); NAME is checked
 *   anchor1970   the same with the clock at 1970-01-02 (a device whose
 *                clock is not set yet)
 * Buffers are 837 bytes in, 597 out: BearSSL's sizes for 512-byte records
 * (setBufferSizes(512, 512)). Env SUITES=rsa offers the plain-RSA suites only.
 * Exit 0 on a clean close, 2 on a TLS error (printed as "bearssl error N").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bearssl.h>

static unsigned char *read_file(const char *path, size_t *len) {
	FILE *f = fopen(path, "rb");
	if (!f) { perror(path); exit(1); }
	static unsigned char buf[16384];
	*len = fread(buf, 1, sizeof buf, f);
	fclose(f);
	return buf;
}

/* fingerprint mode: an x509 class that hashes the leaf and takes its key. */
typedef struct {
	const br_x509_class *vtable;
	br_sha1_context sha1;
	br_x509_decoder_context dec;
	int index;
	unsigned char want[20];
} fp_context;

static void fp_start_chain(const br_x509_class **ctx, const char *name) {
	(void)name;
	((fp_context *)ctx)->index = 0;
}
static void fp_start_cert(const br_x509_class **ctx, uint32_t len) {
	fp_context *c = (fp_context *)ctx;
	(void)len;
	if (c->index == 0) {
		br_sha1_init(&c->sha1);
		br_x509_decoder_init(&c->dec, NULL, NULL);
	}
}
static void fp_append(const br_x509_class **ctx, const unsigned char *buf, size_t len) {
	fp_context *c = (fp_context *)ctx;
	if (c->index == 0) {
		br_sha1_update(&c->sha1, buf, len);
		br_x509_decoder_push(&c->dec, buf, len);
	}
}
static void fp_end_cert(const br_x509_class **ctx) { ((fp_context *)ctx)->index++; }
static unsigned fp_end_chain(const br_x509_class **ctx) {
	fp_context *c = (fp_context *)ctx;
	unsigned char got[20];
	br_sha1_out(&c->sha1, got);
	if (memcmp(got, c->want, 20) != 0) {
		fprintf(stderr, "fingerprint mismatch\n");
		return BR_ERR_X509_NOT_TRUSTED;
	}
	if (br_x509_decoder_last_error(&c->dec) != 0) return BR_ERR_X509_BAD_SERVER_NAME;
	return 0;
}
static const br_x509_pkey *fp_get_pkey(const br_x509_class *const *ctx, unsigned *usages) {
	fp_context *c = (fp_context *)ctx;
	if (usages) *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return br_x509_decoder_get_pkey(&c->dec);
}
static const br_x509_class fp_vtable = {
	sizeof(fp_context), fp_start_chain, fp_start_cert, fp_append,
	fp_end_cert, fp_end_chain, fp_get_pkey,
};

/* The subject DN of the anchor, collected by the decoder. */
static unsigned char dn[1024];
static size_t dn_len;
static void dn_append(void *ctx, const void *buf, size_t len) {
	(void)ctx;
	if (dn_len + len <= sizeof dn) { memcpy(dn + dn_len, buf, len); }
	dn_len += len;
}

static int sock_read(void *ctx, unsigned char *buf, size_t len) {
	for (;;) {
		ssize_t n = read(*(int *)ctx, buf, len);
		if (n < 0 && errno == EINTR) continue;
		return n == 0 ? -1 : (int)n;
	}
}
static int sock_write(void *ctx, const unsigned char *buf, size_t len) {
	for (;;) {
		ssize_t n = write(*(int *)ctx, buf, len);
		if (n < 0 && errno == EINTR) continue;
		return n <= 0 ? -1 : (int)n;
	}
}

int main(int argc, char **argv) {
	if (argc < 7) {
		fprintf(stderr, "usage: bearclient MODE NAME ADDR PORT CERT.der PATH [TOKEN]\n");
		return 1;
	}
	const char *mode = argv[1], *name = argv[2], *addr = argv[3], *port = argv[4];
	const char *path = argv[6], *token = argc > 7 ? argv[7] : NULL;
	size_t der_len;
	unsigned char *der = read_file(argv[5], &der_len);

	/* The certificate's key (and subject) as an ESP8266 sketch holds them. */
	br_x509_decoder_context dc;
	br_x509_decoder_init(&dc, dn_append, NULL);
	br_x509_decoder_push(&dc, der, der_len);
	const br_x509_pkey *pk = br_x509_decoder_get_pkey(&dc);
	if (pk == NULL) { fprintf(stderr, "cannot decode CERT: %d\n", br_x509_decoder_last_error(&dc)); return 1; }
	br_x509_trust_anchor ta;
	ta.dn.data = dn;
	ta.dn.len = dn_len;
	ta.flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ta.pkey = *pk;

	static br_ssl_client_context sc;
	static br_x509_minimal_context xc;
	static fp_context fp;
	static br_x509_knownkey_context kk;
	br_ssl_client_init_full(&sc, &xc, &ta, 1);
	if (strcmp(mode, "fingerprint") == 0) {
		fp.vtable = &fp_vtable;
		br_sha1_context h;
		br_sha1_init(&h);
		br_sha1_update(&h, der, der_len);
		br_sha1_out(&h, fp.want);
		br_ssl_engine_set_x509(&sc.eng, &fp.vtable);
	} else if (strcmp(mode, "knownkey") == 0) {
		if (pk->key_type == BR_KEYTYPE_RSA)
			br_x509_knownkey_init_rsa(&kk, &pk->key.rsa, BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN);
		else
			br_x509_knownkey_init_ec(&kk, &pk->key.ec, BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN);
		br_ssl_engine_set_x509(&sc.eng, &kk.vtable);
	} else if (strcmp(mode, "anchor1970") == 0) {
		br_x509_minimal_set_time(&xc, 719528 + 1, 0); /* days since 0000-01-01 */
	} else if (strcmp(mode, "anchor") != 0) {
		fprintf(stderr, "unknown mode %s\n", mode);
		return 1;
	}
	const char *suites = getenv("SUITES");
	if (suites && strcmp(suites, "rsa") == 0) {
		static const uint16_t rsa[] = {BR_TLS_RSA_WITH_AES_128_CBC_SHA, BR_TLS_RSA_WITH_AES_128_GCM_SHA256};
		br_ssl_engine_set_suites(&sc.eng, rsa, 2);
	}
	static unsigned char ibuf[837], obuf[597];
	br_ssl_engine_set_buffers_bidi(&sc.eng, ibuf, sizeof ibuf, obuf, sizeof obuf);
	br_ssl_client_reset(&sc, name, 0);

	struct addrinfo hints = {0}, *ai;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(addr, port, &hints, &ai) != 0) { fprintf(stderr, "cannot resolve %s\n", addr); return 1; }
	int fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) { perror("connect"); return 1; }
	freeaddrinfo(ai);

	br_sslio_context io;
	br_sslio_init(&io, &sc.eng, sock_read, &fd, sock_write, &fd);
	char req[1024];
	int n = snprintf(req, sizeof req,
		"GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: BuildFailureDetectorESP8266\r\n%s%s%sConnection: close\r\n\r\n",
		path, name, token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "");
	br_sslio_write_all(&io, req, (size_t)n);
	br_sslio_flush(&io);
	unsigned char buf[512];
	for (;;) {
		int r = br_sslio_read(&io, buf, sizeof buf);
		if (r < 0) break;
		fwrite(buf, 1, (size_t)r, stdout);
	}
	close(fd);
	int err = br_ssl_engine_last_error(&sc.eng);
	if (err != 0) {
		fprintf(stderr, "bearssl error %d\n", err);
		return 2;
	}
	unsigned v = br_ssl_engine_get_version(&sc.eng);
	br_ssl_session_parameters sp;
	br_ssl_engine_get_session_parameters(&sc.eng, &sp);
	fprintf(stderr, "version 0x%04x suite 0x%04x\n", v, sp.cipher_suite);
	return 0;
}
