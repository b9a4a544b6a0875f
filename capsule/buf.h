/* buf.h: a growable byte buffer with a sticky error flag. */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>

/* No document we make is larger than this; past it a buf fails. */
#define BUF_MAX (64u * 1024 * 1024)

struct buf {
	char	*data;	/* NUL-terminated when len > 0 */
	size_t	 len;
	size_t	 cap;
	int	 err;	/* set once a write failed; later writes do nothing */
};

void	 buf_init(struct buf *);
int	 buf_add(struct buf *, const void *, size_t);
int	 buf_puts(struct buf *, const char *);
int	 buf_putc(struct buf *, char);
int	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 buf_vprintf(struct buf *, const char *, va_list);
/* The XML/HTML entity for &, <, >, " and ', or NULL for other chars. */
const char *buf_xml_entity(int);
void	 buf_reset(struct buf *);
/* Hands data to the caller, who frees it with free(3). */
char	*buf_take(struct buf *, size_t *);
void	 buf_free(struct buf *);

#endif
