/*
 * test_clean.c - extractor/clean.c: the golden cases in
 * tests/fixtures/clean/cases.txt (one per cleaning rule), pathological
 * shapes with time bounds, and a measurement on the shared corpus (cleaning
 * the whole <body> of real Chinese pages must keep the ground-truth text
 * while dropping boilerplate).
 */
#include "tests/unit/unit.h"
#include "common/file.h"
#include "common/mem.h"
#include "common/utf8.h"
#include "dom/charset.h"
#include "extractor/clean.h"
#include "dom/html.h"
#include "dom/sel.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

/* Most selectors / substrings / lazy attributes one golden case sets. */
#define CASE_OPTS_MAX 8

struct gcase {
	char name[128];
	char base[512];
	bool text;
	struct buf head, body, want;
	char *remove[CASE_OPTS_MAX + 1], *unwrap[CASE_OPTS_MAX + 1];
	char *para[CASE_OPTS_MAX + 1], *lazy[CASE_OPTS_MAX + 1];
	char *rename[CASE_OPTS_MAX + 1], *rename_to[CASE_OPTS_MAX + 1];
	char *rmattr[CASE_OPTS_MAX + 1], *trunc[CASE_OPTS_MAX + 1], *strip[CASE_OPTS_MAX + 1];
	int nremove, nunwrap, npara, nlazy, nrename, nrename_to, nrmattr, ntrunc, nstrip;
};

static void case_reset(struct gcase *c)
{
	buf_free(&c->head);
	buf_free(&c->body);
	buf_free(&c->want);
	for (int i = 0; i < c->nremove; i++)
		free(c->remove[i]);
	for (int i = 0; i < c->nunwrap; i++)
		free(c->unwrap[i]);
	for (int i = 0; i < c->npara; i++)
		free(c->para[i]);
	for (int i = 0; i < c->nlazy; i++)
		free(c->lazy[i]);
	for (int i = 0; i < c->nrename; i++)
		free(c->rename[i]), free(c->rename_to[i]);
	for (int i = 0; i < c->nrmattr; i++)
		free(c->rmattr[i]);
	for (int i = 0; i < c->ntrunc; i++)
		free(c->trunc[i]);
	for (int i = 0; i < c->nstrip; i++)
		free(c->strip[i]);
	memset(c, 0, sizeof *c);
}

/* Drops every run of blanks that holds a line break. */
static void squeeze(const char *s, struct buf *out)
{
	while (*s) {
		if (isspace((unsigned char)*s)) {
			const char *e = s;
			bool nl = false;
			while (isspace((unsigned char)*e))
				nl |= *e++ == '\n';
			if (!nl)
				buf_put(out, s, (size_t)(e - s));
			s = e;
			continue;
		}
		buf_putc(out, *s++);
	}
}

static void trim_nl(struct buf *b)
{
	size_t end = b->len;
	while (end && b->ptr[end - 1] == '\n')
		end--;
	buf_truncate(b, end);
}

