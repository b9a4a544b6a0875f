/*
 * wpapi.h: `capsule import` from a live WordPress site through its REST
 * API (/wp-json/wp/v2/), given any public URL of the site: the site, a
 * tag, category or author archive (with or without /page/N/), or the
 * REST root. JSON through json-c.
 */
#ifndef WPAPI_H
#define WPAPI_H

#include <stddef.h>

struct fetch;
struct import;

/* The state file in the store: each archive's newest times seen. */
#define WPAPI_STATE_FILE	".import-wordpress"

/*
 * The REST API root a fetched page names: its Link header (rel
 * "https://api.w.org/"), its <link rel="https://api.w.org/"> element,
 * or the page itself when it is the root's JSON. Returns 0 with api set,
 * or -1 when the page shows no REST API.
 */
int	 wpapi_find(const struct fetch *page, char *api, size_t apisz);

/*
 * Imports every published post of the archive the fetched page is (or
 * the whole site), page by page, handing each to import_finish().
 * Problems are warned about and counted in the import's errors.
 */
void	 wpapi_import(struct import *, const struct fetch *page,
	    const char *api);

/*
 * Pure helpers, for the tests. wpapi_route: the URL of route ("wp/v2/
 * posts") with query ("a=1&b=2", may be "") under api, whether api is
 * pretty ("…/wp-json/") or plain ("…/?rest_route=/"). wpapi_archive:
 * what a page's URL names: 't' a tag, 'c' a category, 'a' an author
 * (slug set), 's' the site (path is home's, or a /page/N/ of it), or 0.
 * wpapi_title: title.rendered as a header's text: markup dropped,
 * entities decoded, spaces kept as they are.
 */
int	 wpapi_route(const char *api, const char *route, const char *query,
	    char *out, size_t outsz);
int	 wpapi_archive(const char *url, const char *home, char *slug,
	    size_t slugsz);
char	*wpapi_title(const char *rendered);

#endif
