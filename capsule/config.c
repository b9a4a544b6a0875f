/*
 * config.c: the serve settings. One table describes every setting, so a
 * flag and a config file line are the same thing and --help cannot drift
 * from what is parsed.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "config.h"
#include "proxy.h"
#include "ratelimit.h"

#define CONFIG_LINE_MAX		2048	/* bytes in one config file line */
#define CONFIG_MAX_WORKERS	256
#define CONFIG_MAX_CONNS	100000
#define CONFIG_DEFAULT_WAIT_MS	10000	/* handshake and request read */

enum config_kind {
	CONFIG_STR,	/* a path or a name, into a char array */
	CONFIG_INT,	/* an integer in [min, max] */
	CONFIG_MS,	/* seconds (decimals allowed), stored as ms */
	CONFIG_SIZE,	/* bytes with an optional K, M or G, as size_t */
	CONFIG_HOST,	/* appends to hostnames[] */
	CONFIG_LISTEN,	/* appends to listen[] */
	CONFIG_BOOL,	/* a flag; in a file "yes"/"no" or nothing */
	CONFIG_RATE,	/* "N/SECONDS" into rate_max, rate_secs */
	CONFIG_PROXY_FROM,	/* appends to proxy_from[] */
	CONFIG_FILE,	/* --config: only a flag */
	CONFIG_HELP,
	CONFIG_VERSION,
};

struct config_opt {
	const char		*name;
	enum config_kind	 kind;
	size_t			 off;	/* into struct config */
	size_t			 size;	/* CONFIG_STR: the array's size */
	long			 min, max;
	const char		*arg;	/* for --help; NULL: takes no value */
	const char		*help;	/* NULL: hidden */
};

#define OFF(f)	offsetof(struct config, f)
#define SZ(f)	sizeof(((struct config *)0)->f)

