/*
 * bound_tls.c: the TLS ceiling. A bare libtls server run the way a real
 * one is: non-blocking sockets under libuv's uv_poll, tls_accept_socket,
 * then handshake, read the request line, answer "20 text/gemini" and a
 * fixed body, tls_close. Whatever capsule spends beyond this is its own.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tls.h>
#include <uv.h>

#define BS_REQ_MAX	1026	/* a Gemini URL and CRLF */
#define BS_REPLY_MAX	(1024 * 1024)
#define BS_BACKLOG	4096
#define BS_ACCEPTS	64	/* per wake-up, so handshakes get a turn */

enum bs_state {
	BS_HANDSHAKE,
	BS_READ,
	BS_WRITE,
	BS_CLOSE,
};

struct bs_conn {
	uv_poll_t	 poll;
	struct tls	*tls;
	int		 fd;
	int		 events;	/* what uv_poll waits for now */
	enum bs_state	 state;
	size_t		 got;
	size_t		 sent;
	char		 req[BS_REQ_MAX];
};

static struct tls	*bs_server;
static char		*bs_reply;
static size_t		 bs_replylen;
static int		 bs_lfd = -1;

static void	bs_step(struct bs_conn *);

static void
bs_closed(uv_handle_t *h)
{
	struct bs_conn	*c = h->data;

	tls_free(c->tls);
	close(c->fd);	/* libtls leaves accepted sockets to us */
	free(c);
}

static void
bs_finish(struct bs_conn *c)
{
	uv_close((uv_handle_t *)&c->poll, bs_closed);
}

static void
bs_on_poll(uv_poll_t *p, int status, int events)
{
	(void)status;
	(void)events;
	bs_step(p->data);	/* an error shows up in the next tls call */
}

/* r is TLS_WANT_POLLIN or TLS_WANT_POLLOUT: wait for that. */
static void
bs_wait(struct bs_conn *c, ssize_t r)
{
	int	 ev = r == TLS_WANT_POLLIN ? UV_READABLE : UV_WRITABLE;

	if (c->events != ev && uv_poll_start(&c->poll, ev, bs_on_poll) == 0)
		c->events = ev;
}

static void
bs_step(struct bs_conn *c)
{
	ssize_t	 r;

	for (;;) {
		r = -1;
		switch (c->state) {
		case BS_HANDSHAKE:
			r = tls_handshake(c->tls);
			if (r == 0)
				c->state = BS_READ;
			break;
		case BS_READ:
			r = tls_read(c->tls, c->req + c->got,
			    sizeof(c->req) - c->got);
			if (r == 0)
				r = -1;		/* EOF before a whole line */
			if (r > 0) {
				c->got += (size_t)r;
				if (memchr(c->req, '\n', c->got) != NULL ||
				    c->got == sizeof(c->req))
					c->state = BS_WRITE;
			}
			break;
		case BS_WRITE:
			r = tls_write(c->tls, bs_reply + c->sent,
			    bs_replylen - c->sent);
			if (r > 0) {
				c->sent += (size_t)r;
				if (c->sent == bs_replylen)
					c->state = BS_CLOSE;
			}
			break;
		case BS_CLOSE:
			r = tls_close(c->tls);
			if (r == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT) {
				bs_wait(c, r);
				return;
			}
			bs_finish(c);
			return;
		}
		if (r == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT) {
			bs_wait(c, r);
			return;
		}
		if (r == -1) {
			bs_finish(c);
			return;
		}
	}
}

static void
bs_on_accept(uv_poll_t *p, int status, int events)
{
	struct bs_conn	*c;
	int		 i, fd;

	(void)status;
	(void)events;
	for (i = 0; i < BS_ACCEPTS; i++) {
		fd = accept(bs_lfd, NULL, NULL);
		if (fd == -1)
			return;	/* EAGAIN, or out of descriptors for now */
		fcntl(fd, F_SETFL, O_NONBLOCK);
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			continue;
		}
		c->fd = fd;
		if (tls_accept_socket(bs_server, &c->tls, fd) == -1 ||
		    uv_poll_init(p->loop, &c->poll, fd) != 0) {
			if (c->tls != NULL)
				tls_free(c->tls);
			close(fd);
			free(c);
			continue;
		}
		c->poll.data = c;
		bs_step(c);
	}
}

