/*
 * url.c - the WHATWG URL Standard's basic URL parser, without state
 * overrides, over UTF-8 bytes.
 *
 * Every delimiter the standard looks at is ASCII, so the state machine runs
 * on bytes: a non-ASCII byte is always percent-encoded (every encode set
 * contains all code points above U+007E, and the UTF-8 percent-encoding of a
 * code point is the encoding of its bytes), and hosts are decoded back to
 * UTF-8 for ICU's UTS #46.  The record being built keeps its components
 * back to back in one fixed array (struct work), which the parser only ever
 * appends to, truncates, or overwrites from a base; url_parse then writes
 * the serialisation into struct url.  Nothing is allocated and nothing
 * recurses; every buffer is bounded by URL_MAX_LEN.
 *
 * The percent-encode sets follow the WPT data in ../shared/corpus/wpt-url
 * (WPT commit 04f8022e): '^' is not encoded in paths.
 */
#include "common/url.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <unicode/uidna.h>

#include "common/utf8.h"

/* The component slots of the record being built, in serialisation order
 * (the port is kept as a number). */
enum comp { C_SCHEME, C_USER, C_PASS, C_HOST, C_PATH, C_QUERY, C_FRAG, C_N };

enum encset { SET_C0, SET_FRAGMENT, SET_QUERY, SET_SPECIAL_QUERY, SET_PATH, SET_USERINFO };

/* A host name as long as this (after IDNA) is refused; DNS allows 253. */
#define URL_HOST_MAX 1024

struct work {
	char b[URL_MAX_LEN + 1]; /* the components, back to back */
	size_t off[C_N], len[C_N];
	int port; /* -1 = null */
	bool has_host, has_query, has_frag, opaque;
	bool toobig; /* a write would have passed URL_MAX_LEN */
	char buf[URL_MAX_LEN + 1]; /* the standard's "buffer" */
	size_t blen;
};

static size_t w_total(const struct work *w)
{
	return w->off[C_N - 1] + w->len[C_N - 1];
}

/* Appends s[0..n) to component c (moving later components up). */
static void w_put(struct work *w, enum comp c, const char *s, size_t n)
{
	size_t total = w_total(w);
	if (total + n > URL_MAX_LEN) {
		w->toobig = true;
		return;
	}
	size_t pos = w->off[c] + w->len[c];
	memmove(w->b + pos + n, w->b + pos, total - pos);
	memcpy(w->b + pos, s, n);
	w->len[c] += n;
	for (int k = c + 1; k < C_N; k++)
		w->off[k] += n;
}

/* Cuts component c down to its first keep bytes. */
static void w_cut(struct work *w, enum comp c, size_t keep)
{
	if (keep >= w->len[c])
		return;
	size_t drop = w->len[c] - keep, end = w->off[c] + w->len[c];
	memmove(w->b + end - drop, w->b + end, w_total(w) - end);
	w->len[c] = keep;
	for (int k = c + 1; k < C_N; k++)
		w->off[k] -= drop;
}

static void w_set(struct work *w, enum comp c, const char *s, size_t n)
{
	w_cut(w, c, 0);
	w_put(w, c, s, n);
}

static const char *w_ptr(const struct work *w, enum comp c)
{
	return w->b + w->off[c];
}

static bool in_path_set(unsigned char c)
{
	return c == ' ' || c == '"' || c == '#' || c == '<' || c == '>' || c == '?' || c == '`' ||
	       c == '{' || c == '}';
}

static bool in_set(unsigned char c, enum encset set)
{
	if (c < 0x20 || c > 0x7e)
		return true;
	switch (set) {
	case SET_C0:
		return false;
	case SET_FRAGMENT:
		return c == ' ' || c == '"' || c == '<' || c == '>' || c == '`';
	case SET_QUERY:
	case SET_SPECIAL_QUERY:
		return c == ' ' || c == '"' || c == '#' || c == '<' || c == '>' ||
		       (set == SET_SPECIAL_QUERY && c == '\'');
	case SET_PATH:
		return in_path_set(c);
	case SET_USERINFO:
		return in_path_set(c) || c == '/' || c == ':' || c == ';' || c == '=' || c == '@' ||
		       (c >= '[' && c <= '^') || c == '|';
	}
	return true;
}

/* Appends byte c to component comp, percent-encoded when in set. */
static void w_enc(struct work *w, enum comp comp, unsigned char c, enum encset set)
{
	static const char hex[] = "0123456789ABCDEF";
	if (in_set(c, set)) {
		char e[3] = {'%', hex[c >> 4], hex[c & 15]};
		w_put(w, comp, e, 3);
	} else {
		w_put(w, comp, (const char *)&c, 1);
	}
}

