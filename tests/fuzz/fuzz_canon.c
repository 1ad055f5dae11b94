/*
 * fuzz_canon.c - libFuzzer target for URL canonicalisation and the
 * rel=canonical scan.  The input is a URL (up to the first NUL) and, after
 * it, an HTML page.  Checks: canon_url is idempotent (the canonical form
 * of a canonical URL is itself), its result is an http(s) URL without a
 * fragment, and no longer than URL_MAX_LEN.
 */
#include "net/canon.h"
#include "common/url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul = memchr(data, 0, size);
	size_t ul = nul ? (size_t)(nul - (const char *)data) : size;
	char *url = malloc(ul + 1);
	memcpy(url, data, ul);
	url[ul] = 0;
	struct buf a = BUF_INIT, b = BUF_INIT;
	if (canon_url(url, &a) == 0) {
		if (!url_is_http(buf_cstr(&a)) || strchr(buf_cstr(&a), '#') || a.len > URL_MAX_LEN)
			abort();
		if (canon_url(buf_cstr(&a), &b) != 0 || strcmp(buf_cstr(&a), buf_cstr(&b)))
			abort();
	}
	buf_free(&b);
	if (nul) {
		const char *html = nul + 1;
		size_t hn = size - ul - 1;
		(void)canon_link_canonical(html, hn, url_is_http(url) ? url : "http://h/", &b);
	}
	(void)canon_host_hash(url);
	buf_free(&a);
	buf_free(&b);
	free(url);
	return 0;
}
