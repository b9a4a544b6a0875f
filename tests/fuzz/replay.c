/*
 * replay.c: runs the fuzz harnesses over their saved corpora without
 * libFuzzer, so `make check` replays every input under ASan and UBSan
 * with whatever compiler builds the rest. Each harness is compiled with
 * its LLVMFuzzerTestOneInput renamed to fuzz_<name>.
 *
 * usage: fuzz_replay NAME FILE-OR-DIR...
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLAY_MAX_INPUT	(1024 * 1024)

typedef int (*fuzz_fn)(const uint8_t *, size_t);

#define FUZZ_HARNESSES(X) X(url) X(post) X(search) X(gemini) X(gopher) \
	X(config) X(proxy) X(tls) X(html) X(xmlrepair)
#define FUZZ_DECLARE(n) int fuzz_##n(const uint8_t *, size_t);
#define FUZZ_ENTRY(n) { #n, fuzz_##n },
FUZZ_HARNESSES(FUZZ_DECLARE)

static const struct {
	const char	*name;
	fuzz_fn		 fn;
} harnesses[] = { FUZZ_HARNESSES(FUZZ_ENTRY) };

static unsigned long ninputs;

static int
replay_file(fuzz_fn fn, const char *path)
{
	static unsigned char buf[REPLAY_MAX_INPUT];
	unsigned char *copy;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	/* An input of its own size, as libFuzzer gives: overreads show. */
	if ((copy = malloc(n ? n : 1)) == NULL)
		return -1;
	memcpy(copy, buf, n);
	fn(copy, n);
	free(copy);
	ninputs++;
	return 0;
}

static int
replay_path(fuzz_fn fn, const char *path)
{
	char sub[4096];
	struct dirent *e;
	struct stat sb;
	DIR *d;
	int rc = 0;

	if (stat(path, &sb) == -1) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(sb.st_mode))
		return replay_file(fn, path);
	if ((d = opendir(path)) == NULL) {
		perror(path);
		return -1;
	}
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rc = replay_path(fn, sub);
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	size_t i;
	int k;

	if (argc < 3) {
		fprintf(stderr, "usage: fuzz_replay NAME FILE-OR-DIR...\n");
		return 2;
	}
	for (i = 0; i < sizeof(harnesses) / sizeof(harnesses[0]); i++)
		if (strcmp(harnesses[i].name, argv[1]) == 0)
			break;
	if (i == sizeof(harnesses) / sizeof(harnesses[0])) {
		fprintf(stderr, "fuzz_replay: no harness \"%s\"\n", argv[1]);
		return 2;
	}
	for (k = 2; k < argc; k++)
		if (replay_path(harnesses[i].fn, argv[k]) == -1)
			return 1;
	printf("%s: %lu inputs replayed\n", argv[1], ninputs);
	return 0;
}
