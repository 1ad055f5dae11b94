/*
 * sel.c - CSS selector compiler and right-to-left matcher.
 *
 * The compiler is a recursive-descent parser over the selector text (its
 * recursion is bounded by SEL_MAX_NESTING) that produces, for each complex
 * selector, an array of compound selectors joined by combinators.  Names are
 * decoded (CSS escapes) and lower-cased where HTML says they are
 * case-insensitive, so matching is plain byte comparison.
 *
 * The matcher starts at the rightmost compound and walks to parents or
 * previous siblings.  It uses the failure codes of WebKit/Servo's matcher:
 * when the part left of a descendant combinator fails for the nearest
 * ancestor for a reason that a farther ancestor cannot fix, the whole match
 * fails at once, which keeps "a b c d" from backtracking exponentially.
 * Sibling positions (:nth-*) are memoised per call in a small table keyed by
 * parent, so a document-order scan counts each sibling list about once.
 * Nothing is allocated per element.
 */
#include "dom/sel.h"
#include "dom/html.h"
#include "common/buf.h"
#include "common/mem.h"
#include "common/utf8.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Longest selector source quoted back in an error message; longer ones are
 * cut with "..." so the message stays one readable line. */
#define SEL_QUOTE_MAX 120
/* Slots of the per-call :nth-* memo (direct-mapped; a collision only costs
 * a recount). */
#define SEL_NTH_SLOTS 256
/* Slots of the per-call id/class cache (direct-mapped by element address;
 * covers the candidate and the ancestors a match walks through). */
#define SEL_ATTR_SLOTS 64
/* Class tokens an id/class cache entry holds; longer class lists (rare)
 * are searched in place. */
#define SEL_CLASS_TOKENS 12
/* |An+B| coefficients are clamped here, like browsers clamp to int. */
#define SEL_NTH_MAX 1000000000LL

/* ------------------------------------------------------------------ */
/* Compiled form                                                        */

enum comb { C_NONE, C_DESC, C_CHILD, C_NEXT, C_LATER };

enum kind {
	K_ID,
	K_CLASS,
	K_ATTR,
	K_NTH,       /* all :first-child .. :nth-last-of-type forms */
	K_EMPTY,
	K_ROOT,
	K_SCOPE,
	K_LINK,      /* :link, :any-link */
	K_CHECKED,
	K_DISABLED,
	K_ENABLED,
	K_LANG,
	K_NOT,
	K_IS,        /* :is(), :where() */
	K_CONTAINS,
	K_HAS,
};

enum attr_op { A_EXISTS, A_EQ, A_WORD, A_DASH, A_PREFIX, A_SUFFIX, A_SUB };

enum nth_kind { N_CHILD, N_TYPE, N_OF };

struct simple {
	enum kind kind;
	char *name;   /* id, class, attribute name (lower-cased), lang */
	char *orig;   /* attribute name as written (foreign attrs keep case) */
	char *value;  /* attribute value, :contains text */
	size_t vlen;
	enum attr_op op;
	bool icase;   /* attribute i flag */
	bool anyns;   /* [*|name]: also match "prefix:name" */
	bool orig_case; /* orig differs from name (upper case written) */
	enum nth_kind nth;
	bool last;    /* counts from the end */
	long long a, b;
	int *kmp;     /* :contains failure table */
	struct sel *sub; /* :not :is :has, nth "of S" */
};

struct compound {
	char *tag;      /* lower-cased type, NULL = any */
	bool never;     /* |E: elements in no namespace never exist here */
	enum comb comb; /* combinator to the left (C_NONE for the first) */
	struct simple *s;
	size_t n;
	unsigned id;    /* index into the per-scan combinator memos */
};

struct complex {
	struct compound *c;
	size_t n;
	bool relative; /* inside :has(): c[0].comb relates to the anchor */
};

struct sel {
	struct complex *v;
	size_t n;
	char *src;
	unsigned ncomp; /* compounds in the whole tree (top level only) */
	/* which per-scan memos the tree needs (top level only) */
	bool uses_nth, uses_desc, uses_later;
};

/* ------------------------------------------------------------------ */
/* Freeing                                                              */

static void free_simple(struct simple *s)
{
	free(s->name);
	free(s->orig);
	free(s->value);
	free(s->kmp);
	sel_free(s->sub);
}

static void free_compound(struct compound *c)
{
	for (size_t i = 0; i < c->n; i++)
		free_simple(&c->s[i]);
	free(c->s);
	free(c->tag);
}

static void free_complex(struct complex *x)
{
	for (size_t i = 0; i < x->n; i++)
		free_compound(&x->c[i]);
	free(x->c);
}

void sel_free(struct sel *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free_complex(&s->v[i]);
	free(s->v);
	free(s->src);
	free(s);
}

const char *sel_source(const struct sel *s)
{
	return s->src;
}

/* ------------------------------------------------------------------ */
/* Parser                                                               */

struct parser {
	const char *s;
	size_t len, pos;
	int depth;   /* current functional-pseudo nesting */
	bool in_has; /* :has() may not nest */
	unsigned ncomp; /* compounds numbered so far */
	bool uses_nth, uses_desc, uses_later;
	struct nm_err *e;
	bool failed;
};

static unsigned column_at(const struct parser *p, size_t at)
{
	unsigned col = 1;
	for (size_t i = 0; i < at && i < p->len; i++)
		if (((unsigned char)p->s[i] & 0xC0) != 0x80)
			col++;
	return col;
}

__attribute__((format(printf, 3, 4))) static bool fail(struct parser *p, size_t at,
						       const char *fmt, ...)
{
	if (p->failed)
		return false;
	p->failed = true;
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	int qn = (int)(p->len > SEL_QUOTE_MAX ? SEL_QUOTE_MAX : p->len);
	while (qn > 0 && qn < (int)p->len && ((unsigned char)p->s[qn] & 0xC0) == 0x80)
		qn--; /* do not cut a character in half */
	unsigned col = column_at(p, at);
	err_set(p->e, NM_ESELECTOR, "selector '%.*s%s' column %u: %s", qn, p->s,
		(size_t)qn < p->len ? "..." : "", col, what);
	if (p->e)
		p->e->col = col;
	return false;
}

static int peek(const struct parser *p, size_t off)
{
	return p->pos + off < p->len ? (unsigned char)p->s[p->pos + off] : -1;
}

