/*
 * md.c - DOM to CommonMark + GFM.
 *
 * One pre-order walk over the DOM with an explicit stack of frames (enter
 * an element, visit its children, leave it).  Three pieces of state carry
 * the rendering:
 *
 *  - the container stack (block quotes, lists, list items): each line
 *    written gets every container's prefix ("> ", a list marker, or the
 *    marker's width in spaces), and each container remembers the kind of
 *    the last block written inside it, which decides the separator (blank
 *    line or none) before the next one;
 *  - the paragraph being built: escaped text and atomic markup (links'
 *    brackets, code spans, images) in a buffer, plus zero-width emphasis
 *    marks whose delimiters ('*', '_', '~~' or an HTML tag) are chosen when
 *    the paragraph is flushed, once both neighbours of each delimiter run
 *    are known (CommonMark's flanking rules);
 *  - the inline stack: links and emphasis that are open in the DOM.  They
 *    are opened lazily before the first content inside them (so leading
 *    white space stays outside the delimiters) and re-opened in every
 *    paragraph they span, since Markdown cannot carry a link across blocks.
 *
 * White space collapses like in a browser: runs of HTML white space become
 * one pending space, written only before further content on the same line.
 */
#include "output/md.h"
#include "common/mem.h"
#include "common/utf8.h"
#include "common/url.h"
#include "dom/html.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Passes of the emphasis-delimiter check per paragraph before giving up and
 * writing every emphasis of that paragraph as HTML tags.  Each pass can only
 * turn delimiters into tags, and one or two passes settle real text. */
#define MD_FLANK_PASSES 8
/* Longest entity name checked when deciding whether '&' needs escaping
 * (the longest HTML entity name has 31 characters). */
#define MD_ENTITY_MAX 32
/* Ordered-list start numbers beyond CommonMark's nine digits are clamped. */
#define MD_MAX_START 999999999L
/* Direct-mapped cache from interned tag-name pointers to tag kinds. */
#define MD_TAG_CACHE 256

/* ---- buffers ------------------------------------------------------------ */

/* buf_put() with the common case (room left, under the cap) inline: the
 * renderer appends a few bytes at a time. */
static inline void bput(struct buf *b, const void *s, size_t n)
{
	size_t max = b->max ? b->max : BUF_DEFAULT_MAX;
	if (!n) { /* s may be NULL (an empty buf's ptr) */
		if (b->ptr)
			b->ptr[b->len] = '\0';
	} else if (b->len + n < b->cap && b->len + n <= max) {
		memcpy(b->ptr + b->len, s, n);
		b->len += n;
		b->ptr[b->len] = '\0';
	} else {
		buf_put(b, s, n);
	}
}

static inline void bputc(struct buf *b, char c)
{
	bput(b, &c, 1);
}

static inline void bputs(struct buf *b, const char *s)
{
	bput(b, s, strlen(s));
}

/* ---- tags ---------------------------------------------------------------- */

enum kind {
	K_INLINE = 0, /* unknown or plain inline: render the children */
	K_SKIP,       /* never rendered, subtree dropped */
	K_CONTROL,    /* form control: rendered only for whole pages */
	K_FORM,       /* <form>: a block for whole pages, dropped otherwise */
	K_BLOCK,      /* paragraph boundary */
	K_HEADING,
	K_UL,
	K_OL,
	K_LI,
	K_QUOTE,
	K_PRE,
	K_CODE,
	K_EM,
	K_STRONG,
	K_DEL,
	K_A,
	K_IMG,
	K_BR,
	K_HR,
	K_TABLE,
	K_THEAD,
	K_TR,
	K_CELL,
	K_SUP,
	K_SUB,
	K_DT,
	K_VOID, /* element without content (input, wbr): nothing */
};

struct tagdef {
	const char *name;
	uint8_t kind;
	uint8_t arg; /* heading level; 1 for <th> */
};

/* Sorted by name (bsearch). */
static const struct tagdef TAGS[] = {
	{"a", K_A, 0}, {"address", K_BLOCK, 0}, {"area", K_VOID, 0},
	{"article", K_BLOCK, 0}, {"aside", K_BLOCK, 0}, {"b", K_STRONG, 0},
	{"base", K_SKIP, 0}, {"blockquote", K_QUOTE, 0}, {"body", K_BLOCK, 0},
	{"br", K_BR, 0}, {"button", K_CONTROL, 0}, {"caption", K_BLOCK, 0},
	{"center", K_BLOCK, 0}, {"code", K_CODE, 0}, {"col", K_VOID, 0},
	{"colgroup", K_SKIP, 0}, {"datalist", K_SKIP, 0}, {"dd", K_BLOCK, 0},
	{"del", K_DEL, 0}, {"details", K_BLOCK, 0}, {"dialog", K_BLOCK, 0},
	{"dir", K_UL, 0}, {"div", K_BLOCK, 0}, {"dl", K_BLOCK, 0},
	{"dt", K_DT, 0}, {"em", K_EM, 0}, {"embed", K_VOID, 0},
	{"fieldset", K_BLOCK, 0}, {"figcaption", K_BLOCK, 0}, {"figure", K_BLOCK, 0},
	{"footer", K_BLOCK, 0}, {"form", K_FORM, 0}, {"frame", K_SKIP, 0},
	{"frameset", K_SKIP, 0}, {"h1", K_HEADING, 1}, {"h2", K_HEADING, 2},
	{"h3", K_HEADING, 3}, {"h4", K_HEADING, 4}, {"h5", K_HEADING, 5},
	{"h6", K_HEADING, 6}, {"head", K_SKIP, 0}, {"header", K_BLOCK, 0},
	{"hgroup", K_BLOCK, 0}, {"hr", K_HR, 0}, {"html", K_BLOCK, 0},
	{"i", K_EM, 0}, {"iframe", K_SKIP, 0}, {"img", K_IMG, 0},
	{"input", K_VOID, 0}, {"kbd", K_CODE, 0}, {"legend", K_BLOCK, 0},
	{"li", K_LI, 0}, {"link", K_SKIP, 0}, {"listing", K_PRE, 0},
	{"main", K_BLOCK, 0}, {"menu", K_UL, 0}, {"meta", K_SKIP, 0},
	{"nav", K_BLOCK, 0}, {"noembed", K_SKIP, 0}, {"noframes", K_SKIP, 0}, {"noscript", K_SKIP, 0},
	{"ol", K_OL, 0}, {"optgroup", K_CONTROL, 0}, {"option", K_CONTROL, 0},
	{"p", K_BLOCK, 0}, {"param", K_VOID, 0}, {"plaintext", K_PRE, 0},
	{"pre", K_PRE, 0}, {"s", K_DEL, 0}, {"samp", K_CODE, 0},
	{"script", K_SKIP, 0}, {"section", K_BLOCK, 0}, {"select", K_CONTROL, 0},
	{"source", K_VOID, 0}, {"strike", K_DEL, 0}, {"strong", K_STRONG, 0},
	{"style", K_SKIP, 0}, {"sub", K_SUB, 0}, {"summary", K_BLOCK, 0},
	{"sup", K_SUP, 0}, {"svg", K_SKIP, 0}, {"table", K_TABLE, 0},
	{"tbody", K_INLINE, 0}, {"td", K_CELL, 0}, {"template", K_SKIP, 0},
	{"textarea", K_CONTROL, 0}, {"tfoot", K_INLINE, 0}, {"th", K_CELL, 1},
	{"thead", K_THEAD, 0}, {"title", K_SKIP, 0}, {"tr", K_TR, 0},
	{"track", K_VOID, 0}, {"tt", K_CODE, 0}, {"ul", K_UL, 0},
	{"wbr", K_VOID, 0}, {"xmp", K_PRE, 0},
};

/* ---- characters ---------------------------------------------------------- */

/* Unicode general category P, U+0080 and above (from UnicodeData.txt; the
 * set cmark uses for its flanking rules). */
