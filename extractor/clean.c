/*
 * clean.c - body cleaning, whitelisted HTML and plain text.
 *
 * clean_body() is one iterative walk over the chosen subtree with an
 * explicit stack.  Going down (pre-visit) it removes what is never content
 * (scripts, styles, comments, form controls, ...), resolves lazy images and
 * absolutizes URLs; coming back up (post-visit) it knows how much visible
 * text and media survived below each element, so it can remove boilerplate
 * and hidden blocks only when they are small, and drop blocks left empty.
 * Nodes are unlinked only after the walk has saved its next position.
 * Rule selectors are matched once, before anything changes.
 */
#include "extractor/clean.h"
#include "common/nfkc.h"
#include "common/mem.h"
#include "common/utf8.h"
#include "common/url.h"
#include "dom/html.h"
#include "dom/sel.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xpath.h>

/* Initial explicit-stack size; the stack grows, so depth is only bounded by
 * the parser's own limit (HTML_MAX_DEPTH). */
#define CLEAN_STACK_INIT 64

/* Images no larger than this (width or height, in CSS pixels) are
 * tracking pixels, never content. */
#define CLEAN_PIXEL_MAX 1

/* A block named or tagged like boilerplate (share, related, aside, ...)
 * holding more visible characters than this is kept unless mostly links:
 * share bars, ad slots and bylines are far shorter (Readability uses the
 * same 500 for "share" blocks). */
#define CLEAN_BOILER_MAX_CHARS 500
/* "Mostly links": link text above NUM/DEN of the block's text. */
#define CLEAN_LINK_DENSITY_NUM 1
#define CLEAN_LINK_DENSITY_DEN 2

/* A srcset with more candidates than this is cut: real ones list a handful
 * of widths. */
#define CLEAN_SRCSET_MAX 64

static bool is_tag(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->name && !strcmp((const char *)n->name, name);
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static void drop(xmlNodePtr n)
{
	xmlUnlinkNode(n);
	xmlFreeNode(n);
}

/* Moves c (unlinked) in front of el.  Done by hand because
 * xmlAddPrevSibling merges adjacent text nodes and frees c. */
static void put_before(xmlNodePtr el, xmlNodePtr c)
{
	c->parent = el->parent;
	c->prev = el->prev;
	c->next = el;
	if (el->prev)
		el->prev->next = c;
	else if (el->parent)
		el->parent->children = c;
	el->prev = c;
}

/* Replaces el by its children; returns the first of them (or what followed
 * el when it had none). */
static xmlNodePtr unwrap(xmlNodePtr el)
{
	xmlNodePtr first = el->children, after = el->next;
	for (xmlNodePtr c = first, nx; c; c = nx) {
		nx = c->next;
		xmlUnlinkNode(c);
		put_before(el, c);
	}
	drop(el);
	return first ? first : after;
}

/* ---- what each tag is ------------------------------------------------- */

enum {
	T_NEVER_TEXT = 1 << 0,   /* never rendered as text: removed with its content */
	T_EMPTY_BLOCK = 1 << 1,  /* removed when nothing visible is left in it */
	T_EMPTY_INLINE = 1 << 2, /* unwrapped when empty: its blanks still separate words */
	T_MEDIA = 1 << 3,        /* content without text (a table only once it survived
				  * the empty test: layout tables of spacer cells do not) */
	T_BOILER = 1 << 4,       /* boilerplate inside an article body */
	T_TABLE_PART = 1 << 5,   /* never removed for its class: the table would break */
	T_INLINE_TEXT = 1 << 6,  /* links and formatting: never removed for their class
				  * (in running text class="popup" is a footnote link;
				  * Readability spares <a> too) */
	T_PARA = 1 << 7,         /* text: a blank line before and after */
	T_LINE = 1 << 8,         /* text: a line break before and after */
	T_VOID = 1 << 9,         /* HTML: no end tag */
};

struct tag_info {
	const char *name;
	unsigned flags;
	const char *keep; /* whitelisted in clean_html with these attributes
			   * (space-separated); NULL: unwrapped (or dropped
			   * when T_NEVER_TEXT) */
};

#define NEVER T_NEVER_TEXT
#define EBLOCK (T_EMPTY_BLOCK | T_PARA)
#define EINLINE (T_EMPTY_INLINE | T_INLINE_TEXT)

/* Sorted by name, for bsearch (test_clean.c's clean_tag_table_sorted
 * reads this table from the source and checks). */
static const struct tag_info tag_table[] = {
	{"a", EINLINE, "href title"},
	{"abbr", EINLINE, "title"},
	{"address", EBLOCK, NULL},
	{"applet", NEVER, NULL},
	{"article", EBLOCK, ""},
	{"aside", EBLOCK | T_BOILER, NULL},
	{"audio", T_MEDIA, "src controls"},
	{"b", EINLINE, ""},
	{"base", NEVER, NULL},
	{"big", T_EMPTY_INLINE, NULL},
	{"blockquote", EBLOCK, "cite"},
	{"body", T_PARA, NULL},
	{"br", T_VOID, ""},
	{"button", NEVER, NULL},
	{"canvas", NEVER, NULL},
	{"caption", T_TABLE_PART | T_LINE, ""},
	{"center", EBLOCK, NULL},
	{"cite", EINLINE, ""},
	{"code", EINLINE, ""},
	{"col", T_TABLE_PART, NULL},
	{"colgroup", T_TABLE_PART, NULL},
	{"datalist", NEVER, NULL},
	{"dd", T_EMPTY_BLOCK | T_LINE, ""},
	{"del", T_EMPTY_INLINE, "cite datetime"},
	{"details", EBLOCK, ""},
	{"dfn", 0, ""},
	{"dialog", NEVER, NULL},
	{"div", EBLOCK, ""},
	{"dl", EBLOCK, ""},
	{"dt", T_EMPTY_BLOCK | T_LINE, ""},
	{"em", EINLINE, ""},
	{"embed", NEVER, NULL},
	{"fieldset", EBLOCK, NULL},
	{"figcaption", T_EMPTY_BLOCK | T_LINE, ""},
	{"figure", EBLOCK, ""},
	{"font", EINLINE, NULL},
	{"footer", EBLOCK | T_BOILER, NULL},
	{"form", EBLOCK, NULL},
	{"frame", NEVER, NULL},
	{"frameset", NEVER, NULL},
	{"h1", EBLOCK, ""},
	{"h2", EBLOCK, ""},
	{"h3", EBLOCK, ""},
	{"h4", EBLOCK, ""},
	{"h5", EBLOCK, ""},
	{"h6", EBLOCK, ""},
	{"head", NEVER, NULL},
	{"header", EBLOCK, NULL},
	{"hr", T_MEDIA | T_VOID | T_PARA, ""},
	{"i", EINLINE, ""},
	{"iframe", T_MEDIA, "src width height allowfullscreen"},
	{"img", T_MEDIA | T_VOID, "src alt title width height"},
	{"input", NEVER, NULL},
	{"ins", T_EMPTY_INLINE, "cite datetime"},
	{"kbd", 0, ""},
	{"keygen", NEVER, NULL},
	{"label", EINLINE, NULL},
	{"legend", T_EMPTY_BLOCK | T_LINE, NULL},
	{"li", T_EMPTY_BLOCK | T_LINE, "value"},
	{"link", NEVER, NULL},
	{"main", EBLOCK, NULL},
	{"map", NEVER, NULL},
	{"mark", EINLINE, ""},
	{"menu", T_BOILER, NULL},
	{"meta", NEVER, NULL},
	{"nav", EBLOCK | T_BOILER, NULL},
	{"noframes", NEVER, NULL},
	{"noscript", NEVER, NULL},
	{"object", NEVER, NULL},
	{"ol", EBLOCK, "start reversed type"},
	{"optgroup", NEVER, NULL},
	{"option", NEVER, NULL},
	{"output", NEVER, NULL},
	{"p", EBLOCK, ""},
	{"param", NEVER, NULL},
	{"picture", T_EMPTY_BLOCK, NULL},
	{"pre", EBLOCK, ""},
	{"q", EINLINE, "cite"},
	{"rp", 0, ""},
	{"rt", 0, ""},
	{"ruby", 0, ""},
	{"s", EINLINE, ""},
	{"samp", 0, ""},
	{"script", NEVER, NULL},
	{"section", EBLOCK, ""},
	{"select", NEVER, NULL},
	{"small", EINLINE, ""},
	{"source", T_VOID, "src type"},
	{"span", T_EMPTY_INLINE, NULL},
	{"strike", T_EMPTY_INLINE, NULL},
	{"strong", EINLINE, ""},
	{"style", NEVER, NULL},
	{"sub", EINLINE, ""},
	{"summary", T_EMPTY_BLOCK | T_LINE, ""},
	{"sup", EINLINE, ""},
	{"svg", NEVER, NULL},
	{"table", EBLOCK | T_MEDIA, ""},
	{"tbody", T_TABLE_PART, ""},
	{"td", T_TABLE_PART, "colspan rowspan"},
	{"template", NEVER, NULL},
	{"textarea", NEVER, NULL},
	{"tfoot", T_TABLE_PART, ""},
	{"th", T_TABLE_PART, "colspan rowspan scope"},
	{"thead", T_TABLE_PART, ""},
	{"time", EINLINE, "datetime"},
	{"title", NEVER, NULL},
	{"tr", T_TABLE_PART | T_LINE, ""},
	{"tt", T_EMPTY_INLINE, NULL},
	{"u", EINLINE, ""},
	{"ul", EBLOCK, ""},
	{"var", 0, ""},
	{"video", T_MEDIA, "src poster controls width height"},
};

#undef NEVER
#undef EBLOCK
#undef EINLINE

/* The table entry of element n, or NULL (unknown tags, non-elements). */
static const struct tag_info *tag_info(xmlNodePtr n)
{
	if (!n || n->type != XML_ELEMENT_NODE || !n->name)
		return NULL;
	return bsearch(n->name, tag_table, sizeof tag_table / sizeof tag_table[0],
		       sizeof tag_table[0], html_tag_cmp);
}

static bool has(xmlNodePtr n, unsigned flag)
{
	const struct tag_info *t = tag_info(n);
	return t && (t->flags & flag);
}

/* ---- text measures -------------------------------------------------- */

/* Visible (non-space) code points in s. */
static size_t visible_len(const char *s)
{
	size_t n = 0, len = strlen(s);
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			n += !(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f');
			i++;
			continue;
		}
		uint32_t cp;
		i += utf8_decode(s + i, len - i, &cp);
		n += !utf8_is_space(cp);
	}
	return n;
}

