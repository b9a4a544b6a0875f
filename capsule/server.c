/*
 * server.c: `capsule serve`. The main thread binds, drops privileges,
 * loads the store and the key pairs, starts one worker thread per core,
 * each with its own libuv loop and its own SO_REUSEPORT sockets, and then
 * only waits for signals: SIGHUP swaps in a new snapshot, SIGTERM and
 * SIGINT drain the workers and stop.
 */
/* sched_getaffinity(2), CPU_COUNT and syscall(SYS_gettid). */
#define _GNU_SOURCE

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tls.h>
#include <uv.h>

#include "catalog.h"
#include "cert.h"
#include "conncap.h"
#include "log.h"
#include "sandbox.h"
#include "search.h"
#include "server.h"
#include "snapshot.h"
#include "store.h"
#include "tlsglue.h"
#include "watch.h"
#include "worker.h"

#define SERVER_ERR_MAX		512
#define SERVER_FD_RESERVE	128	/* listeners, logs, reloads, libs */
#define SERVER_FD_COUNTED	65536	/* a bound on default memory use */
#define SERVER_LOAD_LATER	5000	/* posts; more, unsaved: 44 meanwhile */
#define SERVER_SEARCH_AT_ONCE	1000	/* posts; larger: built once serving */
#define SERVER_SEARCH_DELTA	2000	/* posts an index update may read, */
					/* + 1/32 of the store's */
#define SERVER_SEARCH_SHARE	4	/* one client: 1/4 of --max-searches */
#define SERVER_NSIGS		4	/* TERM, INT, HUP (reload), USR1 (log) */

/* One socket to open in every worker. */
struct server_bind {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	enum proto		 proto;
	int			 optional;	/* default IPv6: may fail */
	int			 skip;
	char			 name[INET6_ADDRSTRLEN];
	int			 port;
	int			 fd;		/* from systemd; else -1 */
};

static struct {
	struct config		 cfg;
	uv_mutex_t		 lock;		/* guards snap and tls */
	struct snapshot		*snap;
	struct tlsglue		*tls;
	struct worker		*workers;
	size_t			 nworkers;
	struct server_bind	 binds[WORKER_MAX_LISTENERS];
	size_t			 nbinds;
	atomic_int		 stopping;
	uv_loop_t		 loop;		/* the main thread's: signals */
	uv_signal_t		 sigs[SERVER_NSIGS];
	struct ratelimit	*ratelimit;	/* NULL: no --rate-limit */
	struct conncap		 conncap;	/* slots NULL: no cap */
	struct conncap		 searchcap;	/* searches per client */
	struct proxy_net	 proxy_nets[PROXY_MAX_NETS];
	size_t			 nproxy_nets;
	/* Updates: built in libuv's thread pool, swapped in on loop. */
	struct watch		*watch;
	uv_work_t		 update_req;
	int			 updating;
	char			**upd_names;	/* NULL: every file */
	size_t			 upd_n;
	struct snapshot		*upd_prev, *upd_next;
	int			 upd_same;	/* nothing changed: upd_next NULL */
	size_t			 upd_nposts;
	int			 upd_nproblems;
	uint64_t		 upd_start;
	/* The search index: built on a thread of its own, at low priority. */
	uv_thread_t		 search_thread;
	uv_async_t		 search_async;	/* the thread is done */
	uv_mutex_t		 search_lock;	/* guards search_left */
	int			 search_left;	/* stopping: nobody waits */
	int			 searching;
	int			 verify;	/* started from the saved index */
	struct snapshot		*search_sn;
	/* A full index built since the snapshots' own (their delta grew
	   large): the next update starts from it. The thread's alone. */
	struct search_index	*search_latest;
	int			 search_saved_start; /* the first: as saved */
} srv;

int
server_stopping(void)
{
	return atomic_load(&srv.stopping);
}

const struct config *
server_config(void)
{
	return &srv.cfg;
}

struct ratelimit *
server_ratelimit(void)
{
	return srv.ratelimit;
}

struct conncap *
server_conncap(void)
{
	return srv.conncap.slots != NULL ? &srv.conncap : NULL;
}

struct conncap *
server_searchcap(void)
{
	return srv.searchcap.slots != NULL ? &srv.searchcap : NULL;
}

const struct proxy_net *
server_proxy_nets(size_t *n)
{
	*n = srv.nproxy_nets;
	return srv.cfg.proxy_protocol ? srv.proxy_nets : NULL;
}

static int	server_conncap_init(char *, size_t);

/* --rate-limit and --proxy-from, from text to what conn.c looks up. */
static int
server_limits(char *err, size_t errsz)
{
	const struct config *c = &srv.cfg;
	size_t i;

	if (server_conncap_init(err, errsz) == -1)
		return -1;
	if (c->rate_max > 0) {
		if ((srv.ratelimit = malloc(sizeof(*srv.ratelimit))) == NULL ||
		    ratelimit_init(srv.ratelimit, c->rate_max,
		    c->rate_secs) == -1) {
			free(srv.ratelimit);
			srv.ratelimit = NULL;
			snprintf(err, errsz, "rate limiter: out of memory");
			return -1;
		}
		log_info("rate limit: %u requests per client address in %u "
		    "second%s", c->rate_max, c->rate_secs,
		    c->rate_secs == 1 ? "" : "s");
	}
	if (!c->proxy_protocol)
		return 0;
	if (c->nproxy_from == 0) {
		(void)proxy_net_parse("127.0.0.0/8", &srv.proxy_nets[0]);
		(void)proxy_net_parse("::1", &srv.proxy_nets[1]);
		srv.nproxy_nets = 2;
	}
	for (i = 0; i < c->nproxy_from && i < PROXY_MAX_NETS; i++)
		if (proxy_net_parse(c->proxy_from[i],
		    &srv.proxy_nets[srv.nproxy_nets++]) == -1) {
			snprintf(err, errsz, "proxy-from %s: not an address",
			    c->proxy_from[i]);
			return -1;
		}
	log_info("PROXY protocol: expected on every connection, from %s%s",
	    c->nproxy_from ? c->proxy_from[0] : "127.0.0.0/8 and ::1",
	    c->nproxy_from > 1 ? " and others" : "");
	return 0;
}

struct snapshot *
server_snapshot(void)
{
	struct snapshot *sn;

	uv_mutex_lock(&srv.lock);
	sn = srv.snap ? snapshot_ref(srv.snap) : NULL;
	uv_mutex_unlock(&srv.lock);
	return sn;
}

