/*
 * worker.c: one worker thread: its libuv loop, the listening sockets it
 * accepts on (SO_REUSEPORT: each worker has its own), the caps on open
 * connections, and its part of a stop: the accept queue is answered,
 * then in-flight connections get WORKER_STOP_MS to finish.
 */
/* accept4(2): non-blocking and close-on-exec in the same system call. */
#define _GNU_SOURCE

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <uv.h>

#include "log.h"
#include "worker.h"

#define WORKER_ACCEPT_BATCH	64	/* accepts per wakeup: fairness */
#define WORKER_DRAIN_MAX	(2 * WORKER_BACKLOG)	/* queue at a stop */
#define WORKER_PAUSE_MS		100	/* accept rests when out of fds */
#define WORKER_STOP_MS		5000	/* in-flight requests after SIGTERM */
#define WORKER_WARN_MS		10000	/* accept errors: one line per 10 s */
#define WORKER_TRIM_DROP	256	/* connections gone since the peak */
#define WORKER_TRIM_MS		1000	/* after the burst, then trim */
#define WORKER_BUSY_TEXT \
	"3Too busy: try again in a moment\t\terror.host\t1\r\n.\r\n"

static void	worker_on_accept(uv_poll_t *, int, int);

static void
worker_finish(struct worker *w)
{
	if (w->finished)
		return;
	w->finished = 1;
	uv_close((uv_handle_t *)&w->wake, NULL);
	uv_close((uv_handle_t *)&w->stop_timer, NULL);
	uv_close((uv_handle_t *)&w->pause_timer, NULL);
	uv_close((uv_handle_t *)&w->trim_timer, NULL);
}

/*
 * Memory back after a burst: glibc keeps what thousands of connections
 * (and their TLS state) freed in the worker's arena, so RSS would stay
 * at the burst's peak. malloc_trim() hands free pages of every arena
 * back to the kernel; it walks the heaps, so it runs on the thread pool.
 */
static void
worker_on_trim(uv_work_t *wk)
{
	(void)wk;
	malloc_trim(0);
}

static void
worker_on_trimmed(uv_work_t *wk, int status)
{
	struct worker *w = wk->data;

	(void)status;
	w->trimming = 0;
}

static void
worker_on_trim_timer(uv_timer_t *t)
{
	struct worker *w = t->data;

	if (w->trimming || w->stopping)
		return;
	w->peak = w->nconns;
	w->trim_work.data = w;
	if (uv_queue_work(&w->loop, &w->trim_work, worker_on_trim,
	    worker_on_trimmed) == 0)
		w->trimming = 1;
}

void
worker_conn_opened(struct worker *w)
{
	if (w->nconns > w->peak)
		w->peak = w->nconns;
}

void
worker_conn_gone(struct worker *w)
{
	if (w->stopping && w->nconns == 0) {
		worker_finish(w);
		return;
	}
	/* A burst has passed: trim once things are quiet for a moment. */
	if (w->peak - w->nconns >= WORKER_TRIM_DROP && !w->trimming)
		uv_timer_start(&w->trim_timer, worker_on_trim_timer,
		    WORKER_TRIM_MS, 0);
}

static void
worker_on_deadline(uv_timer_t *t)
{
	struct worker *w = t->data;

	if (w->nconns > 0)
		log_warnx("worker %zu: closing %zu connection%s still open",
		    w->index, w->nconns, w->nconns == 1 ? "" : "s");
	conn_close_all(w);
}

static void	worker_accept(struct worker *, struct listener *, size_t);

/*
 * The main thread asks to stop: no new connections, finish the rest.
 * Closing a listener resets whatever waits in its accept queue, though
 * those clients were told "connected" and may have sent their request;
 * so the queue is taken in first and answered with the rest.
 */
static void
worker_on_wake(uv_async_t *a)
{
	struct worker *w = a->data;
	size_t i;

	if (w->stopping || !server_stopping())
		return;
	for (i = 0; i < w->nlisteners; i++)
		worker_accept(w, &w->listeners[i], WORKER_DRAIN_MAX);
	w->stopping = 1;
	for (i = 0; i < w->nlisteners; i++) {
		uv_close((uv_handle_t *)&w->listeners[i].poll, NULL);
		close(w->listeners[i].fd);
		w->listeners[i].fd = -1;
	}
	uv_timer_stop(&w->pause_timer);
	if (w->nconns == 0)
		worker_finish(w);
	else
		uv_timer_start(&w->stop_timer, worker_on_deadline,
		    WORKER_STOP_MS, 0);
}

