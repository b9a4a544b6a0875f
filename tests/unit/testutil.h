/* testutil.h: temporary stores, report capture and rendering for the tests. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stddef.h>

#include "buf.h"
#include "page.h"
#include "snapshot.h"
#include "store.h"

#define TU_MAX_REPORTS	64

/* What store_load reported, one "path:line: message" string each. */
struct tu_reports {
	int	 n;
	int	 lines[TU_MAX_REPORTS];
	char	 text[TU_MAX_REPORTS][640];
};

/* A new empty directory under /tmp (free with tu_rmdir); NULL on error. */
char	*tu_mkdir(void);
/* Removes the files in dir, dir itself, and frees the name. */
void	 tu_rmdir(char *dir);
/* Writes len bytes (strlen when len is (size_t)-1) to dir/name; 0 or -1. */
int	 tu_write(const char *dir, const char *name, const char *data,
	    size_t len);
/*
 * Waits for the file system's clock to pass now: a store scanned after it
 * knows the files written before it unchanged at its next look, not only
 * by reading them again (file_id_read()).
 */
void	 tu_tick(void);
/* Reads a whole file (NUL-terminated, free(3) it); NULL when missing. */
char	*tu_read(const char *path, size_t *len);

/* A store_report_cb that fills a struct tu_reports. */
void	 tu_report(void *, const char *, int, const char *);
/* The first report that contains needle, or NULL. */
const char *tu_reports_find(const struct tu_reports *, const char *needle);

/* Loads dir with host "example.org", ports 1965 and 7070. */
struct store *tu_load(const char *dir, struct tu_reports *);
/* The same, as a snapshot with its search index and page cache. */
struct snapshot *tu_snap(const char *dir, struct tu_reports *);

/* Routes path and renders it uncached into out (reset first); 0 or -1. */
int	 tu_render(const struct store *, enum proto, const char *path,
	    struct buf *out);

/*
 * The text of tests/unit/golden/name ("" when missing), for CHECK_MEM. With
 * CAPSULE_UPDATE_GOLDEN=1 in the environment it first writes got there.
 * The text stays valid until the next call.
 */
const char *tu_golden(const char *name, const char *got, size_t len);

/* Splits s at "\n" and counts the lines; a final line without one counts. */
size_t	 tu_count_lines(const char *s, size_t len);

#endif
