/*
 * fetchguard.c: the addresses an import may reach. libcurl asks us for
 * every socket it opens (CURLOPT_OPENSOCKETFUNCTION), with the address
 * it is about to connect to, after its own name resolution: so a name
 * that resolves to a private address, or that changes between lookups,
 * is caught too. The URL's own host is classified first, by getaddrinfo
 * for a name: an intranet URL may be imported as before.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "fetchguard.h"

static int	fetchguard_private_ok;	/* --allow-private-redirects */
static int	fetchguard_source_local = -1;	/* -1: each URL alone */

void
fetchguard_allow_private(int yes)
{
	fetchguard_private_ok = yes;
}

/* 1 when the IPv4 address (network order bytes) is global unicast. */
static int
fetchguard_v4_global(const unsigned char *a)
{
	uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 |
	    (uint32_t)a[2] << 8 | a[3];
	static const struct {
		uint32_t net;
		int	 bits;
	} special[] = {
		{ 0x00000000, 8 },	/* "this network" */
		{ 0x0a000000, 8 },	/* private */
		{ 0x64400000, 10 },	/* carrier-grade NAT */
		{ 0x7f000000, 8 },	/* loopback */
		{ 0xa9fe0000, 16 },	/* link-local, cloud metadata */
		{ 0xac100000, 12 },	/* private */
		{ 0xc0000000, 24 },	/* IETF protocol assignments */
		{ 0xc0000200, 24 },	/* documentation */
		{ 0xc0586300, 24 },	/* 6to4 relay anycast */
		{ 0xc0a80000, 16 },	/* private */
		{ 0xc6120000, 15 },	/* benchmarking */
		{ 0xc6336400, 24 },	/* documentation */
		{ 0xcb007100, 24 },	/* documentation */
		{ 0xe0000000, 4 },	/* multicast */
		{ 0xf0000000, 4 },	/* reserved, broadcast */
	};
	size_t i;

	for (i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		if ((v >> (32 - special[i].bits)) ==
		    (special[i].net >> (32 - special[i].bits)))
			return 0;
	return 1;
}

/* The test hook: the one address that plays a public site, or none. */
static int
fetchguard_test_global(const struct sockaddr *sa)
{
	const char *t = getenv(FETCHGUARD_TEST_ENV);
	unsigned char a[16];

	if (t == NULL || *t == '\0')
		return 0;
	if (sa->sa_family == AF_INET && inet_pton(AF_INET, t, a) == 1)
		return memcmp(a, &((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr, 4) == 0;
	if (sa->sa_family == AF_INET6 && inet_pton(AF_INET6, t, a) == 1)
		return memcmp(a, &((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr, 16) == 0;
	return 0;
}

int
fetchguard_is_global(const struct sockaddr *sa)
{
	const unsigned char *a;

	if (fetchguard_test_global(sa))
		return 1;
	if (sa->sa_family == AF_INET)
		return fetchguard_v4_global((const unsigned char *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr);
	if (sa->sa_family != AF_INET6)
		return 0;
	a = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	/* IPv4-mapped, and NAT64's well-known prefix: the IPv4 inside. */
	if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0 ||
	    memcmp(a, "\0\x64\xff\x9b\0\0\0\0\0\0\0\0", 12) == 0)
		return fetchguard_v4_global(a + 12);
	/* Global unicast is 2000::/3, less documentation and ORCHID. */
	if ((a[0] & 0xe0) != 0x20)
		return 0;
	if (memcmp(a, "\x20\x01\x0d\xb8", 4) == 0)	/* 2001:db8::/32 */
		return 0;
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x00 &&
	    (a[3] & 0xf0) == 0x10)			/* 2001:10::/28 */
		return 0;
	/* 6to4 (2002::/16) carries an IPv4 address: judge that one. */
	if (a[0] == 0x20 && a[1] == 0x02)
		return fetchguard_v4_global(a + 2);
	return 1;
}

/* 1 when url's host is a non-global address or resolves only to some. */
static int
fetchguard_url_local(const char *url)
{
	struct addrinfo hints, *res = NULL, *ai;
	CURLU *u;
	char *host = NULL;
	size_t n;
	int local = 0;

	if ((u = curl_url()) == NULL)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return 0;
	}
	/* "[::1]": the brackets are the URL's, not the address's. */
	n = strlen(host);
	if (n > 2 && host[0] == '[' && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) == 0) {
		local = 1;
		for (ai = res; ai != NULL; ai = ai->ai_next)
			if (fetchguard_is_global(ai->ai_addr))
				local = 0;
		freeaddrinfo(res);
	}
	curl_free(host);
	curl_url_cleanup(u);
	return local;
}

static curl_socket_t
fetchguard_on_socket(void *arg, curlsocktype purpose,
    struct curl_sockaddr *a)
{
	struct fetchguard *g = arg;

	(void)purpose;
	if (!fetchguard_private_ok && !g->local_ok &&
	    !fetchguard_is_global(&a->addr)) {
		/* Refused before connecting: no port is told from another. */
		g->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

void
fetchguard_source(const char *url)
{
	fetchguard_source_local = url != NULL ? fetchguard_url_local(url) : -1;
}

void
fetchguard_setup(CURL *h, const char *url, struct fetchguard *g)
{
	memset(g, 0, sizeof(*g));
	g->local_ok = !fetchguard_private_ok && (fetchguard_source_local >= 0 ?
	    fetchguard_source_local : fetchguard_url_local(url));
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, fetchguard_on_socket);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, g);
}
