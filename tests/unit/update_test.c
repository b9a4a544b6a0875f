/*
 * update_test.c: the store built from the one before plus the files that
 * changed, and the store's refusals of files that are not plain posts.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "store.h"
#include "test.h"
#include "testutil.h"

#define POST(title, date, tags, body) \
	"Title: " title "\nDate: " date "\nTags: " tags "\n\n" body "\n"

static struct store *
update(const struct store *prev, const char *dir, const char *const *names,
    size_t n, struct tu_reports *r)
{
	struct site site = { "example.org", 1965, 7070, 0 };

	memset(r, 0, sizeof(*r));
	return store_update(prev, dir, &site, names, n, STORE_KEEP_TEXT,
	    tu_report, r);
}

/* The body as a page would show it. */
static int
body_is(const struct store *st, const char *slug, const char *want)
{
	struct post_text t;
	const struct post *p;
	int same;

	if ((p = store_find_post(st, slug)) == NULL)
		return 0;
	store_post_text(st, p, &t);
	same = t.body_len == strlen(want) && memcmp(t.body, want,
	    t.body_len) == 0;
	if (!same)
		printf("    %s: body [%.*s], want [%s]\n", slug,
		    (int)t.body_len, t.body, want);
	store_post_text_free(&t);
	return same;
}

TEST(store_refuses_a_fifo_named_like_a_post_without_blocking)
{
	struct tu_reports r;
	struct store *st;
	char *dir, path[1100];

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "fine.txt", POST("Fine", "2020-01-01", "a",
	    "Body."), -1) == 0);
	snprintf(path, sizeof(path), "%s/x.txt", dir);
	CHECK(mkfifo(path, 0600) == 0);
	/* Opening it blocking would wait for a writer for ever. */
	alarm(10);
	st = tu_load(dir, &r);
	alarm(0);
	CHECK(st != NULL);
	CHECK(st->nposts == 1);
	CHECK(st->nproblems == 1);
	snprintf(path, sizeof(path), "%s/x.txt:0: not a regular file", dir);
	CHECK(tu_reports_find(&r, path) != NULL);
	store_free(st);
	tu_rmdir(dir);
}

TEST(store_refuses_a_symlink_that_points_outside_it)
{
	struct tu_reports r;
	struct store *st;
	char *dir, *outside, target[1100], link[1100];

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK((outside = tu_mkdir()) != NULL);
	CHECK(tu_write(outside, "secret.txt", POST("Secret", "2020-01-01",
	    "a", "Not for publishing."), -1) == 0);
	snprintf(target, sizeof(target), "%s/secret.txt", outside);
	snprintf(link, sizeof(link), "%s/leak.txt", dir);
	CHECK(symlink(target, link) == 0);
	CHECK((st = tu_load(dir, &r)) != NULL);
	CHECK(store_find_post(st, "leak") == NULL);
	CHECK(st->nposts == 0);
	CHECK(st->nproblems == 1);
	CHECK(tu_reports_find(&r, "leak.txt:0: a symbolic link") != NULL);
	store_free(st);
	tu_rmdir(dir);
	tu_rmdir(outside);
}

TEST(store_post_text_reads_the_body_from_the_file)
{
	struct tu_reports r;
	struct store *st;
	char *dir;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "a.txt", POST("A", "2020-01-01", "x",
	    "Body of a."), -1) == 0);
	CHECK((st = tu_load(dir, &r)) != NULL);
	/* Loading keeps only what lists need. */
	CHECK(st->posts[0]->body == NULL);
	CHECK(body_is(st, "a", "Body of a."));
	store_free(st);
	tu_rmdir(dir);
}

