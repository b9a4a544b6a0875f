/* config.h: the server's settings, from the command line and --config FILE. */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_HOSTNAMES	16
#define CONFIG_MAX_LISTEN	16
#define CONFIG_PATH_MAX		1024

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
	int	 wait_ms;	/* handshake and request read; hidden flag */
};

void	 config_defaults(struct config *);
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
