/*
 * fetch.c: `loadgen -O FILE`: one blocking request whose whole reply,
 * header included, is saved; run.sh uses it to copy capsule's documents
 * for the peer servers.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "loadgen.h"

#define FETCH_MAX	(16u * 1024 * 1024)	/* larger replies are refused */

static int
fetch_connect(const struct lg_opts *o)
{
	struct timeval	 tv;
	int		 fd;

	if ((fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	/* Blocking, but never forever. */
	tv.tv_sec = (time_t)o->timeout;
	tv.tv_usec = (suseconds_t)((o->timeout - (double)tv.tv_sec) * 1e6);
	if (tv.tv_sec == 0 && tv.tv_usec == 0)
		tv.tv_usec = 1000;	/* zero would mean "wait forever" */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (const struct sockaddr *)&o->addr, o->addrlen) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads the reply to its end into f: 0 when it ended cleanly. */
static int
fetch_tls(const struct lg_opts *o, int fd, FILE *f)
{
	SSL_CTX		*ctx;
	SSL		*ssl = NULL;
	char		 buf[LG_RDBUF];
	size_t		 total = 0;
	int		 r, rv = -1;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return -1;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if ((ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1)
		goto out;
	if (o->sni[0] != '\0')
		SSL_set_tlsext_host_name(ssl, o->sni);
	if (SSL_connect(ssl) != 1) {
		fprintf(stderr, "loadgen: TLS handshake failed\n");
		goto out;
	}
	if (SSL_write(ssl, o->req, (int)o->reqlen) != (int)o->reqlen)
		goto out;
	while ((r = SSL_read(ssl, buf, sizeof(buf))) > 0) {
		total += (size_t)r;
		if (total > FETCH_MAX || fwrite(buf, 1, (size_t)r, f) !=
		    (size_t)r)
			goto out;
	}
	if (SSL_get_error(ssl, r) == SSL_ERROR_ZERO_RETURN)
		rv = 0;
	else
		fprintf(stderr, "loadgen: reply ended without close_notify\n");
out:
	ERR_clear_error();
	if (ssl != NULL)
		SSL_free(ssl);
	SSL_CTX_free(ctx);
	return rv;
}

static int
fetch_plain(const struct lg_opts *o, int fd, FILE *f)
{
	char	 buf[LG_RDBUF];
	size_t	 total = 0;
	ssize_t	 n;

	if (write(fd, o->req, o->reqlen) != (ssize_t)o->reqlen)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		total += (size_t)n;
		if (total > FETCH_MAX || fwrite(buf, 1, (size_t)n, f) !=
		    (size_t)n)
			return -1;
	}
	return 0;
}

int
fetch_one(const struct lg_opts *o, const char *path)
{
	FILE	*f;
	int	 fd, rv;

	if ((fd = fetch_connect(o)) == -1) {
		fprintf(stderr, "loadgen: connect %s:%d: %s\n", o->host,
		    o->port, strerror(errno));
		return -1;
	}
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "loadgen: %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	rv = o->proto == LG_GEMINI ? fetch_tls(o, fd, f) :
	    fetch_plain(o, fd, f);
	if (fclose(f) != 0)
		rv = -1;
	close(fd);
	return rv;
}
