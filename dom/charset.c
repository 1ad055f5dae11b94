/*
 * charset.c - choosing a page's charset and converting it to UTF-8.
 *
 * The label table is the WHATWG Encoding Standard's, each entry mapped to the
 * glibc iconv converter closest to the standard's decoder (GBK labels to
 * GB18030, Shift_JIS to CP932, EUC-KR to CP949, ...).  The <meta> prescan is
 * the HTML standard's byte-level algorithm.  Conversion runs iconv in chunks
 * and replaces each undecodable byte with U+FFFD, so any input converts.
 */
#include "dom/charset.h"
#include "common/utf8.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <string.h>

#include <uchardet/uchardet.h>

struct enc {
	const char *name;   /* canonical (WHATWG) name, reported in `used` */
	const char *iconv;  /* glibc converter name */
	const char *labels; /* space-separated lower-case labels */
};

/* Index 0 must stay UTF-8, 1 windows-1252 (the defaults below use them). */
static const struct enc encs[] = {
	{"UTF-8", "UTF-8", "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8"},
	{"windows-1252", "WINDOWS-1252",
	 "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 "
	 "iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252 "
	 "x-user-defined"},
	{"GB18030", "GB18030",
	 "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk "
	 "gb18030 cp936 ms936 windows-936 euc-cn"},
	{"Big5", "BIG5-HKSCS", "big5 big5-hkscs cn-big5 csbig5 x-x-big5 cp950"},
	{"Shift_JIS", "CP932",
	 "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis cp932"},
	{"EUC-JP", "EUC-JP", "cseucpkdfmtjapanese euc-jp x-euc-jp"},
	{"ISO-2022-JP", "ISO-2022-JP", "csiso2022jp iso-2022-jp"},
	{"EUC-KR", "CP949",
	 "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 "
	 "ksc5601 ksc_5601 windows-949 cp949 uhc"},
	{"EUC-TW", "EUC-TW", "euc-tw"},
	{"UTF-16LE", "UTF-16LE",
	 "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le"},
	{"UTF-16BE", "UTF-16BE", "unicodefffe utf-16be"},
	{"IBM866", "IBM866", "866 cp866 csibm866 ibm866"},
	{"IBM855", "IBM855", "ibm855 cp855"},
	{"ISO-8859-2", "ISO-8859-2",
	 "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 l2 latin2"},
	{"ISO-8859-3", "ISO-8859-3",
	 "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 l3 latin3"},
	{"ISO-8859-4", "ISO-8859-4",
	 "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 l4 latin4"},
	{"ISO-8859-5", "ISO-8859-5",
	 "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 iso_8859-5 "
	 "iso_8859-5:1988"},
	{"ISO-8859-6", "ISO-8859-6",
	 "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 iso-8859-6 "
	 "iso-8859-6-e iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987"},
	{"ISO-8859-7", "ISO-8859-7",
	 "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 iso8859-7 "
	 "iso88597 iso_8859-7 iso_8859-7:1987 sun_eu_greek"},
	{"ISO-8859-8", "ISO-8859-8",
	 "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 iso8859-8 "
	 "iso88598 iso_8859-8 iso_8859-8:1988 visual csiso88598i iso-8859-8-i logical"},
	{"ISO-8859-10", "ISO-8859-10",
	 "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6"},
	{"ISO-8859-13", "ISO-8859-13", "iso-8859-13 iso8859-13 iso885913"},
	{"ISO-8859-14", "ISO-8859-14", "iso-8859-14 iso8859-14 iso885914"},
	{"ISO-8859-15", "ISO-8859-15",
	 "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9"},
	{"ISO-8859-16", "ISO-8859-16", "iso-8859-16"},
	{"KOI8-R", "KOI8-R", "cskoi8r koi koi8 koi8-r koi8_r"},
	{"KOI8-U", "KOI8-U", "koi8-ru koi8-u"},
	{"macintosh", "MACINTOSH", "csmacintosh mac macintosh x-mac-roman"},
	{"x-mac-cyrillic", "MAC-CYRILLIC", "x-mac-cyrillic x-mac-ukrainian mac-cyrillic"},
	{"windows-874", "WINDOWS-874",
	 "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874"},
	{"windows-1250", "WINDOWS-1250", "cp1250 windows-1250 x-cp1250"},
	{"windows-1251", "WINDOWS-1251", "cp1251 windows-1251 x-cp1251"},
	{"windows-1253", "WINDOWS-1253", "cp1253 windows-1253 x-cp1253"},
	{"windows-1254", "WINDOWS-1254",
	 "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 "
	 "iso_8859-9:1989 l5 latin5 windows-1254 x-cp1254"},
	{"windows-1255", "WINDOWS-1255", "cp1255 windows-1255 x-cp1255"},
	{"windows-1256", "WINDOWS-1256", "cp1256 windows-1256 x-cp1256"},
	{"windows-1257", "WINDOWS-1257", "cp1257 windows-1257 x-cp1257"},
	{"windows-1258", "WINDOWS-1258", "cp1258 windows-1258 x-cp1258"},
	{"VISCII", "VISCII", "viscii"},
};

