/*
 * gemget: the integration tests' client. It sends exactly the bytes it is
 * given, over TLS (Gemini, Gopher over TLS) or plain TCP (Gopher), prints
 * the raw response, and says whether the server ended with close_notify.
 *
 * usage: gemget [-Pf] [-s sni] [-p port] [-d ms] [-w ms] [-t secs] host req
 *   req   the request bytes; \r \n \t \\ \0 and \xHH are unescaped;
 *         "-" reads them from stdin
 *   -P    plain TCP, no TLS
 *   -s    the server name to send (default: host, unless an address)
 *   -p    port (default 1965)
 *   -d    send the first byte, wait ms, then send the rest: a slow client
 *   -w    wait ms after sending, before reading
 *   -t    give up reading after secs (default 10)
 *   -f    print the server certificate's subject and hash on stderr
 *
 * stdout: the response. stderr: "close_notify: yes" or "no" (TLS only).
 * Exit status: 0 the server closed cleanly (with close_notify over TLS),
 * 3 it closed without close_notify, 4 timeout, 1 other errors, 2 usage.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tls.h>

#define GEMGET_REQ_MAX	(1024 * 1024)
#define GEMGET_BUF	16384

static struct tls *tls;
static int fd = -1;
static long long deadline;	/* ms, CLOCK_MONOTONIC */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
usage(void)
{
	fprintf(stderr, "usage: gemget [-Pf] [-s sni] [-p port] [-d ms] "
	    "[-w ms] [-t secs] host request\n");
	exit(2);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Unescapes s into out; returns the length. */
static size_t
unescape(const char *s, char *out, size_t outsz)
{
	size_t o = 0;
	int hi, lo;

	for (; *s != '\0' && o < outsz; s++) {
		if (*s != '\\' || s[1] == '\0') {
			out[o++] = *s;
			continue;
		}
		switch (*++s) {
		case 'r':
			out[o++] = '\r';
			break;
		case 'n':
			out[o++] = '\n';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case '0':
			out[o++] = '\0';
			break;
		case 'x':
			if ((hi = hexval((unsigned char)s[1])) < 0 ||
			    (lo = hexval((unsigned char)s[2])) < 0)
				usage();
			out[o++] = (char)(hi << 4 | lo);
			s += 2;
			break;
		default:
			out[o++] = *s;
			break;
		}
	}
	return o;
}

/* Waits for fd until the deadline; exits 4 when it passes. */
static void
wait_fd(int events)
{
	struct pollfd pfd = { fd, (short)events, 0 };
	long long left = deadline - now_ms();

	if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
		fprintf(stderr, "gemget: timeout\n");
		exit(4);
	}
}

static int
tls_wait(ssize_t r)
{
	if (r == TLS_WANT_POLLIN)
		wait_fd(POLLIN);
	else if (r == TLS_WANT_POLLOUT)
		wait_fd(POLLOUT);
	else
		return 0;
	return 1;
}

static void
send_all(const char *p, size_t n)
{
	ssize_t r;

	while (n > 0) {
		if (tls != NULL) {
			r = tls_write(tls, p, n);
			if (tls_wait(r))
				continue;
		} else {
			r = write(fd, p, n);
			if (r == -1 && (errno == EAGAIN || errno == EINTR)) {
				wait_fd(POLLOUT);
				continue;
			}
		}
		if (r <= 0) {
			/* The server may answer before all is sent. */
			fprintf(stderr, "gemget: write: %s\n", tls ?
			    tls_error(tls) : strerror(errno));
			return;
		}
		p += r;
		n -= (size_t)r;
	}
}