static void run_case(struct gcase *c)
{
	struct buf page = BUF_INIT;
	buf_printf(&page, "<!DOCTYPE html><html><head>%s</head><body>%s</body></html>",
		   buf_cstr(&c->head), buf_cstr(&c->body));
	struct html_doc *h = NULL;
	struct nm_err e;
	err_clear(&e);
	if (html_parse(page.ptr, page.len, &h, &e) != NM_OK) {
		unit_fail(__FILE__, __LINE__, "%s: parse failed", c->name);
		buf_free(&page);
		return;
	}
	struct sel *rm[CASE_OPTS_MAX + 1] = {0}, *uw[CASE_OPTS_MAX + 1] = {0};
	struct sel *rn[CASE_OPTS_MAX + 1] = {0}, *tr[CASE_OPTS_MAX + 1] = {0};
	struct {
		char **src;
		int n;
		struct sel **dst;
	} sels[] = {{c->remove, c->nremove, rm},
		    {c->unwrap, c->nunwrap, uw},
		    {c->rename, c->nrename, rn},
		    {c->trunc, c->ntrunc, tr}};
	for (size_t k = 0; k < sizeof sels / sizeof sels[0]; k++)
		for (int i = 0; i < sels[k].n; i++)
			if (sel_compile(sels[k].src[i], &sels[k].dst[i], &e) != NM_OK)
				unit_fail(__FILE__, __LINE__, "%s: %s", c->name, e.msg);
	struct clean_opts o = {
		.base_url = c->base[0] ? c->base : NULL,
		.remove = c->nremove ? rm : NULL,
		.unwrap = c->nunwrap ? uw : NULL,
		.remove_paragraphs_matching = c->npara ? (const char *const *)c->para : NULL,
		.lazy_attrs = c->nlazy ? (const char *const *)c->lazy : NULL,
		.rename = c->nrename ? rn : NULL,
		.rename_to = c->nrename ? (const char *const *)c->rename_to : NULL,
		.remove_attrs = c->nrmattr ? (const char *const *)c->rmattr : NULL,
		.truncate_at = c->ntrunc ? tr : NULL,
		.strip_query_params = c->nstrip ? (const char *const *)c->strip : NULL,
	};
	xmlNodePtr body = html_body(h);
	clean_body(body, &o);
	struct buf got = BUF_INIT, g2 = BUF_INIT, w2 = BUF_INIT;
	if (c->text) {
		clean_text(body, &got);
		trim_nl(&c->want);
		CHECK(got.len == 0 || got.ptr[got.len - 1] != '\n');
		buf_puts(&g2, buf_cstr(&got));
		buf_puts(&w2, buf_cstr(&c->want));
	} else {
		clean_html(body, &got);
		squeeze(buf_cstr(&got), &g2);
		squeeze(buf_cstr(&c->want), &w2);
	}
	if (strcmp(buf_cstr(&g2), buf_cstr(&w2)) != 0)
		unit_fail(__FILE__, __LINE__, "case '%s':\n    got:  %s\n    want: %s", c->name,
			  buf_cstr(&g2), buf_cstr(&w2));
	for (int i = 0; i < CASE_OPTS_MAX; i++) {
		sel_free(rm[i]);
		sel_free(uw[i]);
		sel_free(rn[i]);
		sel_free(tr[i]);
	}
	buf_free(&got);
	buf_free(&g2);
	buf_free(&w2);
	buf_free(&page);
	html_free(h);
}

static void add_opt(char **v, int *n, const char *s, const char *name)
{
	if (*n >= CASE_OPTS_MAX) {
		unit_fail(__FILE__, __LINE__, "%s: too many options", name);
		return;
	}
	v[(*n)++] = xstrdup(s);
}

TEST(clean_golden_cases)
{
	struct buf f = BUF_INIT;
	struct nm_err e;
	err_clear(&e);
	if (file_read(unit_fixture("clean/cases.txt"), 1 << 20, &f, &e) != NM_OK) {
		unit_fail(__FILE__, __LINE__, "%s", e.msg);
		return;
	}
	struct gcase c;
	memset(&c, 0, sizeof c);
	enum { OUTSIDE, HEADERS, BODY, WANT } state = OUTSIDE;
	int ncases = 0;
	char *rest = f.ptr;
	for (;;) {
		/* Line by line, keeping empty lines (text cases need them). */
		char *line = rest;
		if (line) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			rest = nl ? nl + 1 : NULL;
			if (!nl && !*line)
				line = NULL;
		}
		if (!line || !strncmp(line, "### ", 4)) {
			if (state == WANT) {
				run_case(&c);
				ncases++;
			} else if (state != OUTSIDE) {
				unit_fail(__FILE__, __LINE__, "case '%s' has no '.' line", c.name);
			}
			case_reset(&c);
			if (!line)
				break;
			snprintf(c.name, sizeof c.name, "%s", line + 4);
			state = HEADERS;
			continue;
		}
		if (state == OUTSIDE)
			continue;
		if (state == HEADERS) {
			if (!strncmp(line, "base: ", 6)) {
				snprintf(c.base, sizeof c.base, "%s", line + 6);
				continue;
			}
			if (!strcmp(line, "mode: text")) {
				c.text = true;
				continue;
			}
			if (!strncmp(line, "head: ", 6)) {
				buf_puts(&c.head, line + 6);
				continue;
			}
			if (!strncmp(line, "remove: ", 8)) {
				add_opt(c.remove, &c.nremove, line + 8, c.name);
				continue;
			}
			if (!strncmp(line, "unwrap: ", 8)) {
				add_opt(c.unwrap, &c.nunwrap, line + 8, c.name);
				continue;
			}
			if (!strncmp(line, "para: ", 6)) {
				add_opt(c.para, &c.npara, line + 6, c.name);
				continue;
			}
			if (!strncmp(line, "lazy: ", 6)) {
				add_opt(c.lazy, &c.nlazy, line + 6, c.name);
				continue;
			}
			if (!strncmp(line, "rename: ", 8) && strstr(line, " -> ")) {
				char *arrow = strstr(line, " -> ");
				*arrow = '\0';
				add_opt(c.rename, &c.nrename, line + 8, c.name);
				add_opt(c.rename_to, &c.nrename_to, arrow + 4, c.name);
				continue;
			}
			if (!strncmp(line, "remove_attrs: ", 14)) {
				add_opt(c.rmattr, &c.nrmattr, line + 14, c.name);
				continue;
			}
			if (!strncmp(line, "truncate_at: ", 13)) {
				add_opt(c.trunc, &c.ntrunc, line + 13, c.name);
				continue;
			}
			if (!strncmp(line, "strip: ", 7)) {
				add_opt(c.strip, &c.nstrip, line + 7, c.name);
				continue;
			}
			state = BODY;
		}
		if (state == BODY) {
			if (!strcmp(line, ".")) {
				state = WANT;
				continue;
			}
			buf_puts(&c.body, line);
			buf_putc(&c.body, '\n');
		} else {
			buf_puts(&c.want, line);
			buf_putc(&c.want, '\n');
		}
	}
	CHECK(ncases >= 25);
	buf_free(&f);
}