TEST(store_update_reads_only_changed_files)
{
	struct tu_reports r;
	struct store *st, *next;
	char *dir, path[1100];

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "a.txt", POST("A", "2020-01-01", "x, y",
	    "A."), -1) == 0);
	CHECK(tu_write(dir, "b.txt", POST("B", "2020-01-02", "y", "B."),
	    -1) == 0);
	CHECK(tu_write(dir, "gone.txt", POST("Gone", "2020-01-03", "z",
	    "G."), -1) == 0);
	tu_tick();
	CHECK((st = update(NULL, dir, NULL, 0, &r)) != NULL);
	CHECK(st->nposts == 3 && st->nread == 3);
	/* Nothing changed: nothing is read. */
	CHECK((next = update(st, dir, NULL, 0, &r)) != NULL);
	CHECK(next->nread == 0 && next->nposts == 3 && next->ntags == 3);
	CHECK_STR(store_find_post(next, "a")->title, "A");
	store_free(st);
	st = next;
	/* One edited, one added, one removed. */
	CHECK(tu_write(dir, "a.txt", POST("A, edited", "2020-01-01", "x",
	    "A, longer now."), -1) == 0);
	CHECK(tu_write(dir, "c.txt", POST("C", "2020-01-04", "w", "C."),
	    -1) == 0);
	snprintf(path, sizeof(path), "%s/gone.txt", dir);
	CHECK(unlink(path) == 0);
	CHECK((next = update(st, dir, NULL, 0, &r)) != NULL);
	CHECK(next->nread == 2);
	CHECK(next->nposts == 3);
	CHECK(store_find_post(next, "gone") == NULL);
	CHECK(store_find_tag(next, "z") == NULL);
	CHECK_STR(store_find_post(next, "a")->title, "A, edited");
	CHECK_STR(next->posts[0]->slug, "c");
	CHECK(store_find_tag(next, "y")->nposts == 1);
	CHECK(body_is(next, "a", "A, longer now."));
	/* The old store is untouched: requests in flight still use it. */
	CHECK_STR(store_find_post(st, "a")->title, "A");
	CHECK(store_find_post(st, "gone") != NULL);
	store_free(st);
	store_free(next);
	tu_rmdir(dir);
}

TEST(file_id_read_is_the_same_file_until_its_ctime_moves)
{
	struct file_id read, seen;

	file_id_read(&read, 8, 42, 100, 2000);
	memset(&seen, 0, sizeof(seen));
	seen.dev = 8;
	seen.ino = 42;
	seen.size = 100;
	seen.mtime_ns = 1500;
	seen.ctime_ns = 1999;
	CHECK(file_id_same(&read, &seen) && file_id_same(&seen, &read));
	/* Changed at or after the read began: not known to be the same. */
	seen.ctime_ns = 2000;
	CHECK(!file_id_same(&read, &seen) && !file_id_same(&seen, &read));
	seen.ctime_ns = 1999;
	seen.size = 101;
	CHECK(!file_id_same(&read, &seen));
	seen.size = 100;
	seen.ino = 43;
	CHECK(!file_id_same(&read, &seen));
	seen.ino = 42;
	seen.dev = 9;
	CHECK(!file_id_same(&read, &seen));
	/* Two records of one read are the same record; of two reads, not. */
	seen = read;
	CHECK(file_id_same(&read, &seen));
	seen.ctime_ns = 2001;
	CHECK(!file_id_same(&read, &seen));
}

/*
 * A full scan reads a file new to it without fstat(2): a look after it
 * knows the unchanged files by their ctime, and an edit in place that
 * keeps the size (which mtime and size alone could miss) by its ctime.
 */
TEST(store_scan_knows_files_by_their_read_until_they_change)
{
	struct tu_reports r;
	struct store *st, *next;
	struct stat sb;
	char *dir, name[32], text[256], path[1100];
	int i;

	CHECK((dir = tu_mkdir()) != NULL);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "p%03d.txt", i);
		snprintf(text, sizeof(text), POST("Post %03d", "2020-01-01",
		    "all", "Body %03d."), i, i);
		CHECK(tu_write(dir, name, text, (size_t)-1) == 0);
	}
	tu_tick();
	CHECK((st = update(NULL, dir, NULL, 0, &r)) != NULL);
	CHECK(st->nposts == 300 && st->nread == 300);
	CHECK(store_find_post(st, "p007")->id.mtime_ns == FILE_ID_READ);
	snprintf(path, sizeof(path), "%s/p007.txt", dir);
	CHECK(stat(path, &sb) == 0);
	CHECK(store_find_post(st, "p007")->id.ino ==
	    (unsigned long long)sb.st_ino);
	CHECK(store_find_post(st, "p007")->id.size == (long long)sb.st_size);
	/* Nothing changed: nothing read. */
	CHECK((next = update(st, dir, NULL, 0, &r)) != NULL);
	CHECK(next->nread == 0 && next->nposts == 300);
	store_free(next);
	/* The same size, the same mtime put back: the ctime still moved. */
	CHECK(tu_write(dir, "p007.txt", POST("Tost 007", "2020-01-01", "all",
	    "Body 007."), (size_t)-1) == 0);
	{
		struct timespec ts[2] = { sb.st_atim, sb.st_mtim };

		CHECK(utimensat(AT_FDCWD, path, ts, 0) == 0);
	}
	CHECK((next = update(st, dir, NULL, 0, &r)) != NULL);
	CHECK(next->nread == 1);
	CHECK_STR(store_find_post(next, "p007")->title, "Tost 007");
	/* Read again the usual way: known by its fstat(2) from now on. */
	CHECK(store_find_post(next, "p007")->id.mtime_ns != FILE_ID_READ);
	store_free(st);
	store_free(next);
	tu_rmdir(dir);
}

