/*
 * auto.c - the generic extractor: content scoring, sibling gathering and
 * pruning of page furniture.
 *
 * The method follows the one Arc90's Readability made standard, with text
 * measured so that CJK pages score like Latin ones:
 *
 *  1. One iterative walk over <body> tallies every element's text, link
 *     text and commas.  Runs of inline text (split at nested blocks and at
 *     <br><br>) are paragraphs; each paragraph of AUTO_PARA_MIN units or
 *     more scores 1 + commas + length/100 (capped), damped by its own link
 *     density, and hands that score to its ancestors (parent in full,
 *     grandparent half, then 1/(3*level)).  Hidden subtrees, navigation and
 *     elements whose class/id says "sidebar", "comment", "footer"... are not
 *     counted.
 *  2. Each scored element's final score adds a tag and class/id bonus and
 *     is scaled by (1 - link density).  The best one, moved up to a common
 *     ancestor when close runners-up share it, is the content; siblings
 *     that score well or are plain paragraphs join it.  When the page's
 *     headline is known and the best block is another story's (a feed of
 *     full texts below a short article), the block at the headline wins.
 *     When the content is one of several dated entries built alike (a
 *     blog's archive page, a forum thread), the first entry is taken.
 *  3. A post-order pass over the content drops furniture (forms, share
 *     bars, link lists, image-only galleries, empty blocks) by the same
 *     measures; the headline and date/byline lines at its top go too.  Decisions are made without touching the page,
 *     so a short result can be retried with the class filters off; only the
 *     chosen attempt is applied.
 *  4. What is left must read as an article: enough text, not mostly links,
 *     not a list of headline links.  Otherwise "no article".
 *
 * A "unit" of text is one Latin character (a white space run counts one);
 * a CJK character counts two: Chinese carries about two letters' worth of
 * information per character, so thresholds set for English hold for both.
 */
#include "extractor/auto.h"
#include "common/buf.h"
#include "common/mem.h"
#include "common/utf8.h"
#include "dom/html.h"
#include "extractor/clean.h"
#include "extractor/meta.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Weight of one CJK character in text units (see the file comment). */
#define AUTO_CJK_UNITS 2
/* A paragraph shorter than this is not scored (Readability's 25 chars). */
#define AUTO_PARA_MIN 25
/* Ancestors a paragraph's score reaches. */
#define AUTO_SCORE_LEVELS 5
/* A block needs this much text for its positive class/id bonus in full
 * (less text, a proportional share): one short paragraph. */
#define AUTO_CLASS_FULL_UNITS 100.0
/* Runners-up looked at when the best candidate may be one part of a
 * split article. */
#define AUTO_TOP_N 5
/* Candidates looked at for the block holding the headline. */
#define AUTO_POOL 12
/* A block holding the headline, or starting within AUTO_NEAR_UNITS below
 * it, is taken over a better-scoring one that is not the headline's
 * article when it has at least these shares of that one's score and text
 * (see near_headline). */
#define AUTO_NEAR_SCORE 0.4
#define AUTO_NEAR_SIZE 0.25
/* Byline, date, dek, share bar and a caption fit between a headline and
 * its text in this much. */
#define AUTO_NEAR_UNITS 400
/* A teaser's own header may sit this far into its block (a source label
 * and "8 hours ago" before the headline). */
#define AUTO_HEADER_SLACK 100
/* Header positions remembered per attempt. */
#define AUTO_MAX_MARKS 1024
/* Runners-up within this share of the best score that sit under one
 * ancestor make that ancestor the content... */
#define AUTO_ALT_RATIO 0.75
/* ...when at least this many of them do. */
#define AUTO_ALT_MIN 3
/* A page of posts is recognised this many levels above the best block
 * (post wrapper, its row, the post table's cell...). */
#define AUTO_POST_LEVELS 16
/* ...by at least this many entries built alike, each headed by a date. */
#define AUTO_POST_MIN 3
/* A result shorter than this is retried with the class/id filters off. */
#define AUTO_RETRY_UNITS 500
/* Less text than this is not an article: about 15 English words or 40
 * Chinese characters (the shortest news briefs are longer). */
#define AUTO_MIN_UNITS 80
/* Content whose text is more than this share link text is a link list. */
#define AUTO_MAX_LINK_DENSITY 0.5
/* This many headline links (<a> in h2-h4, or a block that is one link)
 * with little text each make the content a list of teasers. */
#define AUTO_LIST_ITEMS 5
#define AUTO_LIST_UNITS_PER_ITEM 250
/* Link text shorter than this is a "more" or "link" label, not a
 * headline. */
#define AUTO_HEADLINE_MIN 20
/* Share bars are removed only when this short (Readability's 500). */
#define AUTO_SHARE_MAX_UNITS 500
/* A paragraph of AUTO_PROSE_UNITS or more whose link text is under
 * AUTO_PROSE_LINK_SHARE of its text reads as prose.  Content refused as
 * links is retried without its link blocks when AUTO_PROSE_MIN such
 * paragraphs follow one another (a two-paragraph story next to a list of
 * teasers is still a story; a teaser list's blurbs each sit in their own
 * teaser). */
#define AUTO_PROSE_UNITS 80
#define AUTO_PROSE_LINK_SHARE 0.25
#define AUTO_PROSE_MIN 1
/* A sibling block of the content with this much prose (few links) is
 * another section of the same article. */
#define AUTO_SIB_PROSE_UNITS 200
/* A lead (standfirst) is a sentence or two: longer text just above the
 * content is something else. */
#define AUTO_LEAD_MAX_UNITS 400
/* Link text of in-page anchors ("#section") weighs this much. */
#define AUTO_HASH_LINK_WEIGHT 0.3
/* Cap of the removal list per attempt; a page needing more removals than
 * that is pruned only up to it (the rest stays, nothing breaks). */
#define AUTO_MAX_REMOVALS 65536
/* Siblings taken with the best block; a parent with more related
 * children is a page of fragments, and the first ones are kept. */
#define AUTO_MAX_PARTS 64
/* A data table shows th / caption / thead among its first elements. */
#define AUTO_TABLE_LOOK 64
/* The headline repeated in the content sits among its first elements. */
#define AUTO_TITLE_LOOK 40

/* ---- element classes ---- */

/* What newsmd knows about a tag, as bits. */
enum {
	TAG_BLOCK = 1 << 0,    /* starts a block: ends the paragraph around it */
	TAG_PARA = 1 << 1,     /* a paragraph whose score goes to its parent, like
				* Readability's <p>, <pre>, <td> and h2-h6 */
	TAG_UNSCORED = 1 << 2, /* text not scored: list items, captions, table
				* headers and the headline hold labels and
				* teasers as often as prose */
	TAG_SKIP = 1 << 3,     /* never content: neither scored nor kept */
	TAG_IMG = 1 << 4,
	TAG_EMBED = 1 << 5,    /* plugin or frame; a video is content */
	TAG_PLUS3 = 1 << 6,    /* Readability's starting scores by tag */
	TAG_MINUS3 = 1 << 7,
	TAG_MINUS5 = 1 << 8,
};