#define ENC_UTF8 (&encs[0])
#define ENC_1252 (&encs[1])

/* No label in the table is longer; longer strings are not labels. */
#define CHARSET_LABEL_MAX 40

/* Iconv output is produced through a stack buffer of this size... */
#define CHARSET_CHUNK 16384
/* ...from at most this many input bytes per call (see convert()). */
#define CHARSET_WINDOW 4096

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* Looks a label up (ASCII whitespace trimmed, case-insensitive). */
static const struct enc *enc_lookup(const char *s, size_t n)
{
	char low[CHARSET_LABEL_MAX + 1];
	while (n && is_ws((unsigned char)*s))
		s++, n--;
	while (n && is_ws((unsigned char)s[n - 1]))
		n--;
	if (!n || n > CHARSET_LABEL_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	low[n] = '\0';
	for (size_t i = 0; i < sizeof encs / sizeof encs[0]; i++) {
		const char *p = encs[i].labels;
		while (*p) {
			size_t l = strcspn(p, " ");
			if (l == n && memcmp(p, low, n) == 0)
				return &encs[i];
			p += l;
			while (*p == ' ')
				p++;
		}
	}
	return NULL;
}

static bool enc_is_utf16(const struct enc *c)
{
	return !strncmp(c->name, "UTF-16", 6);
}

bool charset_known(const char *label)
{
	if (!label)
		return false;
	return !strcasecmp(label, "auto") || enc_lookup(label, strlen(label)) != NULL;
}

/* ---- HTTP Content-Type ------------------------------------------------ */

/* The charset parameter of a Content-Type value, or NULL. */
static const struct enc *from_content_type(const char *ct)
{
	if (!ct)
		return NULL;
	const char *p = ct;
	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (is_ws((unsigned char)*p))
			p++;
		if (strncasecmp(p, "charset", 7) != 0)
			continue;
		p += 7;
		while (is_ws((unsigned char)*p))
			p++;
		if (*p != '=')
			continue;
		p++;
		while (is_ws((unsigned char)*p))
			p++;
		size_t n;
		if (*p == '"' || *p == '\'') {
			char q = *p++;
			const char *end = strchr(p, q);
			n = end ? (size_t)(end - p) : strlen(p);
		} else {
			n = strcspn(p, "; \t");
		}
		return enc_lookup(p, n);
	}
	return NULL;
}

/* ---- <meta> prescan (HTML standard 13.2.3.2) -------------------------- */

struct scan {
	const unsigned char *s;
	size_t n, pos;
};

/* "get an attribute": fills name/value (lower-cased, truncated to the
 * buffers) and returns true, or returns false when there is none (a '>' or
 * the end of the input). */
