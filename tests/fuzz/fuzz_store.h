/*
 * fuzz_store.h: the snapshot the request harnesses answer from: content/
 * (or $CAPSULE_CONTENT), loaded once per process.
 */
#ifndef FUZZ_STORE_H
#define FUZZ_STORE_H

#include <stdlib.h>

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

#endif