static void buf_add(struct work *w, const char *s, size_t n)
{
	if (w->blen + n > URL_MAX_LEN) {
		w->toobig = true;
		return;
	}
	memcpy(w->buf + w->blen, s, n);
	w->blen += n;
}

static void buf_enc(struct work *w, unsigned char c, enum encset set)
{
	static const char hex[] = "0123456789ABCDEF";
	if (in_set(c, set)) {
		char e[3] = {'%', hex[c >> 4], hex[c & 15]};
		buf_add(w, e, 3);
	} else {
		buf_add(w, (const char *)&c, 1);
	}
}

/* ---- schemes ---- */

static int default_port(const char *s, size_t n)
{
	if (n == 4 && !memcmp(s, "http", 4))
		return 80;
	if (n == 5 && !memcmp(s, "https", 5))
		return 443;
	if (n == 2 && !memcmp(s, "ws", 2))
		return 80;
	if (n == 3 && !memcmp(s, "wss", 3))
		return 443;
	if (n == 3 && !memcmp(s, "ftp", 3))
		return 21;
	return -1;
}

static bool is_special(const char *s, size_t n)
{
	return default_port(s, n) >= 0 || (n == 4 && !memcmp(s, "file", 4));
}

static bool is_file(const char *s, size_t n)
{
	return n == 4 && !memcmp(s, "file", 4);
}

/* ---- hosts ---- */

int url_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool forbidden_host(unsigned char c)
{
	return c == 0 || c == '\t' || c == '\n' || c == '\r' || c == ' ' || c == '#' ||
	       c == '/' || c == ':' || c == '<' || c == '>' || c == '?' || c == '@' ||
	       c == '[' || c == '\\' || c == ']' || c == '^' || c == '|';
}

static bool forbidden_domain(unsigned char c)
{
	return forbidden_host(c) || c < 0x20 || c == '%' || c == 0x7f;
}

/* Parses s[0..n) (the text between the brackets) into 8 pieces. */
static int ipv6_parse(const char *s, size_t n, uint16_t a[8])
{
	size_t p = 0;
	int piece = 0, compress = -1;
#define C6 (p < n ? (unsigned char)s[p] : 0)
	memset(a, 0, 8 * sizeof *a);
	if (C6 == ':') {
		if (p + 1 >= n || s[p + 1] != ':')
			return -1;
		p += 2;
		compress = ++piece;
	}
	while (p < n) {
		if (piece == 8)
			return -1;
		if (C6 == ':') {
			if (compress >= 0)
				return -1;
			p++;
			compress = ++piece;
			continue;
		}
		unsigned value = 0, length = 0;
		while (length < 4 && p < n && url_hexval(C6) >= 0) {
			value = value * 16 + (unsigned)url_hexval(C6);
			p++;
			length++;
		}
		if (C6 == '.') {
			if (length == 0)
				return -1;
			p -= length;
			if (piece > 6)
				return -1;
			int seen = 0;
			while (p < n) {
				int v4 = -1;
				if (seen > 0) {
					if (C6 == '.' && seen < 4)
						p++;
					else
						return -1;
				}
				if (!(C6 >= '0' && C6 <= '9'))
					return -1;
				while (C6 >= '0' && C6 <= '9') {
					int d = C6 - '0';
					if (v4 < 0)
						v4 = d;
					else if (v4 == 0)
						return -1;
					else
						v4 = v4 * 10 + d;
					if (v4 > 255)
						return -1;
					p++;
				}
				a[piece] = (uint16_t)(a[piece] * 0x100 + v4);
				seen++;
				if (seen == 2 || seen == 4)
					piece++;
			}
			if (seen != 4)
				return -1;
			break;
		} else if (C6 == ':') {
			p++;
			if (p >= n)
				return -1;
		} else if (p < n) {
			return -1;
		}
		a[piece++] = (uint16_t)value;
	}
#undef C6
	if (compress >= 0) {
		int swaps = piece - compress;
		piece = 7;
		while (piece != 0 && swaps > 0) {
			uint16_t t = a[piece];
			a[piece] = a[compress + swaps - 1];
			a[compress + swaps - 1] = t;
			piece--;
			swaps--;
		}
	} else if (piece != 8) {
		return -1;
	}
	return 0;
}

/* Writes "[...]" for the address into out (room for 41 bytes). */
static size_t ipv6_serialise(const uint16_t a[8], char *out)
{
	int best = -1, bestlen = 1;
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && a[j] == 0)
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j > i ? j : i + 1;
	}
	size_t o = 0;
	out[o++] = '[';
	bool ignore0 = false;
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 8; i++) {
		if (ignore0 && a[i] == 0)
			continue;
		ignore0 = false;
		if (best == i) {
			if (i == 0)
				out[o++] = ':';
			out[o++] = ':';
			ignore0 = true;
			continue;
		}
		bool lead = true;
		for (int sh = 12; sh >= 0; sh -= 4) {
			int d = (a[i] >> sh) & 15;
			if (d || !lead || sh == 0) {
				out[o++] = hex[d];
				lead = false;
			}
		}
		if (i != 7)
			out[o++] = ':';
	}
	out[o++] = ']';
	return o;
}