/* Sorted by name for bsearch. */
static const struct tag_info {
	const char *name;
	unsigned flags;
} tag_table[] = {
	{"address", TAG_BLOCK | TAG_UNSCORED | TAG_MINUS3},
	{"article", TAG_BLOCK},
	{"aside", TAG_BLOCK | TAG_SKIP},
	{"audio", TAG_SKIP},
	{"blockquote", TAG_BLOCK | TAG_PLUS3},
	{"body", TAG_BLOCK},
	{"button", TAG_SKIP},
	{"canvas", TAG_SKIP},
	{"caption", TAG_BLOCK | TAG_UNSCORED},
	{"center", TAG_BLOCK},
	{"dd", TAG_BLOCK | TAG_UNSCORED | TAG_MINUS3},
	{"details", TAG_BLOCK},
	{"dialog", TAG_BLOCK | TAG_SKIP},
	{"dir", TAG_BLOCK},
	{"div", TAG_BLOCK},
	{"dl", TAG_BLOCK | TAG_MINUS3},
	{"dt", TAG_BLOCK | TAG_UNSCORED | TAG_MINUS3},
	{"embed", TAG_SKIP | TAG_EMBED},
	{"fieldset", TAG_BLOCK},
	{"figcaption", TAG_BLOCK | TAG_UNSCORED},
	{"figure", TAG_BLOCK},
	{"footer", TAG_BLOCK | TAG_SKIP},
	{"form", TAG_BLOCK | TAG_MINUS3},
	{"frame", TAG_SKIP},
	{"frameset", TAG_SKIP},
	{"h1", TAG_BLOCK | TAG_UNSCORED | TAG_MINUS5},
	{"h2", TAG_BLOCK | TAG_PARA | TAG_MINUS5},
	{"h3", TAG_BLOCK | TAG_PARA | TAG_MINUS5},
	{"h4", TAG_BLOCK | TAG_PARA | TAG_MINUS5},
	{"h5", TAG_BLOCK | TAG_PARA | TAG_MINUS5},
	{"h6", TAG_BLOCK | TAG_PARA | TAG_MINUS5},
	{"head", TAG_SKIP},
	{"header", TAG_BLOCK},
	{"hgroup", TAG_BLOCK},
	{"hr", TAG_BLOCK},
	{"iframe", TAG_SKIP | TAG_EMBED},
	{"img", TAG_IMG},
	{"input", TAG_SKIP},
	{"li", TAG_BLOCK | TAG_UNSCORED | TAG_MINUS3},
	{"link", TAG_SKIP},
	{"main", TAG_BLOCK},
	{"map", TAG_SKIP},
	{"menu", TAG_BLOCK},
	{"meta", TAG_SKIP},
	{"nav", TAG_BLOCK | TAG_SKIP},
	{"noscript", TAG_BLOCK | TAG_SKIP},
	{"object", TAG_SKIP | TAG_EMBED},
	{"ol", TAG_BLOCK | TAG_MINUS3},
	{"option", TAG_SKIP},
	{"p", TAG_BLOCK | TAG_PARA},
	{"picture", TAG_IMG},
	{"pre", TAG_BLOCK | TAG_PARA | TAG_PLUS3},
	{"script", TAG_SKIP},
	{"section", TAG_BLOCK},
	{"select", TAG_SKIP},
	{"style", TAG_SKIP},
	{"summary", TAG_BLOCK | TAG_UNSCORED},
	{"svg", TAG_SKIP},
	{"table", TAG_BLOCK},
	{"tbody", TAG_BLOCK},
	{"td", TAG_BLOCK | TAG_PARA | TAG_PLUS3},
	{"template", TAG_SKIP},
	{"textarea", TAG_SKIP},
	{"tfoot", TAG_BLOCK},
	{"th", TAG_BLOCK | TAG_UNSCORED | TAG_MINUS5},
	{"thead", TAG_BLOCK},
	{"title", TAG_SKIP},
	{"tr", TAG_BLOCK},
	{"ul", TAG_BLOCK | TAG_MINUS3},
	{"video", TAG_EMBED},
};

static unsigned tag_flags(const xmlChar *name)
{
	const struct tag_info *t = bsearch(name, tag_table, sizeof tag_table / sizeof tag_table[0],
					   sizeof tag_table[0], html_tag_cmp);
	return t ? t->flags : 0;
}

static bool name_in(const xmlChar *name, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp((const char *)name, *list))
			return true;
	return false;
}

/* Readability's hint words, matched inside class and id values. */
static const char *const unlikely_words[] = {
	"-ad-", "ai2html", "banner", "breadcrumbs", "combx", "comment", "community", "cover-wrap",
	"disqus", "extra", "footer", "gdpr", "header", "legends", "menu", "related", "remark",
	"replies", "rss", "shoutbox", "sidebar", "skyscraper", "social", "sponsor",
	"supplemental", "ad-break", "agegate", "pagination", "pager", "popup", "yom-remote",
	"copyright", "recommend", "modal", "dialog", "login", "cookie", "consent", "buybox",
	"buy-box", "add-to-cart", "basket", "checkout", "newsletter", NULL};
/* ...and words that rule a block out in every attempt: dialogs, consent
 * banners, shop and subscription boxes are never the article, however much
 * text they hold (class 5 of issue 13: the retry without class filters
 * used to pick a login dialog over a short story). */
static const char *const never_words[] = {"login", "cookie", "consent", "buybox",
					  "buy-box", "add-to-cart", "basket", "checkout",
					  "newsletter", NULL};

/* A class or id token (white-space separated) of s that starts with one of
 * words: "login-box" yes, "non-login" no; the token is the word or the word
 * then '-' or '_' and anything but "open" (a page state, "login-open"). */
static bool token_starts_any(const char *s, const char *const *words)
{
	while (*s) {
		while (*s == ' ')
			s++;
		size_t n = strcspn(s, " ");
		for (const char *const *w = words; *w; w++) {
			size_t k = strlen(*w);
			if (n >= k && !strncmp(s, *w, k) &&
			    (n == k || ((s[k] == '-' || s[k] == '_') && strncmp(s + k + 1, "open", 4))))
				return true;
		}
		s += n;
	}
	return false;
}
static const char *const maybe_words[] = {"and", "article", "body", "column", "content",
					  "main", "mathjax", "shadow", NULL};
static const char *const positive_words[] = {"article", "body", "content", "entry", "hentry",
					     "h-entry", "main", "page", "pagination", "post",
					     "text", "blog", "story", "detail", NULL};
static const char *const negative_words[] = {
	"-ad-", "hidden", "banner", "combx", "comment", "com-", "contact", "footer", "gdpr",
	"masthead", "media", "meta", "outbrain", "promo", "related", "scroll", "share",
	"shoutbox", "sidebar", "skyscraper", "sponsor", "shopping", "tags", "widget",
	"copyright", "recommend", NULL};
/* Class/id words of blocks after an article that are not more of it:
 * the author's bio, captions, credits, teasers.  (Before it, "teaser" is
 * the lead: TYPO3's news teaser.) */
static const char *const aside_words[] = {"author", "autor", "bio", "byline", "credit",
					  "caption", "related", "teaser", "recommend",
					  "newsletter", "promo", "footer", "comment", "profile",
					  NULL};
static const char *const nav_roles[] = {"menu", "menubar", "complementary", "navigation",
					"alert", "alertdialog", "dialog", NULL};

static bool is_tag(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* The element's "class id" string, lower-cased, in out; false when the
 * element has neither. */
static bool hint_string(xmlNodePtr n, struct buf *out)
{
	const char *c = html_attr(n, "class"), *i = html_attr(n, "id");
	if ((!c || !*c) && (!i || !*i))
		return false;
	buf_clear(out);
	if (c)
		buf_puts(out, c);
	buf_putc(out, ' ');
	if (i)
		buf_puts(out, i);
	for (size_t k = 0; k < out->len; k++)
		out->ptr[k] = (char)tolower((unsigned char)out->ptr[k]);
	return true;
}

static bool has_any(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strstr(s, *words))
			return true;
	return false;
}

/* "hid" as a whole class word (Readability's ^hid$ | hid etc.). */
static bool has_hid_word(const char *s)
{
	for (const char *p = strstr(s, "hid"); p; p = strstr(p + 1, "hid"))
		if ((p == s || p[-1] == ' ') && (p[3] == ' ' || !p[3]))
			return true;
	return false;
}

/* +25 for a positive class and id each, -25 for a negative one. */
static int class_weight(xmlNodePtr n, struct buf *tmp)
{
	int w = 0;
	const char *vals[2] = {html_attr(n, "class"), html_attr(n, "id")};
	for (int k = 0; k < 2; k++) {
		if (!vals[k] || !*vals[k])
			continue;
		buf_clear(tmp);
		buf_puts(tmp, vals[k]);
		for (size_t i = 0; i < tmp->len; i++)
			tmp->ptr[i] = (char)tolower((unsigned char)tmp->ptr[i]);
		const char *s = buf_cstr(tmp);
		if (has_any(s, negative_words) || has_hid_word(s))
			w -= 25;
		if (has_any(s, positive_words))
			w += 25;
	}
	return w;
}

