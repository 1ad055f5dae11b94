/*
 * fuzz_url.c - libFuzzer target for common/url.c.  The input is a base URL
 * (up to the first NUL) and, after it, a reference; without a NUL the whole
 * input is parsed without a base.  Checks: nothing crashes; a parsed URL's
 * href is no longer than URL_MAX_LEN and every component view lies inside
 * it; parse -> serialise -> parse is idempotent (the href of the href is
 * itself); url_resolve agrees with url_parse.
 */
#include "common/url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_view(const struct url *u, struct view v)
{
	if (v.n && (v.p < u->href || v.p + v.n > u->href + u->href_len))
		abort();
}

static void check(const struct url *u)
{
	if (u->href_len > URL_MAX_LEN || strlen(u->href) != u->href_len)
		abort();
	check_view(u, u->scheme);
	check_view(u, u->username);
	check_view(u, u->password);
	check_view(u, u->host);
	check_view(u, u->path);
	check_view(u, u->query);
	check_view(u, u->fragment);
	static struct url again;
	if (url_parse(u->href, NULL, &again) != 0 || strcmp(again.href, u->href))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct url base, u;
	const char *nul = memchr(data, 0, size);
	size_t bl = nul ? (size_t)(nul - (const char *)data) : size;
	char *b = malloc(bl + 1), *ref = NULL;
	memcpy(b, data, bl);
	b[bl] = 0;
	if (nul) {
		size_t rl = size - bl - 1;
		ref = malloc(rl + 1);
		memcpy(ref, nul + 1, rl);
		ref[rl] = 0;
	}
	struct buf r = BUF_INIT, h = BUF_INIT;
	int rb = url_parse(b, NULL, &base);
	if (rb == 0)
		check(&base);
	if (ref) {
		/* url_resolve takes an empty base as none */
		int rr = bl == 0 ? url_parse(ref, NULL, &u) : rb == 0 ? url_parse(ref, &base, &u) : -1;
		if (rr == 0)
			check(&u);
		int rs = url_resolve(b, ref, &r);
		if (rs != rr || (rs == 0 && strcmp(buf_cstr(&r), u.href)))
			abort();
	}
	(void)url_host(b, &h);
	(void)url_is_http(b);
	(void)url_looks_absolute(b);
	buf_free(&r);
	buf_free(&h);
	free(b);
	free(ref);
	return 0;
}