struct tlsglue *
server_tls(void)
{
	struct tlsglue *g;

	uv_mutex_lock(&srv.lock);
	g = srv.tls ? tlsglue_ref(srv.tls) : NULL;
	uv_mutex_unlock(&srv.lock);
	return g;
}

/* Resolves every --listen address (or all addresses) for both ports. */
static int
server_resolve(char *err, size_t errsz)
{
	const struct config *c = &srv.cfg;
	struct addrinfo hints, *res, *ai;
	struct server_bind *b;
	char host[sizeof(c->listen[0])], port[8];
	const char *h;
	size_t i, n, p;
	int ports[2], rc;

	ports[PROTO_GEMINI] = c->gemini_port;
	ports[PROTO_GOPHER] = c->gopher_port;
	for (i = 0; i < (c->nlisten ? c->nlisten : 1); i++) {
		h = NULL;
		if (c->nlisten > 0 && strcmp(c->listen[i], "*") != 0) {
			snprintf(host, sizeof(host), "%s", c->listen[i]);
			n = strlen(host);
			if (host[0] == '[' && n > 2 && host[n - 1] == ']') {
				memmove(host, host + 1, n - 2);
				host[n - 2] = '\0';
			}
			h = host;
		}
		for (p = PROTO_GEMINI; p <= PROTO_GOPHER; p++) {
			if (ports[p] == 0)
				continue;
			snprintf(port, sizeof(port), "%d", ports[p]);
			memset(&hints, 0, sizeof(hints));
			hints.ai_family = AF_UNSPEC;
			hints.ai_socktype = SOCK_STREAM;
			hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
			if ((rc = getaddrinfo(h, port, &hints, &res)) != 0) {
				snprintf(err, errsz, "listen %s: %s",
				    h ? h : "*", gai_strerror(rc));
				return -1;
			}
			for (ai = res; ai != NULL; ai = ai->ai_next) {
				if (srv.nbinds == WORKER_MAX_LISTENERS) {
					freeaddrinfo(res);
					snprintf(err, errsz, "too many listen "
					    "addresses");
					return -1;
				}
				b = &srv.binds[srv.nbinds++];
				b->fd = -1;
				memcpy(&b->ss, ai->ai_addr, ai->ai_addrlen);
				b->len = ai->ai_addrlen;
				b->proto = (enum proto)p;
				b->port = ports[p];
				b->optional = h == NULL &&
				    ai->ai_family == AF_INET6;
				if (getnameinfo(ai->ai_addr, ai->ai_addrlen,
				    b->name, sizeof(b->name), NULL, 0,
				    NI_NUMERICHOST) != 0)
					snprintf(b->name, sizeof(b->name), "?");
			}
			freeaddrinfo(res);
		}
	}
	return 0;
}

/*
 * Socket activation: systemd passes listening sockets as descriptors 3
 * and up (LISTEN_FDS, for LISTEN_PID), so a restart loses no queued
 * connection and capsule needs no privilege for port 70. Which is which
 * comes from LISTEN_FDNAMES ("gemini", "gopher"), else from the port.
 * Returns the number taken over, or -1 with err.
 */
static int
server_inherit(char *err, size_t errsz)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES"), *nm;
	struct server_bind *b;
	char *end;
	long n, i, k;
	int fd, acc, fl;
	socklen_t len;
	size_t nl;

	if (pid == NULL || fds == NULL || strtol(pid, NULL, 10) != getpid())
		return 0;
	n = strtol(fds, &end, 10);
	if (*end != '\0' || n < 1 || n > WORKER_MAX_LISTENERS) {
		snprintf(err, errsz, "LISTEN_FDS=%s: not a count", fds);
		return -1;
	}
	for (i = 0; i < n; i++) {
		fd = 3 + (int)i;
		b = &srv.binds[srv.nbinds];
		memset(b, 0, sizeof(*b));
		b->len = sizeof(b->ss);
		len = sizeof(acc);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) ==
		    -1 || !acc || getsockname(fd, (struct sockaddr *)&b->ss,
		    &b->len) == -1 || (b->ss.ss_family != AF_INET &&
		    b->ss.ss_family != AF_INET6)) {
			snprintf(err, errsz, "descriptor %d from systemd: not a "
			    "listening TCP socket", fd);
			return -1;
		}
		b->port = ntohs(b->ss.ss_family == AF_INET ?
		    ((struct sockaddr_in *)&b->ss)->sin_port :
		    ((struct sockaddr_in6 *)&b->ss)->sin6_port);
		/* The i-th name of "a:b:c", if there is one. */
		for (nm = names, nl = 0, k = 0; nm != NULL; nm += nl + 1, k++) {
			nl = strcspn(nm, ":");
			if (k == i)
				break;
			if (nm[nl] == '\0') {
				nm = NULL;
				break;
			}
		}
		if (nm != NULL && nl == 6 && strncmp(nm, "gopher", 6) == 0)
			b->proto = PROTO_GOPHER;
		else if (nm != NULL && nl == 6 && strncmp(nm, "gemini", 6) == 0)
			b->proto = PROTO_GEMINI;
		else if (b->port == srv.cfg.gopher_port)
			b->proto = PROTO_GOPHER;
		else
			b->proto = PROTO_GEMINI;
		if ((fl = fcntl(fd, F_GETFL)) == -1 ||
		    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
		    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
			snprintf(err, errsz, "descriptor %d: %s", fd,
			    strerror(errno));
			return -1;
		}
		b->fd = fd;
		if (getnameinfo((struct sockaddr *)&b->ss, b->len, b->name,
		    sizeof(b->name), NULL, 0, NI_NUMERICHOST) != 0)
			snprintf(b->name, sizeof(b->name), "?");
		srv.nbinds++;
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	log_info("%ld listening socket%s from systemd", n, n == 1 ? "" : "s");
	return (int)n;
}

/* A listening socket any number of workers can share the port of. */
static int
server_socket(const struct server_bind *b)
{
	int fd, one = 1, saved;

	fd = socket(b->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ==
	    -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
	    sizeof(one)) == -1 ||
	    (b->ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) == -1) ||
	    bind(fd, (const struct sockaddr *)&b->ss, b->len) == -1 ||
	    listen(fd, WORKER_BACKLOG) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * SO_REUSEPORT would quietly share a port with another server of the
 * same user (an old instance, say); a plain bind first says it is taken.
 */