static bool is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_name_char(int c)
{
	return is_name_start(c) || (c >= '0' && c <= '9') || c == '-';
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Skips a comment at pos; false (with error) when unterminated. */
static bool skip_comment(struct parser *p)
{
	size_t start = p->pos;
	const char *end = NULL;
	for (size_t i = p->pos + 2; i + 1 < p->len; i++)
		if (p->s[i] == '*' && p->s[i + 1] == '/') {
			end = p->s + i;
			break;
		}
	if (!end)
		return fail(p, start, "unterminated comment");
	p->pos = (size_t)(end - p->s) + 2;
	return true;
}

/* Skips whitespace and comments; *ws tells whether whitespace was seen. */
static bool skip_ws(struct parser *p, bool *ws)
{
	bool seen = false;
	for (;;) {
		int c = peek(p, 0);
		if (is_ws(c)) {
			seen = true;
			p->pos++;
		} else if (c == '/' && peek(p, 1) == '*') {
			if (!skip_comment(p))
				return false;
		} else {
			break;
		}
	}
	if (ws)
		*ws = seen;
	return true;
}

static bool valid_escape(const struct parser *p, size_t off)
{
	return peek(p, off) == '\\' && peek(p, off + 1) != '\n' && peek(p, off + 1) != '\r' &&
	       peek(p, off + 1) != '\f';
}

static bool ident_starts(const struct parser *p, size_t off)
{
	int c = peek(p, off);
	if (c == '-') {
		int d = peek(p, off + 1);
		return is_name_start(d) || d == '-' || valid_escape(p, off + 1);
	}
	return is_name_start(c) || valid_escape(p, off);
}

/* Consumes "\..." at pos (a valid escape) and appends the code point. */
static void consume_escape(struct parser *p, struct buf *out)
{
	p->pos++; /* backslash */
	int c = peek(p, 0);
	if (c < 0) {
		utf8_encode(out, UTF8_REPLACEMENT);
		return;
	}
	if (is_hex(c)) {
		uint32_t cp = 0;
		for (int i = 0; i < 6 && is_hex(peek(p, 0)); i++) {
			int h = peek(p, 0);
			cp = cp * 16 + (uint32_t)(h <= '9' ? h - '0' : lower(h) - 'a' + 10);
			p->pos++;
		}
		if (peek(p, 0) == '\r' && peek(p, 1) == '\n')
			p->pos += 2;
		else if (is_ws(peek(p, 0)))
			p->pos++;
		if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			cp = UTF8_REPLACEMENT;
		utf8_encode(out, cp);
		return;
	}
	uint32_t cp;
	size_t n = utf8_decode(p->s + p->pos, p->len - p->pos, &cp);
	buf_put(out, p->s + p->pos, n);
	p->pos += n;
}

/* Consumes name characters (and escapes) into out. */
static void consume_name(struct parser *p, struct buf *out)
{
	for (;;) {
		int c = peek(p, 0);
		if (is_name_char(c)) {
			buf_putc(out, c);
			p->pos++;
		} else if (valid_escape(p, 0)) {
			consume_escape(p, out);
		} else {
			break;
		}
	}
}

/* An identifier, or NULL (no error set) when none starts at pos. */
static char *parse_ident(struct parser *p)
{
	if (!ident_starts(p, 0))
		return NULL;
	struct buf b = BUF_INIT;
	consume_name(p, &b);
	return buf_detach(&b);
}

static void ascii_lower(char *s)
{
	for (; *s; s++)
		*s = (char)lower((unsigned char)*s);
}

/* A quoted string at pos; NULL with an error when malformed. */
static char *parse_string(struct parser *p, size_t *len)
{
	int q = peek(p, 0);
	size_t start = p->pos++;
	struct buf b = BUF_INIT;
	for (;;) {
		int c = peek(p, 0);
		if (c < 0) {
			buf_free(&b);
			fail(p, start, "unterminated string");
			return NULL;
		}
		if (c == q) {
			p->pos++;
			break;
		}
		if (c == '\n' || c == '\r' || c == '\f') {
			buf_free(&b);
			fail(p, p->pos, "newline inside a string (escape it as \\a)");
			return NULL;
		}
		if (c == '\\') {
			int d = peek(p, 1);
			if (d < 0) {
				p->pos++;
			} else if (d == '\n' || d == '\f') {
				p->pos += 2;
			} else if (d == '\r') {
				p->pos += peek(p, 2) == '\n' ? 3 : 2;
			} else {
				consume_escape(p, &b);
			}
			continue;
		}
		buf_putc(&b, c);
		p->pos++;
	}
	*len = b.len;
	char *r = buf_detach(&b);
	return r;
}

static struct sel *parse_list(struct parser *p, bool relative, bool nested);

static struct simple *add_simple(struct compound *c, enum kind k)
{
	if ((c->n & (c->n + 1)) == 0)
		c->s = xrealloc(c->s, (c->n * 2 + 2) * sizeof *c->s);
	struct simple *s = &c->s[c->n++];
	memset(s, 0, sizeof *s);
	s->kind = k;
	return s;
}

static bool in_list(const char *const *l, const char *w);

/* Attributes whose values HTML compares ASCII case-insensitively in
 * attribute selectors (HTML standard, "case-sensitivity of selectors"). */
static const char *const html_icase_attrs[] = {
	"accept", "accept-charset", "align", "alink", "axis", "bgcolor", "charset",
	"checked", "clear", "codetype", "color", "compact", "declare", "defer", "dir",
	"direction", "disabled", "enctype", "face", "frame", "hreflang", "http-equiv",
	"lang", "language", "link", "media", "method", "multiple", "nohref", "noresize",
	"noshade", "nowrap", "readonly", "rel", "rev", "rules", "scope", "scrolling",
	"selected", "shape", "target", "text", "type", "valign", "valuetype", "vlink",
	NULL,
};

/* Attribute selector; pos is just after '['. */
static bool parse_attr(struct parser *p, struct compound *c)
{
	if (!skip_ws(p, NULL))
		return false;
	bool anyns = false;
	char *name = NULL;
	/* Namespace forms: [*|a], [|a]; [ns|a] needs @namespace, absent here. */
	if (peek(p, 0) == '*' && peek(p, 1) == '|' && peek(p, 2) != '=') {
		anyns = true;
		p->pos += 2;
	} else if (peek(p, 0) == '|' && peek(p, 1) != '=') {
		p->pos++;
	}
	size_t name_at = p->pos;
	name = parse_ident(p);
	if (!name)
		return fail(p, p->pos, "expected attribute name");
	if (peek(p, 0) == '|' && peek(p, 1) != '=') {
		free(name);
		return fail(p, name_at, "namespace prefixes are not declared in a page; use [*|name] or [name]");
	}
	struct simple *s = add_simple(c, K_ATTR);
	s->orig = name;
	s->name = xstrdup(name);
	ascii_lower(s->name);
	s->orig_case = strcmp(s->name, s->orig) != 0;
	s->anyns = anyns;
	if (!skip_ws(p, NULL))
		return false;
	int ch = peek(p, 0);
	if (ch == ']') {
		p->pos++;
		s->op = A_EXISTS;
		return true;
	}
	if (ch == '=') {
		s->op = A_EQ;
		p->pos++;
	} else if ((ch == '~' || ch == '|' || ch == '^' || ch == '$' || ch == '*') &&
		   peek(p, 1) == '=') {
		s->op = ch == '~' ? A_WORD : ch == '|' ? A_DASH : ch == '^' ? A_PREFIX
						  : ch == '$' ? A_SUFFIX : A_SUB;
		p->pos += 2;
	} else if (ch < 0) {
		return fail(p, p->pos, "expected attribute operator or ']'");
	} else {
		return fail(p, p->pos, "expected ']' or one of = ~= |= ^= $= *=");
	}
	if (!skip_ws(p, NULL))
		return false;
	ch = peek(p, 0);
	if (ch == '"' || ch == '\'') {
		s->value = parse_string(p, &s->vlen);
		if (!s->value)
			return false;
	} else {
		s->value = parse_ident(p);
		if (!s->value) {
			if (ch < 0)
				return fail(p, p->pos, "expected attribute value or ']'");
			return fail(p, p->pos, "expected attribute value (an identifier or a quoted string)");
		}
		s->vlen = strlen(s->value);
	}
	bool quoted = ch == '"' || ch == '\'';
	bool ws;
	if (!skip_ws(p, &ws))
		return false;
	ch = peek(p, 0);
	/* HTML: these attributes' values compare ASCII case-insensitively
	 * unless the selector says `s` */
	s->icase = in_list(html_icase_attrs, s->name);
	if ((ws || quoted) && (ch == 'i' || ch == 'I' || ch == 's' || ch == 'S') &&
	    !is_name_char(peek(p, 1)) && peek(p, 1) != '\\') {
		s->icase = ch == 'i' || ch == 'I';
		p->pos++;
		if (!skip_ws(p, NULL))
			return false;
		ch = peek(p, 0);
	}
	if (ch != ']')
		return fail(p, p->pos, ch < 0 ? "expected ']'" : "expected ']' (or an i/s flag)");
	p->pos++;
	return true;
}

/* An+B (pos after '(' and whitespace). */
static bool parse_anb(struct parser *p, long long *a, long long *b)
{
	size_t start = p->pos;
	const char *expected = "expected An+B (like 2n+1, odd, even, 3)";
	if (ident_starts(p, 0) && peek(p, 0) != '-' && lower(peek(p, 0)) != 'n') {
		char *w = parse_ident(p);
		bool odd = !strcasecmp(w, "odd"), even = !strcasecmp(w, "even");
		free(w);
		if (!odd && !even)
			return fail(p, start, "%s", expected);
		*a = 2;
		*b = odd ? 1 : 0;
		return true;
	}
	long long sign = 1, coef = -1;
	if (peek(p, 0) == '+' || peek(p, 0) == '-') {
		sign = peek(p, 0) == '-' ? -1 : 1;
		p->pos++;
	}
	if (peek(p, 0) >= '0' && peek(p, 0) <= '9') {
		coef = 0;
		while (peek(p, 0) >= '0' && peek(p, 0) <= '9') {
			if (coef < SEL_NTH_MAX)
				coef = coef * 10 + (peek(p, 0) - '0');
			p->pos++;
		}
		if (coef > SEL_NTH_MAX)
			coef = SEL_NTH_MAX;
	}
	if (lower(peek(p, 0)) != 'n') {
		if (coef < 0)
			return fail(p, p->pos, "%s", expected);
		*a = 0;
		*b = sign * coef;
		return true;
	}
	p->pos++; /* n */
	*a = sign * (coef < 0 ? 1 : coef);
	*b = 0;
	if (is_name_char(peek(p, 0)) && peek(p, 0) != '-')
		return fail(p, p->pos, "%s", expected);
	size_t after_n = p->pos;
	if (!skip_ws(p, NULL))
		return false;
	int c = peek(p, 0);
	if (c == '+' || c == '-') {
		long long s2 = c == '-' ? -1 : 1;
		p->pos++;
		if (!skip_ws(p, NULL))
			return false;
		if (!(peek(p, 0) >= '0' && peek(p, 0) <= '9'))
			return fail(p, p->pos, "expected a number after '%c' in An+B", c);
		long long v = 0;
		while (peek(p, 0) >= '0' && peek(p, 0) <= '9') {
			if (v < SEL_NTH_MAX)
				v = v * 10 + (peek(p, 0) - '0');
			p->pos++;
		}
		if (v > SEL_NTH_MAX)
			v = SEL_NTH_MAX;
		*b = s2 * v;
	} else if (c >= '0' && c <= '9') {
		return fail(p, p->pos, "expected '+' or '-' before the number in An+B");
	} else {
		p->pos = after_n; /* leave the whitespace for " of S" */
	}
	return true;
}

static bool close_paren(struct parser *p)
{
	if (!skip_ws(p, NULL))
		return false;
	if (peek(p, 0) != ')')
		return fail(p, p->pos, peek(p, 0) < 0 ? "expected ')'" : "expected ')' here");
	p->pos++;
	return true;
}

/* Builds the Knuth-Morris-Pratt failure table for :contains(). */
static int *kmp_table(const char *w, size_t n)
{
	int *t = xmalloc((n + 1) * sizeof *t);
	t[0] = -1;
	int k = -1;
	for (size_t i = 0; i < n; i++) {
		while (k >= 0 && w[k] != w[i])
			k = t[k];
		k++;
		t[i + 1] = (i + 1 < n && w[i + 1] == w[k]) ? t[k] : k;
	}
	return t;
}

static const char *const interaction[] = {
	"hover", "active", "focus", "focus-within", "focus-visible", "visited",
	"target", "target-within", "current", "past", "future", "playing",
	"paused", "user-invalid", "user-valid", NULL,
};
static const char *const pseudo_elements[] = {
	"before", "after", "first-line", "first-letter", "selection",
	"placeholder", "marker", "backdrop", NULL,
};
static const char *const jquery[] = {
	"first", "last", "eq", "gt", "lt", "even", "odd", "header", "input",
	"button", "text", "visible", "hidden", "selected", "parent", "animated",
	"image", "password", "radio", "checkbox", "submit", "reset", "file", NULL,
};

static bool in_list(const char *const *l, const char *w)
{
	for (; *l; l++)
		if (!strcasecmp(*l, w))
			return true;
	return false;
}

/* Pseudo-class; pos is just after ':'. */
static bool parse_pseudo(struct parser *p, struct compound *c)
{
	size_t at = p->pos - 1;
	if (peek(p, 0) == ':') {
		p->pos++;
		char *w = parse_ident(p);
		fail(p, at, "pseudo-element '::%s' never selects elements; select its element", w ? w : "");
		free(w);
		return false;
	}
	char *w = parse_ident(p);
	if (!w)
		return fail(p, p->pos, "expected a pseudo-class name after ':'");
	ascii_lower(w);
	bool fn = peek(p, 0) == '(';
	struct simple *s = NULL;
	bool ok = true;
	if (!fn) {
		static const struct {
			const char *name;
			enum kind k;
			enum nth_kind nth;
			bool last;
			long long a, b;
		} plain[] = {
			{"first-child", K_NTH, N_CHILD, false, 0, 1},
			{"last-child", K_NTH, N_CHILD, true, 0, 1},
			{"first-of-type", K_NTH, N_TYPE, false, 0, 1},
			{"last-of-type", K_NTH, N_TYPE, true, 0, 1},
			{"empty", K_EMPTY, N_CHILD, false, 0, 0},
			{"root", K_ROOT, N_CHILD, false, 0, 0},
			{"scope", K_SCOPE, N_CHILD, false, 0, 0},
			{"link", K_LINK, N_CHILD, false, 0, 0},
			{"any-link", K_LINK, N_CHILD, false, 0, 0},
			{"checked", K_CHECKED, N_CHILD, false, 0, 0},
			{"disabled", K_DISABLED, N_CHILD, false, 0, 0},
			{"enabled", K_ENABLED, N_CHILD, false, 0, 0},
		};
		for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
			if (!strcmp(w, plain[i].name)) {
				s = add_simple(c, plain[i].k);
				s->nth = plain[i].nth;
				s->last = plain[i].last;
				s->a = plain[i].a;
				s->b = plain[i].b;
			}
		if (!s && (!strcmp(w, "only-child") || !strcmp(w, "only-of-type"))) {
			enum nth_kind k = w[5] == 'c' ? N_CHILD : N_TYPE;
			s = add_simple(c, K_NTH);
			s->nth = k;
			s->b = 1;
			s = add_simple(c, K_NTH);
			s->nth = k;
			s->b = 1;
			s->last = true;
		}
		if (!s) {
			if (in_list(pseudo_elements, w))
				ok = fail(p, at, "pseudo-element ':%s' never selects elements; select its element", w);
			else if (in_list(interaction, w))
				ok = fail(p, at, "':%s' depends on user interaction and never matches a saved page", w);
			else if (in_list(jquery, w))
				ok = fail(p, at, "':%s' is a jQuery extension, not CSS; use :first-child, :nth-child() or the step's pick:", w);
			else
				ok = fail(p, at, "unknown pseudo-class ':%s'", w);
		}
		free(w);
		return ok;
	}
	p->pos++; /* ( */
	if (!skip_ws(p, NULL)) {
		free(w);
		return false;
	}
	if (!strcmp(w, "not") || !strcmp(w, "is") || !strcmp(w, "where") ||
	    !strcmp(w, "matches") || !strcmp(w, "has")) {
		bool has = !strcmp(w, "has");
		if (has && p->in_has) {
			fail(p, at, ":has() cannot be nested inside :has()");
			free(w);
			return false;
		}
		if (p->depth >= SEL_MAX_NESTING) {
			fail(p, at, "selector nesting deeper than %d", SEL_MAX_NESTING);
			free(w);
			return false;
		}
		bool saved = p->in_has;
		p->in_has = p->in_has || has;
		p->depth++;
		struct sel *sub = parse_list(p, has, true);
		p->depth--;
		p->in_has = saved;
		if (!sub) {
			free(w);
			return false;
		}
		s = add_simple(c, has ? K_HAS : !strcmp(w, "not") ? K_NOT : K_IS);
		s->sub = sub;
		free(w);
		return close_paren(p);
	}
	if (!strncmp(w, "nth-", 4)) {
		enum nth_kind k;
		bool last;
		if (!strcmp(w, "nth-child") || !strcmp(w, "nth-last-child"))
			k = N_CHILD;
		else if (!strcmp(w, "nth-of-type") || !strcmp(w, "nth-last-of-type"))
			k = N_TYPE;
		else {
			fail(p, at, "unknown pseudo-class ':%s()'", w);
			free(w);
			return false;
		}
		last = !strncmp(w, "nth-last-", 9);
		free(w);
		long long a = 0, b = 0;
		if (!parse_anb(p, &a, &b))
			return false;
		s = add_simple(c, K_NTH);
		s->nth = k;
		s->last = last;
		s->a = a;
		s->b = b;
		bool ws;
		if (!skip_ws(p, &ws))
			return false;
		if (k == N_CHILD && ws && lower(peek(p, 0)) == 'o' && lower(peek(p, 1)) == 'f' &&
		    (is_ws(peek(p, 2)) || peek(p, 2) == '/')) {
			p->pos += 2;
			if (!skip_ws(p, NULL))
				return false;
			if (p->depth >= SEL_MAX_NESTING)
				return fail(p, at, "selector nesting deeper than %d", SEL_MAX_NESTING);
			p->depth++;
			struct sel *sub = parse_list(p, false, true);
			p->depth--;
			if (!sub)
				return false;
			s = &c->s[c->n - 1];
			s->sub = sub;
			s->nth = N_OF;
		}
		return close_paren(p);
	}
	if (!strcmp(w, "contains") || !strcmp(w, "lang")) {
		bool contains = w[0] == 'c';
		free(w);
		s = add_simple(c, contains ? K_CONTAINS : K_LANG);
		int q = peek(p, 0);
		if (q == '"' || q == '\'') {
			s->value = parse_string(p, &s->vlen);
			if (!s->value)
				return false;
		} else if (contains) {
			/* jQuery also takes unquoted text up to ')' */
			size_t st = p->pos;
			while (peek(p, 0) >= 0 && peek(p, 0) != ')')
				p->pos++;
			size_t en = p->pos;
			while (en > st && is_ws((unsigned char)p->s[en - 1]))
				en--;
			if (en == st)
				return fail(p, st, "expected the text to look for");
			s->value = xstrndup(p->s + st, en - st);
			s->vlen = en - st;
		} else {
			s->value = parse_ident(p);
			if (!s->value)
				return fail(p, p->pos, "expected a language code");
			s->vlen = strlen(s->value);
		}
		if (contains)
			s->kmp = kmp_table(s->value, s->vlen);
		return close_paren(p);
	}
	if (in_list(jquery, w))
		ok = fail(p, at, "':%s()' is a jQuery extension, not CSS; use :nth-child() or the step's pick:", w);
	else if (in_list(interaction, w))
		ok = fail(p, at, "':%s()' depends on user interaction and never matches a saved page", w);
	else
		ok = fail(p, at, "unknown pseudo-class ':%s()'", w);
	free(w);
	return ok;
}

/* Evaluation cost class of a simple selector: cheap tests run first. */
static int cost(enum kind k)
{
	switch (k) {
	case K_ID: return 0;
	case K_CLASS: return 1;
	case K_ATTR: return 2;
	case K_NOT:
	case K_IS: return 4;
	case K_LANG:
	case K_CHECKED:
	case K_DISABLED:
	case K_ENABLED: return 5;
	case K_CONTAINS: return 6;
	case K_HAS: return 7;
	default: return 3;
	}
}

static void sort_simples(struct compound *c)
{
	/* insertion sort: stable, compounds are short */
	for (size_t i = 1; i < c->n; i++) {
		struct simple t = c->s[i];
		size_t j = i;
		while (j > 0 && cost(c->s[j - 1].kind) > cost(t.kind)) {
			c->s[j] = c->s[j - 1];
			j--;
		}
		c->s[j] = t;
	}
}

/* Compound selector; false with an error, or with nothing consumed
 * (*empty set) when no compound starts here. */
static bool parse_compound(struct parser *p, struct compound *c, bool *empty)
{
	size_t start = p->pos;
	*empty = false;
	/* type selector, with optional namespace prefix */
	int ch = peek(p, 0);
	if (ch == '*' || ch == '|' || ident_starts(p, 0)) {
		char *name = NULL;
		bool star = false, none = false;
		if (ch == '*') {
			star = true;
			p->pos++;
		} else if (ch != '|') {
			name = parse_ident(p);
		}
		if (peek(p, 0) == '|' && peek(p, 1) != '=') {
			if (!star && name) {
				free(name);
				return fail(p, start, "namespace prefixes are not declared in a page; use *|name or name");
			}
			none = !star;
			p->pos++;
			star = false;
			if (peek(p, 0) == '*') {
				star = true;
				p->pos++;
			} else {
				name = parse_ident(p);
				if (!name)
					return fail(p, p->pos, "expected an element name or '*' after '|'");
			}
		}
		if (name) {
			ascii_lower(name);
			c->tag = name;
		}
		c->never = none;
	}
	for (;;) {
		ch = peek(p, 0);
		if (ch == '/' && peek(p, 1) == '*') {
			if (!skip_comment(p))
				return false;
			continue;
		}
		if (ch == '#') {
			p->pos++;
			char *id = parse_ident(p);
			if (!id)
				return fail(p, p->pos, "expected an identifier after '#' (escape a leading digit: #\\31 0)");
			add_simple(c, K_ID)->name = id;
		} else if (ch == '.') {
			p->pos++;
			char *cl = parse_ident(p);
			if (!cl)
				return fail(p, p->pos, "expected a class name after '.'");
			struct simple *sc = add_simple(c, K_CLASS);
			sc->name = cl;
			sc->vlen = strlen(cl);
		} else if (ch == '[') {
			p->pos++;
			if (!parse_attr(p, c))
				return false;
		} else if (ch == ':') {
			p->pos++;
			if (!parse_pseudo(p, c))
				return false;
		} else {
			break;
		}
	}
	if (p->pos == start)
		*empty = true;
	else if (ident_starts(p, 0) || peek(p, 0) == '*')
		return fail(p, p->pos, "a type selector must come first in a compound selector");
	sort_simples(c);
	return true;
}

static const char *comb_str(enum comb k)
{
	return k == C_CHILD ? ">" : k == C_NEXT ? "+" : k == C_LATER ? "~" : "' '";
}

/* Byte length of the character at pos (0 at the end), for messages. */
static int char_len(const struct parser *p)
{
	if (p->pos >= p->len)
		return 0;
	uint32_t cp;
	return (int)utf8_decode(p->s + p->pos, p->len - p->pos, &cp);
}

static bool at_list_end(const struct parser *p, bool nested)
{
	int c = peek(p, 0);
	return c < 0 || c == ',' || (nested && c == ')');
}

/* Complex selector (relative: may start with a combinator). */
static bool parse_complex(struct parser *p, struct complex *x, bool relative, bool nested)
{
	x->relative = relative;
	enum comb pending = relative ? C_DESC : C_NONE;
	if (relative) {
		int ch = peek(p, 0);
		if (ch == '>' || ch == '+' || ch == '~') {
			pending = ch == '>' ? C_CHILD : ch == '+' ? C_NEXT : C_LATER;
			p->pos++;
			if (!skip_ws(p, NULL))
				return false;
		}
	}
	for (;;) {
		if (x->n >= SEL_MAX_COMPOUNDS)
			return fail(p, p->pos, "more than %d compound selectors in a row", SEL_MAX_COMPOUNDS);
		if ((x->n & (x->n + 1)) == 0)
			x->c = xrealloc(x->c, (x->n * 2 + 2) * sizeof *x->c);
		struct compound *c = &x->c[x->n];
		memset(c, 0, sizeof *c);
		bool empty;
		bool ok = parse_compound(p, c, &empty);
		if (!ok || empty) {
			free_compound(c);
			if (!ok)
				return false;
			int ch = peek(p, 0);
			int cl = char_len(p);
			const char *at = p->s + p->pos;
			if (x->n == 0 && relative && pending != C_DESC)
				return fail(p, p->pos, ch < 0 ? "expected a selector after '%s'"
							  : "expected a selector after '%s', found '%.*s'",
					    comb_str(pending), cl, at);
			if (x->n == 0)
				return fail(p, p->pos, ch < 0 ? "expected a selector%.*s"
							  : "expected a selector, found '%.*s'", cl, at);
			if (pending == C_DESC)
				return fail(p, p->pos, "unexpected '%.*s'", cl, at);
			return fail(p, p->pos, ch < 0 ? "expected a selector after '%s'"
						  : "expected a selector after '%s', found '%.*s'",
				    comb_str(pending), cl, at);
		}
		c->comb = pending;
		c->id = p->ncomp++;
		p->uses_desc |= pending == C_DESC;
		p->uses_later |= pending == C_LATER;
		for (size_t i = 0; i < c->n; i++)
			p->uses_nth |= c->s[i].kind == K_NTH;
		x->n++;
		bool ws;
		if (!skip_ws(p, &ws))
			return false;
		int ch = peek(p, 0);
		if (ch == '>' || ch == '+' || ch == '~') {
			pending = ch == '>' ? C_CHILD : ch == '+' ? C_NEXT : C_LATER;
			p->pos++;
			if (!skip_ws(p, NULL))
				return false;
			continue;
		}
		if (at_list_end(p, nested))
			return true;
		if (!ws)
			return fail(p, p->pos, "unexpected '%.*s'", char_len(p), p->s + p->pos);
		pending = C_DESC;
	}
}

/* Selector list up to EOF (top level) or ')' (nested; not consumed). */
static struct sel *parse_list(struct parser *p, bool relative, bool nested)
{
	struct sel *s = xcalloc(1, sizeof *s);
	for (;;) {
		if (!skip_ws(p, NULL))
			break;
		if ((s->n & (s->n + 1)) == 0)
			s->v = xrealloc(s->v, (s->n * 2 + 2) * sizeof *s->v);
		struct complex *x = &s->v[s->n];
		memset(x, 0, sizeof *x);
		if (!parse_complex(p, x, relative, nested)) {
			free_complex(x);
			break;
		}
		s->n++;
		if (!skip_ws(p, NULL))
			break;
		int ch = peek(p, 0);
		if (ch == ',') {
			p->pos++;
			continue;
		}
		if (nested && ch == ')')
			return s;
		if (ch < 0 && !nested)
			return s;
		if (ch < 0)
			fail(p, p->pos, "expected ')'");
		else
			fail(p, p->pos, "unexpected '%.*s'", char_len(p), p->s + p->pos);
		break;
	}
	sel_free(s);
	return NULL;
}

enum nm_code sel_compile(const char *src, struct sel **out, struct nm_err *e)
{
	*out = NULL;
	struct parser p = {.s = src ? src : "", .e = e};
	p.len = strlen(p.s);
	if (p.len > SEL_MAX_LEN) {
		p.len = SEL_QUOTE_MAX;
		fail(&p, 0, "selector longer than %d bytes", SEL_MAX_LEN);
		return NM_ESELECTOR;
	}
	struct sel *s = parse_list(&p, false, false);
	if (!s)
		return NM_ESELECTOR;
	s->src = xstrdup(p.s);
	s->ncomp = p.ncomp;
	s->uses_nth = p.uses_nth;
	s->uses_desc = p.uses_desc;
	s->uses_later = p.uses_later;
	*out = s;
	return NM_OK;
}

/* ------------------------------------------------------------------ */
/* DOM helpers                                                          */

static bool is_el(xmlNodePtr n)
{
	return n->type == XML_ELEMENT_NODE;
}

static bool name_is(xmlNodePtr n, const char *name)
{
	return n->name && n->name[0] == (unsigned char)name[0] &&
	       !strcmp((const char *)n->name, name);
}

static bool is_template(xmlNodePtr n)
{
	return name_is(n, "template");
}

/* Parent element within the document tree (a <template>'s contents have
 * none, as in the DOM). */
static xmlNodePtr parent_el(xmlNodePtr n)
{
	xmlNodePtr p = n->parent;
	if (!p || p->type != XML_ELEMENT_NODE || is_template(p))
		return NULL;
	return p;
}

static xmlNodePtr prev_el(xmlNodePtr n)
{
	for (n = n->prev; n; n = n->prev)
		if (is_el(n))
			return n;
	return NULL;
}

static xmlNodePtr next_el(xmlNodePtr n)
{
	for (n = n->next; n; n = n->next)
		if (is_el(n))
			return n;
	return NULL;
}

static xmlNodePtr first_el_child(xmlNodePtr n)
{
	if (is_template(n))
		return NULL;
	for (n = n->children; n; n = n->next)
		if (is_el(n))
			return n;
	return NULL;
}

/* Next element after n in document order, staying below stop; a
 * <template>'s contents are not part of the document. */
static xmlNodePtr walk_next(xmlNodePtr n, xmlNodePtr stop)
{
	do
		n = html_next(n, stop, !is_template(n));
	while (n && !is_el(n));
	return n;
}

static const char *attr_value(xmlAttrPtr a)
{
	xmlNodePtr t = a->children;
	return t && t->content ? (const char *)t->content : "";
}

static bool is_doc(xmlNodePtr n)
{
	return n && (n->type == XML_DOCUMENT_NODE || n->type == XML_HTML_DOCUMENT_NODE);
}

/* ------------------------------------------------------------------ */
/* Matcher                                                              */

struct nth_slot {
	xmlNodePtr parent;
	const void *key;
	xmlNodePtr node;
	long long fwd, bwd;
};

/* "Some ancestor-or-self of node matches the compounds left of a
 * descendant combinator": consecutive elements in document order share
 * ancestors, so each lookup walks only up to the previous one's parent. */
struct desc_slot {
	xmlNodePtr node;
	bool found;
};

/* "Some element among parent's children up to `upto` matches the compounds
 * left of a ~ combinator": keeps "x ~ y" linear on long sibling lists.
 * Kept per (parent, compound) in a direct-mapped table of SEL_NTH_SLOTS,
 * because a document-order scan interleaves several sibling lists. */
struct later_slot {
	xmlNodePtr parent, upto;
	unsigned id;
	bool found;
};

/* An element's id and class values, looked up once per element and scan
 * (a selector list tests them once per complex selector). */
struct idcls {
	xmlNodePtr el;
	const char *id, *cls;
	/* the class tokens as (offset, length), when they fit */
	unsigned ntok;  /* SEL_CLASS_TOKENS + 1 = did not fit */
	struct {
		uint16_t off, len;
	} tok[SEL_CLASS_TOKENS];
};

struct mctx {
	xmlNodePtr scope;       /* :scope element, NULL = :root */
	struct nth_slot *memo;  /* SEL_NTH_SLOTS entries, or NULL */
	struct desc_slot *desc; /* indexed by compound id, or NULL */
	struct later_slot *later; /* SEL_NTH_SLOTS entries, or NULL */
	struct idcls *attrs;    /* SEL_ATTR_SLOTS entries, or NULL */
	bool quirks;            /* quirks-mode page: ids and classes ignore ASCII case */
};

static bool ws_byte(char c);
static bool eq_n(const char *a, const char *b, size_t n, bool icase);
static bool has_word(const char *v, const char *w, size_t wn, bool icase);

/* The id and class of el: the per-scan cache entry, or *tmp filled when
 * there is no cache. */
static const struct idcls *id_class(const struct mctx *cx, xmlNodePtr el, struct idcls *tmp)
{
	struct idcls *slot = tmp;
	if (cx->attrs) {
		slot = &cx->attrs[((uintptr_t)el >> 5) % SEL_ATTR_SLOTS];
		if (slot->el == el)
			return slot;
	}
	struct idcls r;
	r.el = el;
	r.id = r.cls = NULL;
	r.ntok = 0;
	for (xmlAttrPtr a = el->properties; a; a = a->next) {
		const char *n = (const char *)a->name;
		if (n[0] == 'i' && n[1] == 'd' && !n[2])
			r.id = attr_value(a);
		else if (n[0] == 'c' && !strcmp(n, "class"))
			r.cls = attr_value(a);
	}
	/* split the class list once; every class test then compares tokens */
	for (const char *v = r.cls; v && *v && r.ntok <= SEL_CLASS_TOKENS;) {
		while (ws_byte(*v))
			v++;
		const char *st = v;
		while (*v && !ws_byte(*v))
			v++;
		if (v == st)
			break;
		if (r.ntok == SEL_CLASS_TOKENS || st - r.cls > UINT16_MAX || v - st > UINT16_MAX) {
			r.ntok = SEL_CLASS_TOKENS + 1;
			break;
		}
		r.tok[r.ntok].off = (uint16_t)(st - r.cls);
		r.tok[r.ntok].len = (uint16_t)(v - st);
		r.ntok++;
	}
	*slot = r;
	return slot;
}

/* True when el's class list holds the class s->name. */
static bool has_class(const struct mctx *cx, const struct simple *s, xmlNodePtr el)
{
	struct idcls tmp;
	const struct idcls *slot = id_class(cx, el, &tmp);
	if (!slot->cls)
		return false;
	if (slot->ntok > SEL_CLASS_TOKENS)
		return has_word(slot->cls, s->name, s->vlen, cx->quirks);
	for (unsigned i = 0; i < slot->ntok; i++)
		if (slot->tok[i].len == s->vlen &&
		    eq_n(slot->cls + slot->tok[i].off, s->name, s->vlen, cx->quirks))
			return true;
	return false;
}

static bool doc_quirks(xmlNodePtr n)
{
	return n && n->doc && (n->doc->properties & HTML_DOC_QUIRKS);
}

enum mres { M_OK, M_RESTART_SIB, M_RESTART_DESC, M_GLOBAL };

static bool match_list(const struct mctx *cx, const struct sel *s, xmlNodePtr el);

static bool ws_byte(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool eq_n(const char *a, const char *b, size_t n, bool icase)
{
	if (!icase)
		return memcmp(a, b, n) == 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return false;
	return true;
}

/* True when the whitespace-separated list v contains the word w. */
static bool has_word(const char *v, const char *w, size_t wn, bool icase)
{
	if (!wn)
		return false;
	if (!icase) {
		/* find w (the C library's search), then check that it is a
		 * whole word */
		for (const char *f = v; (f = strstr(f, w)) != NULL; f++) {
			if ((f == v || ws_byte(f[-1])) && (!f[wn] || ws_byte(f[wn])))
				return true;
		}
		return false;
	}
	while (*v) {
		while (ws_byte(*v))
			v++;
		const char *st = v;
		while (*v && !ws_byte(*v))
			v++;
		if ((size_t)(v - st) == wn && eq_n(st, w, wn, icase))
			return true;
	}
	return false;
}

static bool has_ws(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ws_byte(s[i]))
			return true;
	return false;
}

static bool attr_op_ok(const struct simple *s, const char *v)
{
	size_t n = strlen(v), m = s->vlen;
	switch (s->op) {
	case A_EXISTS:
		return true;
	case A_EQ:
		return n == m && eq_n(v, s->value, m, s->icase);
	case A_WORD:
		return !has_ws(s->value, m) && has_word(v, s->value, m, s->icase);
	case A_DASH:
		return n >= m && eq_n(v, s->value, m, s->icase) && (n == m || v[m] == '-');
	case A_PREFIX:
		return m && n >= m && eq_n(v, s->value, m, s->icase);
	case A_SUFFIX:
		return m && n >= m && eq_n(v + n - m, s->value, m, s->icase);
	case A_SUB:
		if (!m || n < m)
			return false;
		if (!s->icase)
			return memmem(v, n, s->value, m) != NULL;
		for (size_t i = 0; i + m <= n; i++)
			if (eq_n(v + i, s->value, m, true))
				return true;
		return false;
	}
	return false;
}

static bool same_name(const char *a, const char *b)
{
	return a[0] == b[0] && !strcmp(a, b);
}

static bool match_attr(const struct simple *s, xmlNodePtr el)
{
	for (xmlAttrPtr a = el->properties; a; a = a->next) {
		const char *an = (const char *)a->name;
		bool named = same_name(an, s->name) || (s->orig_case && same_name(an, s->orig));
		if (!named && s->anyns) {
			const char *colon = strchr(an, ':');
			named = colon && (!strcmp(colon + 1, s->name) || !strcmp(colon + 1, s->orig));
		}
		if (named && attr_op_ok(s, attr_value(a)))
			return true;
	}
	return false;
}

static bool nth_pred(const struct mctx *cx, const struct simple *s, xmlNodePtr n,
		     xmlNodePtr el)
{
	if (!is_el(n))
		return false;
	switch (s->nth) {
	case N_CHILD: return true;
	case N_TYPE: return n->name == el->name || !strcmp((const char *)n->name, (const char *)el->name);
	case N_OF: return match_list(cx, s->sub, n);
	}
	return false;
}

/* 1-based position of el among its siblings satisfying the predicate,
 * from the front (*fwd) and from the back (*bwd). */
static void nth_pos(const struct mctx *cx, const struct simple *s, xmlNodePtr el,
		    long long *fwd, long long *bwd)
{
	xmlNodePtr parent = el->parent;
	const void *key = s->nth == N_CHILD ? NULL : s->nth == N_TYPE ? (const void *)el->name
								    : (const void *)s->sub;
	struct nth_slot *slot = NULL;
	if (cx->memo && parent) {
		uintptr_t h = ((uintptr_t)parent >> 4) ^ ((uintptr_t)key >> 3) ^ (uintptr_t)s->nth;
		slot = &cx->memo[(h ^ (h >> 9)) % SEL_NTH_SLOTS];
		struct nth_slot seen = *slot; /* nested matching may reuse the slot */
		if (seen.parent == parent && seen.key == key && seen.node) {
			long long k = 0;
			for (xmlNodePtr n = el; n; n = n->prev) {
				if (n == seen.node) {
					*fwd = seen.fwd + k;
					*bwd = seen.bwd - k;
					*slot = (struct nth_slot){parent, key, el, *fwd, *bwd};
					return;
				}
				if (nth_pred(cx, s, n, el))
					k++;
			}
		}
	}
	long long f = 1, b = 1;
	for (xmlNodePtr n = el->prev; n; n = n->prev)
		if (nth_pred(cx, s, n, el))
			f++;
	for (xmlNodePtr n = el->next; n; n = n->next)
		if (nth_pred(cx, s, n, el))
			b++;
	*fwd = f;
	*bwd = b;
	if (slot)
		*slot = (struct nth_slot){parent, key, el, f, b};
}

static bool nth_fits(long long a, long long b, long long i)
{
	if (a == 0)
		return i == b;
	long long d = i - b;
	return d / a >= 0 && d % a == 0;
}

static bool match_nth(const struct mctx *cx, const struct simple *s, xmlNodePtr el)
{
	if (!el->parent) /* a detached element has no siblings to count */
		return false;
	if (s->nth == N_OF && !match_list(cx, s->sub, el))
		return false;
	/* :first-child and :last-child need no counting */
	if (s->a == 0 && s->b == 1 && s->nth == N_CHILD)
		return s->last ? !next_el(el) : !prev_el(el);
	long long f, b;
	nth_pos(cx, s, el, &f, &b);
	return nth_fits(s->a, s->b, s->last ? b : f);
}

static bool match_empty(xmlNodePtr el)
{
	if (is_template(el))
		return true;
	for (xmlNodePtr c = el->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE)
			return false;
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
		    c->content && c->content[0])
			return false;
	}
	return true;
}

