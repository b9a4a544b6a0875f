/*
 * loadgen.c: the benchmark's load generator for Gemini and Gopher.
 *
 * Each thread runs its own epoll loop over its share of -c connections;
 * every connection carries one request and is replaced when it ends, so
 * -c requests stay in flight for -d seconds. A request counts only when
 * its whole reply arrived (close_notify or EOF) and starts as expected.
 * Loopback only: this is a benchmark, not a way to load other hosts.
 */
#include <sys/epoll.h>
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
#include <time.h>
#include <unistd.h>

#include "loadgen.h"

#define LG_MAX_SECONDS	3600.0
#define LG_SETUP_LIMIT	120.0	/* idle mode: seconds to open them all */
#define LG_SWEEP_NS	10000000LL	/* timeouts and retries, 10 ms */
#define LG_NS		1000000000LL

atomic_llong	 lg_done;
atomic_int	 lg_stop;

static const char *lg_err_names[LG_ERR_COUNT] = {
	"connect", "tls", "short", "bad", "timeout",
};

int64_t
lg_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * LG_NS + ts.tv_nsec;
}

static void
lg_sleep_until(int64_t t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(t / LG_NS);
	ts.tv_nsec = (long)(t % LG_NS);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	    EINTR && !atomic_load(&lg_stop))
		;
}

int
lg_in_window(const struct lg_worker *w, int64_t now)
{
	return now >= w->t_start && now < w->t_end;
}

static int
lg_over(const struct lg_worker *w, int64_t now)
{
	if (atomic_load_explicit(&lg_stop, memory_order_relaxed))
		return 1;
	if (w->o->idle)
		return now >= w->t_end;
	if (w->o->maxreq > 0 && atomic_load_explicit(&lg_done,
	    memory_order_relaxed) >= w->o->maxreq)
		return 1;
	return now >= w->t_end;
}

void
lg_next(struct lg_conn *c, enum lg_end end)
{
	struct lg_worker *w = c->w;
	int64_t		 now;

	c->state = LG_FREE;
	if (w->o->idle) {
		/* The loop opens the next one, bounding concurrent setups. */
		w->setting_up--;
		if (end != LG_END_OK)
			w->setup_failed++;
		return;
	}
	now = lg_now();
	if (lg_over(w, now))
		return;
	if (end == LG_END_REFUSED) {
		/* Do not spin on a server that is not there. */
		c->retry_at = now + LG_SWEEP_NS;
		return;
	}
	conn_start(c);
}

static void
lg_sweep(struct lg_worker *w, int64_t now)
{
	struct lg_conn	*c;
	int		 i;

	for (i = 0; i < w->nconns; i++) {
		c = &w->conns[i];
		if (c->state == LG_FREE) {
			if (c->retry_at != 0 && now >= c->retry_at &&
			    !lg_over(w, now))
				conn_start(c);
		} else
			conn_check_timeout(c, now);
	}
}

/* One epoll loop until the window closes (or, idle mode, -d after). */
static void
lg_loop(struct lg_worker *w)
{
	struct epoll_event ev[256];
	int64_t		 now, last = 0;
	int		 i, n;

	for (;;) {
		now = lg_now();
		if (lg_over(w, now))
			break;
		n = epoll_wait(w->ep, ev, 256, 10);
		for (i = 0; i < n; i++)
			conn_event(ev[i].data.ptr, ev[i].events);
		now = lg_now();
		if (now - last >= LG_SWEEP_NS) {
			last = now;
			lg_sweep(w, now);
		}
		if (w->o->idle && w->t_end == INT64_MAX) {
			while (w->setting_up < w->o->conns &&
			    w->opened < w->nconns) {
				w->setting_up++;
				conn_start(&w->conns[w->opened++]);
			}
			if ((w->opened == w->nconns && w->setting_up == 0) ||
			    now - w->t_start > (int64_t)(LG_SETUP_LIMIT * LG_NS)) {
				printf("phase=ready idle_target=%d idle_open=%llu "
				    "setup_errors=%d setup_ms=%.0f\n",
				    w->nconns, (unsigned long long)
				    (w->st.idle_ready - w->st.idle_closed),
				    w->setup_failed,
				    (double)(now - w->t_start) / 1e6);
				fflush(stdout);
				w->t_ready = now;
				w->t_end = now + (int64_t)(w->o->seconds * LG_NS);
			}
		}
	}
	w->stopped = lg_now();
	for (i = 0; i < w->nconns; i++)
		conn_abort(&w->conns[i]);
}