static const uint32_t PUNCT[][2] = {
	{0xA1, 0xA1}, {0xA7, 0xA7}, {0xAB, 0xAB}, {0xB6, 0xB7}, {0xBB, 0xBB}, {0xBF, 0xBF},
	{0x37E, 0x37E}, {0x387, 0x387}, {0x55A, 0x55F}, {0x589, 0x58A}, {0x5BE, 0x5BE},
	{0x5C0, 0x5C0}, {0x5C3, 0x5C3}, {0x5C6, 0x5C6}, {0x5F3, 0x5F4}, {0x609, 0x60A},
	{0x60C, 0x60D}, {0x61B, 0x61B}, {0x61D, 0x61F}, {0x66A, 0x66D}, {0x6D4, 0x6D4},
	{0x700, 0x70D}, {0x7F7, 0x7F9}, {0x830, 0x83E}, {0x85E, 0x85E}, {0x964, 0x965},
	{0x970, 0x970}, {0x9FD, 0x9FD}, {0xA76, 0xA76}, {0xAF0, 0xAF0}, {0xC77, 0xC77},
	{0xC84, 0xC84}, {0xDF4, 0xDF4}, {0xE4F, 0xE4F}, {0xE5A, 0xE5B}, {0xF04, 0xF12},
	{0xF14, 0xF14}, {0xF3A, 0xF3D}, {0xF85, 0xF85}, {0xFD0, 0xFD4}, {0xFD9, 0xFDA},
	{0x104A, 0x104F}, {0x10FB, 0x10FB}, {0x1360, 0x1368}, {0x1400, 0x1400},
	{0x166E, 0x166E}, {0x169B, 0x169C}, {0x16EB, 0x16ED}, {0x1735, 0x1736},
	{0x17D4, 0x17D6}, {0x17D8, 0x17DA}, {0x1800, 0x180A}, {0x1944, 0x1945},
	{0x1A1E, 0x1A1F}, {0x1AA0, 0x1AA6}, {0x1AA8, 0x1AAD}, {0x1B5A, 0x1B60},
	{0x1B7D, 0x1B7E}, {0x1BFC, 0x1BFF}, {0x1C3B, 0x1C3F}, {0x1C7E, 0x1C7F},
	{0x1CC0, 0x1CC7}, {0x1CD3, 0x1CD3}, {0x2010, 0x2027}, {0x2030, 0x2043},
	{0x2045, 0x2051}, {0x2053, 0x205E}, {0x207D, 0x207E}, {0x208D, 0x208E},
	{0x2308, 0x230B}, {0x2329, 0x232A}, {0x2768, 0x2775}, {0x27C5, 0x27C6},
	{0x27E6, 0x27EF}, {0x2983, 0x2998}, {0x29D8, 0x29DB}, {0x29FC, 0x29FD},
	{0x2CF9, 0x2CFC}, {0x2CFE, 0x2CFF}, {0x2D70, 0x2D70}, {0x2E00, 0x2E2E},
	{0x2E30, 0x2E4F}, {0x2E52, 0x2E5D}, {0x3001, 0x3003}, {0x3008, 0x3011},
	{0x3014, 0x301F}, {0x3030, 0x3030}, {0x303D, 0x303D}, {0x30A0, 0x30A0},
	{0x30FB, 0x30FB}, {0xA4FE, 0xA4FF}, {0xA60D, 0xA60F}, {0xA673, 0xA673},
	{0xA67E, 0xA67E}, {0xA6F2, 0xA6F7}, {0xA874, 0xA877}, {0xA8CE, 0xA8CF},
	{0xA8F8, 0xA8FA}, {0xA8FC, 0xA8FC}, {0xA92E, 0xA92F}, {0xA95F, 0xA95F},
	{0xA9C1, 0xA9CD}, {0xA9DE, 0xA9DF}, {0xAA5C, 0xAA5F}, {0xAADE, 0xAADF},
	{0xAAF0, 0xAAF1}, {0xABEB, 0xABEB}, {0xFD3E, 0xFD3F}, {0xFE10, 0xFE19},
	{0xFE30, 0xFE52}, {0xFE54, 0xFE61}, {0xFE63, 0xFE63}, {0xFE68, 0xFE68},
	{0xFE6A, 0xFE6B}, {0xFF01, 0xFF03}, {0xFF05, 0xFF0A}, {0xFF0C, 0xFF0F},
	{0xFF1A, 0xFF1B}, {0xFF1F, 0xFF20}, {0xFF3B, 0xFF3D}, {0xFF3F, 0xFF3F},
	{0xFF5B, 0xFF5B}, {0xFF5D, 0xFF5D}, {0xFF5F, 0xFF65}, {0x10100, 0x10102},
	{0x1039F, 0x1039F}, {0x103D0, 0x103D0}, {0x1056F, 0x1056F}, {0x10857, 0x10857},
	{0x1091F, 0x1091F}, {0x1093F, 0x1093F}, {0x10A50, 0x10A58}, {0x10A7F, 0x10A7F},
	{0x10AF0, 0x10AF6}, {0x10B39, 0x10B3F}, {0x10B99, 0x10B9C}, {0x10EAD, 0x10EAD},
	{0x10F55, 0x10F59}, {0x10F86, 0x10F89}, {0x11047, 0x1104D}, {0x110BB, 0x110BC},
	{0x110BE, 0x110C1}, {0x11140, 0x11143}, {0x11174, 0x11175}, {0x111C5, 0x111C8},
	{0x111CD, 0x111CD}, {0x111DB, 0x111DB}, {0x111DD, 0x111DF}, {0x11238, 0x1123D},
	{0x112A9, 0x112A9}, {0x1144B, 0x1144F}, {0x1145A, 0x1145B}, {0x1145D, 0x1145D},
	{0x114C6, 0x114C6}, {0x115C1, 0x115D7}, {0x11641, 0x11643}, {0x11660, 0x1166C},
	{0x116B9, 0x116B9}, {0x1173C, 0x1173E}, {0x1183B, 0x1183B}, {0x11944, 0x11946},
	{0x119E2, 0x119E2}, {0x11A3F, 0x11A46}, {0x11A9A, 0x11A9C}, {0x11A9E, 0x11AA2},
	{0x11B00, 0x11B09}, {0x11C41, 0x11C45}, {0x11C70, 0x11C71}, {0x11EF7, 0x11EF8},
	{0x11F43, 0x11F4F}, {0x11FFF, 0x11FFF}, {0x12470, 0x12474}, {0x12FF1, 0x12FF2},
	{0x16A6E, 0x16A6F}, {0x16AF5, 0x16AF5}, {0x16B37, 0x16B3B}, {0x16B44, 0x16B44},
	{0x16E97, 0x16E9A}, {0x16FE2, 0x16FE2}, {0x1BC9F, 0x1BC9F}, {0x1DA87, 0x1DA8B},
	{0x1E95E, 0x1E95F},
};