/* The attributes the walks look at, read in one pass (gumbo gives
 * lower-case attribute names). */
struct ehints {
	const char *cls, *id, *style, *role, *aria_hidden;
	bool hidden;
};

static void read_hints(xmlNodePtr n, struct ehints *h)
{
	memset(h, 0, sizeof *h);
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		const char *nm = (const char *)a->name;
		const char *v = a->children && a->children->content
					? (const char *)a->children->content
					: "";
		switch (nm[0]) {
		case 'c':
			if (!strcmp(nm, "class"))
				h->cls = v;
			break;
		case 'i':
			if (!strcmp(nm, "id"))
				h->id = v;
			break;
		case 's':
			if (!strcmp(nm, "style"))
				h->style = v;
			break;
		case 'r':
			if (!strcmp(nm, "role"))
				h->role = v;
			break;
		case 'h':
			if (!strcmp(nm, "hidden"))
				h->hidden = true;
			break;
		case 'a':
			if (!strcmp(nm, "aria-hidden"))
				h->aria_hidden = v;
			break;
		default:
			break;
		}
	}
}

static bool is_hidden(const struct ehints *h, bool visibility)
{
	if (h->hidden)
		return true;
	if (h->aria_hidden && !strcmp(h->aria_hidden, "true"))
		return !(h->cls && strstr(h->cls, "fallback-image"));
	if (h->style) {
		char compact[256];
		size_t k = 0;
		for (const char *p = h->style; *p && k + 1 < sizeof compact; p++)
			if (!isspace((unsigned char)*p))
				compact[k++] = (char)tolower((unsigned char)*p);
		compact[k] = '\0';
		if (strstr(compact, "display:none") ||
		    (visibility && strstr(compact, "visibility:hidden")))
			return true;
	}
	return false;
}

struct opts {
	bool strip_unlikely, weigh_classes, prune;
	/* visibility:hidden counts as hidden; off in the last attempt, for
	 * pages that reveal their text by script (WeChat does). */
	bool visibility;
	/* The fallback for content refused as links although it holds
	 * readable paragraphs: blocks that are mostly links go, the prose
	 * stays. */
	bool drop_links;
};

/* Subtrees the scoring walk does not enter. */
static bool skipped(xmlNodePtr n, const struct opts *o, struct buf *tmp)
{
	if (tag_flags(n->name) & TAG_SKIP)
		return true;
	if (!n->properties)
		return false;
	struct ehints h;
	read_hints(n, &h);
	if (is_hidden(&h, o->visibility))
		return true;
	if (h.role && name_in(BAD_CAST h.role, nav_roles))
		return true;
	if ((h.cls || h.id) && !is_tag(n, "body") && !is_tag(n, "html")) {
		buf_clear(tmp);
		if (h.cls)
			buf_puts(tmp, h.cls);
		buf_putc(tmp, ' ');
		if (h.id)
			buf_puts(tmp, h.id);
		for (size_t k = 0; k < tmp->len; k++)
			tmp->ptr[k] = (char)tolower((unsigned char)tmp->ptr[k]);
		if (token_starts_any(buf_cstr(tmp), never_words) &&
		    !has_any(buf_cstr(tmp), maybe_words))
			return true;
	}
	/* A heading is the article's own even when its id or class reads like
	 * furniture (id="nav_3" on a section heading). */
	if (o->strip_unlikely && (h.cls || h.id) && !is_tag(n, "body") && !is_tag(n, "a") &&
	    !is_tag(n, "html") && !(n->name[0] == 'h' && n->name[1] >= '1' && n->name[1] <= '6' &&
				    !n->name[2])) {
		buf_clear(tmp);
		if (h.cls)
			buf_puts(tmp, h.cls);
		buf_putc(tmp, ' ');
		if (h.id)
			buf_puts(tmp, h.id);
		for (size_t k = 0; k < tmp->len; k++)
			tmp->ptr[k] = (char)tolower((unsigned char)tmp->ptr[k]);
		const char *s = buf_cstr(tmp);
		if (has_any(s, unlikely_words) && !has_any(s, maybe_words))
			return true;
	}
	return false;
}

/* ---- text measure ---- */

struct tally {
	double units; /* text units */
	double link;  /* of which inside <a> (in-page anchors weighed down) */
	unsigned commas;
};

static bool is_comma(uint32_t c)
{
	return c == ',' || c == 0xff0c || c == 0x3001 || c == 0x060c || c == 0xfe50 ||
	       c == 0xfe10 || c == 0xfe11 || c == 0x2e41 || c == 0x2e34 || c == 0x2e32;
}

static void tally_text(const char *s, double link_weight, struct tally *t)
{
	size_t n = strlen(s), i = 0;
	bool space = true; /* leading white space does not count */
	double u = 0;
	while (i < n) {
		uint32_t c;
		size_t l = (unsigned char)s[i] < 0x80 ? 1 : utf8_decode(s + i, n - i, &c);
		if (l == 1)
			c = (unsigned char)s[i];
		i += l;
		if (utf8_is_space(c)) {
			if (!space)
				u += 1;
			space = true;
			continue;
		}
		space = false;
		if (is_comma(c))
			t->commas++;
		u += c >= 0x2e80 && utf8_is_cjk(c) ? AUTO_CJK_UNITS : 1;
	}
	t->units += u;
	t->link += u * link_weight;
}

static void tally_add(struct tally *a, const struct tally *b)
{
	a->units += b->units;
	a->link += b->link;
	a->commas += b->commas;
}

static double link_density(const struct tally *t)
{
	return t->units > 0 ? t->link / t->units : 0;
}

/* An <a> without href is a named anchor, not a link (and unclosed ones
 * swallow whole pages through the parser's formatting-element rules). */
static double link_weight_of(xmlNodePtr a)
{
	const char *href = html_attr(a, "href");
	if (!href)
		return 0;
	return href[0] == '#' ? AUTO_HASH_LINK_WEIGHT : 1.0;
}

/* ---- scoring walk ---- */

/* h1 to h6. */
static bool is_heading(xmlNodePtr n)
{
	return n->name[0] == 'h' && n->name[1] >= '1' && n->name[1] <= '6' && !n->name[2];
}

/* True when a is a proper ancestor of n. */
static bool is_ancestor(xmlNodePtr a, xmlNodePtr n)
{
	for (n = n ? n->parent : NULL; n; n = n->parent)
		if (n == a)
			return true;
	return false;
}

struct cand {
	xmlNodePtr n;
	double score; /* final: (paragraph scores + bonus) * (1 - link density) */
	struct tally t;
	double start; /* text units before it in the page (counted text only) */
};

struct frame {
	xmlNodePtr n;
	struct tally sub; /* the whole subtree */
	struct tally run; /* inline text since the last paragraph break */
	double score;
	double link_weight; /* > 0 inside <a> */
	double start;       /* text units before the element */
	int owner;          /* frame index owning this frame's inline text */
	bool block, broke, scored;
};

struct scoring {
	struct cand *c;
	size_t n, cap;
	/* The headline, and the text units before and after it. */
	xmlNodePtr anchor;
	double anchor_start, anchor_end;
	bool anchor_seen;
	double pos; /* units counted so far, in document order */
	/* Where article headers start: h1-h4 and <time> (text positions). */
	double marks[AUTO_MAX_MARKS];
	size_t nmarks;
	/* node -> candidate index + 1, open addressing */
	struct {
		xmlNodePtr n;
		size_t i;
	} *map;
	size_t mapcap;
};

static size_t ptr_hash(xmlNodePtr n, size_t cap)
{
	uintptr_t x = (uintptr_t)n;
	x ^= x >> 17;
	x *= (uintptr_t)0x9e3779b97f4a7c15ull;
	return (size_t)(x >> 7) & (cap - 1);
}