/* Streams el's text through the KMP automaton of s->value. */
static bool match_contains(const struct simple *s, xmlNodePtr el)
{
	size_t m = s->vlen;
	if (m == 0)
		return true;
	long long k = 0;
	xmlNodePtr n = is_template(el) ? NULL : el->children;
	while (n) {
		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content) {
			for (const char *t = (const char *)n->content; *t; t++) {
				while (k >= 0 && s->value[k] != *t)
					k = s->kmp[k];
				k++;
				if ((size_t)k == m)
					return true;
			}
		}
		if (n->type == XML_ELEMENT_NODE && n->children && !is_template(n)) {
			n = n->children;
			continue;
		}
		while (n != el && !n->next)
			n = n->parent;
		if (n == el)
			break;
		n = n->next;
	}
	return false;
}

static bool match_lang(const struct simple *s, xmlNodePtr el)
{
	for (xmlNodePtr n = el; n && is_el(n); n = n->parent) {
		const char *v = html_attr(n, "xml:lang");
		if (!v)
			v = html_attr(n, "lang");
		if (!v)
			continue;
		size_t vn = strlen(v), m = s->vlen;
		return vn >= m && eq_n(v, s->value, m, true) && (vn == m || v[m] == '-');
	}
	return false;
}

static bool is_form_control(xmlNodePtr el)
{
	return name_is(el, "button") || name_is(el, "input") || name_is(el, "select") ||
	       name_is(el, "textarea");
}

