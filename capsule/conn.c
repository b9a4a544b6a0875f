/*
 * conn.c: one connection, from accept to close. A state enum moves
 * forward as libuv reports the socket ready; every step does what it can
 * without blocking and then waits. libtls works on the socket itself
 * (tls_accept_socket), and TLS_WANT_POLLIN/POLLOUT just re-arm the poll.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tls.h>

#include "conncap.h"
#include "gemini.h"
#include "gopher.h"
#include "log.h"
#include "reply.h"
#include "snapshot.h"
#include "tlsglue.h"
#include "worker.h"

#define CONN_REQUEST_MAX	GEMINI_REQUEST_MAX	/* both protocols */
#define CONN_REPLY_MS		60000	/* the whole response */
#define CONN_CLOSE_MS		2000	/* close_notify, then lingering */
#define CONN_STAGE_MAX		16384	/* one TLS record: head, body start */
#define CONN_TLS_CHUNK		16384	/* bytes per tls_write() */
#define CONN_WRITE_BUDGET	(256 * 1024)	/* per wakeup: others' turn */
#define CONN_LINGER_MAX		(64 * 1024)	/* drained before closing */
#define CONN_SPARE_MAX		256	/* closed connections kept, per worker */
#define CONN_FILE_CHUNK		(64 * 1024)	/* a picture is read so much
						   at a time, off the loop */
#define CONN_OVERCAP_MS		1000	/* past the per-address cap: 44, quick */

/* Why a connection is only told to come back later. */
enum conn_busy {
	BUSY_NO,
	BUSY_WORKER,		/* past --max-conns */
	BUSY_ADDR,		/* past --max-conns-per-addr */
	BUSY_SEARCH,		/* past --max-searches */
};

enum conn_state {
	CONN_PROXY,		/* reading the load balancer's PROXY header */
	CONN_PEEK,		/* nothing yet; Gopher port: TLS or a selector? */
	CONN_HANDSHAKE,
	CONN_REQUEST,		/* reading the request line */
	CONN_WORK,		/* a search answered off the loop */
	CONN_REPLY,		/* writing head and body */
	CONN_FILE,		/* a picture's next chunk read off the loop */
	CONN_TLS_CLOSE,		/* sending close_notify */
	CONN_LINGER,		/* FIN sent; draining what the client sends */
	CONN_CLOSED,		/* handles closing; freed when both are */
};

/* What a step did: the state moved on, it must wait, or it is over. */
enum conn_step {
	STEP_NEXT,
	STEP_WAIT,
	STEP_CLOSE,
};

struct conn_out {
	const char	*p;
	size_t		 len;
};

struct conn {
	struct conn	*prev, *next;
	struct worker	*w;
	enum conn_state	 state;
	enum proto	 proto;
	int		 fd;
	enum conn_busy	 busy;		/* "slow down" */
	unsigned	 ratewait;	/* --rate-limit: seconds to wait, or 0 */
	struct tls	*tls;		/* NULL for plain Gopher */
	struct tlsglue	*glue;		/* the key pairs tls came from */
	uv_poll_t	 poll;
	uv_timer_t	 timer;
	int		 events;	/* what poll waits for now */
	int		 handles;	/* still to close before free() */
	uint64_t	 start, done;	/* uv_hrtime() */
	char		 addr[INET6_ADDRSTRLEN];
	unsigned char	 key[16];	/* the client's, for the limits */
	int		 haskey;
	int		 capped;	/* counted by --max-conns-per-addr */
	int		 searching;	/* a search counted for its client */
	char		 req[CONN_REQUEST_MAX];
	size_t		 reqlen;
	size_t		 loglen;	/* request bytes the access log shows */
	int		 framed;	/* loglen is set: a line was read */
	int		 logged;
	struct reply	 reply;
	char		*stage;		/* TLS: head and body start at once */
	struct conn_out	 out[2];
	int		 nout, iout;
	size_t		 off;		/* into out[iout] */
	uint64_t	 sent;
	int		 shut;		/* FIN sent */
	size_t		 drained;
	uv_work_t	 work;		/* CONN_WORK: the answer being made */
	size_t		 worklen;	/* its request line's length */
	int		 close_later;	/* closed while in CONN_WORK or
					   CONN_FILE */
	int		 work_search;	/* CONN_WORK: a search, counted */
	uv_fs_t		 fsreq;		/* CONN_FILE: the read under way */
	char		*fbuf;		/* its chunk, CONN_FILE_CHUNK bytes */
	long long	 foff;		/* bytes of the file read so far */
};