static int
server_probe(const struct server_bind *b)
{
	int fd, one = 1, rc, saved;

	fd = socket(b->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (b->ss.ss_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one));
	rc = bind(fd, (const struct sockaddr *)&b->ss, b->len);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* Opens every worker's sockets, as root if need be. */
static int
server_bind(char *err, size_t errsz)
{
	struct server_bind *b;
	struct worker *w;
	size_t i, k;
	int fd;

	for (k = 0; k < srv.nbinds; k++) {
		b = &srv.binds[k];
		if (b->fd != -1 || server_probe(b) == 0)
			continue;
		if (b->optional && (errno == EAFNOSUPPORT ||
		    errno == EADDRNOTAVAIL)) {
			log_warnx("no IPv6: not listening on [%s]:%d", b->name,
			    b->port);
			b->skip = 1;
			continue;
		}
		snprintf(err, errsz, "listen on %s port %d: %s", b->name,
		    b->port, strerror(errno));
		return -1;
	}
	for (i = 0; i < srv.nworkers; i++) {
		w = &srv.workers[i];
		for (k = 0; k < srv.nbinds; k++) {
			b = &srv.binds[k];
			if (b->skip)
				continue;
			/* systemd's socket: every worker polls a copy. */
			if (b->fd != -1)
				fd = fcntl(b->fd, F_DUPFD_CLOEXEC, 3);
			else
				fd = server_socket(b);
			if (fd == -1) {
				snprintf(err, errsz, "listen on %s port %d: %s",
				    b->name, b->port, strerror(errno));
				return -1;
			}
			w->listeners[w->nlisteners].fd = fd;
			w->listeners[w->nlisteners].proto = b->proto;
			w->listeners[w->nlisteners].w = w;
			w->nlisteners++;
		}
		if (w->nlisteners == 0) {
			snprintf(err, errsz, "nothing to listen on");
			return -1;
		}
	}
	return 0;
}

/* Root binds the ports, then becomes --user for everything else. */
static int
server_drop_privileges(char *err, size_t errsz)
{
	const char *user = srv.cfg.user;
	struct passwd *pw;

	if (user[0] == '\0')
		return 0;
	if (geteuid() != 0) {
		log_warnx("not started as root: --user %s ignored", user);
		return 0;
	}
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errsz, "--user %s: no such user", user);
		return -1;
	}
	if (setgroups(1, &pw->pw_gid) == -1 || setgid(pw->pw_gid) == -1 ||
	    setuid(pw->pw_uid) == -1) {
		snprintf(err, errsz, "--user %s: %s", user, strerror(errno));
		return -1;
	}
	if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid ||
	    getegid() != pw->pw_gid) {
		snprintf(err, errsz, "--user %s: still privileged", user);
		return -1;
	}
	return 0;
}

static void
server_report(void *arg, const char *path, int line, const char *msg)
{
	(void)arg;
	if (line > 0)
		log_warnx("%s:%d: %s", path, line, msg);
	else
		log_warnx("%s: %s", path, msg);
}

/* Post files in dir, counting no further than SERVER_LOAD_LATER + 1. */
static int
server_count_posts(const char *dir)
{
	struct dirent *de;
	size_t len;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while (n <= SERVER_LOAD_LATER && (de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] != '.' && len > 4 &&
		    strcmp(de->d_name + len - 4, ".txt") == 0)
			n++;
	}
	closedir(d);
	return n;
}

/* The saved index of the store; -1 when none is kept. */
static int
server_catalog_path(char *path, size_t pathsz)
{
	const struct config *c = &srv.cfg;

	if (c->cache_dir[0] == '\0' || strcmp(c->cache_dir, "none") == 0)
		return -1;
	return catalog_path(c->cache_dir, c->content, path, pathsz);
}

/*
 * The next snapshot: from prev (NULL at start) plus the files that
 * changed, so a post caught half-saved keeps its last good version.
 */
static struct snapshot *
server_load_snapshot(const struct snapshot *prev, int flags)
{
	const struct config *c = &srv.cfg;
	struct site site;
	struct store *st;

	site.host = c->nhostnames > 0 ? c->hostnames[0] : NULL;
	site.gemini_port = c->gemini_port;
	site.gopher_port = c->gopher_port;
	site.static_links = 0;
	struct store *saved = NULL;
	struct snapshot *sn;
	const char *why = NULL;
	char path[CONFIG_PATH_MAX + 64];

	/* At start, the saved index spares reading unchanged posts. */
	if (prev == NULL && server_catalog_path(path, sizeof(path)) == 0 &&
	    (saved = catalog_load(path, c->content, &why)) == NULL)
		log_info("%s: saved index not used: %s", path, why);
	/*
	 * A large store and no saved index: serving starts at once with a
	 * stand-in that asks clients to come back, while the store is read
	 * off the loop like any update.
	 */
	if (prev == NULL && saved == NULL &&
	    server_count_posts(c->content) > SERVER_LOAD_LATER) {
		if ((st = store_update(NULL, c->content, &site, NULL, 0,
		    STORE_NO_POSTS, server_report, NULL)) == NULL ||
		    (sn = snapshot_new(st, 0)) == NULL)
			return NULL;
		sn->loading = 1;
		srv.verify = 1;
		log_info("%s: more than %d posts and no saved index: reading "
		    "them while answering 44 (come back soon)", c->content,
		    SERVER_LOAD_LATER);
		return sn;
	}
	/*
	 * With a saved index, serving starts from it as it is (its posts,
	 * tags and tables as loaded, its strings in the mapped file), and a
	 * look at every file follows at once (server_run) to catch the
	 * changes made while the server was down.
	 */
	if (saved != NULL) {
		if (store_settle(saved, c->content, &site, server_report,
		    NULL) == -1) {
			store_free(saved);
			return NULL;
		}
		st = saved;
		log_info("%s: %zu posts from the saved index; checking "
		    "every file for changes", path, st->nposts);
		srv.verify = 1;
	} else if ((st = store_update(prev ? prev->store : NULL, c->content,
	    &site, NULL, 0, prev ? STORE_KEEP_TEXT : 0, server_report,
	    NULL)) == NULL)
		return NULL;
	page_cache_budget(c->cache_size);
	return snapshot_new(st, flags);
}

/*
 * Key pairs for the served names (the flags', else the store's), made
 * when missing; logs each certificate's fingerprint.
 */
