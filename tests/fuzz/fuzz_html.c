/*
 * fuzz_html.c - a page end to end: charset decoding, pre-scan, gumbo,
 * the DOM, metadata and JSON-LD, the generic extractor, cleaning and the
 * Markdown writer.  The first byte picks options (whole-page Markdown, a
 * declared charset).
 */
#include "dom/charset.h"
#include "extractor/auto.h"
#include "dom/html.h"
#include "output/md.h"

#include <libxml/parser.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	unsigned opt = data[0];
	data++, size--;
	struct buf text = BUF_INIT, md = BUF_INIT;
	char used[64];
	charset_decode((const char *)data, size, (opt & 1) ? "text/html; charset=gbk" : NULL, NULL,
		       &text, used, sizeof used, NULL);
	struct html_doc *h = NULL;
	if (html_parse(buf_cstr(&text), text.len, &h, NULL) == NM_OK) {
		struct md_opts mo = {"https://example.com/a/b.html", (opt & 2) != 0};
		if (opt & 2) {
			md_render(html_body(h), &mo, &md, NULL);
		} else {
			struct article a;
			article_init(&a);
			if (auto_extract(h, "https://example.com/a/b.html", &a, NULL) == NM_OK &&
			    a.body_node)
				md_render(a.body_node, &mo, &md, NULL);
			article_free(&a);
		}
		html_free(h);
	}
	buf_free(&text);
	buf_free(&md);
	return 0;
}