static bool get_attr(struct scan *sc, char *name, size_t namesz, char *value, size_t valsz)
{
	size_t nl = 0, vl = 0;
	const unsigned char *s = sc->s;
#define AT_END (sc->pos >= sc->n)
#define APPEND(buf, len, sz, c)                                           \
	do {                                                              \
		if (len + 1 < sz)                                         \
			buf[len++] = (char)tolower((unsigned char)(c));   \
	} while (0)

	while (!AT_END && (is_ws(s[sc->pos]) || s[sc->pos] == '/'))
		sc->pos++;
	if (AT_END || s[sc->pos] == '>')
		return false;
	for (;;) {
		if (AT_END)
			return false;
		unsigned char c = s[sc->pos];
		if (c == '=' && nl) {
			sc->pos++;
			break;
		}
		if (is_ws(c)) {
			while (!AT_END && is_ws(s[sc->pos]))
				sc->pos++;
			if (AT_END || s[sc->pos] != '=')
				goto done;
			sc->pos++;
			break;
		}
		if (c == '/' || c == '>')
			goto done;
		APPEND(name, nl, namesz, c);
		sc->pos++;
	}
	while (!AT_END && is_ws(s[sc->pos]))
		sc->pos++;
	if (AT_END)
		return false;
	if (s[sc->pos] == '"' || s[sc->pos] == '\'') {
		unsigned char q = s[sc->pos++];
		for (;;) {
			if (AT_END)
				return false;
			if (s[sc->pos] == q) {
				sc->pos++;
				goto done;
			}
			APPEND(value, vl, valsz, s[sc->pos]);
			sc->pos++;
		}
	}
	if (s[sc->pos] == '>')
		goto done;
	while (!AT_END && !is_ws(s[sc->pos]) && s[sc->pos] != '>') {
		APPEND(value, vl, valsz, s[sc->pos]);
		sc->pos++;
	}
	if (AT_END)
		return false;
done:
	name[nl] = '\0';
	value[vl] = '\0';
	return true;
#undef AT_END
#undef APPEND
}

/* "extracting a character encoding from a meta element" (content=...). */
static const struct enc *from_meta_content(const char *v)
{
	const char *p = v;
	for (;;) {
		const char *c = strstr(p, "charset"); /* v is lower-cased */
		if (!c)
			return NULL;
		p = c + 7;
		while (is_ws((unsigned char)*p))
			p++;
		if (*p != '=')
			continue;
		p++;
		while (is_ws((unsigned char)*p))
			p++;
		if (*p == '"' || *p == '\'') {
			const char *end = strchr(p + 1, *p);
			return end ? enc_lookup(p + 1, (size_t)(end - p - 1)) : NULL;
		}
		size_t n = strcspn(p, "; \t\n\f\r");
		return n ? enc_lookup(p, n) : NULL;
	}
}

/* Attribute names and values longer than these cannot matter here (the
 * longest label fits easily); they are cut, not rejected. */
#define PRESCAN_NAME_MAX 32
#define PRESCAN_VALUE_MAX 256
/* The standard keeps a list of attribute names seen on one <meta> so a
 * repeated one is ignored; more attributes than this are not tracked. */
#define PRESCAN_ATTRS_MAX 16

static const struct enc *meta_tag(struct scan *sc)
{
	char name[PRESCAN_NAME_MAX], value[PRESCAN_VALUE_MAX];
	char seen[PRESCAN_ATTRS_MAX][PRESCAN_NAME_MAX];
	size_t nseen = 0;
	bool got_pragma = false;
	int need_pragma = -1; /* -1 = null */
	const struct enc *cs = NULL;

	while (get_attr(sc, name, sizeof name, value, sizeof value)) {
		bool dup = false;
		for (size_t i = 0; i < nseen && !dup; i++)
			dup = !strcmp(seen[i], name);
		if (dup)
			continue;
		if (nseen < PRESCAN_ATTRS_MAX)
			memcpy(seen[nseen++], name, sizeof name);
		if (!strcmp(name, "http-equiv")) {
			if (!strcmp(value, "content-type"))
				got_pragma = true;
		} else if (!strcmp(name, "content")) {
			if (!cs) {
				const struct enc *c = from_meta_content(value);
				if (c) {
					cs = c;
					need_pragma = 1;
				}
			}
		} else if (!strcmp(name, "charset")) {
			cs = enc_lookup(value, strlen(value));
			need_pragma = 0;
		}
	}
	if (need_pragma == -1 || (need_pragma == 1 && !got_pragma) || !cs)
		return NULL;
	if (enc_is_utf16(cs))
		return ENC_UTF8;
	return cs;
}

