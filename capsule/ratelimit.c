/*
 * ratelimit.c: a fixed window per client address, in a set-associative
 * table: an address hashes (with a random key, so nobody can aim at one
 * set) to a set of RATELIMIT_WAYS slots; a new address takes a free or
 * expired slot, else the one with the fewest requests: a flood of new
 * addresses pushes out each other, not the busy client being limited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ratelimit.h"

#define RATELIMIT_MAX_N		1000000
#define RATELIMIT_MAX_SECS	86400

int
ratelimit_init(struct ratelimit *r, unsigned max, unsigned secs)
{
	memset(r->slots, 0, sizeof(r->slots));
	r->max = max;
	r->window_ms = (uint64_t)secs * 1000;
	if (getrandom(&r->key, sizeof(r->key), 0) != sizeof(r->key))
		r->key = (uint64_t)(uintptr_t)r ^ 0x9e3779b97f4a7c15ULL;
	return pthread_mutex_init(&r->lock, NULL) == 0 ? 0 : -1;
}

void
ratelimit_free(struct ratelimit *r)
{
	pthread_mutex_destroy(&r->lock);
}

/* FNV-1a over the key and the address: cheap, spread by the key. */
static size_t
ratelimit_set(const struct ratelimit *r, const unsigned char *a)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ r->key;
	size_t i;

	for (i = 0; i < 16; i++) {
		h ^= a[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 29;
	return (size_t)(h % RATELIMIT_SETS);
}

unsigned
ratelimit_hit(struct ratelimit *r, const void *addr, size_t len,
    uint64_t now_ms)
{
	unsigned char a[16] = { 0 };
	struct ratelimit_slot *set, *s = NULL, *old = NULL;
	uint64_t left;
	unsigned wait = 0;
	size_t i;

	if (r->max == 0 || len > sizeof(a))
		return 0;
	memcpy(a + sizeof(a) - len, addr, len);
	pthread_mutex_lock(&r->lock);
	set = r->slots[ratelimit_set(r, a)];
	for (i = 0; i < RATELIMIT_WAYS; i++) {
		if (set[i].used && memcmp(set[i].addr, a, sizeof(a)) == 0) {
			s = &set[i];
			break;
		}
		/* Free or expired first; else the quietest address. */
		if (!set[i].used || now_ms - set[i].start_ms >= r->window_ms) {
			if (old == NULL || old->used)
				old = &set[i];
		} else if (old == NULL || (old->used &&
		    (set[i].count < old->count || (set[i].count ==
		    old->count && set[i].start_ms < old->start_ms))))
			old = &set[i];
	}
	if (s == NULL) {
		s = old;
		memcpy(s->addr, a, sizeof(a));
		s->used = 1;
		s->count = 0;
		s->start_ms = now_ms;
	}
	if (now_ms - s->start_ms >= r->window_ms) {
		s->start_ms = now_ms;
		s->count = 0;
	}
	if (s->count < r->max)
		s->count++;
	else {
		left = r->window_ms - (now_ms - s->start_ms);
		wait = (unsigned)((left + 999) / 1000);
		if (wait == 0)
			wait = 1;
	}
	pthread_mutex_unlock(&r->lock);
	return wait;
}

void
ratelimit_key(const void *addr, size_t len, unsigned v6bits,
    unsigned char key[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	unsigned i;

	memset(key, 0, 16);
	if (len == 4) {
		memcpy(key, mapped, sizeof(mapped));
		memcpy(key + 12, addr, 4);
		return;
	}
	if (len != 16)
		return;
	memcpy(key, addr, 16);
	if (memcmp(key, mapped, sizeof(mapped)) == 0 || v6bits >= 128)
		return;
	for (i = 0; i < 16; i++) {
		if (v6bits >= 8 * (i + 1))
			continue;
		if (v6bits <= 8 * i)
			key[i] = 0;
		else
			key[i] &= (unsigned char)(0xff << (8 - (v6bits - 8 * i)));
	}
}

int
ratelimit_parse(const char *s, unsigned *max, unsigned *secs)
{
	unsigned long n, t;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	n = strtoul(s, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		return -1;
	t = strtoul(end + 1, &end, 10);
	if (*end != '\0' || n < 1 || n > RATELIMIT_MAX_N || t < 1 ||
	    t > RATELIMIT_MAX_SECS)
		return -1;
	*max = (unsigned)n;
	*secs = (unsigned)t;
	return 0;
}