static bool is_text(xmlNodePtr n)
{
	return n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE;
}

/* Visible characters below root, skipping T_NEVER_TEXT elements. */
static size_t subtree_visible(xmlNodePtr root)
{
	size_t total = 0;
	xmlNodePtr n = root->children;
	while (n) {
		if (is_text(n) && n->content)
			total += visible_len((const char *)n->content);
		else if (n->type == XML_ELEMENT_NODE && n->children && !has(n, T_NEVER_TEXT)) {
			n = n->children;
			continue;
		}
		while (n != root && !n->next)
			n = n->parent;
		if (n == root)
			break;
		n = n->next;
	}
	return total;
}

/* ---- URLs ------------------------------------------------------------ */

/* Length of the scheme of u ("http" in "http:..."), 0 when u has none. */
static size_t scheme_len(const char *u)
{
	size_t i = 0;
	if (!isalpha((unsigned char)u[0]))
		return 0;
	while (isalnum((unsigned char)u[i]) || u[i] == '+' || u[i] == '-' || u[i] == '.')
		i++;
	return u[i] == ':' ? i : 0;
}

static bool scheme_is(const char *u, size_t n, const char *s)
{
	return strlen(s) == n && !strncasecmp(u, s, n);
}

/* Writes the cleaned, absolute form of URL value v into out.  Tabs and
 * newlines are removed and surrounding blanks trimmed (as browsers do);
 * http(s) and scheme-less URLs are resolved against base (kept relative
 * when base is NULL); mailto:, tel: and ftp: stay as written; anything
 * else (javascript:, data:, vbscript:, file:, ...) and unresolvable URLs
 * give false. */
static bool fix_url(const char *base, const char *v, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf t = BUF_INIT;
	bool ok = false;
	const char *end = v + strlen(v);
	while (*v && (unsigned char)*v <= ' ')
		v++;
	while (end > v && (unsigned char)end[-1] <= ' ')
		end--;
	if (end - v > URL_MAX_LEN)
		goto out;
	/* Blanks and non-ASCII bytes inside are percent-encoded: browsers
	 * do so, and libcurl refuses them in absolute URLs. */
	for (; v < end; v++) {
		unsigned char c = (unsigned char)*v;
		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c <= ' ' || c >= 0x7F) {
			char e[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_put(&t, e, 3);
		} else {
			buf_putc(&t, (char)c);
		}
	}
	if (!t.len || t.len > URL_MAX_LEN)
		goto out;
	size_t sl = scheme_len(t.ptr);
	if (sl && (scheme_is(t.ptr, sl, "mailto") || scheme_is(t.ptr, sl, "tel") ||
		   scheme_is(t.ptr, sl, "ftp"))) {
		ok = buf_put(out, t.ptr, t.len) == 0;
	} else if (sl && !scheme_is(t.ptr, sl, "http") && !scheme_is(t.ptr, sl, "https")) {
		ok = false;
	} else if (!sl && (!base || !*base)) {
		ok = buf_put(out, t.ptr, t.len) == 0;
	} else {
		ok = url_resolve(base, t.ptr, out) == 0;
	}
out:
	buf_free(&t);
	return ok;
}

static bool param_listed(const char *p, size_t n, const char *const *names)
{
	for (; names && *names; names++) {
		size_t l = strlen(*names);
		if (l && (*names)[l - 1] == '*') {
			if (n >= l - 1 && !strncasecmp(p, *names, l - 1))
				return true;
		} else if (l == n && !strncasecmp(p, *names, n)) {
			return true;
		}
	}
	return false;
}

/* Drops the query parameters named in names from URL u (rule option
 * links.strip_query_params); a query left empty goes with its '?'. */
static void strip_params(struct buf *u, const char *const *names)
{
	if (!names || !*names || !u->len)
		return;
	const char *s = buf_cstr(u);
	const char *q = strchr(s, '?'), *hash = strchr(s, '#');
	if (!q || (hash && hash < q))
		return;
	const char *end = hash ? hash : s + u->len;
	struct buf o = BUF_INIT;
	buf_put(&o, s, (size_t)(q - s));
	bool first = true;
	for (const char *p = q + 1; p < end;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *pe = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(pe - p));
		size_t nl = (size_t)((eq ? eq : pe) - p);
		if (pe > p && !param_listed(p, nl, names)) {
			buf_putc(&o, first ? '?' : '&');
			buf_put(&o, p, (size_t)(pe - p));
			first = false;
		}
		p = amp ? amp + 1 : end;
	}
	buf_puts(&o, end);
	buf_clear(u);
	buf_put(u, o.ptr, o.len);
	buf_free(&o);
}

/* Rewrites attribute name of el through fix_url (and the rule's query
 * parameter list), or removes it. */
static bool fix_url_attr(xmlNodePtr el, const char *name, const char *base,
			 const char *const *strip)
{
	const char *v = html_attr(el, name);
	if (!v)
		return false;
	struct buf u = BUF_INIT;
	bool ok = fix_url(base, v, &u);
	if (ok)
		strip_params(&u, strip);
	if (ok)
		xmlSetProp(el, (const xmlChar *)name, (const xmlChar *)buf_cstr(&u));
	else
		xmlUnsetProp(el, (const xmlChar *)name);
	buf_free(&u);
	return ok;
}

/* The document's <base href>, resolved against the page URL, into out. */
static bool doc_base(xmlNodePtr root, const char *page, struct buf *out)
{
	xmlNodePtr html = root->doc ? xmlDocGetRootElement(root->doc) : NULL;
	for (xmlNodePtr h = html ? html->children : NULL; h; h = h->next) {
		if (!is_tag(h, "head"))
			continue;
		for (xmlNodePtr b = h->children; b; b = b->next) {
			const char *href = is_tag(b, "base") ? html_attr(b, "href") : NULL;
			if (!href || !*href)
				continue;
			struct buf u = BUF_INIT;
			bool ok = fix_url(page, href, &u) && url_is_http(buf_cstr(&u));
			if (ok)
				buf_puts(out, buf_cstr(&u));
			buf_free(&u);
			return ok;
		}
	}
	return false;
}

/* ---- images ------------------------------------------------------------ */

static const char *const lazy_builtin[] = {
	"data-src", "data-original", "data-lazy-src", "data-original-src", "data-actualsrc",
	"data-lazyload", "data-lazy", "data-echo", "data-ks-lazyload", "data-hi-res-src", NULL};
static const char *const srcset_attrs[] = {"srcset", "data-srcset", "data-lazy-srcset", NULL};

