/*
 * gemini_fuzz.c: libFuzzer target for a Gemini request as it comes off
 * the socket: framing (CRLF, bare LF, length), the checks on the URL
 * (scheme, host, port, userinfo, fragment), and the answer from the
 * snapshot of content/. The first byte picks the SNI sent, if any.
 *
 *   make fuzz FUZZERS=gemini FUZZ_SECONDS=600
 *
 * (new inputs go to build/fuzz/corpus/gemini, never into the seeds).
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_request.h"
#include "gemini.h"
#include "tlsglue.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *snis[] = { NULL, "localhost", "other.example" };
	static struct tlsglue names;
	struct gemini_where where;
	struct reply r;
	const char *h, *lf;
	size_t len = 0, hl;
	int f;

	if (size < 1 || size > GEMINI_REQUEST_MAX + 1)
		return 0;
	if (names.nnames == 0) {
		strcpy(names.names[0], "localhost");
		names.nnames = 1;
	}
	where.names = &names;
	where.sni = snis[data[0] % 3];
	where.port = 1965;
	data++;
	size--;
	f = gemini_request_end((const char *)data, size, &len);
	if (f != GEMINI_LINE)
		return 0;
	if (len > size)
		__builtin_trap();
	fuzz_log_escape((const char *)data, size);
	reply_init(&r);
	gemini_answer(snapshot_ref(fuzz_snapshot()), (const char *)data, len,
	    &where, &r);
	/* Every answer starts with one header line: "NN meta" CRLF. */
	h = r.wire ? r.wire : r.head;
	hl = r.wire ? r.wirelen : r.headlen;
	if (hl < 5 || h[2] != ' ' || (lf = memchr(h, '\n', hl)) == NULL ||
	    lf - h < 4 || lf[-1] != '\r' || memchr(h, '\r', (size_t)(lf -
	    h) - 1) != NULL || r.status < 10 || r.status > 69)
		__builtin_trap();
	reply_release(&r);
	return 0;
}
