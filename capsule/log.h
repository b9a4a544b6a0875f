/* log.h: messages (stderr or syslog) and the access log. */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>
#include <stdint.h>

#define LOG_REQUEST_MAX	256	/* request bytes an access line shows */

/* Messages go to stderr in the foreground, to syslog once detached. */
void	 log_init(int foreground);
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Like log_warnx, with ": strerror(errno)" appended. */
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));

/* One request, as the access log writes it. */
struct log_access {
	const char	*proto;		/* "gemini", "gopher", "gophers" */
	const char	*addr;		/* client address */
	const char	*request;	/* raw bytes, escaped when written */
	size_t		 reqlen;
	int		 status;	/* Gemini status, or its Gopher twin */
	uint64_t	 bytes;		/* sent, header included */
	uint64_t	 ms;		/* from accept to the last byte */
};

/*
 * Printable ASCII as is, the rest as \xNN, at most LOG_REQUEST_MAX bytes
 * of s then "...": a log line stays one line. Returns the length written
 * to out, which is always NUL-terminated.
 */
size_t	 log_escape(char *out, size_t outsz, const char *s, size_t len);
/*
 * The same for a message that shows what came from outside (a feed's
 * titles and links, a page's feed link) on a terminal: UTF-8 text, " and
 * \ stay as they are, but no control character (C0, DEL, C1), bidi
 * override or byte that is not UTF-8: those are \xNN, byte by byte. As
 * much of s as out holds (4 bytes of out per byte of s suffice), then
 * "...".
 */
size_t	 log_escape_text(char *out, size_t outsz, const char *s, size_t len);

/* Opens path ("-" is stdout, "" none); -1 with errno on failure. */
int	 log_access_open(const char *);
/*
 * Opens the access log's file by its name again, made anew when it was
 * moved away (rotation): 1 reopened, 0 nothing to reopen (stdout, none),
 * -1 with errno (the old file is kept).
 */
int	 log_access_reopen(void);
/* Writes one line with a single write(2), so threads never interleave. */
void	 log_access(const struct log_access *);
void	 log_access_close(void);

#endif
