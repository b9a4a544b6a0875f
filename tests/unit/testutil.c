/* testutil.c: helpers the unit tests share (no tests of its own). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "router.h"
#include "test.h"
#include "testutil.h"

char *
tu_mkdir(void)
{
	char tmpl[] = "/tmp/capsule-unit-XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return NULL;
	return strdup(tmpl);
}

void
tu_rmdir(char *dir)
{
	char path[2048];
	struct dirent *de;
	DIR *d;

	if (dir == NULL)
		return;
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
}

void
tu_tick(void)
{
	struct timespec now, coarse, ms = { 0, 1000000 };

	clock_gettime(CLOCK_REALTIME, &now);
	do {
		nanosleep(&ms, NULL);
		clock_gettime(CLOCK_REALTIME_COARSE, &coarse);
	} while (coarse.tv_sec < now.tv_sec || (coarse.tv_sec == now.tv_sec &&
	    coarse.tv_nsec <= now.tv_nsec));
}

int
tu_write(const char *dir, const char *name, const char *data, size_t len)
{
	char path[2048];
	FILE *f;
	int rc = 0;

	if (len == (size_t)-1)
		len = strlen(data);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	if (len > 0 && fwrite(data, 1, len, f) != len)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

char *
tu_read(const char *path, size_t *len)
{
	char *data = NULL, *p;
	size_t cap = 0, n = 0, got;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 65536;
			if ((p = realloc(data, cap + 1)) == NULL) {
				free(data);
				fclose(f);
				return NULL;
			}
			data = p;
		}
		if ((got = fread(data + n, 1, cap - n, f)) == 0)
			break;
		n += got;
	}
	fclose(f);
	data[n] = '\0';
	if (len != NULL)
		*len = n;
	return data;
}

void
tu_report(void *arg, const char *path, int line, const char *msg)
{
	struct tu_reports *r = arg;

	if (r == NULL || r->n == TU_MAX_REPORTS)
		return;
	r->lines[r->n] = line;
	snprintf(r->text[r->n], sizeof(r->text[r->n]), "%s:%d: %s", path,
	    line, msg);
	r->n++;
}

const char *
tu_reports_find(const struct tu_reports *r, const char *needle)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (strstr(r->text[i], needle) != NULL)
			return r->text[i];
	return NULL;
}

struct store *
tu_load(const char *dir, struct tu_reports *r)
{
	struct site site = { "example.org", 1965, 7070, 0 };

	if (r != NULL)
		memset(r, 0, sizeof(*r));
	return store_load(dir, &site, tu_report, r);
}

struct snapshot *
tu_snap(const char *dir, struct tu_reports *r)
{
	struct store *st;

	if ((st = tu_load(dir, r)) == NULL)
		return NULL;
	return snapshot_new(st, SNAPSHOT_SEARCH);
}

int
tu_render(const struct store *st, enum proto proto, const char *path,
    struct buf *out)
{
	struct snapshot sn;
	struct route r;

	/* Rendering uncached needs no more of a snapshot than its store. */
	memset(&sn, 0, sizeof(sn));
	sn.store = (struct store *)st;
	buf_reset(out);
	router_match(st, path, strlen(path), &r);
	return page_render(&sn, proto, &r, NULL, out);
}

static char *tu_golden_text;

static void
tu_golden_free(void)
{
	free(tu_golden_text);
	tu_golden_text = NULL;
}

const char *
tu_golden(const char *name, const char *got, size_t len)
{
	static int registered;
	char path[2048];
	const char *up = getenv("CAPSULE_UPDATE_GOLDEN");

	if (!registered) {
		atexit(tu_golden_free);
		registered = 1;
	}
	tu_golden_free();
	snprintf(path, sizeof(path), "%s/tests/unit/golden/%s", test_root(),
	    name);
	if (up != NULL && strcmp(up, "1") == 0) {
		FILE *f = fopen(path, "wb");

		if (f != NULL) {
			if (len > 0)
				fwrite(got, 1, len, f);
			fclose(f);
		}
	}
	if ((tu_golden_text = tu_read(path, NULL)) == NULL)
		return "";
	return tu_golden_text;
}

size_t
tu_count_lines(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (s[i] == '\n')
			n++;
	if (len > 0 && s[len - 1] != '\n')
		n++;
	return n;
}