/* A source that shows nothing by itself. */
static bool src_unusable(const char *v)
{
	while (v && *v && (unsigned char)*v <= ' ')
		v++;
	return !v || !*v || !strncasecmp(v, "data:", 5) || !strncasecmp(v, "about:", 6) ||
	       !strncasecmp(v, "javascript:", 11);
}

/* A source that is probably the stand-in of a lazy loader. */
static bool src_placeholder(const char *v)
{
	static const char *const marks[] = {"blank.", "spacer.", "placeholder", "lazy", "loading",
					    "grey.gif", "gray.gif", "pixel.gif", "1x1", "transparent.",
					    NULL};
	for (const char *const *m = marks; *m; m++)
		if (strcasestr(v, *m))
			return true;
	return false;
}

/* Picks the largest candidate of a srcset into out. */
static bool srcset_best(const char *s, struct buf *out)
{
	double best = -1;
	size_t bs = 0, bn = 0;
	const char *p = s;
	for (int k = 0; *p && k < CLEAN_SRCSET_MAX; k++) {
		while (*p && (isspace((unsigned char)*p) || *p == ','))
			p++;
		const char *u = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		size_t un = (size_t)(p - u);
		while (un && u[un - 1] == ',')
			un--;
		bool ended = p > u && p[-1] == ','; /* "a.jpg," has no descriptor */
		double score = 1;
		if (!ended) {
			while (*p && isspace((unsigned char)*p))
				p++;
			const char *d = p;
			while (*p && *p != ',')
				p++;
			char *e;
			double v = strtod(d, &e);
			if (e != d && v > 0)
				score = *e == 'w' ? v * 1e6 : v; /* widths beat densities */
		}
		if (un && !src_unusable(u) && score > best)
			best = score, bs = (size_t)(u - s), bn = un;
	}
	if (best < 0)
		return false;
	buf_put(out, s + bs, bn);
	return true;
}

/* Next element sibling, skipping text and comments. */
static xmlNodePtr next_element(xmlNodePtr n)
{
	for (n = n->next; n && n->type != XML_ELEMENT_NODE; n = n->next)
		;
	return n;
}

static xmlNodePtr prev_element(xmlNodePtr n)
{
	for (n = n->prev; n && n->type != XML_ELEMENT_NODE; n = n->prev)
		;
	return n;
}

/* The <noscript> right after img (or after its only-child wrapper such as
 * <a> or <picture>), holding the image for script-less browsers. */
static const char *noscript_src(xmlNodePtr img)
{
	xmlNodePtr at = img;
	for (int up = 0; up < 2; up++) {
		xmlNodePtr ns = next_element(at);
		if (is_tag(ns, "noscript")) {
			for (xmlNodePtr c = ns->children; c; c = c->next) {
				const char *v = is_tag(c, "img") ? html_attr(c, "src") : NULL;
				if (v && !src_unusable(v))
					return v;
			}
			return NULL;
		}
		if (ns || prev_element(at) || !at->parent || at->parent->type != XML_ELEMENT_NODE)
			return NULL;
		at = at->parent;
	}
	return NULL;
}

static long px_value(const char *v)
{
	if (!v)
		return -1;
	while (isspace((unsigned char)*v))
		v++;
	if (!isdigit((unsigned char)*v))
		return -1;
	char *e;
	long n = strtol(v, &e, 10);
	while (isspace((unsigned char)*e))
		e++;
	return (*e == '\0' || !strncasecmp(e, "px", 2)) ? n : -1; /* "50%" is not tiny */
}

/* Lower-cased style attribute with all blanks removed, into out. */
static void style_compact(xmlNodePtr el, struct buf *out)
{
	const char *s = html_attr(el, "style");
	for (; s && *s; s++)
		if (!isspace((unsigned char)*s))
			buf_putc(out, tolower((unsigned char)*s));
}

/* The pixel size a compact style gives to prop ("width"), or -1. */
static long style_px(const char *st, const char *prop)
{
	size_t pl = strlen(prop);
	for (const char *p = st; (p = strstr(p, prop)) != NULL; p += pl) {
		if (p > st && (isalpha((unsigned char)p[-1]) || p[-1] == '-'))
			continue; /* max-width, line-height */
		if (p[pl] != ':')
			continue;
		const char *v = p + pl + 1;
		if (!isdigit((unsigned char)*v))
			return -1;
		char *e;
		long n = strtol(v, &e, 10);
		return (*e == '\0' || *e == ';' || !strncmp(e, "px", 2) || *e == '!') ? n : -1;
	}
	return -1;
}

static bool is_tiny(xmlNodePtr el)
{
	long w = px_value(html_attr(el, "width")), h = px_value(html_attr(el, "height"));
	if ((w >= 0 && w <= CLEAN_PIXEL_MAX) || (h >= 0 && h <= CLEAN_PIXEL_MAX))
		return true;
	struct buf st = BUF_INIT;
	style_compact(el, &st);
	w = style_px(buf_cstr(&st), "width");
	h = style_px(buf_cstr(&st), "height");
	buf_free(&st);
	return (w >= 0 && w <= CLEAN_PIXEL_MAX) || (h >= 0 && h <= CLEAN_PIXEL_MAX);
}

static bool is_tracker(const char *src)
{
	static const char *const hosts[] = {
		"scorecardresearch.com", "google-analytics.com", "doubleclick.net",
		"facebook.com/tr", "hm.baidu.com", "cnzz.com", "/pixel.gif", "/1x1.",
		"spacer.gif", "/beacon", NULL};
	for (const char *const *h = hosts; *h; h++)
		if (strcasestr(src, *h))
			return true;
	return false;
}

/* Resolves an <img>'s real source.  Returns false when the image must go
 * (no usable source, or a tracking pixel). */
static bool fix_img(xmlNodePtr el, const struct clean_opts *o, const char *base)
{
	struct buf pick = BUF_INIT, abs = BUF_INIT;
	const char *v;
	bool keep = false;

	for (const char *const *l = o->lazy_attrs; l && *l && !pick.len; l++)
		if ((v = html_attr(el, *l)) && !src_unusable(v))
			buf_puts(&pick, v);
	for (const char *const *l = lazy_builtin; *l && !pick.len; l++)
		if ((v = html_attr(el, *l)) && !src_unusable(v))
			buf_puts(&pick, v);
	const char *src = html_attr(el, "src");
	if (!pick.len && src && !src_unusable(src) && !src_placeholder(src))
		buf_puts(&pick, src);
	for (const char *const *l = srcset_attrs; *l && !pick.len; l++)
		if ((v = html_attr(el, *l)))
			srcset_best(v, &pick);
	if (!pick.len && is_tag(el->parent, "picture"))
		for (xmlNodePtr s = el->parent->children; s && !pick.len; s = s->next)
			if (is_tag(s, "source") && (v = html_attr(s, "srcset")))
				srcset_best(v, &pick);
	if (!pick.len && (v = noscript_src(el)))
		buf_puts(&pick, v);
	if (!pick.len && src && !src_unusable(src))
		buf_puts(&pick, src); /* a placeholder-looking name, but all we have */

	if (pick.len && fix_url(base, buf_cstr(&pick), &abs) && !is_tracker(buf_cstr(&abs)) &&
	    !is_tiny(el)) {
		strip_params(&abs, o->strip_query_params);
		xmlSetProp(el, (const xmlChar *)"src", (const xmlChar *)buf_cstr(&abs));
		keep = true;
	}
	for (const char *const *l = o->lazy_attrs; l && *l; l++)
		xmlUnsetProp(el, (const xmlChar *)*l);
	for (const char *const *l = lazy_builtin; *l; l++)
		xmlUnsetProp(el, (const xmlChar *)*l);
	for (const char *const *l = srcset_attrs; *l; l++)
		xmlUnsetProp(el, (const xmlChar *)*l);
	buf_free(&pick);
	buf_free(&abs);
	return keep;
}

/* ---- classification ------------------------------------------------- */

/* Class or id substrings that mark boilerplate... */
static const char *const boiler_sub[] = {
	"share", "social", "comment", "advert", "sponsor", "related", "recommend",
	"breadcrumb", "jiathis", "bdshare", "addthis", "newsletter", "subscribe", "popup",
	"disqus", "promo", "toolbar", "pagination", "copyright",
	"fenxiang", "guanggao", NULL}; /* pinyin: share, advertisement */
/* ...unless one of these is also there... */
static const char *const boiler_veto[] = {"commentary", NULL};
/* ...and whole words (letters between non-letters) that do. */
static const char *const boiler_word[] = {"ad", "ads", "adv", "gg", "banner", "tags",
					  "print", "pager", "nav", "menu", "sidebar",
					  "footer", "sns", NULL};
