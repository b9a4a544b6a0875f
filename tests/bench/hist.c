/* hist.c: the load generator's latency histogram (log-linear buckets). */
#include "loadgen.h"

static size_t
hist_bucket(uint64_t v)
{
	int	 e;
	size_t	 i;

	if (v < LG_HIST_EXACT)
		return v;
	e = 63 - __builtin_clzll(v);		/* 2^e <= v, e >= 7 */
	i = LG_HIST_EXACT + (size_t)(e - 7) * LG_HIST_SUB +
	    ((v >> (e - 6)) & (LG_HIST_SUB - 1));
	return i < LG_HIST_BUCKETS ? i : LG_HIST_BUCKETS - 1;
}

/* The middle of a bucket: what a quantile in it is reported as. */
static uint64_t
hist_value(size_t i)
{
	size_t	 e, m;
	uint64_t lo, width;

	if (i < LG_HIST_EXACT)
		return i;
	e = (i - LG_HIST_EXACT) / LG_HIST_SUB + 7;
	m = (i - LG_HIST_EXACT) % LG_HIST_SUB;
	width = (uint64_t)1 << (e - 6);
	lo = ((uint64_t)1 << e) + m * width;
	return lo + width / 2;
}

void
hist_add(struct lg_hist *h, uint64_t v)
{
	h->b[hist_bucket(v)]++;
	h->n++;
	if (v > h->max)
		h->max = v;
}

void
hist_merge(struct lg_hist *to, const struct lg_hist *from)
{
	size_t	 i;

	for (i = 0; i < LG_HIST_BUCKETS; i++)
		to->b[i] += from->b[i];
	to->n += from->n;
	if (from->max > to->max)
		to->max = from->max;
}

uint64_t
hist_quantile(const struct lg_hist *h, double q)
{
	uint64_t rank, seen = 0;
	size_t	 i;

	if (h->n == 0)
		return 0;
	rank = (uint64_t)(q * (double)h->n);
	if (rank >= h->n)
		rank = h->n - 1;
	for (i = 0; i < LG_HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen > rank) {
			uint64_t v = hist_value(i);
			return v < h->max ? v : h->max;
		}
	}
	return h->max;
}
