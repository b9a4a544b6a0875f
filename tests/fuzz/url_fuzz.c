/*
 * url_fuzz.c: libFuzzer target for the request parser and the router's
 * path normalisation, the code every byte from the network goes through.
 *
 *   make build/fuzz/url_fuzz
 *   build/fuzz/url_fuzz -max_total_time=60 build/fuzz/corpus/url \
 *       tests/fuzz/corpus/url
 */
#include <stdint.h>
#include <string.h>

#include "url.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[URL_MAX + 2], out[URL_PATH_MAX + 2];
	const char *err;
	struct url u;

	if (size > URL_MAX + 1)
		size = URL_MAX + 1;
	memcpy(in, data, size);
	in[size] = '\0';
	(void)url_parse(in, &u, &err);
	if (url_normalize_path((const char *)data, size, out, sizeof(out),
	    &err) == 0) {
		/* A normalised path is absolute and never climbs. */
		if (out[0] != '/' || strstr(out, "/../") != NULL ||
		    strstr(out, "//") != NULL)
			__builtin_trap();
	}
	return 0;
}
