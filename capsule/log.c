/*
 * log.c: messages and the access log. The library parts of capsule never
 * log; the server logs once, where it knows the client and the request.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "utf8.h"

#define LOG_LINE_MAX	2048	/* one access line, escaped request included */

static int log_foreground = 1;
static int log_fd = -1;		/* the access log; -1 when there is none */
static char log_path[4096];	/* its name, for reopening; "" for stdout */

void
log_init(int foreground)
{
	log_foreground = foreground;
	if (!foreground)
		openlog("capsule", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void
log_vmsg(int prio, const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_foreground)
		fprintf(stderr, "capsule: %s%s%s\n", msg, suffix ? ": " : "",
		    suffix ? suffix : "");
	else
		syslog(prio, "%s%s%s", msg, suffix ? ": " : "",
		    suffix ? suffix : "");
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	char err[128];
	int saved = errno;
	va_list ap;

	/* strerror_r: workers log too. */
	if (strerror_r(saved, err, sizeof(err)) != 0)
		snprintf(err, sizeof(err), "error %d", saved);
	va_start(ap, fmt);
	log_vmsg(LOG_WARNING, fmt, ap, err);
	va_end(ap);
}

int
log_access_open(const char *path)
{
	log_access_close();
	if (path == NULL || *path == '\0')
		return 0;
	if (strcmp(path, "-") == 0) {
		log_fd = STDOUT_FILENO;
		return 0;
	}
	if (strlen(path) >= sizeof(log_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (log_fd == -1)
		return -1;
	snprintf(log_path, sizeof(log_path), "%s", path);
	return 0;
}

int
log_access_reopen(void)
{
	int fd;

	if (log_fd <= STDOUT_FILENO || log_path[0] == '\0')
		return 0;
	if ((fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640)) == -1)
		return -1;
	/*
	 * dup2 swaps the file under the same number at once: a worker
	 * writing a line now writes it whole to the old file or the new.
	 */
	if (fd != log_fd && dup2(fd, log_fd) == -1) {
		close(fd);
		return -1;
	}
	if (fd != log_fd) {
		close(fd);
		(void)fcntl(log_fd, F_SETFD, FD_CLOEXEC);
	}
	return 1;
}

void
log_access_close(void)
{
	if (log_fd > STDOUT_FILENO)
		close(log_fd);
	log_fd = -1;
	log_path[0] = '\0';
}

/*
 * log_escape and log_escape_text: text as \xNN but for what may be shown
 * as it is: printable ASCII (less " and \ in the access log's quotes),
 * and for text also UTF-8 characters that neither control a terminal
 * (C1) nor reorder the line (bidi overrides and isolates).
 */
static size_t
log_escape_any(char *out, size_t outsz, const char *s, size_t len,
    size_t max, int text)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0, n, k;
	unsigned char c;
	uint32_t cp;

	for (i = 0; i < len && i < max && o + 5 < outsz; i += n) {
		c = (unsigned char)s[i];
		n = 1;
		if (c >= 0x20 && c < 0x7f && (text || (c != '"' && c != '\\'))) {
			out[o++] = (char)c;
			continue;
		}
		if (text && c >= 0x80 && (n = utf8_decode(s + i, len - i,
		    &cp)) > 0 && cp > 0x9f && !(cp >= 0x202a && cp <= 0x202e) &&
		    !(cp >= 0x2066 && cp <= 0x2069)) {
			if (o + n + 5 >= outsz)
				break;
			memcpy(out + o, s + i, n);
			o += n;
			continue;
		}
		/* Every byte of it escaped, so what it was can be read. */
		for (n = n ? n : 1, k = 0; k < n && o + 5 < outsz; k++) {
			c = (unsigned char)s[i + k];
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
		n = k;
	}
	if (i < len && o + 4 < outsz) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return o;
}

size_t
log_escape(char *out, size_t outsz, const char *s, size_t len)
{
	return log_escape_any(out, outsz, s, len, LOG_REQUEST_MAX, 0);
}

size_t
log_escape_text(char *out, size_t outsz, const char *s, size_t len)
{
	return log_escape_any(out, outsz, s, len, (size_t)-1, 1);
}

void
log_access(const struct log_access *a)
{
	char line[LOG_LINE_MAX], req[LOG_REQUEST_MAX * 4 + 8], when[32];
	char status[16];
	struct tm tm;
	time_t now;
	int n;

	if (log_fd == -1)
		return;
	now = time(NULL);
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof(when), "-");
	log_escape(req, sizeof(req), a->request ? a->request : "",
	    a->request ? a->reqlen : 0);
	/* "-": the connection ended before an answer was made. */
	if (a->status > 0)
		snprintf(status, sizeof(status), "%d", a->status);
	else
		snprintf(status, sizeof(status), "-");
	n = snprintf(line, sizeof(line), "%s %s %s \"%s\" %s %llu %llu\n",
	    when, a->proto, a->addr, req, status,
	    (unsigned long long)a->bytes, (unsigned long long)a->ms);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	/* O_APPEND makes each write one whole line, even across threads. */
	if (write(log_fd, line, (size_t)n) == -1 && errno != EAGAIN)
		return;
}
