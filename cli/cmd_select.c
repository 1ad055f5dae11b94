/*
 * cmd_select.c - `newsmd select`: run one selector on a page, the rule
 * author's microscope.
 *
 *   newsmd select [--xpath] [--index|--text|--html] [--attr NAME] SELECTOR FILE
 *
 * Default output is one line per match: its document-order number, a short
 * tag (<div id=.. class=..>) and the start of its text.  --batch FILE runs
 * every line of FILE as a selector and prints one line of results per
 * selector (used by the differential test against a browser engine).
 */
#include "cli/cmd.h"
#include "common/buf.h"
#include "common/file.h"
#include "dom/charset.h"
#include "dom/html.h"
#include "dom/sel.h"
#include "dom/xpath.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest page read: well above crawl.max_bytes' default (10 MiB). */
#define SELECT_MAX_BYTES ((size_t)64 * 1024 * 1024)
/* Characters of text shown per match in the default listing. */
#define SELECT_SNIPPET 60

enum mode { M_LIST, M_INDEX, M_TEXT, M_HTML };

struct opts {
	bool xpath;
	enum mode mode;
	const char *attr;
	const char *batch;
};

static void usage(FILE *f)
{
	fputs("usage: newsmd select [--xpath] [--index|--text|--html] [--attr NAME] SELECTOR FILE\n"
	      "       newsmd select [--xpath] --batch SELECTORS-FILE FILE\n"
	      "\n"
	      "Runs one CSS selector (or XPath 1.0 expression) on a saved page (FILE,\n"
	      "'-' = stdin) and prints the matches in document order.\n"
	      "\n"
	      "  -x, --xpath      SELECTOR is XPath 1.0; string/number results are printed\n"
	      "  -i, --index      print each match's 0-based number among all elements of\n"
	      "                   the page in document order (document.querySelectorAll('*'))\n"
	      "  -t, --text       print each match's text, whitespace collapsed\n"
	      "      --html       print each match's outer HTML\n"
	      "  -a, --attr NAME  print attribute NAME of each match that has it\n"
	      "      --batch F    run every line of F as a selector; one output line each\n"
	      "                   (space-separated --index numbers, or '!' and the error)\n"
	      "  -h, --help       this text\n"
	      "\n"
	      "Default: one line per match, 'INDEX <tag#id.class> text...'.\n"
	      "Exit status: 0 when something matched, 1 when nothing did, 2 on errors.\n",
	      f);
}

/* Appends s with whitespace runs collapsed to one space and trimmed; stops
 * after max characters (0 = no limit), adding "...". */
static void put_collapsed(struct buf *b, const char *s, size_t max)
{
	bool space = false, any = false;
	size_t chars = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
			space = any;
			continue;
		}
		if (max && (c & 0xC0) != 0x80 && chars++ >= max) {
			buf_puts(b, "...");
			return;
		}
		if (space)
			buf_putc(b, ' ');
		space = false;
		any = true;
		buf_putc(b, (char)c);
	}
}

static const char *attr_of(xmlNodePtr el, const char *name)
{
	for (xmlAttrPtr a = el->properties; a; a = a->next)
		if (!strcmp((const char *)a->name, name))
			return a->children && a->children->content ? (const char *)a->children->content : "";
	return NULL;
}

/* The element a result node belongs to (itself, or an attribute's or text's
 * parent). */
static xmlNodePtr owner(xmlNodePtr n)
{
	return n->type == XML_ELEMENT_NODE ? n : n->parent;
}

static void node_text(xmlNodePtr n, struct buf *out)
{
	if (n->type == XML_ATTRIBUTE_NODE) {
		xmlChar *v = xmlNodeGetContent(n);
		buf_puts(out, v ? (const char *)v : "");
		xmlFree(v);
	} else {
		html_text(n, out);
	}
}

static void print_index(size_t idx)
{
	if (idx == (size_t)-1)
		fputs("-", stdout);
	else
		printf("%zu", idx);
}

