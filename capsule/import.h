/*
 * import.h: `capsule import`: posts from a WordPress export (WXR), an RSS
 * 2.0 or an Atom feed, file or URL, written into the store atomically.
 */
#ifndef IMPORT_H
#define IMPORT_H

#include <stddef.h>

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

#endif
