/*
 * conn.c: one load-generator connection: non-blocking connect, the TLS
 * handshake (Gemini), the request line, then the reply read to its end.
 * Every step that would block sets the epoll interest and returns.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "loadgen.h"

enum step {
	STEP_NEXT,	/* state changed: run the next one now */
	STEP_WAIT,	/* waiting for epoll */
	STEP_DONE,	/* the connection ended (and maybe restarted) */
};

static void	conn_fail(struct lg_conn *, enum lg_err);

/* Keeps the newest session a server handed out, for -r. */
static int
conn_new_session(SSL *ssl, SSL_SESSION *sess)
{
	struct lg_conn	*c = SSL_get_app_data(ssl);

	if (c->w->session != NULL)
		SSL_SESSION_free(c->w->session);
	c->w->session = sess;
	return 1;	/* we took the reference */
}

int
conn_ctx_init(struct lg_worker *w)
{
	if (w->o->proto != LG_GEMINI)
		return 0;
	if ((w->ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return -1;
	/* Gemini is trust-on-first-use; a benchmark trusts everything. */
	SSL_CTX_set_verify(w->ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_min_proto_version(w->ctx, TLS1_2_VERSION);
	if (w->o->resume) {
		/* No internal store: we hand each session over ourselves. */
		SSL_CTX_set_session_cache_mode(w->ctx, SSL_SESS_CACHE_CLIENT |
		    SSL_SESS_CACHE_NO_INTERNAL_STORE);
		SSL_CTX_sess_set_new_cb(w->ctx, conn_new_session);
	} else
		SSL_CTX_set_session_cache_mode(w->ctx, SSL_SESS_CACHE_OFF);
	return 0;
}

void
conn_ctx_free(struct lg_worker *w)
{
	if (w->session != NULL)
		SSL_SESSION_free(w->session);
	w->session = NULL;
	if (w->ctx != NULL)
		SSL_CTX_free(w->ctx);
	w->ctx = NULL;
}

static void
conn_want(struct lg_conn *c, uint32_t events)
{
	struct epoll_event ev;

	if (c->events == events)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = c;
	if (epoll_ctl(c->w->ep, c->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
	    c->fd, &ev) == 0)
		c->events = events;
}

static void
conn_close(struct lg_conn *c)
{
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	c->ssl = NULL;
	if (c->fd != -1)
		close(c->fd);	/* also drops it from the epoll set */
	c->fd = -1;
	c->events = 0;
	c->state = LG_FREE;
}

void
conn_start(struct lg_conn *c)
{
	const struct lg_opts *o = c->w->o;
	int		 one = 1;

	c->start = lg_now();
	c->retry_at = 0;
	c->sent = 0;
	c->got = 0;
	c->headlen = 0;
	c->events = 0;
	c->ssl = NULL;
	c->state = LG_CONNECTING;
	c->fd = socket(o->addr.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		conn_fail(c, LG_ERR_CONNECT);
		return;
	}
	/*
	 * The request is one small write after the handshake's last one;
	 * Nagle would hold it for the server's delayed ACK (40 ms).
	 */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (const struct sockaddr *)&o->addr,
	    o->addrlen) == -1 && errno != EINPROGRESS) {
		conn_fail(c, LG_ERR_CONNECT);
		return;
	}
	conn_want(c, EPOLLOUT);
}

static void
conn_fail(struct lg_conn *c, enum lg_err kind)
{
	struct lg_worker *w = c->w;

	if (lg_in_window(w, lg_now()))
		w->st.err[kind]++;
	conn_close(c);
	lg_next(c, kind == LG_ERR_CONNECT ? LG_END_REFUSED : LG_END_FAILED);
}

static int
conn_reply_ok(const struct lg_conn *c)
{
	const struct lg_opts *o = c->w->o;

	if (o->expectlen > 0)
		return c->headlen >= o->expectlen &&
		    memcmp(c->head, o->expect, o->expectlen) == 0;
	return c->head[0] != '3';	/* Gopher: anything but an error */
}

/* The whole reply is in: count it, then begin the next request. */
static void
conn_done(struct lg_conn *c)
{
	struct lg_worker *w = c->w;
	int64_t		 now = lg_now();

	if (c->got == 0) {
		conn_fail(c, LG_ERR_SHORT);
		return;
	}
	if (!conn_reply_ok(c)) {
		conn_fail(c, LG_ERR_BAD);
		return;
	}
	if (lg_in_window(w, now)) {
		w->st.requests++;
		w->st.bytes += c->got;
		hist_add(&w->st.lat, (uint64_t)(now - c->start) / 1000);
		atomic_fetch_add_explicit(&lg_done, 1, memory_order_relaxed);
	}
	/*
	 * Without this SSL_free() thinks the connection broke and marks
	 * its session unusable, which would defeat -r.
	 */
	if (c->ssl != NULL)
		SSL_set_shutdown(c->ssl,
		    SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
	conn_close(c);
	lg_next(c, LG_END_OK);
}

static void
conn_got(struct lg_conn *c, size_t n)
{
	size_t	 room = sizeof(c->head) - c->headlen;

	if (room > 0) {
		if (room > n)
			room = n;
		memcpy(c->head + c->headlen, c->w->rdbuf, room);
		c->headlen += room;
	}
	c->got += n;
}

/* After an SSL call returned r <= 0: wait for epoll, or fail as kind. */
static enum step
conn_tls_wait(struct lg_conn *c, int r, enum lg_err kind)
{
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		conn_want(c, EPOLLIN);
		return STEP_WAIT;
	case SSL_ERROR_WANT_WRITE:
		conn_want(c, EPOLLOUT);
		return STEP_WAIT;
	default:
		ERR_clear_error();
		conn_fail(c, kind);
		return STEP_DONE;
	}
}

static enum step
conn_tls_begin(struct lg_conn *c)
{
	struct lg_worker *w = c->w;

	if ((c->ssl = SSL_new(w->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1) {
		ERR_clear_error();
		conn_fail(c, LG_ERR_TLS);
		return STEP_DONE;
	}
	SSL_set_app_data(c->ssl, c);
	SSL_set_connect_state(c->ssl);
	if (w->o->sni[0] != '\0')
		SSL_set_tlsext_host_name(c->ssl, w->o->sni);
	if (w->o->resume && w->session != NULL)
		SSL_set_session(c->ssl, w->session);
	c->state = LG_HANDSHAKE;
	return STEP_NEXT;
}

static enum step
conn_handshake(struct lg_conn *c)
{
	struct lg_worker *w = c->w;
	int		 r;

	ERR_clear_error();
	if ((r = SSL_do_handshake(c->ssl)) != 1)
		return conn_tls_wait(c, r, LG_ERR_TLS);
	if (lg_in_window(w, lg_now())) {
		w->st.handshakes++;
		if (SSL_session_reused(c->ssl))
			w->st.resumed++;
	}
	c->state = LG_WRITING;
	return STEP_NEXT;
}

static enum step
conn_write(struct lg_conn *c)
{
	const struct lg_opts *o = c->w->o;
	size_t		 total = o->idle ? o->partial : o->reqlen;
	ssize_t		 n;
	int		 r;

	while (c->sent < total) {
		if (c->ssl != NULL) {
			ERR_clear_error();
			r = SSL_write(c->ssl, o->req + c->sent,
			    (int)(total - c->sent));
			if (r <= 0)
				return conn_tls_wait(c, r, LG_ERR_SHORT);
			n = r;
		} else {
			n = write(c->fd, o->req + c->sent, total - c->sent);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && errno == EAGAIN) {
				conn_want(c, EPOLLOUT);
				return STEP_WAIT;
			}
			if (n <= 0) {
				conn_fail(c, LG_ERR_SHORT);
				return STEP_DONE;
			}
		}
		c->sent += (size_t)n;
	}
	if (o->idle) {
		/* Held open mid-request; anything from the server ends it. */
		c->state = LG_IDLE;
		conn_want(c, EPOLLIN | EPOLLRDHUP);
		c->w->st.idle_ready++;
		lg_next(c, LG_END_OK);
		return STEP_DONE;
	}
	c->state = LG_READING;
	return STEP_NEXT;
}

static enum step
conn_read_tls(struct lg_conn *c)
{
	struct lg_worker *w = c->w;
	unsigned long	 e;
	int		 r;

	for (;;) {
		ERR_clear_error();
		r = SSL_read(c->ssl, w->rdbuf, sizeof(w->rdbuf));
		if (r > 0) {
			conn_got(c, (size_t)r);
			continue;
		}
		switch (SSL_get_error(c->ssl, r)) {
		case SSL_ERROR_ZERO_RETURN:	/* close_notify: complete */
			conn_done(c);
			return STEP_DONE;
		case SSL_ERROR_WANT_READ:
			conn_want(c, EPOLLIN);
			return STEP_WAIT;
		case SSL_ERROR_WANT_WRITE:
			conn_want(c, EPOLLOUT);
			return STEP_WAIT;
		default:
			/* A bare EOF could be a cut reply: Gemini forbids it. */
			e = ERR_peek_error();
			if (ERR_GET_REASON(e) ==
			    SSL_R_UNEXPECTED_EOF_WHILE_READING &&
			    lg_in_window(w, lg_now()))
				w->st.no_close_notify++;
			ERR_clear_error();
			conn_fail(c, LG_ERR_SHORT);
			return STEP_DONE;
		}
	}
}

static enum step
conn_read_plain(struct lg_conn *c)
{
	ssize_t	 n;

	for (;;) {
		n = read(c->fd, c->w->rdbuf, sizeof(c->w->rdbuf));
		if (n > 0) {
			conn_got(c, (size_t)n);
			continue;
		}
		if (n == 0) {
			conn_done(c);
			return STEP_DONE;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			conn_want(c, EPOLLIN);
			return STEP_WAIT;
		}
		conn_fail(c, LG_ERR_SHORT);	/* reset mid-reply */
		return STEP_DONE;
	}
}

static void
conn_step(struct lg_conn *c)
{
	enum step s;

	do {
		switch (c->state) {
		case LG_HANDSHAKE:
			s = conn_handshake(c);
			break;
		case LG_WRITING:
			s = conn_write(c);
			break;
		case LG_READING:
			s = c->ssl != NULL ? conn_read_tls(c) :
			    conn_read_plain(c);
			break;
		default:
			return;
		}
	} while (s == STEP_NEXT);
}

/* Something arrived on a held connection: a ticket, a reply or EOF. */
static void
conn_idle_event(struct lg_conn *c)
{
	ssize_t	 n;
	int	 r;

	if (c->ssl != NULL) {
		ERR_clear_error();
		r = SSL_read(c->ssl, c->w->rdbuf, sizeof(c->w->rdbuf));
		if (r <= 0 && SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_READ)
			return;	/* only a session ticket: still idle */
		ERR_clear_error();
	} else {
		n = read(c->fd, c->w->rdbuf, sizeof(c->w->rdbuf));
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
	}
	c->w->st.idle_closed++;
	conn_close(c);
}

void
conn_event(struct lg_conn *c, uint32_t events)
{
	socklen_t len = sizeof(int);
	int	 err = 0;

	(void)events;
	switch (c->state) {
	case LG_CONNECTING:
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
		    err != 0) {
			conn_fail(c, LG_ERR_CONNECT);
			return;
		}
		if (c->w->o->proto == LG_GEMINI) {
			if (conn_tls_begin(c) != STEP_NEXT)
				return;
		} else
			c->state = LG_WRITING;
		conn_step(c);
		break;
	case LG_IDLE:
		conn_idle_event(c);
		break;
	case LG_FREE:
		break;
	default:
		conn_step(c);
		break;
	}
}

void
conn_check_timeout(struct lg_conn *c, int64_t now)
{
	double	 age;

	if (c->state == LG_FREE || c->state == LG_IDLE)
		return;
	age = (double)(now - c->start) / 1e9;
	if (age > c->w->o->timeout)
		conn_fail(c, LG_ERR_TIMEOUT);
}

void
conn_abort(struct lg_conn *c)
{
	if (c->state != LG_FREE || c->fd != -1)
		conn_close(c);
}