TEST(store_update_with_names_looks_only_at_those)
{
	struct tu_reports r;
	struct store *st, *next;
	const char *names[] = { "b.txt", "new.txt", "notes.md" };
	char *dir;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "a.txt", POST("A", "2020-01-01", "x", "A."),
	    -1) == 0);
	CHECK(tu_write(dir, "b.txt", POST("B", "2020-01-02", "x", "B."),
	    -1) == 0);
	CHECK((st = update(NULL, dir, NULL, 0, &r)) != NULL);
	/* Same size, in place: only the watcher knows it changed. */
	CHECK(tu_write(dir, "b.txt", POST("C", "2020-01-02", "x", "C."),
	    -1) == 0);
	CHECK(tu_write(dir, "new.txt", POST("New", "2020-01-03", "x", "N."),
	    -1) == 0);
	CHECK((next = update(st, dir, names, 3, &r)) != NULL);
	CHECK(next->nread == 2);
	CHECK(next->nposts == 3);
	CHECK_STR(store_find_post(next, "b")->title, "C");
	CHECK(store_find_tag(next, "x")->nposts == 3);
	store_free(st);
	store_free(next);
	tu_rmdir(dir);
}

TEST(store_update_keeps_the_last_good_version_of_a_post_that_turned_bad)
{
	struct tu_reports r, rc;
	struct store *st, *next, *check;
	const char *names[] = { "a.txt" };
	char *dir;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "a.txt", POST("A", "2020-01-01", "x", "First."),
	    -1) == 0);
	CHECK(tu_write(dir, "b.txt", POST("B", "2020-01-02", "x", "B."),
	    -1) == 0);
	CHECK((st = update(NULL, dir, NULL, 0, &r)) != NULL);
	/* An edit the server reads, then one caught half-saved. */
	CHECK(tu_write(dir, "a.txt", POST("A2", "2020-01-01", "x",
	    "Second."), -1) == 0);
	CHECK((next = update(st, dir, names, 1, &r)) != NULL);
	store_free(st);
	st = next;
	CHECK(tu_write(dir, "a.txt", "Title: A3\nDa", -1) == 0);
	CHECK((next = update(st, dir, names, 1, &r)) != NULL);
	CHECK(next->nposts == 2);
	CHECK(store_find_post(next, "a") != NULL);
	CHECK_STR(store_find_post(next, "a")->title, "A2");
	CHECK(body_is(next, "a", "Second."));
	CHECK(r.n == 1);
	CHECK(tu_reports_find(&r, "a.txt:2: ") != NULL);
	CHECK(tu_reports_find(&r, "last good version") != NULL);
	/* `capsule check` counts the same problems as the reload. */
	CHECK((check = tu_load(dir, &rc)) != NULL);
	CHECK(check->nproblems == next->nproblems);
	CHECK(next->nproblems == 1);
	store_free(check);
	store_free(st);
	st = next;
	/* Unchanged since: still counted, not reported again, still served. */
	CHECK((next = update(st, dir, NULL, 0, &r)) != NULL);
	CHECK(next->nproblems == 1 && r.n == 0);
	CHECK_STR(store_find_post(next, "a")->title, "A2");
	store_free(st);
	st = next;
	/* Fixed: the new version. */
	CHECK(tu_write(dir, "a.txt", POST("A4", "2020-01-01", "x", "Fourth."),
	    -1) == 0);
	CHECK((next = update(st, dir, names, 1, &r)) != NULL);
	CHECK(next->nproblems == 0);
	CHECK_STR(store_find_post(next, "a")->title, "A4");
	CHECK(body_is(next, "a", "Fourth."));
	store_free(st);
	store_free(next);
	tu_rmdir(dir);
}