/* Larger than any IPv4 part can validly be, so that saturating there keeps
 * every comparison right without overflow. */
#define IPV4_NUM_CAP ((uint64_t)1 << 33)

static int ipv4_number(const char *s, size_t n, uint64_t *v)
{
	if (n == 0)
		return -1;
	unsigned r = 10;
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
		r = 16;
	} else if (n >= 2 && s[0] == '0') {
		s++;
		n--;
		r = 8;
	}
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		int d = url_hexval((unsigned char)s[i]);
		if (d < 0 || (unsigned)d >= r)
			return -1;
		x = x * r + (unsigned)d;
		if (x > IPV4_NUM_CAP)
			x = IPV4_NUM_CAP;
	}
	*v = x;
	return 0;
}

static bool ends_in_number(const char *s, size_t n)
{
	if (n > 0 && s[n - 1] == '.')
		n--;
	size_t i = n;
	while (i > 0 && s[i - 1] != '.')
		i--;
	const char *last = s + i;
	size_t ln = n - i;
	if (ln == 0)
		return false;
	bool digits = true;
	for (size_t k = 0; k < ln; k++)
		if (!(last[k] >= '0' && last[k] <= '9'))
			digits = false;
	uint64_t v;
	return digits || ipv4_number(last, ln, &v) == 0;
}

static int ipv4_parse(const char *s, size_t n, uint32_t *addr)
{
	uint64_t num[4];
	int parts = 0;
	if (n > 0 && s[n - 1] == '.')
		n--; /* a trailing empty part ("1.2.3.4.") is dropped */
	size_t i = 0;
	for (;;) {
		size_t j = i;
		while (j < n && s[j] != '.')
			j++;
		if (parts == 4 || ipv4_number(s + i, j - i, &num[parts]) < 0)
			return -1;
		parts++;
		if (j >= n)
			break;
		i = j + 1;
	}
	for (int k = 0; k < parts - 1; k++)
		if (num[k] > 255)
			return -1;
	if (num[parts - 1] >= (uint64_t)1 << (8 * (5 - parts)))
		return -1;
	uint64_t v = num[parts - 1];
	for (int k = 0; k < parts - 1; k++)
		v += num[k] << (8 * (3 - k));
	*addr = (uint32_t)v;
	return 0;
}

static UIDNA *idna;
static pthread_once_t idna_once = PTHREAD_ONCE_INIT;

static void idna_init(void)
{
	UErrorCode e = U_ZERO_ERROR;
	/* the URL Standard's domain to ASCII: CheckBidi, CheckJoiners,
	 * nontransitional, no STD3 rules (those are the forbidden code
	 * points, checked after) */
	idna = uidna_openUTS46(UIDNA_CHECK_BIDI | UIDNA_CHECK_CONTEXTJ |
				       UIDNA_NONTRANSITIONAL_TO_ASCII |
				       UIDNA_NONTRANSITIONAL_TO_UNICODE,
			       &e);
	if (U_FAILURE(e))
		idna = NULL;
}

/* UTS #46 errors the standard does not count: CheckHyphens and
 * VerifyDnsLength are false. */
#define IDNA_IGNORED                                                                    \
	(UIDNA_ERROR_EMPTY_LABEL | UIDNA_ERROR_LABEL_TOO_LONG |                         \
	 UIDNA_ERROR_DOMAIN_NAME_TOO_LONG | UIDNA_ERROR_LEADING_HYPHEN |                 \
	 UIDNA_ERROR_TRAILING_HYPHEN | UIDNA_ERROR_HYPHEN_3_4)

/* domain to ASCII: d[0..n) is valid UTF-8; writes to out (cap bytes). */
static int domain_to_ascii(const char *d, size_t n, char *out, size_t cap, size_t *outn)
{
	bool ascii = true, xn = false;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)d[i] >= 0x80)
			ascii = false;
		if ((i == 0 || d[i - 1] == '.') && n - i >= 4 && !strncasecmp(d + i, "xn--", 4))
			xn = true;
	}
	if (ascii && !xn) {
		if (n > cap)
			return -1;
		for (size_t i = 0; i < n; i++)
			out[i] = (char)tolower((unsigned char)d[i]);
		*outn = n;
		return n ? 0 : -1;
	}
	pthread_once(&idna_once, idna_init);
	if (!idna || n > INT32_MAX)
		return -1;
	UErrorCode e = U_ZERO_ERROR;
	UIDNAInfo info = UIDNA_INFO_INITIALIZER;
	int32_t len = uidna_nameToASCII_UTF8(idna, d, (int32_t)n, out, (int32_t)cap, &info, &e);
	if (U_FAILURE(e) || e == U_STRING_NOT_TERMINATED_WARNING || len <= 0 ||
	    (size_t)len > cap || (info.errors & ~(uint32_t)IDNA_IGNORED))
		return -1;
	*outn = (size_t)len;
	return 0;
}

