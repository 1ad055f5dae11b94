/*
 * robots.c - RFC 9309 parser and matcher.  The file is read once, line by
 * line; only the rules of the groups that apply to our product token are
 * kept (or, when no group names it, those of the '*' groups).  Matching is
 * "most octets wins, allow wins a tie", with '*' and a final '$'.
 */
#include "net/robots.h"
#include "common/buf.h"
#include "common/mem.h"
#include "common/url.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Sitemap lines kept: a robots.txt listing more is a sitemap farm. */
#define ROBOTS_MAX_SITEMAPS 1000

struct rrule {
	char *pat;    /* normalised pattern */
	size_t n;
	bool allow;
	size_t group; /* index of the group it came from */
};

struct group {
	bool ours;    /* names our product token */
	bool star;    /* names '*' */
	double delay; /* seconds; < 0 = none */
};

struct robots {
	struct rrule *rules;
	size_t n, cap;
	bool disallow_all;
	long delay_ms;
	bool capped;
	char **sitemaps; /* NULL-terminated */
	size_t nsitemaps;
};

/* Both patterns and paths are compared in one form: %xx upper-case,
 * escaped unreserved characters decoded, raw non-ASCII bytes escaped. */
static void norm(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%' && i + 2 < n && url_hexval((unsigned char)s[i + 1]) >= 0 &&
		    url_hexval((unsigned char)s[i + 2]) >= 0) {
			int v = url_hexval((unsigned char)s[i + 1]) * 16 +
				url_hexval((unsigned char)s[i + 2]);
			if (isalnum(v) || v == '-' || v == '.' || v == '_' || v == '~') {
				buf_putc(out, v);
			} else {
				char esc[3] = {'%', hex[v >> 4], hex[v & 15]};
				buf_put(out, esc, 3);
			}
			i += 2;
		} else if (c <= 0x20 || c >= 0x7f) {
			char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_put(out, esc, 3);
		} else {
			buf_putc(out, c);
		}
	}
}

/* The product token of a User-agent value or of our user agent: up to the
 * first '/' or white space, lower-case. */
static void token(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n && s[i] != '/' && !isspace((unsigned char)s[i]); i++)
		buf_putc(out, tolower((unsigned char)s[i]));
}

static void add_rule(struct robots *r, const char *v, size_t vn, bool allow, size_t group)
{
	if (vn > ROBOTS_MAX_PATTERN)
		vn = ROBOTS_MAX_PATTERN;
	struct buf b = BUF_INIT;
	norm(&b, v, vn);
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->rules = xrealloc(r->rules, r->cap * sizeof *r->rules);
	}
	r->rules[r->n].n = b.len;
	r->rules[r->n].pat = buf_detach(&b);
	r->rules[r->n].allow = allow;
	r->rules[r->n].group = group;
	r->n++;
	buf_free(&b);
}

struct robots *robots_parse(const char *txt, size_t n, const char *user_agent)
{
	struct robots *r = xcalloc(1, sizeof *r);
	r->delay_ms = -1;
	r->sitemaps = xcalloc(1, sizeof *r->sitemaps);
	if (n > ROBOTS_MAX_BYTES)
		n = ROBOTS_MAX_BYTES;
	struct buf me = BUF_INIT;
	token(user_agent ? user_agent : "newsmd", strlen(user_agent ? user_agent : "newsmd"), &me);

	struct group *groups = NULL;
	size_t ngroups = 0, gcap = 0;
	bool in_rules = true; /* a user-agent line now starts a new group */
	const char *p = txt, *end = txt + n;
	/* a UTF-8 BOM is not part of the first key */
	if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	while (p < end) {
		const char *eol = p;
		while (eol < end && *eol != '\n' && *eol != '\r')
			eol++;
		const char *line = p, *lend = eol;
		p = eol < end ? eol + 1 : end;
		const char *hash = memchr(line, '#', (size_t)(lend - line));
		if (hash)
			lend = hash;
		const char *colon = memchr(line, ':', (size_t)(lend - line));
		if (!colon)
			continue;
		const char *k = line, *kend = colon;
		while (k < kend && isspace((unsigned char)*k))
			k++;
		while (kend > k && isspace((unsigned char)kend[-1]))
			kend--;
		const char *v = colon + 1, *vend = lend;
		while (v < vend && isspace((unsigned char)*v))
			v++;
		while (vend > v && isspace((unsigned char)vend[-1]))
			vend--;
		size_t kn = (size_t)(kend - k), vn = (size_t)(vend - v);
#define KEY(s) (kn == sizeof(s) - 1 && !strncasecmp(k, s, kn))
		if (KEY("user-agent")) {
			if (in_rules || !ngroups) {
				if (ngroups == gcap) {
					gcap = gcap ? gcap * 2 : 8;
					groups = xrealloc(groups, gcap * sizeof *groups);
				}
				groups[ngroups++] = (struct group){false, false, -1};
				in_rules = false;
			}
			struct buf t = BUF_INIT;
			token(v, vn, &t);
			if (vn == 1 && *v == '*')
				groups[ngroups - 1].star = true;
			else if (t.len && !strcmp(buf_cstr(&t), buf_cstr(&me)))
				groups[ngroups - 1].ours = true;
			buf_free(&t);
		} else if (KEY("allow") || KEY("disallow")) {
			in_rules = true;
			if (!ngroups || !vn)
				continue; /* rules outside a group; an empty rule says nothing */
			add_rule(r, v, vn, KEY("allow"), ngroups - 1);
		} else if (KEY("crawl-delay")) {
			in_rules = true;
			if (!ngroups || !vn)
				continue;
			char num[32];
			size_t m = vn < sizeof num - 1 ? vn : sizeof num - 1;
			memcpy(num, v, m);
			num[m] = 0;
			char *endp;
			double d = strtod(num, &endp);
			if (endp != num && d >= 0 && d == d)
				groups[ngroups - 1].delay = d;
		} else if (KEY("sitemap")) {
			if (vn && r->nsitemaps < ROBOTS_MAX_SITEMAPS) {
				r->sitemaps = xrealloc(r->sitemaps,
						       (r->nsitemaps + 2) * sizeof *r->sitemaps);
				r->sitemaps[r->nsitemaps++] = xstrndup(v, vn);
				r->sitemaps[r->nsitemaps] = NULL;
			}
		}
#undef KEY
	}