TEST(store_update_counts_unchanged_bad_files_without_reading_them)
{
	struct tu_reports r;
	struct store *st, *next;
	char *dir;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "bad.txt", "Title: T\n\nno date\n", -1) == 0);
	CHECK(tu_write(dir, "ok.txt", POST("O", "2020-01-01", "x", "O."),
	    -1) == 0);
	tu_tick();
	CHECK((st = update(NULL, dir, NULL, 0, &r)) != NULL);
	CHECK(st->nproblems == 1 && r.n == 1);
	CHECK((next = update(st, dir, NULL, 0, &r)) != NULL);
	CHECK(next->nproblems == 1 && r.n == 0 && next->nread == 0);
	store_free(st);
	store_free(next);
	tu_rmdir(dir);
}

/* The saved index: a restart reads only what changed; a bad index is ignored. */

static char *
index_path(const char *cache)
{
	static char path[1200];

	snprintf(path, sizeof(path), "%s/index", cache);
	return path;
}

TEST(catalog_round_trip_spares_reading_unchanged_posts)
{
	struct tu_reports r;
	struct store *st, *saved, *next;
	const char *why;
	char *dir, *cache;

	CHECK((dir = tu_mkdir()) != NULL && (cache = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "a.txt", "Title: A\nDate: 2020-01-01\nAuthor: Me\n"
	    "Tags: x, y\nImage: a photo\n\nA.\n", -1) == 0);
	CHECK(tu_write(dir, "b.txt", POST("B", "2020-01-02", "y", "B."),
	    -1) == 0);
	tu_tick();
	CHECK((st = update(NULL, dir, NULL, 0, &r)) != NULL);
	CHECK(catalog_save(st, index_path(cache)) == 0);
	CHECK((saved = catalog_load(index_path(cache), dir, &why)) != NULL);
	CHECK(saved->nposts == 2);
	CHECK((next = update(saved, dir, NULL, 0, &r)) != NULL);
	CHECK(next->nread == 0);
	CHECK(next->nposts == 2 && next->ntags == 2);
	CHECK_STR(store_find_post(next, "a")->author, "Me");
	CHECK(store_find_post(next, "a")->nimages == 1);
	CHECK_STR(store_find_post(next, "a")->images[0], "a photo");
	CHECK(body_is(next, "a", "A."));
	store_free(next);
	/* Stale: a post changed while the server was down is read again. */
	CHECK(tu_write(dir, "b.txt", POST("B, changed", "2020-01-02", "y",
	    "B."), -1) == 0);
	CHECK((next = update(saved, dir, NULL, 0, &r)) != NULL);
	CHECK(next->nread == 1);
	CHECK_STR(store_find_post(next, "b")->title, "B, changed");
	store_free(next);
	store_free(saved);
	store_free(st);
	tu_rmdir(dir);
	tu_rmdir(cache);
}

/* touch -r, cp -p, rsync -t: the same size, the old mtime, new words. */
TEST(catalog_sees_an_edit_whose_mtime_was_put_back)
{
	struct tu_reports r;
	struct store *st, *saved, *next;
	struct timespec times[2];
	struct stat sb;
	const char *why;
	char *dir, *cache, path[1200];

	CHECK((dir = tu_mkdir()) != NULL && (cache = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "a.txt", POST("Old", "2020-01-01", "x", "A."),
	    -1) == 0);
	snprintf(path, sizeof(path), "%s/a.txt", dir);
	CHECK(stat(path, &sb) == 0);
	CHECK((st = update(NULL, dir, NULL, 0, &r)) != NULL);
	CHECK(catalog_save(st, index_path(cache)) == 0);
	/* The change time has its own tick: the edit lands on a later one. */
	usleep(20 * 1000);
	CHECK(tu_write(dir, "a.txt", POST("New", "2020-01-01", "x", "A."),
	    -1) == 0);
	times[0] = sb.st_atim;
	times[1] = sb.st_mtim;
	CHECK(utimensat(AT_FDCWD, path, times, 0) == 0);
	CHECK((saved = catalog_load(index_path(cache), dir, &why)) != NULL);
	CHECK((next = update(saved, dir, NULL, 0, &r)) != NULL);
	CHECK(next->nread == 1);
	CHECK_STR(store_find_post(next, "a")->title, "New");
	store_free(next);
	store_free(saved);
	store_free(st);
	tu_rmdir(dir);
	tu_rmdir(cache);
}

