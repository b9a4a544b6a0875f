/*
 * media.c: the picture store under content/media/. A picture keeps the
 * name its site gave it (WordPress's upload path, 2019/09/photo.jpg), so
 * a re-run and a reader find it at the same place; names are made safe
 * here once, and media_valid_path() lets through only names made so.
 * Its type is what its bytes say, never what a server claimed.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "file.h"
#include "media.h"

#define MEDIA_FS_PATH		4096
#define MEDIA_INDEX_MAX		(256u * 1024 * 1024)	/* bytes of .index */
#define MEDIA_INDEX_HEAD	"capsule-media-index 1\n"
#define MEDIA_HASH_HEX		8

enum media_type
media_type(const void *p, size_t n)
{
	const unsigned char *b = p;

	if (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return MEDIA_JPEG;
	if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
		return MEDIA_PNG;
	if (n >= 6 && (memcmp(b, "GIF87a", 6) == 0 ||
	    memcmp(b, "GIF89a", 6) == 0))
		return MEDIA_GIF;
	if (n >= 12 && memcmp(b, "RIFF", 4) == 0 &&
	    memcmp(b + 8, "WEBP", 4) == 0)
		return MEDIA_WEBP;
	return MEDIA_NONE;
}

const char *
media_mime(enum media_type t)
{
	switch (t) {
	case MEDIA_JPEG:
		return "image/jpeg";
	case MEDIA_PNG:
		return "image/png";
	case MEDIA_GIF:
		return "image/gif";
	case MEDIA_WEBP:
		return "image/webp";
	default:
		return "application/octet-stream";
	}
}

char
media_gopher_type(enum media_type t)
{
	return t == MEDIA_GIF ? 'g' : 'I';
}

/* The extensions each type is known by; the first is the one we write. */
static const char *const media_exts[][4] = {
	[MEDIA_NONE] = { NULL },
	[MEDIA_JPEG] = { "jpg", "jpeg", "jpe", NULL },
	[MEDIA_PNG] = { "png", NULL },
	[MEDIA_GIF] = { "gif", NULL },
	[MEDIA_WEBP] = { "webp", NULL },
};

enum media_type
media_type_of_name(const char *s, size_t n)
{
	const char *dot = NULL, *p;
	size_t el, t, k;

	for (p = s; p < s + n; p++)
		if (*p == '.')
			dot = p;
		else if (*p == '/')
			dot = NULL;
	if (dot == NULL)
		return MEDIA_NONE;
	el = s + n - dot - 1;
	for (t = MEDIA_JPEG; t <= MEDIA_WEBP; t++)
		for (k = 0; media_exts[t][k] != NULL; k++)
			if (strlen(media_exts[t][k]) == el &&
			    strncasecmp(dot + 1, media_exts[t][k], el) == 0)
				return (enum media_type)t;
	return MEDIA_NONE;
}

static uint64_t
media_fnv(const char *s, size_t n, uint64_t h)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int
media_safe_char(unsigned char c)
{
	return isalnum(c) || c == '.' || c == '_' || c == '-';
}

static int
media_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int
media_name(const char *url, enum media_type type, unsigned salt, char *out,
    size_t outsz)
{
	const char *host, *hend, *path, *pend, *src, *at, *s, *seg, *dot;
	char segs[MEDIA_DEPTH_MAX][MEDIA_SEGMENT_MAX + 1];
	char hostbuf[256], dec[MEDIA_FS_PATH], hash[MEDIA_HASH_HEX + 2];
	size_t nseg = 0, dl = 0, i, l, k, total;
	int changed = 0, hi, lo, keep;
	uint64_t h;

	if ((host = strstr(url, "://")) == NULL)
		return -1;
	host += 3;
	hend = host + strcspn(host, "/?#");
	if ((at = memchr(host, '@', hend - host)) != NULL)
		host = at + 1;	/* no userinfo in a name */
	for (i = 0, s = host; s < hend && *s != ':' && i + 1 < sizeof(hostbuf);
	    s++)
		hostbuf[i++] = (char)tolower((unsigned char)*s);
	hostbuf[i] = '\0';
	if (i == 0)
		return -1;
	path = hend;
	pend = path + strcspn(path, "?#");
	/* WordPress's upload path, on the site or a CDN in front of it. */
	for (src = path; src < pend; src++)
		if ((size_t)(pend - src) > 20 &&
		    memcmp(src, "/wp-content/uploads/", 20) == 0)
			break;
	if (src < pend)
		src += 20;
	else if (i > 20 && strcmp(hostbuf + i - 20, ".files.wordpress.com") == 0)
		src = path;
	else
		src = NULL;
	if (src == NULL) {
		dl = (size_t)snprintf(dec, sizeof(dec), "%s/", hostbuf);
		src = path;
	}
	/* Percent-decoded, so a name is what the site's file was called. */
	for (s = src; s < pend && dl + 1 < sizeof(dec); s++) {
		if (*s == '%' && pend - s > 2 && (hi = media_hex(s[1])) >= 0 &&
		    (lo = media_hex(s[2])) >= 0) {
			dec[dl++] = (char)(hi * 16 + lo);
			s += 2;
		} else
			dec[dl++] = *s;
	}
	dec[dl] = '\0';
	for (s = dec; *s != '\0'; s += *s == '/') {
		seg = s;
		s += strcspn(s, "/");
		if (s == seg)
			continue;
		if (nseg == MEDIA_DEPTH_MAX) {
			/* Too deep: the innermost directories go. */
			memmove(segs[MEDIA_DEPTH_MAX - 2],
			    segs[MEDIA_DEPTH_MAX - 1], sizeof(segs[0]));
			nseg--;
			changed = 1;
		}
		for (l = 0; seg < s && l < MEDIA_SEGMENT_MAX; seg++, l++) {
			keep = media_safe_char((unsigned char)*seg);
			segs[nseg][l] = keep ? *seg : '-';
			changed |= !keep;
		}
		changed |= seg < s;	/* cut */
		segs[nseg][l] = '\0';
		if (segs[nseg][0] == '.') {
			segs[nseg][0] = '_';	/* no hidden files, no .. */
			changed = 1;
		}
		nseg++;
	}
	if (nseg == 0 || dl == 0 || dec[dl - 1] == '/') {
		/* No file name ("https://host/"): one is made. */
		if (nseg == MEDIA_DEPTH_MAX)
			nseg--;
		snprintf(segs[nseg++], sizeof(segs[0]), "picture");
		changed = 1;
	}
	/* The last name: base, then its extension, made the type's. */
	seg = segs[nseg - 1];
	dot = strrchr(seg, '.');
	if (dot == seg)
		dot = NULL;
	if (type != MEDIA_NONE && media_type_of_name(seg, strlen(seg)) !=
	    type) {
		dot = NULL;	/* "image.php" becomes "image.php-<hash>.jpg" */
		changed = 1;
	}
	hash[0] = '\0';
	if (changed || salt != 0) {
		h = media_fnv(url, strcspn(url, "#"), 0xcbf29ce484222325ULL);
		h = media_fnv((const char *)&salt, sizeof(salt), h);
		snprintf(hash, sizeof(hash), "-%0*llx", MEDIA_HASH_HEX,
		    (unsigned long long)(h & 0xffffffffULL));
	}
	l = dot != NULL ? (size_t)(dot - seg) : strlen(seg);
	total = 0;
	for (k = 0; k + 1 < nseg; k++)
		total += strlen(segs[k]) + 1;
	k = dot != NULL ? strlen(dot) : type != MEDIA_NONE ?
	    strlen(media_exts[type][0]) + 1 : 0;
	if (total + l + strlen(hash) + k + 1 > outsz ||
	    total + l + strlen(hash) + k > MEDIA_PATH_MAX)
		return -1;
	out[0] = '\0';
	for (k = 0; k + 1 < nseg; k++) {
		strcat(out, segs[k]);
		strcat(out, "/");
	}
	total = strlen(out);
	memcpy(out + total, seg, l);
	out[total + l] = '\0';
	strcat(out, hash);
	if (dot != NULL)
		strcat(out, dot);
	else if (type != MEDIA_NONE) {
		strcat(out, ".");
		strcat(out, media_exts[type][0]);
	}
	return 0;
}

int
media_valid_path(const char *rel, size_t len)
{
	size_t i, seg = 0, depth = 1;

	if (len == 0 || len > MEDIA_PATH_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (rel[i] == '/') {
			if (seg == 0 || ++depth > MEDIA_DEPTH_MAX)
				return 0;
			seg = 0;
			continue;
		}
		if (!media_safe_char((unsigned char)rel[i]) ||
		    (seg == 0 && rel[i] == '.'))
			return 0;
		if (++seg > MEDIA_SEGMENT_MAX + MEDIA_HASH_HEX + 6)
			return 0;
	}
	return seg > 0;
}

static int
media_fs_path(const char *content, const char *rel, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s/" MEDIA_DIR "/%s", content, rel);

	if (n < 0 || (size_t)n >= outsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Makes the directories of path, readable by the server: 0755. */
static int
media_mkdirs(char *path)
{
	char *slash;
	struct stat sb;

	for (slash = path + 1; (slash = strchr(slash, '/')) != NULL; slash++) {
		*slash = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			*slash = '/';
			return -1;
		}
		if (lstat(path, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
			*slash = '/';
			errno = ENOTDIR;
			return -1;
		}
		*slash = '/';
	}
	return 0;
}

int
media_write(const char *content, const char *rel, const void *data,
    size_t len)
{
	char path[MEDIA_FS_PATH], tmpl[MEDIA_FS_PATH + 16], *slash;

	if (!media_valid_path(rel, strlen(rel))) {
		errno = EINVAL;
		return -1;
	}
	if (media_fs_path(content, rel, path, sizeof(path)) == -1 ||
	    media_mkdirs(path) == -1)
		return -1;
	/* The temporary name is hidden: never served, never a post. */
	snprintf(tmpl, sizeof(tmpl), "%s", path);
	slash = strrchr(tmpl, '/');
	snprintf(slash + 1, sizeof(tmpl) - (size_t)(slash + 1 - tmpl),
	    ".part-XXXXXX");
	return file_write_atomic(path, tmpl, data, len, 1);
}

int
media_same(const char *content, const char *rel, const void *data,
    size_t len)
{
	char path[MEDIA_FS_PATH], *old;
	size_t olen;
	int same;

	if (media_fs_path(content, rel, path, sizeof(path)) == -1 ||
	    (old = file_read(path, len + 1, &olen, NULL)) == NULL)
		return 0;
	same = olen == len && memcmp(old, data, len) == 0;
	free(old);
	return same;
}

int
media_exists(const char *content, const char *rel)
{
	char path[MEDIA_FS_PATH];
	struct stat sb;

	return media_valid_path(rel, strlen(rel)) &&
	    media_fs_path(content, rel, path, sizeof(path)) == 0 &&
	    lstat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

int
media_open(const char *content, const char *rel, size_t len,
    struct media_file *mf)
{
	char name[MEDIA_PATH_MAX + 1], *seg, *next;
	unsigned char head[MEDIA_SNIFF];
	struct stat sb;
	ssize_t n;
	int dir, fd, saved;

	mf->fd = -1;
	if (!media_valid_path(rel, len)) {
		errno = ENOENT;
		return -1;
	}
	memcpy(name, rel, len);
	name[len] = '\0';
	/* Step by step, no symbolic link followed anywhere on the way. */
	if ((dir = open(content, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	fd = openat(dir, MEDIA_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	for (seg = name; fd != -1; seg = next + 1) {
		close(dir);
		dir = fd;
		if ((next = strchr(seg, '/')) == NULL) {
			fd = openat(dir, seg, O_RDONLY | O_NOFOLLOW |
			    O_NONBLOCK | O_CLOEXEC);
			break;
		}
		*next = '\0';
		fd = openat(dir, seg, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	}
	saved = errno;
	close(dir);
	if (fd == -1) {
		errno = saved == ELOOP ? ENOENT : saved;
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		errno = ENOENT;
		return -1;
	}
	do
		n = pread(fd, head, sizeof(head), 0);
	while (n == -1 && errno == EINTR);
	if (n < 0 || (mf->type = media_type(head, (size_t)n)) == MEDIA_NONE) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	mf->fd = fd;
	mf->size = (long long)sb.st_size;
	return 0;
}

/* --- the import's index ------------------------------------------------ */

static size_t
media_slot(const char *s, size_t mask)
{
	return (size_t)media_fnv(s, strlen(s), 0xcbf29ce484222325ULL) & mask;
}

/* Puts entry number v (1-based) in the first free slot for key s. */
static void
media_index_slot(size_t *slots, size_t nslots, const char *s, size_t v)
{
	size_t j;

	for (j = media_slot(s, nslots - 1); slots[j] != 0;
	    j = (j + 1) & (nslots - 1))
		;
	slots[j] = v;
}

static int
media_index_rehash(struct media_index *ix, size_t nslots)
{
	size_t *u = calloc(nslots, sizeof(*u)), *p = calloc(nslots,
	    sizeof(*p)), i;

	if (u == NULL || p == NULL) {
		free(u);
		free(p);
		return -1;
	}
	for (i = 0; i < ix->n; i++) {
		media_index_slot(u, nslots, ix->e[i].url, i + 1);
		media_index_slot(p, nslots, ix->e[i].path, i + 1);
	}
	free(ix->by_url);
	free(ix->by_path);
	ix->by_url = u;
	ix->by_path = p;
	ix->nslots = nslots;
	return 0;
}

static struct media_entry *
media_index_find(struct media_index *ix, const char *s, int path)
{
	size_t *slots = path ? ix->by_path : ix->by_url, j;
	struct media_entry *e;

	if (ix->nslots == 0)
		return NULL;
	for (j = media_slot(s, ix->nslots - 1); slots[j] != 0;
	    j = (j + 1) & (ix->nslots - 1)) {
		e = &ix->e[slots[j] - 1];
		if (strcmp(path ? e->path : e->url, s) == 0)
			return e;
	}
	return NULL;
}

struct media_entry *
media_index_url(struct media_index *ix, const char *url)
{
	return media_index_find(ix, url, 0);
}

struct media_entry *
media_index_path(struct media_index *ix, const char *path)
{
	return media_index_find(ix, path, 1);
}

static void
media_entry_free(struct media_entry *e)
{
	free(e->url);
	free(e->path);
	free(e->etag);
	free(e->modified);
}

struct media_entry *
media_index_set(struct media_index *ix, const char *url, const char *path,
    const char *etag, const char *modified)
{
	struct media_entry *e = media_index_url(ix, url), n, *ne;
	int path_moved;

	memset(&n, 0, sizeof(n));
	n.url = strdup(url);
	n.path = strdup(path);
	n.etag = strdup(etag ? etag : "");
	n.modified = strdup(modified ? modified : "");
	if (n.url == NULL || n.path == NULL || n.etag == NULL ||
	    n.modified == NULL) {
		media_entry_free(&n);
		return NULL;
	}
	ix->dirty = 1;
	if (e != NULL) {
		path_moved = strcmp(e->path, path) != 0;
		n.seen = e->seen;
		media_entry_free(e);
		*e = n;
		/* A new path: the path table is rebuilt to find it. */
		if (path_moved && media_index_rehash(ix, ix->nslots) == -1)
			return NULL;
		return e;
	}
	if (ix->n == ix->cap) {
		size_t cap = ix->cap ? ix->cap * 2 : 64;

		if ((ne = realloc(ix->e, cap * sizeof(*ne))) == NULL) {
			media_entry_free(&n);
			return NULL;
		}
		ix->e = ne;
		ix->cap = cap;
	}
	ix->e[ix->n++] = n;
	if (ix->n * 2 > ix->nslots) {
		if (media_index_rehash(ix, ix->nslots ? ix->nslots * 2 :
		    128) == -1) {
			ix->n--;
			media_entry_free(&ix->e[ix->n]);
			return NULL;
		}
	} else {
		media_index_slot(ix->by_url, ix->nslots, n.url, ix->n);
		media_index_slot(ix->by_path, ix->nslots, n.path, ix->n);
	}
	return &ix->e[ix->n - 1];
}

/* A field of an index line fit to keep: no TAB, no control, bounded. */
static int
media_field_ok(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n > max)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

int
media_index_load(struct media_index *ix, const char *content)
{
	char path[MEDIA_FS_PATH], *text, *line, *next, *f[4];
	size_t len, k;

	memset(ix, 0, sizeof(*ix));
	snprintf(path, sizeof(path), "%s/" MEDIA_DIR "/" MEDIA_INDEX, content);
	if ((text = file_read(path, MEDIA_INDEX_MAX, &len, NULL)) == NULL)
		return errno == ENOENT ? 0 : -1;
	if (strncmp(text, MEDIA_INDEX_HEAD, strlen(MEDIA_INDEX_HEAD)) != 0) {
		free(text);
		return 0;	/* not ours, or damaged: pictures fetched anew */
	}
	for (line = text + strlen(MEDIA_INDEX_HEAD); *line != '\0';
	    line = next) {
		if ((next = strchr(line, '\n')) == NULL)
			break;	/* a cut last line is not trusted */
		*next++ = '\0';
		for (k = 0, f[0] = line; k < 3 && f[k] != NULL; k++)
			if ((f[k + 1] = strchr(f[k], '\t')) != NULL)
				*f[k + 1]++ = '\0';
		if (k < 3 || f[3] == NULL || strchr(f[3], '\t') != NULL ||
		    !media_valid_path(f[0], strlen(f[0])) ||
		    !media_field_ok(f[1], 4096) || f[1][0] == '\0')
			continue;
		if (media_index_set(ix, f[1], f[0], f[2], f[3]) == NULL) {
			free(text);
			media_index_free(ix);
			errno = ENOMEM;
			return -1;
		}
	}
	free(text);
	ix->dirty = 0;
	return 0;
}

int
media_index_save(struct media_index *ix, const char *content)
{
	char path[MEDIA_FS_PATH], tmpl[MEDIA_FS_PATH + 16];
	struct buf b;
	size_t i;
	int rc;

	if (!ix->dirty)
		return 0;
	snprintf(path, sizeof(path), "%s/" MEDIA_DIR "/" MEDIA_INDEX, content);
	if (media_mkdirs(path) == -1)
		return -1;
	snprintf(tmpl, sizeof(tmpl), "%s.XXXXXX", path);
	buf_init(&b);
	buf_puts(&b, MEDIA_INDEX_HEAD);
	for (i = 0; i < ix->n; i++) {
		struct media_entry *e = &ix->e[i];

		if (!media_field_ok(e->url, 4096) ||
		    !media_field_ok(e->etag, 1024) ||
		    !media_field_ok(e->modified, 1024) ||
		    strchr(e->url, '\t') || strchr(e->etag, '\t') ||
		    strchr(e->modified, '\t'))
			continue;
		buf_printf(&b, "%s\t%s\t%s\t%s\n", e->path, e->url, e->etag,
		    e->modified);
	}
	if (b.err) {
		buf_free(&b);
		errno = ENOMEM;
		return -1;
	}
	rc = file_write_atomic(path, tmpl, b.data, b.len, 1);
	buf_free(&b);
	if (rc == 0)
		ix->dirty = 0;
	return rc;
}

void
media_index_free(struct media_index *ix)
{
	size_t i;

	for (i = 0; i < ix->n; i++)
		media_entry_free(&ix->e[i]);
	free(ix->e);
	free(ix->by_url);
	free(ix->by_path);
	memset(ix, 0, sizeof(*ix));
}