/* HTML's "actually disabled" for the elements :disabled/:enabled cover. */
static bool is_disabled(xmlNodePtr el)
{
	if (name_is(el, "option") || name_is(el, "optgroup")) {
		if (html_attr(el, "disabled"))
			return true;
		xmlNodePtr p = parent_el(el);
		return name_is(el, "option") && p && name_is(p, "optgroup") && html_attr(p, "disabled");
	}
	if (html_attr(el, "disabled"))
		return true;
	/* inside a disabled fieldset, unless inside its first legend child */
	xmlNodePtr child = el;
	for (xmlNodePtr p = parent_el(el); p; child = p, p = parent_el(p)) {
		if (!name_is(p, "fieldset") || !html_attr(p, "disabled"))
			continue;
		xmlNodePtr legend = NULL;
		for (xmlNodePtr c = first_el_child(p); c; c = next_el(c))
			if (name_is(c, "legend")) {
				legend = c;
				break;
			}
		if (child != legend)
			return true;
	}
	return false;
}

static bool disabled_kind(xmlNodePtr el)
{
	return is_form_control(el) || name_is(el, "fieldset") || name_is(el, "optgroup") ||
	       name_is(el, "option");
}

/* The select element whose option list contains option el, or NULL. */
static xmlNodePtr option_select(xmlNodePtr el)
{
	xmlNodePtr p = parent_el(el);
	if (p && name_is(p, "optgroup"))
		p = parent_el(p);
	return p && name_is(p, "select") ? p : NULL;
}

