/* proxy_test.c: the PROXY protocol header parser and --proxy-from nets. */
#include <netinet/in.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "proxy.h"
#include "test.h"

static const char *
src_text(const struct proxy_info *i, char *out, size_t outsz)
{
	const void *a = i->src.ss_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)&i->src)->sin6_addr :
	    (const void *)&((const struct sockaddr_in *)&i->src)->sin_addr;

	return inet_ntop(i->src.ss_family, a, out, (socklen_t)outsz);
}

TEST(proxy_v1_lines)
{
	struct proxy_info i;
	size_t used;
	char a[64];
	const char *ok4 = "PROXY TCP4 192.0.2.7 127.0.0.1 51234 1965\r\nGET";
	const char *ok6 = "PROXY TCP6 2001:db8::1 ::1 1 70\r\n";

	CHECK(proxy_parse((const unsigned char *)ok4, strlen(ok4), &used,
	    &i) == PROXY_OK);
	CHECK(used == strlen(ok4) - 3);
	CHECK(!i.local);
	CHECK_STR(src_text(&i, a, sizeof(a)), "192.0.2.7");
	CHECK(ntohs(((struct sockaddr_in *)&i.src)->sin_port) == 51234);
	CHECK(proxy_parse((const unsigned char *)ok6, strlen(ok6), &used,
	    &i) == PROXY_OK);
	CHECK_STR(src_text(&i, a, sizeof(a)), "2001:db8::1");
	CHECK(proxy_parse((const unsigned char *)"PROXY UNKNOWN\r\n", 15,
	    &used, &i) == PROXY_OK && i.local && used == 15);
	CHECK(proxy_parse((const unsigned char *)"PROXY TCP4 1.2.3.4", 18,
	    &used, &i) == PROXY_MORE);
	CHECK(proxy_parse((const unsigned char *)"PRO", 3, &used, &i) ==
	    PROXY_MORE);
#define BAD(s) (proxy_parse((const unsigned char *)(s), strlen(s), &used, \
	&i) == PROXY_BAD)
	CHECK(BAD("GET / HTTP/1.0\r\n"));
	CHECK(BAD("gemini://x/\r\n"));
	CHECK(BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n"));
	CHECK(BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n"));
	CHECK(BAD("PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n"));
	CHECK(BAD("PROXY TCP4 ::1 5.6.7.8 1 2\r\n"));
	CHECK(BAD("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n"));
	CHECK(BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n"));
	CHECK(BAD("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n"));
	CHECK(BAD("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n"));
}

TEST(proxy_v2_headers)
{
	unsigned char h[64] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a,
	    0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c,
	    192, 0, 2, 9, 127, 0, 0, 1, 0x1f, 0x90, 0x07, 0xad };
	struct proxy_info i;
	size_t used, k;
	char a[64];

	CHECK(proxy_parse(h, 28, &used, &i) == PROXY_OK && used == 28);
	CHECK_STR(src_text(&i, a, sizeof(a)), "192.0.2.9");
	CHECK(ntohs(((struct sockaddr_in *)&i.src)->sin_port) == 8080);
	for (k = 0; k < 28; k++)
		CHECK(proxy_parse(h, k, &used, &i) == PROXY_MORE);
	h[12] = 0x20;		/* LOCAL */
	CHECK(proxy_parse(h, 28, &used, &i) == PROXY_OK && i.local);
	h[12] = 0x22;		/* no such command */
	CHECK(proxy_parse(h, 28, &used, &i) == PROXY_BAD);
	h[12] = 0x11;		/* version 1 in a v2 header */
	CHECK(proxy_parse(h, 28, &used, &i) == PROXY_BAD);
	h[12] = 0x21;
	h[15] = 0x04;		/* too short for two IPv4 addresses */
	CHECK(proxy_parse(h, 28, &used, &i) == PROXY_BAD);
	h[14] = 0xff;		/* longer than a header may be */
	CHECK(proxy_parse(h, 28, &used, &i) == PROXY_BAD);
}

TEST(proxy_nets)
{
	struct proxy_net n[2];
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };

	CHECK(proxy_net_parse("127.0.0.0/8", &n[0]) == 0);
	CHECK(proxy_net_parse("::1", &n[1]) == 0 && n[1].bits == 128);
	CHECK(proxy_net_parse("10.0.0.0/33", &n[0]) == -1);
	CHECK(proxy_net_parse("host.example", &n[0]) == -1);
	CHECK(proxy_net_parse("127.0.0.0/8", &n[0]) == 0);
	inet_pton(AF_INET, "127.9.9.9", &s4.sin_addr);
	CHECK(proxy_net_match(n, 2, (struct sockaddr *)&s4));
	inet_pton(AF_INET, "128.0.0.1", &s4.sin_addr);
	CHECK(!proxy_net_match(n, 2, (struct sockaddr *)&s4));
	inet_pton(AF_INET6, "::1", &s6.sin6_addr);
	CHECK(proxy_net_match(n, 2, (struct sockaddr *)&s6));
	inet_pton(AF_INET6, "::2", &s6.sin6_addr);
	CHECK(!proxy_net_match(n, 2, (struct sockaddr *)&s6));
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &s6.sin6_addr);
	CHECK(proxy_net_match(n, 2, (struct sockaddr *)&s6));
}
