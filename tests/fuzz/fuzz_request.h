/*
 * fuzz_request.h: what the request harnesses (gemini, gopher) share: the
 * snapshot they answer from, content/ (or $CAPSULE_CONTENT) loaded once
 * per process, and the check of the access log's line for a request.
 */
#ifndef FUZZ_REQUEST_H
#define FUZZ_REQUEST_H

#include <stdlib.h>

#include "log.h"

#include "snapshot.h"
#include "store.h"

/* One snapshot per process; each answer takes a reference of its own. */
static struct snapshot *
fuzz_snapshot(void)
{
	static struct snapshot *sn;
	struct store *st;
	const char *dir;
	struct site site = { "localhost", 1965, 70, 0 };

	if (sn == NULL) {
		dir = getenv("CAPSULE_CONTENT");
		if ((st = store_load(dir ? dir : "content", &site, NULL,
		    NULL)) == NULL ||
		    (sn = snapshot_new(st, SNAPSHOT_SEARCH)) == NULL)
			abort();
	}
	return sn;
}

/* The access log shows the request: one line, printable, bounded. */
static void
fuzz_log_escape(const char *s, size_t n)
{
	char out[LOG_REQUEST_MAX * 4 + 8];
	size_t len, i;

	len = log_escape(out, sizeof(out), s, n);
	if (len >= sizeof(out) || out[len] != '\0')
		__builtin_trap();
	for (i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f)
			__builtin_trap();
}

#endif
