/* fetchguard_test.c: which addresses an import may be redirected to. */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetchguard.h"
#include "test.h"

static int
global(const char *text)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, text, &s4->sin_addr) == 1)
		s4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &s6->sin6_addr) == 1)
		s6->sin6_family = AF_INET6;
	else
		return -1;
	return fetchguard_is_global((struct sockaddr *)&ss);
}

TEST(fetchguard_only_global_unicast_is_global)
{
	static const char *local[] = { "127.0.0.1", "127.1.2.3", "10.0.0.1",
	    "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
	    "100.64.0.1", "0.0.0.0", "192.0.2.1", "198.18.0.1", "224.0.0.1",
	    "255.255.255.255", "240.0.0.1", "::1", "::", "fe80::1",
	    "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1",
	    "::ffff:127.0.0.1", "::ffff:10.1.2.3", "64:ff9b::a9fe:a9fe",
	    "2002:7f00:1::1", "::127.0.0.1", NULL };
	static const char *pub[] = { "1.1.1.1", "8.8.8.8", "172.32.0.1",
	    "172.15.255.255", "100.128.0.1", "192.169.0.1", "2606:4700::1",
	    "2a00:1450:4001::1", "::ffff:8.8.8.8", "2002:0808:0808::1", NULL };
	size_t i;

	unsetenv(FETCHGUARD_TEST_ENV);
	for (i = 0; local[i] != NULL; i++)
		if (global(local[i]) != 0) {
			printf("    global? %s\n", local[i]);
			CHECK(0);
		}
	for (i = 0; pub[i] != NULL; i++)
		if (global(pub[i]) != 1) {
			printf("    not global? %s\n", pub[i]);
			CHECK(0);
		}
	/* The test hook makes exactly one address count as global. */
	setenv(FETCHGUARD_TEST_ENV, "127.0.0.2", 1);
	CHECK(global("127.0.0.2") == 1 && global("127.0.0.1") == 0);
	unsetenv(FETCHGUARD_TEST_ENV);
	CHECK(global("127.0.0.2") == 0);
}
