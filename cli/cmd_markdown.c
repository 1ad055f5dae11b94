/*
 * cmd_markdown.c - `newsmd markdown`: a whole page or fragment to Markdown,
 * as it is (what pandoc and turndown do): no extraction, no cleaning beyond
 * what md_render never renders (script, style, noscript, template, ...).
 *
 *   newsmd markdown [--url URL] INPUT
 *
 * INPUT is a file or '-' (stdin).  The bytes are decoded to UTF-8 like a
 * fetched page (BOM, <meta>, detector), parsed with gumbo, and <body> is
 * rendered.  Relative links and images are made absolute against the
 * page's <base href> and --url.
 */
#include "cli/cmd.h"
#include "common/buf.h"
#include "common/file.h"
#include "dom/charset.h"
#include "common/url.h"
#include "dom/html.h"
#include "output/md.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* Largest input read: well above crawl.max_bytes' default (10 MiB); a
 * saved page bigger than this is not a web page. */
#define MARKDOWN_MAX_BYTES ((size_t)64 * 1024 * 1024)

static void usage(FILE *f)
{
	fputs("usage: newsmd markdown [--url URL] INPUT\n"
	      "\n"
	      "Converts a whole HTML page or fragment (INPUT: a file, '-' = stdin) to\n"
	      "Markdown (CommonMark with GFM tables and strikethrough) on stdout, as it\n"
	      "is: menus, forms and tables included, no article extraction.\n"
	      "\n"
	      "  -u, --url URL  the page's original URL: relative links and images\n"
	      "                 are made absolute against it (and its <base href>)\n"
	      "  -h, --help     this text\n"
	      "\n"
	      "Exit status: 0 on success, 1 when INPUT cannot be read, 2 on usage errors.\n",
	      f);
}

/* The first <base href> of the document, or NULL. */
static const char *base_href(const struct html_doc *h)
{
	xmlNodePtr root = xmlDocGetRootElement(h->doc);
	for (xmlNodePtr c = root ? root->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "head"))
			continue;
		for (xmlNodePtr b = c->children; b; b = b->next)
			if (b->type == XML_ELEMENT_NODE && !strcmp((const char *)b->name, "base")) {
				xmlChar *v = xmlGetProp(b, BAD_CAST "href");
				if (v) {
					const char *s = (const char *)xmlDictLookup(h->doc->dict, v, -1);
					xmlFree(v);
					return s;
				}
			}
	}
	return NULL;
}

int cmd_markdown(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"url", required_argument, NULL, 'u'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *url = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "u:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			url = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_errorf("markdown: expected one INPUT (a file or '-'); try 'newsmd markdown --help'");
		return EXIT_USAGE;
	}
	const char *path = argv[optind];

	struct nm_err e;
	err_clear(&e);
	struct buf raw = BUF_INIT, text = BUF_INIT, base = BUF_INIT, out = BUF_INIT;
	struct html_doc *h = NULL;
	int rc = EXIT_SOME_FAILED;
	if (file_read(path, MARKDOWN_MAX_BYTES, &raw, &e) != NM_OK ||
	    charset_decode(raw.ptr ? raw.ptr : "", raw.len, NULL, NULL, &text, NULL, 0, &e) != NM_OK ||
	    html_parse(buf_cstr(&text), text.len, &h, &e) != NM_OK) {
		err_where(&e, path, 0, 0);
		cli_error(&e);
		goto out;
	}
	buf_free(&raw);
	buf_free(&text);

	/* <base href> resolved against --url, as a browser would */
	const char *b = base_href(h);
	if (b && url_resolve(url, b, &base) == 0)
		url = buf_cstr(&base);
	struct md_opts o = {url, true};
	if (md_render(html_body(h), &o, &out, &e) != NM_OK) {
		err_where(&e, path, 0, 0);
		cli_error(&e);
		goto out;
	}
	if (fwrite(out.ptr ? out.ptr : "", 1, out.len, stdout) != out.len || fflush(stdout)) {
		cli_errorf("%s: cannot write the Markdown to stdout", path);
		goto out;
	}
	rc = EXIT_OK;
out:
	html_free(h);
	buf_free(&raw);
	buf_free(&text);
	buf_free(&base);
	buf_free(&out);
	return rc;
}