static void *
lg_thread(void *arg)
{
	struct lg_worker *w = arg;
	int		 i;

	for (i = 0; i < w->nconns; i++)
		conn_start(&w->conns[i]);
	lg_loop(w);
	return NULL;
}

static int
lg_worker_init(struct lg_worker *w, const struct lg_opts *o, int id,
    int nconns)
{
	int	 i;

	w->id = id;
	w->o = o;
	w->nconns = nconns;
	if ((w->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	if (conn_ctx_init(w) == -1)
		return -1;
	if ((w->conns = calloc((size_t)nconns, sizeof(*w->conns))) == NULL)
		return -1;
	for (i = 0; i < nconns; i++) {
		w->conns[i].w = w;
		w->conns[i].fd = -1;
	}
	return 0;
}

static void
lg_worker_free(struct lg_worker *w)
{
	free(w->conns);
	conn_ctx_free(w);
	if (w->ep != -1)
		close(w->ep);
}

/* utime + stime + cutime + cstime of pid, in clock ticks; -1 if gone. */
static long long
lg_proc_cpu(pid_t pid)
{
	char		 path[64], buf[1024], *p, *tok, *save;
	long long	 sum = 0;
	ssize_t		 n;
	int		 fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The command name may hold spaces; field 3 follows the last ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	field = 3;
	for (tok = strtok_r(p + 1, " ", &save); tok != NULL && field <= 17;
	    tok = strtok_r(NULL, " ", &save), field++)
		if (field >= 14)
			sum += strtoll(tok, NULL, 10);
	return field > 17 ? sum : -1;
}

/* Busy clock ticks of the whole machine, every CPU, from /proc/stat. */
static long long
lg_machine_busy(void)
{
	char		 buf[512], *p, *tok, *save;
	long long	 v, busy = 0;
	ssize_t		 n;
	int		 fd, field;

	if ((fd = open("/proc/stat", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || strncmp(buf, "cpu ", 4) != 0)
		return -1;
	buf[n] = '\0';
	if ((p = strchr(buf, '\n')) != NULL)
		*p = '\0';
	/* user nice system idle iowait irq softirq steal: not 4 and 5. */
	field = 1;
	for (tok = strtok_r(buf + 4, " ", &save); tok != NULL && field <= 8;
	    tok = strtok_r(NULL, " ", &save), field++) {
		v = strtoll(tok, NULL, 10);
		if (field != 4 && field != 5)
			busy += v;
	}
	return busy;
}

static double
lg_rusage_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static const char *
lg_proto_name(enum lg_proto p)
{
	return p == LG_GEMINI ? "gemini" : "gopher";
}

/*
 * Prints the human line on stderr and the key=value line on stdout.
 * CPU figures are in microseconds over the window; machine_us counts
 * every CPU, so what neither we nor the server used is someone else's.
 */
static void
lg_report(const struct lg_opts *o, const struct lg_stats *st, double secs,
    double server_us, double client_us, double machine_us)
{
	double	 rps = (double)st->requests / secs;
	double	 bps = (double)st->bytes / secs;
	double	 per_req = st->requests > 0 ? server_us /
		    (double)st->requests : 0;
	uint64_t p50 = hist_quantile(&st->lat, 0.50);
	uint64_t p90 = hist_quantile(&st->lat, 0.90);
	uint64_t p99 = hist_quantile(&st->lat, 0.99);
	double	 other_us = -1;
	int	 i;

	/* Sampled a moment apart, the difference may dip below zero. */
	if (machine_us >= 0 && server_us >= 0) {
		other_us = machine_us - server_us - client_us;
		if (other_us < 0)
			other_us = 0;
	}

	fprintf(stderr, "%s %s:%d c=%d t=%d%s %.2f s: %.1f req/s, "
	    "%.2f MB/s, latency p50 %.2f p90 %.2f p99 %.2f max %.2f ms",
	    lg_proto_name(o->proto), o->host, o->port, o->conns, o->threads,
	    o->resume ? " resume" : "", secs, rps, bps / 1e6,
	    (double)p50 / 1e3, (double)p90 / 1e3, (double)p99 / 1e3,
	    (double)st->lat.max / 1e3);
	if (o->proto == LG_GEMINI)
		fprintf(stderr, ", %llu handshakes (%llu resumed)",
		    (unsigned long long)st->handshakes,
		    (unsigned long long)st->resumed);
	fprintf(stderr, ", errors");
	for (i = 0; i < LG_ERR_COUNT; i++)
		fprintf(stderr, " %s %llu", lg_err_names[i],
		    (unsigned long long)st->err[i]);
	if (server_us >= 0)
		fprintf(stderr, "; server %.0f us CPU/req (%.0f%% of a core)",
		    per_req, server_us / secs / 1e4);
	if (other_us >= 0)
		fprintf(stderr, "; other processes %.0f%% of a core",
		    other_us / secs / 1e4);
	fprintf(stderr, "\n");

	printf("proto=%s host=%s port=%d conns=%d threads=%d resume=%d "
	    "secs=%.3f requests=%llu rps=%.1f bytes=%llu bytes_per_s=%.0f "
	    "p50_us=%llu p90_us=%llu p99_us=%llu max_us=%llu "
	    "handshakes=%llu resumed=%llu",
	    lg_proto_name(o->proto), o->host, o->port, o->conns, o->threads,
	    o->resume, secs, (unsigned long long)st->requests, rps,
	    (unsigned long long)st->bytes, bps, (unsigned long long)p50,
	    (unsigned long long)p90, (unsigned long long)p99,
	    (unsigned long long)st->lat.max,
	    (unsigned long long)st->handshakes,
	    (unsigned long long)st->resumed);
	for (i = 0; i < LG_ERR_COUNT; i++)
		printf(" err_%s=%llu", lg_err_names[i],
		    (unsigned long long)st->err[i]);
	printf(" no_close_notify=%llu", (unsigned long long)st->no_close_notify);
	if (server_us >= 0)
		printf(" server_cpu_us=%.0f server_cpu_us_per_req=%.1f "
		    "server_cpu_pct=%.1f", server_us, per_req,
		    server_us / secs / 1e4);
	else
		printf(" server_cpu_us=na server_cpu_us_per_req=na "
		    "server_cpu_pct=na");
	printf(" client_cpu_pct=%.1f", client_us / secs / 1e4);
	if (other_us >= 0)
		printf(" other_cpu_pct=%.1f", other_us / secs / 1e4);
	else
		printf(" other_cpu_pct=na");
	printf("\n");
	fflush(stdout);
}

static int
lg_run_load(struct lg_opts *o)
{
	struct lg_worker **ws;
	struct lg_stats	 total;
	long long	 cpu0 = -1, cpu1 = -1, mach0, mach1;
	double		 tick = (double)sysconf(_SC_CLK_TCK);
	double		 ru0, ru1, secs, server_us = -1;
	int64_t		 t_start, t_end, t_stop = 0;
	int		 i, j, share, rv = 1;

	if ((ws = calloc((size_t)o->threads, sizeof(*ws))) == NULL)
		return 1;
	t_start = lg_now() + (int64_t)(o->warmup * LG_NS);
	t_end = t_start + (int64_t)(o->seconds * LG_NS);
	for (i = 0; i < o->threads; i++) {
		share = o->conns / o->threads + (i < o->conns % o->threads);
		if ((ws[i] = calloc(1, sizeof(*ws[i]))) == NULL ||
		    lg_worker_init(ws[i], o, i, share) == -1) {
			fprintf(stderr, "loadgen: out of memory or fds\n");
			return 1;
		}
		ws[i]->t_start = t_start;
		ws[i]->t_end = t_end;
	}
	for (i = 0; i < o->threads; i++)
		if (pthread_create(&ws[i]->thread, NULL, lg_thread, ws[i]) !=
		    0) {
			fprintf(stderr, "loadgen: cannot start a thread\n");
			exit(1);
		}

	lg_sleep_until(t_start);
	if (o->server_pid > 0)
		cpu0 = lg_proc_cpu(o->server_pid);
	ru0 = lg_rusage_us();
	mach0 = lg_machine_busy();
	for (;;) {
		int64_t now = lg_now();
		if (now >= t_end || atomic_load(&lg_stop) || (o->maxreq > 0 &&
		    atomic_load(&lg_done) >= o->maxreq)) {
			t_stop = now < t_end ? now : t_end;
			break;
		}
		lg_sleep_until(now + LG_SWEEP_NS < t_end ? now + LG_SWEEP_NS :
		    t_end);
	}
	if (o->server_pid > 0)
		cpu1 = lg_proc_cpu(o->server_pid);
	ru1 = lg_rusage_us();
	mach1 = lg_machine_busy();

	memset(&total, 0, sizeof(total));
	for (i = 0; i < o->threads; i++) {
		pthread_join(ws[i]->thread, NULL);
		total.requests += ws[i]->st.requests;
		total.bytes += ws[i]->st.bytes;
		total.handshakes += ws[i]->st.handshakes;
		total.resumed += ws[i]->st.resumed;
		total.no_close_notify += ws[i]->st.no_close_notify;
		for (j = 0; j < LG_ERR_COUNT; j++)
			total.err[j] += ws[i]->st.err[j];
		hist_merge(&total.lat, &ws[i]->st.lat);
		lg_worker_free(ws[i]);
		free(ws[i]);
	}
	free(ws);
	secs = (double)(t_stop - t_start) / 1e9;
	if (secs < 0.001)
		secs = 0.001;
	if (cpu0 >= 0 && cpu1 >= 0)
		server_us = (double)(cpu1 - cpu0) * 1e6 / tick;
	else if (o->server_pid > 0)
		fprintf(stderr, "loadgen: cannot read /proc/%d/stat\n",
		    (int)o->server_pid);
	lg_report(o, &total, secs, server_us, ru1 - ru0,
	    mach0 >= 0 && mach1 >= 0 ? (double)(mach1 - mach0) * 1e6 / tick : -1);
	if (total.requests > 0)
		rv = 0;
	return rv;
}

/*
 * Idle mode: opens -i connections, at most -c at a time, each left
 * mid-request, and holds them -d seconds (or until SIGTERM).
 */
static int
lg_run_idle(struct lg_opts *o)
{
	struct lg_worker *w;
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    lg_worker_init(w, o, 0, o->idle) == -1) {
		fprintf(stderr, "loadgen: out of memory or fds\n");
		return 1;
	}
	w->t_start = lg_now();
	w->t_end = INT64_MAX;	/* set when every connection is open */
	lg_loop(w);
	printf("phase=end idle_target=%d idle_ready=%llu "
	    "idle_closed_by_server=%llu setup_errors=%d held_s=%.1f\n",
	    w->nconns, (unsigned long long)w->st.idle_ready,
	    (unsigned long long)w->st.idle_closed, w->setup_failed,
	    w->t_ready == 0 ? 0.0 : (double)(w->stopped - w->t_ready) / 1e9);
	fflush(stdout);
	lg_worker_free(w);
	free(w);
	return 0;
}

/* -w: waits for the port to accept, prints when (from -z, in ms). */
static int
lg_run_wait(const struct lg_opts *o, long long t0_ns)
{
	struct timespec	 rt;
	int64_t		 deadline = lg_now() + (int64_t)(o->seconds * LG_NS);
	long long	 now_rt;
	int		 fd, ok;

	if (t0_ns == 0) {
		clock_gettime(CLOCK_REALTIME, &rt);
		t0_ns = (long long)rt.tv_sec * LG_NS + rt.tv_nsec;
	}
	for (;;) {
		fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd == -1)
			return 1;
		ok = connect(fd, (const struct sockaddr *)&o->addr,
		    o->addrlen) == 0;
		close(fd);
		if (ok)
			break;
		if (lg_now() > deadline || atomic_load(&lg_stop)) {
			printf("ready_ms=na\n");
			return 1;
		}
		lg_sleep_until(lg_now() + 1000000);	/* 1 ms */
	}
	clock_gettime(CLOCK_REALTIME, &rt);
	now_rt = (long long)rt.tv_sec * LG_NS + rt.tv_nsec;
	printf("ready_ms=%.1f\n", (double)(now_rt - t0_ns) / 1e6);
	return 0;
}

/* Loopback only: an address in 127/8 or ::1 ("localhost" is 127.0.0.1). */
static int
lg_parse_addr(struct lg_opts *o)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&o->addr;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&o->addr;
	const char		*h = o->host;

	memset(&o->addr, 0, sizeof(o->addr));
	if (strcmp(h, "localhost") == 0)
		h = "127.0.0.1";
	if (inet_pton(AF_INET, h, &sin->sin_addr) == 1) {
		if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)o->port);
		o->addrlen = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, h, &sin6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)o->port);
		o->addrlen = sizeof(*sin6);
		return 0;
	}
	return -1;
}

