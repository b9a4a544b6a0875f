/* config_test.c: serve flags, the config file, and which one wins. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "store.h"
#include "test.h"
#include "testutil.h"

static int
parse(struct config *c, char *err, size_t errsz, ...)
{
	char *argv[32];
	va_list ap;
	int argc = 0;

	va_start(ap, errsz);
	argv[argc++] = "serve";
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	config_defaults(c);
	err[0] = '\0';
	return config_parse_args(c, argc, argv, err, errsz);
}

TEST(config_defaults_are_documented_ones)
{
	struct config c;

	config_defaults(&c);
	CHECK_STR(c.content, "content");
	CHECK_STR(c.cert_dir, "certs");
	CHECK(c.gemini_port == 1965 && c.gopher_port == 70);
	CHECK(c.nhostnames == 0 && c.nlisten == 0);
	/* 0: derived from the open-file limit when serving. */
	CHECK(c.workers >= 1 && c.max_conns == 0);
	CHECK(c.wait_ms == 10000);
	CHECK(!c.foreground && c.user[0] == '\0' && c.access_log[0] == '\0');
}

TEST(config_flags)
{
	struct config c;
	char err[256];

	CHECK(parse(&c, err, sizeof(err), "--content", "/srv/posts",
	    "--hostname", "Example.ORG", "--hostname=b.example",
	    "--listen", "127.0.0.1", "--listen", "[::1]", "--gemini-port",
	    "11965", "--gopher-port=0", "--cert-dir", "/k", "--workers", "3",
	    "--user", "www", "--access-log", "-", "--foreground",
	    "--max-conns", "7", "--request-timeout", "0.25", NULL) == 0);
	CHECK_STR(c.content, "/srv/posts");
	CHECK(c.nhostnames == 2);
	CHECK_STR(c.hostnames[0], "example.org");
	CHECK_STR(c.hostnames[1], "b.example");
	CHECK(c.nlisten == 2);
	CHECK_STR(c.listen[1], "[::1]");
	CHECK(c.gemini_port == 11965 && c.gopher_port == 0);
	CHECK_STR(c.cert_dir, "/k");
	CHECK(c.workers == 3 && c.max_conns == 7 && c.foreground);
	CHECK_STR(c.user, "www");
	CHECK_STR(c.access_log, "-");
	CHECK(c.wait_ms == 250);
}

TEST(config_bad_flags)
{
	struct config c;
	char err[256];

	CHECK(parse(&c, err, sizeof(err), "--nope", NULL) == -1);
	CHECK(strstr(err, "--nope") != NULL);
	CHECK(parse(&c, err, sizeof(err), "--gemini-port", NULL) == -1);
	CHECK(parse(&c, err, sizeof(err), "--gemini-port", "65536",
	    NULL) == -1);
	CHECK(parse(&c, err, sizeof(err), "--workers", "0", NULL) == -1);
	CHECK(parse(&c, err, sizeof(err), "--workers", "2x", NULL) == -1);
	CHECK(parse(&c, err, sizeof(err), "--hostname", "../etc", NULL) ==
	    -1);
	CHECK(parse(&c, err, sizeof(err), "--hostname", "a/b", NULL) == -1);
	CHECK(parse(&c, err, sizeof(err), "--foreground=maybe", NULL) == -1);
	CHECK(parse(&c, err, sizeof(err), "stray", NULL) == -1);
	CHECK(parse(&c, err, sizeof(err), "--config", "/nonexistent/x",
	    NULL) == -1);
	CHECK(strstr(err, "/nonexistent/x") != NULL);
}

TEST(config_file_then_flags)
{
	struct config c;
	char *dir = tu_mkdir(), path[1100], arg[1200], err[256];

	CHECK(dir != NULL);
	snprintf(path, sizeof(path), "%s/capsule.conf", dir);
	CHECK(tu_write(dir, "capsule.conf",
	    "# settings\n"
	    "  content   /srv/capsule  \n"
	    "\n"
	    "hostname a.example\n"
	    "hostname b.example\n"
	    "gopher-port 7070\n"
	    "foreground\n"
	    "listen 127.0.0.1\n", (size_t)-1) == 0);
	snprintf(arg, sizeof(arg), "--config=%s", path);
	CHECK(parse(&c, err, sizeof(err), "--hostname", "c.example", arg,
	    "--gopher-port", "7071", NULL) == 0);
	CHECK_STR(c.content, "/srv/capsule");
	/* A list given by flags replaces the file's. */
	CHECK(c.nhostnames == 1);
	CHECK_STR(c.hostnames[0], "c.example");
	CHECK(c.nlisten == 1);
	CHECK(c.gopher_port == 7071 && c.foreground);
	CHECK(tu_write(dir, "capsule.conf", "content x\nworkers many\n",
	    (size_t)-1) == 0);
	CHECK(parse(&c, err, sizeof(err), "--config", path, NULL) == -1);
	CHECK(strstr(err, "capsule.conf:2: workers") != NULL);
	CHECK(tu_write(dir, "capsule.conf", "help\n", (size_t)-1) == 0);
	CHECK(parse(&c, err, sizeof(err), "--config", path, NULL) == -1);
	CHECK(strstr(err, "capsule.conf:1: unknown setting") != NULL);
	tu_rmdir(dir);
}