static void map_build(struct scoring *s)
{
	s->mapcap = 16;
	while (s->mapcap < s->n * 2 + 1)
		s->mapcap *= 2;
	s->map = xcalloc(s->mapcap, sizeof *s->map);
	for (size_t i = 0; i < s->n; i++) {
		size_t h = ptr_hash(s->c[i].n, s->mapcap);
		while (s->map[h].n)
			h = (h + 1) & (s->mapcap - 1);
		s->map[h].n = s->c[i].n;
		s->map[h].i = i + 1;
	}
}

static const struct cand *cand_of(const struct scoring *s, xmlNodePtr n)
{
	if (!s->map)
		return NULL;
	for (size_t h = ptr_hash(n, s->mapcap); s->map[h].n; h = (h + 1) & (s->mapcap - 1))
		if (s->map[h].n == n)
			return &s->c[s->map[h].i - 1];
	return NULL;
}

static void scoring_free(struct scoring *s)
{
	free(s->c);
	free(s->map);
	memset(s, 0, sizeof *s);
}

static int tag_bonus(xmlNodePtr n)
{
	if (is_tag(n, "div"))
		return 5;
	unsigned f = tag_flags(n->name);
	return f & TAG_PLUS3 ? 3 : f & TAG_MINUS3 ? -3 : f & TAG_MINUS5 ? -5 : 0;
}

/* True when el is a <div> whose only content is the element child. */
static bool only_child_wrapper(xmlNodePtr el, xmlNodePtr child)
{
	if (!is_tag(el, "div"))
		return false;
	for (xmlNodePtr c = el->children; c; c = c->next) {
		if (c == child || c->type == XML_COMMENT_NODE)
			continue;
		if (c->type != XML_TEXT_NODE)
			return false;
		for (const char *t = (const char *)c->content; t && *t; t++)
			if (!isspace((unsigned char)*t))
				return false;
	}
	return true;
}

/* Scores the run of inline text owned by frame b as one paragraph.
 * whole: the element ends (else a nested block or <br><br> broke it). */
static void flush_run(struct frame *st, int b, bool whole)
{
	struct frame *f = &st[b];
	struct tally r = f->run;
	memset(&f->run, 0, sizeof f->run);
	if (r.units < AUTO_PARA_MIN || (tag_flags(f->n->name) & TAG_UNSCORED))
		return;
	double sc = 1 + r.commas + fmin(floor(r.units / 100), 3);
	sc *= 1 - fmin(link_density(&r), 1);
	/* A paragraph element (or a block holding only inline text) passes
	 * its score up; text between nested blocks belongs to the block. */
	bool para = whole && ((tag_flags(f->n->name) & TAG_PARA) || !f->broke);
	int target = para ? b - 1 : b;
	/* A <div> around a single <p> is the paragraph's wrapper, not its
	 * container (Readability replaces it by the <p>). */
	if (para && target > 0 && only_child_wrapper(st[target].n, f->n) && link_density(&r) < 0.25)
		target--;
	for (int lv = 0; lv < AUTO_SCORE_LEVELS && target - lv >= 0; lv++) {
		double div = lv == 0 ? 1 : lv == 1 ? 2 : lv * 3;
		st[target - lv].score += sc / div;
		st[target - lv].scored = true;
	}
}

/* <br> following another <br> (white space between allowed). */
static bool double_br(xmlNodePtr br)
{
	for (xmlNodePtr p = br->prev; p; p = p->prev) {
		if (p->type == XML_TEXT_NODE) {
			const char *t = (const char *)p->content;
			while (t && *t && isspace((unsigned char)*t))
				t++;
			if (t && *t)
				return false;
			continue;
		}
		if (p->type != XML_ELEMENT_NODE)
			continue;
		return is_tag(p, "br");
	}
	return false;
}

static void push_cand(struct scoring *s, const struct frame *f, bool weigh, struct buf *tmp)
{
	double cw = weigh ? class_weight(f->n, tmp) : 0;
	/* A positive class name vouches for text, not for an empty box: a
	 * video slot called "storytop" must not outrank the story. */
	if (cw > 0 && f->sub.units < AUTO_CLASS_FULL_UNITS)
		cw *= f->sub.units / AUTO_CLASS_FULL_UNITS;
	double base = tag_bonus(f->n) + cw;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->c = xrealloc(s->c, s->cap * sizeof *s->c);
	}
	s->c[s->n++] = (struct cand){f->n, (f->score + base) * (1 - fmin(link_density(&f->sub), 1)),
				     f->sub, f->start};
}

static void score_walk(xmlNodePtr root, const struct opts *o, struct scoring *s)
{
	struct frame *st = xmalloc((HTML_MAX_DEPTH + 2) * sizeof *st);
	struct buf tmp = BUF_INIT;
	int sp = 0;
	st[sp++] = (struct frame){.n = root, .owner = 0, .block = true};
	xmlNodePtr cur = root->children;
	while (sp > 0) {
		if (!cur) {
			/* Close the top frame. */
			struct frame *f = &st[sp - 1];
			if (f->block)
				flush_run(st, sp - 1, true);
			if (f->scored)
				push_cand(s, f, o->weigh_classes, &tmp);
			if (f->n == s->anchor)
				s->anchor_end = s->pos;
			if (sp > 1)
				tally_add(&st[sp - 2].sub, &f->sub);
			cur = f->n->next;
			sp--;
			if (sp == 0)
				break;
			continue;
		}
		struct frame *top = &st[sp - 1];
		if (cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) {
			struct tally t = {0, 0, 0};
			if (cur->content)
				tally_text((const char *)cur->content, top->link_weight, &t);
			tally_add(&top->sub, &t);
			tally_add(&st[top->owner].run, &t);
			s->pos += t.units;
			cur = cur->next;
			continue;
		}
		if (cur->type != XML_ELEMENT_NODE) {
			cur = cur->next;
			continue;
		}
		if (is_tag(cur, "br")) {
			if (double_br(cur)) {
				st[top->owner].broke = true;
				flush_run(st, top->owner, false);
			}
			cur = cur->next;
			continue;
		}
		bool skip = skipped(cur, o, &tmp) || sp >= HTML_MAX_DEPTH;
		if (s->anchor && !s->anchor_seen &&
		    (cur == s->anchor || (skip && is_ancestor(cur, s->anchor)))) {
			s->anchor_seen = true;
			s->anchor_start = s->anchor_end = s->pos;
		}
		if (!skip && s->nmarks < AUTO_MAX_MARKS &&
		    (is_tag(cur, "time") || (is_heading(cur) && cur->name[1] <= '4')))
			s->marks[s->nmarks++] = s->pos;
		if (skip) {
			cur = cur->next;
			continue;
		}
		bool block = tag_flags(cur->name) & TAG_BLOCK;
		if (block) {
			/* A nested block ends the owner's current paragraph. */
			st[top->owner].broke = true;
			flush_run(st, top->owner, false);
		}
		struct frame *f = &st[sp];
		*f = (struct frame){.n = cur, .block = block, .owner = block ? sp : top->owner,
				    .start = s->pos};
		f->link_weight = is_tag(cur, "a") ? link_weight_of(cur) : top->link_weight;
		sp++;
		cur = cur->children;
	}
	buf_free(&tmp);
	free(st);
}

/* ---- measuring and pruning the content ---- */

static const char *const video_hosts[] = {"youtube", "youtu.be", "vimeo", "dailymotion",
					  "player.bilibili", "v.qq.com", "twitch.tv",
					  "archive.org", "upload.wikimedia.org", NULL};

struct pstat {
	struct tally t;
	double heading; /* units inside h1-h6 */
	double list;    /* units inside ul/ol */
	unsigned p, img, li, input, embed, headlinks, blocklinks;
	unsigned prose; /* readable paragraphs right after another one */
	bool video;
};

struct pframe {
	xmlNodePtr n;
	struct pstat s;
	double link_weight;
	bool block_child; /* holds a block (Readability's test for div-to-p) */
	bool in_figure;
};

