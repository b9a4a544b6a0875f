/* router.h: one path scheme for both protocols, path -> resource. */
#ifndef ROUTER_H
#define ROUTER_H

#include <stddef.h>

#include "store.h"
#include "url.h"

#define ROUTER_PAGE_SIZE	50	/* posts on one tag or search page */
#define ROUTER_POSTS_PAGE	100	/* posts on one page of /posts/ */
#define ROUTER_TAGS_PAGE	1000	/* tags on one page of /tags/ */
#define ROUTER_HOME_RECENT	10	/* recent posts on the home page */
#define ROUTER_HOME_TAGS	30	/* most used tags on the home page */
#define ROUTER_HOME_YEARS	30	/* newest years on the home page */

enum route_kind {
	ROUTE_HOME,		/* / */
	ROUTE_TAGS,		/* /tags/ and /tags/page/<n>/ */
	ROUTE_TAG,		/* /tag/<slug>/ and /tag/<slug>/page/<n>/ */
	ROUTE_POSTS,		/* /posts/ and /posts/page/<n>/ */
	ROUTE_POST,		/* /posts/<slug> */
	ROUTE_ROBOTS,		/* /robots.txt */
	ROUTE_ATOM,		/* /atom.xml */
	ROUTE_TAG_ATOM,		/* /tag/<slug>/atom.xml */
	ROUTE_SEARCH,		/* /search */
	ROUTE_YEAR,		/* /posts/<yyyy>/: its months */
	ROUTE_MONTH,		/* /posts/<yyyy>/<mm>/ and .../page/<n>/ */
	ROUTE_MEDIA,		/* /media/<path>: a picture, sent from its file */
	ROUTE_PICTURES,		/* /pictures/<slug>/: a post's pictures (menu) */
	ROUTE_REDIRECT,		/* a menu path without its trailing slash */
	ROUTE_NOT_FOUND,
	ROUTE_BAD,		/* the path itself is malformed or escapes */
};
#define ROUTE_KINDS	(ROUTE_BAD + 1)

struct route {
	enum route_kind		 kind;
	const struct post	*post;
	const struct tag	*tag;
	const struct store_year	*year;		/* ROUTE_YEAR */
	const struct store_month *month;	/* ROUTE_MONTH */
	unsigned		 page;		/* 1-based: tag, tags, posts,
						   month, search */
	const char		*error;		/* for ROUTE_BAD */
	char			 target[URL_PATH_MAX + 2]; /* ROUTE_REDIRECT;
						   ROUTE_MEDIA: the path
						   under media/ */
};

struct buf;

/*
 * A renderer's page for one kind of route: gemtext.c and gophermap.c
 * each give a table of them, indexed by route kind, that page.c reads.
 */
typedef void (*route_page_fn)(const struct store *, const struct route *,
    struct buf *);

/* Maps a raw (still percent-encoded) path to a route. Never fails. */
void	 router_match(const struct store *, const char *, size_t,
	    struct route *);

/* Canonical paths of resources, as links write them (static aware). */
int	 router_post_path(const struct store *, const struct post *,
	    char *, size_t);
int	 router_tag_path(const struct store *, const struct tag *, unsigned,
	    char *, size_t);
/* Paths of page n of /posts/ and /tags/ ("/posts/" for page 1). */
int	 router_posts_path(unsigned, char *, size_t);
int	 router_tags_path(unsigned, char *, size_t);
/* Paths of a year's archive, and of page n of a month's. */
int	 router_year_path(unsigned, char *, size_t);
int	 router_month_path(const struct store_month *, unsigned, char *,
	    size_t);
/* "January".."December" for 1..12. */
const char *router_month_name(unsigned);
/* Pages a tag's post list, /posts/ and /tags/ take (at least 1). */
unsigned router_tag_pages(const struct tag *);
unsigned router_month_pages(const struct store_month *);
unsigned router_posts_pages(const struct store *);
unsigned router_tags_pages(const struct store *);
/*
 * The home page's tags: the max most used (ties to the older name
 * order), into out in name order. Returns how many.
 */
size_t	 router_home_tags(const struct store *, const struct tag **,
	    size_t);

#endif
