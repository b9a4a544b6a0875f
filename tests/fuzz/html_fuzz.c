/*
 * html_fuzz.c: libFuzzer target for the HTML-to-markup conversion
 * (html.c): post bodies come from anyone's blog. Whatever the input, the
 * post made from the result must load (valid UTF-8, no NUL or stray
 * control character, C0, DEL or C1, in the body, a picture's alt text
 * or caption handed to the caller, or a warning; header lines within
 * bounds). The first byte picks WordPress's stored-text mode; its second
 * bit has every picture mirrored to a local path. `make fuzz FUZZERS=html` runs it over tests/fuzz/corpus/html and
 * the import's fixtures (tests/fixtures/), inputs up to 100,000 bytes.
 */
#include <stdint.h>
#include <string.h>

#include "html.h"
#include "post.h"

/* 1 when s has a C0, DEL or C1 control (lines and tabs in a body). */
static int
html_fuzz_controls(const char *s, size_t n, int body)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; i < n; i++) {
		if (body && (u[i] == '\n' || u[i] == '\t'))
			continue;
		if (u[i] < 0x20 || u[i] == 0x7f)
			return 1;
		if (u[i] == 0xc2 && i + 1 < n && u[i + 1] >= 0x80 &&
		    u[i + 1] <= 0x9f)
			return 1;
	}
	return 0;
}

/* What import's mirror does with a picture: checks it, names a path. */
static const char *
html_fuzz_picture(void *arg, const struct html_picture *pic)
{
	if (html_fuzz_controls(pic->url, strlen(pic->url), 0) ||
	    html_fuzz_controls(pic->alt, strlen(pic->alt), 0) ||
	    html_fuzz_controls(pic->caption, strlen(pic->caption), 0) ||
	    strchr(pic->url, ' ') != NULL)
		__builtin_trap();
	return arg != NULL ? "/media/2019/09/a.jpg" : NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct html_options o;
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
	memset(&o, 0, sizeof(o));
	o.base = "https://blog.example/p/";
	o.flags = flags;
	o.max = 1u << 20;
	o.picture = html_fuzz_picture;
	o.arg = data[0] & 2 ? &o : NULL;
	if (html_convert((const char *)data + 1, size - 1, &o, &m, err,
	    sizeof(err)) == -1)
		return 0;
	buf_init(&b);
	buf_puts(&b, "Title: Fuzz\nDate: 2020-01-01\n\n");
	if (m.body.len > 0)
		buf_add(&b, m.body.data, m.body.len);
	arena_init(&a);
	if (!b.err && post_parse(&a, "fuzz", b.data, b.len, &p,
	    &perr) == -1)
		__builtin_trap();	/* import would write a broken post */
	if (html_fuzz_controls(m.body.data, m.body.len, 1))
		__builtin_trap();
	for (i = 0; i < m.nwarnings; i++)
		if (html_fuzz_controls(m.warnings[i], strlen(m.warnings[i]), 0))
			__builtin_trap();
	arena_free(&a);
	buf_free(&b);
	html_markup_free(&m);
	return 0;
}