struct plan {
	xmlNodePtr top;
	xmlNodePtr parts[AUTO_MAX_PARTS]; /* content roots in page order (top + siblings) */
	size_t nparts;
	xmlNodePtr *remove; /* post-order: children before parents */
	size_t nremove, capremove;
	struct pstat total;
	bool found;
	bool anchored; /* chosen by the headline rule (near_headline) */
};

static void plan_free(struct plan *p)
{
	free(p->remove);
	memset(p, 0, sizeof *p);
}

static void plan_remove(struct plan *p, xmlNodePtr n)
{
	if (p->nremove >= AUTO_MAX_REMOVALS)
		return;
	if (p->nremove == p->capremove) {
		p->capremove = p->capremove ? p->capremove * 2 : 64;
		p->remove = xrealloc(p->remove, p->capremove * sizeof *p->remove);
	}
	p->remove[p->nremove++] = n;
}

static void pstat_add(struct pstat *a, const struct pstat *b)
{
	tally_add(&a->t, &b->t);
	a->heading += b->heading;
	a->list += b->list;
	a->p += b->p;
	a->img += b->img;
	a->li += b->li;
	a->input += b->input;
	a->embed += b->embed;
	a->headlinks += b->headlinks;
	a->blocklinks += b->blocklinks;
	a->prose += b->prose;
	a->video |= b->video;
}

static bool word_share(const char *s)
{
	/* (\b|_)(share|sharedaddy)(\b|_) */
	for (const char *p = strstr(s, "share"); p; p = strstr(p + 1, "share")) {
		bool left = p == s || !isalnum((unsigned char)p[-1]);
		const char *e = p + 5;
		if (!strncmp(e, "daddy", 5))
			e += 5;
		bool right = !*e || !isalnum((unsigned char)*e);
		if (left && right)
			return true;
	}
	return false;
}

static bool embed_is_video(xmlNodePtr n)
{
	for (xmlAttrPtr a = n->properties; a; a = a->next)
		if (a->children && a->children->content &&
		    has_any((const char *)a->children->content, video_hosts))
			return true;
	return false;
}

/* Readability's _cleanConditionally verdict for a finished element. */
static bool furniture(xmlNodePtr n, const struct pframe *f, const struct opts *o,
		      struct buf *tmp)
{
	const struct pstat *s = &f->s;
	int weight = o->weigh_classes ? class_weight(n, tmp) : 0;
	if (weight < 0)
		return true;
	if (s->t.commas >= 10)
		return false;
	if (s->video)
		return false;
	bool list = is_tag(n, "ul") || is_tag(n, "ol") ||
		    (s->t.units > 0 && s->list / s->t.units > 0.9);
	double len = s->t.units, ld = link_density(&s->t);
	double hd = len > 0 ? s->heading / len : 0;
	int li = (int)s->li - 100;
	if (s->img > 1 && (double)s->p / s->img < 0.5 && !f->in_figure)
		return true;
	if (!list && li > (int)s->p)
		return true;
	if (s->input > s->p / 3)
		return true;
	if (!list && hd < 0.9 && len < 25 && (s->img == 0 || s->img > 2) && !f->in_figure &&
	    ld > 0)
		return true;
	if (!list && weight < 25 && ld > 0.2)
		return true;
	if (weight >= 25 && ld > 0.5)
		return true;
	if ((s->embed == 1 && len < 75) || s->embed > 1)
		return true;
	return false;
}

/* A table with header cells, a caption or a summary holds data. */
static bool data_table(xmlNodePtr t)
{
	const char *role = html_attr(t, "role");
	if (role && !strcmp(role, "presentation"))
		return false;
	if (html_attr(t, "summary") && *html_attr(t, "summary"))
		return true;
	unsigned seen = 0;
	for (xmlNodePtr n = t->children; n && seen < AUTO_TABLE_LOOK;) {
		if (n->type == XML_ELEMENT_NODE) {
			seen++;
			if (is_tag(n, "caption") || is_tag(n, "thead") || is_tag(n, "th") ||
			    is_tag(n, "tfoot") || is_tag(n, "colgroup"))
				return true;
			if (is_tag(n, "table"))
				return false;
			if (n->children) {
				n = n->children;
				continue;
			}
		}
		while (n && n != t && !n->next)
			n = n->parent;
		if (!n || n == t)
			break;
		n = n->next;
	}
	return false;
}

/* Walks the subtree at root, deciding what goes; adds the survivors'
 * tallies to p->total.  Returns false when root itself goes. */
static bool prune_part(xmlNodePtr root, const struct opts *o, struct plan *p)
{
	struct pframe *st = xmalloc((HTML_MAX_DEPTH + 2) * sizeof *st);
	struct buf tmp = BUF_INIT;
	bool kept = true;
	int sp = 0;
	bool fig = false;
	xmlNodePtr last_prose = NULL; /* the last readable paragraph closed */
	for (xmlNodePtr a = root->parent; a && a->type == XML_ELEMENT_NODE; a = a->parent)
		fig |= is_tag(a, "figure");
	st[sp++] = (struct pframe){.n = root, .in_figure = fig || is_tag(root, "figure")};
	xmlNodePtr cur = root->children;
	while (sp > 0) {
		if (!cur) {
			struct pframe *f = &st[sp - 1];
			xmlNodePtr n = f->n;
			bool go = false;
			/* A <div> of inline content counts as a <p>, as
			 * Readability turns it into one. */
			bool para = is_tag(n, "p") || (is_tag(n, "div") && !f->block_child);
			if (para)
				f->s.p++;
			if (para && f->s.t.units >= AUTO_PROSE_UNITS &&
			    f->s.t.link < AUTO_PROSE_LINK_SHARE * f->s.t.units) {
				xmlNodePtr prev = n->prev;
				while (prev && prev->type != XML_ELEMENT_NODE)
					prev = prev->prev;
				if (prev && prev == last_prose)
					f->s.prose++;
				last_prose = n;
			}
			/* In the links fallback, a block that is mostly links
			 * goes (lists, menus, teaser lines, link tables). */
			if (o->drop_links && sp > 1 && f->s.t.units > 0 &&
			    f->s.t.link > AUTO_MAX_LINK_DENSITY * f->s.t.units &&
			    (para || is_heading(n) || is_tag(n, "li") || is_tag(n, "ul") ||
			     is_tag(n, "ol") || is_tag(n, "table") || is_tag(n, "div") ||
			     is_tag(n, "section") || is_tag(n, "nav") || is_tag(n, "aside")))
				go = true;
			if (is_heading(n)) {
				f->s.heading = f->s.t.units;
				if ((n->name[1] == '1' || n->name[1] == '2') && o->weigh_classes &&
				    class_weight(n, &tmp) < 0)
					go = true;
				if (f->s.t.link > 0.9 * f->s.t.units &&
				    f->s.t.units >= AUTO_HEADLINE_MIN && n->name[1] >= '2' &&
				    n->name[1] <= '4')
					f->s.headlinks++;
			}
			if (is_tag(n, "ul") || is_tag(n, "ol"))
				f->s.list = f->s.t.units;
			if ((para || is_tag(n, "li")) && f->s.t.units >= AUTO_HEADLINE_MIN &&
			    f->s.t.link > 0.9 * f->s.t.units)
				f->s.blocklinks++;
			if (!go && o->prune && hint_string(n, &tmp) && word_share(buf_cstr(&tmp)) &&
			    f->s.t.units < AUTO_SHARE_MAX_UNITS)
				go = true;
			if (!go && o->prune &&
			    (is_tag(n, "form") || is_tag(n, "fieldset") || is_tag(n, "ul") ||
			     (is_tag(n, "table") && !data_table(n)) || (is_tag(n, "div") && !para)))
				go = furniture(n, f, o, &tmp);
			/* Blocks with nothing to show. */
			if (!go && f->s.t.units == 0 && f->s.img == 0 && f->s.embed == 0 &&
			    (is_tag(n, "div") || is_tag(n, "section") || is_tag(n, "header") ||
			     is_tag(n, "p") || is_heading(n)))
				go = true;
			if (go) {
				plan_remove(p, n);
				if (sp == 1)
					kept = false;
			} else if (sp > 1) {
				pstat_add(&st[sp - 2].s, &f->s);
			} else {
				pstat_add(&p->total, &f->s);
			}
			cur = n->next;
			sp--;
			if (sp == 0)
				break;
			continue;
		}
		struct pframe *top = &st[sp - 1];
		if (cur->type == XML_TEXT_NODE || cur->type == XML_CDATA_SECTION_NODE) {
			if (cur->content)
				tally_text((const char *)cur->content, top->link_weight, &top->s.t);
			cur = cur->next;
			continue;
		}
		if (cur->type != XML_ELEMENT_NODE) {
			cur = cur->next;
			continue;
		}
		unsigned tf = tag_flags(cur->name);
		if (tf & TAG_IMG) {
			top->s.img++;
			top->block_child = true; /* Readability counts IMG as a block */
		} else if (tf & TAG_EMBED) {
			if (embed_is_video(cur) || is_tag(cur, "video"))
				top->s.video = true;
			else
				top->s.embed++;
		} else if (is_tag(cur, "input")) {
			top->s.input++;
		} else if (is_tag(cur, "li")) {
			top->s.li++;
		}
		if (skipped(cur, o, &tmp) || sp >= HTML_MAX_DEPTH) {
			if (!is_tag(cur, "br") && !is_tag(cur, "img"))
				plan_remove(p, cur);
			cur = cur->next;
			continue;
		}
		if (tf & (TAG_BLOCK | TAG_IMG))
			top->block_child = true;
		st[sp] = (struct pframe){.n = cur,
					 .in_figure = top->in_figure || is_tag(cur, "figure"),
					 .link_weight = is_tag(cur, "a") ? link_weight_of(cur)
									 : top->link_weight};
		sp++;
		cur = cur->children;
	}
	buf_free(&tmp);
	free(st);
	return kept;
}

