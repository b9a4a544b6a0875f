/* ratelimit_test.c: the per-address limiter, its window, its bound. */
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"
#include "test.h"

TEST(ratelimit_window_per_address)
{
	struct ratelimit *r = malloc(sizeof(*r));
	unsigned char a[4] = { 192, 0, 2, 1 }, b[4] = { 192, 0, 2, 2 };

	CHECK(r != NULL && ratelimit_init(r, 3, 10) == 0);
	CHECK(ratelimit_hit(r, a, 4, 1000) == 0);
	CHECK(ratelimit_hit(r, a, 4, 1001) == 0);
	CHECK(ratelimit_hit(r, a, 4, 1002) == 0);
	CHECK(ratelimit_hit(r, a, 4, 1003) == 10);
	CHECK(ratelimit_hit(r, a, 4, 6000) == 5);
	/* Another address has its own count. */
	CHECK(ratelimit_hit(r, b, 4, 6000) == 0);
	/* The window reopens. */
	CHECK(ratelimit_hit(r, a, 4, 11000) == 0);
	ratelimit_free(r);
	free(r);
}

/*
 * A flood of distinct addresses takes no memory (the table is fixed) and
 * does not free a busy address from its limit: the quietest go first.
 */
TEST(ratelimit_flood_is_bounded)
{
	struct ratelimit *r = malloc(sizeof(*r));
	unsigned char a[16] = { 0x20, 0x01, 0x0d, 0xb8 }, busy[4] = { 1, 2, 3,
	    4 };
	unsigned long i;

	CHECK(r != NULL && ratelimit_init(r, 2, 60) == 0);
	CHECK(ratelimit_hit(r, busy, 4, 0) == 0);
	CHECK(ratelimit_hit(r, busy, 4, 0) == 0);
	CHECK(ratelimit_hit(r, busy, 4, 0) > 0);
	for (i = 0; i < 200000; i++) {
		memcpy(a + 8, &i, sizeof(i));
		ratelimit_hit(r, a, 16, 1000 + i / 1000);
	}
	CHECK(ratelimit_hit(r, busy, 4, 2000) > 0);
	CHECK(sizeof(*r) < 1024 * 1024);
	ratelimit_free(r);
	free(r);
}

TEST(ratelimit_parse_flag)
{
	unsigned n, s;

	CHECK(ratelimit_parse("10/60", &n, &s) == 0 && n == 10 && s == 60);
	CHECK(ratelimit_parse("0/60", &n, &s) == -1);
	CHECK(ratelimit_parse("10", &n, &s) == -1);
	CHECK(ratelimit_parse("10/", &n, &s) == -1);
	CHECK(ratelimit_parse("-1/5", &n, &s) == -1);
	CHECK(ratelimit_parse("5/5s", &n, &s) == -1);
}
