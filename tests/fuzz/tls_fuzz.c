/*
 * tls_fuzz.c: libFuzzer target for the first bytes a client sends: the
 * Gopher port's sniff (a ClientHello or a selector), then the TLS
 * handshake on our server contexts: two host names picked by SNI, TLS
 * 1.2 and 1.3 only, and the session ticket callback of tls.c, which a
 * ClientHello carrying a ticket reaches. The bytes are the client's
 * whole side of a connection; plain selectors are gopher_fuzz's.
 *
 *   make fuzz FUZZERS=tls FUZZ_SECONDS=600
 *
 * (new inputs go to build/fuzz/corpus/tls, never into the seeds).
 *
 * Key pairs are made once per process in a temporary directory, removed
 * at exit.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tls.h>

#include "cert.h"
#include "tlsglue.h"

#define TLS_FUZZ_STEPS		64	/* handshake calls per input */
#define TLS_FUZZ_INPUT_MAX	(64 * 1024)	/* fits a socket buffer */

static const char *const tls_fuzz_names[] = { "localhost", "other.example" };
static char	tls_fuzz_dir[64];

static void
tls_fuzz_cleanup(void)
{
	char crt[256], key[256];
	size_t i;

	for (i = 0; i < 2; i++)
		if (cert_paths(tls_fuzz_dir, tls_fuzz_names[i], crt, key,
		    sizeof(crt)) == 0) {
			unlink(crt);
			unlink(key);
		}
	rmdir(tls_fuzz_dir);
}

static struct tlsglue *
tls_fuzz_glue(void)
{
	static struct tlsglue *g;
	char err[256];
	size_t i;

	if (g != NULL)
		return g;
	snprintf(tls_fuzz_dir, sizeof(tls_fuzz_dir),
	    "/tmp/capsule-tls-fuzz.XXXXXX");
	if (mkdtemp(tls_fuzz_dir) == NULL)
		abort();
	atexit(tls_fuzz_cleanup);
	for (i = 0; i < 2; i++)
		if (cert_ensure(tls_fuzz_dir, tls_fuzz_names[i], err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "tls_fuzz: %s\n", err);
			abort();
		}
	if ((g = tlsglue_new(tls_fuzz_dir, tls_fuzz_names, 2, 1, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "tls_fuzz: %s\n", err);
		abort();
	}
	return g;
}

/* What the server wrote is the client's to read; nobody reads it here. */
static void
tls_fuzz_drain(int fd)
{
	char buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsglue *g = tls_fuzz_glue();
	struct tls *tls;
	char err[256], req[1100];
	int sv[2], i, r = -1;

	if (size == 0 || size > TLS_FUZZ_INPUT_MAX ||
	    !tlsglue_is_hello(data[0]))
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	/* The server's end never blocks: out of input is TLS_WANT_POLLIN. */
	if (fcntl(sv[0], F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(sv[1], F_SETFL, O_NONBLOCK) == -1)
		abort();
	if (write(sv[1], data, size) != (ssize_t)size)
		abort();
	(void)shutdown(sv[1], SHUT_WR);
	if ((tls = tlsglue_accept(g, 0, sv[0], err, sizeof(err))) == NULL)
		abort();
	for (i = 0; i < TLS_FUZZ_STEPS; i++) {
		r = tls_handshake(tls);
		if (r == TLS_WANT_POLLOUT) {
			tls_fuzz_drain(sv[1]);
			continue;
		}
		break;
	}
	if (r == 0) {
		/* A handshake from fuzzed bytes: read on as conn.c does. */
		(void)tls_read(tls, req, sizeof(req));
		if (tls_conn_servername(tls) != NULL &&
		    strlen(tls_conn_servername(tls)) > 255)
			__builtin_trap();
	}
	tls_fuzz_drain(sv[1]);
	(void)tls_close(tls);
	tls_free(tls);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