/* ---- choosing the content ---- */

static void tally_subtree(xmlNodePtr root, const struct opts *o, struct tally *t)
{
	struct buf tmp = BUF_INIT;
	double lw[HTML_MAX_DEPTH + 2];
	int d = 0;
	lw[0] = is_tag(root, "a") ? link_weight_of(root) : 0;
	xmlNodePtr n = root->children;
	while (n) {
		bool down = false;
		if (n->type == XML_TEXT_NODE && n->content) {
			tally_text((const char *)n->content, lw[d], t);
		} else if (n->type == XML_ELEMENT_NODE && n->children && d < HTML_MAX_DEPTH &&
			   !skipped(n, o, &tmp)) {
			lw[d + 1] = is_tag(n, "a") ? link_weight_of(n) : lw[d];
			down = true;
		}
		if (down) {
			d++;
			n = n->children;
			continue;
		}
		while (n && n != root && !n->next) {
			n = n->parent;
			d--;
		}
		if (!n || n == root)
			break;
		n = n->next;
	}
	buf_free(&tmp);
}

static bool ends_sentence(xmlNodePtr n)
{
	struct buf t = BUF_INIT;
	html_text(n, &t);
	const char *s = buf_cstr(&t);
	bool yes = false;
	for (const char *p = strchr(s, '.'); p && !yes; p = strchr(p + 1, '.'))
		yes = !p[1] || p[1] == ' ';
	if (!yes)
		yes = strstr(s, "\xe3\x80\x82") != NULL; /* 。 */
	buf_free(&t);
	return yes;
}

static xmlNodePtr next_element(xmlNodePtr n)
{
	for (n = n->next; n && n->type != XML_ELEMENT_NODE; n = n->next)
		;
	return n;
}

static int cand_cmp(const void *a, const void *b)
{
	double x = ((const struct cand *)a)->score, y = ((const struct cand *)b)->score;
	return x < y ? 1 : x > y ? -1 : 0;
}


static bool holds_headline(const struct scoring *s, xmlNodePtr n)
{
	return s->anchor_seen && (n == s->anchor || is_ancestor(n, s->anchor));
}

/* True when an article header (a heading or <time>) starts between text
 * positions from and to. */
static bool header_between(const struct scoring *s, double from, double to)
{
	for (size_t i = 0; i < s->nmarks; i++)
		if (s->marks[i] >= from && s->marks[i] <= to)
			return true;
	return false;
}

/* When the best block is another story's (the next article of an endless
 * page, a "more stories" feed with full texts), the headline's own text
 * is taken instead: a strong block that holds the headline or starts just
 * below it, and that the best block follows behind a header of its own (a
 * heading or <time>).  Returns it, or NULL. */
static const struct cand *near_headline(const struct scoring *s, const struct cand *best,
					size_t nb)
{
	const struct cand *top = &best[0];
	if (!s->anchor_seen || holds_headline(s, top->n))
		return NULL;
	for (size_t i = 1; i < nb; i++) {
		const struct cand *c = &best[i];
		if (is_ancestor(c->n, top->n) || is_ancestor(top->n, c->n) ||
		    c->score < AUTO_NEAR_SCORE * top->score)
			continue;
		bool holds = holds_headline(s, c->n);
		/* The headline and its dek are not an article. */
		double own = c->t.units - (holds ? s->anchor_end - s->anchor_start : 0);
		double end = c->start + c->t.units;
		bool below = c->start >= s->anchor_end && c->start - s->anchor_end <= AUTO_NEAR_UNITS;
		if ((holds || below) && own >= AUTO_NEAR_SIZE * top->t.units && end <= top->start &&
		    header_between(s, end, top->start + AUTO_HEADER_SLACK))
			return c;
	}
	return NULL;
}

static bool same_kind(xmlNodePtr a, xmlNodePtr b)
{
	const char *ca = html_attr(a, "class"), *cb = html_attr(b, "class");
	return a->type == XML_ELEMENT_NODE && b->type == XML_ELEMENT_NODE &&
	       xmlStrcmp(a->name, b->name) == 0 && !strcmp(ca ? ca : "", cb ? cb : "");
}

/* A page of posts (a blog's front or archive page, a forum thread): the
 * content n is, or sits in, one of at least AUTO_POST_MIN sibling entries
 * built alike (same tag and class), each headed by its own date line and
 * holding an article's worth of text.  The page's article is then the
 * first entry (the newest post, the thread's opening one), not the
 * longest.  Returns the first entry and sets *entry to n's own; NULL when
 * the page is no such list. */
static xmlNodePtr first_post(xmlNodePtr body, xmlNodePtr n, const struct opts *o,
			     xmlNodePtr *entry)
{
	xmlNodePtr a = n;
	for (unsigned lv = 0; lv < AUTO_POST_LEVELS && a && a != body &&
			      a->type == XML_ELEMENT_NODE;
	     lv++, a = a->parent) {
		xmlNodePtr first = NULL;
		size_t dated = 0;
		bool own = false;
		for (xmlNodePtr sib = a->parent ? a->parent->children : NULL; sib; sib = sib->next) {
			if (!same_kind(sib, a))
				continue;
			struct buf tmp = BUF_INIT;
			bool skip = skipped(sib, o, &tmp);
			buf_free(&tmp);
			if (skip || !meta_dated_head(sib))
				continue;
			struct tally t = {0, 0, 0};
			tally_subtree(sib, o, &t);
			if (t.units < AUTO_MIN_UNITS || link_density(&t) > AUTO_MAX_LINK_DENSITY)
				continue;
			dated++;
			if (!first)
				first = sib;
			own = own || sib == a;
		}
		if (own && dated >= AUTO_POST_MIN) {
			*entry = a;
			return first;
		}
	}
	return NULL;
}

/* The best-scoring block inside entry, or entry itself when none scored. */
static xmlNodePtr best_within(const struct scoring *s, xmlNodePtr entry)
{
	const struct cand *b = NULL;
	for (size_t i = 0; i < s->n; i++)
		if (is_ancestor(entry, s->c[i].n) && (!b || s->c[i].score > b->score))
			b = &s->c[i];
	return b ? b->n : entry;
}