static struct tlsglue *
server_load_tls(const struct store *st, char *err, size_t errsz)
{
	const struct config *c = &srv.cfg;
	const char *names[TLSGLUE_MAX_NAMES];
	char crt[CONFIG_PATH_MAX + 300], key[sizeof(crt)];
	char why[SERVER_ERR_MAX];
	struct cert_prints cp;
	size_t i, n;
	int made;

	n = c->nhostnames > 0 ? c->nhostnames : st->settings.nhostnames;
	if (n > TLSGLUE_MAX_NAMES)
		n = TLSGLUE_MAX_NAMES;
	for (i = 0; i < n; i++) {
		names[i] = c->nhostnames > 0 ? c->hostnames[i] :
		    st->settings.hostnames[i];
		if ((made = cert_ensure(c->cert_dir, names[i], err, errsz)) ==
		    -1)
			return NULL;
		if (cert_paths(c->cert_dir, names[i], crt, key,
		    sizeof(crt)) == 0 && cert_check_key(key, err, errsz) == -1)
			return NULL;
		if (cert_paths(c->cert_dir, names[i], crt, key,
		    sizeof(crt)) == 0 &&
		    cert_prints(crt, &cp, why, sizeof(why)) == 0) {
			log_info("%s: %s certificate %s, SHA-256 fingerprint "
			    "%s", names[i], made ? "made a self-signed" :
			    "using", crt, cp.cert_sha256);
			cert_log_prints(names[i], &cp, log_info);
		}
	}
	return tlsglue_new(c->cert_dir, names, n, srv.nworkers, err, errsz);
}

static void server_update_next(void);
static void server_search_next(void);

/*
 * 1 when st, made from prev by a look at every file, holds what prev
 * holds: no file read (a new or changed one would have been), no post
 * gone, the same bad files and problems, the same settings. Its posts
 * are then prev's, copied.
 */
static int
server_store_same(const struct store *prev, const struct store *st)
{
	const struct settings *a = &prev->settings, *b = &st->settings;
	size_t i;

	if (st->nread != 0 || st->nposts != prev->nposts ||
	    st->nbad != prev->nbad || st->nproblems != prev->nproblems ||
	    strcmp(a->title, b->title) != 0 ||
	    strcmp(a->description, b->description) != 0 ||
	    strcmp(a->lang, b->lang) != 0 || strcmp(a->author, b->author) != 0 ||
	    a->nhostnames != b->nhostnames)
		return 0;
	for (i = 0; i < a->nhostnames; i++)
		if (strcmp(a->hostnames[i], b->hostnames[i]) != 0)
			return 0;
	return 1;
}

/* In the thread pool: the next store from the previous one. */
static void
server_update_work(uv_work_t *req)
{
	const struct config *c = &srv.cfg;
	struct site site;
	struct store *st;

	(void)req;
	site.host = c->nhostnames > 0 ? c->hostnames[0] : NULL;
	site.gemini_port = c->gemini_port;
	site.gopher_port = c->gopher_port;
	site.static_links = 0;
	srv.upd_next = NULL;
	/* After the stand-in: every file, and no texts kept in memory. */
	if (srv.upd_prev->loading)
		st = store_update(srv.upd_prev->store, c->content, &site,
		    NULL, 0, 0, server_report, NULL);
	else
		st = store_update(srv.upd_prev->store, c->content, &site,
		    (const char *const *)srv.upd_names, srv.upd_n,
		    STORE_KEEP_TEXT, server_report, NULL);
	/*
	 * A look at every file that found nothing changed (the one after a
	 * start from the saved index, mostly) keeps the snapshot served:
	 * a loaded store's posts point into the mapped index, and a copy
	 * of a million of them would take a quarter of a gigabyte.
	 */
	srv.upd_same = st != NULL && srv.upd_names == NULL &&
	    !srv.upd_prev->loading && server_store_same(srv.upd_prev->store,
	    st);
	if (srv.upd_same) {
		srv.upd_nposts = st->nposts;
		srv.upd_nproblems = st->nproblems;
		store_free(st);
		return;
	}
	if (st != NULL && (srv.upd_next = snapshot_new(st, 0)) != NULL)
		snapshot_follow(srv.upd_next, srv.upd_prev);
}

/* On the main loop: the swap. Requests in flight keep their snapshot. */
static void
server_update_done(uv_work_t *req, int status)
{
	struct snapshot *sn = srv.upd_next, *old = NULL;
	const struct store *st;

	(void)req;
	srv.updating = 0;
	watch_free_names(srv.upd_names, srv.upd_n);
	srv.upd_names = NULL;
	snapshot_unref(srv.upd_prev);
	srv.upd_prev = NULL;
	srv.upd_next = NULL;
	if (status == 0 && srv.upd_same) {
		uv_update_time(&srv.loop);
		log_info("updated: %zu posts, %d problem%s; 0 files read in "
		    "%llu ms (nothing changed: the snapshot stays)",
		    srv.upd_nposts, srv.upd_nproblems,
		    srv.upd_nproblems == 1 ? "" : "s",
		    (unsigned long long)(uv_now(&srv.loop) - srv.upd_start));
	} else if (status != 0 || sn == NULL) {
		snapshot_unref(sn);
		log_warnx("update: %s could not be read; still serving the "
		    "old snapshot", srv.cfg.content);
	} else {
		uv_mutex_lock(&srv.lock);
		old = srv.snap;
		srv.snap = sn;
		uv_mutex_unlock(&srv.lock);
		snapshot_unref(old);
		st = sn->store;
		uv_update_time(&srv.loop);
		log_info("updated: %zu posts, %d problem%s; %zu file%s read "
		    "in %llu ms", st->nposts, st->nproblems,
		    st->nproblems == 1 ? "" : "s", st->nread,
		    st->nread == 1 ? "" : "s",
		    (unsigned long long)(uv_now(&srv.loop) - srv.upd_start));
	}
	server_search_next();
	server_update_next();
}

/* Starts an update when changes have settled and none is running. */
static void
server_update_next(void)
{
	char **names;
	size_t n;

	if (srv.updating || atomic_load(&srv.stopping) || srv.watch == NULL ||
	    !watch_take(srv.watch, &names, &n))
		return;
	srv.upd_names = names;
	srv.upd_n = n;
	uv_mutex_lock(&srv.lock);
	srv.upd_prev = snapshot_ref(srv.snap);
	uv_mutex_unlock(&srv.lock);
	srv.upd_start = uv_now(&srv.loop);
	srv.updating = 1;
	if (uv_queue_work(&srv.loop, &srv.update_req, server_update_work,
	    server_update_done) != 0) {
		srv.updating = 0;
		snapshot_unref(srv.upd_prev);
		srv.upd_prev = NULL;
		watch_free_names(names, n);
		srv.upd_names = NULL;
		log_warnx("update: cannot start; still serving the old "
		    "snapshot");
	}
}