/* Class tokens of CSS frameworks' "hide this". */
static const char *const hidden_class[] = {
	"hidden", "hide", "d-none", "is-hidden", "visually-hidden", "sr-only",
	"screen-reader-text", "invisible", "display-none", NULL};
static bool words_match(const char *s, const char *const *words)
{
	char w[32];
	while (*s) {
		while (*s && !isalpha((unsigned char)*s))
			s++;
		size_t n = 0;
		while (isalpha((unsigned char)*s)) {
			if (n < sizeof w - 1)
				w[n++] = (char)tolower((unsigned char)*s);
			s++;
		}
		w[n] = '\0';
		if (n && in_list(w, words))
			return true;
	}
	return false;
}

static bool boiler_name(const char *v)
{
	if (!v || !*v)
		return false;
	for (const char *const *x = boiler_veto; *x; x++)
		if (strcasestr(v, *x))
			return false;
	for (const char *const *x = boiler_sub; *x; x++)
		if (strcasestr(v, *x))
			return true;
	return words_match(v, boiler_word);
}

static bool boiler_attrs(xmlNodePtr el)
{
	return !has(el, T_TABLE_PART | T_INLINE_TEXT) &&
	       (boiler_name(html_attr(el, "class")) || boiler_name(html_attr(el, "id")));
}

/* What only a platform's disclaimer or a pager says: a small block whose
 * text holds one of these is not the article's.  (Credits such as 责任编辑
 * are not here: people who label article text keep them as often as not.) */
static const char *const boiler_phrases[] = {
	"\xe4\xbb\x85\xe6\x8f\x90\xe4\xbe\x9b\xe4\xbf\xa1\xe6\x81\xaf\xe5\xad\x98"
	"\xe5\x82\xa8\xe6\x9c\x8d\xe5\x8a\xa1",           /* 仅提供信息存储服务 */
	"\xe4\xb8\x8d\xe4\xbb\xa3\xe8\xa1\xa8\xe6\x9c\xac\xe7\xab\x99"
	"\xe8\xa7\x82\xe7\x82\xb9",                         /* 不代表本站观点 */
	"\xe8\xbd\xac\xe8\xbd\xbd\xe8\xaf\xb7\xe6\xb3\xa8\xe6\x98\x8e",
	/* 转载请注明 */
	"only provides information storage services", NULL};
/* Texts a block of nothing but links says when it is a pager. */
static const char *const pager_phrases[] = {
	"\xe4\xb8\x8b\xe4\xb8\x80\xe9\xa1\xb5", /* 下一页 */
	"\xe4\xb8\x8a\xe4\xb8\x80\xe9\xa1\xb5", /* 上一页 */
	NULL};

static bool hidden(xmlNodePtr el)
{
	const char *v;
	if (xmlHasProp(el, (const xmlChar *)"hidden"))
		return true;
	if ((v = html_attr(el, "aria-hidden")) && !strcasecmp(v, "true"))
		return true;
	if ((v = html_attr(el, "class"))) {
		char tok[32];
		while (*v) {
			while (isspace((unsigned char)*v))
				v++;
			size_t n = 0;
			while (*v && !isspace((unsigned char)*v)) {
				if (n < sizeof tok - 1)
					tok[n++] = (char)tolower((unsigned char)*v);
				v++;
			}
			tok[n] = '\0';
			if (n && in_list(tok, hidden_class))
				return true;
		}
	}
	if (!html_attr(el, "style"))
		return false;
	struct buf st = BUF_INIT;
	style_compact(el, &st);
	bool h = strstr(buf_cstr(&st), "display:none") || strstr(buf_cstr(&st), "visibility:hidden");
	buf_free(&st);
	return h;
}

/* ---- the walk -------------------------------------------------------- */

struct frame {
	xmlNodePtr el;
	size_t text;  /* visible characters that survived below el */
	size_t raw;   /* visible characters below el before cleaning */
	size_t link;  /* of text, the characters inside links */
	bool media;   /* an image, table, ... survived below el */
	bool in_code; /* el is or lies inside <pre>/<code>: class names there
		       * come from syntax highlighters ("hljs-comment") */
};

struct walk {
	const struct clean_opts *o;
	const char *base;
	xmlNodePtr root;
	size_t total; /* visible characters below root before cleaning */
	xmlNodePtr *unwrap;   /* sorted; rule unwrap matches */
	size_t nunwrap;
	struct frame *st;
	size_t sp, cap;
	struct buf scratch; /* an element's text, for the text tests */
};

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (xmlNodePtr const *)a, y = (uintptr_t) * (xmlNodePtr const *)b;
	return x < y ? -1 : x > y;
}

static void push(struct walk *w, xmlNodePtr el)
{
	if (w->sp == w->cap) {
		w->cap = w->cap ? w->cap * 2 : CLEAN_STACK_INIT;
		w->st = xrealloc(w->st, w->cap * sizeof *w->st);
	}
	bool code = (w->sp && w->st[w->sp - 1].in_code) || is_tag(el, "pre") || is_tag(el, "code");
	w->st[w->sp++] = (struct frame){el, 0, 0, 0, false, code};
}

/* Measured on the text before cleaning, like the total: a wrapper whose
 * sidebar was just removed from inside it still holds the article. */
static bool big(const struct walk *w, const struct frame *f)
{
	return f->raw * CLEAN_BIG_SHARE > w->total;
}

static void drop_event_attrs(xmlNodePtr el)
{
	for (xmlAttrPtr a = el->properties, nx; a; a = nx) {
		nx = a->next;
		if (a->name && (a->name[0] == 'o' || a->name[0] == 'O') &&
		    (a->name[1] == 'n' || a->name[1] == 'N'))
			xmlRemoveProp(a);
	}
}

/* n is an image, a <picture>, or a wrapper whose only element is one. */
static bool holds_img(xmlNodePtr n)
{
	if (!n)
		return false;
	if (is_tag(n, "img") || is_tag(n, "picture"))
		return true;
	xmlNodePtr c = n->children;
	if (c && c->type != XML_ELEMENT_NODE)
		c = next_element(c);
	return c && !next_element(c) && (is_tag(c, "img") || is_tag(c, "picture"));
}

/* True when el's text (buffered in w->scratch) holds one of subs. */
static bool text_has_any(struct walk *w, xmlNodePtr el, const char *const *subs)
{
	buf_clear(&w->scratch);
	html_text(el, &w->scratch);
	for (; *subs; subs++)
		if (**subs && strstr(buf_cstr(&w->scratch), *subs))
			return true;
	return false;
}

/* A small block saying what only disclaimers and pagers say. */
static bool boiler_text(struct walk *w, xmlNodePtr el, const struct frame *f)
{
	if (f->text < 4 || f->text >= CLEAN_BOILER_MAX_CHARS || has(el, T_INLINE_TEXT))
		return false;
	bool links_only = f->link * 10 >= f->text * 9;
	return text_has_any(w, el, boiler_phrases) ||
	       (links_only && text_has_any(w, el, pager_phrases));
}

/* A heading with text that is not a link: the article's own subheading,
 * whatever its id says (id="nav_2" from a table-of-contents plugin). */
static bool text_heading(const struct frame *f)
{
	const xmlChar *n = f->el->name;
	return n[0] == 'h' && n[1] >= '1' && n[1] <= '6' && !n[2] && f->text > 0 &&
	       f->link * 2 < f->text;
}

/* Boilerplate by name or tag is removed only when it is small, or mostly
 * links (a list of related headlines can be long): documentation pages
 * give sections ids made from their headings ("a-shared-changeset"). */
static bool small_or_links(const struct frame *f)
{
	return f->raw < CLEAN_BOILER_MAX_CHARS ||
	       f->link * CLEAN_LINK_DENSITY_DEN > f->text * CLEAN_LINK_DENSITY_NUM;
}

enum pre_act { PRE_DESCEND, PRE_GONE };

/* Going down.  Returns PRE_GONE when el was removed or replaced (then
 * *next says where the walk goes on). */