/* Moves the content up from top: to a parent scoring better than the
 * blocks on the way (its children are the article's parts), and then
 * past parents it is the only child of (they may hold captions).  Never
 * to an ancestor of far (another story) nor to stop or above it. */
static xmlNodePtr climb(xmlNodePtr body, const struct scoring *s, xmlNodePtr top,
			double *top_score, xmlNodePtr far, xmlNodePtr stop)
{
	double last = *top_score, threshold = *top_score / 3;
	for (xmlNodePtr a = top->parent; a && a != body && a->type == XML_ELEMENT_NODE;
	     a = a->parent) {
		if (a == stop)
			break;
		const struct cand *pc = cand_of(s, a);
		if (!pc)
			continue;
		if (pc->score < threshold || (far && is_ancestor(a, far)))
			break;
		if (pc->score > last) {
			top = a;
			*top_score = pc->score;
			break;
		}
		last = pc->score;
	}
	while (top->parent && top->parent != body && top->parent != stop &&
	       top->parent->type == XML_ELEMENT_NODE) {
		size_t kids = 0;
		for (xmlNodePtr c = top->parent->children; c; c = c->next)
			kids += c->type == XML_ELEMENT_NODE;
		if (kids != 1 || (far && is_ancestor(top->parent, far)))
			break;
		top = top->parent;
		const struct cand *pc = cand_of(s, top);
		if (pc)
			*top_score = pc->score;
	}
	return top;
}

/* Picks top candidate and siblings for one attempt. */
static void choose(xmlNodePtr body, const struct scoring *s, const struct opts *o,
		   struct plan *p)
{
	struct cand best[AUTO_POOL];
	size_t nb = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (s->c[i].n == body)
			continue;
		if (nb < AUTO_POOL) {
			best[nb++] = s->c[i];
			qsort(best, nb, sizeof *best, cand_cmp);
		} else if (s->c[i].score > best[nb - 1].score) {
			best[nb - 1] = s->c[i];
			qsort(best, nb, sizeof *best, cand_cmp);
		}
	}
	if (!nb || best[0].score <= 0) {
		p->top = body;
		p->parts[p->nparts++] = body;
		return;
	}
	xmlNodePtr top = best[0].n;
	double top_score = best[0].score;
	const struct cand *near = near_headline(s, best, nb);
	xmlNodePtr far = NULL;
	if (near) {
		p->anchored = true;
		far = top;
		top = near->n;
		top_score = near->score;
		nb = 1; /* the runners-up were measured against the far block */
	}
	if (nb > AUTO_TOP_N)
		nb = AUTO_TOP_N;

	/* Runners-up close to the best that share an ancestor with it mean the
	 * article was split in parts: take the ancestor. */
	size_t nalt = 0;
	xmlNodePtr alts[AUTO_TOP_N];
	for (size_t i = 1; i < nb; i++)
		if (best[i].score / top_score >= AUTO_ALT_RATIO)
			alts[nalt++] = best[i].n;
	if (nalt >= AUTO_ALT_MIN) {
		for (xmlNodePtr a = top->parent; a && a != body && a->type == XML_ELEMENT_NODE;
		     a = a->parent) {
			size_t in = 0;
			for (size_t i = 0; i < nalt; i++)
				in += is_ancestor(a, alts[i]);
			if (in >= AUTO_ALT_MIN) {
				top = a;
				break;
			}
		}
	}
	const struct cand *tc = cand_of(s, top);
	top_score = tc ? tc->score : top_score;
	top = climb(body, s, top, &top_score, far, NULL);

	/* The content is one post of a page of posts: the first post is the
	 * page's article. */
	xmlNodePtr entry = NULL, first = near ? NULL : first_post(body, top, o, &entry);
	/* (Content that is a whole entry gathers its siblings below: they
	 * may be the parts of one article.) */
	xmlNodePtr post = first && entry != top && first != entry ? first : NULL;
	if (post) {
		top = best_within(s, post);
		tc = cand_of(s, top);
		top_score = tc ? tc->score : top_score;
		top = climb(body, s, top, &top_score, NULL, post);
	}
	p->top = top;

	/* Siblings that belong to the article (the posts after a first post
	 * do not). */
	double sib_threshold = fmax(10, top_score * 0.2);
	const char *top_class = html_attr(top, "class");
	xmlNodePtr parent = top->parent;
	if (!parent || parent->type != XML_ELEMENT_NODE || (post && top == post)) {
		p->parts[p->nparts++] = top;
		return;
	}
	bool seen_top = false;
	struct buf hint = BUF_INIT;
	for (xmlNodePtr sib = parent->children; sib; sib = sib->next) {
		if (sib->type != XML_ELEMENT_NODE)
			continue;
		if (p->nparts >= sizeof p->parts / sizeof p->parts[0])
			break;
		if (sib == top) {
			p->parts[p->nparts++] = sib;
			seen_top = true;
			continue;
		}
		if (far && (sib == far || is_ancestor(sib, far)))
			continue;
		struct buf tmp = BUF_INIT;
		bool skip = skipped(sib, o, &tmp);
		buf_free(&tmp);
		if (skip)
			continue;
		double bonus = 0;
		const char *cl = html_attr(sib, "class");
		if (top_class && *top_class && cl && !strcmp(cl, top_class))
			bonus = top_score * 0.2;
		const struct cand *c = cand_of(s, sib);
		bool add = c && c->score + bonus >= sib_threshold;
		if (!add && (is_tag(sib, "p") || (is_tag(sib, "div") && !c))) {
			struct tally t = {0, 0, 0};
			tally_subtree(sib, o, &t);
			double ld = link_density(&t);
			if (is_tag(sib, "p") && t.units > 80 && ld < 0.25)
				add = true;
			else if (is_tag(sib, "p") && t.units < 80 && t.units > 0 && ld == 0 &&
				 ends_sentence(sib))
				add = true;
		}
		/* A section of the same article beside it (test reports, long
		 * reads in several blocks), or the lead just above it: prose,
		 * few links. */
		if (!add && !is_tag(sib, "p") && (tag_flags(sib->name) & TAG_BLOCK) &&
		    !(seen_top && hint_string(sib, &hint) && has_any(buf_cstr(&hint), aside_words))) {
			struct tally t = {0, 0, 0};
			tally_subtree(sib, o, &t);
			bool lead = !seen_top && next_element(sib) == top;
			bool furniture_name = hint_string(sib, &hint) &&
					      has_any(buf_cstr(&hint), unlikely_words) &&
					      !has_any(buf_cstr(&hint), maybe_words);
			if (!furniture_name &&
			    (t.units >= AUTO_SIB_PROSE_UNITS ||
			     (lead && t.units >= AUTO_PARA_MIN * 2 && t.units <= AUTO_LEAD_MAX_UNITS)) &&
			    link_density(&t) < AUTO_PROSE_LINK_SHARE && ends_sentence(sib))
				add = true;
		}
		if (add)
			p->parts[p->nparts++] = sib;
	}
	buf_free(&hint);
}

/* One attempt: score, choose, plan the pruning. */
static void attempt(xmlNodePtr body, xmlNodePtr anchor, const struct opts *o, struct plan *p)
{
	struct scoring s;
	memset(&s, 0, sizeof s);
	s.anchor = anchor;
	score_walk(body, o, &s);
	map_build(&s);
	choose(body, &s, o, p);
	size_t kept = 0;
	for (size_t i = 0; i < p->nparts; i++) {
		if (prune_part(p->parts[i], o, p))
			p->parts[kept++] = p->parts[i];
	}
	p->nparts = kept;
	p->found = kept > 0;
	scoring_free(&s);
}

static const char *not_article(const struct plan *p)
{
	const struct pstat *t = &p->total;
	if (!p->found || t->t.units < AUTO_MIN_UNITS)
		return "no article: too little text";
	if (link_density(&t->t) > AUTO_MAX_LINK_DENSITY)
		return "no article: the best block is mostly links";
	unsigned items = t->headlinks > t->blocklinks ? t->headlinks : t->blocklinks;
	if (items >= AUTO_LIST_ITEMS &&
	    (t->t.units - t->t.link) / items < AUTO_LIST_UNITS_PER_ITEM)
		return "no article: the best block is a list of links";
	return NULL;
}