TEST(catalog_that_is_damaged_or_foreign_is_ignored)
{
	struct tu_reports r;
	struct store *st, *saved;
	const char *why;
	char *dir, *other, *cache, *data;
	size_t len, i;
	FILE *f;

	CHECK((dir = tu_mkdir()) != NULL && (cache = tu_mkdir()) != NULL &&
	    (other = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "a.txt", POST("A", "2020-01-01", "x", "A."),
	    -1) == 0);
	CHECK((st = update(NULL, dir, NULL, 0, &r)) != NULL);
	CHECK(catalog_save(st, index_path(cache)) == 0);
	/* Another store's index is not this one's. */
	CHECK(catalog_load(index_path(cache), other, &why) == NULL);
	CHECK(why != NULL && strstr(why, "another store") != NULL);
	CHECK((data = tu_read(index_path(cache), &len)) != NULL);
	/* Every single flipped byte is caught. */
	for (i = 0; i < len; i++) {
		data[i] ^= 0x20;
		CHECK((f = fopen(index_path(cache), "wb")) != NULL);
		CHECK(fwrite(data, 1, len, f) == len);
		fclose(f);
		saved = catalog_load(index_path(cache), dir, &why);
		if (saved != NULL)
			printf("    byte %zu flipped, index still taken\n", i);
		CHECK(saved == NULL && why != NULL);
		data[i] ^= 0x20;
	}
	/* Cut short. */
	CHECK((f = fopen(index_path(cache), "wb")) != NULL);
	CHECK(fwrite(data, 1, len / 2, f) == len / 2);
	fclose(f);
	CHECK(catalog_load(index_path(cache), dir, &why) == NULL);
	/* Missing. */
	unlink(index_path(cache));
	CHECK(catalog_load(index_path(cache), dir, &why) == NULL);
	CHECK(strstr(why, "none") != NULL);
	free(data);
	store_free(st);
	tu_rmdir(dir);
	tu_rmdir(other);
	tu_rmdir(cache);
}

/*
 * The saved index with one string replaced by another of the same length
 * and its checksum made right again, as someone who can write the cache
 * would: 1 when catalog_load() still takes it.
 */
static int
crafted_bytes_taken(const char *cache, const char *dir, const char *data,
    size_t len, const char *from, const char *to, size_t n)
{
	struct store *st;
	const char *why;
	char *copy;
	uint64_t sum;
	size_t at;
	FILE *f;
	int taken;

	for (at = 0; at + n <= len && memcmp(data + at, from, n) != 0; at++)
		;
	if (at + n > len || (copy = malloc(len)) == NULL)
		return -1;
	memcpy(copy, data, len);
	memcpy(copy + at, to, n);
	sum = catalog_sum(copy, len - sizeof(sum));
	memcpy(copy + len - sizeof(sum), &sum, sizeof(sum));
	if ((f = fopen(index_path(cache), "wb")) == NULL) {
		free(copy);
		return -1;
	}
	fwrite(copy, 1, len, f);
	fclose(f);
	free(copy);
	st = catalog_load(index_path(cache), dir, &why);
	taken = st != NULL;
	store_free(st);
	return taken;
}

static int
crafted_index_taken(const char *cache, const char *dir, const char *data,
    size_t len, const char *from, const char *to)
{
	if (strlen(from) != strlen(to))
		return -1;
	return crafted_bytes_taken(cache, dir, data, len, from, to,
	    strlen(from));
}