static bool option_checked(xmlNodePtr el)
{
	xmlNodePtr sel = option_select(el);
	if (!sel)
		return html_attr(el, "selected") != NULL;
	const char *size = html_attr(sel, "size");
	bool single = !html_attr(sel, "multiple") && (!size || atol(size) <= 1);
	if (!single)
		return html_attr(el, "selected") != NULL;
	/* single select: the last option with `selected`, else the first
	 * non-disabled option */
	xmlNodePtr last_sel = NULL, first_ok = NULL;
	for (xmlNodePtr c = first_el_child(sel); c; c = next_el(c)) {
		xmlNodePtr o = c, end = NULL;
		if (name_is(c, "optgroup")) {
			o = first_el_child(c);
			end = c;
		}
		for (; o; o = end ? next_el(o) : NULL) {
			if (name_is(o, "option")) {
				if (html_attr(o, "selected"))
					last_sel = o;
				if (!first_ok && !is_disabled(o))
					first_ok = o;
			}
			if (!end)
				break;
		}
	}
	return el == (last_sel ? last_sel : first_ok);
}

static xmlNodePtr form_owner(xmlNodePtr el)
{
	for (xmlNodePtr p = parent_el(el); p; p = parent_el(p))
		if (name_is(p, "form"))
			return p;
	return NULL;
}