static int
bs_listen(const char *host, int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;
	int			 fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1 &&
	    (ntohl(sin->sin_addr.s_addr) >> 24) == 127) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1 &&
	    IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr)) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		len = sizeof(*sin6);
	} else {
		fprintf(stderr, "bound_tls: loopback addresses only\n");
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, BS_BACKLOG) == -1) {
		fprintf(stderr, "bound_tls: %s:%d: %s\n", host, port,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* "20 text/gemini" CRLF, then gemtext lines up to size bytes in all. */
static int
bs_make_reply(size_t size)
{
	static const char head[] = "20 text/gemini\r\n";
	static const char line[] = "A line of the bound server's fixed body.\n";
	size_t		 i;

	bs_replylen = sizeof(head) - 1 + size;
	if ((bs_reply = malloc(bs_replylen)) == NULL)
		return -1;
	memcpy(bs_reply, head, sizeof(head) - 1);
	for (i = 0; i < size; i++)
		bs_reply[sizeof(head) - 1 + i] = line[i % (sizeof(line) - 1)];
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bound_tls -c cert -k key [-h 127.0.0.1] "
	    "-P port [-b bytes] [-r session-lifetime]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct tls_config *cfg;
	struct rlimit	 rl;
	uv_loop_t	*loop = uv_default_loop();
	uv_poll_t	 lpoll;
	const char	*host = "127.0.0.1", *cert = NULL, *key = NULL;
	long		 port = 0, size = 4096, lifetime = 0;
	int		 ch;

	while ((ch = getopt(argc, argv, "b:c:h:k:P:r:")) != -1) {
		switch (ch) {
		case 'b':
			size = strtol(optarg, NULL, 10);
			break;
		case 'c':
			cert = optarg;
			break;
		case 'h':
			host = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'P':
			port = strtol(optarg, NULL, 10);
			break;
		case 'r':
			lifetime = strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || cert == NULL || key == NULL || port <= 0 ||
	    port > 65535 || size < 0 || size > BS_REPLY_MAX || lifetime < 0 ||
	    lifetime > 86400)
		usage();
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	if (bs_make_reply((size_t)size) == -1)
		return 1;

	if (tls_init() == -1 || (cfg = tls_config_new()) == NULL)
		return 1;
	if (tls_config_set_keypair_file(cfg, cert, key) == -1) {
		fprintf(stderr, "bound_tls: %s\n", tls_config_error(cfg));
		return 1;
	}
	/*
	 * For experiments only: with LibreTLS 3.7 on OpenSSL 3 this turns
	 * TLS 1.3 tickets off rather than on (its ticket callback answers
	 * "no ticket"), so nothing resumes either way.
	 */
	if (lifetime > 0 &&
	    tls_config_set_session_lifetime(cfg, (int)lifetime) == -1) {
		fprintf(stderr, "bound_tls: %s\n", tls_config_error(cfg));
		return 1;
	}
	if ((bs_server = tls_server()) == NULL ||
	    tls_configure(bs_server, cfg) == -1) {
		fprintf(stderr, "bound_tls: %s\n", bs_server != NULL ?
		    tls_error(bs_server) : "tls_server failed");
		return 1;
	}

	if ((bs_lfd = bs_listen(host, (int)port)) == -1)
		return 1;
	uv_poll_init(loop, &lpoll, bs_lfd);
	uv_poll_start(&lpoll, UV_READABLE, bs_on_accept);
	fprintf(stderr, "bound_tls: %s:%ld, %ld-byte bodies, sessions %s\n",
	    host, port, size, lifetime > 0 ? "on" : "off");
	uv_run(loop, UV_RUN_DEFAULT);
	return 0;
}