TEST(catalog_with_a_valid_checksum_is_still_checked_field_by_field)
{
	struct tu_reports r;
	struct store *st;
	char *dir, *cache, *data;
	size_t len;
	long long big = POST_MAX_SIZE + 1LL, size;

	CHECK((dir = tu_mkdir()) != NULL && (cache = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "a.txt", "Title: Title of post A here\n"
	    "Date: 2020-01-01\nAuthor: Ann Author\nTags: tag-x, tag-y\n"
	    "Image: alt text of a picture\n\nA.\n", -1) == 0);
	CHECK((st = update(NULL, dir, NULL, 0, &r)) != NULL);
	CHECK(catalog_save(st, index_path(cache)) == 0);
	CHECK((data = tu_read(index_path(cache), &len)) != NULL);
	/* The crafting itself is sound: a change a post could hold is taken. */
	CHECK(crafted_index_taken(cache, dir, data, len, "Title of post A",
	    "Title of post B") == 1);
	/* A line break in a title would add lines (a link) to every list. */
	CHECK(crafted_index_taken(cache, dir, data, len,
	    "Title of post A here", "T\n=> gemini://x/ XYZ") == 0);
	CHECK(crafted_index_taken(cache, dir, data, len, "Ann Author",
	    "Ann\r\n=> /x") == 0);
	CHECK(crafted_index_taken(cache, dir, data, len,
	    "alt text of a picture", "alt\n=> gopher://x/ yy") == 0);
	CHECK(crafted_index_taken(cache, dir, data, len, "tag-x", "a\nb c") ==
	    0);
	/* What the parser trims, splits or drops is never in a post. */
	CHECK(crafted_index_taken(cache, dir, data, len, "Title of post A",
	    " Title of post ") == 0);
	CHECK(crafted_index_taken(cache, dir, data, len, "tag-x", "a,b x") ==
	    0);
	CHECK(crafted_index_taken(cache, dir, data, len, "tag-x", "tag-y") ==
	    0);
	CHECK(crafted_index_taken(cache, dir, data, len, "tag-x", "tag-\t") ==
	    0);
	CHECK(crafted_index_taken(cache, dir, data, len, "Ann Author",
	    "Ann \xff\xfethor") == 0);
	/* A file larger than any post is not what it was read from. */
	size = (long long)store_find_post(st, "a")->id.size;
	CHECK(crafted_bytes_taken(cache, dir, data, len, (char *)&size,
	    (char *)&big, sizeof(size)) == 0);
	free(data);
	store_free(st);
	tu_rmdir(dir);
	tu_rmdir(cache);
}

TEST(store_update_shares_strings_and_compacts_its_pools)
{
	struct tu_reports r;
	struct store *st, *next;
	const char *names[] = { "b.txt" };
	char *dir, title[64], text[256];
	int i;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "a.txt", POST("A", "2020-01-01", "x", "A."),
	    -1) == 0);
	CHECK((st = update(NULL, dir, NULL, 0, &r)) != NULL);
	for (i = 0; i < 3 * STORE_MAX_POOLS; i++) {
		snprintf(title, sizeof(title), "B %d", i);
		snprintf(text, sizeof(text), "Title: %s\nDate: 2020-01-02\n"
		    "Tags: x, y%d\n\nBody %d.\n", title, i, i);
		CHECK(tu_write(dir, "b.txt", text, -1) == 0);
		CHECK((next = update(st, dir, names, 1, &r)) != NULL);
		/* The old store goes first: the new one must not need it. */
		store_free(st);
		st = next;
		CHECK(st->npools <= STORE_MAX_POOLS);
		CHECK_STR(store_find_post(st, "a")->title, "A");
		CHECK_STR(store_find_post(st, "b")->title, title);
		CHECK(store_find_tag(st, "x")->nposts == 2);
	}
	snprintf(text, sizeof(text), "Body %d.", i - 1);
	CHECK(body_is(st, "b", text));
	CHECK(body_is(st, "a", "A."));
	store_free(st);
	tu_rmdir(dir);
}

TEST(catalog_store_built_from_it_outlives_it)
{
	struct tu_reports r;
	struct store *st, *saved, *next;
	const char *why;
	char *dir, *cache;

	CHECK((dir = tu_mkdir()) != NULL && (cache = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "a.txt", POST("A", "2020-01-01", "x", "A."),
	    -1) == 0);
	tu_tick();
	CHECK((st = update(NULL, dir, NULL, 0, &r)) != NULL);
	CHECK(catalog_save(st, index_path(cache)) == 0);
	store_free(st);
	CHECK((saved = catalog_load(index_path(cache), dir, &why)) != NULL);
	CHECK((next = update(saved, dir, NULL, 0, &r)) != NULL);
	/* The saved index's store goes first, as at start-up. */
	store_free(saved);
	CHECK(next->nread == 0);
	CHECK_STR(store_find_post(next, "a")->title, "A");
	CHECK(body_is(next, "a", "A."));
	store_free(next);
	tu_rmdir(dir);
	tu_rmdir(cache);
}

/*
 * The store a saved index loads into is served as it is: the same posts
 * in the same order, the same tags, lists, slugs, lookups and archives
 * as the store it was saved from. 0 when they agree.
 */