static bool html_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool ascii_punct(int c)
{
	return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) ||
	       (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

static bool uni_punct(uint32_t cp)
{
	if (cp < 0x80)
		return ascii_punct((int)cp);
	size_t lo = 0, hi = sizeof PUNCT / sizeof PUNCT[0];
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp < PUNCT[mid][0])
			hi = mid;
		else if (cp > PUNCT[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* Unicode whitespace as CommonMark defines it: Zs plus tab, LF, FF, CR. */
static bool uni_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\f' || cp == '\r' ||
	       cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
	       cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

enum cls { CL_SPACE, CL_PUNCT, CL_OTHER, CL_UNKNOWN };

static enum cls classify(uint32_t cp)
{
	if (uni_space(cp))
		return CL_SPACE;
	return uni_punct(cp) ? CL_PUNCT : CL_OTHER;
}

/* Class of the character before s[pos] (line start counts as space). */
static enum cls class_before(const char *s, size_t pos, size_t start)
{
	if (pos <= start)
		return CL_SPACE;
	size_t i = pos - 1;
	while (i > start && pos - i < 4 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	uint32_t cp;
	utf8_decode(s + i, pos - i, &cp);
	return classify(cp);
}

static enum cls class_at(const char *s, size_t n, size_t pos)
{
	if (pos >= n)
		return CL_SPACE;
	uint32_t cp;
	utf8_decode(s + pos, n - pos, &cp);
	return classify(cp);
}

/* ---- state ----------------------------------------------------------------- */

enum ctype { C_ROOT, C_QUOTE, C_LIST, C_ITEM };
enum bkind { B_NONE, B_PARA, B_HEADING, B_CODE, B_QUOTE, B_LIST, B_ITEM, B_TABLE,
	     B_HR, B_HTML, B_EMPTY };

struct cont {
	uint8_t type;        /* enum ctype */
	uint8_t last;        /* enum bkind of the last block written directly inside */
	bool started;        /* its first line has been written */
	bool marked;         /* C_ITEM: the marker has been written */
	bool cont;           /* C_ITEM: continues the previous item (no marker) */
	bool ordered;        /* C_LIST */
	bool loose;          /* C_LIST: items apart (some <li> holds a <p>) */
	bool implicit;       /* C_LIST: made for <li>s outside any list */
	char bullet;         /* C_LIST: '-' '*' or '.' ')' */
	char last_bullet;    /* bullet of the last list started directly inside */
	uint8_t width;       /* C_ITEM: marker width; C_LIST: of the last item */
	uint8_t prev_last;   /* C_LIST: `last` of the last item closed */
	long first, next;    /* C_LIST: start number, next number */
	char marker[16];     /* C_ITEM */
};

enum mkind { M_EM, M_STRONG, M_DEL };
enum mstyle { S_STAR, S_UNDER, S_HTML }; /* '*'/'**'/'~~', '_'/'__', tags */

struct mark {
	size_t pos;  /* offset in the paragraph text */
	size_t mate; /* index of the other delimiter of the pair */
	uint8_t kind, style;
	bool open, dead;
};

enum ikind { I_EM, I_STRONG, I_DEL, I_LINK, I_SUP, I_SUB, I_CODE };

struct inl {
	uint8_t kind;
	bool used;   /* opened at least once */
	size_t mark; /* I_EM..I_DEL: index of the open mark in this paragraph */
};

enum leaf { L_NORMAL, L_HEADING, L_CELL };

struct trow {
	size_t first, n;
	bool head, all_th;
};

struct table {
	struct buf cells; /* cell texts back to back */
	size_t *cell;     /* start offset of each cell in `cells` */
	size_t ncell, capcell;
	struct trow *rows;
	size_t nrow, caprow;
	bool in_head, row_open;
};

struct tagcache {
	const xmlChar *name;
	const struct tagdef *def;
};

struct md {
	const struct md_opts *o;
	struct buf *out;

	struct cont conts[MD_MAX_NEST + 1]; /* [0] is the root */
	int nc;

	/* the paragraph being built */
	struct buf text;
	size_t lstart;  /* where the current line starts in text */
	size_t olist;   /* end of digits that started the line, or 0 */
	size_t lbrack;  /* just after the '[' opening link text, or 0 */
	struct mark *marks;
	size_t nmarks, capmarks;
	bool space;     /* collapsed white space pending */
	int brk;        /* <br>s pending */
	uint8_t leaf;   /* enum leaf: where a flush goes */
	uint8_t hlevel; /* L_HEADING: level */

	struct inl inl[MD_MAX_INLINE];
	int ninl, nopen; /* entries [0, nopen) are open in this paragraph */
	int link;        /* 1 + index of the link entry, 0 = none */
	int lflat;       /* inside a link whose blocks become line breaks */
	struct buf ldest; /* closing markup of the open link: "](url "title")" */

	struct table *tab; /* the pipe table being collected, or NULL */

	struct buf line, tmp, url, src; /* scratch */
	struct tagcache cache[MD_TAG_CACHE];
};

static const struct tagdef *tag_of(struct md *m, xmlNodePtr n)
{
	static const struct tagdef other = {"", K_INLINE, 0};
	uintptr_t h = ((uintptr_t)n->name >> 4) % MD_TAG_CACHE;
	if (m->cache[h].name == n->name && m->cache[h].def)
		return m->cache[h].def;
	const struct tagdef *d = bsearch(n->name, TAGS, sizeof TAGS / sizeof TAGS[0],
					 sizeof TAGS[0], html_tag_cmp);
	m->cache[h].name = n->name;
	m->cache[h].def = d ? d : &other;
	return m->cache[h].def;
}

/* ---- lines and containers ---------------------------------------------- */

/* Writes the prefixes of containers [1, upto) to out. */
static void put_prefix(struct md *m, int upto)
{
	for (int i = 1; i < upto; i++) {
		struct cont *c = &m->conts[i];
		if (c->type == C_QUOTE) {
			bput(m->out, "> ", 2);
		} else if (c->type == C_ITEM) {
			if (!c->marked) {
				bputs(m->out, c->marker);
				c->marked = true;
			} else {
				bput(m->out, "                ", c->width); /* width < 16 */
			}
		}
	}
}

static void rtrim_out(struct md *m, size_t from)
{
	while (m->out->len > from && m->out->ptr[m->out->len - 1] == ' ')
		m->out->len--;
	if (m->out->ptr)
		m->out->ptr[m->out->len] = '\0';
}

/* One output line: every container's prefix, then s[0..n).  An empty line
 * keeps only the prefixes' visible parts ('>', a bare list marker). */
static void out_line(struct md *m, const char *s, size_t n)
{
	size_t at = m->out->len;
	put_prefix(m, m->nc);
	if (n)
		bput(m->out, s, n);
	else
		rtrim_out(m, at);
	bputc(m->out, '\n');
}

/* s[0..n) line by line (split at '\n'), each with the prefixes; empty
 * lines are kept unless skip_empty. */
static void out_lines(struct md *m, const char *s, size_t n, bool skip_empty)
{
	for (const char *end = s + n;;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t k = nl ? (size_t)(nl - s) : (size_t)(end - s);
		if (k || !skip_empty)
			out_line(m, s, k);
		if (!nl)
			break;
		s = nl + 1;
	}
}

static uint8_t cont_kind(const struct cont *c)
{
	return c->type == C_QUOTE ? B_QUOTE : c->type == C_LIST ? B_LIST : B_ITEM;
}

/* Does a block of kind k (container c when it is one) need a blank line
 * after the last block written in parent p? */
static bool need_blank(const struct cont *p, uint8_t k, const struct cont *c, bool bare)
{
	if (p->last == B_NONE)
		return false;
	if (p->type == C_LIST) /* items follow each other; other content is apart */
		return p->last != B_ITEM || k != B_ITEM || p->loose;
	/* "- text" followed by a nested list stays tight; a list may interrupt
	 * a paragraph only when its first item is not empty and, when
	 * ordered, starts at 1. */
	if (p->type == C_ITEM && p->last == B_PARA && k == B_LIST && c && !bare &&
	    (!c->ordered || c->first == 1))
		return false;
	return true;
}

/* Called before the first line of a block of kind `kind` is written into
 * the innermost container: writes the separator the parents need and marks
 * the not yet started containers as started.  bare: the block's first line
 * is a list marker alone. */
static void begin_block(struct md *m, uint8_t kind, bool bare)
{
	int i = m->nc;
	while (i > 1 && !m->conts[i - 1].started)
		i--;
	struct cont *p = &m->conts[i - 1];
	const struct cont *c = i < m->nc ? &m->conts[i] : NULL;
	uint8_t k = c ? cont_kind(c) : kind;
	if (need_blank(p, k, c, bare)) {
		size_t at = m->out->len;
		put_prefix(m, i);
		rtrim_out(m, at);
		bputc(m->out, '\n');
	}
	for (int j = i; j < m->nc; j++) {
		struct cont *q = &m->conts[j];
		m->conts[j - 1].last = cont_kind(q);
		if (q->type == C_LIST)
			m->conts[j - 1].last_bullet = q->bullet;
		q->started = true;
	}
	m->conts[m->nc - 1].last = kind;
}

static struct cont *push_cont(struct md *m, uint8_t type)
{
	struct cont *c = &m->conts[m->nc++];
	memset(c, 0, sizeof *c);
	c->type = type;
	return c;
}

/* ---- the paragraph ------------------------------------------------------ */

static void put(struct md *m, const char *s, size_t n)
{
	bput(&m->text, s, n);
}

static void puts_(struct md *m, const char *s)
{
	bputs(&m->text, s);
}

static size_t add_mark(struct md *m, uint8_t kind, bool open)
{
	if (m->nmarks == m->capmarks) {
		m->capmarks = m->capmarks ? m->capmarks * 2 : 16;
		m->marks = xrealloc(m->marks, m->capmarks * sizeof *m->marks);
	}
	struct mark *k = &m->marks[m->nmarks];
	memset(k, 0, sizeof *k);
	k->pos = m->text.len;
	k->kind = kind;
	k->open = open;
	return m->nmarks++;
}

static void open_entry(struct md *m, int i)
{
	struct inl *e = &m->inl[i];
	e->used = true;
	switch (e->kind) {
	case I_EM:
	case I_STRONG:
	case I_DEL:
		e->mark = add_mark(m, (uint8_t)(e->kind - I_EM + M_EM), true);
		break;
	case I_LINK:
		put(m, "[", 1);
		m->lbrack = m->text.len;
		break;
	case I_SUP:
		puts_(m, "<sup>");
		break;
	case I_SUB:
		puts_(m, "<sub>");
		break;
	case I_CODE:
		puts_(m, "<code>");
		break;
	}
}

static void close_entry(struct md *m, int i)
{
	struct inl *e = &m->inl[i];
	switch (e->kind) {
	case I_EM:
	case I_STRONG:
	case I_DEL: {
		size_t k = add_mark(m, (uint8_t)(e->kind - I_EM + M_EM), false);
		m->marks[k].mate = e->mark;
		m->marks[e->mark].mate = k;
		break;
	}
	case I_LINK:
		put(m, m->ldest.ptr, m->ldest.len);
		break;
	case I_SUP:
		puts_(m, "</sup>");
		break;
	case I_SUB:
		puts_(m, "</sub>");
		break;
	case I_CODE:
		puts_(m, "</code>");
		break;
	}
}

static void flush(struct md *m);

static void space_out(struct md *m)
{
	if (m->space) {
		if (m->text.len > m->lstart)
			put(m, " ", 1);
		m->space = false;
	}
}

/* Before any visible content: the pending line break, the pending space
 * and the openers of inline elements not yet open in this paragraph. */
static void begin_content(struct md *m)
{
	if (m->brk) {
		int k = m->brk;
		m->brk = 0;
		if (m->text.len > m->lstart) {
			if (m->leaf == L_HEADING) {
				m->space = true;
			} else if (m->leaf == L_CELL) {
				while (k-- > 0)
					puts_(m, "<br>");
				m->lstart = m->text.len;
			} else if (k >= 2) {
				flush(m);
			} else {
				put(m, "  \n", 3);
				m->lstart = m->text.len;
			}
		}
		if (m->leaf != L_HEADING)
			m->space = false;
	}
	while (m->nopen < m->ninl) {
		space_out(m);
		open_entry(m, m->nopen++);
	}
	space_out(m);
}

static bool entity_like(const char *s, size_t n, size_t i)
{
	size_t j = i + 1, k = 0;
	if (j < n && s[j] == '#') {
		j++;
		if (j < n && (s[j] == 'x' || s[j] == 'X'))
			j++;
	}
	while (j < n && k < MD_ENTITY_MAX &&
	       ((s[j] >= '0' && s[j] <= '9') || (s[j] >= 'a' && s[j] <= 'z') ||
		(s[j] >= 'A' && s[j] <= 'Z')))
		j++, k++;
	return j >= n || (k && s[j] == ';');
}

/* Bytes that need a closer look in text: HTML white space and the ASCII
 * characters Markdown may read as syntax anywhere in a line (with "{:",
 * "$$" and '|', which kramdown -- Jekyll's Markdown -- reads as attribute
 * lists, math and table rows). */
static const bool SPECIAL[256] = {
	[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, ['\f'] = 1, ['\\'] = 1,
	['`'] = 1, ['*'] = 1, ['_'] = 1, ['~'] = 1, ['['] = 1, [']'] = 1, ['<'] = 1, ['&'] = 1,
	['{'] = 1, ['$'] = 1, ['|'] = 1,
};

static bool special(unsigned char c)
{
	return SPECIAL[c];
}

/* At the start of a line: escapes what would start a block (heading,
 * quote, list item, thematic break, setext underline, fence).  Writes and
 * returns the number of bytes of s consumed (0 = nothing special). */
static size_t line_start(struct md *m, const char *s, size_t n, size_t i)
{
	char c = s[i];
	size_t j = i + 1;
	switch (c) {
	case '#': {
		while (j < n && s[j] == '#' && j - i < 7)
			j++;
		if (j - i <= 6 && (j >= n || s[j] == ' ' || s[j] == '\t' || html_space((unsigned char)s[j])))
			break;
		return 0;
	}
	case '>':
	case '*':
	case '_':
	case '~':
	case '`':
		break;
	case '+':
		if (j >= n || html_space((unsigned char)s[j]))
			break;
		return 0;
	case '-':
	case '=':
		if (j >= n || html_space((unsigned char)s[j]))
			break;
		while (j < n && (s[j] == c || s[j] == ' ' || s[j] == '\t'))
			j++;
		if (j >= n || s[j] == '\n' || s[j] == '\r')
			break;
		return 0;
	default:
		if (c >= '0' && c <= '9') {
			j = i;
			while (j < n && j - i < 10 && s[j] >= '0' && s[j] <= '9')
				j++;
			if (j - i <= 9 && j < n && (s[j] == '.' || s[j] == ')') &&
			    (j + 1 >= n || html_space((unsigned char)s[j + 1]))) {
				put(m, s + i, j - i);
				put(m, "\\", 1);
				put(m, s + j, 1);
				return j + 1 - i;
			}
			if (j - i <= 9 && j == n) { /* "1" then "." in the next node */
				put(m, s + i, j - i);
				m->olist = m->text.len;
				return j - i;
			}
		}
		return 0;
	}
	put(m, "\\", 1);
	put(m, s + i, 1);
	return 1;
}

/* Writes the special character s[i] (not white space) to d, escaped when
 * Markdown could read it as syntax here.  prev: the class of the character
 * written before it; bracket: inside link text or an image description;
 * cell: in a table cell, whose pipes cell_put() escapes. */
static void esc_char(struct buf *d, enum cls prev, bool bracket, bool cell, const char *s,
		     size_t n, size_t i)
{
	char c = s[i];
	bool esc = true;
	switch (c) {
	case '\\':
		esc = i + 1 >= n || ascii_punct((unsigned char)s[i + 1]);
		break;
	case '*':
	case '~':
	case '_': {
		/* a delimiter that can neither open nor close stays as it is */
		enum cls b = i + 1 < n ? class_at(s, n, i + 1) : CL_UNKNOWN;
		esc = !(prev == CL_SPACE && b == CL_SPACE) &&
		      !(c == '_' && prev == CL_OTHER && b == CL_OTHER);
		break;
	}
	case ']':
		esc = bracket;
		break;
	case '<': {
		unsigned char x = i + 1 < n ? (unsigned char)s[i + 1] : 'a';
		esc = (x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z') || x == '/' ||
		      x == '!' || x == '?';
		break;
	}
	case '&':
		/* "&amp;": kramdown has no "\&" */
		if (entity_like(s, n, i)) {
			bputs(d, "&amp;");
			return;
		}
		esc = false;
		break;
	case '{':
		esc = i + 1 < n && s[i + 1] == ':';
		break;
	case '$':
		esc = i + 1 < n && s[i + 1] == '$';
		break;
	case '|':
		esc = !cell;
		break;
	default: /* '`', '[' */
		break;
	}
	if (esc)
		bputc(d, '\\');
	bputc(d, c);
}

static void special_char(struct md *m, const char *s, size_t n, size_t i)
{
	enum cls prev = (m->nmarks && m->marks[m->nmarks - 1].pos == m->text.len)
				? CL_UNKNOWN
				: class_before(m->text.ptr, m->text.len, m->lstart);
	esc_char(&m->text, prev, m->link != 0, m->leaf == L_CELL, s, n, i);
}

/* Appends text (as found in a text node): white space collapsed, Markdown
 * syntax escaped. */
static void add_text(struct md *m, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (html_space(c)) {
			m->space = true;
			i++;
			continue;
		}
		begin_content(m);
		/* at the start of a line, unless an emphasis delimiter (never
		 * empty once written) already stands there */
		if (m->text.len == m->lstart && m->leaf == L_NORMAL &&
		    !(m->nmarks && m->marks[m->nmarks - 1].pos == m->text.len)) {
			size_t k = line_start(m, s, n, i);
			if (k) {
				i += k;
				continue;
			}
		}
		if (m->olist && m->olist == m->text.len && (c == '.' || c == ')')) {
			put(m, "\\", 1); /* the digits before would make a list */
			m->olist = 0;
		}
		if (c == '^' && m->lbrack && m->lbrack == m->text.len) {
			/* "[^x]" is a footnote in kramdown, which has no "\^" */
			put(m, "&#94;", 5);
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && !special((unsigned char)s[j]))
			j++;
		if (j > i) {
			put(m, s + i, j - i);
			i = j;
			continue;
		}
		special_char(m, s, n, i);
		i++;
	}
}

/* ---- emphasis delimiters ------------------------------------------------ */

static const char *delim(const struct mark *k)
{
	static const char *const d[3][2] = {{"*", "_"}, {"**", "__"}, {"~~", "~~"}};
	static const char *const tag[3][2] = {{"</em>", "<em>"},
					      {"</strong>", "<strong>"},
					      {"</del>", "<del>"}};
	if (k->style == S_HTML)
		return tag[k->kind][k->open];
	return d[k->kind][k->style];
}

static void set_style(struct md *m, size_t k, uint8_t style)
{
	m->marks[k].style = style;
	m->marks[m->marks[k].mate].style = style;
}

/* Moves delimiters off white space that would stop them from working
 * ("*foo *" -> "*foo* "), drops emptied pairs, and gives an opener that
 * directly follows a closer of the same character the other character
 * ("*a*_b_": "*a**b*" would not parse). */
static void prepare_marks(struct md *m)
{
	const char *s = m->text.ptr;
	size_t n = m->text.len;
	struct mark *k = m->marks;
	for (size_t i = 0; i < m->nmarks; i++) {
		if (k[i].open)
			continue;
		size_t lim = i ? k[i - 1].pos : 0;
		while (k[i].pos > lim && class_before(s, k[i].pos, 0) == CL_SPACE) {
			size_t p = k[i].pos - 1;
			while (p > lim && ((unsigned char)s[p] & 0xC0) == 0x80)
				p--;
			k[i].pos = p;
		}
	}
	for (size_t i = m->nmarks; i-- > 0;) {
		if (!k[i].open)
			continue;
		size_t lim = i + 1 < m->nmarks ? k[i + 1].pos : n;
		while (k[i].pos < lim && class_at(s, n, k[i].pos) == CL_SPACE) {
			uint32_t cp;
			k[i].pos += utf8_decode(s + k[i].pos, n - k[i].pos, &cp);
		}
	}
	for (size_t i = 0; i < m->nmarks; i++)
		if (k[i].open && k[k[i].mate].pos <= k[i].pos)
			k[i].dead = k[k[i].mate].dead = true;
	for (size_t i = 1; i < m->nmarks; i++) {
		if (k[i].dead || !k[i].open || k[i].kind == M_DEL)
			continue;
		for (size_t j = i; j-- > 0 && k[j].pos == k[i].pos;) {
			if (k[j].dead)
				continue;
			if (!k[j].open && k[j].style == S_STAR)
				set_style(m, i, S_UNDER);
			break;
		}
	}
}

/* One pass of CommonMark's flanking rules over the delimiter runs; turns
 * pairs that would not parse into HTML tags.  Returns true when it changed
 * anything. */
static bool check_marks(struct md *m)
{
	const char *s = m->text.ptr;
	size_t n = m->text.len;
	struct mark *k = m->marks;
	bool changed = false;
	size_t i = 0;
	while (i < m->nmarks) {
		if (k[i].dead || k[i].style == S_HTML) {
			i++;
			continue;
		}
		/* the run: following live marks at the same position whose
		 * delimiters use the same character */
		char ch = delim(&k[i])[0];
		size_t j = i + 1, last = i;
		bool closes = !k[i].open;
		enum cls before = CL_SPACE, after;
		size_t p = i;
		while (p-- > 0 && k[p].pos == k[i].pos)
			if (!k[p].dead) {
				before = CL_PUNCT;
				break;
			}
		if (before != CL_PUNCT)
			before = class_before(s, k[i].pos, 0);
		for (; j < m->nmarks && k[j].pos == k[i].pos; j++) {
			if (k[j].dead)
				continue;
			if (k[j].style == S_HTML || delim(&k[j])[0] != ch)
				break;
			closes |= !k[j].open;
			last = j;
		}
		size_t q = last + 1;
		while (q < m->nmarks && k[q].pos == k[i].pos && k[q].dead)
			q++;
		after = (q < m->nmarks && k[q].pos == k[i].pos) ? CL_PUNCT
								 : class_at(s, n, k[i].pos);
		bool left = after != CL_SPACE && (after != CL_PUNCT || before != CL_OTHER);
		bool right = before != CL_SPACE && (before != CL_PUNCT || after != CL_OTHER);
		bool can_open = ch == '_' ? left && (!right || before == CL_PUNCT) : left;
		bool can_close = ch == '_' ? right && (!left || after == CL_PUNCT) : right;
		for (size_t r = i; r <= last; r++) {
			if (k[r].dead)
				continue;
			bool ok = k[r].open ? can_open && !closes : can_close;
			if (!ok) {
				set_style(m, r, S_HTML);
				changed = true;
			}
		}
		i = last + 1;
	}
	return changed;
}

/* The paragraph text with its emphasis delimiters, into dst. */
static void render_marks(struct md *m, struct buf *dst)
{
	if (!m->nmarks) {
		bput(dst, m->text.ptr, m->text.len);
		return;
	}
	prepare_marks(m);
	int pass = 0;
	while (check_marks(m))
		if (++pass >= MD_FLANK_PASSES) {
			for (size_t i = 0; i < m->nmarks; i++)
				m->marks[i].style = S_HTML;
			break;
		}
	size_t at = 0;
	for (size_t i = 0; i < m->nmarks; i++) {
		const struct mark *k = &m->marks[i];
		if (k->dead)
			continue;
		bput(dst, m->text.ptr + at, k->pos - at);
		at = k->pos;
		bputs(dst, delim(k));
	}
	bput(dst, m->text.ptr + at, m->text.len - at);
}

/* ---- flushing a paragraph ------------------------------------------------ */

static void cell_put(struct md *m, const char *s, size_t n);

static bool only_space(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		i += utf8_decode(s + i, n - i, &cp);
		if (!uni_space(cp))
			return false;
	}
	return true;
}

static void write_heading(struct md *m, const char *s, size_t n)
{
	struct buf *l = &m->tmp;
	buf_clear(l);
	for (int i = 0; i < m->hlevel; i++)
		bputc(l, '#');
	bputc(l, ' ');
	/* a trailing run of '#' after a space would be read as the closing
	 * sequence */
	size_t r = n;
	while (r > 0 && s[r - 1] == '#')
		r--;
	bool esc = r < n && (r == 0 || s[r - 1] == ' ');
	for (size_t i = 0; i < n; i++) {
		if (esc && i == r)
			bputc(l, '\\');
		/* one line: a link title may have brought a newline */
		bputc(l, s[i] == '\n' ? ' ' : s[i]);
	}
	begin_block(m, B_HEADING, false);
	out_line(m, l->ptr, l->len);
}

/* Ends the paragraph being built: closes the open inline elements (they
 * re-open in the next paragraph) and writes it where the leaf says. */
static void flush(struct md *m)
{
	for (int i = m->nopen; i-- > 0;)
		close_entry(m, i);
	m->nopen = 0;
	m->space = false;
	m->brk = 0;
	if (m->text.len && !only_space(m->text.ptr, m->text.len)) {
		buf_clear(&m->line);
		render_marks(m, &m->line);
		if (m->leaf == L_CELL)
			cell_put(m, m->line.ptr, m->line.len);
		else if (m->leaf == L_HEADING)
			write_heading(m, m->line.ptr, m->line.len);
		else {
			begin_block(m, B_PARA, false);
			out_lines(m, m->line.ptr, m->line.len, false);
		}
	}
	buf_clear(&m->text);
	m->lstart = 0;
	m->olist = m->lbrack = 0;
	m->nmarks = 0;
}

/* A block boundary inside the current leaf. */
static void boundary(struct md *m)
{
	if (m->leaf == L_NORMAL && m->lflat) {
		if (!m->brk)
			m->brk = 1;
	} else if (m->leaf == L_NORMAL)
		flush(m);
	else if (m->leaf == L_HEADING)
		m->space = true;
	else if (!m->brk)
		m->brk = 1;
}

/* ---- links, images, code ------------------------------------------------- */

static bool dangerous_url(const char *u)
{
	while (*u && (unsigned char)*u <= ' ')
		u++;
	char scheme[12];
	size_t n = 0;
	for (; *u && n < sizeof scheme - 1; u++) {
		if (*u == '\t' || *u == '\n' || *u == '\r')
			continue;
		if (*u == ':')
			break;
		scheme[n++] = (char)(*u | 0x20);
	}
	scheme[n] = '\0';
	return *u == ':' && (!strcmp(scheme, "javascript") || !strcmp(scheme, "data") ||
			     !strcmp(scheme, "vbscript"));
}

/* The URL of attribute value v, trimmed, without tabs and newlines (as
 * browsers read it) and absolutized against the base, into m->url.  False
 * when there is none or it is dangerous. */
static bool get_url(struct md *m, const char *v)
{
	buf_clear(&m->url);
	if (!v || dangerous_url(v))
		return false;
	while (*v && html_space((unsigned char)*v))
		v++;
	struct buf *t = &m->tmp;
	buf_clear(t);
	for (; *v; v++)
		if (*v != '\t' && *v != '\n' && *v != '\r')
			bputc(t, *v);
	while (t->len && html_space((unsigned char)t->ptr[t->len - 1]))
		t->len--;
	bput(t, "", 0);
	const char *base = m->o->base_url;
	if (base && *base && (!t->len || t->ptr[0] == '#')) {
		/* same document: libcurl 7.88 resolves "#x" against the base's
		 * directory, so join by hand */
		bput(&m->url, base, strcspn(base, "#"));
		bput(&m->url, t->ptr, t->len);
		return true;
	}
	if (base && *base && url_resolve(base, buf_cstr(t), &m->url) == 0)
		return true;
	bput(&m->url, buf_cstr(t), t->len);
	return true;
}

/* A link destination: plain when it can be, else in <...>. */
static void put_dest(struct buf *b, const char *u, size_t n)
{
	int depth = 0;
	bool angle = false;
	for (size_t i = 0; i < n && !angle; i++) {
		unsigned char c = (unsigned char)u[i];
		if (c <= ' ' || c == '<' || c == '>' || c == 0x7f)
			angle = true;
		else if (c == '(')
			depth++;
		else if (c == ')' && --depth < 0)
			angle = true;
	}
	if (depth)
		angle = true;
	if (angle)
		bputc(b, '<');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		char c = u[i];
		if (c == '|' || (c == '&' && entity_like(u, n, i))) {
			/* '|': kramdown would see a table row; "&amp;": a
			 * literal "&x;" (kramdown has no "\&") */
			bput(b, u + run, i - run);
			bputs(b, c == '|' ? "%7C" : "&amp;");
			run = i + 1;
		} else if (c == '\\' || (angle && (c == '<' || c == '>'))) {
			bput(b, u + run, i - run);
			bputc(b, '\\');
			run = i;
		}
	}
	bput(b, u + run, n - run);
	if (angle)
		bputc(b, '>');
}

/* s with white space collapsed and trimmed, into b. */
static void collapse(struct buf *b, const char *s)
{
	bool sp = false;
	size_t start = b->len;
	for (; *s; s++) {
		if (html_space((unsigned char)*s)) {
			sp = true;
			continue;
		}
		if (sp && b->len > start)
			bputc(b, ' ');
		sp = false;
		bputc(b, *s);
	}
}

/* An image description: inline text inside brackets. */
static void put_alt(struct md *m, struct buf *b, const char *alt)
{
	struct buf *t = &m->tmp;
	buf_clear(t);
	collapse(t, alt);
	size_t start = b->len;
	for (size_t i = 0; i < t->len; i++) {
		if (!special((unsigned char)t->ptr[i]) || t->ptr[i] == ' ') {
			bputc(b, t->ptr[i]);
			continue;
		}
		enum cls prev = b->len == start ? CL_PUNCT : class_before(b->ptr, b->len, start);
		esc_char(b, prev, true, m->leaf == L_CELL, t->ptr, t->len, i);
	}
}

/* A link title: ' "..."' with what ends or escapes it escaped.  Line
 * breaks in it stay (tooltips show them) when the next line starts with a
 * letter or digit, which cannot start a block. */
static void put_title(struct md *m, struct buf *b, const char *title)
{
	struct buf *t = &m->tmp;
	buf_clear(t);
	if (title)
		collapse(t, title);
	if (!t->len)
		return;
	if (b->len && b->ptr[b->len - 1] == '(')
		bputs(b, "<>"); /* an empty destination before a title */
	while (html_space((unsigned char)*title))
		title++;
	for (size_t i = 0, k = 0; title[i]; i++) {
		if (!html_space((unsigned char)title[i]))
			continue;
		bool nl = false;
		size_t j = i;
		for (; html_space((unsigned char)title[j]); j++)
			nl |= title[j] == '\n';
		while (k < t->len && t->ptr[k] != ' ')
			k++;
		unsigned char c = (unsigned char)title[j];
		if (k < t->len && nl && (c >= 0x80 || (c >= '0' && c <= '9') ||
					 ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')))
			t->ptr[k] = '\n';
		k++;
		i = j - 1;
	}
	bputs(b, " \"");
	for (size_t i = 0; i < t->len; i++) {
		char c = t->ptr[i];
		if (c == '&' && entity_like(t->ptr, t->len, i)) {
			bputs(b, "&amp;");
			continue;
		}
		if (c == '"' ||
		    (c == '\\' && (i + 1 >= t->len || ascii_punct((unsigned char)t->ptr[i + 1]))))
			bputc(b, '\\');
		bputc(b, c);
	}
	bputc(b, '"');
}

/* The URL a browser loads for <img>: src, else (or instead of a data:
 * placeholder) the widest srcset candidate (its URL may hold commas;
 * descriptors follow white space). */
static const char *img_src(xmlNodePtr el, struct buf *b)
{
	const char *src = html_attr(el, "src");
	const char *set = html_attr(el, "srcset");
	for (const char *v = src; v && *v; v++)
		if (!html_space((unsigned char)*v)) {
			if (!dangerous_url(src))
				return src;
			break;
		}
	if (!set)
		return src;
	double best = -1;
	for (const char *p = set; *p;) {
		while (*p && (html_space((unsigned char)*p) || *p == ','))
			p++;
		const char *u = p;
		while (*p && !html_space((unsigned char)*p))
			p++;
		const char *e = p;
		double w = 0;
		if (e > u && e[-1] == ',') {
			while (e > u && e[-1] == ',')
				e--;
		} else {
			const char *d = p;
			while (*p && *p != ',')
				p++;
			w = strtod(d, NULL);
		}
		if (e > u && w > best) {
			best = w;
			buf_clear(b);
			bput(b, u, (size_t)(e - u));
		}
	}
	return best < 0 ? src : buf_cstr(b);
}

/* ![alt](src "title"); an image without any source keeps its alt text as
 * ![alt]() (the description is content), one with a javascript:/data:
 * source is dropped. */
static void add_image(struct md *m, xmlNodePtr el)
{
	const char *src = img_src(el, &m->src);
	const char *alt = html_attr(el, "alt");
	if (src && *src) {
		if (!get_url(m, src))
			return;
	} else {
		buf_clear(&m->url);
		if (!alt || only_space(alt, strlen(alt)))
			return;
	}
	begin_content(m);
	struct buf *t = &m->text;
	bputs(t, "![");
	if (alt)
		put_alt(m, t, alt);
	bputs(t, "](");
	put_dest(t, m->url.ptr, m->url.len);
	put_title(m, t, html_attr(el, "title"));
	bputc(t, ')');
}

/* <a href=U>U</a> becomes <U> when U is a URI that an autolink can hold. */
static bool try_autolink(struct md *m, xmlNodePtr el)
{
	xmlNodePtr c = el->children;
	if (!c || c->next || c->type != XML_TEXT_NODE || !c->content || html_attr(el, "title"))
		return false;
	const char *u = m->url.ptr;
	size_t n = m->url.len;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)u[i] <= ' ' || u[i] == '<' || u[i] == '>' || u[i] == '&' ||
		    u[i] == '\\')
			return false;
	const char *shown = u;
	if (!strncmp(u, "mailto:", 7))
		shown = u + 7;
	else if (strncmp(u, "http://", 7) && strncmp(u, "https://", 8))
		return false;
	const char *t = (const char *)c->content;
	while (html_space((unsigned char)*t))
		t++;
	size_t tn = strlen(t);
	while (tn && html_space((unsigned char)t[tn - 1]))
		tn--;
	if (tn != strlen(shown) || memcmp(t, shown, tn) != 0 || !tn)
		return false;
	if (shown != u && (!memchr(shown, '@', tn) || strpbrk(shown, "()[],;:\"")))
		return false;
	if (html_space((unsigned char)*(const char *)c->content))
		m->space = true;
	begin_content(m);
	bputc(&m->text, '<');
	bput(&m->text, shown, tn);
	bputc(&m->text, '>');
	if (html_space((unsigned char)((const char *)c->content)[strlen((const char *)c->content) - 1]))
		m->space = true;
	return true;
}

static bool blockish(uint8_t kind)
{
	return kind == K_BLOCK || kind == K_HEADING || kind == K_UL || kind == K_OL ||
	       kind == K_LI || kind == K_QUOTE || kind == K_PRE || kind == K_TABLE ||
	       kind == K_TR || kind == K_HR || kind == K_DT || kind == K_FORM;
}

static void newline(struct buf *b)
{
	if (b->len && b->ptr[b->len - 1] != '\n')
		bputc(b, '\n');
}

/* Text of node's subtree into b, as a browser lays it out in <pre>: <br>
 * and block boundaries as newlines; skipped elements left out.  Iterative. */
static void collect_text(struct md *m, xmlNodePtr node, struct buf *b)
{
	xmlNodePtr n = node->children;
	while (n) {
		bool down = false;
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content)
				bputs(b, (const char *)n->content);
		} else if (n->type == XML_ELEMENT_NODE) {
			const struct tagdef *d = tag_of(m, n);
			if (d->kind == K_BR) {
				bputc(b, '\n');
			} else if (d->kind != K_SKIP && (d->kind != K_CONTROL || m->o->whole_page)) {
				if (blockish(d->kind))
					newline(b);
				down = n->children != NULL;
			}
		}
		if (down) {
			n = n->children;
			continue;
		}
		for (;;) { /* leave n, and every parent whose last child it was */
			if (n->type == XML_ELEMENT_NODE && blockish(tag_of(m, n)->kind))
				newline(b);
			if (n == node || n->next)
				break;
			n = n->parent;
		}
		if (n == node)
			break;
		n = n->next;
	}
}

static void add_code_span(struct md *m, xmlNodePtr el)
{
	struct buf *t = &m->tmp;
	buf_clear(t);
	collect_text(m, el, t);
	/* collapse white space like a browser, keeping it outside the span */
	size_t w = 0;
	bool sp = false, lead = false;
	for (size_t i = 0; i < t->len; i++) {
		if (html_space((unsigned char)t->ptr[i])) {
			sp = true;
			continue;
		}
		if (sp) {
			if (w)
				t->ptr[w++] = ' ';
			else
				lead = true;
		}
		sp = false;
		t->ptr[w++] = t->ptr[i];
	}
	t->len = w;
	if (lead || (!w && sp))
		m->space = true;
	if (!w)
		return;
	begin_content(m);
	/* the shortest backtick string that does not occur in the content */
	size_t runs = 0; /* bit r set: a run of r+1 backticks occurs */
	for (size_t i = 0; i < w;) {
		size_t r = 0;
		while (i < w && t->ptr[i] == '`')
			i++, r++;
		if (r && r <= 8 * sizeof runs)
			runs |= (size_t)1 << (r - 1);
		if (!r)
			i++;
	}
	size_t fence = 1;
	while (fence <= 8 * sizeof runs && (runs >> (fence - 1)) & 1)
		fence++;
	bool pad = t->ptr[0] == '`' || t->ptr[w - 1] == '`' ||
		   (t->ptr[0] == ' ' && t->ptr[w - 1] == ' ');
	for (size_t i = 0; i < fence; i++)
		put(m, "`", 1);
	if (pad)
		put(m, " ", 1);
	put(m, t->ptr, w);
	if (pad)
		put(m, " ", 1);
	for (size_t i = 0; i < fence; i++)
		put(m, "`", 1);
	if (sp)
		m->space = true;
}

/* The language of a code block from class="language-x" / "lang-x". */
static void code_lang(xmlNodePtr el, struct buf *b)
{
	const char *c = html_attr(el, "class");
	if (!c && el->children && el->children->type == XML_ELEMENT_NODE && !el->children->next &&
	    !strcmp((const char *)el->children->name, "code"))
		c = html_attr(el->children, "class");
	if (!c)
		return;
	for (const char *p = c; *p;) {
		while (*p && html_space((unsigned char)*p))
			p++;
		const char *s = p;
		while (*p && !html_space((unsigned char)*p))
			p++;
		size_t n = (size_t)(p - s), skip = 0;
		if (n > 9 && !strncmp(s, "language-", 9))
			skip = 9;
		else if (n > 5 && !strncmp(s, "lang-", 5))
			skip = 5;
		if (!skip)
			continue;
		for (size_t i = skip; i < n; i++)
			if (s[i] == '`' || s[i] == '~')
				return;
		bput(b, s + skip, n - skip);
		return;
	}
}

static bool has_link(struct md *m, xmlNodePtr el)
{
	for (xmlNodePtr n = el->children; n;) {
		uint8_t k = n->type == XML_ELEMENT_NODE ? tag_of(m, n)->kind : K_SKIP;
		const char *href = k == K_A ? html_attr(n, "href") : NULL;
		if (href && !dangerous_url(href))
			return true;
		n = html_next(n, el, k != K_SKIP);
	}
	return false;
}

static void html_block(struct md *m, xmlNodePtr table, bool in_pre);

/* <pre> as a fenced code block (info string from its language class); a
 * <pre> holding links as an HTML block, since code blocks cannot link. */
static void add_code_block(struct md *m, xmlNodePtr el)
{
	if (m->leaf == L_NORMAL && has_link(m, el)) {
		html_block(m, el, true);
		return;
	}
	struct buf *t = &m->tmp;
	buf_clear(t);
	collect_text(m, el, t);
	if (m->leaf != L_NORMAL) { /* in a heading: plain text */
		struct buf copy = BUF_INIT;
		bput(&copy, t->ptr, t->len);
		add_text(m, buf_cstr(&copy), copy.len);
		buf_free(&copy);
		return;
	}
	/* the newline before </pre> ends the last line; more are blank lines */
	size_t n = t->len;
	if (n && t->ptr[n - 1] == '\n')
		n--;
	if (only_space(t->ptr, n))
		return;
	size_t longest = 0;
	for (size_t i = 0; i < n;) {
		size_t r = 0;
		while (i < n && t->ptr[i] == '`')
			i++, r++;
		if (r > longest)
			longest = r;
		if (!r)
			i++;
	}
	size_t fence = longest >= 3 ? longest + 1 : 3;
	struct buf *l = &m->line;
	buf_clear(l);
	for (size_t i = 0; i < fence; i++)
		bputc(l, '`');
	size_t flen = l->len;
	code_lang(el, l);
	begin_block(m, B_CODE, false);
	out_line(m, l->ptr, l->len);
	out_lines(m, t->ptr, n, false);
	out_line(m, l->ptr, flen);
}

/* ---- tables ------------------------------------------------------------ */

static void row_start(struct table *t, bool head)
{
	if (t->nrow == t->caprow) {
		t->caprow = t->caprow ? t->caprow * 2 : 8;
		t->rows = xrealloc(t->rows, t->caprow * sizeof *t->rows);
	}
	t->rows[t->nrow++] = (struct trow){t->ncell, 0, head, true};
	t->row_open = true;
}

static void cell_start(struct table *t, bool th)
{
	if (!t->row_open)
		row_start(t, t->in_head);
	if (t->ncell == t->capcell) {
		t->capcell = t->capcell ? t->capcell * 2 : 16;
		t->cell = xrealloc(t->cell, t->capcell * sizeof *t->cell);
	}
	t->cell[t->ncell++] = t->cells.len;
	struct trow *r = &t->rows[t->nrow - 1];
	r->n++;
	r->all_th &= th;
}

/* Cell text: '|' escaped (GFM strips that escape before inline parsing, so
 * it works inside code spans too); no newlines. */
static void cell_put(struct md *m, const char *s, size_t n)
{
	struct buf *b = &m->tab->cells;
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '|' && s[i] != '\n')
			continue;
		bput(b, s + run, i - run);
		bputs(b, s[i] == '|' ? "\\|" : " ");
		run = i + 1;
	}
	bput(b, s + run, n - run);
}

