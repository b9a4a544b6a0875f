/* main.c: runs every registered unit test and prints the tally. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

#define TEST_MAX 1024

static struct {
	const char	*name;
	test_fn		 fn;
} tests[TEST_MAX];
static int ntests;
static int failed_now;

void
test_register(const char *name, test_fn fn)
{
	if (ntests < TEST_MAX) {
		tests[ntests].name = name;
		tests[ntests].fn = fn;
		ntests++;
	}
}

void
test_fail(const char *file, int line, const char *what)
{
	failed_now = 1;
	printf("    %s:%d: check failed: %s\n", file, line, what);
}

void
test_fail_diff(const char *file, int line, const char *want, const char *got,
    size_t glen)
{
	char wpath[] = "/tmp/capsule-want-XXXXXX";
	char gpath[] = "/tmp/capsule-got-XXXXXX";
	char cmd[256];
	int wfd, gfd;

	failed_now = 1;
	printf("    %s:%d: output differs (- want, + got):\n", file, line);
	fflush(stdout);
	if ((wfd = mkstemp(wpath)) == -1)
		return;
	if ((gfd = mkstemp(gpath)) == -1) {
		close(wfd);
		unlink(wpath);
		return;
	}
	if (write(wfd, want, strlen(want)) < 0 || write(gfd, got, glen) < 0)
		printf("    (could not write the diff)\n");
	close(wfd);
	close(gfd);
	snprintf(cmd, sizeof(cmd), "diff -u %s %s | tail -n +3 | head -60 | "
	    "sed 's/^/    /'", wpath, gpath);
	if (system(cmd) == -1)
		printf("    (diff did not run)\n");
	unlink(wpath);
	unlink(gpath);
}

const char *
test_root(void)
{
	const char *r = getenv("CAPSULE_ROOT");

	return r ? r : ".";
}

int
main(int argc, char **argv)
{
	int i, passed = 0, failed = 0;

	for (i = 0; i < ntests; i++) {
		if (argc > 1 && strstr(tests[i].name, argv[1]) == NULL)
			continue;
		failed_now = 0;
		tests[i].fn();
		if (failed_now) {
			printf("FAIL %s\n", tests[i].name);
			failed++;
		} else {
			printf("ok   %s\n", tests[i].name);
			passed++;
		}
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
