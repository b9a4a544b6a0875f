/* loadgen.h: the benchmark load generator's shared types. */
#ifndef LOADGEN_H
#define LOADGEN_H

#include <sys/socket.h>
#include <sys/types.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stddef.h>

#include <openssl/ssl.h>

#define LG_MAX_CONNS	60000	/* per run; each is a file descriptor */
#define LG_MAX_THREADS	64
#define LG_REQ_MAX	1100	/* a Gemini URL is at most 1024 bytes + CRLF */
#define LG_HEAD_MAX	64	/* bytes of a reply kept to check its start */
#define LG_RDBUF	16384

enum lg_proto {
	LG_GEMINI,
	LG_GOPHER,
};

/* Why a request failed; each has a counter in the report. */
enum lg_err {
	LG_ERR_CONNECT,		/* connect(2) failed */
	LG_ERR_TLS,		/* TLS handshake failed */
	LG_ERR_SHORT,		/* connection ended before a whole reply */
	LG_ERR_BAD,		/* whole reply, but it starts wrongly */
	LG_ERR_TIMEOUT,		/* no whole reply within -T seconds */
	LG_ERR_COUNT,
};

/*
 * Latency histogram in microseconds: exact below 128, then 64 buckets
 * per power of two (1.6% resolution), so merging threads is a sum.
 */
#define LG_HIST_EXACT	128
#define LG_HIST_SUB	64
#define LG_HIST_BUCKETS	(LG_HIST_EXACT + 40 * LG_HIST_SUB)

struct lg_hist {
	uint64_t	 b[LG_HIST_BUCKETS];
	uint64_t	 n;
	uint64_t	 max;
};

void	 hist_add(struct lg_hist *, uint64_t);
void	 hist_merge(struct lg_hist *, const struct lg_hist *);
/* The value below which a fraction q (0..1) of the samples fall. */
uint64_t hist_quantile(const struct lg_hist *, double);

struct lg_opts {
	enum lg_proto		 proto;
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	char			 host[64];
	int			 port;
	char			 sni[256];
	char			 req[LG_REQ_MAX];	/* the line sent, CRLF too */
	size_t			 reqlen;
	size_t			 partial;	/* idle mode: bytes of req sent */
	char			 expect[LG_HEAD_MAX];
	size_t			 expectlen;
	int			 conns;
	int			 threads;
	int			 resume;
	double			 seconds;
	double			 warmup;
	double			 timeout;
	long long		 maxreq;	/* 0: no limit */
	pid_t			 server_pid;	/* 0: do not sample its CPU */
	int			 idle;		/* idle mode: connections held */
};

struct lg_stats {
	uint64_t	 requests;	/* whole, well-started replies */
	uint64_t	 bytes;		/* of those replies, header included */
	uint64_t	 handshakes;
	uint64_t	 resumed;
	uint64_t	 no_close_notify;	/* TLS EOF without close_notify */
	uint64_t	 err[LG_ERR_COUNT];
	uint64_t	 idle_ready;	/* idle mode: held open */
	uint64_t	 idle_closed;	/* idle mode: then closed by the server */
	struct lg_hist	 lat;
};

enum lg_state {
	LG_FREE,
	LG_CONNECTING,
	LG_HANDSHAKE,
	LG_WRITING,
	LG_READING,
	LG_IDLE,
};

struct lg_worker;

struct lg_conn {
	struct lg_worker	*w;
	int			 fd;
	enum lg_state		 state;
	SSL			*ssl;
	uint32_t		 events;	/* what epoll waits for now */
	int64_t			 start;		/* ns, CLOCK_MONOTONIC */
	int64_t			 retry_at;	/* LG_FREE: restart then, 0 never */
	size_t			 sent;
	uint64_t		 got;
	char			 head[LG_HEAD_MAX];
	size_t			 headlen;
};

struct lg_worker {
	int			 id;
	const struct lg_opts	*o;
	pthread_t		 thread;
	int			 ep;
	SSL_CTX			*ctx;
	SSL_SESSION		*session;	/* the newest one, for -r */
	struct lg_conn		*conns;
	int			 nconns;
	int64_t			 t_start;	/* measuring window, ns */
	int64_t			 t_end;
	int64_t			 stopped;	/* when the loop ended */
	int64_t			 t_ready;	/* idle mode: all were open */
	int			 opened;	/* idle mode: connections begun */
	int			 setting_up;	/* idle mode: begun, not yet idle */
	int			 setup_failed;	/* idle mode */
	struct lg_stats		 st;
	char			 rdbuf[LG_RDBUF];
};

/* Shared by every worker thread. */
extern atomic_llong	 lg_done;	/* requests counted, for -n */
extern atomic_int	 lg_stop;	/* set by SIGINT/SIGTERM */

int64_t	 lg_now(void);

/* How a connection ended, for lg_next(). */
enum lg_end {
	LG_END_OK,		/* reply counted, or idle mode: now idle */
	LG_END_FAILED,
	LG_END_REFUSED,		/* connect failed: retry a little later */
};

/* loadgen.c: a connection slot is free again; start the next one. */
void	 lg_next(struct lg_conn *, enum lg_end);
/* 1 while now lies in the measuring window. */
int	 lg_in_window(const struct lg_worker *, int64_t);

/* conn.c: one connection's life, driven by epoll events. */
int	 conn_ctx_init(struct lg_worker *);
void	 conn_ctx_free(struct lg_worker *);
void	 conn_start(struct lg_conn *);
void	 conn_event(struct lg_conn *, uint32_t);
void	 conn_check_timeout(struct lg_conn *, int64_t);
/* Closes without counting anything (end of run). */
void	 conn_abort(struct lg_conn *);

/* fetch.c: one blocking request whose whole reply goes to a file. */
int	 fetch_one(const struct lg_opts *, const char *path);

#endif