static void
server_on_settled(void *arg)
{
	(void)arg;
	server_update_next();
}

/*
 * Saves the store's index and builds the search index of a snapshot just
 * swapped in. Both read every post, so they run niced: an edit's update
 * and the workers' requests come first on a busy machine.
 */
static void
server_save_catalog(const struct store *st)
{
	char path[CONFIG_PATH_MAX + 64];

	if (server_catalog_path(path, sizeof(path)) == 0 &&
	    catalog_save(st, path) == -1)
		log_warn("%s: cannot save the store's index", path);
}

/* Where st's search index is saved: beside the store's index. */
static int
server_search_path(char *path, size_t pathsz)
{
	if (pathsz < 8 || server_catalog_path(path, pathsz - 8) == -1)
		return -1;
	strcat(path, ".search");
	return 0;
}

/*
 * The search index of st built, saved, and then used from the saved file
 * (mapped: its pages are the page cache's, not the heap's).
 */
static struct search_index *
server_search_build(const struct store *st)
{
	struct search_index *idx;
	char path[CONFIG_PATH_MAX + 64], *slash;
	const char *why;

	if (server_search_path(path, sizeof(path)) == -1)
		return search_build(st);
	/* Built into the file, on both cores, and mapped (the cache
	   directory made on first use, as the store's index makes it). */
	if ((slash = strrchr(path, '/')) != NULL && slash > path) {
		*slash = '\0';
		(void)file_mkdirs(path);
		*slash = '/';
	}
	if (search_build_file(st, path) == 0) {
		if ((idx = search_load(path, st, &why)) != NULL)
			return idx;
		log_warnx("%s: the search index just built is %s", path, why);
	} else
		log_warn("%s: cannot build the search index there", path);
	if ((idx = search_build(st)) != NULL && search_save(idx, st, path) ==
	    -1)
		log_warn("%s: cannot save the search index", path);
	return idx;
}

/* An updated index reads its delta's posts again each time: past this, build anew. */
static int
server_search_delta_large(const struct search_index *idx, size_t nposts)
{
	return search_delta_posts(idx) > SERVER_SEARCH_DELTA + nposts / 32;
}

/*
 * The index of sn: the saved one when it fits, else the one the
 * snapshot before it used, updated (only new and edited posts read),
 * else a new one. When the update's delta grew large, a full index is
 * built next and kept for the following update.
 */
static void
server_search_thread(void *arg)
{
	struct snapshot *sn = srv.search_sn, *from;
	struct search_index *idx = NULL, *prev, *full;
	char path[CONFIG_PATH_MAX + 64];
	const char *why = NULL;
	int large = 0, damaged;

	(void)arg;
	/* Linux: a thread's nice value is its own. */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
	from = snapshot_searcher(sn);
	prev = srv.search_latest;
	if (prev == NULL && from != NULL && from != sn)
		prev = atomic_load(&from->search);
	/* A damaged list was found in it: build anew (the file is bad). */
	damaged = prev != NULL && search_damaged(prev) > 0;
	if (damaged)
		log_warnx("search index: a list was damaged; building it anew");
	if (!snapshot_search_ready(sn) && prev != NULL && !damaged &&
	    (idx = search_update(prev, sn->store)) != NULL) {
		log_info("search index: updated, %zu post%s read",
		    search_delta_posts(idx),
		    search_delta_posts(idx) == 1 ? "" : "s");
		large = server_search_delta_large(idx, sn->store->nposts);
		snapshot_set_search(sn, idx);
	}
	snapshot_unref(from);
	/* A saved search index of these posts answers within seconds. */
	if (!snapshot_search_ready(sn) && !damaged &&
	    server_search_path(path, sizeof(path)) == 0) {
		if ((idx = search_load(path, sn->store, &why)) != NULL) {
			log_info("search index: read from %s, %zu post%s read "
			    "again", path, search_delta_posts(idx),
			    search_delta_posts(idx) == 1 ? "" : "s");
			large = server_search_delta_large(idx,
			    sn->store->nposts);
			snapshot_set_search(sn, idx);
		} else
			log_info("search index: %s %s; building it", path,
			    why);
	}
	/*
	 * The store's index before a build: a stop soon after it must find
	 * it saved (the store as loaded from it need not be saved again).
	 */
	if (srv.search_saved_start)
		srv.search_saved_start = 0;
	else
		server_save_catalog(sn->store);
	if (!snapshot_search_ready(sn)) {
		if ((idx = server_search_build(sn->store)) == NULL)
			log_warnx("search index: out of memory; search stays "
			    "unavailable until the next update");
		else {
			snapshot_set_search(sn, idx);
			search_free(srv.search_latest);
			srv.search_latest = NULL;
		}
	} else if (large && (full = server_search_build(sn->store)) != NULL) {
		log_info("search index: built anew for the next update");
		search_free(srv.search_latest);
		srv.search_latest = full;
	}
	uv_mutex_lock(&srv.search_lock);
	if (!srv.search_left)
		uv_async_send(&srv.search_async);
	uv_mutex_unlock(&srv.search_lock);
}

static void
server_on_search_done(uv_async_t *a)
{
	(void)a;
	if (!srv.searching)
		return;
	uv_thread_join(&srv.search_thread);
	srv.searching = 0;
	snapshot_unref(srv.search_sn);
	srv.search_sn = NULL;
	server_search_next();
}

/*
 * On stop, a build under way is left to itself: at 100,000 posts it
 * takes seconds, more than the stop's grace. The process exits around
 * it; its snapshot stays referenced (srv.search_sn) until then.
 */
static void
server_search_stop(void)
{
	uv_mutex_lock(&srv.search_lock);
	srv.search_left = 1;
	uv_mutex_unlock(&srv.search_lock);
	if (!uv_is_closing((uv_handle_t *)&srv.search_async))
		uv_close((uv_handle_t *)&srv.search_async, NULL);
}

