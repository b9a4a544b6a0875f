/*
 * worker.h: what server.c (start-up, signals, updates), worker.c (one
 * worker's loop and accepts) and conn.c (one connection) share. Each
 * worker is one thread with one libuv loop; a connection lives and dies
 * on the loop that accepted it.
 */
#ifndef WORKER_H
#define WORKER_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "config.h"
#include "page.h"
#include "proxy.h"
#include "ratelimit.h"

/* Each --listen address can resolve to a few; two protocols each. */
#define WORKER_MAX_LISTENERS	64
#define WORKER_BACKLOG		1024	/* listen(2) queue of each socket */

struct conn;
struct worker;

struct listener {
	struct worker	*w;
	uv_poll_t	 poll;
	int		 fd;
	enum proto	 proto;		/* which port: Gemini or Gopher */
};

struct worker {
	size_t		 index;		/* picks its TLS context */
	uv_thread_t	 thread;
	uv_loop_t	 loop;
	uv_async_t	 wake;		/* the main thread says: stop */
	uv_timer_t	 stop_timer;	/* in-flight requests get this long */
	uv_timer_t	 pause_timer;	/* accept pauses when out of fds */
	uv_timer_t	 trim_timer;	/* memory back after a burst */
	uv_work_t	 trim_work;
	int		 trimming;	/* trim_work is queued */
	size_t		 peak;		/* most connections since a trim */
	struct listener	 listeners[WORKER_MAX_LISTENERS];
	size_t		 nlisteners;
	struct conn	*conns;		/* open connections, for the stop */
	size_t		 nconns;
	struct conn	*spare;		/* closed ones, kept for reuse */
	size_t		 nspare;
	int		 max_conns;	/* served; past it "slow down" */
	int		 hard_conns;	/* past it: Gopher refused at once */
	int		 fd_conns;	/* past it: closed, no answer */
	int		 spare_fd;	/* given up to accept when out of fds */
	int		 stopping;
	int		 finished;
	uint64_t	 last_warn;	/* rate-limits accept errors */
};

/* server.c */
const struct config	*server_config(void);
/* A reference to the snapshot serving now, or NULL; snapshot_unref() it. */
struct snapshot		*server_snapshot(void);
/* A reference to the key pairs serving now, or NULL; tlsglue_unref(). */
struct tlsglue		*server_tls(void);
/* The per-address limiter, or NULL when --rate-limit is off. */
struct ratelimit	*server_ratelimit(void);
/* The per-address connection cap, or NULL when it is off. */
struct conncap		*server_conncap(void);
/* Searches queued per client address (a quarter of --max-searches). */
struct conncap		*server_searchcap(void);
/* With --proxy-protocol: who may send PROXY headers (*n set); else NULL. */
const struct proxy_net	*server_proxy_nets(size_t *n);
/* 1 once SIGTERM or SIGINT came: workers drain and stop. */
int			 server_stopping(void);

/* worker.c */
/*
 * Sets up worker w's loop, timers and listeners (w->listeners, and the
 * caps max_conns, hard_conns and fd_conns filled in by server.c); 0 or
 * -1. worker_main() runs the loop on the worker's thread until it stops.
 */
int	 worker_init(struct worker *, size_t index);
void	 worker_main(void *);
/* A connection has opened: the peak a later trim is measured from. */
void	 worker_conn_opened(struct worker *);
/* A connection has closed: a stopping worker may be done; after a
 * burst, memory goes back to the kernel (malloc_trim). */
void	 worker_conn_gone(struct worker *);

/* conn.c */
/* Takes over fd, a socket just accepted on a port of the given protocol. */
void	 conn_accept(struct worker *, int fd, enum proto,
	    const struct sockaddr *);
/* Closes every connection of the worker at once (the stop deadline). */
void	 conn_close_all(struct worker *);
/* Frees the connections kept for reuse (the loop has stopped). */
void	 conn_free_spares(struct worker *);

#endif
