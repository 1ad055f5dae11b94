/*
 * meta.c - article metadata from JSON-LD, meta tags, microdata, <time>,
 * bylines and the text printed around the headline.
 *
 * One iterative walk over the document collects everything a page declares
 * (meta tags, ld+json scripts, headings, <time>, itemprop and byline
 * elements); each field is then taken from the best source that has it.
 * Collected strings are borrowed from the document; the article gets
 * copies.
 */
#include "extractor/meta.h"
#include "extractor/jsonld.h"
#include "common/buf.h"
#include "common/date.h"
#include "common/mem.h"
#include "common/utf8.h"
#include "common/url.h"
#include "dom/html.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

/* Meta tags remembered per page: real pages carry fewer than 150; the rest
 * of a page stuffed with thousands is ignored. */
#define META_MAX_TAGS 512
/* ld+json blocks parsed per page (news pages have 1-4). */
#define META_MAX_JSONLD 16
/* Headings (h1-h3, itemprop=headline) compared with the title candidates. */
#define META_MAX_HEADINGS 48
/* <time>, itemprop and byline elements remembered. */
#define META_MAX_ELEMS 64
/* A byline longer than this is a paragraph, not a byline. */
#define META_BYLINE_MAX 120
/* How much text after (and before) the headline is searched for the
 * date, 来源 and author lines: the header block of an article. */
#define META_NEAR_BYTES 900
/* A <time> further below the headline than this much text is in the
 * article or past it (a feed's), not in its header. */
#define META_HEADER_BYTES 300
/* Text read after a document-date label for its value: the label's
 * table cell and the next one. */
#define META_DOC_DATE_BYTES 64
/* Text nodes gathered walking backwards (each is one run of text). */
#define META_MAX_PARTS 256
/* The end of a body searched for a signature ("（记者 胡晓蓉）"). */
#define META_TAIL_BYTES 300
/* A header line (date, source, byline) is at most this long in bytes:
 * about 60 CJK characters. */
#define META_HEADER_LINE_MAX 180
/* Authors kept. */
#define META_MAX_AUTHORS 16
/* An author name longer than this (bytes) is a sentence, not a name. */
#define META_AUTHOR_MAX 80
/* Title segments ("A | B | C"). */
#define META_MAX_SEGS 16
/* Tags kept from keywords lists. */
#define META_MAX_TAGS_OUT 32

struct tag {
	size_t key;    /* offset in scan.keys of the name / property / itemprop,
			* lower-cased, '.' as ':', tokens separated by one space */
	const char *val;
	bool property; /* from property= (RDFa/OpenGraph), preferred over name= */
};

struct scan {
	struct tag tags[META_MAX_TAGS];
	size_t ntags;
	struct buf keys; /* the tags' normalised keys, each NUL-terminated */
	const char *jsonld[META_MAX_JSONLD];
	size_t njsonld;
	xmlNodePtr heads[META_MAX_HEADINGS];
	size_t nheads;
	xmlNodePtr times[META_MAX_ELEMS];
	size_t ntimes;
	xmlNodePtr props[META_MAX_ELEMS]; /* non-meta elements with itemprop */
	size_t nprops;
	xmlNodePtr bylines[META_MAX_ELEMS];
	size_t nbylines;
	xmlNodePtr title_el;
	const char *lang;
	const char *base_href;
	const char *image_src;
};

struct ld {
	json_t *roots[META_MAX_JSONLD];
	size_t nroots;
	json_t *objs[JSONLD_MAX_OBJECTS];
	size_t nobjs;
	json_t *art; /* the article object, or NULL */
};

static bool is_punct_cp(uint32_t c)
{
	if (c < 0x80)
		return ispunct((int)c) != 0;
	return (c >= 0xa1 && c <= 0xbf) || c == 0xd7 || c == 0xf7 ||
	       (c >= 0x2010 && c <= 0x206f) || (c >= 0x2100 && c <= 0x2bff) ||
	       (c >= 0x3000 && c <= 0x303f) || (c >= 0xfe10 && c <= 0xfe6f) ||
	       (c >= 0xff01 && c <= 0xff0f) || (c >= 0xff1a && c <= 0xff20) ||
	       (c >= 0xff3b && c <= 0xff40) || (c >= 0xff5b && c <= 0xff65);
}

/* Appends s[0..n) trimmed, with white space runs collapsed to one space. */
static void put_collapsed(struct buf *out, const char *s, size_t n)
{
	bool pend = false, any = false;
	size_t i = 0;
	while (i < n) {
		uint32_t c;
		size_t l = utf8_decode(s + i, n - i, &c);
		if (utf8_is_space(c)) {
			pend = any;
		} else {
			if (pend)
				buf_putc(out, ' ');
			buf_put(out, s + i, l);
			pend = false;
			any = true;
		}
		i += l;
	}
}

static char *collapsed_dup(const char *s)
{
	struct buf b = BUF_INIT;
	if (s)
		put_collapsed(&b, s, strlen(s));
	return buf_detach(&b);
}

/* The text of node, collapsed; caller frees. */
static char *node_text(xmlNodePtr node)
{
	struct buf t = BUF_INIT, out = BUF_INIT;
	html_text(node, &t);
	put_collapsed(&out, buf_cstr(&t), t.len);
	buf_free(&t);
	return buf_detach(&out);
}

/* s[0..n) without white space and punctuation, ASCII lower-cased: the form
 * two spellings of one title share. */
static void loose_key(struct buf *out, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t c;
		size_t l = utf8_decode(s + i, n - i, &c);
		if (!utf8_is_space(c) && !is_punct_cp(c)) {
			if (c < 0x80)
				buf_putc(out, tolower((int)c));
			else
				buf_put(out, s + i, l);
		}
		i += l;
	}
}

/* The next code point of s[*i..n) that loose_key keeps (ASCII folded), or
 * 0 at the end. */
static uint32_t loose_next(const char *s, size_t n, size_t *i)
{
	while (*i < n) {
		uint32_t c;
		*i += utf8_decode(s + *i, n - *i, &c);
		if (!utf8_is_space(c) && !is_punct_cp(c))
			return c < 0x80 ? (uint32_t)tolower((int)c) : c;
	}
	return 0;
}

/* loose_key(a) == loose_key(b), both non-empty, without building them. */
static bool loose_eq(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;
	uint32_t x = loose_next(a, an, &i), y = loose_next(b, bn, &j);
	if (!x)
		return false;
	while (x && x == y) {
		x = loose_next(a, an, &i);
		y = loose_next(b, bn, &j);
	}
	return x == y;
}

bool meta_title_same(const char *a, const char *b)
{
	return a && b && loose_eq(a, strlen(a), b, strlen(b));
}

/* Counts of what s[0..n) is made of: CJK characters and ASCII words. */
static void measure(const char *s, size_t n, size_t *cjk, size_t *words)
{
	size_t i = 0;
	bool inword = false;
	*cjk = *words = 0;
	while (i < n) {
		uint32_t c;
		i += utf8_decode(s + i, n - i, &c);
		if (utf8_is_cjk(c) && !is_punct_cp(c)) {
			(*cjk)++;
			inword = false;
		} else if (utf8_is_space(c) || is_punct_cp(c)) {
			inword = false;
		} else if (!inword) {
			(*words)++;
			inword = true;
		}
	}
}

/* A rough size of a title part in "words": a CJK character counts half. */
static size_t title_weight(const char *s, size_t n)
{
	size_t cjk, words;
	measure(s, n, &cjk, &words);
	return words + (cjk + 1) / 2;
}