static enum pre_act pre_visit(struct walk *w, xmlNodePtr el, xmlNodePtr *next)
{
	if (is_tag(el, "noscript")) {
		/* Script-less fallback: images only are worth showing; when the
		 * image before it was the lazy stand-in, it has taken the source
		 * already (fix_img) and this copy would duplicate it. */
		bool imgs = false, other = false;
		for (xmlNodePtr c = el->children; c; c = c->next) {
			if (is_tag(c, "img"))
				imgs = true;
			else if (c->type == XML_ELEMENT_NODE ||
				 (is_text(c) && c->content && visible_len((const char *)c->content)))
				other = true;
		}
		if (imgs && !other && !holds_img(prev_element(el))) {
			*next = unwrap(el);
			return PRE_GONE;
		}
		drop(el);
		return PRE_GONE;
	}
	if (has(el, T_NEVER_TEXT)) {
		drop(el);
		return PRE_GONE;
	}
	drop_event_attrs(el);
	for (const char *const *a = w->o->remove_attrs; a && *a; a++)
		xmlUnsetProp(el, (const xmlChar *)*a);
	if (is_tag(el, "img")) {
		if (!fix_img(el, w->o, w->base)) {
			drop(el);
			return PRE_GONE;
		}
		return PRE_DESCEND;
	}
	if (is_tag(el, "iframe")) {
		const char *src = html_attr(el, "src");
		if (!src || !fix_url_attr(el, "src", w->base, NULL) || !url_is_http(html_attr(el, "src")) ||
		    is_tiny(el)) {
			drop(el);
			return PRE_GONE;
		}
		return PRE_DESCEND;
	}
	static const char *const url_attrs[] = {"href", "src", "poster", "cite", NULL};
	for (const char *const *a = url_attrs; *a; a++)
		fix_url_attr(el, *a, w->base, w->o->strip_query_params);
	return PRE_DESCEND;
}

/* Line breaks in a row that a block keeps: more is layout, not text. */
#define CLEAN_MAX_BREAKS 2

static bool blank_text(xmlNodePtr n)
{
	return is_text(n) && (!n->content || !visible_len((const char *)n->content));
}

/* Drops <br>s and blank text at one edge of el, and of the inline
 * wrappers (<font>, <span>, ...) that open or close it.  Each inline
 * element is walked only by the nearest block above it: linear. */
static void trim_edge(xmlNodePtr el, bool front)
{
	while (el) {
		xmlNodePtr c = front ? el->children : el->last, nx;
		while (c && (is_tag(c, "br") || blank_text(c))) {
			nx = front ? c->next : c->prev;
			drop(c);
			c = nx;
		}
		el = has(c, T_EMPTY_INLINE) ? c : NULL;
	}
}

/* In block el (not <pre>): <br>s and blank text before the first or
 * after the last content go, and runs of more than CLEAN_MAX_BREAKS
 * (blanks between them do not count) are cut. */
static void tidy_breaks(xmlNodePtr el)
{
	xmlNodePtr c, nx;
	trim_edge(el, true);
	trim_edge(el, false);
	int run = 0;
	for (c = el->children; c; c = nx) {
		nx = c->next;
		if (is_tag(c, "br")) {
			if (++run > CLEAN_MAX_BREAKS)
				drop(c);
		} else if (!blank_text(c)) {
			run = 0;
		}
	}
}

enum post_act { POST_KEEP, POST_UNWRAP, POST_DROP };

/* Coming back up: what becomes of el, now that its subtree is clean. */
static enum post_act post_decide(struct walk *w, const struct frame *f)
{
	xmlNodePtr el = f->el;
	if (w->nunwrap && bsearch(&el, w->unwrap, w->nunwrap, sizeof *w->unwrap, ptr_cmp))
		return POST_UNWRAP;
	if (is_tag(el, "form"))
		return big(w, f) ? POST_UNWRAP : POST_DROP;
	if (!big(w, f) && !f->in_code &&
	    (hidden(el) ||
	     ((has(el, T_BOILER) || (boiler_attrs(el) && !text_heading(f))) && small_or_links(f)) ||
	     boiler_text(w, el, f)))
		return POST_DROP;
	if (is_tag(el, "p") && w->o->remove_paragraphs_matching &&
	    text_has_any(w, el, w->o->remove_paragraphs_matching))
		return POST_DROP;
	if (!f->text && !f->media && has(el, T_EMPTY_BLOCK))
		return POST_DROP;
	if (!f->text && !f->media && has(el, T_EMPTY_INLINE))
		return POST_UNWRAP;
	return POST_KEEP;
}

/* The frame of el has been popped; its parent's frame is on top and
 * receives the counts of what stays. */
static void post_visit(struct walk *w, struct frame *f)
{
	struct frame *parent = &w->st[w->sp - 1];
	bool link = is_tag(f->el, "a");
	switch (post_decide(w, f)) {
	case POST_DROP:
		drop(f->el);
		parent->raw += f->raw;
		return;
	case POST_UNWRAP:
		unwrap(f->el); /* the children stay, and so do their counts */
		break;
	case POST_KEEP:
		if (has(f->el, T_MEDIA))
			f->media = true;
		if (has(f->el, T_PARA | T_LINE) && !f->in_code)
			tidy_breaks(f->el);
		break;
	}
	if (link)
		f->link = f->text;
	parent->raw += f->raw;
	parent->link += f->link;
	parent->text += f->text;
	parent->media |= f->media;
}

/* truncate_at: the earliest match and everything after it inside root. */
static void truncate_at(struct walk *w)
{
	xmlNodePtr first = NULL;
	for (struct sel *const *s = w->o->truncate_at; s && *s; s++) {
		xmlNodePtr m = sel_first(*s, w->root);
		if (m && (!first || xmlXPathCmpNodes(m, first) == 1))
			first = m;
	}
	for (xmlNodePtr n = first; n && n != w->root;) {
		for (xmlNodePtr s = n->next, nx; s; s = nx) {
			nx = s->next;
			drop(s);
		}
		xmlNodePtr parent = n->parent;
		if (n == first)
			drop(n);
		n = parent;
	}
}

static void rename_matches(struct walk *w)
{
	const struct clean_opts *o = w->o;
	for (size_t i = 0; o->rename && o->rename[i] && o->rename_to && o->rename_to[i]; i++) {
		if (!*o->rename_to[i])
			continue;
		xmlNodePtr *m = NULL;
		size_t n = sel_select(o->rename[i], w->root, &m);
		for (size_t k = 0; k < n; k++)
			xmlNodeSetName(m[k], (const xmlChar *)o->rename_to[i]);
		free(m);
	}
}

/* Rule selectors, in the order the header states.  `remove` matches are
 * unlinked first and freed after (a match inside another match is then
 * simply detached from a detached tree); `unwrap` matches are searched in
 * what is left and remembered for the walk. */
static void apply_rule_selectors(struct walk *w)
{
	const struct clean_opts *o = w->o;
	truncate_at(w);
	for (struct sel *const *s = o->remove; s && *s; s++) {
		xmlNodePtr *m = NULL;
		size_t n = sel_select(*s, w->root, &m);
		for (size_t i = 0; i < n; i++)
			xmlUnlinkNode(m[i]);
		for (size_t i = 0; i < n; i++)
			xmlFreeNode(m[i]);
		free(m);
	}
	rename_matches(w);
	for (struct sel *const *s = o->unwrap; s && *s; s++) {
		xmlNodePtr *m = NULL;
		size_t n = sel_select(*s, w->root, &m);
		w->unwrap = xrealloc(w->unwrap, (w->nunwrap + n + 1) * sizeof *w->unwrap);
		memcpy(w->unwrap + w->nunwrap, m, n * sizeof *m);
		w->nunwrap += n;
		free(m);
	}
	if (w->nunwrap)
		qsort(w->unwrap, w->nunwrap, sizeof *w->unwrap, ptr_cmp);
}

/* ---- text hygiene --------------------------------------------------- */

/* Levels of inline wrappers (<span><font>...) looked through to see
 * whether a text starts its block's line. */
#define CLEAN_LINE_START_LEVELS 8

/* True when text node t starts a line of its block: first in a block (or
 * in inline wrappers that are first in one), or right after a <br>. */
static bool starts_line(xmlNodePtr t)
{
	xmlNodePtr n = t;
	for (int level = 0; level < CLEAN_LINE_START_LEVELS && n; level++) {
		xmlNodePtr prev = n->prev;
		while (prev && blank_text(prev))
			prev = prev->prev;
		if (prev)
			return is_tag(prev, "br");
		xmlNodePtr parent = n->parent;
		if (!parent || parent->type != XML_ELEMENT_NODE)
			return false;
		if (!has(parent, T_INLINE_TEXT | T_EMPTY_INLINE))
			return true; /* first in a block */
		n = parent;
	}
	return false;
}

/* Characters that show nothing and break search: soft hyphen, zero-width
 * space, word joiner, BOM.  (Zero-width joiners stay: emoji and Indic
 * scripts need them.)  Returns the byte length at s, or 0. */
