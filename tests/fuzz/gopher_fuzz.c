/*
 * gopher_fuzz.c: libFuzzer target for a Gopher request as it comes off
 * the socket: framing, the selector, search and Gopher+ fields, "URL:"
 * pages, and the answer from the snapshot of content/. The selector is
 * copied to a buffer of its own length, so a read past it is caught.
 *
 *   make build/fuzz/gopher_fuzz && build/fuzz/gopher_fuzz tests/fuzz/corpus/gopher
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_store.h"
#include "gopher.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply r;
	size_t len = 0;
	char *line;

	if (size > GOPHER_REQUEST_MAX)
		return 0;
	if (gopher_request_end((const char *)data, size, &len) !=
	    GOPHER_LINE)
		len = size;	/* a client that half-closes: all it sent */
	if ((line = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(line, data, len);
	reply_init(&r);
	gopher_answer(store_ref(fuzz_store()), line, len, &r);
	/* Gopher has no status line: there is always a body to show. */
	if (r.body == NULL || r.bodylen == 0)
		__builtin_trap();
	reply_release(&r);
	free(line);
	return 0;
}