static const struct enc *prescan(const char *bytes, size_t n)
{
	struct scan sc = {(const unsigned char *)bytes,
			  n < CHARSET_PRESCAN_BYTES ? n : CHARSET_PRESCAN_BYTES, 0};
	const unsigned char *s = sc.s;
	char name[PRESCAN_NAME_MAX], value[PRESCAN_VALUE_MAX];

	while (sc.pos < sc.n) {
		size_t left = sc.n - sc.pos;
		const unsigned char *p = s + sc.pos;
		if (left >= 4 && !memcmp(p, "<!--", 4)) {
			const void *end = memmem(p + 2, left - 2, "-->", 3);
			if (!end)
				return NULL;
			sc.pos = (size_t)((const unsigned char *)end - s) + 3;
			continue;
		}
		if (left >= 6 && !strncasecmp((const char *)p, "<meta", 5) &&
		    (is_ws(p[5]) || p[5] == '/')) {
			sc.pos += 5;
			const struct enc *c = meta_tag(&sc);
			if (c)
				return c;
		} else if (left >= 2 && p[0] == '<' &&
			   (isalpha(p[1]) || (left >= 3 && p[1] == '/' && isalpha(p[2])))) {
			while (sc.pos < sc.n && !is_ws(s[sc.pos]) && s[sc.pos] != '>')
				sc.pos++;
			while (get_attr(&sc, name, sizeof name, value, sizeof value))
				;
		} else if (left >= 2 && p[0] == '<' && (p[1] == '!' || p[1] == '/' || p[1] == '?')) {
			const void *end = memchr(p + 2, '>', left - 2);
			if (!end)
				return NULL;
			sc.pos = (size_t)((const unsigned char *)end - s);
		}
		sc.pos++;
	}
	return NULL;
}

const char *charset_prescan(const char *bytes, size_t n)
{
	const struct enc *c = prescan(bytes, n);
	return c ? c->name : NULL;
}

/* ---- sniffing ------------------------------------------------------- */

struct utf8_stats {
	size_t valid_mb; /* well-formed multi-byte sequences */
	size_t invalid;  /* bytes that start no well-formed sequence */
};

static struct utf8_stats utf8_count(const char *s, size_t n)
{
	struct utf8_stats st = {0, 0};
	size_t i = 0;
	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t l = utf8_decode(s + i, n - i, &cp);
		if (l == 1)
			st.invalid++;
		else
			st.valid_mb++;
		i += l;
	}
	return st;
}

/* Non-ASCII bytes that read as UTF-8, allowing a few broken sequences. */
static bool looks_utf8(const struct utf8_stats *st)
{
	return st->valid_mb > 0 && st->invalid <= st->valid_mb / CHARSET_UTF8_BAD_RATIO;
}

static const struct enc *sniff(const char *bytes, size_t n)
{
	uchardet_t ud = uchardet_new();
	if (!ud)
		return NULL;
	const struct enc *c = NULL;
	if (uchardet_handle_data(ud, bytes, n < CHARSET_SNIFF_BYTES ? n : CHARSET_SNIFF_BYTES) == 0) {
		uchardet_data_end(ud);
		const char *name = uchardet_get_charset(ud);
		if (name && *name)
			c = enc_lookup(name, strlen(name));
	}
	uchardet_delete(ud);
	return c;
}

/* ---- conversion ----------------------------------------------------- */

static void set_used(char *used, size_t usedsz, const char *name)
{
	if (used && usedsz) {
		size_t l = strlen(name);
		if (l >= usedsz)
			l = usedsz - 1;
		memcpy(used, name, l);
		used[l] = '\0';
	}
}

/* Converts with iconv; every byte the converter rejects becomes U+FFFD.
 * Input goes to iconv in windows of at most CHARSET_WINDOW bytes (a
 * sequence cut by a window's end is simply retried with the next one), so
 * each call's cost is bounded; sanitizers check the whole input range on
 * every iconv call, which made all-invalid input quadratic under ASan.
 * Returns -1 when out's cap refused a write. */