static void table_free(struct table *t)
{
	if (!t)
		return;
	buf_free(&t->cells);
	free(t->cell);
	free(t->rows);
	free(t);
}

static void put_row(struct md *m, const struct table *t, const struct trow *r, size_t ncol)
{
	struct buf *l = &m->line;
	buf_clear(l);
	bputc(l, '|');
	for (size_t c = 0; c < ncol; c++) {
		bputc(l, ' ');
		if (r && c < r->n) {
			size_t k = r->first + c;
			size_t end = k + 1 < t->ncell ? t->cell[k + 1] : t->cells.len;
			bput(l, t->cells.ptr + t->cell[k], end - t->cell[k]);
		}
		bputs(l, " |");
	}
	out_line(m, l->ptr, l->len);
}

static void table_write(struct md *m, struct table *t)
{
	size_t ncol = 0;
	for (size_t i = 0; i < t->nrow; i++)
		if (t->rows[i].n > ncol)
			ncol = t->rows[i].n;
	if (!ncol)
		return;
	size_t body = 0;
	const struct trow *head = NULL;
	if (t->rows[0].head || (t->rows[0].all_th && t->rows[0].n)) {
		head = &t->rows[0];
		body = 1;
	}
	begin_block(m, B_TABLE, false);
	put_row(m, t, head, ncol);
	struct buf *l = &m->line;
	buf_clear(l);
	bputc(l, '|');
	for (size_t c = 0; c < ncol; c++)
		bputs(l, " --- |");
	out_line(m, l->ptr, l->len);
	for (size_t i = body; i < t->nrow; i++)
		if (t->rows[i].n)
			put_row(m, t, &t->rows[i], ncol);
}

