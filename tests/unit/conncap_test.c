/* conncap_test.c: the per-address connection cap and its table. */
#include <stdlib.h>
#include <string.h>

#include "conncap.h"
#include "test.h"

static void
conncap_test_key(unsigned n, unsigned char k[16])
{
	memset(k, 0, 16);
	k[10] = k[11] = 0xff;
	k[12] = (unsigned char)(n >> 24);
	k[13] = (unsigned char)(n >> 16);
	k[14] = (unsigned char)(n >> 8);
	k[15] = (unsigned char)n;
}

TEST(conncap_caps_one_address_not_others)
{
	struct conncap c;
	unsigned char a[16], b[16];
	int i;

	conncap_test_key(1, a);
	conncap_test_key(2, b);
	CHECK(conncap_init(&c, 3, 100) == 0);
	for (i = 0; i < 3; i++)
		CHECK(conncap_take(&c, a) == 0);
	CHECK(conncap_take(&c, a) == -1);
	CHECK(conncap_take(&c, b) == 0);
	CHECK(conncap_count(&c, a) == 3 && conncap_count(&c, b) == 1);
	/* A closed connection makes room again. */
	conncap_give(&c, a);
	CHECK(conncap_take(&c, a) == 0);
	CHECK(conncap_take(&c, a) == -1);
	conncap_free(&c);
}

/*
 * Many keys come and go in a table that is mostly full: every count
 * stays exact (removal shifts probes back, no key is lost or doubled).
 */
TEST(conncap_counts_stay_exact_under_churn)
{
	struct conncap c;
	unsigned char k[16];
	unsigned *want = calloc(1000, sizeof(*want));
	unsigned i, n, round, bad = 0;

	CHECK(want != NULL && conncap_init(&c, 4, 1000) == 0);
	srand(7);
	for (round = 0; round < 200000; round++) {
		n = (unsigned)rand() % 600;
		conncap_test_key(n, k);
		if (rand() % 2 && want[n] > 0) {
			conncap_give(&c, k);
			want[n]--;
		} else if (conncap_take(&c, k) == 0)
			want[n]++;
		else if (want[n] != 4)
			bad++;
	}
	for (i = 0; i < 600; i++) {
		conncap_test_key(i, k);
		if (conncap_count(&c, k) != want[i])
			bad++;
	}
	CHECK(bad == 0);
	conncap_free(&c);
	free(want);
}