static bool is_radio(xmlNodePtr el)
{
	const char *t = name_is(el, "input") ? html_attr(el, "type") : NULL;
	return t && !strcasecmp(t, "radio");
}

/* A checked radio button stays checked only if no later radio of its group
 * (same form owner, same name) was parsed with `checked`: setting one
 * unchecks the others, so the last one wins.  Costs a scan of the rest of
 * the form (or page), for checked named radios only. */
static bool radio_checked(xmlNodePtr el)
{
	const char *name = html_attr(el, "name");
	if (!name || !*name)
		return true;
	xmlNodePtr owner = form_owner(el);
	xmlNodePtr stop = owner ? owner : (xmlNodePtr)el->doc;
	for (xmlNodePtr n = walk_next(el, stop); n; n = walk_next(n, stop)) {
		if (!is_radio(n) || !html_attr(n, "checked"))
			continue;
		const char *nn = html_attr(n, "name");
		if (nn && !strcmp(nn, name) && form_owner(n) == owner)
			return false;
	}
	return true;
}

static bool match_checked(xmlNodePtr el)
{
	if (name_is(el, "input")) {
		const char *t = html_attr(el, "type");
		if (!t || !html_attr(el, "checked"))
			return false;
		if (!strcasecmp(t, "checkbox"))
			return true;
		return !strcasecmp(t, "radio") && radio_checked(el);
	}
	if (name_is(el, "option"))
		return option_checked(el);
	return false;
}