/* tag_table in clean.c is searched with bsearch: its entries must stay
 * sorted.  Read from the source (the table is static). */
TEST(clean_tag_table_sorted)
{
	struct buf src = BUF_INIT;
	struct nm_err e;
	err_clear(&e);
	if (file_read("extractor/clean.c", 1 << 22, &src, &e) != NM_OK) {
		unit_skip("extractor/clean.c not found (run from the source tree)");
		return;
	}
	const char *p = strstr(buf_cstr(&src), "tag_table[] = {");
	const char *end = p ? strstr(p, "};") : NULL;
	CHECK(p && end);
	char prev[32] = "";
	int n = 0;
	while (p && end && (p = strstr(p, "\n\t{\"")) && p < end) {
		p += 4;
		size_t l = strcspn(p, "\"");
		char name[32];
		snprintf(name, sizeof name, "%.*s", (int)l, p);
		if (strcmp(prev, name) >= 0)
			unit_fail(__FILE__, __LINE__, "tag_table: '%s' after '%s'", name, prev);
		snprintf(prev, sizeof prev, "%s", name);
		n++;
	}
	CHECK(n > 100);
	buf_free(&src);
}

/* ---- direct tests ------------------------------------------------------ */

static struct html_doc *parse(const char *s)
{
	struct html_doc *h = NULL;
	html_parse(s, strlen(s), &h, NULL);
	return h;
}

TEST(clean_null_opts_and_root_kept)
{
	struct html_doc *h = parse("<body><div class=share id=root><p>x</p><!--c--></div>");
	xmlNodePtr root = html_body(h)->children;
	clean_body(root, NULL); /* root is never removed, whatever its class */
	struct buf b = BUF_INIT;
	html_outer_html(root, &b);
	CHECK_STR(buf_cstr(&b), "<div class=\"share\" id=\"root\"><p>x</p></div>");
	buf_free(&b);
	clean_body(NULL, NULL);
	html_free(h);
}

TEST(clean_relative_urls_stay_without_base)
{
	struct html_doc *h = parse("<body><p><a href=' a.html '>a</a><a href='javascript:x'>j</a></p>");
	clean_body(html_body(h), NULL);
	struct buf b = BUF_INIT;
	clean_html(html_body(h), &b);
	CHECK_STR(buf_cstr(&b), "<p><a href=\"a.html\">a</a>j</p>");
	buf_free(&b);
	html_free(h);
}

TEST(clean_html_without_clean_body_is_still_safe)
{
	/* clean_html alone must never emit scripts, handlers or unsafe URLs. */
	struct html_doc *h = parse(
		"<body><p onclick=x><a href='javascript:alert(1)'>j</a><script>s()</script>"
		"<img src='data:image/png;base64,x' onerror=y><a href='JAVASCRIPT:1'>k</a>"
		"<iframe src='javascript:1'></iframe><style>p{}</style>t</p>");
	struct buf b = BUF_INIT;
	clean_html(html_body(h), &b);
	CHECK_STR(buf_cstr(&b), "<p>jkt</p>");
	buf_free(&b);
	html_free(h);
}