static int
same_store(const struct store *a, const struct store *b)
{
	const struct post *p, *q;
	const struct tag *t, *u;
	size_t i, j;

	if (a->nposts != b->nposts || a->ntags != b->ntags ||
	    a->nmonths != b->nmonths || a->nyears != b->nyears)
		return printf("    counts differ\n"), -1;
	for (i = 0; i < a->nposts; i++) {
		p = a->posts[i];
		q = b->posts[i];
		if (strcmp(p->slug, q->slug) != 0 ||
		    strcmp(p->title, q->title) != 0 ||
		    strcmp(p->date, q->date) != 0 ||
		    strcmp(p->author, q->author) != 0 ||
		    p->ntags != q->ntags || p->nimages != q->nimages ||
		    p->npictures != q->npictures || q->index != i ||
		    !file_id_same(&p->id, &q->id) ||
		    store_find_post(b, p->slug) != q)
			return printf("    post %zu (%s) differs\n", i,
			    p->slug), -1;
		for (j = 0; j < p->ntags; j++)
			if (strcmp(p->tags[j], q->tags[j]) != 0 ||
			    strcmp(p->tagp[j]->slug, q->tagp[j]->slug) != 0)
				return printf("    post %s tag %zu differs\n",
				    p->slug, j), -1;
		for (j = 0; j < p->nimages; j++)
			if (strcmp(p->images[j], q->images[j]) != 0)
				return printf("    post %s image %zu differs\n",
				    p->slug, j), -1;
	}
	for (i = 0; i < a->ntags; i++) {
		t = a->tags[i];
		u = b->tags[i];
		if (strcmp(t->name, u->name) != 0 ||
		    strcmp(t->slug, u->slug) != 0 || t->nposts != u->nposts ||
		    u->index != i || store_find_tag(b, t->slug) != u ||
		    strcmp(a->tags_by_slug[i]->slug,
		    b->tags_by_slug[i]->slug) != 0)
			return printf("    tag %zu (%s) differs\n", i,
			    t->name), -1;
		for (j = 0; j < t->nposts; j++)
			if (t->posts[j]->index != u->posts[j]->index)
				return printf("    tag %s post %zu differs\n",
				    t->name, j), -1;
	}
	for (i = 0; i < a->nmonths; i++)
		if (a->months[i].year != b->months[i].year ||
		    a->months[i].month != b->months[i].month ||
		    a->months[i].first != b->months[i].first ||
		    a->months[i].nposts != b->months[i].nposts)
			return printf("    month %zu differs\n", i), -1;
	for (i = 0; i < a->nyears; i++)
		if (a->years[i].year != b->years[i].year ||
		    a->years[i].nposts != b->years[i].nposts ||
		    a->years[i].nmonths != b->years[i].nmonths)
			return printf("    year %zu differs\n", i), -1;
	if (store_find_post(b, "no-such-post") != NULL ||
	    store_find_tag(b, "no-such-tag") != NULL)
		return printf("    a missing slug was found\n"), -1;
	return 0;
}

TEST(catalog_loads_the_store_as_it_was_saved)
{
	struct tu_reports r;
	struct store *st, *saved;
	const char *why;
	char *dir, *cache, name[32], text[512];
	int i;

	CHECK((dir = tu_mkdir()) != NULL && (cache = tu_mkdir()) != NULL);
	/* Days, months and years; shared and one-off tags, case variants. */
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "post-%03d.txt", i);
		snprintf(text, sizeof(text), "Title: Post %d\n"
		    "Date: %04d-%02d-%02d\nAuthor: %s\nTags: %s, t%d, %s\n"
		    "%s\nBody %d.\n=> /media/p%d.png a picture\n", i,
		    2001 + i % 7, 1 + i % 12, 1 + i % 28,
		    i % 3 ? "Ann" : "", i % 2 ? "News" : "news", i % 17,
		    i % 5 ? "Café" : "C++", i % 4 ? "Image: a view\n" : "", i, i);
		CHECK(tu_write(dir, name, text, -1) == 0);
	}
	CHECK(tu_write(dir, "c.txt", POST("C", "2001-02-03", "C", "C."),
	    -1) == 0);
	CHECK((st = update(NULL, dir, NULL, 0, &r)) != NULL);
	CHECK(st->nposts == 301);
	CHECK(catalog_save(st, index_path(cache)) == 0);
	CHECK((saved = catalog_load(index_path(cache), dir, &why)) != NULL);
	CHECK(same_store(st, saved) == 0);
	/* Saved again from the loaded store: the same file. */
	CHECK(catalog_save(saved, index_path(cache)) == 0);
	store_free(saved);
	CHECK((saved = catalog_load(index_path(cache), dir, &why)) != NULL);
	CHECK(same_store(st, saved) == 0);
	/* Its settings, as a start serves it. */
	CHECK(store_settle(saved, dir, NULL, tu_report, &r) == 0);
	CHECK(saved->site.gemini_port == 1965);
	store_free(saved);
	store_free(st);
	tu_rmdir(dir);
	tu_rmdir(cache);
}