static enum mres match_from(const struct mctx *cx, const struct complex *x, int i,
			    xmlNodePtr el, xmlNodePtr anchor);

static bool match_has(const struct mctx *cx, const struct sel *sub, xmlNodePtr el)
{
	for (size_t k = 0; k < sub->n; k++) {
		const struct complex *x = &sub->v[k];
		enum comb first = x->c[0].comb;
		bool deep = false;
		for (size_t i = 1; i < x->n; i++)
			if (x->c[i].comb == C_DESC || x->c[i].comb == C_CHILD)
				deep = true;
		int last = (int)x->n - 1;
		if (first == C_DESC || first == C_CHILD) {
			if (is_template(el))
				continue;
			if (first == C_CHILD && !deep) {
				for (xmlNodePtr c = first_el_child(el); c; c = next_el(c))
					if (match_from(cx, x, last, c, el) == M_OK)
						return true;
				continue;
			}
			for (xmlNodePtr d = first_el_child(el); d; d = walk_next(d, el))
				if (match_from(cx, x, last, d, el) == M_OK)
					return true;
			continue;
		}
		/* + and ~: following siblings, and their subtrees when needed */
		for (xmlNodePtr sib = next_el(el); sib; sib = next_el(sib)) {
			if (match_from(cx, x, last, sib, el) == M_OK)
				return true;
			if (deep)
				for (xmlNodePtr d = first_el_child(sib); d; d = walk_next(d, sib))
					if (match_from(cx, x, last, d, el) == M_OK)
						return true;
			if (first == C_NEXT)
				break;
		}
	}
	return false;
}

static bool match_simple(const struct mctx *cx, const struct simple *s, xmlNodePtr el)
{
	switch (s->kind) {
	case K_ID: {
		struct idcls tmp;
		const char *v = id_class(cx, el, &tmp)->id;
		return v && (cx->quirks ? !strcasecmp(v, s->name) : !strcmp(v, s->name));
	}
	case K_CLASS: return has_class(cx, s, el);
	case K_ATTR: return match_attr(s, el);
	case K_NTH: return match_nth(cx, s, el);
	case K_EMPTY: return match_empty(el);
	case K_ROOT: return is_doc(el->parent);
	case K_SCOPE: return cx->scope ? el == cx->scope : is_doc(el->parent);
	case K_LINK:
		return (name_is(el, "a") || name_is(el, "area")) && html_attr(el, "href");
	case K_CHECKED: return match_checked(el);
	case K_DISABLED: return disabled_kind(el) && is_disabled(el);
	case K_ENABLED: return disabled_kind(el) && !is_disabled(el);
	case K_LANG: return match_lang(s, el);
	case K_NOT: return !match_list(cx, s->sub, el);
	case K_IS: return match_list(cx, s->sub, el);
	case K_CONTAINS: return match_contains(s, el);
	case K_HAS: return match_has(cx, s->sub, el);
	}
	return false;
}

static bool match_compound(const struct mctx *cx, const struct compound *c, xmlNodePtr el)
{
	if (c->never)
		return false;
	if (c->tag && (el->name[0] != (unsigned char)c->tag[0] ||
		       strcmp((const char *)el->name, c->tag) != 0))
		return false;
	for (size_t i = 0; i < c->n; i++)
		if (!match_simple(cx, &c->s[i], el))
			return false;
	return true;
}

/* Matches compounds x->c[0..i] with c[i] at el (i = -1 is the :has anchor),
 * right to left. */