static bool is_el(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* Next node in document order below root (NULL after the last). */
static xmlNodePtr next_node(xmlNodePtr n, xmlNodePtr root, bool descend)
{
	if (descend && n->children)
		return n->children;
	while (n && n != root && !n->next)
		n = n->parent;
	return n && n != root ? n->next : NULL;
}

static bool contains_word_ci(const char *s, const char *const *words)
{
	if (!s)
		return false;
	for (; *words; words++)
		if (strcasestr(s, *words))
			return true;
	return false;
}

/* ---- the collecting walk ---- */

static const char *const byline_hints[] = {"byline", "author", "dateline", "writtenby",
					   "p-author", "writer", "reporter", NULL};

/* Appends key lower-cased, with '.' as ':' ("DC.title" = "dc:title") and
 * single spaces between its tokens, and a NUL. */
static void norm_key(struct buf *out, const char *key)
{
	bool space = false, any = false;
	for (; *key; key++) {
		unsigned char c = (unsigned char)*key;
		if (isspace(c)) {
			space = any;
			continue;
		}
		if (space)
			buf_putc(out, ' ');
		space = false;
		any = true;
		buf_putc(out, c == '.' ? ':' : tolower(c));
	}
	buf_putc(out, '\0');
}

static void scan_element(struct scan *sc, xmlNodePtr n, bool in_head)
{
	const char *nm = (const char *)n->name;
	if (!strcmp(nm, "meta")) {
		const char *val = html_attr(n, "content");
		const char *keys[] = {html_attr(n, "property"), html_attr(n, "name"), html_attr(n, "itemprop"),
				      html_attr(n, "http-equiv")};
		if (!val || sc->ntags + 4 > META_MAX_TAGS)
			return;
		for (size_t i = 0; i < 4; i++)
			if (keys[i] && *keys[i]) {
				sc->tags[sc->ntags++] = (struct tag){sc->keys.len, val, i == 0};
				norm_key(&sc->keys, keys[i]);
			}
		return;
	}
	if (!strcmp(nm, "script")) {
		const char *type = html_attr(n, "type");
		if (type && strcasestr(type, "ld+json") && n->children &&
		    n->children->content && sc->njsonld < META_MAX_JSONLD)
			sc->jsonld[sc->njsonld++] = (const char *)n->children->content;
		return;
	}
	if (!strcmp(nm, "title")) {
		if (!sc->title_el && (in_head || !n->parent || !is_el(n->parent, "svg")))
			sc->title_el = n;
		return;
	}
	if (!strcmp(nm, "html")) {
		const char *l = html_attr(n, "lang");
		if (!l || !*l)
			l = html_attr(n, "xml:lang");
		if (l && *l)
			sc->lang = l;
	} else if (!strcmp(nm, "base")) {
		if (!sc->base_href)
			sc->base_href = html_attr(n, "href");
	} else if (!strcmp(nm, "link")) {
		const char *rel = html_attr(n, "rel");
		if (rel && !strcasecmp(rel, "image_src") && !sc->image_src)
			sc->image_src = html_attr(n, "href");
	} else if ((!strcmp(nm, "h1") || !strcmp(nm, "h2") || !strcmp(nm, "h3")) &&
		   sc->nheads < META_MAX_HEADINGS) {
		sc->heads[sc->nheads++] = n;
	} else if (!strcmp(nm, "time") && sc->ntimes < META_MAX_ELEMS) {
		const char *dt = html_attr(n, "datetime");
		if (dt && *dt)
			sc->times[sc->ntimes++] = n;
	}
	if (!n->properties)
		return;
	const char *ip = html_attr(n, "itemprop");
	if (ip && *ip && sc->nprops < META_MAX_ELEMS)
		sc->props[sc->nprops++] = n;
	/* Marked-up bylines; class and id hints are looked for later, only
	 * when nothing better names the author. */
	if (sc->nbylines < META_MAX_ELEMS && !in_head) {
		const char *rel = html_attr(n, "rel");
		if ((rel && !strcasecmp(rel, "author")) || (ip && strcasestr(ip, "author")))
			sc->bylines[sc->nbylines++] = n;
	}
}

static void scan_doc(const struct html_doc *h, struct scan *sc)
{
	xmlNodePtr root = xmlDocGetRootElement(h->doc);
	if (!root)
		return;
	scan_element(sc, root, false);
	xmlNodePtr n = root->children;
	bool in_head = false; /* the walk is inside <head> (one subtree in order) */
	while (n) {
		bool descend = false;
		if (n->type == XML_ELEMENT_NODE) {
			if (n->parent == root)
				in_head = is_el(n, "head");
			scan_element(sc, n, in_head);
			/* Scripts, styles and <title> hold text, not elements. */
			descend = strcmp((const char *)n->name, "script") &&
				  strcmp((const char *)n->name, "style") &&
				  strcmp((const char *)n->name, "svg");
		}
		n = next_node(n, root, descend);
	}
}

/* The content of the meta tag whose key (or one of its space-separated
 * keys) is `key` (lower case, ':' separated): property= tags before name=
 * ones, the first of each; NULL when none or empty. */
static const char *meta_get(const struct scan *sc, const char *key)
{
	size_t kl = strlen(key);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < sc->ntags; i++) {
			if (sc->tags[i].property != (pass == 0))
				continue;
			const char *k = sc->keys.ptr + sc->tags[i].key;
			for (;;) {
				size_t l = strcspn(k, " ");
				if (l == kl && !memcmp(k, key, l)) {
					const char *v = sc->tags[i].val;
					while (isspace((unsigned char)*v))
						v++;
					if (*v)
						return v;
				}
				if (!k[l])
					break;
				k += l + 1;
			}
		}
	return NULL;
}

static const char *meta_first(const struct scan *sc, const char *const *keys)
{
	for (; *keys; keys++) {
		const char *v = meta_get(sc, *keys);
		if (v)
			return v;
	}
	return NULL;
}

/* First non-meta element with itemprop `name`. */
static xmlNodePtr prop_el(const struct scan *sc, const char *name)
{
	for (size_t i = 0; i < sc->nprops; i++) {
		const char *ip = html_attr(sc->props[i], "itemprop");
		if (ip && strcasestr(ip, name))
			return sc->props[i];
	}
	return NULL;
}

/* ---- JSON-LD ---- */

static bool type_is_article_name(const char *t)
{
	static const char *const types[] = {"BlogPosting", "LiveBlogPosting", "SocialMediaPosting",
					    "DiscussionForumPosting", "Report", "APIReference",
					    "Review", "Posting", NULL};
	const char *slash = strrchr(t, '/');
	if (slash)
		t = slash + 1;
	const char *colon = strrchr(t, ':');
	if (colon)
		t = colon + 1;
	size_t n = strlen(t);
	if (n >= 7 && !strcmp(t + n - 7, "Article"))
		return true;
	for (size_t i = 0; types[i]; i++)
		if (!strcmp(t, types[i]))
			return true;
	return false;
}

/* 2 for article types, 1 for pages that carry article fields, else 0. */
static int ld_rank(json_t *o)
{
	json_t *t = json_object_get(o, "@type");
	size_t idx;
	json_t *it;
	if (json_is_string(t) && type_is_article_name(json_string_value(t)))
		return 2;
	if (json_is_array(t))
		json_array_foreach(t, idx, it) if (json_is_string(it) &&
						    type_is_article_name(json_string_value(it))) return 2;
	if (json_object_get(o, "headline") || json_object_get(o, "datePublished"))
		return 1;
	return 0;
}

static void ld_load(const struct scan *sc, struct ld *ld)
{
	for (size_t i = 0; i < sc->njsonld; i++) {
		json_t *v = jsonld_parse(sc->jsonld[i], strlen(sc->jsonld[i]), NULL);
		if (!v)
			continue;
		ld->roots[ld->nroots++] = v;
		ld->nobjs = jsonld_collect(v, ld->objs, ld->nobjs, JSONLD_MAX_OBJECTS);
	}
	int best = 0;
	for (size_t i = 0; i < ld->nobjs; i++) {
		int r = ld_rank(ld->objs[i]);
		if (r > best) {
			best = r;
			ld->art = ld->objs[i];
		}
	}
}

static void ld_free(struct ld *ld)
{
	for (size_t i = 0; i < ld->nroots; i++)
		json_decref(ld->roots[i]);
}

static json_t *ld_by_id(const struct ld *ld, json_t *ref)
{
	json_t *id = json_object_get(ref, "@id");
	if (!json_is_string(id) || json_object_size(ref) > 2)
		return ref;
	for (size_t i = 0; i < ld->nobjs; i++) {
		json_t *o = ld->objs[i];
		json_t *oid = json_object_get(o, "@id");
		if (o != ref && json_is_string(oid) &&
		    !strcmp(json_string_value(oid), json_string_value(id)))
			return o;
	}
	return ref;
}

/* A string field of the article object, trimmed; NULL when absent. */
static const char *ld_str(const struct ld *ld, const char *key)
{
	if (!ld->art)
		return NULL;
	json_t *v = json_object_get(ld->art, key);
	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (json_is_object(v))
		v = json_object_get(v, "@value");
	if (!json_is_string(v))
		return NULL;
	const char *s = json_string_value(v);
	while (isspace((unsigned char)*s))
		s++;
	return *s ? s : NULL;
}

/* The name of a person/organisation value (string, object, @id ref). */
static const char *ld_name(const struct ld *ld, json_t *v)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_object(v)) {
		v = ld_by_id(ld, v);
		json_t *n = json_object_get(v, "name");
		if (json_is_array(n))
			n = json_array_get(n, 0);
		if (json_is_string(n))
			return json_string_value(n);
	}
	return NULL;
}