/* The host parser: s[0..n) into out (cap bytes). */
static int host_parse(const char *s, size_t n, bool special, char *out, size_t cap, size_t *outn)
{
	if (n > 0 && s[0] == '[') {
		uint16_t a[8];
		if (n < 2 || s[n - 1] != ']' || ipv6_parse(s + 1, n - 2, a) < 0 || cap < 41)
			return -1;
		*outn = ipv6_serialise(a, out);
		return 0;
	}
	if (!special) { /* opaque host */
		size_t o = 0;
		static const char hex[] = "0123456789ABCDEF";
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			if (forbidden_host(c) && c != '%')
				return -1;
			if (o + 3 > cap)
				return -1;
			if (in_set(c, SET_C0)) {
				out[o++] = '%';
				out[o++] = hex[c >> 4];
				out[o++] = hex[c & 15];
			} else {
				out[o++] = (char)c;
			}
		}
		*outn = o;
		return 0;
	}
	char dec[URL_HOST_MAX];
	size_t dn = 0;
	dec[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (dn == sizeof dec)
			return -1;
		if (s[i] == '%' && i + 2 < n && url_hexval((unsigned char)s[i + 1]) >= 0 &&
		    url_hexval((unsigned char)s[i + 2]) >= 0) {
			dec[dn++] = (char)(url_hexval((unsigned char)s[i + 1]) * 16 +
					   url_hexval((unsigned char)s[i + 2]));
			i += 2;
		} else {
			dec[dn++] = s[i];
		}
	}
	if (!utf8_valid(dec, dn))
		return -1; /* U+FFFD is disallowed in domains anyway */
	size_t an;
	if (domain_to_ascii(dec, dn, out, cap, &an) < 0)
		return -1;
	for (size_t i = 0; i < an; i++)
		if (forbidden_domain((unsigned char)out[i]))
			return -1;
	if (ends_in_number(out, an)) {
		uint32_t v;
		if (ipv4_parse(out, an, &v) < 0)
			return -1;
		int o = snprintf(out, cap, "%u.%u.%u.%u", v >> 24, (v >> 16) & 255, (v >> 8) & 255,
				 v & 255);
		if (o < 0 || (size_t)o >= cap)
			return -1;
		an = (size_t)o;
	}
	*outn = an;
	return 0;
}

/* ---- paths ---- */

static bool drive_letter(const char *s, size_t n)
{
	return n == 2 && isalpha((unsigned char)s[0]) && (s[1] == ':' || s[1] == '|');
}

static bool starts_with_drive_letter(const char *s, size_t n)
{
	return n >= 2 && drive_letter(s, 2) &&
	       (n == 2 || s[2] == '/' || s[2] == '\\' || s[2] == '?' || s[2] == '#');
}

static bool single_dot(const char *s, size_t n)
{
	return (n == 1 && s[0] == '.') || (n == 3 && !strncasecmp(s, "%2e", 3));
}

static bool double_dot(const char *s, size_t n)
{
	return (n == 2 && !memcmp(s, "..", 2)) ||
	       (n == 4 && (!strncasecmp(s, ".%2e", 4) || !strncasecmp(s, "%2e.", 4))) ||
	       (n == 6 && !strncasecmp(s, "%2e%2e", 6));
}

/* The path's first segment (without its '/'), for the drive letter quirk. */
static bool path_is_drive(const struct work *w)
{
	const char *p = w_ptr(w, C_PATH);
	size_t n = w->len[C_PATH];
	return n == 3 && p[0] == '/' && isalpha((unsigned char)p[1]) && p[2] == ':';
}

static void shorten_path(struct work *w)
{
	bool file = is_file(w_ptr(w, C_SCHEME), w->len[C_SCHEME]);
	if (file && path_is_drive(w))
		return;
	const char *p = w_ptr(w, C_PATH);
	size_t n = w->len[C_PATH];
	while (n > 0 && p[n - 1] != '/')
		n--;
	if (n > 0)
		w_cut(w, C_PATH, n - 1);
}

/* ---- the state machine ---- */

