/*
 * seccomp_cost.c: nanoseconds per system call with and without the
 * sandbox, for calls of the serving path: the filter's own cost, apart
 * from a loaded machine's noise. A filter and Landlock bind one thread
 * (without TSYNC), so a thread started before sandbox_enter() stays
 * unconfined; the two time their rounds in turn, ABBA, and each figure
 * is the best of ROUNDS.
 */
#define _GNU_SOURCE

#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"

#define ROUNDS	40
#define CALLS	20000

static int devnull, sock, ep;

static void c_getpid(void) { (void)syscall(SYS_getpid); }
static void c_read(void) { char b; (void)read(devnull, &b, 0); }
static void c_write(void) { (void)write(devnull, "", 0); }
static void c_epoll_ctl(void) { (void)epoll_ctl(ep, EPOLL_CTL_DEL, -1, NULL); }
static void c_ioctl(void) { int on = 1; (void)ioctl(sock, FIONBIO, &on); }
static void c_setsockopt(void)
{
	int on = 1;

	(void)setsockopt(sock, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
}

static const struct {
	const char	*name;
	void		(*fn)(void);
} calls[] = {
	{ "getpid", c_getpid }, { "read", c_read }, { "write", c_write },
	{ "epoll_ctl", c_epoll_ctl }, { "ioctl", c_ioctl },
	{ "setsockopt", c_setsockopt },
};
#define NCALLS	(sizeof(calls) / sizeof(calls[0]))

static pthread_barrier_t turn;
static size_t cur;		/* the call being timed */
static double free_best[NCALLS];

static double
round_ns(void (*fn)(void))
{
	struct timespec a, b;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < CALLS; i++)
		fn();
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / CALLS;
}

/* The unconfined thread: one round each time it is given the turn. */
static void *
unconfined(void *arg)
{
	double ns;

	(void)arg;
	for (;;) {
		pthread_barrier_wait(&turn);
		if (cur == NCALLS)
			return NULL;
		if ((ns = round_ns(calls[cur].fn)) < free_best[cur])
			free_best[cur] = ns;
		pthread_barrier_wait(&turn);
	}
}

static void
their_round(void)
{
	pthread_barrier_wait(&turn);
	pthread_barrier_wait(&turn);
}

int
main(void)
{
	struct sandbox_paths p;
	char what[256], err[256];
	double best, ns;
	pthread_t t;
	size_t i;
	int r;

	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	sock = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (devnull == -1 || sock == -1 || ep == -1) {
		perror("seccomp_cost");
		return 1;
	}
	pthread_barrier_init(&turn, NULL, 2);
	for (i = 0; i < NCALLS; i++)
		free_best[i] = 1e18;
	if (pthread_create(&t, NULL, unconfined, NULL) != 0)
		return 1;
	memset(&p, 0, sizeof(p));
	if (sandbox_enter(&p, what, sizeof(what), err, sizeof(err)) == -1) {
		fprintf(stderr, "seccomp_cost: %s\n", err);
		return 1;
	}
	for (i = 0; i < NCALLS; i++) {
		cur = i;
		best = 1e18;
		for (r = 0; r < ROUNDS; r++) {
			if (r % 2 == 0)
				their_round();
			if ((ns = round_ns(calls[i].fn)) < best)
				best = ns;
			if (r % 2 == 1)
				their_round();
		}
		printf("call=%s unconfined_ns=%.1f confined_ns=%.1f\n",
		    calls[i].name, free_best[i], best);
	}
	cur = NCALLS;
	pthread_barrier_wait(&turn);
	pthread_join(t, NULL);
	return 0;
}
