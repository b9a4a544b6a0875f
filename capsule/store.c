/*
 * store.c: loads the post store: every post file and the settings. All
 * a store holds comes from its arena, so store_free() frees it whole.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "file.h"
#include "store.h"
#include "utf8.h"

#define STORE_SLUG_MAX	160

struct store_loader {
	struct store	*st;
	store_report_cb	 report;
	void		*arg;
};

static void
store_report(struct store_loader *l, const char *path, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
store_report(struct store_loader *l, const char *path, int line,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->report != NULL)
		l->report(l->arg, path, line, msg);
}

void
store_tag_slug(const char *name, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t o = 0;
	int dash = 0;

	if (outsz == 0)
		return;
	for (; *s != '\0' && o + 1 < outsz; s++) {
		if (isalnum(*s)) {
			if (dash && o > 0 && o + 2 < outsz)
				out[o++] = '-';
			dash = 0;
			out[o++] = tolower(*s);
		} else if (*s == '\'')
			continue;	/* "People's" -> "peoples" */
		else if (s[0] == 0xe2 && s[1] == 0x80 && s[2] == 0x99)
			s += 2;		/* the same for a curly apostrophe */
		else
			dash = 1;
	}
	out[o] = '\0';
	if (o == 0)
		snprintf(out, outsz, "tag");
}

/* Reads capsule.conf: "Key: value" lines; problems are reported, not fatal. */
static void
store_load_settings(struct store_loader *l, const char *dir)
{
	struct store *st = l->st;
	struct settings *set = &st->settings;
	char path[1024], *data, *s, *nl, *colon, *v, *e;
	size_t len;
	int line = 0;

	set->title = "capsule";
	set->description = "";
	set->lang = "en";
	set->author = "";
	snprintf(path, sizeof(path), "%s/%s", dir, STORE_SETTINGS_FILE);
	if ((data = file_read(path, 64 * 1024, &len, NULL)) == NULL) {
		if (errno != ENOENT)
			store_report(l, path, 0, "%s", strerror(errno));
		goto done;
	}
	if (!utf8_valid(data, len) || memchr(data, '\0', len) != NULL) {
		store_report(l, path, 0, "not valid UTF-8 text; ignored");
		free(data);
		goto done;
	}
	for (s = data; *s != '\0'; s = nl ? nl + 1 : s + strlen(s)) {
		line++;
		if ((nl = strchr(s, '\n')) != NULL)
			*nl = '\0';
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		if ((colon = strchr(s, ':')) == NULL) {
			store_report(l, path, line, "expected \"Key: value\"");
			continue;
		}
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		if ((v = arena_strdup(&st->arena, v)) == NULL)
			break;
		if (strcasecmp(s, "Title") == 0)
			set->title = v;
		else if (strcasecmp(s, "Description") == 0)
			set->description = v;
		else if (strcasecmp(s, "Language") == 0)
			set->lang = v;
		else if (strcasecmp(s, "Author") == 0)
			set->author = v;
		else if (strcasecmp(s, "Hostname") == 0) {
			/* Checked as --hostname is: it names cert files. */
			if (set->nhostnames == STORE_MAX_HOSTNAMES ||
			    strlen(v) > STORE_HOSTNAME_MAX ||
			    config_hostname(v, v, strlen(v) + 1) == -1)
				store_report(l, path, line, "Hostname ignored: "
				    "want letters, digits, '-', '.', '_' or "
				    "':'");
			else
				set->hostnames[set->nhostnames++] = v;
		} else
			store_report(l, path, line, "unknown setting \"%s\" "
			    "(known: Title, Description, Language, Author, "
			    "Hostname)", s);
	}
	free(data);
done:
	if (set->nhostnames == 0)
		set->hostnames[set->nhostnames++] = "localhost";
}

static int
store_cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Newest first; the same day falls back to the slug so order is stable. */
static int
store_cmp_post(const void *a, const void *b)
{
	const struct post *pa = *(struct post *const *)a;
	const struct post *pb = *(struct post *const *)b;
	int c;

	if ((c = strcmp(pb->date, pa->date)) != 0)
		return c;
	return strcmp(pa->slug, pb->slug);
}

static int
store_cmp_post_slug(const void *a, const void *b)
{
	return strcmp((*(struct post *const *)a)->slug,
	    (*(struct post *const *)b)->slug);
}

