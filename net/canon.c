/*
 * canon.c - canonical URLs on libcurl's URL parser (the same parser that
 * later fetches them, so no parser differential), plus our own escape and
 * query normalisation.
 */
#include "net/canon.h"
#include "common/mem.h"
#include "net/url.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

/* Parameters that identify a campaign or a click, never an article. */
static const char *const tracking[] = {
	"fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "mc_cid",
	"mc_eid", "_hsenc", "_hsmi", "mkt_tok", "spm", "scm", "_ga", "_gl", "ref_src",
	"wt_mc", "share_token", "__twitter_impression", NULL,
};

bool canon_is_tracking_param(const char *name, size_t n)
{
	if (n > 4 && !strncasecmp(name, "utm_", 4))
		return true;
	for (const char *const *t = tracking; *t; t++)
		if (strlen(*t) == n && !strncasecmp(name, *t, n))
			return true;
	return false;
}

static bool unreserved(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Appends s[0..n) with escapes normalised: %xx upper-case, escaped
 * unreserved characters decoded, raw bytes outside printable ASCII
 * escaped. */
static void put_norm(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%' && i + 2 < n && url_hexval((unsigned char)s[i + 1]) >= 0 &&
		    url_hexval((unsigned char)s[i + 2]) >= 0) {
			int v = url_hexval((unsigned char)s[i + 1]) * 16 +
				url_hexval((unsigned char)s[i + 2]);
			/* "%2E" stays: decoding it could make a dot segment that a
			 * second pass would remove (canon_url must be idempotent) */
			if (unreserved(v) && v != '.') {
				buf_putc(out, v);
			} else {
				char esc[3] = {'%', hex[v >> 4], hex[v & 15]};
				buf_put(out, esc, 3);
			}
			i += 2;
		} else if (c <= 0x20 || c >= 0x7f || c == '%') {
			/* a '%' that starts no escape is a literal one: "%25", or
			 * decoding the next escape could complete it into a new one */
			char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_put(out, esc, 3);
		} else {
			buf_putc(out, c);
		}
	}
}

struct param {
	const char *p; /* name=value, n bytes */
	size_t n, namelen, idx;
};

static int param_cmp(const void *a, const void *b)
{
	const struct param *x = a, *y = b;
	size_t m = x->namelen < y->namelen ? x->namelen : y->namelen;
	int c = memcmp(x->p, y->p, m);
	if (c)
		return c;
	if (x->namelen != y->namelen)
		return x->namelen < y->namelen ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx; /* stable */
}

/* Appends "?sorted&query" (nothing when no parameter is left). */
static void put_query(struct buf *out, const char *q)
{
	struct buf norm = BUF_INIT;
	put_norm(&norm, q, strlen(q));
	const char *s = buf_cstr(&norm);
	struct param *ps = xcalloc(CANON_MAX_PARAMS, sizeof *ps);
	size_t np = 0;
	while (*s && np < CANON_MAX_PARAMS) {
		size_t n = strcspn(s, "&");
		size_t nl = strcspn(s, "=&");
		if (n && !canon_is_tracking_param(s, nl)) {
			ps[np] = (struct param){s, n, nl, np};
			np++;
		}
		s += n;
		if (*s == '&')
			s++;
	}
	qsort(ps, np, sizeof *ps, param_cmp);
	for (size_t i = 0; i < np; i++) {
		buf_putc(out, i ? '&' : '?');
		buf_put(out, ps[i].p, ps[i].n);
	}
	free(ps);
	buf_free(&norm);
}

/* Escapes spaces and non-ASCII bytes so curl's parser accepts what pages
 * really put in href attributes; the fragment is cut here already. */
static void pre_escape(const char *url, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(url);
	while (n && strchr(" \t\r\n", url[n - 1]))
		n--; /* trailing white space around an href is not part of it */
	const unsigned char *end = (const unsigned char *)url + n;
	/* the host is left to curl (an IDN in UTF-8 becomes punycode) */
	const unsigned char *path = (const unsigned char *)strstr(url, "://");
	path = path ? path + 3 : (const unsigned char *)url;
	while (path < end && !strchr("/?#", *path))
		path++;
	for (const unsigned char *p = (const unsigned char *)url; p < end && *p != '#'; p++) {
		if (p >= path && (*p <= 0x20 || *p >= 0x7f)) {
			char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			buf_put(out, esc, 3);
		} else {
			buf_putc(out, *p);
		}
	}
}

/* Passes of canon_once before a URL that keeps changing is refused (real
 * URLs settle in two: the second only confirms the first). */
#define CANON_MAX_PASSES 4

/* One pass.  Its output may read differently in the next pass (see
 * canon_url), so canon_url repeats it. */
