/*
 * sandbox_test.c: which directories the sandbox opens up: the content's
 * parent (a replaced content directory stays readable) and the access
 * log's own directory (a rotated log is made anew) only when it holds
 * nothing but that log.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"
#include "test.h"

static void
touch(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT, 0600)) != -1)
		close(fd);
}

static void
rm_rf(const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	(void)system(cmd);
}

TEST(sandbox_content_root_is_the_resolved_parent)
{
	char tmpl[] = "/tmp/capsule-sandbox-test.XXXXXX", real[PATH_MAX];
	char path[PATH_MAX], link[PATH_MAX], root[PATH_MAX];
	char want[PATH_MAX + 16];
	char *d;

	CHECK((d = mkdtemp(tmpl)) != NULL);
	CHECK(realpath(d, real) != NULL);
	snprintf(path, sizeof(path), "%s/releases", d);
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/releases/a", d);
	CHECK(mkdir(path, 0700) == 0);
	/* A plain directory: its parent. */
	CHECK(sandbox_content_root(path, root, sizeof(root)) == 1);
	snprintf(want, sizeof(want), "%s/releases", real);
	CHECK_STR(root, want);
	/* A symlink to a release: the releases' directory, not the link's. */
	snprintf(link, sizeof(link), "%s/content", d);
	CHECK(symlink("releases/a", link) == 0);
	CHECK(sandbox_content_root(link, root, sizeof(root)) == 1);
	CHECK_STR(root, want);
	/* A directory at the root: itself, never "/". */
	CHECK(sandbox_content_root("/tmp", root, sizeof(root)) == 0);
	CHECK_STR(root, "/tmp");
	rm_rf(d);
}

TEST(sandbox_log_dir_only_when_it_holds_only_the_log)
{
	char tmpl[] = "/tmp/capsule-sandbox-test.XXXXXX", real[PATH_MAX];
	char log[PATH_MAX], out[PATH_MAX + 64], sub[PATH_MAX];
	char *d;

	CHECK((d = mkdtemp(tmpl)) != NULL);
	CHECK(realpath(d, real) != NULL);
	touch(d, "access.log");
	snprintf(log, sizeof(log), "%s/access.log", d);
	CHECK(sandbox_log_dir(log, out, sizeof(out)) == 1);
	CHECK_STR(out, real);
	/* Its rotations, logrotate's names included, are fine. */
	touch(d, "access.log.1");
	touch(d, "access.log.2.gz");
	touch(d, "access.log-20261203");
	CHECK(sandbox_log_dir(log, out, sizeof(out)) == 1);
	/* Anything else is not. */
	touch(d, "notes.txt");
	CHECK(sandbox_log_dir(log, out, sizeof(out)) == 0);
	CHECK(strstr(out, "notes.txt") != NULL);
	snprintf(sub, sizeof(sub), "%s/notes.txt", d);
	unlink(sub);
	/* A directory named like a rotation is not a log. */
	snprintf(sub, sizeof(sub), "%s/access.log.d", d);
	CHECK(mkdir(sub, 0700) == 0);
	CHECK(sandbox_log_dir(log, out, sizeof(out)) == 0);
	/* A log that is not there: nothing to say. */
	snprintf(log, sizeof(log), "%s/missing/access.log", d);
	CHECK(sandbox_log_dir(log, out, sizeof(out)) == -1);
	rm_rf(d);
}
