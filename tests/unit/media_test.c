/*
 * media_test.c: the picture store (media.c): names from URLs, safe and
 * stable; types from magic numbers; atomic writes; opening for serving
 * refuses what is not a picture or not a name the store makes; the
 * import's index round trip.
 */
#define _XOPEN_SOURCE 700
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "media.h"
#include "router.h"
#include "store.h"
#include "test.h"
#include "testutil.h"

static const char *
name_of(const char *url, enum media_type t, unsigned salt)
{
	static char out[MEDIA_PATH_MAX + 1];

	if (media_name(url, t, salt, out, sizeof(out)) == -1)
		return "(refused)";
	return out;
}

TEST(media_name_keeps_the_wordpress_upload_path)
{
	CHECK_STR(name_of("https://site.example/wp-content/uploads/2019/09/"
	    "photo.jpg", MEDIA_JPEG, 0), "2019/09/photo.jpg");
	/* The same name for the same picture, however it was asked for. */
	CHECK_STR(name_of("https://i0.wp.com/site.example/wp-content/uploads/"
	    "2019/09/photo.jpg?resize=800%2C450&ssl=1", MEDIA_JPEG, 0),
	    "2019/09/photo.jpg");
	CHECK_STR(name_of("https://blog.files.wordpress.com/2019/09/a.png?w=300",
	    MEDIA_PNG, 0), "2019/09/a.png");
	CHECK_STR(name_of("https://site.example/wp-content/uploads/2019/09/"
	    "photo.JPEG", MEDIA_JPEG, 0), "2019/09/photo.JPEG");
	/* Not WordPress's: under the host's name. */
	CHECK_STR(name_of("http://User@CDN.Example:8080/img/x.gif#f", MEDIA_GIF,
	    0), "cdn.example/img/x.gif");
	CHECK_STR(name_of("no-scheme/x.jpg", MEDIA_JPEG, 0), "(refused)");
}

TEST(media_name_makes_unsafe_names_safe_and_keeps_them_apart)
{
	const char *a;
	char b[MEDIA_PATH_MAX + 1];

	/* Non-ASCII and spaces: replaced, and a hash of the URL added. */
	a = name_of("https://s.example/wp-content/uploads/2019/09/Caf%C3%A9%20"
	    "au%20lait.jpg", MEDIA_JPEG, 0);
	CHECK(strncmp(a, "2019/09/Caf---au-lait-", 22) == 0);
	CHECK(strlen(a) == 22 + 8 + 4 && strcmp(a + 30, ".jpg") == 0);
	CHECK(media_valid_path(a, strlen(a)));
	snprintf(b, sizeof(b), "%s", a);
	CHECK_STR(name_of("https://s.example/wp-content/uploads/2019/09/Caf%C3%A9%20"
	    "au%20lait.jpg", MEDIA_JPEG, 0), b);	/* stable */
	CHECK(strcmp(name_of("https://s.example/wp-content/uploads/2019/09/"
	    "Caf%C3%A8%20au%20lait.jpg", MEDIA_JPEG, 0), b) != 0);
	/* No way out of media/, no hidden files, no empty names. */
	a = name_of("https://s.example/wp-content/uploads/../../etc/%2e%2e/"
	    ".htaccess", MEDIA_PNG, 0);
	CHECK(strstr(a, "..") == NULL && strstr(a, "/.") == NULL &&
	    strncmp(a, "_./_./etc/_./_htaccess-", 23) == 0);
	CHECK(media_valid_path(a, strlen(a)));
	a = name_of("https://s.example/", MEDIA_GIF, 0);
	CHECK(strncmp(a, "s.example/picture-", 18) == 0 &&
	    strcmp(a + strlen(a) - 4, ".gif") == 0);
	/* The bytes' type decides the extension. */
	a = name_of("https://s.example/image.php?id=3", MEDIA_PNG, 0);
	CHECK(strncmp(a, "s.example/image.php-", 20) == 0 &&
	    strcmp(a + strlen(a) - 4, ".png") == 0);
	/* Another URL holding the name: a salt makes another. */
	CHECK(strcmp(name_of("https://s.example/wp-content/uploads/a.jpg",
	    MEDIA_JPEG, 1), "a.jpg") != 0);
	/* Bounded: long names cut, deep paths shortened. */
	{
		char url[4096];

		snprintf(url, sizeof(url), "https://s.example/a/b/c/d/e/f/g/h/"
		    "%0300d.jpg", 0);
		a = name_of(url, MEDIA_JPEG, 0);
		CHECK(strlen(a) <= MEDIA_PATH_MAX);
		CHECK(media_valid_path(a, strlen(a)));
	}
}