static void print_nodes(const struct opts *o, xmlNodePtr *v, size_t n)
{
	size_t *idx = NULL;
	if (o->mode == M_INDEX || o->mode == M_LIST) {
		xmlNodePtr *els = malloc((n ? n : 1) * sizeof *els);
		idx = malloc((n ? n : 1) * sizeof *idx);
		if (!els || !idx) {
			free(els);
			free(idx);
			return;
		}
		for (size_t i = 0; i < n; i++)
			els[i] = owner(v[i]);
		sel_doc_index(els, n, idx);
		free(els);
	}
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		xmlNodePtr el = owner(v[i]);
		buf_clear(&b);
		if (o->attr) {
			const char *val = el && el->type == XML_ELEMENT_NODE ? attr_of(el, o->attr) : NULL;
			if (!val)
				continue;
			if (o->mode == M_INDEX) {
				print_index(idx[i]);
				putchar('\t');
			}
			puts(val);
			continue;
		}
		switch (o->mode) {
		case M_INDEX:
			print_index(idx[i]);
			putchar('\n');
			break;
		case M_TEXT:
			node_text(v[i], &b);
			{
				struct buf c = BUF_INIT;
				put_collapsed(&c, buf_cstr(&b), 0);
				puts(buf_cstr(&c));
				buf_free(&c);
			}
			break;
		case M_HTML:
			if (v[i]->type == XML_ELEMENT_NODE)
				html_outer_html(v[i], &b);
			else
				node_text(v[i], &b);
			puts(buf_cstr(&b));
			break;
		case M_LIST: {
			print_index(idx[i]);
			struct buf line = BUF_INIT;
			if (v[i]->type == XML_ELEMENT_NODE) {
				buf_printf(&line, "\t<%s", (const char *)el->name);
				const char *id = attr_of(el, "id"), *cl = attr_of(el, "class");
				if (id)
					buf_printf(&line, " id=\"%s\"", id);
				if (cl)
					buf_printf(&line, " class=\"%s\"", cl);
				buf_puts(&line, ">\t");
			} else if (v[i]->type == XML_ATTRIBUTE_NODE) {
				buf_printf(&line, "\t@%s\t", (const char *)v[i]->name);
			} else {
				buf_puts(&line, "\t#text\t");
			}
			node_text(v[i], &b);
			put_collapsed(&line, buf_cstr(&b), SELECT_SNIPPET);
			puts(buf_cstr(&line));
			buf_free(&line);
			break;
		}
		}
	}
	buf_free(&b);
	free(idx);
}

/* Runs one selector; returns the match count, or -1 after printing an error
 * (batch: the error goes to stdout as "!message"). */
static long run_one(const struct opts *o, struct html_doc *h, const char *selector, bool batch)
{
	struct nm_err e;
	err_clear(&e);
	xmlNodePtr *v = NULL;
	size_t n = 0;
	if (o->xpath) {
		struct xpath *x = NULL;
		struct xpath_result r;
		if (xpath_compile(selector, &x, &e) != NM_OK ||
		    xpath_eval(x, (xmlNodePtr)h->doc, &r, &e) != NM_OK) {
			xpath_free(x);
			goto error;
		}
		xpath_free(x);
		if (r.kind == XPATH_R_STRING) {
			puts(r.str);
			xpath_result_free(&r);
			return 1;
		}
		v = r.nodes;
		n = r.n;
		r.nodes = NULL;
		xpath_result_free(&r);
	} else {
		struct sel *s = NULL;
		if (sel_compile(selector, &s, &e) != NM_OK)
			goto error;
		n = sel_select(s, (xmlNodePtr)h->doc, &v);
		sel_free(s);
	}
	if (batch) {
		size_t *idx = malloc((n ? n : 1) * sizeof *idx);
		xmlNodePtr *els = malloc((n ? n : 1) * sizeof *els);
		if (idx && els) {
			for (size_t i = 0; i < n; i++)
				els[i] = owner(v[i]);
			sel_doc_index(els, n, idx);
			for (size_t i = 0; i < n; i++) {
				if (i)
					putchar(' ');
				print_index(idx[i]);
			}
		}
		putchar('\n');
		free(idx);
		free(els);
	} else {
		print_nodes(o, v, n);
	}
	free(v);
	return (long)n;
error:
	if (batch)
		printf("!%s\n", e.msg);
	else
		cli_errorf("%s", e.msg);
	return -1;
}

