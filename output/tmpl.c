/*
 * tmpl.c - template expansion for front matter values, footers and file
 * names.
 */
#include "output/tmpl.h"
#include "common/date.h"
#include "common/mem.h"
#include "common/utf8.h"
#include "output/pinyin.h"
#include "output/translit.h"
#include "common/settings.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A placeholder longer than this is a typo (an unclosed brace swallowing
 * the rest of the template). */
#define TMPL_MAX_PLACEHOLDER 256
/* Slugs longer than this are cut: file names must stay well under NAME_MAX. */
#define TMPL_SLUG_MAX 80
/* Fewer Latin letters than this is no title to read ("5G", "A股"). */
#define TMPL_SLUG_MIN_LETTERS 3
/* URL ids: shorter ones ("?id=1", "/a/7") collide across a site's
 * sections; longer ones are tokens, not ids. */
#define TMPL_URL_ID_MIN 3
#define TMPL_URL_ID_MAX 64

/* Apostrophes join ("don't" -> dont) instead of splitting. */
static bool apostrophe(uint32_t cp)
{
	return cp == '\'' || cp == 0x2019 || cp == 0x02BC;
}

/* Letters of scripts without an ASCII spelling here (Han, Cyrillic,
 * Greek, Arabic, kana, hangul ...): code points from U+0370 up that are
 * not punctuation, symbols or spaces of the common blocks. */