/*
 * A crafted index (any byte changed, the checksum made right again) is
 * refused, or taken as a store that holds together: no crash (the ASan
 * build reads nothing out of bounds), every list and lookup sound.
 */
static int
sound_store(const struct store *st)
{
	const struct post *p;
	const struct tag *t;
	size_t i, j, k, sum = 0;

	for (i = 0; i < st->nposts; i++) {
		p = st->posts[i];
		if (p->index != i || !post_valid_slug(p->slug) ||
		    !post_valid_date(p->date) ||
		    !post_valid_value(p->title, 0) ||
		    !post_valid_value(p->author, 1) ||
		    !post_valid_tags(p->tags, p->ntags) ||
		    (i > 0 && strcmp(st->posts[i - 1]->date, p->date) < 0))
			return -1;
		if ((p = store_find_post(st, p->slug)) != NULL &&
		    strcmp(p->slug, st->posts[i]->slug) != 0)
			return -1;
		for (j = 0; j < st->posts[i]->ntags; j++) {
			t = st->posts[i]->tagp[j];
			for (k = 0; k < t->nposts && t->posts[k] !=
			    st->posts[i]; k++)
				;
			if (k == t->nposts)
				return -1;
		}
	}
	for (i = 0; i < st->ntags; i++) {
		t = st->tags[i];
		if (t->index != i || store_find_tag(st, t->slug) != t)
			return -1;
		for (j = 1; j < t->nposts; j++)
			if (t->posts[j - 1]->index >= t->posts[j]->index)
				return -1;
	}
	for (i = 0; i < st->nmonths; i++)
		sum += st->months[i].nposts;
	return sum == st->nposts ? 0 : -1;
}

TEST(catalog_crafted_anywhere_is_refused_or_sound)
{
	struct tu_reports r;
	struct store *st, *saved;
	const char *why;
	char *dir, *cache, *data, *copy;
	static const unsigned char flips[] = { 0x01, 0x80, 0xff };
	size_t len, i, k, taken = 0;
	uint64_t sum;
	FILE *f;

	CHECK((dir = tu_mkdir()) != NULL && (cache = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "a.txt", "Title: A\nDate: 2020-01-01\n"
	    "Author: Me\nTags: x, Y\nImage: a photo\n\nA.\n", -1) == 0);
	CHECK(tu_write(dir, "b.txt", POST("B", "2020-02-02", "y, z", "B."),
	    -1) == 0);
	CHECK(tu_write(dir, "c.txt", POST("C", "2019-02-02", "z", "C."),
	    -1) == 0);
	CHECK((st = update(NULL, dir, NULL, 0, &r)) != NULL);
	CHECK(catalog_save(st, index_path(cache)) == 0);
	CHECK((data = tu_read(index_path(cache), &len)) != NULL);
	CHECK((copy = malloc(len)) != NULL);
	for (i = 0; i + sizeof(sum) < len; i++)
		for (k = 0; k < sizeof(flips); k++) {
			memcpy(copy, data, len);
			copy[i] ^= (char)flips[k];
			sum = catalog_sum(copy, len - sizeof(sum));
			memcpy(copy + len - sizeof(sum), &sum, sizeof(sum));
			CHECK((f = fopen(index_path(cache), "wb")) != NULL);
			CHECK(fwrite(copy, 1, len, f) == len);
			fclose(f);
			if ((saved = catalog_load(index_path(cache), dir,
			    &why)) == NULL)
				continue;
			taken++;
			if (sound_store(saved) != 0)
				printf("    byte %zu ^ %02x: taken, unsound\n", i,
				    flips[k]);
			CHECK(sound_store(saved) == 0);
			store_free(saved);
		}
	/* Some changes are a store a post file could make ("A" to "@"). */
	CHECK(taken > 0);
	free(copy);
	free(data);
	store_free(st);
	tu_rmdir(dir);
	tu_rmdir(cache);
}