/* Until its first bytes a connection holds only this: keep it small. */
_Static_assert(sizeof(struct conn) <= 8192, "struct conn over 8 KB");

static void	conn_step(struct conn *);
static void	conn_close(struct conn *);

/* The socket has nothing more for now (or no room). */
static int
conn_again(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK;
}

/* Both handles closed: the memory goes back to the worker's spares. */
static void
conn_on_closed(uv_handle_t *h)
{
	struct conn *c = h->data;
	struct worker *w = c->w;

	if (--c->handles > 0)
		return;
	if (w->nspare < CONN_SPARE_MAX) {
		c->next = w->spare;
		w->spare = c;
		w->nspare++;
	} else
		free(c);
}

/* A zeroed connection: a spare when there is one, no malloc per accept. */
static struct conn *
conn_new(struct worker *w)
{
	struct conn *c = w->spare;

	if (c == NULL)
		return calloc(1, sizeof(*c));
	w->spare = c->next;
	w->nspare--;
	memset(c, 0, sizeof(*c));
	return c;
}

void
conn_free_spares(struct worker *w)
{
	struct conn *c;

	while ((c = w->spare) != NULL) {
		w->spare = c->next;
		free(c);
	}
	w->nspare = 0;
}

static const char *
conn_proto_name(const struct conn *c)
{
	if (c->proto == PROTO_GEMINI)
		return "gemini";
	return c->tls ? "gophers" : "gopher";
}

static void
conn_log(struct conn *c)
{
	struct log_access a;
	uint64_t end = c->done ? c->done : uv_hrtime();

	/* A connection that never sent a byte made no request. */
	if (c->logged || c->reqlen == 0 || c->state == CONN_PROXY)
		return;
	c->logged = 1;
	a.proto = conn_proto_name(c);
	a.addr = c->addr;
	a.request = c->req;
	a.reqlen = c->framed ? c->loglen : c->reqlen;
	a.status = c->reply.status;
	a.bytes = c->sent;
	a.ms = (end - c->start) / 1000000;
	log_access(&a);
}

/* Safe from any state: gives everything back and closes the socket. */
static void
conn_close(struct conn *c)
{
	struct worker *w = c->w;

	if (c->state == CONN_CLOSED)
		return;
	if (c->state == CONN_WORK || c->state == CONN_FILE) {
		/* A thread still writes its reply or reads its file (whose
		   fd must stay open until then): close when it is done. */
		c->close_later = 1;
		return;
	}
	conn_log(c);
	c->state = CONN_CLOSED;
	reply_release(&c->reply);
	free(c->stage);
	c->stage = NULL;
	free(c->fbuf);
	c->fbuf = NULL;
	if (c->tls != NULL)
		tls_free(c->tls);
	c->tls = NULL;
	tlsglue_unref(c->glue);
	c->glue = NULL;
	if (c->capped)
		conncap_give(server_conncap(), c->key);
	c->capped = 0;
	/* uv_close() stops the poll at once, so the fd can go now. */
	uv_close((uv_handle_t *)&c->poll, conn_on_closed);
	uv_close((uv_handle_t *)&c->timer, conn_on_closed);
	close(c->fd);
	c->fd = -1;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	w->nconns--;
	worker_conn_gone(w);
}

