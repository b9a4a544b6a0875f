/*
 * config_fuzz.c: libFuzzer target for the two settings files: the serve
 * --config file ("key value" lines) and the store's capsule.conf ("Key:
 * value" lines, Hostname ones checked like --hostname). The first byte
 * picks which. Both are read from a file, as the server reads them.
 *
 *   make fuzz FUZZERS=config FUZZ_SECONDS=600
 *
 * (new inputs go to build/fuzz/corpus/config, never into the seeds).
 */
#define _GNU_SOURCE	/* memfd_create */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "store.h"

static char fuzz_dir[] = "/tmp/capsule-config-fuzz-XXXXXX";
static int fuzz_dir_made;

/* Every host name that got in passes the check it went through. */
static void
fuzz_check_hosts(const char *const *h, size_t n)
{
	char out[256];
	size_t i;

	for (i = 0; i < n; i++)
		if (config_hostname(h[i], out, sizeof(out)) == -1 ||
		    strcmp(out, h[i]) != 0)
			__builtin_trap();
}

static void
fuzz_cleanup(void)
{
	char path[sizeof(fuzz_dir) + 20];

	snprintf(path, sizeof(path), "%s/capsule.conf", fuzz_dir);
	unlink(path);
	rmdir(fuzz_dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c;
	const char *hosts[CONFIG_MAX_HOSTNAMES];
	char path[sizeof(fuzz_dir) + 20], err[512];
	struct store *st;
	size_t i;
	FILE *f;
	int fd;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		/*
		 * Made once. Not told by the template's last letter: mkdtemp()
		 * may end the name with an X itself (one time in 62), and a
		 * second call on a name that is no template fails.
		 */
		if (!fuzz_dir_made) {
			if (mkdtemp(fuzz_dir) == NULL)
				abort();
			fuzz_dir_made = 1;
			atexit(fuzz_cleanup);
		}
		snprintf(path, sizeof(path), "%s/capsule.conf", fuzz_dir);
		if ((f = fopen(path, "w")) == NULL)
			abort();
		fwrite(data + 1, 1, size - 1, f);
		fclose(f);
		if ((st = store_load(fuzz_dir, NULL, NULL, NULL)) == NULL)
			return 0;
		fuzz_check_hosts(st->settings.hostnames,
		    st->settings.nhostnames);
		store_free(st);
		return 0;
	}
	if ((fd = memfd_create("capsule-conf", MFD_CLOEXEC)) == -1)
		abort();
	if (write(fd, data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	config_defaults(&c);
	if (config_load_file(&c, path, err, sizeof(err)) == 0) {
		if (c.nhostnames > CONFIG_MAX_HOSTNAMES ||
		    c.nlisten > CONFIG_MAX_LISTEN ||
		    memchr(c.content, '\0', sizeof(c.content)) == NULL)
			__builtin_trap();
		for (i = 0; i < c.nhostnames; i++)
			hosts[i] = c.hostnames[i];
		fuzz_check_hosts(hosts, c.nhostnames);
	} else if (memchr(err, '\0', sizeof(err)) == NULL)
		__builtin_trap();
	close(fd);
	return 0;
}
