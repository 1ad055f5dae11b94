/*
 * fuzz_jsonld.c - libFuzzer target for the JSON-LD reader in meta.c.
 *
 * meta.h keeps the JSON-LD functions static, so the input goes in the way
 * a page brings it: each NUL-separated part of the input becomes the
 * content of its own <script type="application/ld+json"> block (so @id
 * references across blocks, arrays, @graph, mainEntity and the per-page
 * block cap are reached), in a small page with a headline, and the page
 * goes through meta_extract, meta_headline and meta_extract_near.
 * Checks: every string meta_extract fills is valid UTF-8 and dates are
 * formattable.
 */
#include "common/date.h"
#include "common/utf8.h"
#include "dom/html.h"
#include "extractor/meta.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char head[] = "<!DOCTYPE html><html><head><title>Page title - Site</title>";
static const char tail[] = "</head><body><h1>Headline</h1><div id=c><p>2022-04-13 12:11 "
			   "来源：新华社</p><p>Some text of the article.</p></div></body></html>";
static const char open_tag[] = "<script type=\"application/ld+json\">";
static const char close_tag[] = "</script>";

static void check(const char *s)
{
	if (s && !utf8_valid(s, strlen(s)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf page = BUF_INIT;
	buf_put(&page, head, sizeof head - 1);
	const char *p = (const char *)data, *end = p + size;
	for (;;) {
		const char *nul = memchr(p, 0, (size_t)(end - p));
		const char *stop = nul ? nul : end;
		buf_put(&page, open_tag, sizeof open_tag - 1);
		buf_put(&page, p, (size_t)(stop - p));
		buf_put(&page, close_tag, sizeof close_tag - 1);
		if (!nul)
			break;
		p = nul + 1;
	}
	buf_put(&page, tail, sizeof tail - 1);

	struct html_doc *h = NULL;
	if (html_parse(buf_cstr(&page), page.len, &h, NULL) == NM_OK) {
		struct article a;
		article_init(&a);
		struct nm_err e;
		err_clear(&e);
		if (meta_extract(h, "https://news.test/2022/04/13/a.html", &a, &e) != NM_OK)
			abort();
		check(a.title);
		check(a.source);
		check(a.category);
		check(a.lead_image);
		check(a.excerpt);
		check(a.lang);
		for (size_t i = 0; i < a.author.n; i++)
			check(a.author.v[i]);
		for (size_t i = 0; i < a.tags.n; i++)
			check(a.tags.v[i]);
		struct buf d = BUF_INIT;
		if (a.date.set)
			date_format(&d, "%Y-%m-%dT%H:%M:%S%:z", &a.date);
		if (a.updated.set)
			date_format(&d, "%Y-%m-%dT%H:%M:%S%:z", &a.updated);
		buf_free(&d);
		xmlNodePtr hl = meta_headline(h, a.title);
		(void)meta_extract_near(h, NULL, hl ? hl : html_body(h), &a, &e);
		article_free(&a);
		html_free(h);
	}
	buf_free(&page);
	return 0;
}
