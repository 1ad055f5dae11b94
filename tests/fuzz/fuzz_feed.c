/*
 * fuzz_feed.c - libFuzzer target for feed/sitemap parsing (RSS, Atom,
 * sitemaps, gzip).  Checks: every entry's URL is an absolute http(s) URL,
 * at most FEED_MAX_ITEMS entries, the sniffer never reads past the input.
 */
#include "crawler/feed.h"
#include "common/url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	(void)feed_sniff(s, size, NULL);
	struct feed f;
	struct nm_err e;
	err_clear(&e);
	feed_parse(s, size, "http://news.test/feed.xml", &f, &e);
	if (f.n > FEED_MAX_ITEMS)
		abort();
	for (size_t i = 0; i < f.n; i++)
		if (!url_is_http(f.items[i].url))
			abort();
	feed_free(&f);
	return 0;
}
