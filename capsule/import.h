/*
 * import.h: `capsule import`: posts from a WordPress export (WXR), an RSS
 * 2.0 or an Atom feed, file or URL, written into the store atomically.
 */
#ifndef IMPORT_H
#define IMPORT_H

#include <stddef.h>

#include "arena.h"
#include "post.h"

#define IMPORT_MAX_SOURCE	(64u * 1024 * 1024)	/* default --max-size */
#define IMPORT_TIMEOUT		30L			/* default --timeout, s */
#define IMPORT_MAX_TITLE	900	/* bytes; a header line holds 1024 */
#define IMPORT_SLUG_MAX		120	/* room for a "-NN" suffix */

/* The sub-command; returns the exit status (0, 1 on any error, 2 usage). */
int	 import_main(int argc, char **argv);

/*
 * A store date (YYYY-MM-DD, as written in the source's own time zone)
 * from an RFC 822 date ("Mon, 23 Sep 2019 10:00:00 +0000"), an ISO 8601
 * one ("2019-09-23T10:00:00Z") or WordPress's ("2019-09-23 10:00:00").
 * Returns 0, or -1 when s is none of them or not a real day.
 */
int	 import_date(const char *s, char out[11]);
/* A slug from a title: lowercase ASCII letters and digits, hyphens. */
void	 import_slugify(const char *title, char *out, size_t outsz);
/*
 * Title text fit for a header and a Gopher menu: every run of control
 * characters (TAB, CR, LF, C0, DEL, C1) made one space, ends trimmed,
 * cut at IMPORT_MAX_TITLE bytes on a character boundary. Returns 0, or
 * 1 when something was replaced, | 2 when it was cut.
 */
int	 import_clean_line(const char *in, char *out, size_t outsz);

/*
 * One run of the command, over its sources. The feed reader (feedread.c)
 * fills in what a source says beside its entries and hands each entry to
 * import_finish(); the rest is import.c's.
 */
struct import_file;
struct picfetch;

struct import {
	const char		*content;
	size_t			 max;
	long			 timeout;
	int			 dry_run;
	int			 drafts;
	int			 force;
	int			 full;		/* --full: not only what changed */
	int			 progress;	/* stderr is a terminal */
	int			 progress_shown;
	int			 store_exists;	/* made at the first write */
	struct import_file	*files;
	size_t			 nfiles, capfiles;
	size_t			*by_slug;	/* hash slots: file index + 1 */
	size_t			*by_source;
	size_t			 nslots;	/* a power of two */
	struct arena		 a;		/* entry strings, per source */
	/* What this source holds beside its entries. */
	const char		*src;		/* as the user named it */
	const char		*base;		/* URL relative links resolve on */
	char			 feed_date[11];
	char			 src_date[11];	/* the file's mtime, or the
						   day it was fetched */
	int			 src_is_url;
	const char		*feed_author;
	const char		*conf_title;	/* capsule.conf to write, once */
	const char		*conf_desc;	/* a post of the source is in */
	const char		*conf_lang;
	int			 settings_now;
	const char		**logins;	/* WXR authors: login, */
	const char		**names;	/* and display name */
	size_t			 nauthors;
	int			 wxr;		/* a WordPress export */
	const char		*site;		/* WXR: the blog's URL */
	const char		**guids;	/* WXR: GUIDs items share, */
	size_t			 nguids;	/* sorted */
	const char		**ids;		/* WXR: post ids items share */
	size_t			 nids;
	/* WXR: attachments by post id, sorted: featured pictures' URLs. */
	struct import_attachment *atts;
	size_t			 natts;
	/* Pictures: --media (1), --no-media (0), else (-1) for URLs only. */
	int			 media;
	int			 media_now;	/* for this source */
	struct picfetch		*pictures;
	/* Counts over all sources. */
	size_t			 added, updated, unchanged, kept, skipped;
	size_t			 refused, errors;
};

/* A WXR attachment: a featured picture's post id, URL and alt text. */
struct import_attachment {
	const char	*id;
	const char	*url;
	const char	*alt;		/* may be NULL */
};

/* One entry of a source, strings in the import's arena. */
struct import_entry {
	size_t		 n;		/* 1-based position in the source */
	const char	*guid;
	const char	*link;
	const char	*title;
	const char	*author;
	const char	*name;		/* WordPress post name */
	char		 date[11];
	const char	*tags[POST_MAX_TAGS];
	size_t		 ntags;
	const char	*html;
	int		 autop;		/* WordPress's stored text */
	int		 plain;		/* text, not HTML */
	const char	*id;		/* WXR: site + "/?p=" + post id (and
					   "&name=" + post name if shared) */
	int		 shared_guid;	/* other items of the export have its GUID */
	const char	*base;		/* xml:base of its content, or NULL */
	int		 undated;	/* date is the file's or the fetch's day */
	/* The featured picture, when the source names one: above the text. */
	const char	*picture;	/* its URL */
	const char	*picture_alt;	/* its alt text or caption, or NULL */
};

/* Messages about the source being read: warnings to stderr, news to stdout. */
void	 import_warn(struct import *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 import_say(struct import *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Says why entry n (what: its kind, "page", "draft"...) is not imported,
 * in its own line on stdout, and counts it skipped.
 */
void	 import_skip(struct import *, size_t n, const char *what,
	    const char *title, const char *why);
/*
 * 1 when an entry's text is behind a WordPress password: in a feed,
 * WordPress sends such a post as "Protected: Title" with its password
 * form for a body. Its text must never be written. Every reader's
 * entries pass here (import_finish).
 */
int	 import_protected(const char *title, const char *html);
/* On a terminal: how many of a source's entries are done. */
void	 import_progress(struct import *, size_t done, size_t total);
/* Checks an entry's title and date, then writes it; says why not. */
void	 import_finish(struct import *, struct import_entry *,
	    const char *title, const char *date);
/* Writes capsule.conf from the feed's own title, when the store has none. */
void	 import_settings(struct import *, const char *title,
	    const char *desc, const char *lang);

#endif