/* Can the table be a GFM pipe table?  Not with merged cells or cells
 * holding blocks that pipe-table cells cannot hold. */
static bool table_is_simple(struct md *m, xmlNodePtr table)
{
	xmlNodePtr n = table->children;
	while (n) {
		bool down = false;
		if (n->type == XML_ELEMENT_NODE) {
			const struct tagdef *d = tag_of(m, n);
			switch (d->kind) {
			case K_TABLE:
			case K_UL:
			case K_OL:
			case K_LI:
			case K_PRE:
			case K_QUOTE:
			case K_HEADING:
			case K_DT:
				return false;
			case K_CELL: {
				const char *cs = html_attr(n, "colspan"), *rs = html_attr(n, "rowspan");
				if ((cs && atoi(cs) > 1) || (rs && atoi(rs) > 1))
					return false;
				down = true;
				break;
			}
			case K_SKIP:
				break;
			default:
				down = true;
			}
		}
		n = html_next(n, table, down);
	}
	return true;
}

static bool tag_name_ok(const xmlChar *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

static void html_escape(struct buf *b, const char *s, bool attr_value)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': bputs(b, "&amp;"); break;
		case '<': bputs(b, "&lt;"); break;
		case '>': bputs(b, "&gt;"); break;
		case '"':
			if (attr_value) {
				bputs(b, "&quot;");
				break;
			}
			/* fall through */
		default: bputc(b, *s);
		}
	}
}

