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
	size_t i;

	arena_init(&a);
	if (post_parse(&a, "fuzz", (const char *)data, size, &p,
	    &err) == 0) {
		if (p.title == NULL || p.date == NULL ||
		    !post_valid_date(p.date) || strlen(p.body) != p.body_len)
			__builtin_trap();
		/* The saved index takes back only what these checks pass. */
		if (!post_valid_value(p.title, 0) ||
		    !post_valid_value(p.author, 1) ||
		    !post_valid_tags(p.tags, p.ntags))
			__builtin_trap();
		for (i = 0; i < p.nimages; i++)
			if (!post_valid_value(p.images[i], 0))
				__builtin_trap();
	}
	arena_free(&a);
	return 0;
}
