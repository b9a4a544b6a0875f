/* config.h: the server's settings, from the command line and --config FILE. */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_HOSTNAMES	16
#define CONFIG_MAX_LISTEN	16
#define CONFIG_PATH_MAX		1024
#define CONFIG_MAX_PROXY_FROM	16

#define CONFIG_CACHE_SIZE	(64u * 1024 * 1024)	/* the default */
#define CONFIG_CONNS_PER_ADDR	64	/* --max-conns-per-addr's default */
#define CONFIG_MAX_SEARCHES	32	/* --max-searches' default */

#define CAPSULE_VERSION		"0.1.0"

struct config {
	char	 content[CONFIG_PATH_MAX];	/* default "content" */
	char	 cert_dir[CONFIG_PATH_MAX];	/* default "certs" */
	char	 cache_dir[CONFIG_PATH_MAX];	/* "" or "none": no index */
	char	 hostnames[CONFIG_MAX_HOSTNAMES][256];	/* first: in menus */
	size_t	 nhostnames;			/* 0: from capsule.conf */
	char	 listen[CONFIG_MAX_LISTEN][64];	/* addresses to bind */
	size_t	 nlisten;			/* 0: all IPv4 and IPv6 */
	int	 gemini_port;			/* 1965; 0 disables */
	int	 gopher_port;			/* 70; 0 disables */
	int	 workers;			/* default: number of cores */
	char	 user[64];			/* drop to this user as root */
	char	 access_log[CONFIG_PATH_MAX];	/* "" none, "-" stdout */
	int	 foreground;
	int	 max_conns;			/* per worker; 0: derived */
	size_t	 cache_size;			/* page cache bytes; 0: none */
	int	 wait_ms;	/* handshake and request read; hidden flag */
	int	 no_sandbox;			/* --no-sandbox */
	int	 sandbox_selftest;	/* hidden: try a forbidden call */
	char	 sandbox_probe[CONFIG_PATH_MAX]; /* hidden: sandbox_probe() */
	unsigned rate_max;			/* --rate-limit N/SECS; 0 off */
	unsigned rate_secs;
	int	 max_conns_per_addr;		/* 0: no cap */
	int	 ipv6_prefix;			/* bits of an IPv6 client key */
	int	 max_searches;			/* queued at once, all workers */
	int	 proxy_protocol;		/* PROXY headers expected */
	char	 proxy_from[CONFIG_MAX_PROXY_FROM][64];	/* may send them */
	size_t	 nproxy_from;			/* 0: loopback */
};

void	 config_defaults(struct config *);
/*
 * A host name is also a file name in the cert dir and a Gopher menu
 * field: an RFC 1123 name (labels of letters, digits and '-', none
 * starting or ending with '-') or an IPv4 or IPv6 literal, nothing else
 * ("host:1965", "-lead.example" and "a_b" are refused). Copies it
 * lowercased into out (which may be v); 0 or -1. --hostname and
 * capsule.conf's Hostname lines both go through it.
 */
int	 config_hostname(const char *v, char *out, size_t outsz);
/*
 * Reads "key value" lines from path into c. Returns 0, or -1 with a
 * "path:line: message" in err.
 */
int	 config_load_file(struct config *, const char *, char *, size_t);
/*
 * Parses serve flags (argv[0] is the sub-command); --config is read
 * first, so flags override it. Returns 0, 1 when --help or --version
 * was answered, -1 with err filled on a bad flag.
 */
int	 config_parse_args(struct config *, int, char **, char *, size_t);

#endif
