/*
 * fuzz_store.h: the snapshot the request harnesses answer from: content/
 * (or $CAPSULE_CONTENT), loaded once per process.
 */
#ifndef FUZZ_STORE_H
#define FUZZ_STORE_H

#include <stdlib.h>

#include "store.h"

static struct store *
fuzz_store(void)
{
	static struct store *st;
	const char *dir;
	struct site site = { "localhost", 1965, 70, 0 };

	if (st == NULL) {
		dir = getenv("CAPSULE_CONTENT");
		if ((st = store_load(dir ? dir : "content", &site, NULL,
		    NULL)) == NULL)
			abort();
	}
	return st;
}

#endif