static bool html_void(const char *name)
{
	static const char *const v[] = {"area", "br", "col", "embed", "hr", "img", "input",
					"param", "source", "track", "wbr"};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (!strcmp(name, v[i]))
			return true;
	return false;
}

/* An element Markdown cannot express (a table with merged cells, a <pre>
 * holding links), as one HTML block: cleaned (only content attributes
 * kept, URLs absolutized, dangerous ones dropped), white space collapsed
 * outside <pre>.  A table block ends at a blank line, so newlines in its
 * <pre>s are written as &#10;; a <pre> block ends only at </pre> and keeps
 * its newlines (in_pre). */
static void html_block(struct md *m, xmlNodePtr table, bool in_pre)
{
	static const char *const keep[] = {"colspan", "rowspan", "alt", "title", "start",
					   "align", "scope", "headers"};
	struct buf *b = &m->line;
	buf_clear(b);
	int pre = 0;
	bool sp = false;
	xmlNodePtr n = table;
	/* pre-order with explicit parent climbing; `up` marks leaving n */
	bool up = false;
	while (n) {
		if (!up) {
			bool down = false;
			if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
				for (const char *s = (const char *)n->content; s && *s;) {
					if (!pre && html_space((unsigned char)*s)) {
						sp = true;
						s++;
						continue;
					}
					if (sp && b->len && b->ptr[b->len - 1] != '\n')
						bputc(b, ' ');
					sp = false;
					size_t k = pre ? strcspn(s, "&<>\n\r") : strcspn(s, "&<> \t\n\r\f");
					if (k) {
						bput(b, s, k);
						s += k;
						continue;
					}
					switch (*s++) {
					case '&': bputs(b, "&amp;"); break;
					case '<': bputs(b, "&lt;"); break;
					case '>': bputs(b, "&gt;"); break;
					case '\n': bputs(b, in_pre ? "\n" : "&#10;"); break;
					default: break; /* \r */
					}
				}
			} else if (n->type == XML_ELEMENT_NODE) {
				const struct tagdef *d = tag_of(m, n);
				const char *name = (const char *)n->name;
				if (d->kind == K_SKIP || (d->kind == K_CONTROL && !m->o->whole_page) ||
				    (d->kind == K_FORM && !m->o->whole_page)) {
					/* dropped */
				} else if (!tag_name_ok(n->name)) {
					down = true;
				} else {
					bool row = d->kind == K_TR || d->kind == K_THEAD ||
						   !strcmp(name, "tbody") || !strcmp(name, "tfoot") ||
						   !strcmp(name, "caption") || d->kind == K_TABLE;
					if (row && b->len && b->ptr[b->len - 1] != '\n')
						bputc(b, '\n');
					else if (sp && b->len)
						bputc(b, ' ');
					sp = false;
					bputc(b, '<');
					bputs(b, name);
					for (xmlAttrPtr a = n->properties; a; a = a->next) {
						const char *an = (const char *)a->name;
						const char *v = a->children && a->children->content
									? (const char *)a->children->content
									: "";
						bool url = !strcmp(an, "href") || !strcmp(an, "src");
						bool ok = url;
						for (size_t i = 0; !ok && i < sizeof keep / sizeof keep[0]; i++)
							ok = !strcmp(an, keep[i]);
						if (!ok || (url && !get_url(m, v)))
							continue;
						buf_printf(b, " %s=\"", an);
						html_escape(b, url ? buf_cstr(&m->url) : v, true);
						bputc(b, '"');
					}
					bputc(b, '>');
					if (d->kind == K_PRE) {
						pre++;
						/* a parser drops one newline right after <pre> */
						if (n->children && n->children->type == XML_TEXT_NODE &&
						    n->children->content && n->children->content[0] == '\n')
							bputs(b, in_pre ? "\n" : "&#10;");
					}
					down = !html_void(name);
					if (down && !n->children) {
						buf_printf(b, "</%s>", name);
						if (d->kind == K_PRE)
							pre--;
						down = false;
					}
				}
			}
			if (down && n->children) {
				n = n->children;
				continue;
			}
		} else if (n->type == XML_ELEMENT_NODE && tag_name_ok(n->name)) {
			/* leaving an element that was written with children */
			const struct tagdef *d = tag_of(m, n);
			const char *nm = (const char *)n->name;
			if ((d->kind == K_TABLE || d->kind == K_THEAD || !strcmp(nm, "tbody") ||
			     !strcmp(nm, "tfoot")) &&
			    b->len && b->ptr[b->len - 1] != '\n')
				bputc(b, '\n');
			buf_printf(b, "</%s>", (const char *)n->name);
			if (d->kind == K_PRE)
				pre--;
		}
		if (n == table)
			break;
		if (n->next) {
			n = n->next;
			up = false;
		} else {
			n = n->parent;
			up = true;
		}
	}
	begin_block(m, B_HTML, false);
	out_lines(m, b->ptr, b->len, !in_pre);
}