TEST(clean_text_skips_script_and_trims)
{
	struct html_doc *h = parse("<body>\n <p> a </p><script>x</script>\n<div>\n b\n</div>\n");
	struct buf b = BUF_INIT;
	clean_text(html_body(h), &b);
	CHECK_STR(buf_cstr(&b), "a\n\nb");
	buf_free(&b);
	html_free(h);
}

/* Pathological shapes: each must finish well inside the bound. */
#define CLEAN_PATHO_SECONDS 2.0

static double elapsed(struct timespec a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

TEST(clean_pathological_deep_and_wide)
{
	struct buf s = BUF_INIT;
	/* Deep nesting of boilerplate-named blocks, each holding text. */
	for (int i = 0; i < HTML_MAX_DEPTH + 100; i++)
		buf_puts(&s, "<div class=share><p>x</p>");
	/* Many empty paragraphs and lazy images. */
	for (int i = 0; i < 20000; i++)
		buf_puts(&s, "<p align=center></p><img data-src=/a.jpg src=data:x><a href=javascript:0>j</a>");
	struct html_doc *h = NULL;
	CHECK_INT(html_parse(s.ptr, s.len, &h, NULL), NM_OK);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct clean_opts o = {.base_url = "https://example.com/"};
	clean_body(html_body(h), &o);
	struct buf out = BUF_INIT;
	clean_html(html_body(h), &out);
	clean_text(html_body(h), &out);
	double dt = elapsed(t0);
	if (unit_timing() && dt > CLEAN_PATHO_SECONDS)
		unit_fail(__FILE__, __LINE__, "took %.2fs", dt);
	CHECK(!strstr(buf_cstr(&out), "javascript"));
	buf_free(&out);
	buf_free(&s);
	html_free(h);
}

TEST(clean_pathological_huge_attribute_and_srcset)
{
	struct buf s = BUF_INIT;
	buf_puts(&s, "<p>t<img srcset=\"");
	for (int i = 0; i < 100000; i++)
		buf_puts(&s, "a.jpg 1x, ");
	buf_puts(&s, "\"><a href=\"");
	for (int i = 0; i < 1000000; i++)
		buf_putc(&s, 'a');
	buf_puts(&s, "\">long</a></p>");
	struct html_doc *h = NULL;
	CHECK_INT(html_parse(s.ptr, s.len, &h, NULL), NM_OK);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct clean_opts o = {.base_url = "https://example.com/"};
	clean_body(html_body(h), &o);
	struct buf out = BUF_INIT;
	clean_html(html_body(h), &out);
	CHECK(elapsed(t0) < CLEAN_PATHO_SECONDS);
	/* The over-long URL is dropped (URL_MAX_LEN), its text kept. */
	CHECK(strstr(buf_cstr(&out), "long") != NULL);
	CHECK(!strstr(buf_cstr(&out), "aaaaaaaaaa"));
	buf_free(&out);
	buf_free(&s);
	html_free(h);
}

/* ---- the real pages ----------------------------------------------------- */

/* Bag-of-characters overlap of the letters and digits of a and b (what
 * ../tools/score_zh.py counts, without NFKC): *common, *na, *nb. */
static void bag_overlap(const char *a, const char *b, size_t *common, size_t *na, size_t *nb)
{
	static unsigned short ca[0x40000], cb[0x40000];
	memset(ca, 0, sizeof ca);
	memset(cb, 0, sizeof cb);
	const char *s[2] = {a, b};
	unsigned short *c[2] = {ca, cb};
	size_t *n[2] = {na, nb};
	for (int k = 0; k < 2; k++) {
		*n[k] = 0;
		size_t len = strlen(s[k]);
		for (size_t i = 0; i < len;) {
			uint32_t cp;
			i += utf8_decode(s[k] + i, len - i, &cp);
			bool word = cp < 0x80 ? isalnum((int)cp) : (utf8_is_cjk(cp) && cp < 0xFF00) ||
									(cp >= 0xC0 && cp < 0x2000);
			if (!word || cp >= 0x40000)
				continue;
			if (cp < 0x80)
				cp = (uint32_t)tolower((int)cp);
			if (c[k][cp] < 0xFFFF)
				c[k][cp]++;
			(*n[k])++;
		}
	}
	*common = 0;
	for (size_t i = 0; i < 0x40000; i++)
		*common += ca[i] < cb[i] ? ca[i] : cb[i];
}

/* Cleaning the whole <body> must keep at least this share of the
 * ground-truth body's characters that the raw <body> text had: the
 * boilerplate heuristics must not eat the article. */
#define CORPUS_MIN_KEPT 0.97
/* Pages whose ground truth includes what cleaning rightly removes:
 * cw_658d9f03 (a bilibili column) keeps the "推荐文章" teaser of another
 * story and the comment widget ("评论", "按热度排序") in its body. */
static const char *const corpus_gt_has_boilerplate[] = {"cw_658d9f03", NULL};

struct corpus_score {
	int pages, low;
	double kept_sum, worst, p_raw, p_clean;
	char worst_id[64];
	size_t len_raw, len_clean;
};

/* Cleans the whole <body> of page bytes and scores what the cleaned text
 * kept of truth (plain text) against what the raw body text had. */
static void score_page(struct corpus_score *sc, const char *id, const char *bytes, size_t n,
		       const char *url, const char *truth)
{
	struct buf utf = BUF_INIT, raw = BUF_INIT, txt = BUF_INIT;
	struct nm_err e;
	err_clear(&e);
	charset_decode(bytes, n, NULL, NULL, &utf, NULL, 0, &e);
	struct html_doc *h = NULL;
	html_parse(utf.ptr, utf.len, &h, &e);
	xmlNodePtr b = html_body(h);
	clean_text(b, &raw); /* skips scripts and styles only */
	struct clean_opts o = {.base_url = url};
	clean_body(b, &o);
	clean_text(b, &txt);
	size_t common_raw, common_clean, ng, nr, nc;
	bag_overlap(truth, buf_cstr(&raw), &common_raw, &ng, &nr);
	bag_overlap(truth, buf_cstr(&txt), &common_clean, &ng, &nc);
	double kept = common_raw ? (double)common_clean / (double)common_raw : 1;
	bool exempt = false;
	for (const char *const *x = corpus_gt_has_boilerplate; *x; x++)
		exempt |= !strcmp(*x, id);
	if (kept < CORPUS_MIN_KEPT && !exempt) {
		sc->low++;
		if (getenv("NEWSMD_VERBOSE"))
			printf("  %s: cleaning kept %.3f of the article text\n", id, kept);
	}
	sc->pages++;
	sc->kept_sum += kept;
	if (sc->pages == 1 || kept < sc->worst) {
		sc->worst = kept;
		snprintf(sc->worst_id, sizeof sc->worst_id, "%s", id);
	}
	sc->p_raw += nr ? (double)common_raw / (double)nr : 0;
	sc->p_clean += nc ? (double)common_clean / (double)nc : 0;
	sc->len_raw += nr;
	sc->len_clean += nc;
	html_free(h);
	buf_free(&utf);
	buf_free(&raw);
	buf_free(&txt);
}

static void report(const char *sub, const struct corpus_score *sc)
{
	if (getenv("NEWSMD_VERBOSE") && sc->pages)
		printf("  %s: %d pages, %d below %.2f; article text kept by cleaning: mean %.4f, "
		       "worst %.4f (%s); precision of whole-body text %.3f -> %.3f; "
		       "letters %zu -> %zu\n",
		       sub, sc->pages, sc->low, CORPUS_MIN_KEPT, sc->kept_sum / sc->pages,
		       sc->worst, sc->worst_id, sc->p_raw / sc->pages, sc->p_clean / sc->pages,
		       sc->len_raw, sc->len_clean);
}

static void corpus_clean(const char *sub)
{
	const char *corpus = unit_corpus();
	if (!corpus) {
		unit_skip("shared corpus absent (set NEWSMD_CORPUS)");
		return;
	}
	char dir[4096], path[4400];
	snprintf(dir, sizeof dir, "%s/%s", corpus, sub);
	snprintf(path, sizeof path, "%s/ground_truth.json", dir);
	json_error_t je;
	json_t *gt = json_load_file(path, 0, &je);
	if (!gt) {
		unit_skip("corpus ground_truth.json missing");
		return;
	}
	const char *id;
	json_t *rec;
	struct corpus_score sc = {0};
	json_object_foreach(gt, id, rec)
	{
		const char *body = json_string_value(json_object_get(rec, "body"));
		const char *url = json_string_value(json_object_get(rec, "url"));
		snprintf(path, sizeof path, "%s/%s.html", dir, id);
		struct buf in = BUF_INIT;
		struct nm_err e;
		err_clear(&e);
		if (body && file_read(path, 64u << 20, &in, &e) == NM_OK)
			score_page(&sc, id, in.ptr, in.len, url, body);
		buf_free(&in);
	}
	report(sub, &sc);
	CHECK(sc.pages > 0);
	CHECK_INT(sc.low, 0);
	json_decref(gt);
}

TEST(clean_corpus_cwced_keeps_article_text)
{
	corpus_clean("zh/cwced");
}

TEST(clean_corpus_magic_html_keeps_article_text)
{
	corpus_clean("zh/magic_html");
}

/* Mozilla Readability's test pages: its expected.html is the article; the
 * whole <body> cleaned must keep that text. */
TEST(clean_corpus_readability_keeps_article_text)
{
	const char *corpus = unit_corpus();
	if (!corpus) {
		unit_skip("shared corpus absent (set NEWSMD_CORPUS)");
		return;
	}
	char dir[4096], path[4400];
	snprintf(dir, sizeof dir, "%s/readability", corpus);
	DIR *d = opendir(dir);
	if (!d) {
		unit_skip("corpus readability/ missing");
		return;
	}
	struct corpus_score sc = {0};
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		struct buf src = BUF_INIT, exp = BUF_INIT, txt = BUF_INIT;
		struct nm_err e;
		err_clear(&e);
		snprintf(path, sizeof path, "%s/%s/expected.html", dir, de->d_name);
		if (file_read(path, 64u << 20, &exp, &e) == NM_OK) {
			struct html_doc *h = NULL;
			html_parse(exp.ptr, exp.len, &h, &e);
			clean_text(xmlDocGetRootElement(h->doc), &txt);
			html_free(h);
			snprintf(path, sizeof path, "%s/%s/source.html", dir, de->d_name);
			if (file_read(path, 64u << 20, &src, &e) == NM_OK)
				score_page(&sc, de->d_name, src.ptr, src.len, "http://fakehost/test/page.html",
					   buf_cstr(&txt));
		}
		buf_free(&src);
		buf_free(&exp);
		buf_free(&txt);
	}
	closedir(d);
	report("readability", &sc);
	CHECK(sc.pages > 0);
	CHECK_INT(sc.low, 0);
	CHECK(sc.kept_sum / sc.pages >= 0.995);
}

