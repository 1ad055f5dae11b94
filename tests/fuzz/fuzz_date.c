/*
 * fuzz_date.c - the date parsers: input = FORMAT '\n' TEXT; the text also
 * goes through the any-form and relative parsers, and results through the
 * formatter.
 */
#include "common/date.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	char *nl = strchr(s, '\n');
	const char *fmt = "%Y-%m-%d %H:%M", *text = s;
	if (nl) {
		*nl = '\0';
		fmt = s;
		text = nl + 1;
	}
	static struct tz *z;
	if (!z)
		tz_load("Asia/Shanghai", &z, NULL);
	struct when w = {0};
	struct buf b = BUF_INIT;
	if (date_parse_fmt(text, fmt, z, &w) == NM_OK)
		date_format(&b, "%Y-%m-%d %H:%M:%S %z %:z", &w);
	if (date_parse_any(text, z, &w) == NM_OK)
		date_format(&b, "%Y-%m-%dT%H:%M:%S%:z", &w);
	date_parse_relative(text, DATE_REL_ZH, 1649823083, z, &w);
	date_parse_relative(text, DATE_REL_EN, 1649823083, z, &w);
	char bad[8];
	date_format_valid(fmt, bad, sizeof bad);
	bool abs;
	int64_t v;
	date_parse_bound(text, &abs, &v);
	buf_free(&b);
	free(s);
	return 0;
}
