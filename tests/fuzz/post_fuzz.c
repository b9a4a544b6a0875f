/*
 * post_fuzz.c: libFuzzer target for the post file parser; a post file is
 * written by hand, so anything may be in it.
 *
 *   make build/fuzz/post_fuzz
 *   build/fuzz/post_fuzz -max_total_time=60 build/fuzz/corpus/post \
 *       tests/fuzz/corpus/post
 *
 * New inputs go to the first directory (under build/), never content/.
 */
#include <stdint.h>
#include <string.h>

#include "post.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct post p;
	struct post_error err;

	arena_init(&a);
	if (post_parse(&a, "fuzz.txt", "fuzz", (const char *)data, size, &p,
	    &err) == 0) {
		if (p.title == NULL || p.date == NULL ||
		    !post_valid_date(p.date) || strlen(p.body) != p.body_len)
			__builtin_trap();
	}
	arena_free(&a);
	return 0;
}