static void
worker_on_pause_end(uv_timer_t *t)
{
	struct worker *w = t->data;
	size_t i;

	if (w->stopping)
		return;
	for (i = 0; i < w->nlisteners; i++)
		uv_poll_start(&w->listeners[i].poll, UV_READABLE,
		    worker_on_accept);
}

static void
worker_accept_error(struct worker *w)
{
	uint64_t now = uv_now(&w->loop);
	size_t i;

	if (w->last_warn == 0 || now - w->last_warn >= WORKER_WARN_MS) {
		log_warn("worker %zu: accept", w->index);
		w->last_warn = now;
	}
	/* Out of descriptors: the poll would fire again at once. */
	if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
	    errno == ENOMEM) {
		for (i = 0; i < w->nlisteners; i++)
			uv_poll_stop(&w->listeners[i].poll);
		uv_timer_start(&w->pause_timer, worker_on_pause_end,
		    WORKER_PAUSE_MS, 0);
	}
}

/*
 * A connection we cannot take: a Gopher client still gets an error item
 * (the socket buffer takes it at once), a Gemini one only the close: it
 * comes here only when the worker is out of descriptors, as "44" needs
 * a TLS handshake first.
 */
static void
worker_refuse(int fd, enum proto proto)
{
	if (proto == PROTO_GOPHER)
		(void)!write(fd, WORKER_BUSY_TEXT,
		    sizeof(WORKER_BUSY_TEXT) - 1);
	close(fd);
}

/*
 * Out of descriptors: the spare one makes room to accept and refuse a
 * client, so the listen queue keeps moving instead of filling up.
 * Returns 1 when one was refused.
 */
static int
worker_shed(struct worker *w, struct listener *l)
{
	int fd;

	if (w->spare_fd == -1)
		return 0;
	close(w->spare_fd);
	fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd != -1)
		worker_refuse(fd, l->proto);
	w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		errno = EMFILE;
		return 0;
	}
	return 1;
}

/* Accepts up to max connections waiting on l. */
static void
worker_accept(struct worker *w, struct listener *l, size_t max)
{
	struct sockaddr_storage ss;
	socklen_t len;
	size_t i;
	int fd;

	for (i = 0; i < max; i++) {
		len = sizeof(ss);
		fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE && worker_shed(w, l))
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				worker_accept_error(w);
			return;
		}
		/*
		 * Past the hard cap a Gopher client gets its error item at
		 * once; a Gemini one still gets its "44" (the handshake is
		 * the price) until the worker's descriptors run short.
		 */
		if (w->nconns >= (size_t)w->hard_conns &&
		    (l->proto == PROTO_GOPHER ||
		    w->nconns >= (size_t)w->fd_conns)) {
			worker_refuse(fd, l->proto);
			continue;
		}
		conn_accept(w, fd, l->proto, (struct sockaddr *)&ss);
	}
}

static void
worker_on_accept(uv_poll_t *p, int status, int events)
{
	struct listener *l = p->data;
	struct worker *w = l->w;

	(void)events;
	if (status < 0 || w->stopping)
		return;
	worker_accept(w, l, WORKER_ACCEPT_BATCH);
}

int
worker_init(struct worker *w, size_t index)
{
	size_t i;

	w->index = index;
	w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (uv_loop_init(&w->loop) != 0)
		return -1;
	uv_async_init(&w->loop, &w->wake, worker_on_wake);
	uv_timer_init(&w->loop, &w->stop_timer);
	uv_timer_init(&w->loop, &w->pause_timer);
	uv_timer_init(&w->loop, &w->trim_timer);
	w->wake.data = w->stop_timer.data = w->pause_timer.data = w;
	w->trim_timer.data = w;
	for (i = 0; i < w->nlisteners; i++) {
		w->listeners[i].poll.data = &w->listeners[i];
		if (uv_poll_init(&w->loop, &w->listeners[i].poll,
		    w->listeners[i].fd) != 0 ||
		    uv_poll_start(&w->listeners[i].poll, UV_READABLE,
		    worker_on_accept) != 0)
			return -1;
	}
	return 0;
}

void
worker_main(void *arg)
{
	struct worker *w = arg;

	uv_run(&w->loop, UV_RUN_DEFAULT);
}
