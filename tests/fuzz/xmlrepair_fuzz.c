/*
 * xmlrepair_fuzz.c: libFuzzer target for the mending of a feed's bytes
 * before the strict parse (xmlrepair.c): feeds come from anyone. Whatever
 * the input, a feed read as UTF-8 comes out valid UTF-8 with no control
 * character XML forbids, and mending it again changes nothing (every &
 * it leaves begins a reference, every byte is a character). `make fuzz
 * FUZZERS=xmlrepair` runs it over tests/fuzz/corpus/xmlrepair.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"
#include "xmlrepair.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xmlrepair r, again;
	const char *out;
	size_t len, i;

	if (xmlrepair((const char *)data, size, &r) == -1)
		return 0;
	out = r.data ? r.data : (const char *)data;
	len = r.data ? r.len : size;
	/* UTF-16 and the like, and Latin-1 (its declaration says so still). */
	if (r.encoding != NULL || r.wide || (r.declared[0] != '\0' &&
	    strcasecmp(r.declared, "utf-8") != 0 &&
	    strcasecmp(r.declared, "utf8") != 0)) {
		xmlrepair_free(&r);
		return 0;
	}
	if (!utf8_valid(out, len))
		__builtin_trap();
	for (i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 && out[i] != '\t' &&
		    out[i] != '\n' && out[i] != '\r')
			__builtin_trap();
	if (xmlrepair(out, len, &again) == -1) {
		xmlrepair_free(&r);
		return 0;
	}
	if (again.data != NULL)
		__builtin_trap();	/* a second pass found more to mend */
	xmlrepair_free(&r);
	return 0;
}