static size_t invisible_at(const unsigned char *s)
{
	if (s[0] == 0xC2 && s[1] == 0xAD)
		return 2; /* U+00AD */
	if (s[0] == 0xE2 && s[1] == 0x80 && s[2] == 0x8B)
		return 3; /* U+200B */
	if (s[0] == 0xE2 && s[1] == 0x81 && s[2] == 0xA0)
		return 3; /* U+2060 */
	if (s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
		return 3; /* U+FEFF */
	return 0;
}

/* Indentation at a line's start: no-break and ideographic spaces (with
 * the ordinary blanks between them).  Returns the byte length at s. */
static size_t indent_at(const unsigned char *s)
{
	if (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r')
		return 1;
	if (s[0] == 0xC2 && s[1] == 0xA0)
		return 2; /* U+00A0 */
	if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
		return 3; /* U+3000 */
	return 0;
}

/* True when code point cp is surely NFC whatever surrounds it: a block
 * with no combining marks and no NFC singletons (Latin-1, Latin
 * Extended-A, Cyrillic, general punctuation, CJK, kana without the
 * combining voicing marks, Hangul syllables, CJK and full-width
 * punctuation).  Text with anything else goes through ICU. */
static bool cp_nfc_stable(uint32_t cp)
{
	return (cp >= 0xA0 && cp <= 0x17F) || (cp >= 0x400 && cp <= 0x4FF) ||
	       (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x2030 && cp <= 0x205E) ||
	       (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0x3041 && cp <= 0x3096) ||
	       (cp >= 0x30A0 && cp <= 0x30FF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
	       (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xFF01 && cp <= 0xFFEF) || cp == 0x20AC;
}

/* Text node t in NFC, without invisible characters, and (indent: not in
 * <pre>/<code>) without the no-break/ideographic indentation a line starts
 * with ("　　正文"). */
static void text_hygiene(xmlNodePtr t, bool indent, struct buf *tmp)
{
	const unsigned char *s = t->content;
	if (!s)
		return;
	/* One pass to see whether anything needs doing (most text needs
	 * nothing, and is left alone without a copy). */
	bool invisible = false, nfc = false;
	for (const unsigned char *p = s; *p; p++) {
		if (*p < 0x80)
			continue;
		if (*p >= 0xC2 && invisible_at(p)) {
			invisible = true;
		} else if (!nfc && *p >= 0xC0) {
			uint32_t cp;
			size_t k = utf8_decode((const char *)p, strnlen((const char *)p, 4), &cp);
			if (!k || !cp_nfc_stable(cp))
				nfc = true;
		}
	}
	bool indented = indent && (s[0] == 0xC2 || s[0] == 0xE3 || s[0] == ' ' || s[0] == '\t' ||
				   s[0] == '\n' || s[0] == '\r');
	if (!invisible && !nfc && !indented)
		return;
	buf_clear(tmp);
	const unsigned char *p = s;
	bool changed = false;
	if (indented && starts_line(t)) {
		const unsigned char *q = p;
		bool wide_indent = false;
		size_t k;
		while ((k = indent_at(q)) != 0) {
			wide_indent |= k > 1;
			q += k;
		}
		if (wide_indent && *q) {
			p = q;
			changed = true;
		}
	}
	while (*p) {
		size_t k = *p >= 0xC2 ? invisible_at(p) : 0;
		if (k) {
			p += k;
			changed = true;
			continue;
		}
		buf_putc(tmp, (char)*p++);
	}
	struct buf nf = BUF_INIT;
	if (nfc && nfc_append(&nf, tmp->ptr ? tmp->ptr : "", tmp->len) == 0 &&
	    (nf.len != tmp->len || memcmp(nf.ptr, tmp->ptr, nf.len))) {
		buf_clear(tmp);
		buf_put(tmp, nf.ptr, nf.len);
		changed = true;
	}
	buf_free(&nf);
	if (changed)
		xmlNodeSetContent(t, BAD_CAST buf_cstr(tmp));
}

void clean_body(xmlNodePtr root, const struct clean_opts *o)
{
	static const struct clean_opts none = {0};
	if (!root || root->type != XML_ELEMENT_NODE)
		return;
	struct buf base = BUF_INIT;
	struct walk w = {.o = o ? o : &none, .root = root};
	if (doc_base(root, w.o->base_url, &base))
		w.base = buf_cstr(&base);
	else
		w.base = w.o->base_url;
	/* An unwrap match that the walk later removes with an ancestor is
	 * only ever compared against live elements, never dereferenced: no
	 * element is created during the walk. */
	apply_rule_selectors(&w);
	w.total = subtree_visible(root);

	push(&w, root);
	xmlNodePtr cur = root->children;
	for (;;) {
		while (cur) {
			xmlNodePtr next = cur->next;
			if (is_text(cur)) {
				text_hygiene(cur, !w.st[w.sp - 1].in_code, &w.scratch);
				if (cur->content) {
					size_t v = visible_len((const char *)cur->content);
					w.st[w.sp - 1].text += v;
					w.st[w.sp - 1].raw += v;
				}
			} else if (cur->type == XML_ELEMENT_NODE) {
				if (pre_visit(&w, cur, &next) == PRE_DESCEND) {
					push(&w, cur);
					next = cur->children;
				}
			} else {
				drop(cur); /* comments, processing instructions */
			}
			cur = next;
		}
		struct frame f = w.st[--w.sp];
		if (f.el == root) {
			tidy_breaks(root);
			break;
		}
		cur = f.el->next;
		post_visit(&w, &f);
	}
	free(w.st);
	free(w.unwrap);
	buf_free(&w.scratch);
	buf_free(&base);
}

/* ---- clean_html -------------------------------------------------------- */

static const char *const bool_attrs[] = {"controls", "reversed", "allowfullscreen", NULL};
static const char *const url_attr_names[] = {"href", "src", "poster", "cite", NULL};
static const char *const num_attrs[] = {"width", "height", "colspan", "rowspan", "start",
					"value", NULL};

/* A URL safe to publish: http(s), mailto, tel, ftp, or scheme-less. */
static bool url_safe(const char *u, bool link)
{
	while (*u && (unsigned char)*u <= ' ')
		u++;
	size_t sl = scheme_len(u);
	if (!*u)
		return false;
	if (!sl)
		return !strpbrk(u, "\t\n\r"); /* "java\tscript:" hides a scheme */
	return scheme_is(u, sl, "http") || scheme_is(u, sl, "https") ||
	       (link && (scheme_is(u, sl, "mailto") || scheme_is(u, sl, "tel") ||
			 scheme_is(u, sl, "ftp")));
}

static bool attr_ok(const char *tag, const char *name, const char *v)
{
	if (in_list(name, url_attr_names))
		return url_safe(v, !strcmp(tag, "a"));
	if (in_list(name, num_attrs)) {
		size_t i = 0;
		while (isdigit((unsigned char)v[i]))
			i++;
		return i > 0 && i < 8 && (v[i] == '\0' || (v[i] == '%' && !v[i + 1]));
	}
	if (!strcmp(name, "scope"))
		return !strcmp(v, "row") || !strcmp(v, "col") || !strcmp(v, "rowgroup") ||
		       !strcmp(v, "colgroup");
	if (!strcmp(name, "type") && !strcmp(tag, "ol"))
		return strlen(v) == 1 && strchr("1aAiI", v[0]);
	return true;
}

enum html_act { H_DROP, H_UNWRAP, H_KEEP };

static enum html_act html_action(xmlNodePtr n)
{
	if (n->type != XML_ELEMENT_NODE)
		return H_DROP;
	const struct tag_info *r = tag_info(n);
	if (r && (r->flags & T_NEVER_TEXT))
		return H_DROP;
	if (!r || !r->keep)
		return H_UNWRAP;
	const char *tag = r->name, *v;
	if (!strcmp(tag, "img") || !strcmp(tag, "iframe") || !strcmp(tag, "source")) {
		v = html_attr(n, "src");
		if (!v || !url_safe(v, false))
			return H_DROP;
		if (!strcmp(tag, "iframe") && !url_is_http(v))
			return H_DROP;
		if (!strcmp(tag, "source") && !is_tag(n->parent, "video") && !is_tag(n->parent, "audio"))
			return H_DROP;
	}
	if (!strcmp(tag, "a") && (!(v = html_attr(n, "href")) || !url_safe(v, true)))
		return H_UNWRAP;
	return H_KEEP;
}

static void put_escaped(struct buf *out, const char *s, bool in_attr)
{
	const char *run = s;
	for (; *s; s++) {
		const char *rep = NULL;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = in_attr ? "&quot;" : NULL; break;
		default: break;
		}
		if (!rep)
			continue;
		buf_put(out, run, (size_t)(s - run));
		buf_puts(out, rep);
		run = s + 1;
	}
	buf_puts(out, run);
}

static void open_tag(xmlNodePtr n, const struct tag_info *r, const char *const *extra,
		     struct buf *out)
{
	buf_printf(out, "<%s", r->name);
	const char *p = r->keep;
	char name[32];
	while (*p) {
		size_t l = strcspn(p, " ");
		memcpy(name, p, l);
		name[l] = '\0';
		p += l;
		while (*p == ' ')
			p++;
		const char *v = html_attr(n, name);
		if (!v || !attr_ok(r->name, name, v))
			continue;
		if (in_list(name, bool_attrs)) {
			buf_printf(out, " %s", name);
			continue;
		}
		buf_printf(out, " %s=\"", name);
		put_escaped(out, v, true);
		buf_putc(out, '"');
	}
	/* a rule's keep_attrs (never URLs or event handlers: those stay checked) */
	for (size_t i = 0; extra && extra[i]; i++) {
		const char *v = html_attr(n, extra[i]);
		size_t l = strlen(extra[i]);
		bool listed = false;
		for (const char *q = r->keep; *q && !listed; q += strcspn(q, " "), q += *q == ' ')
			listed = !strncmp(q, extra[i], l) && (q[l] == ' ' || !q[l]);
		if (!v || listed || in_list(extra[i], url_attr_names) || !strncmp(extra[i], "on", 2))
			continue;
		buf_printf(out, " %s=\"", extra[i]);
		put_escaped(out, v, true);
		buf_putc(out, '"');
	}
	buf_putc(out, '>');
}

/* Whitespace-only text that spans lines: layout between blocks. */
static bool layout_space(const char *s)
{
	bool nl = false;
	for (; *s; s++) {
		if (!isspace((unsigned char)*s))
			return false;
		nl |= *s == '\n';
	}
	return nl;
}

void clean_html(xmlNodePtr root, struct buf *out)
{
	clean_html_keep(root, NULL, out);
}

void clean_html_keep(xmlNodePtr root, const char *const *keep_attrs, struct buf *out)
{
	if (!root)
		return;
	size_t start = out->len;
	int pre = 0;
	xmlNodePtr n = root->children;
	while (n) {
		bool down = false;
		if (is_text(n) && n->content) {
			/* Indentation between blocks becomes one line break. */
			if (!pre && layout_space((const char *)n->content)) {
				if (out->len > start && out->ptr[out->len - 1] != '\n')
					buf_putc(out, '\n');
			} else {
				put_escaped(out, (const char *)n->content, false);
			}
		} else if (n->type == XML_ELEMENT_NODE) {
			enum html_act a = html_action(n);
			if (a == H_KEEP) {
				open_tag(n, tag_info(n), keep_attrs, out);
				bool is_void = has(n, T_VOID);
				if (!is_void && n->children)
					down = true;
				else if (!is_void)
					buf_printf(out, "</%s>", (const char *)n->name);
			} else if (a == H_UNWRAP && n->children) {
				down = true;
			}
			if (down && is_tag(n, "pre"))
				pre++;
		}
		if (down) {
			n = n->children;
			continue;
		}
		while (n != root && !n->next) {
			n = n->parent;
			if (n == root)
				break;
			if (html_action(n) == H_KEEP)
				buf_printf(out, "</%s>", (const char *)n->name);
			if (is_tag(n, "pre"))
				pre--;
		}
		if (n == root)
			break;
		n = n->next;
	}
	size_t end = out->len;
	while (end > start && out->ptr[end - 1] == '\n')
		end--;
	buf_truncate(out, end);
}

/* ---- clean_text -------------------------------------------------------- */

struct text_state {
	struct buf *out;
	size_t start;     /* out->len when clean_text began */
	int newlines;     /* line breaks owed before the next character */
	int space;        /* 0 none, 1 a blank owed, 2 a blank that held a line break */
	uint32_t last;    /* last code point written */
	int pre;          /* depth of <pre> elements */
};

static void text_break(struct text_state *t, int n)
{
	if (n > t->newlines)
		t->newlines = n;
}

static void text_char(struct text_state *t, const char *s, size_t len, uint32_t cp)
{
	bool at_start = t->out->len == t->start;
	if (t->newlines && !at_start) {
		for (int i = 0; i < t->newlines; i++)
			buf_putc(t->out, '\n');
		t->space = 0;
	} else if (t->space && !at_start && t->last != '\n' &&
		   !(t->space == 2 && utf8_is_cjk(t->last) && utf8_is_cjk(cp))) {
		buf_putc(t->out, ' ');
	}
	t->newlines = 0;
	t->space = 0;
	buf_put(t->out, s, len);
	t->last = cp;
}

static void text_run(struct text_state *t, const char *s)
{
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t l = utf8_decode(s + i, len - i, &cp);
		if (t->pre) {
			/* Inside <pre> blanks are text and each line break
			 * counts (owed, so none ends the output). */
			if (cp == '\n')
				t->newlines++;
			else if (cp != '\r')
				text_char(t, s + i, l, cp);
		} else if (cp >= 0x200B && cp <= 0x200D) {
			/* zero-width: nothing */
		} else if (cp == 0xFEFF) {
			/* BOM / zero-width no-break space: nothing */
		} else if (utf8_is_space(cp)) {
			int kind = (cp == '\n' || cp == '\r') ? 2 : 1;
			if (kind > t->space)
				t->space = kind;
		} else {
			text_char(t, s + i, l, cp);
		}
		i += l;
	}
}

static void text_enter(struct text_state *t, xmlNodePtr n)
{
	if (is_tag(n, "br")) {
		if (t->out->len > t->start) {
			if (t->newlines < 2)
				t->newlines++;
		}
		t->space = 0;
	} else if (has(n, T_PARA)) {
		text_break(t, 2);
	} else if (has(n, T_LINE)) {
		text_break(t, 1);
	} else if (is_tag(n, "td") || is_tag(n, "th")) {
		if (!t->space)
			t->space = 1;
	}
	if (is_tag(n, "pre"))
		t->pre++;
}

static void text_leave(struct text_state *t, xmlNodePtr n)
{
	if (has(n, T_PARA))
		text_break(t, 2);
	else if (has(n, T_LINE))
		text_break(t, 1);
	if (is_tag(n, "pre"))
		t->pre--;
}

void clean_text(xmlNodePtr root, struct buf *out)
{
	if (!root)
		return;
	struct text_state t = {out, out->len, 0, 0, 0, 0};
	if (is_text(root)) {
		if (root->content)
			text_run(&t, (const char *)root->content);
		return;
	}
	xmlNodePtr n = root->children;
	while (n) {
		bool down = false;
		if (is_text(n) && n->content) {
			text_run(&t, (const char *)n->content);
		} else if (n->type == XML_ELEMENT_NODE && !has(n, T_NEVER_TEXT)) {
			text_enter(&t, n);
			if (n->children)
				down = true;
			else
				text_leave(&t, n);
		}
		if (down) {
			n = n->children;
			continue;
		}
		while (n != root && !n->next) {
			n = n->parent;
			if (n != root)
				text_leave(&t, n);
		}
		if (n == root)
			break;
		n = n->next;
	}
}

/* ---- clean_boiler_lines ------------------------------------------------ */

/* A furniture line is short; longer text is prose whatever it says. */
#define CLEAN_LINE_MAX 90
/* A teaser heading ends the article only this far into its text (per
 * mille): one in the first half is a table of contents or a lead-in. */
#define CLEAN_TEASER_FROM 500

/* Whole lines (lower-cased, trailing ':' '.' '…' '!' and spaces gone). */
static const char *const furniture_lines[] = {
	"anzeige", "werbung", "advertisement", "advertising", "sponsored", "publicité",
	"publicidad", "pubblicità", "\xe5\xb9\xbf\xe5\x91\x8a", /* 广告 */
	"kommentare schreiben", "kommentar schreiben", "kommentieren", "jetzt kommentieren",
	"write a comment", "leave a comment", "leave a reply", "add a comment", "post a comment",
	"laisser un commentaire", "ajouter un commentaire", "réagir", "deja un comentario",
	"dejar un comentario", "escribe un comentario", "comentar",
	"\xe5\x8f\x91\xe8\xa1\xa8\xe8\xaf\x84\xe8\xae\xba", /* 发表评论 */
	"\xe6\x88\x91\xe8\xa6\x81\xe8\xaf\x84\xe8\xae\xba", /* 我要评论 */
	"print", "drucken", "imprimer", "imprimir", "share", "teilen", "partager", "compartir",
	"share this", "share this article", "diesen artikel teilen", "artikel teilen",
	"zum kommentarbereich", "zu den kommentaren", "to the comments", NULL};
/* Words after a number on a comment-count line ("71 Kommentare"). */
static const char *const comment_words[] = {
	"comment", "comments", "kommentar", "kommentare", "commentaire", "commentaires",
	"comentario", "comentarios", "reaktionen", "antworten", "replies", "responses",
	"\xe6\x9d\xa1\xe8\xaf\x84\xe8\xae\xba", /* 条评论 */
	"\xe8\xaf\x84\xe8\xae\xba",             /* 评论 */
	NULL};
/* Line starts that announce teasers of other pages. */
static const char *const teaser_starts[] = {
	"you might also like", "you may also like", "you might be interested in",
	"related articles", "related posts", "related stories", "related news", "more stories",
	"recommended for you", "read more on this", "more from", "also read", "read also",
	"sie könnten auch", "das könnte sie auch interessieren", "das könnte dich auch interessieren",
	"dies könnte sie auch interessieren", "mehr zum thema", "lesen sie auch", "auch interessant",
	"weitere artikel", "ähnliche artikel", "ähnliche beiträge", "verwandte artikel",
	"passend zum thema", "weitere beiträge", "empfehlungen",
	"vous aimerez aussi", "vous aimerez peut-être aussi", "à lire aussi", "a lire aussi",
	"lire aussi", "sur le même sujet", "articles similaires", "dans la même rubrique",
	"también te puede interesar", "te puede interesar", "lee también", "noticias relacionadas",
	"artículos relacionados", "quizás te interese", "te recomendamos",
	"\xe7\x9b\xb8\xe5\x85\xb3\xe9\x98\x85\xe8\xaf\xbb", /* 相关阅读 */
	"\xe7\x9b\xb8\xe5\x85\xb3\xe6\x96\xb0\xe9\x97\xbb", /* 相关新闻 */
	"\xe5\xbb\xb6\xe4\xbc\xb8\xe9\x98\x85\xe8\xaf\xbb", /* 延伸阅读 */
	"\xe7\x8c\x9c\xe4\xbd\xa0\xe5\x96\x9c\xe6\xac\xa2", /* 猜你喜欢 */
	"\xe6\x8e\xa8\xe8\x8d\x90\xe9\x98\x85\xe8\xaf\xbb", /* 推荐阅读 */
	"\xe7\x9b\xb8\xe5\x85\xb3\xe6\x96\x87\xe7\xab\xa0", /* 相关文章 */
	NULL};

/* A block with no block inside: one line of the article. */
static bool line_block(xmlNodePtr el)
{
	if (!has(el, T_PARA | T_LINE))
		return false;
	for (xmlNodePtr c = el->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && has(c, T_PARA | T_LINE) && !is_tag(c, "br"))
			return false;
	return true;
}

/* The line's text lower-cased (ASCII and the Latin-1 capitals used here),
 * blanks collapsed, closing punctuation gone. */
static void line_key(xmlNodePtr el, struct buf *t, struct buf *k)
{
	buf_clear(t);
	buf_clear(k);
	html_text(el, t);
	const char *s = buf_cstr(t);
	bool space = false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = k->len > 0;
			continue;
		}
		if (c == 0xC2 && (unsigned char)s[1] == 0xA0) { /* NBSP */
			s++;
			space = k->len > 0;
			continue;
		}
		if (space)
			buf_putc(k, ' ');
		space = false;
		if (c == 0xC3 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9E &&
		    (unsigned char)s[1] != 0x97) { /* À..Þ but × */
			buf_putc(k, (char)c);
			buf_putc(k, (char)(s[1] + 0x20));
			s++;
			continue;
		}
		buf_putc(k, (char)tolower(c));
	}
	/* closing punctuation and "…" */
	for (;;) {
		if (k->len && strchr(":.!?-|>»", k->ptr[k->len - 1])) {
			k->len--;
		} else if (k->len >= 3 && !memcmp(k->ptr + k->len - 3, "\xe2\x80\xa6", 3)) {
			k->len -= 3;
		} else if (k->len >= 3 && !memcmp(k->ptr + k->len - 3, "\xef\xbc\x9a", 3)) {
			k->len -= 3; /* full-width colon */
		} else if (k->len && k->ptr[k->len - 1] == ' ') {
			k->len--;
		} else {
			break;
		}
	}
	if (k->ptr)
		k->ptr[k->len] = '\0';
}