static int
lg_build_request(struct lg_opts *o, const char *u)
{
	int	 n;

	if (o->proto == LG_GOPHER)
		n = snprintf(o->req, sizeof(o->req), "%s\r\n", u);
	else if (strncmp(u, "gemini://", 9) == 0)
		n = snprintf(o->req, sizeof(o->req), "%s\r\n", u);
	else
		n = snprintf(o->req, sizeof(o->req), "gemini://%s:%d%s%s\r\n",
		    o->sni[0] != '\0' ? o->sni : "localhost", o->port,
		    u[0] == '/' ? "" : "/", u);
	if (n < 0 || (size_t)n >= sizeof(o->req))
		return -1;
	o->reqlen = (size_t)n;
	/* Idle mode sends half the line: never the CRLF. */
	o->partial = o->reqlen / 2 > 0 ? o->reqlen / 2 : 1;
	return 0;
}

/* Copies src into dst of size n: -1 when it does not fit. */
static int
lg_copy(char *dst, const char *src, size_t n)
{
	int	 r = snprintf(dst, n, "%s", src);

	return r < 0 || (size_t)r >= n ? -1 : 0;
}

static void
lg_on_signal(int sig)
{
	(void)sig;
	atomic_store(&lg_stop, 1);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: loadgen -p gemini|gopher [-h 127.0.0.1] -P port [-s sni]\n"
	    "           -u url-or-selector [-c conns] [-d seconds] [-t threads]\n"
	    "           [-r] [-e expect-prefix] [-n max-requests] [-T timeout]\n"
	    "           [-W warmup-seconds] [-C server-pid]\n"
	    "       loadgen ... -i count      hold count idle connections\n"
	    "       loadgen ... -O file       fetch one reply into file\n"
	    "       loadgen -w [-z t0-ns] [-h host] -P port [-d seconds]\n");
	exit(2);
}