static void
conn_on_timeout(uv_timer_t *t)
{
	struct conn *c = t->data;

	/* A request that never came still ends with close_notify. */
	if (c->state == CONN_REQUEST && c->tls != NULL) {
		c->state = CONN_TLS_CLOSE;
		uv_timer_start(&c->timer, conn_on_timeout, CONN_CLOSE_MS, 0);
		conn_step(c);
		return;
	}
	conn_close(c);
}

static void
conn_on_ready(uv_poll_t *p, int status, int events)
{
	struct conn *c = p->data;

	(void)events;
	if (status < 0) {
		conn_close(c);
		return;
	}
	conn_step(c);
}

/* Waits for the socket to be readable or writable; STEP_CLOSE on error. */
static enum conn_step
conn_wait(struct conn *c, int events)
{
	if (events != c->events &&
	    uv_poll_start(&c->poll, events, conn_on_ready) != 0)
		return STEP_CLOSE;
	c->events = events;
	return STEP_WAIT;
}

/* Maps a libtls result that is not a byte count to a step. */
static enum conn_step
conn_tls_wait(struct conn *c, ssize_t r)
{
	if (r == TLS_WANT_POLLIN)
		return conn_wait(c, UV_READABLE);
	if (r == TLS_WANT_POLLOUT)
		return conn_wait(c, UV_WRITABLE);
	return STEP_CLOSE;
}

static void
conn_enter(struct conn *c, enum conn_state s, uint64_t timeout_ms)
{
	c->state = s;
	if (timeout_ms > 0)
		uv_timer_start(&c->timer, conn_on_timeout, timeout_ms, 0);
}

/* After the reply: close_notify over TLS, then a lingering close. */
static void
conn_finish(struct conn *c)
{
	conn_enter(c, c->tls ? CONN_TLS_CLOSE : CONN_LINGER, CONN_CLOSE_MS);
}

static int
conn_start_tls(struct conn *c)
{
	char err[256];
	int one = 1;

	/* Handshake flights go out at once, not after an ACK. */
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	if ((c->glue = server_tls()) == NULL)
		return -1;
	if ((c->tls = tlsglue_accept(c->glue, c->w->index, c->fd, err,
	    sizeof(err))) == NULL) {
		log_warnx("%s: %s", c->addr, err);
		return -1;
	}
	return 0;
}

static enum conn_step
conn_peek(struct conn *c)
{
	unsigned char b;
	ssize_t n;

	while ((n = recv(c->fd, &b, 1, MSG_PEEK)) == -1 && errno == EINTR)
		;
	if (n == -1 && conn_again())
		return conn_wait(c, UV_READABLE);
	if (n <= 0)
		return STEP_CLOSE;
	/*
	 * TLS state (about 45 KB) is made only now that the client has
	 * sent something: a connection that sends nothing costs its
	 * struct conn. Gemini's handshake keeps the timer of its accept.
	 */
	if (c->proto == PROTO_GEMINI) {
		if (conn_start_tls(c) == -1)
			return STEP_CLOSE;
		c->state = CONN_HANDSHAKE;
		return STEP_NEXT;
	}
	if (!tlsglue_is_hello(b)) {
		/* Plain Gopher: the request timer runs on from accept. */
		c->state = CONN_REQUEST;
		return STEP_NEXT;
	}
	if (conn_start_tls(c) == -1)
		return STEP_CLOSE;
	conn_enter(c, CONN_HANDSHAKE, (uint64_t)server_config()->wait_ms);
	return STEP_NEXT;
}

static enum conn_step
conn_handshake(struct conn *c)
{
	int r = tls_handshake(c->tls);

	if (r == 0) {
		conn_enter(c, CONN_REQUEST, (uint64_t)server_config()->wait_ms);
		return STEP_NEXT;
	}
	/* Failed handshakes are scanners and port probes: not logged. */
	return conn_tls_wait(c, r);
}

