/*
 * fuzz_robots.c - libFuzzer target for the robots.txt parser and matcher.
 * The input is a robots.txt; the first line of it (up to 200 bytes) is
 * also used as a path to test, so the wildcard matcher sees hostile paths
 * as well as hostile patterns.  Checks: /robots.txt is always allowed, the
 * Crawl-delay stays within its cap, Sitemap entries are NUL-terminated
 * strings.
 */
#include "net/robots.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct robots *r = robots_parse(s, size, "newsmd/1.0");
	char path[256] = "/";
	size_t n = 0;
	while (n < size && n < 200 && s[n] != '\n' && s[n] != '\0')
		n++;
	memcpy(path + 1, s, n);
	path[n + 1] = 0;
	(void)robots_allowed(r, path);
	(void)robots_allowed(r, "/");
	if (!robots_allowed(r, "/robots.txt"))
		abort();
	long d = robots_crawl_delay_ms(r);
	if (d > ROBOTS_MAX_DELAY_MS || d < -1)
		abort();
	for (const char *const *m = robots_sitemaps(r); *m; m++)
		(void)strlen(*m);
	robots_free(r);
	return 0;
}