enum state {
	S_SCHEME_START, S_SCHEME, S_NO_SCHEME, S_SPECIAL_RELATIVE_OR_AUTHORITY,
	S_PATH_OR_AUTHORITY, S_RELATIVE, S_RELATIVE_SLASH, S_SPECIAL_AUTHORITY_SLASHES,
	S_SPECIAL_AUTHORITY_IGNORE_SLASHES, S_AUTHORITY, S_HOST, S_PORT, S_FILE,
	S_FILE_SLASH, S_FILE_HOST, S_PATH_START, S_PATH, S_OPAQUE_PATH, S_QUERY,
	S_FRAGMENT,
};

static void copy_from_base(struct work *w, const struct url *b, bool host, bool path, bool query)
{
	if (host) {
		w_set(w, C_USER, b->username.p, b->username.n);
		w_set(w, C_PASS, b->password.p, b->password.n);
		w_set(w, C_HOST, b->host.p, b->host.n);
		w->has_host = b->has_host;
		w->port = b->port;
	}
	if (path)
		w_set(w, C_PATH, b->path.p, b->path.n);
	if (query) {
		w_set(w, C_QUERY, b->query.p, b->query.n);
		w->has_query = b->has_query;
	}
}

static bool same_scheme(const struct work *w, const struct url *b)
{
	return b && b->scheme.n == w->len[C_SCHEME] &&
	       !memcmp(b->scheme.p, w_ptr(w, C_SCHEME), b->scheme.n);
}

/* Strips leading/trailing C0 controls and spaces, drops tabs and newlines,
 * and repairs invalid UTF-8 into in[]; returns its length or -1. */
static long preprocess(const char *input, char *in)
{
	size_t n = strlen(input);
	if (n > URL_MAX_LEN)
		return -1;
	size_t a = 0;
	while (a < n && (unsigned char)input[a] <= 0x20)
		a++;
	while (n > a && (unsigned char)input[n - 1] <= 0x20)
		n--;
	size_t o = 0;
	for (size_t i = a; i < n;) {
		unsigned char c = (unsigned char)input[i];
		if (c == '\t' || c == '\n' || c == '\r') {
			i++;
			continue;
		}
		if (c < 0x80) {
			if (o + 1 > URL_MAX_LEN)
				return -1;
			in[o++] = (char)c;
			i++;
			continue;
		}
		uint32_t cp;
		size_t l = utf8_decode(input + i, n - i, &cp);
		if (cp == UTF8_REPLACEMENT && l == 1)
			l = 0; /* invalid: write U+FFFD, consume one byte */
		size_t w = l ? l : 3;
		if (o + w > URL_MAX_LEN)
			return -1;
		memcpy(in + o, l ? input + i : "\xEF\xBF\xBD", w);
		o += w;
		i += l ? l : 1;
	}
	in[o] = '\0';
	return (long)o;
}