static int convert(const struct enc *c, const char *bytes, size_t n, struct buf *out)
{
	iconv_t cd = iconv_open("UTF-8", c->iconv);
	if (cd == (iconv_t)-1) /* cannot happen with glibc's converters */
		return utf8_sanitize(out, bytes, n);

	char chunk[CHARSET_CHUNK];
	char *in = (char *)bytes;
	const char *end = bytes + n;
	int rc = 0;
	bool flushed = false;
	while (rc == 0 && !flushed) {
		char *o = chunk;
		size_t oleft = sizeof chunk;
		size_t left = (size_t)(end - in);
		size_t win = left < CHARSET_WINDOW ? left : CHARSET_WINDOW;
		bool last = win == left;
		const char *before = in;
		size_t r;
		if (left) {
			r = iconv(cd, &in, &win, &o, &oleft);
		} else {
			r = iconv(cd, NULL, NULL, &o, &oleft); /* shift state out */
			flushed = true;
		}
		int err = r == (size_t)-1 ? errno : 0;
		rc = utf8_sanitize(out, chunk, (size_t)(o - chunk));
		if (rc < 0 || !err || err == E2BIG || (err == EINVAL && !last && in != before))
			continue;
		/* EILSEQ: skip one byte, so a valid ASCII trail byte after a bad
		 * lead is read again (as the WHATWG decoders do).  EINVAL in the
		 * last window: a sequence cut by the end of input. */
		rc = utf8_encode(out, UTF8_REPLACEMENT);
		if ((err == EILSEQ || (err == EINVAL && !last)) && in < end)
			in++;
		else /* EINVAL, or anything unexpected: stop safely */
			in = (char *)end;
	}
	iconv_close(cd);
	return rc;
}

enum nm_code charset_decode(const char *bytes, size_t n, const char *content_type,
			    const char *forced, struct buf *out, char *used, size_t usedsz,
			    struct nm_err *e)
{
	const struct enc *c = NULL;
	const unsigned char *u = (const unsigned char *)bytes;
	size_t skip = 0;

	if (forced && *forced && strcasecmp(forced, "auto") != 0)
		c = enc_lookup(forced, strlen(forced));
	if (!c) {
		if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
			c = ENC_UTF8, skip = 3;
		else if (n >= 2 && u[0] == 0xFE && u[1] == 0xFF)
			c = enc_lookup("utf-16be", 8), skip = 2;
		else if (n >= 2 && u[0] == 0xFF && u[1] == 0xFE)
			c = enc_lookup("utf-16le", 8), skip = 2;
	}
	if (!c) {
		struct utf8_stats st = utf8_count(bytes, n);
		const struct enc *http = from_content_type(content_type);
		bool utf8 = looks_utf8(&st);
		/* A UTF-16 header cannot be second-guessed by a UTF-8 test:
		 * UTF-16 text of Latin letters is all ASCII bytes and NULs. */
		if (utf8 && !(http && enc_is_utf16(http)))
			c = ENC_UTF8;
		else if (http && !(http == ENC_UTF8 && st.invalid))
			c = http;
		if (!c) {
			const struct enc *m = prescan(bytes, n);
			if (m && !(m == ENC_UTF8 && st.invalid))
				c = m;
		}
		/* ESC: 7-bit ISO-2022 text, which only the detector spots. */
		if (!c && (st.invalid || memchr(bytes, 0x1B, n))) {
			c = sniff(bytes, n);
			/* The detector may answer UTF-8 on mostly-ASCII bytes
			 * that the test above already rejected. */
			if (c == ENC_UTF8)
				c = NULL;
		}
		if (!c)
			c = st.invalid ? ENC_1252 : ENC_UTF8;
	}
	set_used(used, usedsz, c->name);

	int rc = c == ENC_UTF8 ? utf8_sanitize(out, bytes + skip, n - skip)
			       : convert(c, bytes + skip, n - skip, out);
	if (rc < 0)
		return err_set(e, NM_ELIMIT, "decoded page exceeds %zu bytes",
			       out->max ? out->max : BUF_DEFAULT_MAX);
	return NM_OK;
}