/* Builds the current snapshot's search index, when it has none yet. */
static void
server_search_next(void)
{
	struct snapshot *sn;

	if (srv.searching || atomic_load(&srv.stopping))
		return;
	uv_mutex_lock(&srv.lock);
	sn = snapshot_ref(srv.snap);
	uv_mutex_unlock(&srv.lock);
	/* A stand-in while the store is read has nothing to index. */
	if (snapshot_search_ready(sn) || sn->loading) {
		snapshot_unref(sn);
		return;
	}
	srv.search_sn = sn;
	srv.searching = 1;
	if (uv_thread_create(&srv.search_thread, server_search_thread,
	    NULL) != 0) {
		srv.searching = 0;
		srv.search_sn = NULL;
		snapshot_unref(sn);
		log_warnx("search index: cannot start a thread to build it");
	}
}

/*
 * SIGHUP: new key pairs, kept only if they load, and a look at every
 * file of the store (the fallback when fs events are missed).
 */
static void
server_reload(void)
{
	struct tlsglue *g, *old_g = NULL;
	struct snapshot *sn;
	char err[SERVER_ERR_MAX];

	log_info("reloading %s and %s", srv.cfg.content, srv.cfg.cert_dir);
	uv_mutex_lock(&srv.lock);
	sn = snapshot_ref(srv.snap);
	uv_mutex_unlock(&srv.lock);
	if ((g = server_load_tls(sn->store, err, sizeof(err))) == NULL)
		log_warnx("reload: %s; still using the old key pairs", err);
	snapshot_unref(sn);
	if (g != NULL) {
		uv_mutex_lock(&srv.lock);
		old_g = srv.tls;
		srv.tls = g;
		uv_mutex_unlock(&srv.lock);
	}
	tlsglue_unref(old_g);
	if (srv.watch != NULL)
		watch_rescan(srv.watch);
}

/*
 * No more event loops than CPUs this process may run on (its affinity
 * mask: taskset, cgroups' cpusets): two loops sharing one core only add
 * wakeups and context switches, measured at 5-10% more CPU per request
 * and fewer requests served (README "Performance").
 */
static size_t
server_workers(int asked)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set) == -1 ||
	    (n = CPU_COUNT(&set)) < 1 || asked <= n)
		return (size_t)asked;
	log_info("%d worker%s asked for, %d CPU%s to run on: %d worker%s",
	    asked, asked == 1 ? "" : "s", n, n == 1 ? "" : "s", n,
	    n == 1 ? "" : "s");
	return (size_t)n;
}

/*
 * Idle connections cost a descriptor each, so the soft open-file limit
 * goes up to the hard one; the connection caps are shares of it.
 */
static void
server_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_warn("raising the open-file limit");
}

/*
 * A worker's caps: max connections served, and the hard cap past which
 * a new connection is closed at once. The hard cap is the worker's share
 * of the open-file limit (less a reserve); by default 7/8 of it is
 * served and the rest told to slow down, with --max-conns N it is 2N
 * within that share.
 */
static void	server_caps(int *, int *, int *);

/* --max-conns-per-addr: a table for every connection the workers hold. */
static int
server_conncap_init(char *err, size_t errsz)
{
	int max, hard, fds;

	/* One client may hold a quarter of --max-searches, others the rest. */
	max = srv.cfg.max_searches / SERVER_SEARCH_SHARE;
	if (conncap_init(&srv.searchcap, max > 0 ? (unsigned)max : 1,
	    (size_t)srv.cfg.max_searches) == -1) {
		snprintf(err, errsz, "search cap: out of memory");
		return -1;
	}
	if (srv.cfg.max_conns_per_addr == 0)
		return 0;
	server_caps(&max, &hard, &fds);
	if (conncap_init(&srv.conncap, (unsigned)srv.cfg.max_conns_per_addr,
	    (size_t)fds * srv.nworkers) == -1) {
		snprintf(err, errsz, "connection cap: out of memory");
		return -1;
	}
	log_info("at most %d connection%s per client address",
	    srv.cfg.max_conns_per_addr,
	    srv.cfg.max_conns_per_addr == 1 ? "" : "s");
	return 0;
}

static void
server_caps(int *max, int *hard, int *fds)
{
	struct rlimit rl;
	unsigned long long nofile = SERVER_FD_COUNTED, share;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < nofile)
		nofile = rl.rlim_cur;
	share = nofile > 2 * SERVER_FD_RESERVE ? nofile - SERVER_FD_RESERVE :
	    nofile / 2;
	share /= srv.nworkers;
	if (share < 2)
		share = 2;
	*fds = (int)share;
	if (srv.cfg.max_conns == 0) {
		*hard = (int)share;
		*max = (int)(share - share / 8);
		return;
	}
	*max = srv.cfg.max_conns;
	*hard = 2ULL * (unsigned long long)*max < share ? 2 * *max :
	    (int)share;
}

/* SIGUSR1 and SIGHUP: the access log by its name again (rotation). */
static void
server_reopen_log(void)
{
	if (log_access_reopen() == -1)
		log_warn("access log %s: cannot reopen; still writing to the "
		    "old file", srv.cfg.access_log);
}

