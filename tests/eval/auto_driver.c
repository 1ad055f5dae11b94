/*
 * auto_driver.c - evaluation driver for the generic extractor: for each
 * FILE, decode, parse, run auto_extract and print one JSON line with the
 * fields the scorers read.  Built by scripts/eval.sh; not part of newsmd.
 *
 *   auto_driver [--url URL] FILE...
 */
#include "common/buf.h"
#include "common/date.h"
#include "common/file.h"
#include "crawler/charset.h"
#include "extractor/auto.h"
#include "extractor/html.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* Pages above this are not news articles (crawl.max_bytes default). */
#define DRIVER_MAX_BYTES ((size_t)10 * 1024 * 1024)

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

int main(int argc, char **argv)
{
	const char *url = NULL;
	int i = 1;
	if (argc > 2 && !strcmp(argv[1], "--url")) {
		url = argv[2];
		i = 3;
	}
	for (; i < argc; i++) {
		struct nm_err e;
		err_clear(&e);
		struct buf raw = BUF_INIT, text = BUF_INIT;
		json_t *o = json_object();
		json_object_set_new(o, "file", json_string(argv[i]));
		struct html_doc *h = NULL;
		struct article a;
		article_init(&a);
		if (file_read(argv[i], DRIVER_MAX_BYTES, &raw, &e) == NM_OK &&
		    charset_decode(raw.ptr ? raw.ptr : "", raw.len, NULL, NULL, &text, NULL, 0,
				   &e) == NM_OK &&
		    html_parse(buf_cstr(&text), text.len, &h, &e) == NM_OK) {
			auto_extract(h, url, &a, &e);
		}
		json_object_set_new(o, "title", str_or_null(a.title));
		if (a.date.set) {
			struct buf d = BUF_INIT;
			date_format(&d, "%Y-%m-%dT%H:%M:%S%:z", &a.date);
			json_object_set_new(o, "date", json_string(buf_cstr(&d)));
			buf_free(&d);
		} else {
			json_object_set_new(o, "date", json_null());
		}
		json_t *au = json_array();
		for (size_t k = 0; k < a.author.n; k++)
			json_array_append_new(au, json_string(a.author.v[k]));
		json_object_set_new(o, "author", au);
		json_object_set_new(o, "source", str_or_null(a.source));
		json_object_set_new(o, "lang", str_or_null(a.lang));
		json_object_set_new(o, "lead_image", str_or_null(a.lead_image));
		json_object_set_new(o, "excerpt", str_or_null(a.excerpt));
		json_object_set_new(o, "body_text", str_or_null(a.body_text));
		json_object_set_new(o, "error", e.code ? json_string(e.msg) : json_null());
		char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII * 0);
		puts(line);
		free(line);
		json_decref(o);
		article_free(&a);
		html_free(h);
		buf_free(&raw);
		buf_free(&text);
	}
	return 0;
}