static int
connect_to(const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	int s = -1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		fprintf(stderr, "gemget: %s: %s\n", host, gai_strerror(rc));
		exit(1);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((s = socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) == -1)
			continue;
		if (connect(s, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(s);
		s = -1;
	}
	freeaddrinfo(res);
	if (s == -1) {
		fprintf(stderr, "gemget: connect %s port %s: %s\n", host, port,
		    strerror(errno));
		exit(1);
	}
	return s;
}

int
main(int argc, char **argv)
{
	const char *port = "1965", *sni = NULL;
	struct tls_config *cfg;
	unsigned char addr[16];
	static char req[GEMGET_REQ_MAX], buf[GEMGET_BUF];
	size_t reqlen;
	ssize_t r;
	long delay = 0, pause = 0, secs = 10;
	int ch, plain = 0, show = 0, rc = 0, closed_clean;

	while ((ch = getopt(argc, argv, "Pfs:p:d:w:t:")) != -1) {
		switch (ch) {
		case 'P':
			plain = 1;
			break;
		case 'f':
			show = 1;
			break;
		case 's':
			sni = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'd':
			delay = atol(optarg);
			break;
		case 'w':
			pause = atol(optarg);
			break;
		case 't':
			secs = atol(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		usage();
	if (strcmp(argv[1], "-") == 0)
		reqlen = fread(req, 1, sizeof(req), stdin);
	else
		reqlen = unescape(argv[1], req, sizeof(req));
	if (sni == NULL && inet_pton(AF_INET, argv[0], addr) != 1 &&
	    inet_pton(AF_INET6, argv[0], addr) != 1)
		sni = argv[0];

	deadline = now_ms() + secs * 1000;
	fd = connect_to(argv[0], port);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (!plain) {
		if ((cfg = tls_config_new()) == NULL ||
		    (tls = tls_client()) == NULL)
			return 1;
		/* Gemini trusts on first use: no CA, no name check. */
		tls_config_insecure_noverifycert(cfg);
		tls_config_insecure_noverifyname(cfg);
		tls_config_insecure_noverifytime(cfg);
		if (tls_configure(tls, cfg) == -1 ||
		    tls_connect_socket(tls, fd, sni) == -1) {
			fprintf(stderr, "gemget: %s\n", tls_error(tls));
			return 1;
		}
		tls_config_free(cfg);
		while ((r = tls_handshake(tls)) != 0) {
			if (!tls_wait(r)) {
				fprintf(stderr, "gemget: handshake: %s\n",
				    tls_error(tls));
				return 1;
			}
		}
		if (show)
			fprintf(stderr, "subject: %s\nhash: %s\nversion: %s\n",
			    tls_peer_cert_subject(tls),
			    tls_peer_cert_hash(tls), tls_conn_version(tls));
	}

	if (delay > 0 && reqlen > 1) {
		send_all(req, 1);
		usleep((useconds_t)delay * 1000);
		send_all(req + 1, reqlen - 1);
	} else
		send_all(req, reqlen);
	if (pause > 0)
		usleep((useconds_t)pause * 1000);
	deadline = now_ms() + secs * 1000;

	for (;;) {
		if (tls != NULL) {
			r = tls_read(tls, buf, sizeof(buf));
			if (tls_wait(r))
				continue;
		} else {
			r = read(fd, buf, sizeof(buf));
			if (r == -1 && (errno == EAGAIN || errno == EINTR)) {
				wait_fd(POLLIN);
				continue;
			}
		}
		if (r <= 0)
			break;
		fwrite(buf, 1, (size_t)r, stdout);
	}
	fflush(stdout);
	if (tls == NULL) {
		if (r < 0) {
			fprintf(stderr, "gemget: read: %s\n", strerror(errno));
			rc = 1;
		}
		close(fd);
		return rc;
	}
	/*
	 * tls_read() gives 0 for close_notify and for a bare EOF alike;
	 * tls_close() then tells them apart.
	 */
	closed_clean = r == 0;
	if (r < 0)
		fprintf(stderr, "gemget: read: %s\n", tls_error(tls));
	while ((r = tls_close(tls)) == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT)
		tls_wait(r);
	if (r == -1 && tls_error(tls) != NULL &&
	    strstr(tls_error(tls), "close notify") != NULL)
		closed_clean = 0;
	fprintf(stderr, "close_notify: %s\n", closed_clean ? "yes" : "no");
	tls_free(tls);
	close(fd);
	return closed_clean ? 0 : 3;
}