static int
store_cmp_tag(const void *a, const void *b)
{
	const struct tag *ta = *(struct tag *const *)a;
	const struct tag *tb = *(struct tag *const *)b;
	int c;

	if ((c = strcasecmp(ta->name, tb->name)) != 0)
		return c;
	return strcmp(ta->name, tb->name);
}

static int
store_cmp_tag_slug(const void *a, const void *b)
{
	return strcmp((*(struct tag *const *)a)->slug,
	    (*(struct tag *const *)b)->slug);
}

/* Lists the "*.txt" names in dir, sorted; the caller frees them all. */
static char **
store_list_dir(struct store_loader *l, const char *dir, size_t *n)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL, **nn;
	size_t cap = 0, len;

	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		store_report(l, dir, 0, "cannot read the store: %s",
		    strerror(errno));
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 5 ||
		    strcmp(de->d_name + len - 4, ".txt") != 0)
			continue;
		if (*n == STORE_MAX_POSTS) {
			store_report(l, dir, 0, "more than %d posts; the rest "
			    "are skipped", STORE_MAX_POSTS);
			break;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nn = realloc(names, cap * sizeof(*names))) == NULL)
				break;
			names = nn;
		}
		if ((names[*n] = strdup(de->d_name)) == NULL)
			break;
		(*n)++;
	}
	closedir(d);
	if (names == NULL)
		names = calloc(1, sizeof(*names));
	if (names != NULL)
		qsort(names, *n, sizeof(*names), store_cmp_name);
	return names;
}

/* Groups the posts' tag names into tags with unique slugs. */
static int
store_build_tags(struct store_loader *l)
{
	struct store *st = l->st;
	struct tag **tags, *t;
	char slug[STORE_SLUG_MAX], alt[STORE_SLUG_MAX + 16];
	size_t i, j, k, n = 0, total = 0, suffix, other;

	for (i = 0; i < st->nposts; i++)
		total += st->posts[i]->ntags;
	if ((tags = arena_alloc(&st->arena, (total + 1) * sizeof(*tags))) ==
	    NULL)
		return -1;
	for (i = 0; i < st->nposts; i++) {
		struct post *p = st->posts[i];

		for (j = 0; j < p->ntags; j++) {
			for (k = 0; k < n; k++)
				if (strcmp(tags[k]->name, p->tags[j]) == 0)
					break;
			if (k == n) {
				if ((t = arena_alloc(&st->arena, sizeof(*t))) ==
				    NULL)
					return -1;
				memset(t, 0, sizeof(*t));
				t->name = p->tags[j];
				tags[n++] = t;
			}
			p->tagp[j] = tags[k];
			tags[k]->nposts++;
		}
	}
	qsort(tags, n, sizeof(*tags), store_cmp_tag);
	for (i = 0; i < n; i++) {
		t = tags[i];
		t->index = i;
		t->posts = arena_alloc(&st->arena, t->nposts * sizeof(*t->posts));
		if (t->posts == NULL)
			return -1;
		t->nposts = 0;
		store_tag_slug(t->name, slug, sizeof(slug));
		snprintf(alt, sizeof(alt), "%s", slug);
		/* Two names that fold to one slug each keep a distinct one. */
		other = i;	/* the tag that already has the plain slug */
		for (suffix = 2;; suffix++) {
			for (k = 0; k < i; k++)
				if (strcmp(tags[k]->slug, alt) == 0)
					break;
			if (k == i)
				break;
			if (other == i)
				other = k;
			snprintf(alt, sizeof(alt), "%s-%zu", slug, suffix);
		}
		if (other != i)
			store_report(l, st->dir, 0, "tags \"%s\" and \"%s\" "
			    "share the slug \"%s\"; \"%s\" gets \"%s\"",
			    tags[other]->name, t->name, slug, t->name, alt);
		if ((t->slug = arena_strdup(&st->arena, alt)) == NULL)
			return -1;
	}
	/* Posts are newest first, so each tag's list is too. */
	for (i = 0; i < st->nposts; i++)
		for (j = 0; j < st->posts[i]->ntags; j++) {
			t = st->posts[i]->tagp[j];
			t->posts[t->nposts++] = st->posts[i];
		}
	st->tags = tags;
	st->ntags = n;
	st->tags_by_slug = arena_alloc(&st->arena, (n + 1) * sizeof(*tags));
	if (st->tags_by_slug == NULL)
		return -1;
	memcpy(st->tags_by_slug, tags, n * sizeof(*tags));
	qsort(st->tags_by_slug, n, sizeof(*tags), store_cmp_tag_slug);
	return 0;
}