static int run(struct work *w, const char *in, long n, const struct url *base)
{
	enum state st = S_SCHEME_START;
	bool at_seen = false, inside_brackets = false, password_seen = false;
	bool special = false;
	for (long p = 0;; p++) {
		int c = p < n ? (unsigned char)in[p] : -1;
		const char *rest = in + p + 1; /* "remaining" */
		long rn = n - p - 1;
		switch (st) {
		case S_SCHEME_START:
			if (c >= 0 && isalpha(c) && c < 0x80) {
				char l = (char)tolower(c);
				w_put(w, C_SCHEME, &l, 1);
				st = S_SCHEME;
			} else {
				st = S_NO_SCHEME;
				p--;
			}
			break;
		case S_SCHEME:
			if (c >= 0 && c < 0x80 && (isalnum(c) || c == '+' || c == '-' || c == '.')) {
				char l = (char)tolower(c);
				w_put(w, C_SCHEME, &l, 1);
			} else if (c == ':') {
				special = is_special(w_ptr(w, C_SCHEME), w->len[C_SCHEME]);
				if (is_file(w_ptr(w, C_SCHEME), w->len[C_SCHEME]))
					st = S_FILE;
				else if (special && same_scheme(w, base))
					st = S_SPECIAL_RELATIVE_OR_AUTHORITY;
				else if (special)
					st = S_SPECIAL_AUTHORITY_SLASHES;
				else if (rn > 0 && rest[0] == '/') {
					st = S_PATH_OR_AUTHORITY;
					p++;
				} else {
					w->opaque = true;
					st = S_OPAQUE_PATH;
				}
			} else {
				w_cut(w, C_SCHEME, 0);
				st = S_NO_SCHEME;
				p = -1;
			}
			break;
		case S_NO_SCHEME:
			if (!base || (base->opaque_path && c != '#'))
				return -1;
			if (base->opaque_path && c == '#') {
				w_set(w, C_SCHEME, base->scheme.p, base->scheme.n);
				special = base->special;
				copy_from_base(w, base, false, true, true);
				w->opaque = true;
				w->has_frag = true;
				st = S_FRAGMENT;
			} else if (!is_file(base->scheme.p, base->scheme.n)) {
				st = S_RELATIVE;
				p--;
			} else {
				st = S_FILE;
				p--;
			}
			break;
		case S_SPECIAL_RELATIVE_OR_AUTHORITY:
			if (c == '/' && rn > 0 && rest[0] == '/') {
				st = S_SPECIAL_AUTHORITY_IGNORE_SLASHES;
				p++;
			} else {
				st = S_RELATIVE;
				p--;
			}
			break;
		case S_PATH_OR_AUTHORITY:
			if (c == '/') {
				st = S_AUTHORITY;
			} else {
				st = S_PATH;
				p--;
			}
			break;
		case S_RELATIVE:
			w_set(w, C_SCHEME, base->scheme.p, base->scheme.n);
			special = base->special;
			if (c == '/' || (special && c == '\\')) {
				st = S_RELATIVE_SLASH;
			} else {
				copy_from_base(w, base, true, true, true);
				if (c == '?') {
					w_cut(w, C_QUERY, 0);
					w->has_query = true;
					st = S_QUERY;
				} else if (c == '#') {
					w->has_frag = true;
					st = S_FRAGMENT;
				} else if (c >= 0) {
					w_cut(w, C_QUERY, 0);
					w->has_query = false;
					shorten_path(w);
					st = S_PATH;
					p--;
				}
			}
			break;
		case S_RELATIVE_SLASH:
			if (special && (c == '/' || c == '\\')) {
				st = S_SPECIAL_AUTHORITY_IGNORE_SLASHES;
			} else if (c == '/') {
				st = S_AUTHORITY;
			} else {
				copy_from_base(w, base, true, false, false);
				st = S_PATH;
				p--;
			}
			break;
		case S_SPECIAL_AUTHORITY_SLASHES:
			if (c == '/' && rn > 0 && rest[0] == '/') {
				st = S_SPECIAL_AUTHORITY_IGNORE_SLASHES;
				p++;
			} else {
				st = S_SPECIAL_AUTHORITY_IGNORE_SLASHES;
				p--;
			}
			break;
		case S_SPECIAL_AUTHORITY_IGNORE_SLASHES:
			if (c != '/' && c != '\\') {
				st = S_AUTHORITY;
				p--;
			}
			break;
		case S_AUTHORITY:
			if (c == '@') {
				if (at_seen) {
					/* the earlier '@' belongs to the user info */
					if (w->blen + 3 > URL_MAX_LEN)
						return -1;
					memmove(w->buf + 3, w->buf, w->blen);
					memcpy(w->buf, "%40", 3);
					w->blen += 3;
				}
				at_seen = true;
				for (size_t i = 0; i < w->blen; i++) {
					unsigned char b = (unsigned char)w->buf[i];
					if (b == ':' && !password_seen) {
						password_seen = true;
						continue;
					}
					w_enc(w, password_seen ? C_PASS : C_USER, b, SET_USERINFO);
				}
				w->blen = 0;
			} else if (c < 0 || c == '/' || c == '?' || c == '#' ||
				   (special && c == '\\')) {
				if (at_seen && w->blen == 0)
					return -1;
				p -= (long)w->blen + 1;
				w->blen = 0;
				st = S_HOST;
			} else {
				char b = (char)c;
				buf_add(w, &b, 1);
			}
			break;
		case S_HOST:
			if (c == ':' && !inside_brackets) {
				if (w->blen == 0)
					return -1;
				char h[URL_HOST_MAX];
				size_t hn;
				if (host_parse(w->buf, w->blen, special, h, sizeof h, &hn) < 0)
					return -1;
				w_set(w, C_HOST, h, hn);
				w->has_host = true;
				w->blen = 0;
				st = S_PORT;
			} else if (c < 0 || c == '/' || c == '?' || c == '#' ||
				   (special && c == '\\')) {
				p--;
				if (special && w->blen == 0)
					return -1;
				char h[URL_HOST_MAX];
				size_t hn;
				if (host_parse(w->buf, w->blen, special, h, sizeof h, &hn) < 0)
					return -1;
				w_set(w, C_HOST, h, hn);
				w->has_host = true;
				w->blen = 0;
				st = S_PATH_START;
			} else {
				if (c == '[')
					inside_brackets = true;
				if (c == ']')
					inside_brackets = false;
				char b = (char)c;
				buf_add(w, &b, 1);
			}
			break;
		case S_PORT:
			if (c >= '0' && c <= '9') {
				char b = (char)c;
				buf_add(w, &b, 1);
			} else if (c < 0 || c == '/' || c == '?' || c == '#' ||
				   (special && c == '\\')) {
				if (w->blen) {
					long v = 0;
					for (size_t i = 0; i < w->blen; i++) {
						v = v * 10 + (w->buf[i] - '0');
						if (v > 65535)
							return -1;
					}
					int dp = default_port(w_ptr(w, C_SCHEME), w->len[C_SCHEME]);
					w->port = v == dp ? -1 : (int)v;
					w->blen = 0;
				}
				st = S_PATH_START;
				p--;
			} else {
				return -1;
			}
			break;
		case S_FILE:
			w_set(w, C_SCHEME, "file", 4);
			special = true;
			w_cut(w, C_HOST, 0);
			w->has_host = true;
			if (c == '/' || c == '\\') {
				st = S_FILE_SLASH;
			} else if (base && is_file(base->scheme.p, base->scheme.n)) {
				w_set(w, C_HOST, base->host.p, base->host.n);
				w->has_host = base->has_host;
				copy_from_base(w, base, false, true, true);
				if (c == '?') {
					w_cut(w, C_QUERY, 0);
					w->has_query = true;
					st = S_QUERY;
				} else if (c == '#') {
					w->has_frag = true;
					st = S_FRAGMENT;
				} else if (c >= 0) {
					w_cut(w, C_QUERY, 0);
					w->has_query = false;
					if (!starts_with_drive_letter(in + p, (size_t)(n - p)))
						shorten_path(w);
					else
						w_cut(w, C_PATH, 0);
					st = S_PATH;
					p--;
				}
			} else {
				st = S_PATH;
				p--;
			}
			break;
		case S_FILE_SLASH:
			if (c == '/' || c == '\\') {
				st = S_FILE_HOST;
			} else {
				if (base && is_file(base->scheme.p, base->scheme.n)) {
					w_set(w, C_HOST, base->host.p, base->host.n);
					w->has_host = base->has_host;
					const char *bp = base->path.p;
					if (!starts_with_drive_letter(in + p, (size_t)(n - p)) &&
					    base->path.n >= 3 && bp[0] == '/' &&
					    isalpha((unsigned char)bp[1]) && bp[2] == ':' &&
					    (base->path.n == 3 || bp[3] == '/'))
						w_put(w, C_PATH, bp, 3);
				}
				st = S_PATH;
				p--;
			}
			break;
		case S_FILE_HOST:
			if (c < 0 || c == '/' || c == '\\' || c == '?' || c == '#') {
				p--;
				if (drive_letter(w->buf, w->blen)) {
					st = S_PATH; /* buffer kept: the drive letter quirk */
				} else if (w->blen == 0) {
					w_cut(w, C_HOST, 0);
					w->has_host = true;
					st = S_PATH_START;
				} else {
					char h[URL_HOST_MAX];
					size_t hn;
					if (host_parse(w->buf, w->blen, true, h, sizeof h, &hn) < 0)
						return -1;
					if (hn == 9 && !memcmp(h, "localhost", 9))
						hn = 0;
					w_set(w, C_HOST, h, hn);
					w->has_host = true;
					w->blen = 0;
					st = S_PATH_START;
				}
			} else {
				char b = (char)c;
				buf_add(w, &b, 1);
			}
			break;
		case S_PATH_START:
			if (special) {
				st = S_PATH;
				if (c != '/' && c != '\\')
					p--;
			} else if (c == '?') {
				w->has_query = true;
				st = S_QUERY;
			} else if (c == '#') {
				w->has_frag = true;
				st = S_FRAGMENT;
			} else if (c >= 0) {
				st = S_PATH;
				if (c != '/')
					p--;
			}
			break;
		case S_PATH:
			if (c < 0 || c == '/' || (special && c == '\\') || c == '?' || c == '#') {
				bool slash = c == '/' || (special && c == '\\');
				if (double_dot(w->buf, w->blen)) {
					shorten_path(w);
					if (!slash)
						w_put(w, C_PATH, "/", 1);
				} else if (single_dot(w->buf, w->blen) && !slash) {
					w_put(w, C_PATH, "/", 1);
				} else if (!single_dot(w->buf, w->blen)) {
					if (is_file(w_ptr(w, C_SCHEME), w->len[C_SCHEME]) &&
					    w->len[C_PATH] == 0 && drive_letter(w->buf, w->blen))
						w->buf[1] = ':';
					w_put(w, C_PATH, "/", 1);
					w_put(w, C_PATH, w->buf, w->blen);
				}
				w->blen = 0;
				if (c == '?') {
					w->has_query = true;
					st = S_QUERY;
				} else if (c == '#') {
					w->has_frag = true;
					st = S_FRAGMENT;
				}
			} else {
				buf_enc(w, (unsigned char)c, SET_PATH);
			}
			break;
		case S_OPAQUE_PATH:
			if (c == '?') {
				w->has_query = true;
				st = S_QUERY;
			} else if (c == '#') {
				w->has_frag = true;
				st = S_FRAGMENT;
			} else if (c >= 0) {
				w_enc(w, C_PATH, (unsigned char)c, SET_C0);
			}
			break;
		case S_QUERY:
			if (c == '#') {
				w->has_frag = true;
				st = S_FRAGMENT;
			} else if (c >= 0) {
				w_enc(w, C_QUERY, (unsigned char)c,
				      special ? SET_SPECIAL_QUERY : SET_QUERY);
			}
			break;
		case S_FRAGMENT:
			if (c >= 0)
				w_enc(w, C_FRAG, (unsigned char)c, SET_FRAGMENT);
			break;
		}
		if (w->toobig)
			return -1;
		if (p >= n)
			break;
	}
	return 0;
}