/* Points the output at the reply: one write where it can be. */
static int
conn_prepare(struct conn *c)
{
	struct reply *r = &c->reply;
	size_t take;

	c->nout = c->iout = 0;
	c->off = 0;
	c->foff = 0;
	if (r->wire != NULL) {
		/* A cached page: its head is already in front of its body. */
		c->out[c->nout++] = (struct conn_out){ r->wire, r->wirelen };
		return 0;
	}
	if (c->tls != NULL && r->headlen > 0 && r->bodylen > 0) {
		take = r->bodylen;
		if (take > CONN_STAGE_MAX - r->headlen)
			take = CONN_STAGE_MAX - r->headlen;
		if ((c->stage = malloc(r->headlen + take)) == NULL)
			return -1;
		memcpy(c->stage, r->head, r->headlen);
		memcpy(c->stage + r->headlen, r->body, take);
		c->out[c->nout++] = (struct conn_out){ c->stage,
		    r->headlen + take };
		if (take < r->bodylen)
			c->out[c->nout++] = (struct conn_out){ r->body + take,
			    r->bodylen - take };
		return 0;
	}
	if (r->headlen > 0)
		c->out[c->nout++] = (struct conn_out){ r->head, r->headlen };
	if (r->bodylen > 0)
		c->out[c->nout++] = (struct conn_out){ r->body, r->bodylen };
	return 0;
}

/* Records the client's address, as text for the log and as its key. */
static void
conn_set_addr(struct conn *c, const struct sockaddr *sa)
{
	const void *a;
	size_t len;

	if (sa->sa_family == AF_INET6) {
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		len = 16;
	} else {
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		len = 4;
	}
	ratelimit_key(a, len, (unsigned)server_config()->ipv6_prefix, c->key);
	c->haskey = 1;
	if (inet_ntop(sa->sa_family, a, c->addr, sizeof(c->addr)) == NULL)
		snprintf(c->addr, sizeof(c->addr), "?");
}

/*
 * --max-conns-per-addr: counts the connection under its client's key;
 * past the cap it is told to come back later, and soon, so a client
 * holding its share cannot hold more slots by opening more.
 */
static void
conn_cap(struct conn *c)
{
	struct conncap *cap = server_conncap();
	uint64_t ms = (uint64_t)server_config()->wait_ms;

	if (cap == NULL || !c->haskey || c->busy != BUSY_NO)
		return;
	if (conncap_take(cap, c->key) == 0) {
		c->capped = 1;
		return;
	}
	c->busy = BUSY_ADDR;
	uv_timer_start(&c->timer, conn_on_timeout, ms < CONN_OVERCAP_MS ? ms :
	    CONN_OVERCAP_MS, 0);
}

/*
 * The PROXY header from a load balancer: only the header is read off the
 * socket (what follows is TLS or the selector); the bytes known to be
 * header go into req, the rest is only peeked at.
 */
static enum conn_step
conn_proxy(struct conn *c)
{
	struct proxy_info info;
	enum proxy_result r;
	size_t used = 0, have = c->reqlen, take;
	ssize_t n;

	while ((n = recv(c->fd, c->req + have, PROXY_MAX - have, MSG_PEEK)) ==
	    -1 && errno == EINTR)
		;
	if (n == -1 && conn_again())
		return conn_wait(c, UV_READABLE);
	if (n <= 0)
		return STEP_CLOSE;
	r = proxy_parse((const unsigned char *)c->req, have + (size_t)n,
	    &used, &info);
	if (r == PROXY_BAD) {
		log_warnx("%s: no valid PROXY header", c->addr);
		return STEP_CLOSE;
	}
	take = r == PROXY_OK ? used - have : (size_t)n;
	if (recv(c->fd, c->req + have, take, 0) != (ssize_t)take)
		return STEP_CLOSE;
	c->reqlen = have + take;
	if (r == PROXY_MORE)
		return conn_wait(c, UV_READABLE);
	c->reqlen = 0;
	/* The key is the client's; a LOCAL health check is not counted. */
	if (!info.local) {
		conn_set_addr(c, (const struct sockaddr *)&info.src);
		conn_cap(c);
	}
	c->state = CONN_PEEK;
	return STEP_NEXT;
}

