/*
 * main.c: the command line. Sub-commands: serve (the default), render,
 * check, export, import. Only this file and the sub-command entry points exit.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cert.h"
#include "config.h"
#include "export.h"
#include "file.h"
#include "gopher.h"
#include "import.h"
#include "media.h"
#include "page.h"
#include "server.h"
#include "snapshot.h"
#include "store.h"
#include "url.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: capsule [serve] [flags]       serve Gemini and Gopher "
	    "(see capsule serve --help)\n"
	    "       capsule render [--gemini|--gopher] [--content DIR] "
	    "[--hostname NAME]\n"
	    "                      [--gopher-port N] PATH[?QUERY]\n"
	    "       capsule check [--content DIR]\n"
	    "       capsule cert [--cert-dir DIR] [--content DIR] "
	    "[--hostname NAME]...\n"
	    "       capsule export --out DIR [flags]  (see capsule export "
	    "--help)\n"
	    "       capsule import [--content DIR] [--dry-run] [--drafts] "
	    "[--force] SOURCE...\n"
	    "       capsule --version | --help\n");
}

/* Prints each store problem as "path:line: message" on stderr. */
static void
main_report(void *arg, const char *path, int line, const char *msg)
{
	int *count = arg;

	if (line > 0)
		fprintf(stderr, "%s:%d: %s\n", path, line, msg);
	else
		fprintf(stderr, "%s: %s\n", path, msg);
	(*count)++;
}

/*
 * Loads the store, reading only the posts changed since the server last
 * saved its index (never writing it: check and render only read).
 */
static struct store *
main_load(const char *content, const struct site *site, int *problems)
{
	struct store *saved = NULL, *st;
	char dir[1024], path[1200];
	const char *why;

	catalog_default_dir(dir, sizeof(dir));
	if (catalog_path(dir, content, path, sizeof(path)) == 0)
		saved = catalog_load(path, content, &why);
	st = store_update(saved, content, site, NULL, 0, 0,
	    main_report, problems);
	store_free(saved);
	return st;
}

/* Parses the flags render and check share; returns the first operand. */
static int
main_common_flags(int argc, char **argv, const char **content,
    struct site *site, enum proto *proto)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--gemini") == 0)
			*proto = PROTO_GEMINI;
		else if (strcmp(argv[i], "--gopher") == 0)
			*proto = PROTO_GOPHER;
		else if (strcmp(argv[i], "--content") == 0 && i + 1 < argc)
			*content = argv[++i];
		else if (strcmp(argv[i], "--hostname") == 0 && i + 1 < argc)
			site->host = argv[++i];
		else if (strcmp(argv[i], "--gopher-port") == 0 && i + 1 < argc)
			site->gopher_port = atoi(argv[++i]);
		else if (strcmp(argv[i], "--gemini-port") == 0 && i + 1 < argc)
			site->gemini_port = atoi(argv[++i]);
		else if (strcmp(argv[i], "--") == 0)
			return i + 1;
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "capsule %s: unknown flag %s\n",
			    argv[0], argv[i]);
			return -1;
		} else
			return i;
	}
	return i;
}

/* capsule render: one document to stdout, no network. */
static int
main_render(int argc, char **argv)
{
	const char *content = "content", *arg, *q;
	struct site site = { NULL, 1965, 70, 0 };
	enum proto proto = PROTO_GEMINI;
	struct snapshot *sn;
	struct store *st;
	struct page pg;
	char query[1024], target[URL_PATH_MAX + 2];
	int i, hops, problems = 0, rc = 0;

	if ((i = main_common_flags(argc, argv, &content, &site, &proto)) ==
	    -1 || i != argc - 1) {
		usage(stderr);
		return 2;
	}
	arg = argv[i];
	if ((st = main_load(content, &site, &problems)) == NULL)
		return 1;
	/* Only a search needs the index, and building it reads every post. */
	if ((sn = snapshot_new(st, strncmp(arg, "/search", 7) == 0 ?
	    SNAPSHOT_SEARCH : 0)) == NULL) {
		fprintf(stderr, "capsule render: out of memory\n");
		return 1;
	}
	query[0] = '\0';
	/* The query is percent-encoded, as a Gemini client would send it. */
	if ((q = strchr(arg, '?')) != NULL &&
	    url_decode(q + 1, strlen(q + 1), query, sizeof(query)) == -1) {
		fprintf(stderr, "capsule render: bad percent-encoding in "
		    "the query\n");
		snapshot_unref(sn);
		return 1;
	}
	if (page_get(sn, proto, arg, q ? (size_t)(q - arg) : strlen(arg),
	    q ? query : NULL, &pg) == -1)
		rc = 1;
	/* Gopher has no redirect: the live server serves the target. */
	for (hops = 0; rc == 0 && proto == PROTO_GOPHER && pg.status == 31 &&
	    hops < GOPHER_MAX_REDIRECTS; hops++) {
		snprintf(target, sizeof(target), "%s", pg.meta);
		page_release(&pg);
		if (page_get(sn, proto, target, strlen(target), q ? query :
		    NULL, &pg) == -1)
			rc = 1;
	}
	if (rc == 0 && pg.status != 20) {
		fprintf(stderr, "%d %s\n", pg.status, pg.meta);
		if (proto == PROTO_GOPHER && pg.len > 0)
			fwrite(pg.body, 1, pg.len, stdout);
		rc = 1;
	} else if (rc == 0 && fwrite(pg.body, 1, pg.len, stdout) != pg.len)
		rc = 1;
	page_release(&pg);
	snapshot_unref(sn);
	return rc;
}