/* ---- the walk ------------------------------------------------------------ */

struct frame {
	xmlNodePtr node, next;     /* the element; its next child to visit */
	const struct tagdef *def;
	int list;                  /* index of the C_LIST container it pushed, or -1 */
	uint8_t pushed;            /* containers it pushed */
	uint8_t saved;             /* leaf before it changed it */
	bool inl;                  /* pushed an inline entry */
	bool leaf;                 /* changed the leaf */
	bool tab;                  /* owns m->tab */
	bool lflat;                /* incremented m->lflat */
};

static bool push_inline(struct md *m, uint8_t kind)
{
	if (m->ninl >= MD_MAX_INLINE)
		return false;
	/* emphasis inside the same emphasis shows nothing more, and kramdown
	 * cannot nest it */
	if (kind == I_EM || kind == I_STRONG || kind == I_DEL)
		for (int i = 0; i < m->ninl; i++)
			if (m->inl[i].kind == kind)
				return false;
	m->inl[m->ninl++] = (struct inl){kind, false, 0};
	return true;
}

static void pop_inline(struct md *m)
{
	int i = --m->ninl;
	if (i < m->nopen) {
		close_entry(m, i);
		m->nopen = i;
	}
	if (m->inl[i].kind == I_LINK) {
		m->link = 0;
		if (!m->inl[i].used) { /* an empty link is still a link (an anchor) */
			begin_content(m);
			put(m, "[", 1);
			put(m, m->ldest.ptr, m->ldest.len);
		}
	}
}

static long num_attr(xmlNodePtr el, const char *name, long dflt)
{
	const char *s = el ? html_attr(el, name) : NULL;
	if (!s)
		return dflt;
	char *end;
	long v = strtol(s, &end, 10);
	if (end == s)
		return dflt;
	return v < 0 ? 0 : v > MD_MAX_START ? MD_MAX_START : v;
}

/* A list needs room for itself and one item. */
static bool push_list(struct md *m, xmlNodePtr el, bool ordered)
{
	if (m->nc + 2 > MD_MAX_NEST + 1)
		return false;
	const struct cont *p = &m->conts[m->nc - 1];
	char b = ordered ? '.' : '-';
	/* two lists in a row would merge into one: switch the marker */
	if (p->last == B_LIST && p->last_bullet == b)
		b = ordered ? ')' : '*';
	struct cont *c = push_cont(m, C_LIST);
	c->ordered = ordered;
	/* a list whose items hold paragraphs is a loose list: CommonMark
	 * renders its items as paragraphs */
	for (xmlNodePtr li = el ? el->children : NULL; li && !c->loose; li = li->next)
		if (li->type == XML_ELEMENT_NODE && tag_of(m, li)->kind == K_LI)
			for (xmlNodePtr k = li->children; k && !c->loose; k = k->next)
				c->loose = k->type == XML_ELEMENT_NODE && !strcmp((const char *)k->name, "p");
	c->bullet = b;
	c->first = c->next = ordered ? num_attr(el, "start", 1) : 1;
	return true;
}

/* An item of the innermost list; cont: continues the previous item
 * (content that sits directly in <ul>, e.g. a nested list). */
static void push_item(struct md *m, xmlNodePtr el, bool cont)
{
	struct cont *l = &m->conts[m->nc - 1];
	uint8_t width = l->width, last = l->prev_last;
	long v = l->ordered ? num_attr(el, "value", l->next) : 0;
	struct cont *c = push_cont(m, C_ITEM);
	if (cont) {
		c->cont = c->marked = c->started = true;
		c->width = width;
		c->last = last;
		return;
	}
	if (l->ordered) {
		snprintf(c->marker, sizeof c->marker, "%ld%c ", v, l->bullet);
		l->next = v < MD_MAX_START ? v + 1 : v;
	} else {
		snprintf(c->marker, sizeof c->marker, "%c ", l->bullet);
	}
	c->width = (uint8_t)strlen(c->marker);
}

static void pop_item(struct md *m)
{
	flush(m);
	struct cont *c = &m->conts[m->nc - 1];
	if (!c->started) { /* an empty item still counts */
		begin_block(m, B_EMPTY, true);
		/* "- " with its space: kramdown needs it to see an item */
		put_prefix(m, m->nc);
		bputc(m->out, '\n');
	}
	struct cont *l = &m->conts[m->nc - 2];
	l->width = c->width;
	l->prev_last = c->last;
	m->nc--;
}

/* Content directly inside <ul>/<ol> (not in an <li>) continues the previous
 * item, as browsers show it.  Before any item it stands on its own (an old
 * way to indent text), except a nested list, which gets an empty item to
 * keep its depth. */
static void list_child(struct md *m, const struct frame *f, xmlNodePtr c)
{
	bool in_cont = m->nc - 1 == f->list + 1, list = false;
	if (c->type == XML_ELEMENT_NODE) {
		const struct tagdef *d = tag_of(m, c);
		list = d->kind == K_UL || d->kind == K_OL;
		if (d->kind == K_LI) {
			if (in_cont)
				pop_item(m);
			return;
		}
		if (d->kind == K_SKIP || d->kind == K_VOID ||
		    ((d->kind == K_CONTROL || d->kind == K_FORM) && !m->o->whole_page))
			return;
	} else if (c->type == XML_TEXT_NODE) {
		const char *s = (const char *)c->content;
		while (s && html_space((unsigned char)*s))
			s++;
		if (!s || !*s)
			return;
	} else {
		return;
	}
	bool prev = m->conts[f->list].width != 0;
	if (in_cont || m->nc - 1 != f->list || (!prev && !list))
		return;
	push_item(m, NULL, prev);
}