static bool comment_count(const char *k)
{
	const char *p = k;
	while (isdigit((unsigned char)*p))
		p++;
	if (p == k)
		return false;
	if (*p == ' ')
		p++;
	return in_list(p, comment_words);
}

/* 0: not a teaser line; TEASER_HEAD: the line announces teasers ("You
 * might also like:", no link in it); TEASER_ONE: it is one ("Lire aussi :
 * <a>…</a>"). */
enum { TEASER_NONE, TEASER_HEAD, TEASER_ONE };

static bool holds_link(xmlNodePtr el)
{
	xmlNodePtr n = el->children;
	while (n) {
		if (is_tag(n, "a"))
			return true;
		if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while (n && n != el && !n->next)
			n = n->parent;
		if (!n || n == el)
			break;
		n = n->next;
	}
	return false;
}

static int teaser_line(xmlNodePtr el, const char *k)
{
	for (const char *const *t = teaser_starts; *t; t++) {
		size_t n = strlen(*t);
		if (!strncmp(k, *t, n))
			return holds_link(el) ? TEASER_ONE : TEASER_HEAD;
	}
	/* "Sie könnten auch an … interessiert sein" */
	if (strstr(k, "interessiert sein") != NULL && strstr(k, "auch") != NULL)
		return TEASER_HEAD;
	return TEASER_NONE;
}

