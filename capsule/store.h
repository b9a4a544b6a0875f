/*
 * store.h: the posts and tags of the store, loaded from its files, with
 * the lookups lists and routes need. It knows nothing of pages or search.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>

#include "arena.h"
#include "post.h"

#define STORE_MAX_POSTS		100000
#define STORE_SETTINGS_FILE	"capsule.conf"
#define STORE_HOSTNAME_MAX	255
#define STORE_MAX_HOSTNAMES	16

struct tag {
	const char	 *name;		/* as written in the posts */
	const char	 *slug;		/* lowercase ASCII and hyphens, unique */
	struct post	**posts;	/* newest first */
	size_t		  nposts;
	size_t		  index;	/* position in store->tags */
};

/* What the renderers need to know of where they are served from. */
struct site {
	const char	*host;		/* written into Gopher menus and feeds */
	int		 gemini_port;
	int		 gopher_port;
	int		 static_links;	/* export: links fit a static file host */
};

/* The capsule's own settings, from content/capsule.conf. */
struct settings {
	const char	*title;
	const char	*description;
	const char	*lang;
	const char	*author;
	const char	*hostnames[STORE_MAX_HOSTNAMES];
	size_t		 nhostnames;
};

struct store {
	struct arena		  arena;
	const char		 *dir;
	struct settings		  settings;
	struct site		  site;
	struct post		**posts;	/* newest first */
	size_t			  nposts;
	struct post		**by_slug;	/* sorted by slug, for lookups */
	struct tag		**tags;		/* sorted by name, case-folded */
	size_t			  ntags;
	struct tag		**tags_by_slug;
	int			  nproblems;	/* files skipped while loading */
};

/* Called once for each problem found while loading: path, line, message. */
typedef void (*store_report_cb)(void *, const char *, int, const char *);

/*
 * Loads every "*.txt" post in dir and the settings file. A bad file is
 * reported and skipped; NULL only when dir cannot be read at all (with
 * the reason reported). site may be NULL; its host defaults to the first
 * settings host name. The caller frees it with store_free().
 */
struct store	*store_load(const char *dir, const struct site *,
		    store_report_cb, void *);
void		 store_free(struct store *);

struct post	*store_find_post(const struct store *, const char *slug);
struct tag	*store_find_tag(const struct store *, const char *slug);
/* Writes the slug of a tag name into out: lowercase ASCII and hyphens. */
void		 store_tag_slug(const char *name, char *out, size_t outsz);
/* Previous (newer) and next (older) post, or NULL. */
const struct post *store_newer(const struct store *, const struct post *);
const struct post *store_older(const struct store *, const struct post *);

#endif