	/* keep the rules of our groups, or of the '*' groups when none is ours */
	bool any_ours = false;
	for (size_t g = 0; g < ngroups; g++)
		any_ours |= groups[g].ours;
	size_t w = 0;
	double delay = -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct group *g = &groups[r->rules[i].group];
		if (any_ours ? g->ours : g->star)
			r->rules[w++] = r->rules[i];
		else
			free(r->rules[i].pat);
	}
	r->n = w;
	for (size_t g = 0; g < ngroups; g++)
		if ((any_ours ? groups[g].ours : groups[g].star) && groups[g].delay > delay)
			delay = groups[g].delay;
	if (delay >= 0) {
		if (delay * 1000.0 > (double)ROBOTS_MAX_DELAY_MS) {
			r->delay_ms = ROBOTS_MAX_DELAY_MS;
			r->capped = true;
		} else {
			r->delay_ms = (long)(delay * 1000.0 + 0.5);
		}
	}
	free(groups);
	buf_free(&me);
	return r;
}

struct robots *robots_for_status(long http_status)
{
	struct robots *r = xcalloc(1, sizeof *r);
	r->delay_ms = -1;
	r->sitemaps = xcalloc(1, sizeof *r->sitemaps);
	r->disallow_all = !(http_status >= 400 && http_status < 500);
	return r;
}

void robots_free(struct robots *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->rules[i].pat);
	free(r->rules);
	for (size_t i = 0; i < r->nsitemaps; i++)
		free(r->sitemaps[i]);
	free(r->sitemaps);
	free(r);
}

/* Does pattern p[0..pn) ('*' = any run, final '$' = end) match a prefix of
 * s[0..sn) (all of it with '$')?  Greedy with one backtrack point: O(pn*sn)
 * at worst, no recursion. */
static bool match(const char *p, size_t pn, const char *s, size_t sn)
{
	bool anchored = pn && p[pn - 1] == '$';
	if (anchored)
		pn--;
	size_t i = 0, j = 0, star = (size_t)-1, mark = 0;
	for (;;) {
		if (j == pn) {
			if (!anchored || i == sn)
				return true;
		} else if (p[j] == '*') {
			star = j++;
			mark = i;
			continue;
		} else if (i < sn && p[j] == s[i]) {
			i++;
			j++;
			continue;
		}
		if (star == (size_t)-1 || mark >= sn)
			return false;
		j = star + 1;
		i = ++mark;
	}
}

bool robots_allowed(const struct robots *r, const char *path)
{
	if (!r)
		return true;
	if (!strcmp(path, "/robots.txt"))
		return true;
	if (r->disallow_all)
		return false;
	struct buf b = BUF_INIT;
	norm(&b, path, strlen(path));
	const char *s = buf_cstr(&b);
	size_t best = 0;
	bool have = false, allow = true;
	for (size_t i = 0; i < r->n; i++) {
		const struct rrule *rr = &r->rules[i];
		if (have && rr->n < best)
			continue; /* cannot win */
		if (!match(rr->pat, rr->n, s, b.len))
			continue;
		if (!have || rr->n > best || (rr->n == best && rr->allow)) {
			allow = rr->allow;
			best = rr->n;
			have = true;
		}
	}
	buf_free(&b);
	return allow;
}

long robots_crawl_delay_ms(const struct robots *r)
{
	return r ? r->delay_ms : -1;
}

bool robots_delay_capped(const struct robots *r)
{
	return r && r->capped;
}

const char *const *robots_sitemaps(const struct robots *r)
{
	static const char *const none[] = {NULL};
	return r ? (const char *const *)r->sitemaps : none;
}