/* Class 7 of issue 13: text is NFC, without soft hyphens, zero-width
 * spaces, word joiners or BOMs, and a paragraph's (or a <br> line's)
 * no-break / ideographic indentation goes; <pre> keeps its spaces. */
TEST(clean_text_hygiene)
{
	struct html_doc *h = parse(
		"<body><div id=a>"
		"<p>Caf" "e\xcc\x81" " au lait, hy\xc2\xad" "phen\xc2\xad" "ated, zero\xe2\x80\x8b" "width"
		"\xe2\x81\xa0" "joined\xef\xbb\xbf.</p>"
		"<p>\xe3\x80\x80\xe3\x80\x80" "\xe6\xad\xa3\xe6\x96\x87" "<br>\xc2\xa0\xc2\xa0 second line</p>"
		"<p><span>\xc2\xa0\xc2\xa0" "inline start</span> and a\xc2\xa0" "kept nbsp</p>"
		"<pre>\xc2\xa0\xc2\xa0" "code</pre></div>");
	xmlNodePtr root = html_body(h)->children;
	clean_body(root, NULL);
	struct buf b = BUF_INIT;
	clean_text(root, &b);
	const char *t = buf_cstr(&b);
	CHECK(strstr(t, "Caf\xc3\xa9 au lait") != NULL); /* composed */
	CHECK(strstr(t, "hyphenated, zerowidthjoined.") != NULL);
	CHECK(strstr(t, "\xe6\xad\xa3\xe6\x96\x87") != NULL);
	CHECK(strstr(t, "\xe3\x80\x80") == NULL);
	CHECK(strstr(t, "\xc2\xa0\xc2\xa0 second") == NULL);
	CHECK(strstr(t, "second line") != NULL);
	CHECK(strstr(t, "\xc2\xa0\xc2\xa0inline") == NULL);
	CHECK(strstr(t, "inline start") != NULL);
	buf_clear(&b);
	html_outer_html(root, &b);
	CHECK(strstr(buf_cstr(&b), "a\xc2\xa0" "kept") != NULL ||
	      strstr(buf_cstr(&b), "a&nbsp;kept") != NULL); /* not at a line start */
	CHECK(strstr(buf_cstr(&b), "<pre>\xc2\xa0\xc2\xa0" "code") != NULL ||
	      strstr(buf_cstr(&b), "<pre>&nbsp;&nbsp;code") != NULL);
	buf_free(&b);
	html_free(h);
}