/* --rate-limit: the seconds this client must wait, or 0. */
static unsigned
conn_rate_limited(struct conn *c)
{
	struct ratelimit *rl = server_ratelimit();

	if (rl == NULL || !c->haskey)
		return 0;
	return ratelimit_hit(rl, c->key, sizeof(c->key), uv_now(&c->w->loop));
}

/*
 * Makes the reply to a complete line, or to a framing error (bad != 0).
 * The snapshot reference is taken now, so a reload serves the next
 * request and never this one halfway. Safe on any thread: it reads the
 * connection's request and TLS names and writes only its reply.
 */
static void
conn_reply(struct conn *c, size_t linelen, int bad)
{
	struct gemini_where where;
	char msg[64];
	unsigned wait = c->ratewait;

	if (c->proto == PROTO_GEMINI) {
		if (bad)
			gemini_status(&c->reply, 59, bad == GEMINI_BARE_LF ?
			    "Request must end with CRLF" : "Request too long");
		else if (c->busy)
			gemini_status(&c->reply, 44, GEMINI_SLOW_DOWN);
		else if (wait > 0) {
			snprintf(msg, sizeof(msg), "%u", wait);
			gemini_status(&c->reply, 44, msg);
		} else {
			where.names = c->glue;
			where.sni = tls_conn_servername(c->tls);
			where.port = server_config()->gemini_port;
			gemini_answer(server_snapshot(), c->req, linelen, &where,
			    &c->reply);
		}
	} else {
		if (bad)
			gopher_error(&c->reply, 59, "Selector too long");
		else if (c->busy)
			gopher_error(&c->reply, 44, c->busy == BUSY_ADDR ?
			    "Too many connections from your address: try "
			    "again in a moment" : c->busy == BUSY_SEARCH ?
			    "Too many searches at once: try again in a "
			    "moment" : "Too busy: try again in a moment");
		else if (wait > 0) {
			snprintf(msg, sizeof(msg), "Too many requests: try "
			    "again in %u second%s", wait, wait == 1 ? "" : "s");
			gopher_error(&c->reply, 44, msg);
		} else
			gopher_answer(server_snapshot(), c->req, linelen,
			    &c->reply);
	}
}

/* Moves a connection with its reply made on to writing it. */
static enum conn_step
conn_send(struct conn *c)
{
	int one = 1;

	if (conn_prepare(c) == -1)
		return STEP_CLOSE;
	/*
	 * Corked, the reply, close_notify and FIN leave in as few segments
	 * as they fit: shutdown() in conn_linger() pushes the rest out.
	 */
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_CORK, &one, sizeof(one));
	conn_enter(c, CONN_REPLY, CONN_REPLY_MS);
	return STEP_NEXT;
}

/*
 * Searches answered or waiting on the thread pool, all workers: the
 * bound on the search work clients can queue (--max-searches), a quarter
 * of it per client. Only loops change it, so a burst read in one loop
 * turn is counted whole.
 */
static atomic_int conn_searches;

/*
 * Counts a search against --max-searches and its client's share of it;
 * -1 when either is full.
 */
static int
conn_search_take(struct conn *c)
{
	struct conncap *cap = server_searchcap();

	if (atomic_fetch_add(&conn_searches, 1) >=
	    server_config()->max_searches) {
		atomic_fetch_sub(&conn_searches, 1);
		return -1;
	}
	if (cap != NULL && c->haskey) {
		if (conncap_take(cap, c->key) == -1) {
			atomic_fetch_sub(&conn_searches, 1);
			return -1;
		}
		c->searching = 1;
	}
	return 0;
}

static void
conn_search_give(struct conn *c)
{
	atomic_fetch_sub(&conn_searches, 1);
	if (c->searching)
		conncap_give(server_searchcap(), c->key);
	c->searching = 0;
}

