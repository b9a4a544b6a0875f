/*
 * gopher_fuzz.c: libFuzzer target for a Gopher request as it comes off
 * the socket: framing, the selector, search and Gopher+ fields, "URL:"
 * pages, and the answer from the snapshot of content/. The selector is
 * copied to a buffer of its own length, so a read past it is caught.
 *
 *   make fuzz FUZZERS=gopher FUZZ_SECONDS=600
 *
 * (new inputs go to build/fuzz/corpus/gopher, never into the seeds).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_request.h"
#include "gopher.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply r;
	size_t len = 0;
	char *line;

	if (size == 0 || size > GOPHER_REQUEST_MAX + 8)
		return 0;
	switch (gopher_request_end((const char *)data, size, &len)) {
	case GOPHER_TOO_LONG:
		if (data[0] != 0xff)
			return 0;
		break;
	case GOPHER_MORE:
		/* A client that half-closes: all it sent (as conn.c). */
		len = size;
		if (len > 0 && data[len - 1] == '\r')
			len--;
		break;
	default:
		break;
	}
	/* Past the framing too: gopher_answer() guards its own buffers. */
	if (data[0] == 0xff && size > 1)
		len = size;
	if ((line = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(line, data, len);
	fuzz_log_escape((const char *)data, size);
	reply_init(&r);
	gopher_answer(snapshot_ref(fuzz_snapshot()), line, len, &r);
	/* Gopher has no status line: there is always a body to show. */
	if (r.body == NULL || r.bodylen == 0)
		__builtin_trap();
	reply_release(&r);
	free(line);
	return 0;
}