/* Does the link hold blocks, and only ones that can become line breaks
 * (div, p, ...: a card or teaser wrapped in <a>)?  Then one link with
 * line breaks keeps it one link; a link around headings, lists or tables
 * is repeated in each block instead. */
static bool link_flattens(struct md *m, xmlNodePtr el)
{
	bool blocks = false;
	xmlNodePtr n = el->children;
	while (n) {
		bool down = false;
		if (n->type == XML_ELEMENT_NODE) {
			switch (tag_of(m, n)->kind) {
			case K_BLOCK:
			case K_FORM:
				blocks = true;
				down = true;
				break;
			case K_HEADING: case K_UL: case K_OL: case K_LI: case K_QUOTE: case K_PRE:
			case K_TABLE: case K_TR: case K_CELL: case K_HR: case K_DT: case K_THEAD:
				return false;
			case K_SKIP:
				break;
			default:
				down = true;
			}
		}
		n = html_next(n, el, down);
	}
	return blocks;
}

static bool enter(struct md *m, struct frame *f)
{
	xmlNodePtr el = f->node;
	const struct tagdef *d = f->def;
	switch ((enum kind)d->kind) {
	case K_SKIP:
	case K_VOID:
		return false;
	case K_CONTROL:
		return m->o->whole_page;
	case K_FORM:
		if (!m->o->whole_page)
			return false;
		boundary(m);
		return true;
	case K_INLINE:
		return true;
	case K_BLOCK:
		boundary(m);
		return true;
	case K_BR:
		if (m->leaf == L_HEADING) {
			m->space = true;
		} else {
			m->brk++;
			m->space = false;
		}
		return false;
	case K_HR:
		boundary(m);
		if (m->leaf == L_NORMAL) {
			begin_block(m, B_HR, false);
			out_line(m, "---", 3);
		}
		return false;
	case K_IMG:
		add_image(m, el);
		return false;
	case K_CODE:
		/* a code span cannot hold a link: keep <code> as HTML then */
		if (has_link(m, el)) {
			f->inl = push_inline(m, I_CODE);
			return true;
		}
		add_code_span(m, el);
		return false;
	case K_PRE:
		boundary(m);
		add_code_block(m, el);
		boundary(m);
		return false;
	case K_EM:
		f->inl = push_inline(m, I_EM);
		return true;
	case K_STRONG:
		f->inl = push_inline(m, I_STRONG);
		return true;
	case K_DEL:
		f->inl = push_inline(m, I_DEL);
		return true;
	case K_SUP:
		f->inl = push_inline(m, I_SUP);
		return true;
	case K_SUB:
		f->inl = push_inline(m, I_SUB);
		return true;
	case K_A:
		if (m->link || !get_url(m, html_attr(el, "href")))
			return true;
		if (try_autolink(m, el))
			return false;
		if (!(f->inl = push_inline(m, I_LINK)))
			return true;
		m->link = m->ninl;
		if (m->leaf == L_NORMAL && link_flattens(m, el)) {
			f->lflat = true;
			m->lflat++;
		}
		buf_clear(&m->ldest);
		bputs(&m->ldest, "](");
		put_dest(&m->ldest, m->url.ptr, m->url.len);
		put_title(m, &m->ldest, html_attr(el, "title"));
		bputc(&m->ldest, ')');
		return true;
	case K_HEADING:
		boundary(m);
		if (m->leaf == L_NORMAL) {
			f->leaf = true;
			f->saved = m->leaf;
			m->leaf = L_HEADING;
			m->hlevel = d->arg;
		}
		return true;
	case K_UL:
	case K_OL:
		boundary(m);
		if (m->leaf == L_NORMAL && push_list(m, el, d->kind == K_OL)) {
			f->list = m->nc - 1;
			f->pushed = 1;
		}
		return true;
	case K_LI:
		boundary(m);
		if (m->leaf != L_NORMAL)
			return true;
		/* an item inside non-item content of a list (<ul><a><li>) is
		 * still an item of that list */
		if (m->conts[m->nc - 1].type == C_ITEM && m->conts[m->nc - 1].cont)
			pop_item(m);
		if (m->conts[m->nc - 1].type == C_LIST) {
			push_item(m, el, false);
			/* the last <li> of a run outside any list closes it */
			f->pushed = m->conts[m->nc - 2].implicit ? 2 : 1;
		} else if (push_list(m, NULL, false)) { /* an <li> outside any list */
			m->conts[m->nc - 1].implicit = true;
			push_item(m, el, false);
			f->pushed = 2;
		}
		return true;
	case K_QUOTE:
		boundary(m);
		if (m->leaf == L_NORMAL && m->nc < MD_MAX_NEST + 1) {
			push_cont(m, C_QUOTE);
			f->pushed = 1;
		}
		return true;
	case K_TABLE:
		boundary(m);
		if (m->leaf != L_NORMAL || m->tab)
			return true;
		if (!table_is_simple(m, el)) {
			html_block(m, el, false);
			return false;
		}
		m->tab = xcalloc(1, sizeof *m->tab);
		f->tab = true;
		return true;
	case K_THEAD:
		if (m->tab)
			m->tab->in_head = true;
		return true;
	case K_TR:
		if (m->tab && m->leaf == L_NORMAL) {
			flush(m);
			row_start(m->tab, m->tab->in_head);
		} else {
			boundary(m);
		}
		return true;
	case K_CELL:
		if (m->tab && m->leaf == L_NORMAL) {
			flush(m);
			cell_start(m->tab, d->arg != 0);
			f->leaf = true;
			f->saved = m->leaf;
			m->leaf = L_CELL;
		} else {
			boundary(m);
		}
		return true;
	case K_DT:
		boundary(m);
		f->inl = push_inline(m, I_STRONG);
		return true;
	}
	return true;
}

/* Is the next sibling element (past white space and comments) an <li>? */
static bool next_is_li(struct md *m, xmlNodePtr n)
{
	for (n = n->next; n; n = n->next) {
		if (n->type == XML_ELEMENT_NODE)
			return tag_of(m, n)->kind == K_LI;
		if (n->type == XML_TEXT_NODE && n->content &&
		    n->content[strspn((const char *)n->content, " \t\n\r\f")])
			return false;
	}
	return false;
}

static void leave(struct md *m, const struct frame *f)
{
	switch ((enum kind)f->def->kind) {
	case K_EM:
	case K_STRONG:
	case K_DEL:
	case K_SUP:
	case K_SUB:
	case K_CODE:
	case K_A:
		if (f->inl)
			pop_inline(m);
		if (f->lflat)
			m->lflat--;
		break;
	case K_DT:
		if (f->inl)
			pop_inline(m);
		boundary(m);
		break;
	case K_BLOCK:
	case K_FORM:
	case K_QUOTE:
		boundary(m);
		if (f->pushed)
			m->nc--;
		break;
	case K_HEADING:
	case K_CELL:
		if (f->leaf) {
			flush(m);
			m->leaf = f->saved;
		} else {
			boundary(m);
		}
		break;
	case K_UL:
	case K_OL:
		boundary(m);
		if (f->list >= 0) {
			if (m->nc - 1 > f->list)
				pop_item(m);
			m->nc--;
		}
		break;
	case K_LI:
		if (f->pushed) {
			pop_item(m);
			if (f->pushed == 2 && !next_is_li(m, f->node))
				m->nc--;
		} else {
			boundary(m);
		}
		break;
	case K_TABLE:
		if (f->tab) {
			flush(m);
			table_write(m, m->tab);
			table_free(m->tab);
			m->tab = NULL;
		} else {
			boundary(m);
		}
		break;
	case K_THEAD:
		if (m->tab)
			m->tab->in_head = false;
		break;
	case K_TR:
		if (m->tab && m->leaf == L_NORMAL)
			m->tab->row_open = false;
		else
			boundary(m);
		break;
	default:
		break;
	}
}

enum nm_code md_render(xmlNodePtr node, const struct md_opts *o, struct buf *out,
		       struct nm_err *e)
{
	static const struct md_opts defaults = {NULL, false};
	static const struct tagdef root = {"", K_BLOCK, 0};
	struct md *m = xcalloc(1, sizeof *m);
	m->o = o ? o : &defaults;
	m->out = out;
	m->conts[0].type = C_ROOT;
	m->conts[0].started = true;
	m->nc = 1;

	size_t cap = 64, sp = 0;
	struct frame *st = xmalloc(cap * sizeof *st);
	if (node && node->type == XML_ELEMENT_NODE)
		st[sp++] = (struct frame){.node = node, .next = node->children, .def = &root, .list = -1};
	while (sp && !out->toobig && !m->text.toobig) {
		struct frame *f = &st[sp - 1];
		xmlNodePtr c = f->next;
		if (!c) {
			leave(m, f);
			sp--;
			continue;
		}
		f->next = c->next;
		if (f->list >= 0)
			list_child(m, f, c);
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			if (c->content)
				add_text(m, (const char *)c->content, strlen((const char *)c->content));
			continue;
		}
		if (c->type != XML_ELEMENT_NODE)
			continue;
		struct frame nf = {.node = c, .next = c->children, .def = tag_of(m, c), .list = -1};
		if (!enter(m, &nf))
			continue;
		if (sp == cap) {
			cap *= 2;
			st = xrealloc(st, cap * sizeof *st);
		}
		st[sp++] = nf;
	}
	flush(m);

	enum nm_code rc = NM_OK;
	if (out->toobig || m->text.toobig || m->line.toobig)
		rc = err_set(e, NM_ELIMIT, "Markdown output exceeds %zu bytes",
			     out->max ? out->max : BUF_DEFAULT_MAX);
	free(st);
	table_free(m->tab);
	buf_free(&m->text);
	buf_free(&m->ldest);
	buf_free(&m->line);
	buf_free(&m->tmp);
	buf_free(&m->url);
	buf_free(&m->src);
	free(m->marks);
	free(m);
	return rc;
}