/* A search can take milliseconds: the loop's other clients must not wait. */
static int
conn_is_search(const struct conn *c, size_t linelen)
{
	size_t i;

	for (i = 0; i + 7 <= linelen; i++)
		if (c->req[i] == '/' && memcmp(c->req + i, "/search", 7) == 0)
			return 1;
	return 0;
}

/* A picture is opened on the disk: not on the loop either. */
static int
conn_is_picture(const struct conn *c, size_t linelen)
{
	size_t i;

	for (i = 0; i + 7 <= linelen; i++)
		if (c->req[i] == '/' && memcmp(c->req + i, "/media/", 7) == 0)
			return 1;
	return 0;
}

static void
conn_on_work(uv_work_t *wk)
{
	struct conn *c = wk->data;

	conn_reply(c, c->worklen, 0);
}

static void
conn_on_work_done(uv_work_t *wk, int status)
{
	struct conn *c = wk->data;

	if (c->work_search)
		conn_search_give(c);
	c->state = CONN_REQUEST;
	if (c->close_later || status != 0) {
		conn_close(c);
		return;
	}
	if (conn_send(c) == STEP_CLOSE) {
		conn_close(c);
		return;
	}
	conn_step(c);
}

/*
 * Answers a complete line, or a framing error (bad != 0), and moves to
 * the reply; a search is answered on libuv's thread pool meanwhile.
 */
static enum conn_step
conn_answer(struct conn *c, size_t linelen, int bad)
{
	c->loglen = bad ? c->reqlen : linelen;
	c->framed = 1;
	/* The limiter belongs to this loop: consult it here, not on a thread. */
	c->ratewait = !bad && !c->busy ? conn_rate_limited(c) : 0;
	c->work_search = !bad && !c->busy && c->ratewait == 0 &&
	    conn_is_search(c, linelen);
	if (c->work_search || (!bad && !c->busy && c->ratewait == 0 &&
	    conn_is_picture(c, linelen))) {
		if (c->work_search && conn_search_take(c) == -1) {
			c->busy = BUSY_SEARCH;
			conn_reply(c, linelen, 0);
			return conn_send(c);
		}
		/* Nothing may touch the connection until the answer is made. */
		uv_poll_stop(&c->poll);
		c->events = 0;
		uv_timer_stop(&c->timer);
		c->state = CONN_WORK;
		c->worklen = linelen;
		c->work.data = c;
		if (uv_queue_work(&c->w->loop, &c->work, conn_on_work,
		    conn_on_work_done) == 0)
			return STEP_WAIT;
		if (c->work_search)
			conn_search_give(c);
		c->state = CONN_REQUEST;
	}
	conn_reply(c, linelen, bad);
	return conn_send(c);
}

/* Looks for the end of the request line in what has been read. */
static enum conn_step
conn_frame(struct conn *c, int eof)
{
	size_t len = 0;
	int f;

	if (c->proto == PROTO_GEMINI) {
		f = gemini_request_end(c->req, c->reqlen, &len);
		if (f == GEMINI_MORE)
			return eof ? STEP_CLOSE : STEP_WAIT;
		return conn_answer(c, len, f == GEMINI_LINE ? 0 : f);
	}
	f = gopher_request_end(c->req, c->reqlen, &len);
	if (f == GOPHER_MORE && eof) {
		/* Clients that half-close instead of sending CRLF. */
		if (c->reqlen == 0)
			return STEP_CLOSE;
		len = c->reqlen;
		if (c->req[len - 1] == '\r')
			len--;
		f = GOPHER_LINE;
	}
	if (f == GOPHER_MORE)
		return STEP_WAIT;
	return conn_answer(c, len, f == GOPHER_LINE ? 0 : f);
}

