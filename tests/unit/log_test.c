/* log_test.c: escaping what came from outside before it is shown. */
#include <string.h>

#include "log.h"
#include "test.h"

#define S(lit) (lit), (sizeof(lit) - 1)

TEST(log_escape_text_keeps_utf8_and_quotes)
{
	char out[256];

	log_escape_text(out, sizeof(out), S("Caf\xc3\xa9 \"\xe2\x80\x99\" \\ \xe6\xbc\xa2"));
	CHECK_STR(out, "Caf\xc3\xa9 \"\xe2\x80\x99\" \\ \xe6\xbc\xa2");
}

TEST(log_escape_text_shows_controls_c1_bidi_and_bad_bytes_as_hex)
{
	char out[256];

	log_escape_text(out, sizeof(out), S("a\x1b[2J\x07\r\n\x7f"
	    "\xc2\x9b" "31m \xe2\x80\xae" "x\xe2\x81\xa6 \xff\xc3"));
	CHECK_STR(out, "a\\x1b[2J\\x07\\x0d\\x0a\\x7f\\xc2\\x9b31m "
	    "\\xe2\\x80\\xaex\\xe2\\x81\\xa6 \\xff\\xc3");
}

TEST(log_escape_text_stops_within_its_buffer)
{
	char out[12];

	log_escape_text(out, sizeof(out), S("\x1b\x1b\x1b\x1b\x1b\x1b"));
	CHECK(strlen(out) < sizeof(out));
	CHECK(strncmp(out, "\\x1b", 4) == 0);
}

TEST(log_escape_for_the_access_log_is_unchanged)
{
	char out[64];

	log_escape(out, sizeof(out), S("gemini://h/\"caf\xc3\xa9\"\r\n"));
	CHECK_STR(out, "gemini://h/\\x22caf\\xc3\\xa9\\x22\\x0d\\x0a");
}