static int run_batch(const struct opts *o, struct html_doc *h)
{
	struct buf list = BUF_INIT;
	struct nm_err e;
	err_clear(&e);
	if (file_read(o->batch, SELECT_MAX_BYTES, &list, &e) != NM_OK) {
		cli_error(&e);
		buf_free(&list);
		return EXIT_USAGE;
	}
	char *p = list.ptr ? list.ptr : (char *)"";
	while (*p) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		size_t len = strlen(p);
		if (len && p[len - 1] == '\r')
			p[len - 1] = '\0';
		if (*p)
			run_one(o, h, p, true);
		else
			putchar('\n');
		if (!nl)
			break;
		p = nl + 1;
	}
	buf_free(&list);
	return EXIT_OK;
}

int cmd_select(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"xpath", no_argument, NULL, 'x'},
		{"index", no_argument, NULL, 'i'},
		{"text", no_argument, NULL, 't'},
		{"html", no_argument, NULL, 'H'},
		{"attr", required_argument, NULL, 'a'},
		{"batch", required_argument, NULL, 'b'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {false, M_LIST, NULL, NULL};
	int nmodes = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "xita:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'x': o.xpath = true; break;
		case 'i': o.mode = M_INDEX; nmodes++; break;
		case 't': o.mode = M_TEXT; nmodes++; break;
		case 'H': o.mode = M_HTML; nmodes++; break;
		case 'a': o.attr = optarg; break;
		case 'b': o.batch = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	int want = o.batch ? 1 : 2;
	if (argc - optind != want || nmodes > 1) {
		if (nmodes > 1)
			cli_errorf("select: --index, --text and --html exclude each other");
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *selector = o.batch ? NULL : argv[optind];
	const char *path = argv[argc - 1];

	/* Compile first: a bad selector is reported before reading anything. */
	struct nm_err e;
	err_clear(&e);
	if (selector) {
		enum nm_code rc;
		if (o.xpath) {
			struct xpath *x = NULL;
			rc = xpath_compile(selector, &x, &e);
			xpath_free(x);
		} else {
			struct sel *s = NULL;
			rc = sel_compile(selector, &s, &e);
			sel_free(s);
		}
		if (rc != NM_OK) {
			cli_errorf("%s", e.msg);
			return EXIT_USAGE;
		}
	}

	struct buf raw = BUF_INIT, text = BUF_INIT;
	if (file_read(path, SELECT_MAX_BYTES, &raw, &e) != NM_OK) {
		cli_error(&e);
		buf_free(&raw);
		return EXIT_USAGE;
	}
	if (charset_decode(raw.ptr ? raw.ptr : "", raw.len, NULL, NULL, &text, NULL, 0, &e) != NM_OK) {
		cli_error(&e);
		buf_free(&raw);
		buf_free(&text);
		return EXIT_USAGE;
	}
	buf_free(&raw);
	struct html_doc *h = NULL;
	if (html_parse(buf_cstr(&text), text.len, &h, &e) != NM_OK) {
		err_where(&e, path, 0, 0);
		cli_error(&e);
		buf_free(&text);
		return EXIT_USAGE;
	}
	buf_free(&text);

	int rc;
	if (o.batch) {
		rc = run_batch(&o, h);
	} else {
		long n = run_one(&o, h, selector, false);
		rc = n < 0 ? EXIT_USAGE : n == 0 ? EXIT_SOME_FAILED : EXIT_OK;
	}
	html_free(h);
	fflush(stdout);
	return rc;
}