static void put_view(struct url *u, size_t *o, const char *s, size_t n, struct view *v)
{
	if (*o + n <= URL_MAX_LEN)
		memcpy(u->href + *o, s, n);
	if (v) {
		v->p = u->href + *o;
		v->n = n;
	}
	*o += n;
}

int url_parse(const char *input, const struct url *base, struct url *out)
{
	struct work w;
	char in[URL_MAX_LEN + 1];
	long n = preprocess(input, in);
	if (n < 0)
		return -1;
	memset(w.off, 0, sizeof w.off);
	memset(w.len, 0, sizeof w.len);
	w.port = -1;
	w.has_host = w.has_query = w.has_frag = w.opaque = w.toobig = false;
	w.blen = 0;
	if (run(&w, in, n, base) < 0)
		return -1;

	/* serialise */
	size_t o = 0;
	struct view none = {"", 0};
	out->username = out->password = out->host = out->query = out->fragment = none;
	put_view(out, &o, w_ptr(&w, C_SCHEME), w.len[C_SCHEME], &out->scheme);
	put_view(out, &o, ":", 1, NULL);
	const char *path = w_ptr(&w, C_PATH);
	size_t pn = w.len[C_PATH];
	if (w.has_host) {
		put_view(out, &o, "//", 2, NULL);
		if (w.len[C_USER] || w.len[C_PASS]) {
			put_view(out, &o, w_ptr(&w, C_USER), w.len[C_USER], &out->username);
			if (w.len[C_PASS]) {
				put_view(out, &o, ":", 1, NULL);
				put_view(out, &o, w_ptr(&w, C_PASS), w.len[C_PASS], &out->password);
			}
			put_view(out, &o, "@", 1, NULL);
		}
		put_view(out, &o, w_ptr(&w, C_HOST), w.len[C_HOST], &out->host);
		if (w.port >= 0) {
			char pb[8];
			int k = snprintf(pb, sizeof pb, ":%d", w.port);
			put_view(out, &o, pb, (size_t)k, NULL);
		}
	} else if (!w.opaque && pn > 1 && path[0] == '/' && path[1] == '/') {
		put_view(out, &o, "/.", 2, NULL);
	}
	put_view(out, &o, path, pn, &out->path);
	if (w.has_query) {
		put_view(out, &o, "?", 1, NULL);
		put_view(out, &o, w_ptr(&w, C_QUERY), w.len[C_QUERY], &out->query);
	}
	if (w.has_frag) {
		put_view(out, &o, "#", 1, NULL);
		put_view(out, &o, w_ptr(&w, C_FRAG), w.len[C_FRAG], &out->fragment);
	}
	if (o > URL_MAX_LEN)
		return -1;
	out->href[o] = '\0';
	out->href_len = o;
	out->port = w.port;
	out->special = is_special(out->scheme.p, out->scheme.n);
	out->has_host = w.has_host;
	out->has_query = w.has_query;
	out->has_fragment = w.has_frag;
	out->opaque_path = w.opaque;
	return 0;
}

int url_resolve(const char *base, const char *ref, struct buf *out)
{
	struct url b, u;
	const struct url *bp = NULL;
	if (base && *base) {
		if (url_parse(base, NULL, &b) < 0)
			return -1;
		bp = &b;
	}
	if (url_parse(ref ? ref : "", bp, &u) < 0)
		return -1;
	return buf_put(out, u.href, u.href_len);
}

int url_host(const char *url, struct buf *out)
{
	struct url u;
	if (url_parse(url, NULL, &u) < 0 || !u.has_host || u.host.n == 0)
		return -1;
	return buf_put(out, u.host.p, u.host.n);
}

bool url_is_http(const char *url)
{
	return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8);
}

bool url_looks_absolute(const char *s)
{
	const char *p = s;
	if (!isalpha((unsigned char)*p))
		return false;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return p[0] == ':' && p[1] == '/' && p[2] == '/';
}