static double
lg_num(const char *s, double lo, double hi, const char *what)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "loadgen: bad %s: %s\n", what, s);
		exit(2);
	}
	return v;
}

int
main(int argc, char *argv[])
{
	struct lg_opts	 o;
	struct rlimit	 rl;
	struct sigaction sa;
	const char	*u = NULL, *out = NULL;
	long long	 t0_ns = 0;
	int		 ch, wait_mode = 0, have_expect = 0;

	memset(&o, 0, sizeof(o));
	o.proto = LG_GEMINI;
	lg_copy(o.host, "127.0.0.1", sizeof(o.host));
	o.conns = 1;
	o.threads = 1;
	o.seconds = 10;
	o.timeout = 10;

	while ((ch = getopt(argc, argv, "C:c:d:e:h:i:n:O:P:p:rs:T:t:u:W:wz:"))
	    != -1) {
		switch (ch) {
		case 'C':
			o.server_pid = (pid_t)lg_num(optarg, 1, 1e9, "pid");
			break;
		case 'c':
			o.conns = (int)lg_num(optarg, 1, LG_MAX_CONNS, "-c");
			break;
		case 'd':
			o.seconds = lg_num(optarg, 0.01, LG_MAX_SECONDS, "-d");
			break;
		case 'e':
			if (lg_copy(o.expect, optarg, sizeof(o.expect)) == -1)
				usage();
			o.expectlen = strlen(o.expect);
			have_expect = 1;
			break;
		case 'h':
			if (lg_copy(o.host, optarg, sizeof(o.host)) == -1)
				usage();
			break;
		case 'i':
			o.idle = (int)lg_num(optarg, 1, LG_MAX_CONNS, "-i");
			break;
		case 'n':
			o.maxreq = (long long)lg_num(optarg, 1, 1e12, "-n");
			break;
		case 'O':
			out = optarg;
			break;
		case 'P':
			o.port = (int)lg_num(optarg, 1, 65535, "port");
			break;
		case 'p':
			if (strcmp(optarg, "gemini") == 0)
				o.proto = LG_GEMINI;
			else if (strcmp(optarg, "gopher") == 0)
				o.proto = LG_GOPHER;
			else
				usage();
			break;
		case 'r':
			o.resume = 1;
			break;
		case 's':
			if (lg_copy(o.sni, optarg, sizeof(o.sni)) == -1)
				usage();
			break;
		case 'T':
			o.timeout = lg_num(optarg, 0.01, LG_MAX_SECONDS, "-T");
			break;
		case 't':
			o.threads = (int)lg_num(optarg, 1, LG_MAX_THREADS, "-t");
			break;
		case 'u':
			u = optarg;
			break;
		case 'W':
			o.warmup = lg_num(optarg, 0, 60, "-W");
			break;
		case 'w':
			wait_mode = 1;
			break;
		case 'z':
			t0_ns = (long long)lg_num(optarg, 0, 1e19, "-z");
			break;
		default:
			usage();
		}
	}
	if (argc != optind || o.port == 0 || (!wait_mode && u == NULL))
		usage();
	if (lg_parse_addr(&o) == -1) {
		fprintf(stderr, "loadgen: %s: refusing anything but a "
		    "loopback address\n", o.host);
		return 2;
	}
	if (o.sni[0] == '\0')
		lg_copy(o.sni, "localhost", sizeof(o.sni));
	if (!wait_mode && lg_build_request(&o, u) == -1) {
		fprintf(stderr, "loadgen: request too long\n");
		return 2;
	}
	if (!have_expect && o.proto == LG_GEMINI) {
		lg_copy(o.expect, "20 ", sizeof(o.expect));
		o.expectlen = 3;
	}
	if (o.threads > o.conns)
		o.threads = o.conns;

	/* Each connection is a descriptor: take all we are allowed. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = lg_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (wait_mode)
		return lg_run_wait(&o, t0_ns);
	if (out != NULL)
		return fetch_one(&o, out) == 0 ? 0 : 1;
	if (o.idle > 0) {
		o.threads = 1;
		return lg_run_idle(&o);
	}
	return lg_run_load(&o);
}