static int canon_once(const char *url, struct buf *out)
{
	int rc = -1;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL;
	struct buf in = BUF_INIT, res = BUF_INIT;
	CURLU *u = NULL;
	while (*url == ' ' || *url == '\t' || *url == '\n' || *url == '\r')
		url++;
	if (strlen(url) > URL_MAX_LEN || !url_is_http(url))
		goto out;
	pre_escape(url, &in);
	if (!(u = curl_url()))
		goto out;
	if (curl_url_set(u, CURLUPART_URL, buf_cstr(&in), 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		goto out;
	/* IDNs stay in UTF-8 (libcurl converts them when it connects; 7.88's
	 * CURLU_PUNYCODE fails and leaks on some inputs) */
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	/* a DNS name, an IDN or an IP literal: anything else (a stray '%',
	 * spaces) would not survive a second pass */
	for (const char *h = host; *h; h++)
		if (!isalnum((unsigned char)*h) && !strchr(".-_[]:", *h) && (unsigned char)*h < 0x80)
			goto out;
	CURLUcode pc = curl_url_get(u, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT);
	if (pc != CURLUE_OK && pc != CURLUE_NO_PORT)
		goto out;
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
		query = NULL;
	for (char *c = scheme; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	for (char *c = host; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	size_t hl = strlen(host);
	while (hl > 1 && host[hl - 1] == '.')
		host[--hl] = '\0'; /* "example.com." is example.com */
	if (!hl)
		goto out;
	buf_printf(&res, "%s://%s", scheme, host);
	if (port)
		buf_printf(&res, ":%s", port);
	if (!path || !*path)
		buf_putc(&res, '/');
	else
		put_norm(&res, path, strlen(path));
	if (query)
		put_query(&res, query);
	if (res.toobig || res.len > URL_MAX_LEN)
		goto out;
	rc = buf_put(out, res.ptr, res.len);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_url_cleanup(u);
	buf_free(&in);
	buf_free(&res);
	return rc;
}

int canon_url(const char *url, struct buf *out)
{
	/* The canonical form is a fixpoint: one pass can change how curl reads
	 * the host in the next ("2." is a name, "2" is 0.0.0.2; "%30" decodes
	 * to "0", which is 0.0.0.0), so passes repeat until one changes
	 * nothing; a URL that does not settle is refused. */
	struct buf cur = BUF_INIT, next = BUF_INIT;
	int rc = canon_once(url, &cur);
	for (int pass = 1; rc == 0; pass++) {
		buf_clear(&next);
		if ((rc = canon_once(buf_cstr(&cur), &next)) != 0)
			break;
		if (next.len == cur.len && !memcmp(next.ptr, cur.ptr, cur.len)) {
			rc = buf_put(out, cur.ptr, cur.len);
			break;
		}
		if (pass >= CANON_MAX_PASSES) {
			rc = -1;
			break;
		}
		struct buf t = cur;
		cur = next;
		next = t;
	}
	buf_free(&cur);
	buf_free(&next);
	return rc;
}

/* Reads one attribute of a tag at *pp (which points past white space);
 * name and value are views into the text; the value has quotes removed. */
static bool next_attr(const char **pp, const char *end, struct view *name, struct view *val)
{
	const char *p = *pp;
	while (p < end && (isspace((unsigned char)*p) || *p == '/'))
		p++;
	if (p >= end || *p == '>')
		return false;
	name->p = p;
	while (p < end && !isspace((unsigned char)*p) && *p != '=' && *p != '>' && *p != '/')
		p++;
	name->n = (size_t)(p - name->p);
	while (p < end && isspace((unsigned char)*p))
		p++;
	val->p = p;
	val->n = 0;
	if (p < end && *p == '=') {
		p++;
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p < end && (*p == '"' || *p == '\'')) {
			char q = *p++;
			val->p = p;
			while (p < end && *p != q)
				p++;
			val->n = (size_t)(p - val->p);
			if (p < end)
				p++;
		} else {
			val->p = p;
			while (p < end && !isspace((unsigned char)*p) && *p != '>')
				p++;
			val->n = (size_t)(p - val->p);
		}
	}
	if (name->n == 0 && p < end)
		p++; /* a stray character: skip it so the scan always advances */
	*pp = p;
	return true;
}

static bool has_token(struct view v, const char *tok)
{
	size_t tl = strlen(tok);
	const char *p = v.p, *end = v.p + v.n;
	while (p < end) {
		while (p < end && isspace((unsigned char)*p))
			p++;
		const char *s = p;
		while (p < end && !isspace((unsigned char)*p))
			p++;
		if ((size_t)(p - s) == tl && !strncasecmp(s, tok, tl))
			return true;
	}
	return false;
}

/* Moves *pp just past the name of the next <NAME tag before end (ASCII
 * case-insensitive, followed by white space or '/'); false when there is
 * none. */
static bool next_tag(const char **pp, const char *end, const char *name)
{
	size_t nl = strlen(name);
	const char *p = *pp;
	while (p + nl + 1 < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		if (!lt || lt + nl + 1 >= end)
			break;
		p = lt + 1;
		if (!strncasecmp(p, name, nl) && (isspace((unsigned char)p[nl]) || p[nl] == '/')) {
			*pp = p + nl;
			return true;
		}
	}
	*pp = end;
	return false;
}

int canon_link_canonical(const char *html, size_t n, const char *base, struct buf *out)
{
	if (n > CANON_LINK_SCAN_BYTES)
		n = CANON_LINK_SCAN_BYTES;
	const char *p = html, *end = html + n;
	while (next_tag(&p, end, "link")) {
		struct view name, val, href = {NULL, 0};
		bool canonical = false;
		while (next_attr(&p, end, &name, &val)) {
			if (name.n == 3 && !strncasecmp(name.p, "rel", 3))
				canonical = has_token(val, "canonical");
			else if (name.n == 4 && !strncasecmp(name.p, "href", 4))
				href = val;
		}
		if (!canonical || !href.p || !href.n)
			continue;
		struct buf h = BUF_INIT, abs = BUF_INIT;
		/* the one entity hrefs really carry */
		for (size_t i = 0; i < href.n; i++) {
			if (href.n - i >= 5 && !memcmp(href.p + i, "&amp;", 5)) {
				buf_putc(&h, '&');
				i += 4;
			} else {
				buf_putc(&h, href.p[i]);
			}
		}
		int rc = -1;
		if (url_resolve(base, buf_cstr(&h), &abs) == 0)
			rc = canon_url(buf_cstr(&abs), out);
		buf_free(&h);
		buf_free(&abs);
		return rc;
	}
	return -1;
}

/* The value of a refresh: "5; url='x'" (HTML's "shared declarative
 * refresh steps", simplified): the delay, then after ; or , an optional
 * url= and an optionally quoted URL.  &amp; is the one entity unescaped. */
static bool refresh_url(struct view v, long *delay, struct buf *url)
{
	const char *p = v.p, *end = v.p + v.n;
	while (p < end && isspace((unsigned char)*p))
		p++;
	long d = 0;
	bool digits = false;
	while (p < end && isdigit((unsigned char)*p)) {
		if (d < 100000)
			d = d * 10 + (*p - '0');
		p++;
		digits = true;
	}
	while (p < end && (isdigit((unsigned char)*p) || *p == '.'))
		p++;
	if (!digits)
		return false;
	*delay = d;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p < end && (*p == ';' || *p == ','))
		p++;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (end - p >= 3 && !strncasecmp(p, "url", 3)) {
		const char *q = p + 3;
		while (q < end && isspace((unsigned char)*q))
			q++;
		if (q < end && *q == '=') {
			p = q + 1;
			while (p < end && isspace((unsigned char)*p))
				p++;
		}
	}
	char quote = 0;
	if (p < end && (*p == '\'' || *p == '"'))
		quote = *p++;
	const char *u = p;
	while (p < end && *p != quote)
		p++;
	while (p > u && isspace((unsigned char)p[-1]))
		p--;
	if (p == u)
		return false;
	for (const char *q = u; q < p; q++) {
		if (p - q >= 5 && !memcmp(q, "&amp;", 5)) {
			buf_putc(url, '&');
			q += 4;
		} else {
			buf_putc(url, *q);
		}
	}
	return true;
}

int canon_meta_refresh(const char *html, size_t n, const char *base, struct buf *out,
		       long *delay_s)
{
	if (n > CANON_LINK_SCAN_BYTES)
		n = CANON_LINK_SCAN_BYTES;
	const char *p = html, *end = html + n;
	while (next_tag(&p, end, "meta")) {
		struct view name, val, content = {NULL, 0};
		bool refresh = false;
		while (next_attr(&p, end, &name, &val)) {
			if (name.n == 10 && !strncasecmp(name.p, "http-equiv", 10))
				refresh = val.n == 7 && !strncasecmp(val.p, "refresh", 7);
			else if (name.n == 7 && !strncasecmp(name.p, "content", 7))
				content = val;
		}
		if (!refresh || !content.p)
			continue;
		struct buf u = BUF_INIT, abs = BUF_INIT;
		int rc = -1;
		if (refresh_url(content, delay_s, &u) && url_resolve(base, buf_cstr(&u), &abs) == 0 &&
		    url_is_http(buf_cstr(&abs)))
			rc = canon_url(buf_cstr(&abs), out);
		buf_free(&u);
		buf_free(&abs);
		return rc;
	}
	return -1;
}

unsigned long long canon_host_hash(const char *host)
{
	unsigned long long h = 14695981039346656037ULL;
	for (const unsigned char *p = (const unsigned char *)host; *p; p++) {
		h ^= (unsigned long long)tolower(*p);
		h *= 1099511628211ULL;
	}
	return h;
}