static const struct config_opt config_opts[] = {
	{ "config", CONFIG_FILE, 0, 0, 0, 0, "FILE",
	    "read settings from FILE first (\"key value\" lines)" },
	{ "content", CONFIG_STR, OFF(content), SZ(content), 0, 0, "DIR",
	    "the post store (default: content)" },
	{ "hostname", CONFIG_HOST, 0, 0, 0, 0, "NAME",
	    "a host name served, repeatable; the first goes into Gopher\n"
	    "menus (default: the Hostname lines of capsule.conf)" },
	{ "listen", CONFIG_LISTEN, 0, 0, 0, 0, "ADDR",
	    "an address to listen on, repeatable (default: every IPv4\n"
	    "and IPv6 address)" },
	{ "gemini-port", CONFIG_INT, OFF(gemini_port), 0, 0, 65535, "N",
	    "Gemini port, 0 turns Gemini off (default: 1965)" },
	{ "gopher-port", CONFIG_INT, OFF(gopher_port), 0, 0, 65535, "N",
	    "Gopher port, also Gopher over TLS, 0 turns it off\n"
	    "(default: 70)" },
	{ "cert-dir", CONFIG_STR, OFF(cert_dir), SZ(cert_dir), 0, 0, "DIR",
	    "key pairs, <host>.crt and <host>.key, made when missing\n"
	    "(default: certs)" },
	{ "cache-dir", CONFIG_STR, OFF(cache_dir), SZ(cache_dir), 0, 0,
	    "DIR", "where the store's index and its search index are\n"
	    "saved, so a restart reads only changed posts and searches\n"
	    "at once; \"none\" saves nothing (default:\n"
	    "$XDG_CACHE_HOME/capsule or ~/.cache/capsule)" },
	{ "workers", CONFIG_INT, OFF(workers), 0, 1, CONFIG_MAX_WORKERS, "N",
	    "threads, each with its own event loop (default: one per core)" },
	{ "max-conns", CONFIG_INT, OFF(max_conns), 0, 1, CONFIG_MAX_CONNS,
	    "N", "open connections per worker; past it clients are told to\n"
	    "slow down (default: from the open-file limit, see capsule(8))" },
	{ "cache-size", CONFIG_SIZE, OFF(cache_size), 0, 0, 0, "BYTES",
	    "memory for rendered pages and search answers, with K, M or\n"
	    "G; least recently used pages go first, 0 caches nothing\n"
	    "(default: 64M)" },
	{ "user", CONFIG_STR, OFF(user), SZ(user), 0, 0, "NAME",
	    "when started as root, become NAME after binding" },
	{ "access-log", CONFIG_STR, OFF(access_log), SZ(access_log), 0, 0,
	    "FILE", "one line per request to FILE, or - for stdout" },
	{ "foreground", CONFIG_BOOL, OFF(foreground), 0, 0, 0, NULL,
	    "stay in the foreground, log to stderr (and allow running as\n"
	    "root without --user, for development)" },
	{ "rate-limit", CONFIG_RATE, 0, 0, 0, 0, "N/SECS",
	    "at most N requests per client address in SECS seconds;\n"
	    "past it Gemini 44, Gopher an error item (default: off)" },
	{ "max-conns-per-addr", CONFIG_INT, OFF(max_conns_per_addr), 0, 0,
	    CONFIG_MAX_CONNS, "N", "open connections per client address\n"
	    "(keyed as for --rate-limit); past it Gemini 44, Gopher an\n"
	    "error item, closed within a second; 0: no cap (default: 64)" },
	{ "ipv6-prefix", CONFIG_INT, OFF(ipv6_prefix), 0, 32, 128, "BITS",
	    "IPv6 clients are counted by their first BITS bits for\n"
	    "--rate-limit and --max-conns-per-addr (default: 64)" },
	{ "max-searches", CONFIG_INT, OFF(max_searches), 0, 1, 100000, "N",
	    "searches being answered or waiting at once, all workers,\n"
	    "a quarter of them per client; past it Gemini 44, Gopher an\n"
	    "error item (default: 32)" },
	{ "proxy-protocol", CONFIG_BOOL, OFF(proxy_protocol), 0, 0, 0, NULL,
	    "connections start with a PROXY header (v1 or v2) naming\n"
	    "the client; only from --proxy-from addresses" },
	{ "proxy-from", CONFIG_PROXY_FROM, 0, 0, 0, 0, "ADDR[/BITS]",
	    "a load balancer that may send PROXY headers, repeatable\n"
	    "(default: 127.0.0.0/8 and ::1)" },
	{ "no-sandbox", CONFIG_BOOL, OFF(no_sandbox), 0, 0, 0, NULL,
	    "no seccomp filter, Landlock, no_new_privs or capability\n"
	    "drop (see capsule(8))" },
	/* The sandbox test makes a forbidden call with it. */
	{ "sandbox-selftest", CONFIG_BOOL, OFF(sandbox_selftest), 0, 0, 0,
	    NULL, NULL },
	/* ... and tries what a confined server must not do with this. */
	{ "sandbox-probe", CONFIG_STR, OFF(sandbox_probe), SZ(sandbox_probe),
	    0, 0, "WHAT", NULL },
	/* Tests shorten the 10 s waits with it; nobody else needs it. */
	{ "request-timeout", CONFIG_MS, OFF(wait_ms), 0, 1, 3600000, "SECS",
	    NULL },
	{ "help", CONFIG_HELP, 0, 0, 0, 0, NULL, "print this and exit" },
	{ "version", CONFIG_VERSION, 0, 0, 0, 0, NULL,
	    "print the version and exit" },
};

#define CONFIG_NOPTS (sizeof(config_opts) / sizeof(config_opts[0]))