/*
 * A post's pictures that the picture store does not hold, each said as
 * "path:line: ..." like the store's problems; returns how many.
 */
static int
main_check_pictures(const char *content, const struct store *st,
    const struct post *p)
{
	char rel[MEDIA_PATH_MAX + 1], path[2048], *text;
	const char *body;
	struct post_link l;
	size_t len, at = 0, line = 0, head = 1, i;
	int pre = 0, missing = 0;

	if (p->npictures == 0 ||
	    store_post_path(st, p, path, sizeof(path)) == NULL ||
	    (text = file_read(path, POST_MAX_SIZE, &len, NULL)) == NULL)
		return 0;
	/* The body starts after the first blank line; lines count from 1. */
	for (body = text, i = 0; i < len; i++)
		if (text[i] == '\n') {
			if (i + 1 < len && (text[i + 1] == '\n' ||
			    (text[i + 1] == '\r' && i + 2 < len &&
			    text[i + 2] == '\n'))) {
				body = text + i + (text[i + 1] == '\r' ? 3 : 2);
				head++;
				break;
			}
			head++;
		}
	while (post_next_picture(body, len - (size_t)(body - text), &at, &pre,
	    &line, &l)) {
		if (l.url_len - 7 > MEDIA_PATH_MAX)
			continue;
		memcpy(rel, l.url + 7, l.url_len - 7);
		rel[l.url_len - 7] = '\0';
		if (media_exists(content, rel))
			continue;
		fprintf(stderr, "%s:%zu: the picture %.*s is not in %s/"
		    MEDIA_DIR "/\n", path, head + line, (int)l.url_len,
		    l.url, content);
		missing++;
	}
	free(text);
	return missing;
}

/* capsule check: loads the store and lists every problem. */
static int
main_check(int argc, char **argv)
{
	const char *content = "content";
	struct site site = { NULL, 1965, 70, 0 };
	enum proto proto = PROTO_GEMINI;
	struct store *st;
	int i, problems = 0;

	if ((i = main_common_flags(argc, argv, &content, &site, &proto)) ==
	    -1 || i != argc) {
		usage(stderr);
		return 2;
	}
	if ((st = main_load(content, &site, &problems)) == NULL)
		return 1;
	/* The store counts every problem, as the reload log does. */
	problems = st->nproblems;
	for (i = 0; i < (int)st->nposts; i++)
		problems += main_check_pictures(content, st, st->posts[i]);
	printf("%s: %zu posts, %zu tags, %d problem%s\n", content, st->nposts,
	    st->ntags, problems, problems == 1 ? "" : "s");
	store_free(st);
	return problems > 0;
}

static void
main_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/*
 * capsule cert: the fingerprints of the served certificates, as clients
 * show them, to compare with what a client asks the reader to trust.
 */
static int
main_cert(int argc, char **argv)
{
	const char *content = "content", *dir = "certs";
	const char *names[STORE_MAX_HOSTNAMES];
	char crt[2048], key[2048], err[2100];
	struct cert_prints cp;
	struct store *st = NULL;
	size_t i, n = 0;
	int problems = 0, rc = 0;

	for (i = 1; i < (size_t)argc; i++) {
		if (strcmp(argv[i], "--cert-dir") == 0 && i + 1 < (size_t)argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--content") == 0 &&
		    i + 1 < (size_t)argc)
			content = argv[++i];
		else if (strcmp(argv[i], "--hostname") == 0 &&
		    i + 1 < (size_t)argc && n < STORE_MAX_HOSTNAMES)
			names[n++] = argv[++i];
		else {
			usage(stderr);
			return 2;
		}
	}
	/* Without --hostname, the names capsule.conf gives the server. */
	if (n == 0) {
		/* The settings only: no need to read every post. */
		if ((st = store_update(NULL, content, NULL, NULL, 0,
		    STORE_NO_POSTS, main_report, &problems)) == NULL)
			return 1;
		for (i = 0; i < st->settings.nhostnames; i++)
			names[n++] = st->settings.hostnames[i];
	}
	if (n == 0) {
		fprintf(stderr, "capsule cert: no host names: give --hostname "
		    "NAME or a Hostname line in %s/capsule.conf\n", content);
		rc = 1;
	}
	for (i = 0; i < n; i++) {
		if (cert_paths(dir, names[i], crt, key, sizeof(crt)) == -1 ||
		    cert_prints(crt, &cp, err, sizeof(err)) == -1) {
			fprintf(stderr, "capsule cert: %s: %s\n", names[i],
			    err);
			rc = 1;
			continue;
		}
		printf("%s: %s\n", names[i], crt);
		cert_log_prints(names[i], &cp, main_say);
	}
	store_free(st);
	return rc;
}

int
main(int argc, char **argv)
{
	if (argc > 1) {
		if (strcmp(argv[1], "render") == 0)
			return main_render(argc - 1, argv + 1);
		if (strcmp(argv[1], "check") == 0)
			return main_check(argc - 1, argv + 1);
		if (strcmp(argv[1], "cert") == 0)
			return main_cert(argc - 1, argv + 1);
		if (strcmp(argv[1], "export") == 0)
			return export_main(argc - 1, argv + 1);
		if (strcmp(argv[1], "import") == 0)
			return import_main(argc - 1, argv + 1);
		if (strcmp(argv[1], "serve") == 0)
			return serve_main(argc - 1, argv + 1);
		if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[1], "--version") == 0) {
			printf("capsule %s\n", CAPSULE_VERSION);
			return 0;
		}
	}
	/* No sub-command, or only flags: serve. */
	return serve_main(argc, argv);
}