static enum conn_step
conn_read_request(struct conn *c)
{
	enum conn_step s;
	ssize_t n;

	for (;;) {
		if (c->tls != NULL) {
			n = tls_read(c->tls, c->req + c->reqlen,
			    sizeof(c->req) - c->reqlen);
			if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT)
				return conn_tls_wait(c, n);
		} else {
			n = read(c->fd, c->req + c->reqlen,
			    sizeof(c->req) - c->reqlen);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && conn_again())
				return conn_wait(c, UV_READABLE);
		}
		if (n < 0)
			return STEP_CLOSE;
		c->reqlen += (size_t)n;
		/* An answer made off the loop waits with the rest unread. */
		if ((s = conn_frame(c, n == 0)) != STEP_WAIT ||
		    c->state == CONN_WORK)
			return s;
	}
}

static void
conn_advance(struct conn *c, size_t n)
{
	c->sent += n;
	c->off += n;
	if (c->off == c->out[c->iout].len) {
		c->iout++;
		c->off = 0;
	}
}

static void
conn_on_file(uv_fs_t *req)
{
	struct conn *c = req->data;
	ssize_t n = req->result;

	uv_fs_req_cleanup(req);
	c->state = CONN_REPLY;
	/* A file cut short since it was opened: the client sees it cut. */
	if (c->close_later || n <= 0) {
		conn_close(c);
		return;
	}
	c->foff += n;
	/* A large picture to a slow reader: its deadline is per chunk. */
	uv_timer_start(&c->timer, conn_on_timeout, CONN_REPLY_MS, 0);
	c->out[0] = (struct conn_out){ c->fbuf, (size_t)n };
	c->nout = 1;
	c->iout = 0;
	c->off = 0;
	conn_step(c);
}

/* Reads a picture's next chunk on libuv's thread pool. */
static enum conn_step
conn_read_file(struct conn *c)
{
	long long left = c->reply.file_size - c->foff;
	uv_buf_t b;

	if (c->fbuf == NULL && (c->fbuf = malloc(CONN_FILE_CHUNK)) == NULL)
		return STEP_CLOSE;
	b = uv_buf_init(c->fbuf, left < CONN_FILE_CHUNK ? (unsigned)left :
	    CONN_FILE_CHUNK);
	/* Nothing may touch the connection until the chunk is in. */
	uv_poll_stop(&c->poll);
	c->events = 0;
	c->fsreq.data = c;
	if (uv_fs_read(&c->w->loop, &c->fsreq, c->reply.file_fd, &b, 1,
	    c->foff, conn_on_file) != 0)
		return STEP_CLOSE;
	c->state = CONN_FILE;
	return STEP_WAIT;
}

static enum conn_step
conn_write(struct conn *c)
{
	struct iovec iov[2];
	size_t budget = CONN_WRITE_BUDGET, len;
	ssize_t n;
	int i, k;

	while (c->iout < c->nout) {
		if (budget == 0)
			return conn_wait(c, UV_WRITABLE);
		if (c->tls != NULL) {
			len = c->out[c->iout].len - c->off;
			if (len > CONN_TLS_CHUNK)
				len = CONN_TLS_CHUNK;
			/* After a WANT, the same bytes are offered again. */
			n = tls_write(c->tls, c->out[c->iout].p + c->off, len);
			if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT)
				return conn_tls_wait(c, n);
			if (n <= 0)
				return STEP_CLOSE;
			conn_advance(c, (size_t)n);
		} else {
			for (i = c->iout, k = 0; i < c->nout; i++, k++) {
				iov[k].iov_base = (char *)c->out[i].p +
				    (i == c->iout ? c->off : 0);
				iov[k].iov_len = c->out[i].len -
				    (i == c->iout ? c->off : 0);
			}
			n = writev(c->fd, iov, k);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && conn_again())
				return conn_wait(c, UV_WRITABLE);
			if (n <= 0)
				return STEP_CLOSE;
			for (len = (size_t)n; len > 0;) {
				size_t part = c->out[c->iout].len - c->off;

				part = part < len ? part : len;
				conn_advance(c, part);
				len -= part;
			}
		}
		budget = (size_t)n >= budget ? 0 : budget - (size_t)n;
	}
	if (c->reply.has_file && c->foff < c->reply.file_size)
		return conn_read_file(c);
	/* Written: the snapshot reference and the body can go now. */
	c->done = uv_hrtime();
	conn_log(c);
	reply_release(&c->reply);
	free(c->stage);
	c->stage = NULL;
	free(c->fbuf);
	c->fbuf = NULL;
	c->nout = 0;
	conn_finish(c);
	return STEP_NEXT;
}