void
config_defaults(struct config *c)
{
	long n;

	memset(c, 0, sizeof(*c));
	snprintf(c->content, sizeof(c->content), "content");
	snprintf(c->cert_dir, sizeof(c->cert_dir), "certs");
	catalog_default_dir(c->cache_dir, sizeof(c->cache_dir));
	c->gemini_port = 1965;
	c->gopher_port = 70;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	c->workers = n < 1 ? 1 : n > CONFIG_MAX_WORKERS ? CONFIG_MAX_WORKERS
	    : (int)n;
	c->max_conns = 0;	/* from the open-file limit: server.c */
	c->wait_ms = CONFIG_DEFAULT_WAIT_MS;
	c->cache_size = CONFIG_CACHE_SIZE;
	c->max_conns_per_addr = CONFIG_CONNS_PER_ADDR;
	c->ipv6_prefix = RATELIMIT_V6_BITS;
	c->max_searches = CONFIG_MAX_SEARCHES;
}

static const struct config_opt *
config_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < CONFIG_NOPTS; i++)
		if (strlen(config_opts[i].name) == len &&
		    strncmp(config_opts[i].name, name, len) == 0)
			return &config_opts[i];
	return NULL;
}

/* RFC 1123: dot-separated labels of 1-63 letters, digits, '-'; no '-' ends one. */
static int
config_dns_name(const char *v, size_t n)
{
	size_t i, label = 0;

	if (n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		if (v[i] == '.') {
			if (label == 0 || v[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)v[i]) && v[i] != '-')
			return 0;
		if (label == 0 && v[i] == '-')
			return 0;
		if (++label > 63)
			return 0;
	}
	return label > 0 && v[n - 1] != '-';
}

int
config_hostname(const char *v, char *out, size_t outsz)
{
	unsigned char a[16];
	size_t i, n = strlen(v);

	if (n == 0 || n >= outsz)
		return -1;
	if (!config_dns_name(v, n) && inet_pton(AF_INET, v, a) != 1 &&
	    inet_pton(AF_INET6, v, a) != 1)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)v[i]);
	out[n] = '\0';
	return 0;
}

/* Parses "12" or "0.5" seconds into milliseconds. */
static int
config_seconds(const char *v, long *ms)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno != 0 || end == v || *end != '\0' || d < 0 || d > 1e7)
		return -1;
	*ms = (long)(d * 1000 + 0.5);
	return 0;
}

/* Parses "65536", "512K", "64M" or "2G" into bytes, at most 1 TB. */
static int
config_bytes(const char *v, size_t *out)
{
	unsigned long long n, mul = 1;
	char *end;

	if (!isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0 || end == v)
		return -1;
	switch (*end) {
	case 'K': case 'k':
		mul = 1024;
		end++;
		break;
	case 'M': case 'm':
		mul = 1024 * 1024;
		end++;
		break;
	case 'G': case 'g':
		mul = 1024 * 1024 * 1024;
		end++;
		break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || n > (1ULL << 40) / mul)
		return -1;
	*out = (size_t)(n * mul);
	return 0;
}