/* Removes n and everything after it in root, in document order. */
static void drop_rest(xmlNodePtr root, xmlNodePtr n)
{
	while (n && n != root) {
		xmlNodePtr parent = n->parent;
		for (xmlNodePtr s = n->next, nx; s; s = nx) {
			nx = s->next;
			drop(s);
		}
		n = parent;
	}
}

/* Bytes of text below el, stopping past limit. */
static size_t text_bytes(xmlNodePtr el, size_t limit)
{
	size_t n = 0;
	xmlNodePtr c = el->children;
	while (c && n <= limit) {
		if (is_text(c) && c->content)
			n += strlen((const char *)c->content);
		if (c->type == XML_ELEMENT_NODE && c->children) {
			c = c->children;
			continue;
		}
		while (c && c != el && !c->next)
			c = c->parent;
		if (!c || c == el)
			break;
		c = c->next;
	}
	return n;
}

void clean_boiler_lines(xmlNodePtr root)
{
	if (!root || root->type != XML_ELEMENT_NODE)
		return;
	/* Positions in text bytes: the share is what matters. */
	size_t total = text_bytes(root, SIZE_MAX), seen = 0;
	struct buf t = BUF_INIT, k = BUF_INIT;
	xmlNodePtr n = root->children;
	while (n) {
		xmlNodePtr after = NULL; /* set when n is to go */
		if (is_text(n)) {
			if (n->content)
				seen += strlen((const char *)n->content);
		} else if (n->type == XML_ELEMENT_NODE && line_block(n)) {
			/* a UTF-8 character is at most 4 bytes */
			size_t bytes = text_bytes(n, CLEAN_LINE_MAX * 4);
			if (bytes && bytes <= CLEAN_LINE_MAX * 4) {
				line_key(n, &t, &k);
				size_t len = visible_len(buf_cstr(&t));
				const char *key = buf_cstr(&k);
				int teaser = len && len <= CLEAN_LINE_MAX ? teaser_line(n, key) : TEASER_NONE;
				/* (A one-line teaser inside the text stays: readers
				 * and Readability keep "Lire aussi : <a>...</a>".) */
				if (len && len <= CLEAN_LINE_MAX &&
				    (in_list(key, furniture_lines) || comment_count(key))) {
					after = n;
				} else if (teaser == TEASER_HEAD && total &&
					   seen * 1000 >= total * CLEAN_TEASER_FROM) {
					drop_rest(root, n);
					drop(n);
					break;
				}
			}
			if (!after)
				seen += bytes;
		} else if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		/* next in document order, leaving n out */
		xmlNodePtr next = n;
		while (next && next != root && !next->next)
			next = next->parent;
		next = next && next != root ? next->next : NULL;
		if (after)
			drop(after);
		n = next;
	}
	buf_free(&t);
	buf_free(&k);
}