static bool other_letter(uint32_t cp)
{
	if (cp < 0x370 || translit_ascii(cp))
		return false;
	return !((cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
		 (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
		 (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
		 (cp >= 0xFF5B && cp <= 0xFF65) || (cp >= 0xFFF0 && cp <= 0xFFFF) ||
		 (cp >= 0x1F000 && cp <= 0x1FAFF));
}

void tmpl_ascii_slug(const char *s, struct buf *out)
{
	size_t start = out->len, n = strlen(s);
	bool dash = false;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += utf8_decode(s + i, n - i, &cp);
		const char *t = translit_ascii(cp);
		if (t) {
			if (out->len - start >= TMPL_SLUG_MAX + 1)
				break;
			if (dash && out->len > start)
				buf_putc(out, '-');
			dash = false;
			buf_puts(out, t);
		} else if (!apostrophe(cp)) {
			dash = true;
		}
	}
	if (out->len - start <= TMPL_SLUG_MAX)
		return;
	/* Cut at a word boundary when one is not too far back. */
	size_t cut = start + TMPL_SLUG_MAX;
	while (cut > start + TMPL_SLUG_MAX / 2 && out->ptr[cut] != '-')
		cut--;
	if (out->ptr[cut] != '-')
		cut = start + TMPL_SLUG_MAX;
	buf_truncate(out, cut);
}

/* An id-like URL piece: [A-Za-z0-9_-], some digits, a sensible length. */
static bool id_like(const char *s, size_t n)
{
	bool digit = false;
	if (n < TMPL_URL_ID_MIN || n > TMPL_URL_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
		digit |= isdigit((unsigned char)s[i]) != 0;
	}
	return digit;
}

bool tmpl_url_id(const char *url, struct buf *out)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	size_t plen = strcspn(p, "?#");
	const char *q = p[plen] == '?' ? p + plen + 1 : NULL;
	size_t host = strcspn(p, "/?#");
	/* The last non-empty path segment, without an extension (.html). */
	const char *seg = p + plen, *end = p + plen;
	while (end > p + host && end[-1] == '/')
		end--;
	seg = end;
	while (seg > p + host && seg[-1] != '/')
		seg--;
	const char *dot = memchr(seg, '.', (size_t)(end - seg));
	if (dot && end - dot <= 6)
		end = dot;
	if (id_like(seg, (size_t)(end - seg))) {
		buf_put(out, seg, (size_t)(end - seg));
		return true;
	}
	/* Else the first id-like query value (?infoCode=NW2022..., ?id=12345). */
	for (const char *k = q; k && *k && *k != '#';) {
		size_t kl = strcspn(k, "&#");
		const char *eq = memchr(k, '=', kl);
		if (eq && id_like(eq + 1, (size_t)(k + kl - eq - 1))) {
			buf_put(out, eq + 1, (size_t)(k + kl - eq - 1));
			return true;
		}
		k += kl;
		if (*k == '&')
			k++;
	}
	return false;
}

void tmpl_slug(const struct article *a, struct buf *out)
{
	if (a->slug && *a->slug) {
		buf_puts(out, a->slug); /* the rule's own id: kept as the site wrote it */
		return;
	}
	/* A title written in Latin letters only gives a readable slug; titles
	 * with Han (or other) letters would give stray digits and loan words,
	 * so they take the URL's id. */
	if (a->title) {
		size_t n = strlen(a->title), latin = 0, other = 0;
		for (size_t i = 0; i < n;) {
			uint32_t cp;
			i += utf8_decode(a->title + i, n - i, &cp);
			const char *t = translit_ascii(cp);
			latin += t && isalpha((unsigned char)t[0]);
			other += other_letter(cp);
		}
		if (latin >= TMPL_SLUG_MIN_LETTERS && !other) {
			tmpl_ascii_slug(a->title, out);
			return;
		}
	}
	const char *url = a->url ? a->url : "";
	if (tmpl_url_id(url, out))
		return;
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (const char *p = url; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	buf_printf(out, "%010llx", (unsigned long long)(h & 0xFFFFFFFFFFULL));
}

static void join(const struct strv *s, struct buf *out)
{
	for (size_t i = 0; i < s->n; i++)
		buf_printf(out, "%s%s", i ? ", " : "", s->v[i]);
}

/* Appends the raw value of a field (fmt: the date format after ':'). */
static void value(const struct tmpl_ctx *c, const char *name, size_t nl, const char *fmt,
		  struct buf *out)
{
	const struct article *a = c->a;
	char key[TMPL_MAX_PLACEHOLDER + 1];
	memcpy(key, name, nl);
	key[nl] = '\0';
	const char *v = NULL;
	if (!strcmp(key, "date") || !strcmp(key, "updated")) {
		const struct when *w = key[0] == 'd' ? &a->date : &a->updated;
		if (w->set)
			date_format(out, fmt ? fmt : "%Y-%m-%d %H:%M:%S %z", w);
		return;
	}
	if (!strcmp(key, "slug")) {
		tmpl_slug(a, out);
		return;
	}
	if (!strcmp(key, "author")) {
		join(&a->author, out);
		return;
	}
	if (!strcmp(key, "tags")) {
		join(&a->tags, out);
		return;
	}
	if (!strcmp(key, "url")) v = a->url;
	else if (!strcmp(key, "final_url")) v = a->final_url ? a->final_url : a->url;
	else if (!strcmp(key, "rule")) v = a->rule;
	else if (!strcmp(key, "title")) v = a->title;
	else if (!strcmp(key, "source")) v = a->source;
	else if (!strcmp(key, "category")) v = a->category;
	else if (!strcmp(key, "lead_image")) v = a->lead_image;
	else if (!strcmp(key, "excerpt")) v = a->excerpt;
	else if (!strcmp(key, "lang")) v = a->lang;
	else v = article_get_field(a, key);
	if (v)
		buf_puts(out, v);
}

static bool name_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

/* Expands one placeholder body p[0..n) ("name:fmt|filter|filter:arg"). */
static enum nm_code placeholder(const struct tmpl_ctx *c, const char *p, size_t n,
				unsigned col, struct buf *out, struct nm_err *e)
{
	size_t nl = 0;
	while (nl < n && name_char(p[nl]))
		nl++;
	if (!nl) {
		if (e)
			e->col = col;
		return err_set(e, NM_ETEMPLATE, "template column %u: expected a field name after '{'",
			       col);
	}
	const char *rest = p + nl, *end = p + n;
	const char *bar = memchr(rest, '|', (size_t)(end - rest));
	char fmt[TMPL_MAX_PLACEHOLDER + 1] = "";
	bool has_fmt = false;
	if (rest < end && *rest == ':') {
		const char *fe = bar ? bar : end;
		memcpy(fmt, rest + 1, (size_t)(fe - rest - 1));
		fmt[fe - rest - 1] = '\0';
		has_fmt = true;
	} else if (rest < end && *rest != '|') {
		if (e)
			e->col = col + (unsigned)nl;
		return err_set(e, NM_ETEMPLATE, "template column %u: expected '}', ':' or '|'",
			       col + (unsigned)nl);
	}
	struct buf v = BUF_INIT;
	if (c)
		value(c, p, nl, has_fmt ? fmt : NULL, &v);
	enum nm_code rc = NM_OK;
	while (bar) {
		const char *f = bar + 1;
		bar = memchr(f, '|', (size_t)(end - f));
		const char *fe = bar ? bar : end;
		size_t fl = (size_t)(fe - f);
		struct buf t = BUF_INIT;
		if (fl == 6 && !memcmp(f, "pinyin", 6)) {
			if (c)
				pinyin_append(&t, buf_cstr(&v), c->pinyin, c->npinyin);
		} else if (fl == 4 && !memcmp(f, "slug", 4)) {
			tmpl_ascii_slug(buf_cstr(&v), &t);
		} else if (fl == 5 && !memcmp(f, "lower", 5)) {
			buf_puts(&t, buf_cstr(&v));
			for (size_t i = 0; i < t.len; i++)
				t.ptr[i] = (char)tolower((unsigned char)t.ptr[i]);
		} else if (fl >= 8 && !memcmp(f, "default:", 8)) {
			if (v.len)
				buf_puts(&t, buf_cstr(&v));
			else
				buf_put(&t, f + 8, fl - 8);
		} else {
			buf_free(&t);
			unsigned fc = col + (unsigned)(f - p);
			if (e)
				e->col = fc;
			rc = err_set(e, NM_ETEMPLATE,
				     "template column %u: unknown filter '%.*s' (expected pinyin, slug, "
				     "lower or default:TEXT)",
				     fc, (int)fl, f);
			break;
		}
		buf_free(&v);
		v = t;
	}
	if (!rc)
		buf_put(out, buf_cstr(&v), v.len);
	buf_free(&v);
	return rc;
}

static enum nm_code run(const char *tmpl, const struct tmpl_ctx *c, struct buf *out,
			struct nm_err *e)
{
	for (const char *p = tmpl; *p;) {
		if (p[0] == '{' && p[1] == '{') {
			buf_putc(out, '{');
			p += 2;
		} else if (p[0] == '}' && p[1] == '}') {
			buf_putc(out, '}');
			p += 2;
		} else if (*p == '{') {
			const char *close = strchr(p, '}');
			unsigned col = (unsigned)(p - tmpl) + 1;
			if (!close || close - p > TMPL_MAX_PLACEHOLDER) {
				if (e)
					e->col = col;
				return err_set(e, NM_ETEMPLATE, "template column %u: '{' is not closed",
					       col);
			}
			enum nm_code rc = placeholder(c, p + 1, (size_t)(close - p - 1), col + 1, out, e);
			if (rc)
				return rc;
			p = close + 1;
		} else {
			buf_putc(out, *p++);
		}
	}
	return NM_OK;
}

enum nm_code tmpl_expand(const char *tmpl, const struct tmpl_ctx *c, struct buf *out,
			 struct nm_err *e)
{
	return run(tmpl, c, out, e);
}

enum nm_code tmpl_check(const char *tmpl, struct nm_err *e)
{
	struct buf sink = BUF_INIT;
	enum nm_code rc = run(tmpl, NULL, &sink, e);
	buf_free(&sink);
	return rc;
}

const struct strv *tmpl_list(const char *tmpl, const struct article *a)
{
	if (!strcmp(tmpl, "{tags}"))
		return &a->tags;
	if (!strcmp(tmpl, "{author}"))
		return &a->author;
	return NULL;
}

bool tmpl_is_date(const char *tmpl)
{
	size_t n = strlen(tmpl);
	return n > 2 && tmpl[n - 1] == '}' && strchr(tmpl, '}') == tmpl + n - 1 &&
	       (!strncmp(tmpl, "{date}", 6) || !strncmp(tmpl, "{date:", 6) ||
		!strncmp(tmpl, "{updated}", 9) || !strncmp(tmpl, "{updated:", 9));
}