static const char *ld_image(const struct ld *ld)
{
	if (!ld->art)
		return NULL;
	json_t *v = json_object_get(ld->art, "image");
	if (json_is_array(v))
		v = json_array_get(v, 0);
	if (json_is_object(v)) {
		v = ld_by_id(ld, v);
		json_t *u = json_object_get(v, "url");
		if (!json_is_string(u))
			u = json_object_get(v, "contentUrl");
		v = u;
	}
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- authors ---- */

static bool looks_like_url(const char *s)
{
	return !strncasecmp(s, "http:", 5) || !strncasecmp(s, "https:", 6) ||
	       !strncmp(s, "//", 2) || !strncmp(s, "www.", 4);
}

/* Strips a leading "By", "Written by", "作者：" and the like. */
static const char *strip_by(const char *s)
{
	static const char *const pre[] = {"written by", "posted by", "words by", "story by",
					  "by:", "by ", "von ", "par ", "por ", "作者：", "作者:",
					  "作者", "文／", "文/", "记者：", "记者:", "记者", NULL};
	bool again = true;
	while (again) {
		again = false;
		while (*s && (isspace((unsigned char)*s) || *s == '|'))
			s++;
		for (size_t i = 0; pre[i]; i++) {
			size_t l = strlen(pre[i]);
			if (!strncasecmp(s, pre[i], l)) {
				s += l;
				again = true;
				break;
			}
		}
	}
	return s;
}

/* True when s reads as a person's name: text found in the page layout
 * (a byline box, a "记者" line) holds labels, counters and site names as
 * often as names.  Chinese names are 2-4 characters (transliterations
 * with "·" longer); Latin ones a few capitalised words. */
static bool name_like(const char *s)
{
	if (strpbrk(s, "0123456789@_:/|#") || strstr(s, "\xef\xbc\x9a") /* ： */ ||
	    strstr(s, ".com") || strstr(s, "\xe2\x96\xa0") /* ■ */)
		return false;
	size_t cjk, words;
	measure(s, strlen(s), &cjk, &words);
	if (cjk && !words) {
		bool dot = strstr(s, "\xc2\xb7") != NULL;
		for (const char *p = s; *p;) {
			size_t l = strcspn(p, " ");
			size_t c, w;
			measure(p, l, &c, &w);
			if (c < 2 || c > (dot ? 10 : 4))
				return false;
			p += l;
			while (*p == ' ')
				p++;
		}
		return true;
	}
	if (words && !cjk) {
		bool upper = false;
		for (const char *p = s; *p; p++)
			if ((p == s || p[-1] == ' ') && isupper((unsigned char)*p))
				upper = true;
		return words <= 5 && upper;
	}
	return false;
}

/* Adds one author.  found: the name comes from page text, not from
 * metadata, and must read as a name. */
static void add_author(struct article *a, const char *name, size_t n, bool found)
{
	struct buf b = BUF_INIT;
	/* separators left over from a byline ("John Walk -", "| Jane Roe") */
	while (n && strchr(" -|,;:/", name[0]))
		name++, n--;
	while (n && strchr(" -|,;:/", name[n - 1]))
		n--;
	while (n >= 3 && (!memcmp(name + n - 3, "\xe2\x80\x93", 3) || /* en dash */
			  !memcmp(name + n - 3, "\xe2\x80\x94", 3) || /* em dash */
			  !memcmp(name + n - 3, "\xe2\x80\xa2", 3))) { /* bullet */
		n -= 3;
		while (n && name[n - 1] == ' ')
			n--;
	}
	while (n >= 2 && !memcmp(name + n - 2, "\xc2\xb7", 2)) { /* middle dot */
		n -= 2;
		while (n && name[n - 1] == ' ')
			n--;
	}
	put_collapsed(&b, name, n);
	const char *s = buf_cstr(&b);
	size_t cjk, words;
	measure(s, b.len, &cjk, &words);
	bool dup = false;
	for (size_t i = 0; i < a->author.n; i++)
		if (!strcmp(a->author.v[i], s))
			dup = true;
	/* Content-management user ids ("L_104485") and domains are not
	 * authors even when metadata says so. */
	bool id = strpbrk(s, "_@") || (strchr(s, '.') && !strchr(s, ' '));
	if (b.len && b.len <= META_AUTHOR_MAX && (cjk || words) && !looks_like_url(s) && !dup &&
	    !id && a->author.n < META_MAX_AUTHORS && (!found || name_like(s)))
		strv_push(&a->author, s);
	buf_free(&b);
}

/* Adds the names in a byline string: "A, B and C", "A & B", "张三、李四".
 * found: as for add_author. */
static void add_authors_from(struct article *a, const char *s, bool found)
{
	s = strip_by(s);
	static const char *const seps[] = {" and ", " & ", ", ", "、", "，", ";", " und ",
					   " et ", " y ", NULL};
	while (*s) {
		const char *cut = NULL;
		size_t cl = 0;
		for (size_t i = 0; seps[i]; i++) {
			const char *h = strstr(s, seps[i]);
			if (h && (!cut || h < cut)) {
				cut = h;
				cl = strlen(seps[i]);
			}
		}
		size_t n = cut ? (size_t)(cut - s) : strlen(s);
		add_author(a, s, n, found);
		if (!cut)
			break;
		s = strip_by(cut + cl);
	}
}

/* Chinese bylines separate names with spaces ("符晓波 李明"); names in
 * Latin script keep theirs ("Jane Roe"). */
static void add_cjk_names(struct article *a, const char *s)
{
	size_t cjk, words;
	measure(s, strlen(s), &cjk, &words);
	if (!cjk || words) {
		add_authors_from(a, s, true);
		return;
	}
	while (*s) {
		size_t l = 0;
		while (s[l] && s[l] != ' ' && strncmp(s + l, "\xe3\x80\x81", 3) &&
		       strncmp(s + l, "\xe3\x80\x80", 3))
			l++;
		if (l)
			add_author(a, s, l, true);
		s += l;
		while (*s == ' ' || !strncmp(s, "\xe3\x80\x81", 3) || !strncmp(s, "\xe3\x80\x80", 3))
			s += *s == ' ' ? 1 : 3;
	}
}

static void ld_authors(const struct ld *ld, struct article *a)
{
	if (!ld->art)
		return;
	json_t *v = json_object_get(ld->art, "author");
	if (!v)
		v = json_object_get(ld->art, "creator");
	size_t idx;
	json_t *it;
	if (json_is_array(v)) {
		json_array_foreach(v, idx, it)
		{
			const char *n = ld_name(ld, it);
			if (n)
				add_authors_from(a, n, false);
		}
	} else {
		const char *n = ld_name(ld, v);
		if (n)
			add_authors_from(a, n, false);
	}
}

/* ---- titles ---- */

struct seg {
	const char *p;
	size_t n;
};

/* Length of a title separator at s (0 when none).  prev is the code point
 * before s. */
static size_t sep_at(const char *s, size_t n, uint32_t prev)
{
	static const char *const spaced[] = {" | ", " - ", " \xe2\x80\x93 ", " \xe2\x80\x94 ",
					     " \xc2\xb7 ", " \xe2\x80\xa2 ", " :: ", " \xc2\xbb ",
					     " \xc2\xab ", " / ", " ~ ", " \xe2\x9c\xa9 ", NULL};
	for (size_t i = 0; spaced[i]; i++) {
		size_t l = strlen(spaced[i]);
		if (l <= n && !memcmp(s, spaced[i], l))
			return l;
	}
	/* "｜", "丨" and a bare "|" always separate. */
	if (n >= 3 && (!memcmp(s, "\xef\xbd\x9c", 3) || !memcmp(s, "\xe4\xb8\xa8", 3)))
		return 3;
	if (*s == '|')
		return 1;
	/* Runs of "_" or "-" separate next to CJK text: "标题_新浪财经",
	 * "标题-新华网", "标题--社会--人民网", "标题__商贸"; between ASCII
	 * letters they are part of a word. */
	if (*s != '_' && *s != '-')
		return 0;
	size_t run = strspn(s, *s == '_' ? "_" : "-");
	uint32_t next = 0;
	if (n > run)
		utf8_decode(s + run, n - run, &next);
	if (*s == '_' && (utf8_is_cjk(prev) || utf8_is_cjk(next)))
		return run;
	bool prev_word = prev < 0x80 && isalnum((int)prev);
	if (*s == '-' && utf8_is_cjk(next) && (utf8_is_cjk(prev) || (prev && !prev_word)))
		return run;
	return 0;
}

static size_t split_title(const char *s, struct seg *segs)
{
	size_t n = strlen(s), i = 0, start = 0, k = 0;
	uint32_t prev = 0;
	while (i < n) {
		size_t l = sep_at(s + i, n - i, prev);
		if (l && k + 1 < META_MAX_SEGS) {
			segs[k++] = (struct seg){s + start, i - start};
			i += l;
			start = i;
			prev = 0;
			continue;
		}
		l = utf8_decode(s + i, n - i, &prev);
		i += l;
	}
	segs[k++] = (struct seg){s + start, n - start};
	/* Trim each part. */
	for (size_t j = 0; j < k; j++) {
		while (segs[j].n && isspace((unsigned char)segs[j].p[0])) {
			segs[j].p++;
			segs[j].n--;
		}
		while (segs[j].n && isspace((unsigned char)segs[j].p[segs[j].n - 1]))
			segs[j].n--;
	}
	return k;
}

/* The distinctive label of a host: "bbc" for www.bbc.co.uk, "sina" for
 * finance.sina.com.cn. */
static void host_label(const char *host, struct buf *out)
{
	static const char *const generic[] = {"www", "com", "net", "org", "co", "cn", "uk", "gov",
					      "edu", "ac", "news", "m", "wap", "info", "io", NULL};
	const char *best = NULL;
	size_t bestn = 0;
	const char *p = host;
	while (p && *p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		bool gen = !dot; /* the TLD */
		for (size_t i = 0; generic[i] && !gen; i++)
			if (strlen(generic[i]) == l && !strncmp(p, generic[i], l))
				gen = true;
		/* The last non-generic label before the suffix is the site. */
		if (!gen && l >= 2) {
			best = p;
			bestn = l;
		}
		p = dot ? dot + 1 : NULL;
	}
	if (best)
		buf_put(out, best, bestn);
}

/* Short Chinese names of sites, papers and channels: 新华网, 人民网－人民日报,
 * 三联生活周刊, 天下雜誌, 宏观频道, 新浪财经. */
static bool cjk_site_name(const char *p, size_t n)
{
	static const char *const ends[] = {
		"\xe6\x8a\xa5",             /* 报 */
		"\xe7\xa4\xbe",             /* 社 */
		"\xe5\x8f\xb0",             /* 台 */
		"\xe5\x88\x8a",             /* 刊 */
		"\xe5\xbf\x97",             /* 志 */
		"\xe8\xaa\x8c",             /* 誌 */
		"\xe9\xa2\x91\xe9\x81\x93", /* 频道 */
		"\xe9\xa6\x96\xe9\xa1\xb5", /* 首页 */
		"\xe6\x96\xb0\xe9\x97\xbb", /* 新闻 */
		"\xe5\x9c\xa8\xe7\xba\xbf", /* 在线 */
		"\xe8\xb4\xa2\xe7\xbb\x8f", /* 财经 */
		NULL};
	if (memmem(p, n, "\xe7\xbd\x91", 3)) /* 网 */
		return true;
	for (size_t i = 0; ends[i]; i++) {
		size_t l = strlen(ends[i]);
		if (n >= l && !memcmp(p + n - l, ends[i], l))
			return true;
	}
	return false;
}

/* True when a title part names the site rather than the article. */
static bool seg_is_site(struct seg sg, const char *site, const char *label)
{
	if (!sg.n)
		return true;
	struct buf k = BUF_INIT;
	loose_key(&k, sg.p, sg.n);
	bool yes = false;
	if (site && *site) {
		struct buf sk = BUF_INIT;
		loose_key(&sk, site, strlen(site));
		yes = sk.len && (!strcmp(buf_cstr(&k), buf_cstr(&sk)) ||
				 (sk.len >= 4 && strstr(buf_cstr(&k), buf_cstr(&sk)) &&
				  k.len <= sk.len * 2));
		buf_free(&sk);
	}
	size_t cjk, words;
	measure(sg.p, sg.n, &cjk, &words);
	if (!yes && label && strlen(label) >= 3 && !cjk && words <= 4)
		yes = strstr(buf_cstr(&k), label) != NULL;
	/* "xxx.com", and short Chinese names of sites and channels:
	 * 新华网, 新浪财经_新浪网, 人民网－人民日报. */
	if (!yes && !cjk && words <= 3) {
		const char *d = memchr(sg.p, '.', sg.n);
		yes = d && d > sg.p && d + 2 < sg.p + sg.n && !memchr(sg.p, ' ', sg.n);
	}
	if (!yes && cjk && cjk <= 10 && words <= 1)
		yes = cjk_site_name(sg.p, sg.n);
	buf_free(&k);
	return yes;
}

static char *seg_join(const struct seg *segs, size_t from, size_t to)
{
	struct buf b = BUF_INIT;
	put_collapsed(&b, segs[from].p, (size_t)(segs[to].p + segs[to].n - segs[from].p));
	return buf_detach(&b);
}

/* Removes site parts.  decorated: the title is a document <title>, so short
 * trailing parts are taken for site or section names even when unrecognised;
 * declared titles (og:title, headline) only lose recognised site names. */
static char *clean_title(const char *raw, const char *site, const char *host, bool decorated)
{
	char *s = collapsed_dup(raw);
	struct seg segs[META_MAX_SEGS];
	size_t n = split_title(s, segs);
	struct buf label = BUF_INIT;
	if (host)
		host_label(host, &label);
	size_t lo = 0, hi = n - 1;
	while (hi > lo && seg_is_site(segs[hi], site, label.len ? buf_cstr(&label) : NULL))
		hi--;
	while (lo < hi && seg_is_site(segs[lo], site, label.len ? buf_cstr(&label) : NULL))
		lo++;
	if (decorated && hi > lo) {
		/* One more tail part, unrecognised, goes when what stays is
		 * clearly the longer: "Title | Section" or "Title - Blog name".
		 * Without a heading or a known site name to go by, one is as far
		 * as the evidence reaches. */
		size_t tail = title_weight(segs[hi].p, segs[hi].n);
		size_t rest = title_weight(segs[lo].p,
					   (size_t)(segs[hi - 1].p + segs[hi - 1].n - segs[lo].p));
		if (rest >= 3 && rest >= tail * 2)
			hi--;
	}
	char *out = (lo == 0 && hi == n - 1) ? xstrdup(s) : seg_join(segs, lo, hi);
	free(s);
	buf_free(&label);
	return out;
}

char *meta_clean_title(const char *raw, const char *site, const char *host)
{
	return clean_title(raw ? raw : "", site, host, true);
}

/* If heading text hd equals the whole candidate or a run of its parts,
 * returns that text (new string); else NULL. */
static char *match_heading(const char *cand, const char *hd)
{
	size_t hn = strlen(hd);
	if (loose_eq(cand, strlen(cand), hd, hn))
		return collapsed_dup(cand);
	struct seg segs[META_MAX_SEGS];
	char *s = collapsed_dup(cand);
	size_t n = split_title(s, segs);
	size_t whole = title_weight(s, strlen(s));
	char *out = NULL;
	for (size_t i = 0; i < n && !out; i++)
		for (size_t j = i; j < n && !out; j++) {
			if (i == 0 && j == n - 1)
				continue;
			const char *p = segs[i].p;
			size_t l = (size_t)(segs[j].p + segs[j].n - p);
			/* The part must carry most of the title: a heading
			 * naming the site matches its part too. */
			if (title_weight(p, l) * 2 > whole && loose_eq(p, l, hd, hn))
				out = seg_join(segs, i, j);
		}
	free(s);
	return out;
}

/* Share of b's words (ASCII-folded, CJK characters one each) found in a:
 * how much of b the text a covers. */
static double word_overlap(const char *a, const char *b)
{
	struct buf ka = BUF_INIT;
	loose_key(&ka, a, strlen(a));
	size_t total = 0, hit = 0, n = strlen(b), i = 0;
	while (i < n) {
		while (i < n && !isalnum((unsigned char)b[i]) && (unsigned char)b[i] < 0x80)
			i++;
		size_t j = i;
		if (j < n && (unsigned char)b[j] >= 0x80) {
			uint32_t c;
			j += utf8_decode(b + j, n - j, &c);
		} else {
			while (j < n && isalnum((unsigned char)b[j]))
				j++;
		}
		if (j == i)
			break;
		struct buf w = BUF_INIT;
		loose_key(&w, b + i, j - i);
		if (w.len) {
			total++;
			hit += strstr(buf_cstr(&ka), buf_cstr(&w)) != NULL;
		}
		buf_free(&w);
		i = j;
	}
	buf_free(&ka);
	return total ? (double)hit / total : 0;
}

struct title_pick {
	char *title;
	xmlNodePtr heading; /* the heading that agreed, or NULL */
};

/* The title: the first declared one (JSON-LD headline, Dublin Core,
 * OpenGraph, Twitter...) cleaned of recognised site names; else the
 * document's <title>, cut to the part a page heading shows when one does,
 * else cleaned of site and section parts.  The
 * heading agreeing with any candidate anchors the search for bylines. */
static void pick_title(const struct scan *sc, const struct ld *ld, const char *site,
		       const char *host, struct title_pick *tp)
{
	struct buf label = BUF_INIT;
	if (host)
		host_label(host, &label);
	const char *cands[12];
	size_t nc = 0;
	char *doc_title = sc->title_el ? node_text(sc->title_el) : NULL;
	const char *headline = ld_str(ld, "headline"), *name = ld_str(ld, "name");
	/* Some JSON-LD puts a summary in headline and the title in name, or
	 * the site's name in name: take first the one that covers more of the
	 * document title. */
	if (headline && name && strcmp(name, headline) && doc_title) {
		char *clean = clean_title(doc_title, site, host, true);
		if (word_overlap(name, clean) > word_overlap(headline, clean)) {
			const char *t = headline;
			headline = name;
			name = t;
		}
		free(clean);
	}
	if (headline)
		cands[nc++] = headline;
	if (name && (!headline || strcmp(name, headline)))
		cands[nc++] = name;
	static const char *const keys[] = {"dc:title", "dcterm:title", "dcterms:title", "og:title",
					   "weibo:article:title", "weibo:webpage:title", "title",
					   "twitter:title", "parsely-title", "headline", NULL};
	for (size_t i = 0; keys[i] && nc < 10; i++) {
		const char *v = meta_get(sc, keys[i]);
		if (v)
			cands[nc++] = v;
	}
	size_t ndeclared = nc;
	if (doc_title && *doc_title)
		cands[nc++] = doc_title;

	/* The headings that could show a title: not empty, not the site. */
	char *heads[META_MAX_HEADINGS];
	for (size_t i = 0; i < sc->nheads; i++) {
		heads[i] = node_text(sc->heads[i]);
		struct seg sg = {heads[i], strlen(heads[i])};
		if (title_weight(sg.p, sg.n) < 1 ||
		    seg_is_site(sg, site, label.len ? buf_cstr(&label) : NULL))
			heads[i][0] = '\0';
	}
	for (size_t c = 0; c < nc && !tp->heading; c++)
		for (size_t i = 0; i < sc->nheads && !tp->heading; i++) {
			char *m = heads[i][0] ? match_heading(cands[c], heads[i]) : NULL;
			if (m) {
				tp->heading = sc->heads[i];
				/* The heading decides where a document title is
				 * cut; a declared title is the publisher's own
				 * wording and loses only recognised site names. */
				if (c == 0 && ndeclared == 0)
					tp->title = m;
				else
					free(m);
			}
		}
	for (size_t i = 0; i < sc->nheads; i++)
		free(heads[i]);
	if (!tp->title && nc)
		tp->title = clean_title(cands[0], site, host, ndeclared == 0);
	if (!tp->title && sc->nheads && is_el(sc->heads[0], "h1"))
		tp->title = node_text(sc->heads[0]);
	if (tp->title && !*tp->title) {
		free(tp->title);
		tp->title = NULL;
	}
	free(doc_title);
	buf_free(&label);
}

/* ---- dates ---- */

static bool text_is_chinese(const char *s)
{
	size_t cjk, words;
	if (!s)
		return false;
	measure(s, strlen(s), &cjk, &words);
	return cjk > words;
}

/* Japanese kana or Korean hangul in s: a Japanese or Korean page, never
 * a Chinese one, whatever share of ideographs it has. */
static bool text_has_kana_or_hangul(const char *s)
{
	if (!s)
		return false;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		if (!k)
			k = 1;
		if ((cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
		    (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F))
			return true;
		i += k;
	}
	return false;
}

static bool parse_date(const char *s, const struct tz *z, struct when *w)
{
	struct when t = {0};
	if (!s || date_parse_any(s, z, &t) != NM_OK || !t.set)
		return false;
	*w = t;
	return true;
}

static int read_num(const char *s, size_t n, size_t *i, int maxdig)
{
	int v = 0, d = 0;
	while (*i < n && d < maxdig && isdigit((unsigned char)s[*i])) {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		d++;
	}
	return d ? v : -1;
}

static bool eat(const char *s, size_t n, size_t *i, const char *lit)
{
	size_t l = strlen(lit);
	if (*i + l <= n && !memcmp(s + *i, lit, l)) {
		*i += l;
		return true;
	}
	return false;
}

static void skip_spaces(const char *s, size_t n, size_t *i)
{
	while (*i < n) {
		uint32_t c;
		size_t l = utf8_decode(s + *i, n - *i, &c);
		if (!utf8_is_space(c))
			break;
		*i += l;
	}
}

/* Reads "HH:MM[:SS]" (also 时/分 and full-width colons) with an optional
 * AM/PM at s[*i]; false when none. */
static bool read_time(const char *s, size_t n, size_t *i, int *hh, int *mm, int *ss)
{
	size_t t = *i;
	skip_spaces(s, n, &t);
	int hv = read_num(s, n, &t, 2);
	if (hv < 0 || hv > 23 ||
	    !(eat(s, n, &t, ":") || eat(s, n, &t, "\xef\xbc\x9a") || eat(s, n, &t, "\xe6\x97\xb6")))
		return false;
	int mv = read_num(s, n, &t, 2);
	if (mv < 0 || mv > 59)
		return false;
	*ss = 0;
	if (eat(s, n, &t, ":") || eat(s, n, &t, "\xef\xbc\x9a") || eat(s, n, &t, "\xe5\x88\x86")) {
		int sv = read_num(s, n, &t, 2);
		*ss = sv >= 0 && sv < 61 ? sv : 0;
	}
	size_t u = t;
	skip_spaces(s, n, &u);
	if (u + 2 <= n && (!strncasecmp(s + u, "pm", 2) || !strncasecmp(s + u, "am", 2)) &&
	    (u + 2 == n || !isalpha((unsigned char)s[u + 2]))) {
		bool pm = tolower((unsigned char)s[u]) == 'p';
		if (hv > 12)
			return false;
		hv = hv % 12 + (pm ? 12 : 0);
		t = u + 2;
	}
	*hh = hv;
	*mm = mv;
	*i = t;
	return true;
}

/* A date at s[i]: "YYYY-MM-DD" (separators - / . or 年月日), or the US
 * "M/D/YYYY" when an AM/PM time follows, each with an optional time; or a
 * magazine issue "YYYY年M月号", known only to the month.  Writes it as
 * "YYYY-MM-DD[ HH:MM:SS]" to out (an issue as the first of its month);
 * *has_time says whether a time was read, *month_only whether only the
 * month is known. */
static bool date_at(const char *s, size_t n, size_t i, struct buf *out, bool *has_time,
		    bool *month_only)
{
	size_t j = i;
	int y, mo, d;
	bool cn = false;
	*month_only = false;
	y = read_num(s, n, &j, 4);
	if (j - i == 4 && y >= 1990 && y <= 2100) {
		cn = eat(s, n, &j, "\xe5\xb9\xb4"); /* 年 */
		char sep = 0;
		if (!cn) {
			if (j >= n || !strchr("-/.", s[j]))
				return false;
			sep = s[j++];
		}
		mo = read_num(s, n, &j, 2);
		if (mo < 1 || mo > 12)
			return false;
		if (cn ? !eat(s, n, &j, "\xe6\x9c\x88") /* 月 */ : (j >= n || s[j++] != sep))
			return false;
		d = read_num(s, n, &j, 2);
		if (j < n && isdigit((unsigned char)s[j]))
			return false;
		if (cn && d < 0 && eat(s, n, &j, "\xe5\x8f\xb7")) { /* 号: an issue */
			*has_time = false;
			*month_only = true;
			buf_clear(out);
			buf_printf(out, "%04d-%02d-01", y, mo);
			return true;
		}
		if (cn)
			eat(s, n, &j, "\xe6\x97\xa5"); /* 日 */
	} else {
		/* M/D/YYYY h:mm AM: the US order, trusted only with AM/PM. */
		j = i;
		mo = read_num(s, n, &j, 2);
		if (mo < 1 || mo > 12 || !eat(s, n, &j, "/"))
			return false;
		d = read_num(s, n, &j, 2);
		if (!eat(s, n, &j, "/"))
			return false;
		size_t ys = j;
		y = read_num(s, n, &j, 4);
		if (j - ys != 4 || y < 1990 || y > 2100)
			return false;
		int hh, mm, ss;
		size_t t = j;
		if (!read_time(s, n, &t, &hh, &mm, &ss) ||
		    !(strcasestr(s + j, "am") || strcasestr(s + j, "pm")))
			return false;
	}
	if (d < 1 || d > 31)
		return false;
	int hh, mm, ss;
	*has_time = read_time(s, n, &j, &hh, &mm, &ss);
	buf_clear(out);
	if (*has_time)
		buf_printf(out, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, hh, mm, ss);
	else
		buf_printf(out, "%04d-%02d-%02d", y, mo, d);
	return true;
}

/* True when one of words ends just before s[at] (white space and a colon
 * between allowed). */
static bool label_before(const char *s, size_t at, const char *const *words)
{
	size_t k = at;
	while (k > 0 && (isspace((unsigned char)s[k - 1]) || s[k - 1] == ':'))
		k--;
	if (k >= 3 && !memcmp(s + k - 3, "\xef\xbc\x9a", 3)) /* ： */
		k -= 3;
	while (k > 0 && isspace((unsigned char)s[k - 1]))
		k--;
	for (; *words; words++) {
		size_t l = strlen(*words);
		if (k >= l && !strncasecmp(s + k - l, *words, l))
			return true;
	}
	return false;
}

/* The publication date printed in a stretch of text, normalised into
 * out.  Every date is looked at: one labelled as publication ("发布时间：",
 * "发表于", "Posted") beats an unlabelled one, a time of day beats a bare
 * day, a bare day beats a magazine issue known only to its month, and one
 * labelled as something else ("建立于", "注册") never counts.  Among equals
 * the first wins, or with from_end the last: in the text above an
 * article, the date nearest to it is the article's (the ones further up
 * belong to the posts and teasers before it).  Returns the winner's
 * score: DATE_MONTH, DATE_DAY or more; -1 when there is none. */
enum { DATE_MONTH = 0, DATE_DAY = 1, DATE_TIME = 2 };
/* Added to a date labelled as the publication's. */
#define DATE_LABEL_BONUS 2
static int find_date(const char *s, size_t n, bool from_end, struct buf *out)
{
	static const char *const pub[] = {
		"\xe5\x8f\x91\xe8\xa1\xa8\xe4\xba\x8e", /* 发表于 */
		"\xe5\x8f\x91\xe5\xb8\x83\xe4\xba\x8e", /* 发布于 */
		"\xe6\x97\xb6\xe9\x97\xb4",                 /* 时间 */
		"\xe6\x97\xa5\xe6\x9c\x9f",                 /* 日期 */
		"\xe5\x8f\x91\xe5\xb8\x83",                 /* 发布 */
		"\xe5\x8f\x91\xe8\xa1\xa8",                 /* 发表 */
		"posted", "published", "posted on", "published on", "updated", NULL};
	static const char *const other[] = {
		"\xe5\xbb\xba\xe7\xab\x8b\xe4\xba\x8e", /* 建立于 */
		"\xe6\xb3\xa8\xe5\x86\x8c",                 /* 注册 */
		"\xe5\x8a\xa0\xe5\x85\xa5",                 /* 加入 */
		"\xe6\x88\x90\xe7\xab\x8b",                 /* 成立 */
		"\xe6\x88\xaa\xe6\xad\xa2",                 /* 截止 */
		"\xe5\x87\xba\xe7\x94\x9f",                 /* 出生 */
		"joined", "since", "born", NULL};
	struct buf cur = BUF_INIT;
	int best = -1;
	for (size_t i = 0; i + 8 <= n; i++) {
		if (!isdigit((unsigned char)s[i]) || (i && isdigit((unsigned char)s[i - 1])))
			continue;
		bool has_time = false, month_only = false;
		if (!date_at(s, n, i, &cur, &has_time, &month_only))
			continue;
		if (label_before(s, i, other))
			continue;
		int score = month_only ? DATE_MONTH
				       : (label_before(s, i, pub) ? DATE_LABEL_BONUS : 0) +
						 (has_time ? DATE_TIME : DATE_DAY);
		if (score > best || (from_end && score == best)) {
			best = score;
			buf_clear(out);
			buf_puts(out, buf_cstr(&cur));
		}
	}
	buf_free(&cur);
	return best;
}

/* A date in the URL path: /2022-04/13/, /2022/04/13/, /20220413/. */
static bool url_date(const char *url, const struct tz *z, struct when *w)
{
	if (!url)
		return false;
	const char *p = strstr(url, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	for (; p && *p; p++) {
		if (!isdigit((unsigned char)*p) || isdigit((unsigned char)p[-1]))
			continue;
		int y = 0, m = 0, d = 0, len = 0;
		char tmp[32];
		if (sscanf(p, "%4d%2d%2d%n", &y, &m, &d, &len) == 3 && len == 8 &&
		    !isdigit((unsigned char)p[8])) {
			/* 20220413 */
		} else if (sscanf(p, "%4d-%2d/%2d%n", &y, &m, &d, &len) == 3 ||
			   sscanf(p, "%4d/%2d/%2d%n", &y, &m, &d, &len) == 3 ||
			   sscanf(p, "%4d-%2d-%2d%n", &y, &m, &d, &len) == 3) {
			if (isdigit((unsigned char)p[len]))
				continue;
		} else {
			continue;
		}
		if (y < 1990 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31)
			continue;
		snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
		return parse_date(tmp, z, w);
	}
	return false;
}

/* ---- the text around the headline ---- */

static bool skip_subtree(xmlNodePtr n)
{
	return n->type == XML_ELEMENT_NODE &&
	       (is_el(n, "script") || is_el(n, "style") || is_el(n, "noscript") ||
		is_el(n, "select") || is_el(n, "svg"));
}

/* The block a text node's line belongs to: its nearest ancestor that is
 * not phrasing content.  Text from two blocks is two lines. */
static xmlNodePtr line_of(xmlNodePtr text)
{
	static const char *const inline_tags[] = {"a", "span", "b", "strong", "i", "em", "font",
						  "small", "big", "u", "time", "label", "abbr",
						  "cite", "sup", "sub", "nobr", "code", NULL};
	xmlNodePtr n = text->parent;
	while (n && n->type == XML_ELEMENT_NODE) {
		bool in = false;
		for (size_t i = 0; inline_tags[i] && !in; i++)
			in = !strcmp((const char *)n->name, inline_tags[i]);
		if (!in)
			break;
		n = n->parent;
	}
	return n;
}

/* Appends up to max bytes of the text following node (not its own) in
 * document order: a space between text nodes of one line, a newline
 * between lines.  Returns the first <time
 * datetime> met within META_HEADER_BYTES, or NULL. */
static xmlNodePtr text_after(xmlNodePtr node, size_t max, struct buf *out)
{
	xmlNodePtr root = xmlDocGetRootElement(node->doc), time = NULL, line = NULL;
	xmlNodePtr n = next_node(node, root, false);
	while (n && out->len < max) {
		if (n->type == XML_TEXT_NODE && n->content) {
			xmlNodePtr b = line_of(n);
			buf_putc(out, b == line ? ' ' : '\n');
			line = b;
			buf_puts(out, (const char *)n->content);
		} else if (!time && out->len < META_HEADER_BYTES && is_el(n, "time") &&
			   html_attr(n, "datetime")) {
			time = n;
		}
		n = next_node(n, root, n->type == XML_ELEMENT_NODE && !skip_subtree(n));
	}
	return time;
}

/* Previous node in document order (reverse pre-order). */
static xmlNodePtr prev_node(xmlNodePtr n)
{
	if (n->prev) {
		n = n->prev;
		while (n->type == XML_ELEMENT_NODE && n->last && !skip_subtree(n))
			n = n->last;
		return n;
	}
	return n->parent && n->parent->type == XML_ELEMENT_NODE ? n->parent : NULL;
}

/* Appends up to about max bytes of text ending with node start (or
 * before it, when start is not a text node), walking back through the
 * page but not above stop (NULL: the document); in page order, lines apart
 * as in text_after. */
static void collect_back(xmlNodePtr start, xmlNodePtr stop, size_t max, struct buf *out)
{
	xmlNodePtr parts[META_MAX_PARTS];
	size_t np = 0, got = 0;
	for (xmlNodePtr n = start; n && n != stop && got < max && np < META_MAX_PARTS;
	     n = prev_node(n))
		if (n->type == XML_TEXT_NODE && n->content) {
			parts[np++] = n;
			got += strlen((const char *)n->content);
		}
	xmlNodePtr line = NULL;
	while (np--) {
		xmlNodePtr b = line_of(parts[np]);
		buf_putc(out, b == line ? ' ' : '\n');
		line = b;
		buf_puts(out, (const char *)parts[np]->content);
	}
}

/* The text before node, up to about max bytes. */
static void text_before(xmlNodePtr node, size_t max, struct buf *out)
{
	collect_back(prev_node(node), NULL, max, out);
}

/* The last (about) max bytes of node's own text. */
static void text_tail(xmlNodePtr node, size_t max, struct buf *out)
{
	xmlNodePtr n = node;
	while (n->type == XML_ELEMENT_NODE && n->last && !skip_subtree(n))
		n = n->last;
	if (n != node)
		collect_back(n, node, max, out);
}

/* The first (about) max bytes of node's own text. */
static void text_head(xmlNodePtr node, size_t max, struct buf *out)
{
	xmlNodePtr line = NULL;
	for (xmlNodePtr n = node->children; n && out->len < max;) {
		if (n->type == XML_TEXT_NODE && n->content) {
			xmlNodePtr b = line_of(n);
			buf_putc(out, b == line ? ' ' : '\n');
			line = b;
			buf_puts(out, (const char *)n->content);
		}
		n = next_node(n, node, n->type == XML_ELEMENT_NODE && !skip_subtree(n));
	}
}

/* The value after a label like "来源：" in s, up to the next label or
 * white space run; written to out (trimmed of brackets). */
static bool label_value(const char *s, const char *const *labels, struct buf *out)
{
	for (size_t li = 0; labels[li]; li++) {
		const char *hit = strstr(s, labels[li]);
		while (hit) {
			size_t i = (size_t)(hit - s) + strlen(labels[li]), n = strlen(s);
			skip_spaces(s, n, &i);
			if (eat(s, n, &i, "\xef\xbc\x9a") || eat(s, n, &i, ":")) {
				skip_spaces(s, n, &i);
				eat(s, n, &i, "[");
				eat(s, n, &i, "\xe3\x80\x90"); /* 【 */
				skip_spaces(s, n, &i);
				size_t start = i, spaces = 0;
				while (i < n) {
					uint32_t c;
					size_t l = utf8_decode(s + i, n - i, &c);
					if (c == '\n' || c == ']' || c == 0x3011 || c == '|' || c == 0xff5c ||
					    c == 0xff1a || c == ':' || c == '(' || c == 0xff08 ||
					    c == 0x3002 || c == 0xff0c)
						break;
					if (utf8_is_space(c)) {
						/* One space may sit inside a name ("新华社 北京"),
						 * two or a label end it. */
						size_t k = i;
						skip_spaces(s, n, &k);
						if (k - i > 1 || ++spaces > 1)
							break;
					}
					i += l;
				}
				buf_clear(out);
				put_collapsed(out, s + start, i - start);
				/* A following label ("来源：新华网 作者：") is not part. */
				if (out->len && out->len <= META_AUTHOR_MAX)
					return true;
			}
			hit = strstr(hit + 1, labels[li]);
		}
	}
	return false;
}

/* "记者 张三" / "记者张三、李四": up to three 2-4 character CJK names
 * after 记者; "记者会" (press conference) and the like are not bylines. */
static bool reporter_names(const char *s, struct buf *out)
{
	static const char *const not_name = "\xe4\xbc\x9a\xe4\xbb\xac\xe8\x8a\x82\xe7\xab\x99"
					    "\xe8\xaf\x81\xe5\x8d\x8f\xe6\x8b\x9b\xe5\x9b\xa2"
					    "\xe9\x83\xa8\xe9\x97\xae\xe9\x87\x87\xe8\xae\xad"
					    "\xe8\xb0\x83"; /* 会们节站证协招团部问采训调 */
	const char *kw = "\xe8\xae\xb0\xe8\x80\x85"; /* 记者 */
	size_t n = strlen(s);
	for (const char *hit = strstr(s, kw); hit; hit = strstr(hit + 1, kw)) {
		size_t i = (size_t)(hit - s) + 6;
		if (i + 3 <= n) {
			bool stop = false;
			for (const char *p = not_name; *p && !stop; p += 3)
				stop = !memcmp(s + i, p, 3);
			if (stop)
				continue;
		}
		skip_spaces(s, n, &i);
		size_t start = i, end = i, names = 0, chars = 0;
		while (i <= n && names < 3) {
			uint32_t c = 0;
			size_t l = i < n ? utf8_decode(s + i, n - i, &c) : 1;
			/* "本报记者罗科苏盈发自北京": the name ends where the
			 * dateline starts. */
			bool dateline = chars >= 2 && i + 6 <= n &&
					(!memcmp(s + i, "\xe5\x8f\x91\xe8\x87\xaa", 6) || /* 发自 */
					 !memcmp(s + i, "\xe6\x8a\xa5\xe9\x81\x93", 6));  /* 报道 */
			if (i < n && !dateline && utf8_is_cjk(c) && !is_punct_cp(c)) {
				chars++;
				i += l;
				continue;
			}
			if (chars < 2 || chars > 4)
				break;
			names++;
			end = i;
			chars = 0;
			if (c != ' ' && c != 0x3001 && c != 0x3000)
				break;
			i += l;
			skip_spaces(s, n, &i);
		}
		if (names) {
			buf_clear(out);
			put_collapsed(out, s + start, end - start);
			return out->len > 0;
		}
	}
	return false;
}

/* Reads date, 来源 and author lines from a stretch of header text; above
 * says the text ends where the article starts (see find_date). */
static void read_header_text(const char *text, bool above, struct article *a,
			     const struct tz *z)
{
	struct buf v = BUF_INIT;
	if (!a->date.set && find_date(text, strlen(text), above, &v) >= DATE_DAY)
		parse_date(buf_cstr(&v), z, &a->date);
	static const char *const src_labels[] = {"\xe6\x9d\xa5\xe6\xba\x90", /* 来源 */
						 "\xe5\x87\xba\xe5\xa4\x84", /* 出处 */
						 NULL};
	if (!a->source && label_value(text, src_labels, &v))
		a->source = xstrdup(buf_cstr(&v));
	static const char *const au_labels[] = {"\xe4\xbd\x9c\xe8\x80\x85", /* 作者 */
						"\xe6\x96\x87\xe5\x9b\xbe",  /* 文图 */
						NULL};
	if (!a->author.n && label_value(text, au_labels, &v))
		add_cjk_names(a, buf_cstr(&v));
	if (!a->author.n && reporter_names(text, &v))
		add_cjk_names(a, buf_cstr(&v));
	buf_free(&v);
}

/* Finds the element showing the title when no heading agreed: the first
 * text node that reads like the title. */
static xmlNodePtr find_title_text(const struct html_doc *h, const char *title)
{
	xmlNodePtr body = html_body(h);
	size_t tl = strlen(title);
	for (xmlNodePtr n = body ? body->children : NULL; n;) {
		if (n->type == XML_TEXT_NODE && n->content) {
			size_t l = strlen((const char *)n->content);
			if (l >= tl / 2 && l <= tl * 2 + 16 &&
			    loose_eq((const char *)n->content, l, title, tl))
				return n->parent;
		}
		n = next_node(n, body, n->type == XML_ELEMENT_NODE && !skip_subtree(n));
	}
	return NULL;
}

bool meta_header_line(const char *text)
{
	static const char *const labels[] = {
		"\xe6\x9d\xa5\xe6\xba\x90",             /* 来源 */
		"\xe4\xbd\x9c\xe8\x80\x85",             /* 作者 */
		"\xe8\xae\xb0\xe8\x80\x85",             /* 记者 */
		"\xe7\xbc\x96\xe8\xbe\x91",             /* 编辑 */
		"\xe5\x8f\x91\xe5\xb8\x83\xe6\x97\xb6\xe9\x97\xb4", /* 发布时间 */
		NULL};
	size_t n = strlen(text);
	if (!n || n > META_HEADER_LINE_MAX)
		return false;
	struct buf d = BUF_INIT;
	bool yes = find_date(text, n, false, &d) >= DATE_DAY;
	buf_free(&d);
	for (size_t i = 0; labels[i] && !yes; i++)
		yes = strstr(text, labels[i]) != NULL;
	return yes;
}

/* ---- filling the article ---- */

static void set_str(char **dst, const char *v)
{
	if (!*dst && v && *v) {
		char *c = collapsed_dup(v);
		if (*c)
			*dst = c;
		else
			free(c);
	}
}

static void set_url(char **dst, const char *v, const char *base)
{
	if (*dst || !v || !*v)
		return;
	struct buf b = BUF_INIT;
	char *t = collapsed_dup(v);
	if (url_resolve(base, t, &b) == 0 && url_is_http(buf_cstr(&b)))
		*dst = buf_detach(&b);
	buf_free(&b);
	free(t);
}

/* A CMS's machine keyword, not a tag: "@post-id:1913719", "id:42",
 * "tag_1234", "#5", a bare number. */
static bool tag_is_junk(const char *t)
{
	if (*t == '@' || *t == '#')
		return true;
	bool letter = false;
	for (const unsigned char *p = (const unsigned char *)t; *p; p++)
		if (isalpha(*p) || *p >= 0x80)
			letter = true;
	if (!letter)
		return true;
	/* "name:digits" / "name_digits" / "name-id-digits" */
	const char *sep = t + strcspn(t, ":_=");
	if (*sep && sep[1]) {
		const char *d = sep + 1;
		while (*d && isdigit((unsigned char)*d))
			d++;
		if (!*d && d > sep + 1 && !strchr(t, ' '))
			return true;
	}
	return false;
}

static void add_tags(struct strv *tags, const char *s)
{
	while (s && *s && tags->n < META_MAX_TAGS_OUT) {
		size_t l = 0;
		while (s[l] && s[l] != ',' && s[l] != ';' && strncmp(s + l, "\xef\xbc\x8c", 3) &&
		       strncmp(s + l, "\xe3\x80\x81", 3) && strncmp(s + l, "\xef\xbc\x9b", 3))
			l++;
		struct buf b = BUF_INIT;
		put_collapsed(&b, s, l);
		bool dup = false;
		for (size_t i = 0; i < tags->n; i++)
			if (!strcmp(tags->v[i], buf_cstr(&b)))
				dup = true;
		if (b.len && !dup && !tag_is_junk(buf_cstr(&b)))
			strv_push(tags, buf_cstr(&b));
		buf_free(&b);
		s += l;
		if (*s)
			s += (unsigned char)*s < 0x80 ? 1 : 3;
	}
}

static void fill_dates(const struct scan *sc, const struct ld *ld, const struct tz *z,
		       struct article *a)
{
	static const char *const pub_keys[] = {
		"article:published_time", "og:article:published_time", "article:published",
		"datepublished", "parsely-pub-date", "pubdate", "publishdate", "publish-date",
		"publish_date", "og:published_time", "og:release_date", "dc:date:issued",
		"dcterms:issued", "dc:date", "dcterms:date", "dcterms:created", "dc:date:created",
		"sailthru:date", "article:published", "published_time", "release_date",
		"weibo:article:create_at", "date", "displaydate", "ptime", NULL};
	static const char *const mod_keys[] = {"article:modified_time", "og:updated_time",
					       "datemodified", "og:article:modified_time",
					       "dcterms:modified", "last-modified", NULL};
	if (!a->date.set)
		parse_date(ld_str(ld, "datePublished"), z, &a->date);
	if (!a->date.set)
		parse_date(ld_str(ld, "dateCreated"), z, &a->date);
	for (size_t i = 0; pub_keys[i] && !a->date.set; i++)
		parse_date(meta_get(sc, pub_keys[i]), z, &a->date);
	if (!a->updated.set)
		parse_date(ld_str(ld, "dateModified"), z, &a->updated);
	for (size_t i = 0; mod_keys[i] && !a->updated.set; i++)
		parse_date(meta_get(sc, mod_keys[i]), z, &a->updated);
	/* Microdata on visible elements, then <time> marked as the
	 * publication time. */
	xmlNodePtr p = prop_el(sc, "datePublished");
	if (!a->date.set && p) {
		const char *v = html_attr(p, "datetime");
		if (!v)
			v = html_attr(p, "content");
		char *t = v ? NULL : node_text(p);
		parse_date(v ? v : t, z, &a->date);
		free(t);
	}
	for (size_t i = 0; i < sc->ntimes && !a->date.set; i++)
		if (html_attr(sc->times[i], "pubdate"))
			parse_date(html_attr(sc->times[i], "datetime"), z, &a->date);
}

/* Where s (n bytes) holds word with white space allowed between its
 * characters ("成  文  日  期", spaced to line up a table): the offset
 * just past it, or 0 when absent. */
static size_t find_spaced(const char *s, size_t n, const char *word)
{
	size_t wl = strlen(word);
	for (const char *hit = memchr(s, word[0], n); hit;
	     hit = memchr(hit + 1, word[0], n - (size_t)(hit + 1 - s))) {
		size_t i = (size_t)(hit - s), k = 0;
		while (k < wl && i < n) {
			uint32_t c;
			size_t l = utf8_decode(s + i, n - i, &c);
			if (k && utf8_is_space(c)) {
				i += l;
				continue;
			}
			uint32_t w;
			size_t wlen = utf8_decode(word + k, wl - k, &w);
			if (c != w)
				break;
			i += l;
			k += wlen;
		}
		if (k == wl)
			return i;
		if (hit + 1 >= s + n)
			break;
	}
	return 0;
}

/* The date of the document a page publishes, from the label of its
 * information table ("成文日期：2022年01月27日", "发文日期").  A
 * government notice is dated by its 成文日期, the date under its
 * signature (GB/T 9704); the 发布日期 and the page's PubDate say when it
 * went online, often days later.  The first label followed by a date
 * counts. */
static void fill_doc_date(const struct html_doc *h, const struct tz *z, struct article *a)
{
	static const char *const labels[] = {
		"\xe6\x88\x90\xe6\x96\x87\xe6\x97\xa5\xe6\x9c\x9f", /* 成文日期 */
		"\xe5\x8f\x91\xe6\x96\x87\xe6\x97\xa5\xe6\x9c\x9f", /* 发文日期 */
		NULL};
	xmlNodePtr body = html_body(h);
	struct buf t = BUF_INIT, v = BUF_INIT;
	for (xmlNodePtr n = body ? body->children : NULL; n && !a->date.set;) {
		if (n->type == XML_TEXT_NODE && n->content) {
			const char *c = (const char *)n->content;
			size_t cl = strlen(c), at = 0;
			for (size_t i = 0; labels[i] && !at; i++)
				at = find_spaced(c, cl, labels[i]);
			if (at) {
				buf_clear(&t);
				buf_puts(&t, c + at);
				text_after(n, META_DOC_DATE_BYTES, &t);
				size_t j = 0;
				while (j < t.len) {
					uint32_t cp;
					size_t l = utf8_decode(t.ptr + j, t.len - j, &cp);
					if (!utf8_is_space(cp) && cp != ':' && cp != 0xff1a)
						break;
					j += l;
				}
				bool has_time, month_only;
				if (date_at(t.ptr, t.len, j, &v, &has_time, &month_only) && !month_only)
					parse_date(buf_cstr(&v), z, &a->date);
			}
		}
		n = next_node(n, body, n->type == XML_ELEMENT_NODE && !skip_subtree(n));
	}
	buf_free(&t);
	buf_free(&v);
}

static void fill_near(xmlNodePtr anchor, const struct tz *z, struct article *a)
{
	struct buf t = BUF_INIT;
	xmlNodePtr time = text_after(anchor, META_NEAR_BYTES, &t);
	if (!a->date.set && time)
		parse_date(html_attr(time, "datetime"), z, &a->date);
	read_header_text(buf_cstr(&t), false, a, z);
	buf_clear(&t);
	text_before(anchor, META_NEAR_BYTES / 3, &t);
	read_header_text(buf_cstr(&t), true, a, z);
	buf_free(&t);
}

/* Elements whose class or id says byline or author, in page order, into
 * sc->bylines after the marked-up ones. */
static void find_byline_classes(const struct html_doc *h, struct scan *sc)
{
	xmlNodePtr body = html_body(h);
	for (xmlNodePtr n = body ? body->children : NULL; n && sc->nbylines < META_MAX_ELEMS;) {
		if (n->type == XML_ELEMENT_NODE && (contains_word_ci(html_attr(n, "class"), byline_hints) ||
						    contains_word_ci(html_attr(n, "id"), byline_hints)))
			sc->bylines[sc->nbylines++] = n;
		n = next_node(n, body, n->type == XML_ELEMENT_NODE && !skip_subtree(n));
	}
}

/* The byline element's text, when it reads like one. */
static void fill_byline(const struct scan *sc, struct article *a)
{
	for (size_t i = 0; i < sc->nbylines && !a->author.n; i++) {
		xmlNodePtr n = sc->bylines[i];
		/* Skip containers of whole articles ("author-bio" boxes with
		 * paragraphs) and links to author index pages without text. */
		char *t = node_text(n);
		size_t cjk, words;
		measure(t, strlen(t), &cjk, &words);
		const char *ip = html_attr(n, "itemprop");
		bool prop = ip && strcasestr(ip, "author");
		if (*t && strlen(t) <= META_BYLINE_MAX && (words <= 8 || prop) && cjk <= 24) {
			if (prop) {
				xmlNodePtr nm = NULL;
				for (xmlNodePtr c = n->children; c && !nm; c = c->next)
					if (c->type == XML_ELEMENT_NODE) {
						const char *cp = html_attr(c, "itemprop");
						if (cp && !strcmp(cp, "name"))
							nm = c;
					}
				if (nm) {
					free(t);
					t = node_text(nm);
				}
			}
			add_authors_from(a, t, true);
		}
		free(t);
	}
}

/* The zone of wall-clock times on this page, from its declared language
 * (else its title's script) where that names one zone: Chinese pages print
 * Beijing time without saying so, Japanese and Korean pages UTC+9.  Other
 * languages span zones (en, es, fr...) or change with DST: NULL = UTC,
 * never another country's default.  Caller frees. */
static struct tz *page_zone(const struct article *a)
{
	struct tz *z = NULL;
	const char *zone = NULL;
	const char *l = a->lang ? a->lang : "";
	if (!strncasecmp(l, "ja", 2) || !strncasecmp(l, "ko", 2))
		zone = "+09:00"; /* Japan and Korea: one zone each, no DST */
	else if (!strncasecmp(l, "zh", 2))
		zone = "+08:00";
	else if (text_has_kana_or_hangul(a->title))
		zone = "+09:00";
	else if (text_is_chinese(a->title))
		zone = "+08:00";
	if (zone)
		tz_load(zone, &z, NULL);
	return z;
}

enum nm_code meta_extract(const struct html_doc *h, const char *url, struct article *a,
			  struct nm_err *e)
{
	(void)e;
	if (!h || !h->doc) /* a refused page: nothing to read */
		return NM_OK;
	struct scan *sc = xcalloc(1, sizeof *sc);
	struct ld ld;
	memset(&ld, 0, sizeof ld);
	scan_doc(h, sc);
	ld_load(sc, &ld);

	struct buf host = BUF_INIT, base = BUF_INIT;
	if (url)
		url_host(url, &host);
	if (sc->base_href && url && url_resolve(url, sc->base_href, &base) == 0)
		;
	else if (url)
		buf_puts(&base, url);
	const char *baseurl = base.len ? buf_cstr(&base) : NULL;

	static const char *const site_keys[] = {"og:site_name", "application-name",
						"twitter:site", "publisher", NULL};
	const char *site = meta_first(sc, site_keys);
	json_t *pub = ld.art ? json_object_get(ld.art, "publisher") : NULL;
	if (!site && pub)
		site = ld_name(&ld, pub);
	if (site && *site == '@')
		site++;

	struct title_pick tp = {NULL, NULL};
	if (!a->title) {
		pick_title(sc, &ld, site, host.len ? buf_cstr(&host) : NULL, &tp);
		a->title = tp.title;
	} else {
		/* Find the heading for the rule's title, to anchor the header
		 * text search. */
		for (size_t i = 0; i < sc->nheads && !tp.heading; i++) {
			char *hd = node_text(sc->heads[i]);
			if (meta_title_same(hd, a->title))
				tp.heading = sc->heads[i];
			free(hd);
		}
	}

	/* Language first: it decides the zone of wall-clock dates.  Chinese
	 * pages print Beijing time without saying so. */
	static const char *const lang_keys[] = {"content-language", "og:locale", "dc:language",
						"language", NULL};
	if (!a->lang) {
		const char *l = sc->lang ? sc->lang : ld_str(&ld, "inLanguage");
		if (!l)
			l = meta_first(sc, lang_keys);
		if (l) {
			char *c = collapsed_dup(l);
			for (char *p = c; *p; p++)
				if (*p == '_')
					*p = '-';
			if (*c)
				a->lang = c;
			else
				free(c);
		}
	}
	struct tz *z = page_zone(a);

	fill_doc_date(h, z, a);
	fill_dates(sc, &ld, z, a);

	static const char *const author_keys[] = {"author", "article:author", "dc:creator",
						  "dcterm:creator", "dcterms:creator",
						  "parsely-author", "sailthru:author", "byl",
						  "og:article:author", NULL};
	if (!a->author.n)
		ld_authors(&ld, a);
	for (size_t i = 0; author_keys[i] && !a->author.n; i++) {
		const char *v = meta_get(sc, author_keys[i]);
		if (v && !looks_like_url(v))
			add_authors_from(a, v, false);
	}
	fill_byline(sc, a);
	if (!a->author.n) {
		find_byline_classes(h, sc);
		fill_byline(sc, a);
	}

	static const char *const src_keys[] = {"source", "og:article:source", "article:source",
					       "dc:source", NULL};
	if (!a->source) {
		const char *v = meta_first(sc, src_keys);
		if (v && !looks_like_url(v))
			set_str(&a->source, v);
	}

	xmlNodePtr anchor = tp.heading;
	if (!anchor && a->title && (!a->date.set || !a->source || !a->author.n))
		anchor = find_title_text(h, a->title);
	/* A page whose title shows nowhere still has its header lines under
	 * its first h1. */
	for (size_t i = 0; i < sc->nheads && !anchor; i++)
		if (is_el(sc->heads[i], "h1"))
			anchor = sc->heads[i];
	if (anchor && (!a->date.set || !a->source || !a->author.n))
		fill_near(anchor, z, a);
	/* A <time> elsewhere on the page may belong to any other story; only
	 * the URL is left. */
	if (!a->date.set)
		url_date(url, z, &a->date);

	static const char *const desc_keys[] = {"dc:description", "dcterm:description",
						"og:description", "weibo:article:description",
						"description", "twitter:description", NULL};
	set_str(&a->excerpt, ld_str(&ld, "description"));
	set_str(&a->excerpt, meta_first(sc, desc_keys));

	static const char *const img_keys[] = {"og:image", "og:image:url", "og:image:secure_url",
					       "twitter:image", "twitter:image:src", "image",
					       "thumbnail", NULL};
	set_url(&a->lead_image, ld_image(&ld), baseurl);
	set_url(&a->lead_image, meta_first(sc, img_keys), baseurl);
	set_url(&a->lead_image, sc->image_src, baseurl);

	static const char *const sec_keys[] = {"article:section", "og:article:section",
					       "section", "parsely-section", "category", NULL};
	set_str(&a->category, ld_str(&ld, "articleSection"));
	set_str(&a->category, meta_first(sc, sec_keys));

	if (!a->tags.n) {
		for (size_t i = 0; i < sc->ntags; i++)
			if (!strcmp(sc->keys.ptr + sc->tags[i].key, "article:tag") ||
			    !strcmp(sc->keys.ptr + sc->tags[i].key, "og:article:tag"))
				add_tags(&a->tags, sc->tags[i].val);
	}
	if (!a->tags.n && ld.art) {
		json_t *kw = json_object_get(ld.art, "keywords");
		size_t idx;
		json_t *it;
		if (json_is_string(kw))
			add_tags(&a->tags, json_string_value(kw));
		else if (json_is_array(kw))
			json_array_foreach(kw, idx, it) if (json_is_string(it))
				add_tags(&a->tags, json_string_value(it));
	}
	static const char *const kw_keys[] = {"news_keywords", "keywords", NULL};
	if (!a->tags.n)
		add_tags(&a->tags, meta_first(sc, kw_keys));

	tz_free(z);
	buf_free(&host);
	buf_free(&base);
	ld_free(&ld);
	buf_free(&sc->keys);
	free(sc);
	return NM_OK;
}

bool meta_dated_head(xmlNodePtr node)
{
	struct buf t = BUF_INIT, v = BUF_INIT;
	text_head(node, META_HEADER_BYTES, &t);
	bool yes = find_date(buf_cstr(&t), t.len, false, &v) >= DATE_DAY;
	buf_free(&t);
	buf_free(&v);
	return yes;
}

/* True when w is local midnight: a date known only to the day. */
static bool day_only(const struct when *w)
{
	int64_t local = w->t + w->off;
	return ((local % 86400) + 86400) % 86400 == 0;
}

enum nm_code meta_extract_near(const struct html_doc *h, const char *url, xmlNodePtr body,
			       struct article *a, struct nm_err *e)
{
	(void)h;
	(void)url;
	(void)e;
	if (!body)
		return NM_OK;
	bool refine = a->date.set && day_only(&a->date);
	if (a->date.set && !refine && a->source && a->author.n)
		return NM_OK;
	struct tz *z = page_zone(a);
	struct when old = a->date;
	if (refine)
		a->date.set = false;
	struct buf before = BUF_INIT, head = BUF_INIT, tail = BUF_INIT, v = BUF_INIT;
	text_before(body, META_NEAR_BYTES, &before);
	read_header_text(buf_cstr(&before), true, a, z);
	text_head(body, META_NEAR_BYTES / 2, &head);
	read_header_text(buf_cstr(&head), false, a, z);
	/* Blogs print "发表于 ..." / "Posted at" under the post; Chinese
	 * papers sign "（记者 胡晓蓉）" or "作者：宋怡" at the end. */
	if (!a->date.set || !a->author.n) {
		text_tail(body, META_TAIL_BYTES, &tail);
		text_after(body, tail.len + META_NEAR_BYTES / 3, &tail);
		if (!a->date.set && find_date(buf_cstr(&tail), tail.len, false, &v) >= DATE_DAY)
			parse_date(buf_cstr(&v), z, &a->date);
		static const char *const au_labels[] = {"\xe4\xbd\x9c\xe8\x80\x85", /* 作者 */
							NULL};
		if (!a->author.n && label_value(buf_cstr(&tail), au_labels, &v))
			add_cjk_names(a, buf_cstr(&v));
		if (!a->author.n && reporter_names(buf_cstr(&tail), &v))
			add_cjk_names(a, buf_cstr(&v));
	}
	/* No day anywhere, not even in the URL: a magazine's article may
	 * still cite its issue ("——《北京之春》1996年6月号"), at its end or
	 * top; the date is then known to the month. */
	if (!a->date.set && !refine &&
	    (find_date(buf_cstr(&tail), tail.len, false, &v) == DATE_MONTH ||
	     find_date(buf_cstr(&head), head.len, false, &v) == DATE_MONTH))
		parse_date(buf_cstr(&v), z, &a->date);
	buf_free(&v);
	buf_free(&before);
	buf_free(&head);
	buf_free(&tail);
	/* Keep the refined date only when it is the same day. */
	if (refine && (!a->date.set || (a->date.t + a->date.off) / 86400 !=
					       (old.t + old.off) / 86400))
		a->date = old;
	tz_free(z);
	return NM_OK;
}

xmlNodePtr meta_headline(const struct html_doc *h, const char *title)
{
	if (!title || !*title)
		return NULL;
	xmlNodePtr body = html_body(h);
	for (xmlNodePtr n = body ? body->children : NULL; n;) {
		if (n->type == XML_ELEMENT_NODE &&
		    (is_el(n, "h1") || is_el(n, "h2") || is_el(n, "h3"))) {
			char *t = node_text(n);
			bool same = meta_title_same(t, title);
			free(t);
			if (same)
				return n;
		}
		n = next_node(n, body, n->type == XML_ELEMENT_NODE && !skip_subtree(n));
	}
	return find_title_text(h, title);
}