/* Sets one option from its value (NULL for a bare boolean). */
static int
config_set(struct config *c, const struct config_opt *o, const char *v,
    char *err, size_t errsz)
{
	char *p = (char *)c + o->off, *end;
	long n;

	switch (o->kind) {
	case CONFIG_STR:
		if (*v == '\0' || strlen(v) >= o->size) {
			snprintf(err, errsz, "%s: empty or too long", o->name);
			return -1;
		}
		snprintf(p, o->size, "%s", v);
		return 0;
	case CONFIG_INT:
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || n < o->min ||
		    n > o->max) {
			snprintf(err, errsz, "%s: want a number from %ld to "
			    "%ld, not \"%s\"", o->name, o->min, o->max, v);
			return -1;
		}
		*(int *)(void *)p = (int)n;
		return 0;
	case CONFIG_MS:
		if (config_seconds(v, &n) == -1 || n < o->min || n > o->max) {
			snprintf(err, errsz, "%s: bad number of seconds \"%s\"",
			    o->name, v);
			return -1;
		}
		*(int *)(void *)p = (int)n;
		return 0;
	case CONFIG_SIZE:
		if (config_bytes(v, (size_t *)(void *)p) == -1) {
			snprintf(err, errsz, "%s: want bytes, like 65536, "
			    "512K or 64M, not \"%s\"", o->name, v);
			return -1;
		}
		return 0;
	case CONFIG_HOST:
		if (c->nhostnames == CONFIG_MAX_HOSTNAMES) {
			snprintf(err, errsz, "hostname: more than %d",
			    CONFIG_MAX_HOSTNAMES);
			return -1;
		}
		if (config_hostname(v, c->hostnames[c->nhostnames],
		    sizeof(c->hostnames[0])) == -1) {
			snprintf(err, errsz, "hostname: bad name \"%s\"", v);
			return -1;
		}
		c->nhostnames++;
		return 0;
	case CONFIG_LISTEN:
		if (c->nlisten == CONFIG_MAX_LISTEN) {
			snprintf(err, errsz, "listen: more than %d",
			    CONFIG_MAX_LISTEN);
			return -1;
		}
		if (*v == '\0' || strlen(v) >= sizeof(c->listen[0])) {
			snprintf(err, errsz, "listen: bad address \"%s\"", v);
			return -1;
		}
		snprintf(c->listen[c->nlisten++], sizeof(c->listen[0]), "%s",
		    v);
		return 0;
	case CONFIG_RATE:
		if (ratelimit_parse(v, &c->rate_max, &c->rate_secs) == -1) {
			snprintf(err, errsz, "rate-limit: want N/SECONDS, not "
			    "\"%s\"", v);
			return -1;
		}
		return 0;
	case CONFIG_PROXY_FROM: {
		struct proxy_net net;

		if (c->nproxy_from == CONFIG_MAX_PROXY_FROM) {
			snprintf(err, errsz, "proxy-from: more than %d",
			    CONFIG_MAX_PROXY_FROM);
			return -1;
		}
		if (strlen(v) >= sizeof(c->proxy_from[0]) ||
		    proxy_net_parse(v, &net) == -1) {
			snprintf(err, errsz, "proxy-from: want an address or "
			    "ADDR/BITS, not \"%s\"", v);
			return -1;
		}
		snprintf(c->proxy_from[c->nproxy_from++],
		    sizeof(c->proxy_from[0]), "%s", v);
		return 0;
	}
	case CONFIG_BOOL:
		if (v == NULL || strcmp(v, "yes") == 0 ||
		    strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
			*(int *)(void *)p = 1;
		else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
		    strcmp(v, "0") == 0)
			*(int *)(void *)p = 0;
		else {
			snprintf(err, errsz, "%s: want yes or no, not \"%s\"",
			    o->name, v);
			return -1;
		}
		return 0;
	default:
		snprintf(err, errsz, "%s: not a setting", o->name);
		return -1;
	}
}

int
config_load_file(struct config *c, const char *path, char *err,
    size_t errsz)
{
	const struct config_opt *o;
	char line[CONFIG_LINE_MAX], msg[256], *k, *v, *e;
	size_t klen;
	int lineno = 0, rc = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errsz, "%s:%d: line too long", path,
			    lineno);
			rc = -1;
			break;
		}
		for (k = line; isspace((unsigned char)*k); k++)
			;
		for (e = k + strlen(k); e > k && isspace((unsigned char)e[-1]);)
			*--e = '\0';
		if (*k == '\0' || *k == '#')
			continue;
		klen = strcspn(k, " \t");
		for (v = k + klen; isspace((unsigned char)*v); v++)
			;
		o = config_find(k, klen);
		if (o == NULL || o->kind == CONFIG_FILE ||
		    o->kind == CONFIG_HELP || o->kind == CONFIG_VERSION) {
			snprintf(err, errsz, "%s:%d: unknown setting \"%.*s\"",
			    path, lineno, (int)klen, k);
			rc = -1;
		} else if (*v == '\0' && o->kind != CONFIG_BOOL) {
			snprintf(err, errsz, "%s:%d: %s wants a value", path,
			    lineno, o->name);
			rc = -1;
		} else if (config_set(c, o, *v ? v : NULL, msg, sizeof(msg)) ==
		    -1) {
			snprintf(err, errsz, "%s:%d: %s", path, lineno, msg);
			rc = -1;
		}
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	fclose(f);
	return rc;
}

