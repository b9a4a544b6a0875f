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

/*
 * IPv4 and IPv4-mapped IPv6 share a budget; an IPv6 client is its /64
 * (by default), so walking its own prefix buys nothing.
 */
TEST(ratelimit_key_ipv4_mapped_and_ipv6_prefix)
{
	struct ratelimit *r = malloc(sizeof(*r));
	unsigned char v4[4] = { 7, 7, 7, 7 };
	unsigned char m[16] = { [10] = 0xff, [11] = 0xff, 7, 7, 7, 7 };
	unsigned char a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0,
	    0, 0, 0, 1 };
	unsigned char k1[16], k2[16];
	unsigned i;

	ratelimit_key(v4, 4, 64, k1);
	ratelimit_key(m, 16, 64, k2);
	CHECK(memcmp(k1, k2, 16) == 0);
	ratelimit_key(a, 16, 64, k1);
	a[15] = 2;
	a[9] = 0x55;
	ratelimit_key(a, 16, 64, k2);
	CHECK(memcmp(k1, k2, 16) == 0);
	/* Another /64 is another client. */
	a[7] = 2;
	ratelimit_key(a, 16, 64, k2);
	CHECK(memcmp(k1, k2, 16) != 0);
	/* A prefix of 56 bits joins them; 128 keeps every address apart. */
	ratelimit_key(a, 16, 56, k2);
	a[7] = 1;
	ratelimit_key(a, 16, 56, k1);
	CHECK(memcmp(k1, k2, 16) == 0);
	ratelimit_key(a, 16, 128, k1);
	CHECK(memcmp(k1, a, 16) == 0);
	ratelimit_key(a, 16, 60, k1);
	CHECK(k1[7] == 0 && k1[6] == 0 && a[7] == 1);

	/* Through the limiter: 200 addresses of one /64, 5 served. */
	CHECK(r != NULL && ratelimit_init(r, 5, 60) == 0);
	for (i = 0; i < 200; i++) {
		a[14] = (unsigned char)(i >> 8);
		a[15] = (unsigned char)i;
		ratelimit_key(a, 16, 64, k1);
		CHECK(ratelimit_hit(r, k1, 16, 1000) == (i < 5 ? 0 : 60));
	}
	ratelimit_key(v4, 4, 64, k1);
	for (i = 0; i < 5; i++)
		CHECK(ratelimit_hit(r, k1, 16, 1000) == 0);
	ratelimit_key(m, 16, 64, k2);
	CHECK(ratelimit_hit(r, k2, 16, 1000) == 60);
	ratelimit_free(r);
	free(r);
}
