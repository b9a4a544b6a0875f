/*
 * fetchguard.h: where an import may connect. A redirect from a public
 * URL into loopback, link-local, private or otherwise non-global space
 * (a feed sending capsule to http://127.0.0.1:8080/admin or to a cloud
 * metadata address) is refused before any connection is made, so the
 * error cannot tell an open port from a closed one. A URL that names
 * such an address itself (an intranet import) may go on to others.
 */
#ifndef FETCHGUARD_H
#define FETCHGUARD_H

#include <sys/socket.h>

#include <curl/curl.h>

/* One transfer's guard: set up by fetchguard_setup, read after it. */
struct fetchguard {
	int	 local_ok;	/* the URL's own host is non-global */
	int	 refused;	/* a connection to a non-global address was */
};

/* --allow-private-redirects: every address may be connected to. */
void	 fetchguard_allow_private(int);
/*
 * The URL the user gave (NULL: none, a file): what it leads to (its
 * pictures, its next pages, its API) is judged by its address, not by
 * addresses the feed names, so a public feed cannot name 127.0.0.1.
 */
void	 fetchguard_source(const char *url);
/*
 * Makes handle h refuse, for this transfer of url, to connect to a
 * non-global address unless the source's host (fetchguard_source; with
 * none, url's own) is one, or private addresses are allowed. g must
 * live until the transfer is over.
 */
void	 fetchguard_setup(CURL *, const char *url, struct fetchguard *);
/* 1 when sa is a globally routable unicast address. */
int	 fetchguard_is_global(const struct sockaddr *);

/*
 * Tests only: CAPSULE_TEST_GLOBAL_ADDR names one address (such as
 * 127.0.0.2) that counts as global, so a test on loopback can play a
 * public site that redirects to 127.0.0.1. Nothing else reads it.
 */
#define FETCHGUARD_TEST_ENV	"CAPSULE_TEST_GLOBAL_ADDR"

#endif