static xmlNodePtr apply(struct plan *p)
{
	xmlNodePtr content = p->parts[0];
	if (p->nparts > 1 || (p->nparts == 1 && p->parts[0] != p->top)) {
		xmlNodePtr first = p->parts[0];
		content = xmlNewDocNode(first->doc, NULL, BAD_CAST "div", NULL);
		xmlAddPrevSibling(first, content);
		for (size_t i = 0; i < p->nparts; i++) {
			xmlUnlinkNode(p->parts[i]);
			xmlAddChild(content, p->parts[i]);
		}
	}
	for (size_t i = 0; i < p->nremove; i++) {
		xmlNodePtr n = p->remove[i];
		/* A part kept above is never in the list; anything else goes. */
		xmlUnlinkNode(n);
		xmlFreeNode(n);
	}
	return content;
}

/* True when el holds no block element: a heading line, not a section. */
static bool is_line(xmlNodePtr el)
{
	for (xmlNodePtr c = el->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && (tag_flags(c->name) & TAG_BLOCK))
			return false;
	return true;
}

/* Removes the first element near the top of the content whose text is the
 * title (an h1, or the <p class="title"> some sites use): the title is a
 * field of its own. */
static void drop_title_heading(xmlNodePtr content, const char *title)
{
	if (!title || !content)
		return;
	unsigned seen = 0;
	xmlNodePtr n = content->children;
	while (n && seen < AUTO_TITLE_LOOK) {
		if (n->type == XML_ELEMENT_NODE) {
			seen++;
			if (is_line(n)) {
				struct buf t = BUF_INIT;
				html_text(n, &t);
				bool same = meta_title_same(buf_cstr(&t), title);
				buf_free(&t);
				if (same) {
					xmlUnlinkNode(n);
					xmlFreeNode(n);
					return;
				}
			} else if (n->children) {
				n = n->children;
				continue;
			}
		}
		while (n && n != content && !n->next)
			n = n->parent;
		if (!n || n == content)
			break;
		n = n->next;
	}
}

/* Removes the date/source/byline lines at the top of the content, up to
 * its first line of prose: they are fields of their own. */
static void drop_header_lines(xmlNodePtr content)
{
	unsigned seen = 0;
	xmlNodePtr n = content->children;
	struct buf t = BUF_INIT;
	while (n && seen < AUTO_TITLE_LOOK) {
		xmlNodePtr next = NULL;
		if (n->type == XML_ELEMENT_NODE) {
			seen++;
			if (!is_line(n)) {
				if (n->children) {
					n = n->children;
					continue;
				}
			} else {
				buf_clear(&t);
				html_text(n, &t);
				struct tally tl = {0, 0, 0};
				tally_text(buf_cstr(&t), 0, &tl);
				if (tl.units > 0 && !meta_header_line(buf_cstr(&t)))
					break; /* the prose starts */
				if (tl.units > 0) {
					next = n;
					while (next && next != content && !next->next)
						next = next->parent;
					next = next && next != content ? next->next : NULL;
					xmlUnlinkNode(n);
					xmlFreeNode(n);
					n = next;
					continue;
				}
			}
		} else if (n->type == XML_TEXT_NODE && n->content) {
			struct tally tl = {0, 0, 0};
			tally_text((const char *)n->content, 0, &tl);
			if (tl.units > 0)
				break; /* loose prose */
		}
		while (n && n != content && !n->next)
			n = n->parent;
		if (!n || n == content)
			break;
		n = n->next;
	}
	buf_free(&t);
}

xmlNodePtr auto_body_titled(const struct html_doc *h, const char *title, struct nm_err *e)
{
	xmlNodePtr body = html_body(h);
	if (!body) {
		err_set(e, NM_EPARSE, "no article: the page is empty");
		return NULL;
	}
	static const struct opts tries[] = {{true, true, true, true, false},
					    {false, true, true, true, false},
					    {false, false, true, true, false},
					    {false, false, false, true, false},
					    {true, true, true, false, false}};
	struct plan best;
	memset(&best, 0, sizeof best);
	struct opts best_opts = tries[0];
	size_t ntries = sizeof tries / sizeof tries[0];
	xmlNodePtr anchor = meta_headline(h, title);
	for (size_t i = 0; i < ntries; i++) {
		/* Ignoring visibility is the last resort, for pages where
		 * nothing visible is an article. */
		if (!tries[i].visibility && !not_article(&best))
			break;
		struct plan p;
		memset(&p, 0, sizeof p);
		attempt(body, anchor, &tries[i], &p);
		bool better = p.found && (!best.found || p.total.t.units > best.total.t.units);
		if (better) {
			plan_free(&best);
			best = p;
			best_opts = tries[i];
		} else {
			plan_free(&p);
		}
		/* A short article below its headline is not retried: the
		 * longer text other attempts find is the feed it beat. */
		if (best.found && (best.total.t.units >= AUTO_RETRY_UNITS || best.anchored))
			break;
	}
	const char *why = not_article(&best);
	if (why && best.found && best.total.prose >= AUTO_PROSE_MIN &&
	    best.total.t.units >= AUTO_MIN_UNITS) {
		/* Refused as links, yet with readable paragraphs: the same
		 * choice without its link blocks. */
		struct opts lo = best_opts;
		lo.drop_links = true;
		struct plan p;
		memset(&p, 0, sizeof p);
		attempt(body, anchor, &lo, &p);
		if (p.found && !not_article(&p)) {
			plan_free(&best);
			best = p;
			why = NULL;
		} else {
			plan_free(&p);
		}
	}
	if (why) {
		err_set(e, NM_EPARSE, "%s", why);
		plan_free(&best);
		return NULL;
	}
	xmlNodePtr content = apply(&best);
	plan_free(&best);
	drop_title_heading(content, title);
	return content;
}

xmlNodePtr auto_body(const struct html_doc *h, struct nm_err *e)
{
	struct article a;
	article_init(&a);
	meta_extract(h, NULL, &a, NULL);
	xmlNodePtr n = auto_body_titled(h, a.title, e);
	article_free(&a);
	return n;
}

/* ---- the whole extraction ---- */

enum nm_code auto_extract(const struct html_doc *h, const char *url, struct article *a,
			  struct nm_err *e)
{
	if (!a->rule)
		a->rule = xstrdup("auto");
	meta_extract(h, url, a, NULL);
	xmlNodePtr body = auto_body_titled(h, a->title, e);
	if (!body)
		return NM_EPARSE;
	/* Dates and bylines printed just above the content, for pages whose
	 * headline was not found. */
	meta_extract_near(h, url, body, a, NULL);
	drop_header_lines(body);
	a->body_node = body;
	struct clean_opts co = {.base_url = a->final_url ? a->final_url : url ? url : a->url};
	clean_body(body, &co);
	clean_boiler_lines(body);
	struct buf b = BUF_INIT;
	clean_html(body, &b);
	free(a->body_html);
	a->body_html = buf_detach(&b);
	clean_text(body, &b);
	free(a->body_text);
	a->body_text = buf_detach(&b);
	return NM_OK;
}

/* ---- inside a rule's body (clean: {generic: true}) ---- */

void auto_prune(xmlNodePtr root)
{
	/* the first attempt's options: classes weighed, furniture pruned */
	static const struct opts o = {.strip_unlikely = true, .weigh_classes = true, .prune = true,
				      .visibility = true, .drop_links = false};
	if (!root || root->type != XML_ELEMENT_NODE)
		return;
	struct plan p;
	memset(&p, 0, sizeof p);
	prune_part(root, &o, &p);
	for (size_t i = 0; i < p.nremove; i++) {
		xmlNodePtr n = p.remove[i];
		if (n == root)
			continue; /* the rule chose it: it stays */
		xmlUnlinkNode(n);
		xmlFreeNode(n);
	}
	plan_free(&p);
}
