/*
 * ratelimit.h: requests per client address in a window of seconds
 * (--rate-limit N/SECONDS). The table has a fixed size, so a flood of
 * distinct addresses costs no memory: it only makes the limiter forget
 * the quietest of them.
 */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#include <pthread.h>

#define RATELIMIT_WAYS		8	/* slots an address may take */
#define RATELIMIT_SETS		2048	/* 16384 addresses remembered */

struct ratelimit_slot {
	unsigned char	 addr[16];	/* IPv4 in the last 4 bytes */
	uint8_t		 used;
	uint32_t	 count;		/* requests in this window */
	uint64_t	 start_ms;	/* when the window opened */
};

struct ratelimit {
	pthread_mutex_t		 lock;	/* the workers share it */
	unsigned		 max;	/* requests per window; 0: off */
	uint64_t		 window_ms;
	uint64_t		 key;	/* hashes addresses unpredictably */
	struct ratelimit_slot	 slots[RATELIMIT_SETS][RATELIMIT_WAYS];
};

/* Sets up r for max requests per secs seconds (max 0: no limit); 0/-1. */
int		 ratelimit_init(struct ratelimit *, unsigned max, unsigned secs);
void		 ratelimit_free(struct ratelimit *);
/*
 * Counts one request from the address (4 or 16 bytes) at now_ms. Returns
 * 0 when it is allowed, else the seconds until the window reopens (>= 1).
 */
unsigned	 ratelimit_hit(struct ratelimit *, const void *addr, size_t len,
		    uint64_t now_ms);
/*
 * The key a client address is counted under, by the limiter and the
 * per-address connection cap: IPv4 (4 bytes) and IPv4-mapped IPv6 both
 * as ::ffff:a.b.c.d, other IPv6 cut to its first v6bits bits (a /64 is
 * one subscriber: counting each /128 would give it 2^64 budgets).
 */
#define RATELIMIT_V6_BITS	64	/* --ipv6-prefix's default */
void		 ratelimit_key(const void *addr, size_t len, unsigned v6bits,
		    unsigned char key[16]);
/* Parses "N/SECONDS"; 0 or -1. */
int		 ratelimit_parse(const char *, unsigned *max, unsigned *secs);

#endif