static void
config_usage(FILE *f)
{
	const struct config_opt *o;
	const char *h, *nl;
	char left[40];
	size_t i;

	fprintf(f, "usage: capsule [serve] [flags]\n\n"
	    "Serves the post store over Gemini and Gopher. Every flag can\n"
	    "also be a line \"name value\" of the --config file; flags "
	    "win.\n\n");
	for (i = 0; i < CONFIG_NOPTS; i++) {
		o = &config_opts[i];
		if (o->help == NULL)
			continue;
		snprintf(left, sizeof(left), "--%s%s%s", o->name,
		    o->arg ? " " : "", o->arg ? o->arg : "");
		for (h = o->help; h != NULL; h = nl ? nl + 1 : NULL) {
			nl = strchr(h, '\n');
			fprintf(f, "  %-22s %.*s\n", left,
			    nl ? (int)(nl - h) : (int)strlen(h), h);
			left[0] = '\0';
		}
	}
}

/*
 * Splits argv[i] into an option and its value ("--x v" or "--x=v").
 * Returns the option, advancing *i past what it used, or NULL with err.
 */
static const struct config_opt *
config_arg(int argc, char **argv, int *i, const char **val, char *err,
    size_t errsz)
{
	const struct config_opt *o;
	const char *a = argv[*i], *eq;
	size_t len;

	*val = NULL;
	if (strcmp(a, "-h") == 0)
		a = "--help";
	if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
		snprintf(err, errsz, "unexpected argument \"%s\" (see --help)",
		    a);
		return NULL;
	}
	a += 2;
	eq = strchr(a, '=');
	len = eq ? (size_t)(eq - a) : strlen(a);
	if ((o = config_find(a, len)) == NULL) {
		snprintf(err, errsz, "unknown flag --%.*s (see --help)",
		    (int)len, a);
		return NULL;
	}
	if (o->arg == NULL) {
		if (eq != NULL && o->kind != CONFIG_BOOL) {
			snprintf(err, errsz, "--%s takes no value", o->name);
			return NULL;
		}
		*val = eq ? eq + 1 : NULL;
	} else if (eq != NULL)
		*val = eq + 1;
	else if (*i + 1 < argc)
		*val = argv[++*i];
	else {
		snprintf(err, errsz, "--%s wants a value", o->name);
		return NULL;
	}
	(*i)++;
	return o;
}

int
config_parse_args(struct config *c, int argc, char **argv, char *err,
    size_t errsz)
{
	const struct config_opt *o;
	const char *v;
	char msg[256];
	int i, pass, hosts_seen = 0, listen_seen = 0, proxy_seen = 0;

	/* Pass 0 reads --config (and answers --help); pass 1 sets the rest. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 1; i < argc;) {
			if ((o = config_arg(argc, argv, &i, &v, err, errsz)) ==
			    NULL)
				return -1;
			if (pass == 0) {
				if (o->kind == CONFIG_HELP) {
					config_usage(stdout);
					return 1;
				}
				if (o->kind == CONFIG_VERSION) {
					printf("capsule %s\n", CAPSULE_VERSION);
					return 1;
				}
				if (o->kind == CONFIG_FILE &&
				    config_load_file(c, v, err, errsz) == -1)
					return -1;
				continue;
			}
			if (o->kind == CONFIG_FILE)
				continue;
			/* A list given by flags replaces the file's list. */
			if (o->kind == CONFIG_HOST && !hosts_seen++)
				c->nhostnames = 0;
			if (o->kind == CONFIG_LISTEN && !listen_seen++)
				c->nlisten = 0;
			if (o->kind == CONFIG_PROXY_FROM && !proxy_seen++)
				c->nproxy_from = 0;
			if (config_set(c, o, v, msg, sizeof(msg)) == -1) {
				snprintf(err, errsz, "--%s", msg);
				return -1;
			}
		}
	}
	return 0;
}