static void
server_on_signal(uv_signal_t *s, int signum)
{
	size_t i;

	(void)s;
	if (signum == SIGUSR1) {
		server_reopen_log();
		return;
	}
	if (signum == SIGHUP) {
		server_reopen_log();
		server_reload();
		return;
	}
	log_info("%s: finishing requests in flight, then stopping",
	    signum == SIGINT ? "SIGINT" : "SIGTERM");
	atomic_store(&srv.stopping, 1);
	for (i = 0; i < srv.nworkers; i++)
		uv_async_send(&srv.workers[i].wake);
	/* A second SIGINT or SIGTERM now kills at once. */
	for (i = 0; i < SERVER_NSIGS; i++)
		uv_close((uv_handle_t *)&srv.sigs[i], NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	watch_stop(srv.watch);
	srv.watch = NULL;
	server_search_stop();
}

static int
server_signals(void)
{
	static const int signums[SERVER_NSIGS] = { SIGTERM, SIGINT, SIGHUP,
	    SIGUSR1 };
	size_t i;

	if (uv_loop_init(&srv.loop) != 0 || uv_async_init(&srv.loop,
	    &srv.search_async, server_on_search_done) != 0)
		return -1;
	for (i = 0; i < SERVER_NSIGS; i++)
		if (uv_signal_init(&srv.loop, &srv.sigs[i]) != 0 ||
		    uv_signal_start(&srv.sigs[i], server_on_signal,
		    signums[i]) != 0)
			return -1;
	return 0;
}

static void
server_cleanup(void)
{
	struct worker *w;
	size_t i, k;

	for (i = 0; srv.workers != NULL && i < srv.nworkers; i++) {
		w = &srv.workers[i];
		for (k = 0; k < w->nlisteners; k++)
			if (w->listeners[k].fd != -1)
				close(w->listeners[k].fd);
		if (w->spare_fd >= 0)
			close(w->spare_fd);
	}
	free(srv.workers);
	srv.workers = NULL;
	for (k = 0; k < srv.nbinds; k++)
		if (srv.binds[k].fd != -1) {
			close(srv.binds[k].fd);
			srv.binds[k].fd = -1;
		}
	snapshot_unref(srv.snap);
	srv.snap = NULL;
	/* A build left running still owns it. */
	if (!srv.searching) {
		search_free(srv.search_latest);
		srv.search_latest = NULL;
	}
	tlsglue_unref(srv.tls);
	srv.tls = NULL;
	if (srv.ratelimit != NULL) {
		ratelimit_free(srv.ratelimit);
		free(srv.ratelimit);
		srv.ratelimit = NULL;
	}
	conncap_free(&srv.conncap);
	conncap_free(&srv.searchcap);
	log_access_close();
}

static void
server_announce(const struct store *st)
{
	const struct config *c = &srv.cfg;
	const char *host = srv.tls->names[0];
	size_t i;
	int max, hard, fds;

	log_info("%s: %zu posts, %zu tags; %zu worker%s", c->content,
	    st->nposts, st->ntags, srv.nworkers, srv.nworkers == 1 ? "" : "s");
	for (i = 0; i < srv.nbinds; i++)
		if (!srv.binds[i].skip)
			log_info("listening on %s%s%s port %d (%s)",
			    strchr(srv.binds[i].name, ':') ? "[" : "",
			    srv.binds[i].name,
			    strchr(srv.binds[i].name, ':') ? "]" : "",
			    srv.binds[i].port, srv.binds[i].proto ==
			    PROTO_GEMINI ? "gemini" : "gopher, gophers");
	server_caps(&max, &hard, &fds);
	/* In all first: the per-worker figures alone read as the total. */
	log_info("up to %llu connections served at once (%d per worker); "
	    "past that %llu more Gopher and %llu more Gemini clients are told "
	    "to retry later", (unsigned long long)max * srv.nworkers, max,
	    (unsigned long long)(hard > max ? hard - max : 0) * srv.nworkers,
	    (unsigned long long)(fds > max ? fds - max : 0) * srv.nworkers);
	if (c->gemini_port != 0)
		log_info("open gemini://%s:%d/", host, c->gemini_port);
	if (c->gopher_port != 0)
		log_info("open gopher://%s:%d/", host, c->gopher_port);
}

/*
 * Confines the process before any thread starts (they inherit it):
 * reads only the content, writes only the cache dir and the access log
 * (and the cert dir when a reload may have to make a key pair), and
 * makes only the system calls serving needs.
 */
static int
server_sandbox(void)
{
	const struct config *c = &srv.cfg;
	struct sandbox_paths p;
	char cache[CONFIG_PATH_MAX + 32], what[200], err[SERVER_ERR_MAX];
	char root[PATH_MAX], logdir[PATH_MAX + 64];
	int dedicated = 1;	/* no file log: nothing to warn about */

	if (c->no_sandbox) {
		log_warnx("--no-sandbox: not confined");
		return 0;
	}
	/*
	 * Landlock can only name a directory that exists: the cache dir is
	 * made now, as the saved index would make it on its first write.
	 */
	cache[0] = '\0';
	if (c->cache_dir[0] != '\0' && strcmp(c->cache_dir, "none") != 0) {
		snprintf(cache, sizeof(cache), "%s", c->cache_dir);
		if (file_mkdirs(cache) == -1)
			log_warnx("%s: %s; the index will not be saved", cache,
			    strerror(errno));
	}
	memset(&p, 0, sizeof(p));
	p.content = c->content;
	p.cert_dir = c->cert_dir;
	/* Names from the store's settings may change on reload. */
	p.cert_write = c->nhostnames == 0;
	p.cache_dir = cache;
	p.access_log = c->access_log;
	if (c->access_log[0] != '\0' && strcmp(c->access_log, "-") != 0 &&
	    (dedicated = sandbox_log_dir(c->access_log, logdir,
	    sizeof(logdir))) == 1)
		p.log_dir = logdir;
	else if (dedicated == -1)
		snprintf(logdir, sizeof(logdir), "its directory cannot be "
		    "read");
	if (sandbox_enter(&p, what, sizeof(what), err, sizeof(err)) == -1) {
		log_warnx("%s (--no-sandbox runs without)", err);
		return -1;
	}
	log_info("%s", what);
	if (sandbox_content_root(c->content, root, sizeof(root)) == 1)
		log_info("sandbox: reads beneath %s, so %s may be replaced "
		    "by another directory or a symlink flipped there", root,
		    c->content);
	else
		log_info("sandbox: reads only %s; if it is replaced, restart",
		    c->content);
	if (dedicated == 0)
		log_warnx("sandbox: %s: rotating by renaming needs a directory "
		    "of its own for the log (%s); SIGUSR1 and SIGHUP reopen "
		    "only the same file", c->access_log, logdir);
	if (c->sandbox_selftest) {
		log_info("sandbox self-test: a forbidden system call");
		sandbox_selftest();
		log_warnx("sandbox self-test: the call was allowed");
		return -1;
	}
	return 0;
}

/*
 * Test only: one thing a confined server must not do, tried once the
 * sandbox is on (or not, with --no-sandbox, to show the probe works).
 * The exit status: 0 refused, 3 it worked, 2 an unknown probe.
 */
static int
server_probe_sandbox(const char *what)
{
	char msg[256];
	int rc;

	if ((rc = sandbox_probe(what, msg, sizeof(msg))) == -1) {
		log_warnx("sandbox probe %s: unknown", what);
		return 2;
	}
	log_info("sandbox probe %s", msg);
	return rc == 1 ? 0 : 3;
}

/*
 * Edits are followed live; without fs events, SIGHUP still works. The
 * watch starts once the workers serve: on a directory of a million
 * posts the kernel takes a good part of a second to set it up, and the
 * look at every file that follows catches what changed before it.
 */
static int
server_watch(void)
{
	int rc = 0;

	if ((srv.watch = watch_start(&srv.loop, srv.cfg.content,
	    server_on_settled, NULL, &rc)) == NULL)
		return -1;
	if (rc != 0)
		log_warnx("%s: cannot watch for changes (%s); send SIGHUP "
		    "after editing", srv.cfg.content, uv_strerror(rc));
	return 0;
}

/* Starts the workers and waits for a stop signal; the exit status. */
static int
server_run(void)
{
	sigset_t stops;
	size_t i, started = 0;
	int rc = 0;

	if (server_signals() == -1) {
		log_warnx("cannot watch signals");
		return 1;
	}
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	pthread_sigmask(SIG_UNBLOCK, &stops, NULL);
	for (i = 0; i < srv.nworkers; i++) {
		server_caps(&srv.workers[i].max_conns,
		    &srv.workers[i].hard_conns, &srv.workers[i].fd_conns);
		if (worker_init(&srv.workers[i], i) == -1 ||
		    uv_thread_create(&srv.workers[i].thread, worker_main,
		    &srv.workers[i]) != 0) {
			log_warnx("cannot start worker %zu", i);
			rc = 1;
			break;
		}
		started++;
	}
	if (rc == 0 && server_watch() == -1) {
		log_warnx("%s: cannot watch for changes: out of memory",
		    srv.cfg.content);
		rc = 1;
	}
	if (rc == 0) {
		/*
		 * From the saved index, search starts at once (its saved
		 * index maps in a moment) while every file is looked at; the
		 * snapshot that look makes then updates it.
		 */
		if (srv.verify && srv.watch != NULL) {
			watch_rescan(srv.watch);
			/* (not the stand-in of a store being read) */
			srv.search_saved_start = !srv.snap->loading;
		}
		server_search_next();
		uv_run(&srv.loop, UV_RUN_DEFAULT);
	} else {
		atomic_store(&srv.stopping, 1);
		for (i = 0; i < started; i++)
			uv_async_send(&srv.workers[i].wake);
		for (i = 0; i < SERVER_NSIGS; i++)
			uv_close((uv_handle_t *)&srv.sigs[i], NULL);
		watch_stop(srv.watch);
		srv.watch = NULL;
		server_search_stop();
		uv_run(&srv.loop, UV_RUN_DEFAULT);
	}
	for (i = 0; i < started; i++) {
		uv_thread_join(&srv.workers[i].thread);
		uv_loop_close(&srv.workers[i].loop);
		conn_free_spares(&srv.workers[i]);
	}
	uv_loop_close(&srv.loop);
	if (rc == 0)
		log_info("stopped");
	return rc;
}

int
serve_main(int argc, char **argv)
{
	struct config *c = &srv.cfg;
	struct search_index *idx;
	char err[SERVER_ERR_MAX];
	sigset_t stops;
	size_t i;
	int rc, inherited = 0;

	config_defaults(c);
	if ((rc = config_parse_args(c, argc, argv, err, sizeof(err))) != 0) {
		if (rc == 1)
			return 0;
		fprintf(stderr, "capsule serve: %s\n", err);
		return 2;
	}
	log_init(1);
	if (geteuid() == 0 && c->user[0] == '\0' && !c->foreground) {
		log_warnx("refusing to run as root without --user NAME "
		    "(--foreground allows it, for development)");
		return 1;
	}
	if (c->gemini_port == 0 && c->gopher_port == 0) {
		log_warnx("both ports are 0: nothing to serve");
		return 1;
	}
	if (uv_mutex_init(&srv.lock) != 0 ||
	    uv_mutex_init(&srv.search_lock) != 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	/* Log rotation or a reload may signal while the store loads. */
	signal(SIGUSR1, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	/*
	 * A stop asked for while the store loads waits for the handlers
	 * (server_run()): unblocked, it would be lost where the shell left
	 * SIGINT ignored, or kill the server mid-start.
	 */
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stops, NULL);
	server_raise_nofile();
	rc = 1;
	srv.nworkers = server_workers(c->workers);
	if ((srv.workers = calloc(srv.nworkers, sizeof(*srv.workers))) ==
	    NULL) {
		log_warnx("out of memory");
		goto out;
	}
	for (i = 0; i < srv.nworkers; i++)
		srv.workers[i].spare_fd = -1;
	if (log_access_open(c->access_log) == -1) {
		log_warn("access log %s", c->access_log);
		goto out;
	}
	if (server_limits(err, sizeof(err)) == -1 ||
	    (inherited = server_inherit(err, sizeof(err))) == -1 ||
	    (inherited == 0 && server_resolve(err, sizeof(err)) == -1) ||
	    server_bind(err, sizeof(err)) == -1 ||
	    (!c->no_sandbox && sandbox_drop_bounding(err, sizeof(err)) ==
	    -1) ||
	    server_drop_privileges(err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		goto out;
	}
	if (tls_init() == -1) {
		log_warnx("cannot initialise libtls");
		goto out;
	}
	/* The search index is built once serving has begun. */
	if ((srv.snap = server_load_snapshot(NULL, 0)) == NULL) {
		log_warnx("%s: cannot load the post store", c->content);
		goto out;
	}
	/*
	 * A small store's index takes milliseconds: search works at once,
	 * and its saved index is written now, as the search thread would.
	 */
	if (!srv.snap->loading &&
	    srv.snap->store->nposts <= SERVER_SEARCH_AT_ONCE) {
		/* The store's index first: it makes the cache directory. */
		server_save_catalog(srv.snap->store);
		if ((idx = server_search_build(srv.snap->store)) != NULL)
			snapshot_set_search(srv.snap, idx);
	}
	if ((srv.tls = server_load_tls(srv.snap->store, err, sizeof(err))) ==
	    NULL) {
		log_warnx("%s", err);
		goto out;
	}
	server_announce(srv.snap->store);
	if (!c->foreground) {
		if (strcmp(c->access_log, "-") == 0)
			log_warnx("--access-log -: stdout is closed once "
			    "detached; use --foreground");
		/* Relative paths stay valid for reloads: no chdir. */
		if (daemon(1, 0) == -1) {
			log_warn("daemon");
			goto out;
		}
		log_init(0);
	}
	if (server_sandbox() == -1)
		goto out;
	if (c->sandbox_probe[0] != '\0') {
		rc = server_probe_sandbox(c->sandbox_probe);
		goto out;
	}
	rc = server_run();
 out:
	server_cleanup();
	uv_mutex_destroy(&srv.lock);
	return rc;
}
