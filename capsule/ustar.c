/*
 * ustar.c: the POSIX.1-1988 "ustar" tar format, enough for an export:
 * regular files and directories, owned by root, with fixed modes, so the
 * same export gives the same archive.
 */
#include <stdio.h>
#include <string.h>

#include "ustar.h"

#define USTAR_NAME	100
#define USTAR_PREFIX	155
#define USTAR_PATH_MAX	4096	/* longer paths are refused */

struct ustar_header {
	char	 name[100];
	char	 mode[8];
	char	 uid[8];
	char	 gid[8];
	char	 size[12];
	char	 mtime[12];
	char	 chksum[8];
	char	 typeflag;
	char	 linkname[100];
	char	 magic[6];
	char	 version[2];
	char	 uname[32];
	char	 gname[32];
	char	 devmajor[8];
	char	 devminor[8];
	char	 prefix[155];
	char	 pad[12];
};

_Static_assert(sizeof(struct ustar_header) == USTAR_BLOCK,
    "a ustar header is one block");

void
ustar_init(struct ustar *t, FILE *f)
{
	t->f = f;
	t->written = 0;
	t->err = 0;
}

static void
ustar_write(struct ustar *t, const void *p, size_t n)
{
	if (t->err)
		return;
	if (n > 0 && fwrite(p, 1, n, t->f) != n)
		t->err = 1;
	t->written += (off_t)n;
}

/* Zero bytes up to the next block. */
static void
ustar_pad(struct ustar *t)
{
	static const char zero[USTAR_BLOCK];
	size_t r = (size_t)(t->written % USTAR_BLOCK);

	if (r != 0)
		ustar_write(t, zero, USTAR_BLOCK - r);
}

/* An octal field of width w: w - 1 digits, zero-padded, then a NUL. */
static void
ustar_octal(char *field, size_t w, unsigned long long v)
{
	size_t i = w - 1;

	field[i] = '\0';
	while (i-- > 0) {
		field[i] = (char)('0' + (v & 7));
		v >>= 3;
	}
}

/* Splits path into prefix and name at a '/'; -1 when it cannot fit. */
static int
ustar_split(struct ustar_header *h, const char *path)
{
	size_t len = strlen(path), i;

	if (len <= USTAR_NAME) {
		memcpy(h->name, path, len);
		return 0;
	}
	for (i = len - 1; i > 0; i--) {
		if (path[i] != '/')
			continue;
		if (len - i - 1 > USTAR_NAME || len - i - 1 == 0)
			return -1;
		if (i <= USTAR_PREFIX) {
			memcpy(h->prefix, path, i);
			memcpy(h->name, path + i + 1, len - i - 1);
			return 0;
		}
	}
	return -1;
}

static void
ustar_fill(struct ustar_header *h, char type, unsigned mode,
    unsigned long long size, long long mtime)
{
	const unsigned char *u = (const unsigned char *)h;
	unsigned sum = 0;
	size_t i;

	ustar_octal(h->mode, sizeof(h->mode), mode);
	ustar_octal(h->uid, sizeof(h->uid), 0);
	ustar_octal(h->gid, sizeof(h->gid), 0);
	ustar_octal(h->size, sizeof(h->size), size);
	ustar_octal(h->mtime, sizeof(h->mtime),
	    mtime > 0 ? (unsigned long long)mtime : 0);
	h->typeflag = type;
	memcpy(h->magic, "ustar", 6);	/* with its NUL */
	memcpy(h->version, "00", 2);
	memcpy(h->uname, "root", 4);
	memcpy(h->gname, "root", 4);
	/* The checksum is summed with its own field read as spaces. */
	memset(h->chksum, ' ', sizeof(h->chksum));
	for (i = 0; i < sizeof(*h); i++)
		sum += u[i];
	ustar_octal(h->chksum, 7, sum);
	h->chksum[7] = ' ';
}

/*
 * A path too long for the name and prefix fields goes in a pax extended
 * header (POSIX.1-2001) before the entry, which every current tar reads;
 * the entry's own name keeps the path's tail.
 */
static void
ustar_pax_path(struct ustar *t, struct ustar_header *h, const char *path)
{
	struct ustar_header x;
	char rec[USTAR_PATH_MAX + 32];
	size_t len = strlen(path), body = len + 7, n = body, digits;
	int r;

	/* The record counts its own length digits: "<n> path=<p>\n". */
	do {
		digits = (size_t)snprintf(NULL, 0, "%zu", n);
		n = body + digits;
	} while ((size_t)snprintf(NULL, 0, "%zu", n) != digits);
	r = snprintf(rec, sizeof(rec), "%zu path=%s\n", n, path);
	memset(&x, 0, sizeof(x));
	memcpy(x.name, "PaxHeader", 9);
	ustar_fill(&x, 'x', 0644, (unsigned long long)r, 0);
	ustar_write(t, &x, sizeof(x));
	ustar_write(t, rec, (size_t)r);
	ustar_pad(t);
	memcpy(h->name, path + len - USTAR_NAME, USTAR_NAME);
}

static int
ustar_header(struct ustar *t, const char *path, char type, unsigned mode,
    unsigned long long size, long long mtime, const char **errstr)
{
	struct ustar_header h;

	memset(&h, 0, sizeof(h));
	if (strlen(path) > USTAR_PATH_MAX) {
		*errstr = "path too long";
		return -1;
	}
	if (ustar_split(&h, path) == -1) {
		memset(&h, 0, sizeof(h));
		ustar_pax_path(t, &h, path);
	}
	ustar_fill(&h, type, mode, size, mtime);
	ustar_write(t, &h, sizeof(h));
	if (t->err) {
		*errstr = "write error";
		return -1;
	}
	return 0;
}

int
ustar_dir(struct ustar *t, const char *path, long long mtime,
    const char **errstr)
{
	char p[USTAR_PATH_MAX + 2];
	int n;

	n = snprintf(p, sizeof(p), "%s/", path);
	if (n < 0 || (size_t)n >= sizeof(p)) {
		*errstr = "path too long";
		return -1;
	}
	return ustar_header(t, p, '5', 0755, 0, mtime, errstr);
}

int
ustar_file(struct ustar *t, const char *path, const void *data, size_t len,
    long long mtime, const char **errstr)
{
	if (ustar_header(t, path, '0', 0644, len, mtime, errstr) == -1)
		return -1;
	ustar_write(t, data, len);
	ustar_pad(t);
	if (t->err) {
		*errstr = "write error";
		return -1;
	}
	return 0;
}

int
ustar_finish(struct ustar *t)
{
	static const char zero[USTAR_BLOCK];
	size_t r;

	ustar_write(t, zero, sizeof(zero));
	ustar_write(t, zero, sizeof(zero));
	if ((r = (size_t)(t->written % USTAR_RECORD)) != 0) {
		while (r < USTAR_RECORD) {
			ustar_write(t, zero, sizeof(zero));
			r += USTAR_BLOCK;
		}
	}
	return t->err ? -1 : 0;
}