TEST(config_cache_size_takes_bytes_with_a_unit)
{
	struct config c;
	char err[256];

	config_defaults(&c);
	CHECK(c.cache_size == 64u * 1024 * 1024);
	CHECK(parse(&c, err, sizeof(err), "--cache-size", "512K", NULL) == 0);
	CHECK(c.cache_size == 512u * 1024);
	CHECK(parse(&c, err, sizeof(err), "--cache-size=2G", NULL) == 0);
	CHECK(c.cache_size == 2048ul * 1024 * 1024);
	CHECK(parse(&c, err, sizeof(err), "--cache-size", "0", NULL) == 0);
	CHECK(c.cache_size == 0);
	CHECK(parse(&c, err, sizeof(err), "--cache-size", "100MB", NULL) == 0);
	CHECK(c.cache_size == 100u * 1024 * 1024);
	CHECK(parse(&c, err, sizeof(err), "--cache-size", "-1", NULL) == -1);
	CHECK(strstr(err, "cache-size") != NULL);
	CHECK(parse(&c, err, sizeof(err), "--cache-size", "12X", NULL) == -1);
	CHECK(parse(&c, err, sizeof(err), "--cache-size", "", NULL) == -1);
	CHECK(parse(&c, err, sizeof(err), "--cache-size", "99999G",
	    NULL) == -1);
}

/*
 * capsule.conf's Hostname lines name cert files and go into every Gopher
 * menu line, so they pass the --hostname check: no path, no TAB.
 */
TEST(config_store_hostnames_are_checked_like_the_flag)
{
	struct tu_reports r;
	struct store *st;
	char *dir;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "capsule.conf",
	    "Hostname: ../../x\n"
	    "Hostname: a\tb.example\n"
	    "Hostname: /etc/passwd\n"
	    "Hostname: Gem.Example.NET\n", -1) == 0);
	memset(&r, 0, sizeof(r));
	CHECK((st = store_load(dir, NULL, tu_report, &r)) != NULL);
	CHECK(st->settings.nhostnames == 1);
	CHECK_STR(st->settings.hostnames[0], "gem.example.net");
	CHECK(r.n == 3);
	CHECK(tu_reports_find(&r, "Hostname ignored") != NULL);
	store_free(st);
	tu_rmdir(dir);
}

TEST(config_hostname_check)
{
	char out[256];

	CHECK(config_hostname("ok.example", out, sizeof(out)) == 0);
	CHECK(config_hostname("::1", out, sizeof(out)) == 0);
	CHECK(config_hostname("../x", out, sizeof(out)) == -1);
	CHECK(config_hostname("a/b", out, sizeof(out)) == -1);
	CHECK(config_hostname("a\tb", out, sizeof(out)) == -1);
	CHECK(config_hostname(".hidden", out, sizeof(out)) == -1);
	CHECK(config_hostname("", out, sizeof(out)) == -1);
}

/* RFC 1123 names or IP literals, nothing else: they name key files. */
TEST(config_hostname_is_rfc1123_or_an_address)
{
	static const char *good[] = { "localhost", "a.example", "x1-y.b2",
	    "EXAMPLE.ORG", "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1",
	    "0a.example", NULL };
	static const char *bad[] = { "-lead.example", "trail-.example",
	    "a.-b.example", "host:1965", "a_b.example", "a..b", "a.example.",
	    "[::1]", "::1]", "a b", "caf\xc3\xa9.example", "a.example:70",
	    "a-", NULL };
	char out[256], big[300];
	size_t i;

	for (i = 0; good[i] != NULL; i++)
		if (config_hostname(good[i], out, sizeof(out)) == -1) {
			printf("    refused: %s\n", good[i]);
			CHECK(0);
		}
	for (i = 0; bad[i] != NULL; i++)
		if (config_hostname(bad[i], out, sizeof(out)) == 0) {
			printf("    accepted: %s\n", bad[i]);
			CHECK(0);
		}
	/* A label is at most 63 bytes. */
	memset(big, 'a', 64);
	memcpy(big + 64, ".example", 9);
	CHECK(config_hostname(big, out, sizeof(out)) == -1);
	CHECK(config_hostname(big + 1, out, sizeof(out)) == 0);
}

/* capsule.conf says where: "path:line: Hostname ignored". */
TEST(config_store_hostname_refusal_names_its_line)
{
	struct tu_reports r;
	struct store *st;
	char *dir;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "capsule.conf",
	    "Title: t\n"
	    "Hostname: -lead.example\n"
	    "Hostname: host:1965\n"
	    "Hostname: ok.example\n", -1) == 0);
	memset(&r, 0, sizeof(r));
	CHECK((st = store_load(dir, NULL, tu_report, &r)) != NULL);
	CHECK(st->settings.nhostnames == 1);
	CHECK_STR(st->settings.hostnames[0], "ok.example");
	CHECK(r.n == 2);
	CHECK(tu_reports_find(&r, "capsule.conf:2: Hostname ignored") != NULL);
	CHECK(tu_reports_find(&r, "capsule.conf:3: Hostname ignored") != NULL);
	store_free(st);
	tu_rmdir(dir);
}
