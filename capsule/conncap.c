/*
 * conncap.c: an open-addressing table of per-key connection counts with
 * linear probing; a key whose count drops to 0 is removed by shifting
 * its successors back, so lookups never cross tombstones. The table has
 * at least twice as many slots as connections can be open, so a probe is
 * short and a free slot always exists.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "conncap.h"

#define CONNCAP_MIN_SLOTS	64

int
conncap_init(struct conncap *c, unsigned max, size_t conns)
{
	size_t n = CONNCAP_MIN_SLOTS;

	while (n < 2 * conns + 1 && n < ((size_t)1 << 30))
		n *= 2;
	memset(c, 0, sizeof(*c));
	c->max = max;
	c->mask = n - 1;
	if (getrandom(&c->seed, sizeof(c->seed), 0) != sizeof(c->seed))
		c->seed = (uint64_t)(uintptr_t)c ^ 0x9e3779b97f4a7c15ULL;
	/* Freed in conncap_free(). */
	if ((c->slots = calloc(n, sizeof(*c->slots))) == NULL)
		return -1;
	if (pthread_mutex_init(&c->lock, NULL) != 0) {
		free(c->slots);
		c->slots = NULL;
		return -1;
	}
	return 0;
}

void
conncap_free(struct conncap *c)
{
	if (c->slots == NULL)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c->slots);
	c->slots = NULL;
}

static size_t
conncap_home(const struct conncap *c, const unsigned char *k)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ c->seed;
	size_t i;

	for (i = 0; i < 16; i++) {
		h ^= k[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 31;
	return (size_t)h & c->mask;
}

/* The key's slot, or the free slot where it would go. */
static size_t
conncap_find(const struct conncap *c, const unsigned char *k)
{
	size_t i = conncap_home(c, k);

	while (c->slots[i].count != 0 && memcmp(c->slots[i].key, k, 16) != 0)
		i = (i + 1) & c->mask;
	return i;
}

int
conncap_take(struct conncap *c, const unsigned char key[16])
{
	struct conncap_slot *s;
	int rc = 0;

	pthread_mutex_lock(&c->lock);
	s = &c->slots[conncap_find(c, key)];
	if (s->count == 0) {
		/* Never the last free slot: probes must end somewhere. */
		if (c->used + 1 >= c->mask)
			rc = -1;
		else {
			memcpy(s->key, key, 16);
			s->count = 1;
			c->used++;
		}
	} else if (s->count >= c->max)
		rc = -1;
	else
		s->count++;
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void
conncap_give(struct conncap *c, const unsigned char key[16])
{
	size_t i, j, home;

	pthread_mutex_lock(&c->lock);
	i = conncap_find(c, key);
	if (c->slots[i].count > 1) {
		c->slots[i].count--;
		pthread_mutex_unlock(&c->lock);
		return;
	}
	if (c->slots[i].count == 0) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	/* Empties slot i; successors that probed past it move back. */
	c->slots[i].count = 0;
	c->used--;
	for (j = (i + 1) & c->mask; c->slots[j].count != 0;
	    j = (j + 1) & c->mask) {
		home = conncap_home(c, c->slots[j].key);
		/* j stays when its home lies cyclically in (i, j]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		c->slots[i] = c->slots[j];
		c->slots[j].count = 0;
		i = j;
	}
	pthread_mutex_unlock(&c->lock);
}

unsigned
conncap_count(struct conncap *c, const unsigned char key[16])
{
	unsigned n;

	pthread_mutex_lock(&c->lock);
	n = c->slots[conncap_find(c, key)].count;
	pthread_mutex_unlock(&c->lock);
	return n;
}