TEST(media_valid_path_refuses_what_names_never_are)
{
	static const char *const bad[] = { "", "/a.jpg", "a//b.jpg", "a/",
		"../a.jpg", "a/../b.jpg", ".index", "a/.part-x", "a b.jpg",
		"a/b%2e.jpg", "a\\b.jpg", "1/2/3/4/5/6/7.jpg", NULL };
	size_t i;

	for (i = 0; bad[i] != NULL; i++)
		CHECK(!media_valid_path(bad[i], strlen(bad[i])));
	CHECK(media_valid_path("2019/09/a-b_c.d.jpg", 19));
}

TEST(media_type_reads_magic_numbers_not_names)
{
	CHECK(media_type("\xff\xd8\xff\xe0", 4) == MEDIA_JPEG);
	CHECK(media_type("\x89PNG\r\n\x1a\n", 8) == MEDIA_PNG);
	CHECK(media_type("GIF89a", 6) == MEDIA_GIF);
	CHECK(media_type("GIF87a", 6) == MEDIA_GIF);
	CHECK(media_type("RIFF\x10\0\0\0WEBPVP8 ", 16) == MEDIA_WEBP);
	CHECK(media_type("<html><body>", 12) == MEDIA_NONE);
	CHECK(media_type("\xff\xd8", 2) == MEDIA_NONE);
	CHECK(media_type("RIFF\x10\0\0\0WAVE", 12) == MEDIA_NONE);
	CHECK_STR(media_mime(MEDIA_WEBP), "image/webp");
	CHECK(media_gopher_type(MEDIA_GIF) == 'g');
	CHECK(media_gopher_type(MEDIA_PNG) == 'I');
	CHECK(media_type_of_name("2019/a.JPG", 10) == MEDIA_JPEG);
	CHECK(media_type_of_name("a.gif/b", 7) == MEDIA_NONE);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_tree(char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

TEST(media_write_open_and_refuse)
{
	char *dir = tu_mkdir(), path[512];
	struct media_file mf;
	const char png[] = "\x89PNG\r\n\x1a\n rest of it";

	CHECK(dir != NULL);
	CHECK(media_write(dir, "2019/09/a.png", png, sizeof(png) - 1) == 0);
	CHECK(media_exists(dir, "2019/09/a.png"));
	CHECK(media_same(dir, "2019/09/a.png", png, sizeof(png) - 1));
	CHECK(!media_same(dir, "2019/09/a.png", png, sizeof(png) - 2));
	CHECK(media_open(dir, "2019/09/a.png", 13, &mf) == 0);
	CHECK(mf.type == MEDIA_PNG && mf.size == (long long)sizeof(png) - 1);
	close(mf.fd);
	/* The directories the server reads are readable by it. */
	snprintf(path, sizeof(path), "%s/media/2019", dir);
	{
		struct stat sb;

		CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0755);
	}
	/* Not a picture's bytes: refused, whatever its name says. */
	CHECK(media_write(dir, "2019/09/b.png", "<html>", 6) == 0);
	CHECK(media_open(dir, "2019/09/b.png", 13, &mf) == -1 &&
	    errno == EINVAL);
	CHECK(media_open(dir, "2019/09/none.png", 16, &mf) == -1 &&
	    errno == ENOENT);
	CHECK(media_open(dir, "../x.png", 8, &mf) == -1 && errno == ENOENT);
	CHECK(media_write(dir, "../x.png", png, 8) == -1);
	/* A symbolic link on the way is not followed. */
	snprintf(path, sizeof(path), "%s/media/link", dir);
	CHECK(symlink("2019", path) == 0);
	CHECK(media_open(dir, "link/09/a.png", 13, &mf) == -1);
	rm_tree(dir);
}

TEST(media_index_round_trip_and_lookup)
{
	char *dir = tu_mkdir();
	struct media_index ix;
	struct media_entry *e;
	char url[64], path[64];
	int i;

	CHECK(dir != NULL);
	CHECK(media_index_load(&ix, dir) == 0 && ix.n == 0);
	for (i = 0; i < 300; i++) {
		snprintf(url, sizeof(url), "https://s.example/%d.jpg", i);
		snprintf(path, sizeof(path), "s.example/%d.jpg", i);
		CHECK(media_index_set(&ix, url, path, i % 2 ? "\"e\"" : "",
		    "Tue, 01 Oct 2019 10:00:00 GMT") != NULL);
	}
	CHECK(media_index_set(&ix, "https://s.example/7.jpg", "s.example/x.jpg",
	    "\"new\"", "") != NULL);
	CHECK(media_index_save(&ix, dir) == 0);
	media_index_free(&ix);
	CHECK(media_index_load(&ix, dir) == 0 && ix.n == 300);
	CHECK((e = media_index_url(&ix, "https://s.example/7.jpg")) != NULL);
	CHECK_STR(e->path, "s.example/x.jpg");
	CHECK_STR(e->etag, "\"new\"");
	CHECK(media_index_path(&ix, "s.example/x.jpg") == e);
	CHECK(media_index_path(&ix, "s.example/7.jpg") == NULL);
	CHECK((e = media_index_url(&ix, "https://s.example/299.jpg")) != NULL);
	CHECK_STR(e->modified, "Tue, 01 Oct 2019 10:00:00 GMT");
	media_index_free(&ix);
	rm_tree(dir);
}

/* A post's pictures: counted when loaded, routed, listed as I/g items. */
TEST(media_post_pictures_are_counted_routed_and_listed)
{
	char *dir = tu_mkdir();
	struct store *st;
	struct route r;
	struct buf b;

	CHECK(dir != NULL);
	CHECK(tu_write(dir, "p.txt", "Title: P\nDate: 2020-01-01\n\n"
	    "=> /media/2019/09/a.png A\n\n```\n=> /media/in/pre.png\n```\n"
	    "=> /media/b.gif\n=> https://e.example/c.png C\n", (size_t)-1) ==
	    0);
	CHECK(tu_write(dir, "q.txt", "Title: Q\nDate: 2020-01-02\n\nText.\n",
	    (size_t)-1) == 0);
	CHECK((st = tu_load(dir, NULL)) != NULL);
	CHECK(store_find_post(st, "p")->npictures == 2);
	CHECK(store_find_post(st, "q")->npictures == 0);
	router_match(st, "/media/2019/09/a.png", 20, &r);
	CHECK(r.kind == ROUTE_MEDIA && strcmp(r.target, "2019/09/a.png") == 0);
	router_match(st, "/media/%2e%2e/p.txt", 19, &r);
	CHECK(r.kind != ROUTE_MEDIA);
	router_match(st, "/media/.index", 13, &r);
	CHECK(r.kind == ROUTE_NOT_FOUND);
	router_match(st, "/pictures/p/", 12, &r);
	CHECK(r.kind == ROUTE_PICTURES);
	router_match(st, "/pictures/p", 11, &r);
	CHECK(r.kind == ROUTE_REDIRECT && strcmp(r.target, "/pictures/p/") == 0);
	router_match(st, "/pictures/q/", 12, &r);
	CHECK(r.kind == ROUTE_NOT_FOUND);	/* no pictures, no menu */
	buf_init(&b);
	CHECK(tu_render(st, PROTO_GOPHER, "/pictures/p/", &b) == 0);
	CHECK(strstr(b.data, "IA\t/media/2019/09/a.png\texample.org\t7070\r\n")
	    != NULL);
	CHECK(strstr(b.data, "gb.gif\t/media/b.gif\texample.org\t7070\r\n") !=
	    NULL);
	CHECK(strstr(b.data, "pre.png") == NULL);
	CHECK(tu_render(st, PROTO_GOPHER, "/posts/", &b) == 0);
	CHECK(strstr(b.data, "1    2 pictures\t/pictures/p/\texample.org\t7070"
	    "\r\n") != NULL);
	CHECK(tu_render(st, PROTO_GOPHER, "/posts/p", &b) == 0);
	CHECK(strstr(b.data, "[2] gopher://example.org:7070/g/media/b.gif\r\n")
	    != NULL);
	buf_free(&b);
	store_free(st);
	rm_tree(dir);
}
