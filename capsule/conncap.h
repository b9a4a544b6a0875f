/*
 * conncap.h: concurrent connections per client address
 * (--max-conns-per-addr), keyed like the rate limit (ratelimit_key), so
 * one address cannot hold every connection slot. The table is sized for
 * every connection the workers may hold at once, so it never fills and
 * never forgets a count.
 */
#ifndef CONNCAP_H
#define CONNCAP_H

#include <stddef.h>
#include <stdint.h>

#include <pthread.h>

struct conncap_slot {
	unsigned char	 key[16];
	uint32_t	 count;		/* 0: free */
};

struct conncap {
	pthread_mutex_t		 lock;	/* the workers share it */
	unsigned		 max;	/* per key */
	uint64_t		 seed;	/* hashes keys unpredictably */
	size_t			 mask;	/* slots - 1, a power of two less 1 */
	size_t			 used;	/* keys with a count */
	struct conncap_slot	*slots;
};

/*
 * Sets up c for at most max connections per key among at most conns in
 * all; 0, or -1 out of memory. conncap_free() gives the table back.
 */
int	conncap_init(struct conncap *, unsigned max, size_t conns);
void	conncap_free(struct conncap *);
/* Counts a connection from key: 0, or -1 when key already holds max. */
int	conncap_take(struct conncap *, const unsigned char key[16]);
/* That connection has closed. */
void	conncap_give(struct conncap *, const unsigned char key[16]);
/* Connections key holds now (for the tests). */
unsigned conncap_count(struct conncap *, const unsigned char key[16]);

#endif
