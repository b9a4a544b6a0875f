/*
 * html_fuzz.c: libFuzzer target for the HTML-to-markup conversion
 * (html.c): post bodies come from anyone's blog. Whatever the input, the
 * post made from the result must load (valid UTF-8, no NUL or stray
 * control character, header lines within bounds). The first byte picks
 * WordPress's stored-text mode. `make fuzz-html` builds it and runs it
 * for 60 s on the fixtures (tests/fixtures/) as its corpus; by hand:
 *
 *   clang -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g \
 *       -fsanitize=fuzzer,address,undefined -Icapsule \
 *       $(pkg-config --cflags libxml-2.0) -o build/html_fuzz \
 *       tests/fuzz/html_fuzz.c capsule/html.c capsule/buf.c \
 *       capsule/post.c capsule/arena.c capsule/utf8.c \
 *       $(pkg-config --libs libxml-2.0)
 *   build/html_fuzz -max_total_time=60 -max_len=100000 tests/fixtures/
 */
#include <stdint.h>
#include <string.h>

#include "html.h"
#include "post.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct html_markup m;
	struct arena a;
	struct post p;
	struct post_error perr;
	struct buf b;
	char err[160];
	size_t i;
	int flags;

	if (size < 1)
		return 0;
	flags = data[0] & 1 ? HTML_AUTOP : 0;
	if (html_to_markup((const char *)data + 1, size - 1,
	    "https://blog.example/p/", flags, 1u << 20, &m, err,
	    sizeof(err)) == -1)
		return 0;
	buf_init(&b);
	buf_puts(&b, "Title: Fuzz\nDate: 2020-01-01\n");
	for (i = 0; i < m.nimages; i++)
		buf_printf(&b, "Image: %s\n", m.images[i]);
	buf_putc(&b, '\n');
	if (m.body.len > 0)
		buf_add(&b, m.body.data, m.body.len);
	arena_init(&a);
	if (!b.err && post_parse(&a, "fuzz.txt", "fuzz", b.data, b.len, &p,
	    &perr) == -1)
		__builtin_trap();	/* import would write a broken post */
	for (i = 0; i < m.body.len; i++)
		if ((unsigned char)m.body.data[i] < 0x20 &&
		    m.body.data[i] != '\n' && m.body.data[i] != '\t')
			__builtin_trap();
	arena_free(&a);
	buf_free(&b);
	html_markup_free(&m);
	return 0;
}
