/*
 * store.h: the posts and tags of the store, loaded from its files, with
 * the lookups lists and routes need. It knows nothing of pages or search.
 */
#ifndef STORE_H
#define STORE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "post.h"

/* Last good texts kept in memory for posts edited while served. */
#define STORE_TEXT_BUDGET	(32u * 1024 * 1024)

/* store_update() flags */
#define STORE_KEEP_TEXT		0x1	/* keep re-read texts, within budget */
#define STORE_NO_POSTS		0x4	/* the settings only (a stand-in) */
#define STORE_SETTINGS_FILE	"capsule.conf"
#define STORE_HOSTNAME_MAX	255
#define STORE_MAX_HOSTNAMES	16

struct tag {
	const char	 *name;		/* as written in the posts */
	const char	 *slug;		/* lowercase ASCII and hyphens, unique */
	struct post	**posts;	/* newest first */
	size_t		  nposts;
	size_t		  index;	/* position in store->tags */
	/*
	 * While a store is built, a tag can be one spelling a reader met
	 * (index STORE_TAG_SPELLING): then the store's tag it became.
	 */
	struct tag	 *merged;
};

#define STORE_TAG_SPELLING	((size_t)-1)

/*
 * The date archives: posts are sorted newest first, so a month's posts
 * are one run of store->posts, and a year's months one run of months.
 */
struct store_month {
	unsigned	 year, month;	/* month 1..12 */
	size_t		 first;		/* its newest post in store->posts */
	size_t		 nposts;
	size_t		 index;		/* position in store->months */
};

struct store_year {
	unsigned	 year;
	size_t		 first_month;	/* its newest month in store->months */
	size_t		 nmonths;
	size_t		 nposts;
	size_t		 index;		/* position in store->years */
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

/* A string-keyed open-addressing table, sized once, in the arena. */
struct store_map {
	struct store_map_entry {
		const char	*key;
		void		*val;
	}			*e;
	size_t			 mask;		/* 0: no table (linear scans) */
	size_t			 n;		/* keys in it */
};

/*
 * Posts' strings (and kept texts), shared by the stores that hold those
 * posts: an update copies only the small post structures of unchanged
 * posts, so memory during an update stays close to one store's.
 */
struct store_pool {
	atomic_int		 refs;
	struct arena		 arena;
	void			*map;		/* or a mapped saved index */
	size_t			 maplen;
};

#define STORE_MAX_POOLS		16	/* more: the next store copies all */

/* A file that did not load, remembered so an unchanged one is not re-read. */
struct store_bad {
	const char		*name;		/* "x.txt" */
	struct file_id		 id;
	int			 line;
	const char		*msg;
};

struct store {
	struct arena		  arena;	/* this store's own structures */
	struct store_pool	 *pool;		/* strings of posts read for it */
	struct store_pool	**pools;	/* every pool its posts use */
	size_t			  npools;
	const char		 *dir;
	struct settings		  settings;
	struct site		  site;
	struct post		**posts;	/* newest first */
	size_t			  nposts;
	struct tag		**tags;		/* sorted by name, case-folded */
	size_t			  ntags;
	struct tag		**tags_by_slug;	/* sorted by slug */
	struct store_map	  post_map;	/* slug -> post */
	/*
	 * Or, in a store loaded from the saved index, its table: post
	 * number + 1 by slug hash (0: empty), mask + 1 slots, in the file.
	 */
	const uint32_t		 *slots;
	size_t			  slot_mask;
	struct store_map	  tag_map;	/* slug -> tag */
	struct store_bad	**bad;		/* files that did not load */
	size_t			  nbad;
	struct store_map	  bad_map;	/* name -> bad */
	const char		**problems;	/* "path:line: message", sorted */
	size_t			  nproblem_texts;
	int			  nproblems;	/* every problem reported */
	size_t			  text_bytes;	/* bodies kept in memory */
	size_t			  nread;	/* files read by this build */
	struct store_month	 *months;	/* newest first */
	size_t			  nmonths;
	struct store_year	 *years;	/* newest first */
	size_t			  nyears;
};

/* A post's text, read from its file when it is rendered. */
struct post_text {
	const char		 *body;
	size_t			  body_len;
	const char		**images;
	size_t			  nimages;
	struct arena		  arena;	/* owns what was read */
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
/*
 * The next store after prev: a file whose identity (device, inode, size,
 * mtime) has not changed is taken from prev without reading it. names
 * (n of them, "x.txt") are the files known to have changed: only those
 * are looked at; names NULL means look at every file. A post whose file
 * turned bad keeps its version from prev (reported, and counted). Only
 * problems prev did not have are reported; every one is counted. prev
 * may be NULL (store_load()).
 */
struct store	*store_update(const struct store *prev, const char *dir,
		    const struct site *, const char *const *names, size_t n,
		    int flags, store_report_cb, void *);
void		 store_free(struct store *);
/* A new pool for st's strings, added to its pools; 0 or -1. */
int		 store_pool_new(struct store *);
/*
 * Sorts the posts of a store made by hand and builds its slug table; -1
 * when out of memory or when two posts share a slug.
 */
int		 store_index_posts(struct store *);
/*
 * Builds the tags of such a store (problems are not reported); 0 or -1.
 * A store that has its tags already (the saved index's) keeps them.
 */
int		 store_link_tags(struct store *);
/*
 * The saved index's store, whose posts come sorted and tags linked: its
 * tag table and date archives; 0 or -1 (out of memory).
 */
int		 store_index_saved(struct store *);
/*
 * Fills slots (n of them, a power of two above twice the posts) with
 * st's slug table as store_find_post() reads it from st->slots.
 */
void		 store_post_slots(const struct store *, uint32_t *slots,
		    size_t n);
/*
 * Reads the settings file of dir into st and sets its site, as
 * store_update() does, for a store made otherwise (the saved index's);
 * problems are reported. 0, or -1 when out of memory.
 */
int		 store_settle(struct store *, const char *dir,
		    const struct site *, store_report_cb, void *);

/*
 * The body and images of p, read from its file (or the last good text
 * kept in memory). -1 when it cannot be read or no longer parses: out
 * then holds a notice saying so, which a page may show. Either way the
 * caller frees out with store_post_text_free().
 */
int		 store_post_text(const struct store *, const struct post *,
		    struct post_text *out);
/*
 * The file p was read from, "<dir>/<slug>.txt", written into out: built
 * when needed rather than kept per post (about 90 bytes a post). out, or
 * NULL when st has no directory (a store made by hand) or it does not fit.
 */
const char	*store_post_path(const struct store *, const struct post *,
		    char *out, size_t outsz);
void		 store_post_text_free(struct post_text *);

struct post	*store_find_post(const struct store *, const char *slug);
struct tag	*store_find_tag(const struct store *, const char *slug);
/* The archive of a year, or of one of its months; NULL when it has no posts. */
const struct store_year *store_find_year(const struct store *, unsigned);
const struct store_month *store_find_month(const struct store *, unsigned,
		    unsigned);
/* Writes the slug of a tag name into out: lowercase ASCII and hyphens. */
void		 store_tag_slug(const char *name, char *out, size_t outsz);
/* Previous (newer) and next (older) post, or NULL. */
const struct post *store_newer(const struct store *, const struct post *);
const struct post *store_older(const struct store *, const struct post *);

#endif