static enum conn_step
conn_tls_close(struct conn *c)
{
	int r = tls_close(c->tls);

	if (r == TLS_WANT_POLLIN || r == TLS_WANT_POLLOUT)
		return conn_tls_wait(c, r);
	conn_enter(c, CONN_LINGER, 0);
	return STEP_NEXT;
}

/*
 * Closing a socket with unread input sends a reset, which can destroy
 * the reply before the client reads it; so send FIN and drain first.
 */
static enum conn_step
conn_linger(struct conn *c)
{
	char junk[4096];
	ssize_t n;

	if (!c->shut && shutdown(c->fd, SHUT_WR) == -1)
		return STEP_CLOSE;
	c->shut = 1;
	for (;;) {
		n = read(c->fd, junk, sizeof(junk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && conn_again())
			return conn_wait(c, UV_READABLE);
		if (n <= 0)
			return STEP_CLOSE;
		c->drained += (size_t)n;
		if (c->drained > CONN_LINGER_MAX)
			return STEP_CLOSE;
	}
}

static void
conn_step(struct conn *c)
{
	enum conn_step s = STEP_NEXT;

	while (s == STEP_NEXT) {
		switch (c->state) {
		case CONN_PROXY:
			s = conn_proxy(c);
			break;
		case CONN_PEEK:
			s = conn_peek(c);
			break;
		case CONN_HANDSHAKE:
			s = conn_handshake(c);
			break;
		case CONN_REQUEST:
			s = conn_read_request(c);
			break;
		case CONN_REPLY:
			s = conn_write(c);
			break;
		case CONN_TLS_CLOSE:
			s = conn_tls_close(c);
			break;
		case CONN_LINGER:
			s = conn_linger(c);
			break;
		case CONN_WORK:
		case CONN_FILE:
		case CONN_CLOSED:
			return;
		}
	}
	if (s == STEP_CLOSE)
		conn_close(c);
}

void
conn_accept(struct worker *w, int fd, enum proto proto,
    const struct sockaddr *sa)
{
	const struct config *cfg = server_config();
	const struct proxy_net *nets;
	struct conn *c;
	size_t nnets;

	/* A PROXY header is believed only from the balancers named. */
	nets = server_proxy_nets(&nnets);
	if (nets != NULL && !proxy_net_match(nets, nnets, sa)) {
		close(fd);
		return;
	}
	if ((c = conn_new(w)) == NULL) {
		close(fd);
		return;
	}
	if (uv_poll_init(&w->loop, &c->poll, fd) != 0) {
		close(fd);
		free(c);
		return;
	}
	uv_timer_init(&w->loop, &c->timer);
	c->poll.data = c->timer.data = c;
	c->handles = 2;
	c->w = w;
	c->fd = fd;
	c->proto = proto;
	c->start = uv_hrtime();
	reply_init(&c->reply);
	conn_set_addr(c, sa);
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	c->busy = w->nconns++ >= (size_t)w->max_conns ? BUSY_WORKER : BUSY_NO;
	worker_conn_opened(w);
	c->state = nets != NULL ? CONN_PROXY : CONN_PEEK;
	uv_timer_start(&c->timer, conn_on_timeout, (uint64_t)cfg->wait_ms, 0);
	/* Behind a balancer the key is the client's, from its header. */
	if (nets == NULL)
		conn_cap(c);
	conn_step(c);
}

void
conn_close_all(struct worker *w)
{
	struct conn *c, *next;

	/* One in CONN_WORK stays listed until its answer is made. */
	for (c = w->conns; c != NULL; c = next) {
		next = c->next;
		conn_close(c);
	}
}