static int
store_load_posts(struct store_loader *l, const char *dir)
{
	struct store *st = l->st;
	struct post_error err;
	struct post *p;
	char **names, path[2048], slug[STORE_SLUG_MAX];
	char *data;
	size_t n, i, len, sl;

	if ((names = store_list_dir(l, dir, &n)) == NULL)
		return -1;
	st->posts = arena_alloc(&st->arena, (n + 1) * sizeof(*st->posts));
	if (st->posts == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		sl = strlen(names[i]) - 4;
		if (sl >= sizeof(slug)) {
			store_report(l, path, 0, "file name too long; skipped");
			continue;
		}
		memcpy(slug, names[i], sl);
		slug[sl] = '\0';
		if ((data = file_read(path, POST_MAX_SIZE, &len, NULL)) ==
		    NULL) {
			store_report(l, path, 0, "%s; skipped", errno == EFBIG ?
			    "file too large" : strerror(errno));
			continue;
		}
		if ((p = arena_alloc(&st->arena, sizeof(*p))) == NULL) {
			free(data);
			goto fail;
		}
		if (post_parse(&st->arena, path, slug, data, len, p, &err) ==
		    -1) {
			store_report(l, path, err.line, "%s; skipped", err.msg);
			st->nproblems++;
		} else
			st->posts[st->nposts++] = p;
		free(data);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	qsort(st->posts, st->nposts, sizeof(*st->posts), store_cmp_post);
	for (i = 0; i < st->nposts; i++)
		st->posts[i]->index = i;
	st->by_slug = arena_alloc(&st->arena,
	    (st->nposts + 1) * sizeof(*st->by_slug));
	if (st->by_slug == NULL)
		return -1;
	memcpy(st->by_slug, st->posts, st->nposts * sizeof(*st->posts));
	qsort(st->by_slug, st->nposts, sizeof(*st->by_slug),
	    store_cmp_post_slug);
	return 0;
fail:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return -1;
}

struct store *
store_load(const char *dir, const struct site *site, store_report_cb report,
    void *arg)
{
	struct store_loader l;
	struct store *st;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		if (report != NULL)
			report(arg, dir, 0, "out of memory");
		return NULL;
	}
	arena_init(&st->arena);
	l.st = st;
	l.report = report;
	l.arg = arg;
	if ((st->dir = arena_strdup(&st->arena, dir)) == NULL)
		goto fail;
	store_load_settings(&l, dir);
	if (site != NULL)
		st->site = *site;
	if (st->site.host == NULL || st->site.host[0] == '\0')
		st->site.host = st->settings.hostnames[0];
	else if ((st->site.host = arena_strdup(&st->arena, st->site.host)) ==
	    NULL)
		goto fail;
	if (st->site.gemini_port == 0)
		st->site.gemini_port = 1965;
	if (st->site.gopher_port == 0)
		st->site.gopher_port = 70;
	if (store_load_posts(&l, dir) == -1 || store_build_tags(&l) == -1)
		goto fail;
	return st;
fail:
	if (errno == ENOMEM && report != NULL)
		report(arg, dir, 0, "out of memory");
	store_free(st);
	return NULL;
}

void
store_free(struct store *st)
{
	if (st == NULL)
		return;
	arena_free(&st->arena);
	free(st);
}

struct post *
store_find_post(const struct store *st, const char *slug)
{
	size_t lo = 0, hi = st->nposts, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(slug, st->by_slug[mid]->slug)) == 0)
			return st->by_slug[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

struct tag *
store_find_tag(const struct store *st, const char *slug)
{
	size_t lo = 0, hi = st->ntags, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(slug, st->tags_by_slug[mid]->slug)) == 0)
			return st->tags_by_slug[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct post *
store_newer(const struct store *st, const struct post *p)
{
	return p->index > 0 ? st->posts[p->index - 1] : NULL;
}

const struct post *
store_older(const struct store *st, const struct post *p)
{
	return p->index + 1 < st->nposts ? st->posts[p->index + 1] : NULL;
}
