/*
 * fuzz_charset.c - libFuzzer target for charset_decode and the <meta>
 * prescan.  The first input byte picks the Content-Type header and the
 * forced charset (so every decision path is reached); the rest is the page.
 * Checks: never fails except on the cap, output is always valid UTF-8
 * without NUL bytes.  Seeds: tests/fixtures/charset/ (any file works; its
 * first byte becomes the options).
 */
#include "dom/charset.h"
#include "common/utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const content_types[] = {
	NULL,
	"text/html",
	"text/html; charset=gbk",
	"text/html; charset=utf-8",
	"text/html; charset=\"iso-8859-1\"",
	"text/html; charset=shift_jis",
	"text/html; charset=utf-16le",
	"text/html; charset=iso-2022-jp",
};

static const char *const forced[] = {
	NULL, "auto", "gb2312", "big5", "euc-kr", "utf-8", "windows-1251", "utf-16be",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned opt = data[0];
	const char *s = (const char *)data + 1;
	size_t n = size - 1;

	struct buf out;
	buf_init(&out, (opt & 0x40) ? 64 : 0); /* a tiny cap exercises NM_ELIMIT */
	char used[32];
	struct nm_err e;
	err_clear(&e);
	enum nm_code rc = charset_decode(s, n, content_types[opt & 7],
					 (opt & 0x80) ? forced[(opt >> 3) & 7] : NULL, &out, used,
					 sizeof used, &e);
	if (rc != NM_OK && rc != NM_ELIMIT)
		abort();
	if (rc == NM_OK && (!utf8_valid(out.ptr, out.len) || memchr(buf_cstr(&out), 0, out.len)))
		abort();
	if (!charset_known(used))
		abort();
	(void)charset_prescan(s, n);
	buf_free(&out);
	return 0;
}
