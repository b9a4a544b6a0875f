/*
 * bound_tcp.c: the plain-TCP ceiling. A bare libuv server that reads a
 * request line, answers every connection with the same fixed reply and
 * closes: what a Gopher server costs when it does no work at all.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#define BT_REQ_MAX	1026	/* a selector line, CRLF included */
#define BT_REPLY_MAX	(1024 * 1024)
#define BT_BACKLOG	4096

struct bt_conn {
	uv_tcp_t	 tcp;
	uv_write_t	 wr;
	size_t		 got;
	char		 req[BT_REQ_MAX];
};

static uv_buf_t	 bt_reply;

static void
bt_free(uv_handle_t *h)
{
	free(h->data);
}

static void
bt_written(uv_write_t *wr, int status)
{
	struct bt_conn	*c = wr->data;

	(void)status;
	uv_close((uv_handle_t *)&c->tcp, bt_free);
}

static void
bt_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct bt_conn	*c = h->data;

	(void)hint;
	*buf = uv_buf_init(c->req + c->got, (unsigned)(sizeof(c->req) - c->got));
}

static void
bt_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct bt_conn	*c = s->data;

	(void)buf;
	if (n < 0) {
		uv_close((uv_handle_t *)s, bt_free);
		return;
	}
	c->got += (size_t)n;
	/* A whole line, or as much as a line may be: answer. */
	if (memchr(c->req, '\n', c->got) == NULL && c->got < sizeof(c->req))
		return;
	uv_read_stop(s);
	c->wr.data = c;
	if (uv_write(&c->wr, s, &bt_reply, 1, bt_written) != 0)
		uv_close((uv_handle_t *)s, bt_free);
}

static void
bt_accept(uv_stream_t *srv, int status)
{
	struct bt_conn	*c;

	if (status < 0)
		return;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return;
	uv_tcp_init(srv->loop, &c->tcp);
	c->tcp.data = c;
	if (uv_accept(srv, (uv_stream_t *)&c->tcp) != 0 ||
	    uv_read_start((uv_stream_t *)&c->tcp, bt_alloc, bt_read) != 0)
		uv_close((uv_handle_t *)&c->tcp, bt_free);
}

/* The reply: Gopher info lines filling size bytes, ending "." CRLF. */
static char *
bt_make_reply(size_t size)
{
	static const char line[] =
	    "iThis is the bound server's fixed reply line.\t\tnull.host\t1\r\n";
	char	*p;
	size_t	 i;

	if ((p = malloc(size)) == NULL)
		return NULL;
	for (i = 0; i < size; i++)
		p[i] = line[i % (sizeof(line) - 1)];
	if (size >= 3)
		memcpy(p + size - 3, ".\r\n", 3);
	return p;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bound_tcp [-h 127.0.0.1] -P port [-b bytes]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct sockaddr_storage ss;
	struct rlimit	 rl;
	uv_loop_t	*loop = uv_default_loop();
	uv_tcp_t	 srv;
	const char	*host = "127.0.0.1";
	char		*reply;
	long		 port = 0, size = 4096;
	int		 ch, r;

	while ((ch = getopt(argc, argv, "b:h:P:")) != -1) {
		switch (ch) {
		case 'b':
			size = strtol(optarg, NULL, 10);
			break;
		case 'h':
			host = optarg;
			break;
		case 'P':
			port = strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || port <= 0 || port > 65535 || size < 1 ||
	    size > BT_REPLY_MAX)
		usage();
	/* Loopback only, like the rest of the bench. */
	if (uv_ip4_addr(host, (int)port, (struct sockaddr_in *)&ss) == 0) {
		if ((ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >>
		    24) != 127)
			host = NULL;
	} else if (uv_ip6_addr(host, (int)port,
	    (struct sockaddr_in6 *)&ss) != 0 ||
	    !IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr))
		host = NULL;
	if (host == NULL) {
		fprintf(stderr, "bound_tcp: loopback addresses only\n");
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	if ((reply = bt_make_reply((size_t)size)) == NULL)
		return 1;
	bt_reply = uv_buf_init(reply, (unsigned)size);

	uv_tcp_init(loop, &srv);
	if ((r = uv_tcp_bind(&srv, (struct sockaddr *)&ss, 0)) != 0 ||
	    (r = uv_listen((uv_stream_t *)&srv, BT_BACKLOG, bt_accept)) != 0) {
		fprintf(stderr, "bound_tcp: %s:%ld: %s\n", host, port,
		    uv_strerror(r));
		return 1;
	}
	fprintf(stderr, "bound_tcp: %s:%ld, %ld-byte replies\n", host, port,
	    size);
	uv_run(loop, UV_RUN_DEFAULT);
	return 0;
}