static enum mres match_from(const struct mctx *cx, const struct complex *x, int i,
			    xmlNodePtr el, xmlNodePtr anchor)
{
	if (i < 0)
		return el == anchor ? M_OK : M_RESTART_SIB;
	if (!match_compound(cx, &x->c[i], el))
		return M_RESTART_SIB;
	if (i == 0 && !x->relative)
		return M_OK;
	enum comb comb = x->c[i].comb;
	/* Memoised forms (document-order scans only; a relative selector's
	 * result depends on its :has() anchor, so it is never memoised). */
	if (comb == C_DESC && cx->desc && !x->relative) {
		struct desc_slot *slot = &cx->desc[x->c[i].id];
		struct desc_slot seen = *slot;
		xmlNodePtr first = parent_el(el);
		bool found = false;
		for (xmlNodePtr n = first; n; n = parent_el(n)) {
			if (seen.node && n == seen.node) {
				found = seen.found;
				break;
			}
			if (match_from(cx, x, i - 1, n, anchor) == M_OK) {
				found = true;
				break;
			}
		}
		if (first)
			*slot = (struct desc_slot){first, found};
		return found ? M_OK : M_GLOBAL;
	}
	if (comb == C_LATER && cx->later && !x->relative) {
		unsigned id = x->c[i].id;
		uintptr_t h = ((uintptr_t)el->parent >> 4) ^ (uintptr_t)id * 0x9E3779B1u;
		struct later_slot *slot = &cx->later[(h ^ (h >> 11)) % SEL_NTH_SLOTS];
		struct later_slot seen = *slot;
		xmlNodePtr first = prev_el(el);
		bool found = false;
		for (xmlNodePtr n = first; n; n = prev_el(n)) {
			if (seen.upto && n == seen.upto && seen.parent == el->parent && seen.id == id) {
				found = seen.found;
				break;
			}
			if (match_from(cx, x, i - 1, n, anchor) == M_OK) {
				found = true;
				break;
			}
		}
		if (first)
			*slot = (struct later_slot){el->parent, first, id, found};
		return found ? M_OK : M_RESTART_DESC;
	}
	bool sib = comb == C_NEXT || comb == C_LATER;
	enum mres not_found = sib ? M_RESTART_DESC : M_GLOBAL;
	xmlNodePtr n = sib ? prev_el(el) : parent_el(el);
	for (;;) {
		if (!n)
			return not_found;
		enum mres r = match_from(cx, x, i - 1, n, anchor);
		if (r == M_OK || r == M_GLOBAL || comb == C_NEXT)
			return r;
		if (comb == C_CHILD)
			return M_RESTART_DESC;
		if (r == M_RESTART_DESC && comb == C_LATER)
			return r;
		n = sib ? prev_el(n) : parent_el(n);
	}
}

static bool match_list(const struct mctx *cx, const struct sel *s, xmlNodePtr el)
{
	for (size_t k = 0; k < s->n; k++)
		if (match_from(cx, &s->v[k], (int)s->v[k].n - 1, el, NULL) == M_OK)
			return true;
	return false;
}

bool sel_matches(const struct sel *s, xmlNodePtr el)
{
	if (!s || !el || !is_el(el))
		return false;
	struct mctx cx = {NULL, NULL, NULL, NULL, NULL, doc_quirks(el)};
	return match_list(&cx, s, el);
}

/* One selector's share of a scan: its combinator memos (indexed by its
 * own compound ids) and its growing result. */
struct scan_one {
	const struct sel *s;
	struct mctx cx;
	xmlNodePtr *v;
	size_t n, cap;
};

/* Runs one document-order walk below scope for ns selectors at once; the
 * id/class cache and the :nth-* memo are shared (their keys do not depend
 * on the selector), so a rule's selectors cost one walk, not one each.
 * Stops after the first match when first (ns must then be 1). */
static void scan(const struct sel *const *sels, size_t ns, xmlNodePtr scope,
		 struct sel_hits *out, bool first)
{
	for (size_t i = 0; i < ns; i++)
		out[i] = (struct sel_hits){NULL, 0};
	if (!scope || !ns)
		return;
	xmlNodePtr n;
	if (is_doc(scope))
		n = xmlDocGetRootElement((xmlDocPtr)scope);
	else if (is_el(scope))
		n = first_el_child(scope);
	else
		return;
	/* memos are set up only for the forms the selectors use: a small
	 * page must not pay for clearing tables it never reads */
	bool uses_nth = false;
	for (size_t i = 0; i < ns; i++)
		uses_nth |= sels[i] && sels[i]->uses_nth;
	struct nth_slot memo[SEL_NTH_SLOTS];
	struct idcls attrs[SEL_ATTR_SLOTS];
	if (uses_nth)
		memset(memo, 0, sizeof memo);
	memset(attrs, 0, sizeof attrs);
	struct scan_one one1, *one = ns == 1 ? &one1 : xcalloc(ns, sizeof *one);
	bool quirks = doc_quirks(scope);
	for (size_t i = 0; i < ns; i++) {
		const struct sel *s = sels[i];
		struct later_slot *later = s && s->uses_later ? xcalloc(SEL_NTH_SLOTS, sizeof *later) : NULL;
		struct desc_slot *desc = s && s->uses_desc ? xcalloc(s->ncomp, sizeof *desc) : NULL;
		one[i] = (struct scan_one){s, {is_doc(scope) ? NULL : scope, uses_nth ? memo : NULL,
					       desc, later, attrs, quirks}, NULL, 0, 0};
	}
	for (; n; n = walk_next(n, scope)) {
		bool hit_any = false;
		for (size_t i = 0; i < ns; i++) {
			const struct sel *s = one[i].s;
			bool hit = false;
			for (size_t k = 0; s && k < s->n && !hit; k++) {
				const struct complex *x = &s->v[k];
				/* the subject's tag decides most candidates: test
				 * it before the call */
				const char *tag = x->c[x->n - 1].tag;
				if (tag && n->name[0] != (unsigned char)tag[0])
					continue;
				hit = match_from(&one[i].cx, x, (int)x->n - 1, n, NULL) == M_OK;
			}
			if (!hit)
				continue;
			struct scan_one *o = &one[i];
			if (o->n == o->cap) {
				o->cap = o->cap ? o->cap * 2 : 16;
				o->v = xrealloc(o->v, o->cap * sizeof *o->v);
			}
			o->v[o->n++] = n;
			hit_any = true;
		}
		if (first && hit_any)
			break;
	}
	for (size_t i = 0; i < ns; i++) {
		free(one[i].cx.desc);
		free(one[i].cx.later);
		out[i] = (struct sel_hits){one[i].v, one[i].n};
	}
	if (one != &one1)
		free(one);
}

size_t sel_select(const struct sel *s, xmlNodePtr scope, xmlNodePtr **out)
{
	struct sel_hits h;
	scan(&s, 1, scope, &h, false);
	if (out)
		*out = h.v;
	else
		free(h.v);
	return h.n;
}

void sel_select_many(const struct sel *const *sels, size_t n, xmlNodePtr scope,
		     struct sel_hits *out)
{
	scan(sels, n, scope, out, false);
}

xmlNodePtr sel_first(const struct sel *s, xmlNodePtr scope)
{
	struct sel_hits h;
	scan(&s, 1, scope, &h, true);
	xmlNodePtr r = h.n ? h.v[0] : NULL;
	free(h.v);
	return r;
}

static bool in_tree(xmlNodePtr el)
{
	for (xmlNodePtr n = el; n; n = n->parent) {
		if (is_doc(n))
			return true;
		if (n != el && is_el(n) && is_template(n))
			return false;
	}
	return false;
}

void sel_doc_index(xmlNodePtr const *els, size_t n, size_t *idx)
{
	size_t j = 0;
	while (j < n && !in_tree(els[j]))
		idx[j++] = (size_t)-1;
	if (j == n)
		return;
	xmlDocPtr doc = els[j]->doc;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	size_t k = 0;
	for (xmlNodePtr e = root; e && j < n; e = walk_next(e, (xmlNodePtr)doc), k++) {
		while (j < n && els[j] == e) {
			idx[j++] = k;
			while (j < n && !in_tree(els[j]))
				idx[j++] = (size_t)-1;
		}
	}
	while (j < n)
		idx[j++] = (size_t)-1;
}
