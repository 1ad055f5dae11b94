/*
 * utf8.c - a strict UTF-8 decoder (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF) and the helpers built on it.
 */
#include "common/utf8.h"

size_t utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c = s[0];
	size_t len;
	uint32_t v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xC2 && c <= 0xDF) {
		len = 2, v = c & 0x1F, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3, v = c & 0x0F, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4, v = c & 0x07, min = 0x10000;
	} else {
		goto bad;
	}
	if (n < len)
		goto bad;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		goto bad;
	*cp = v;
	return len;
bad:
	*cp = UTF8_REPLACEMENT;
	return 1;
}

int utf8_encode(struct buf *b, uint32_t cp)
{
	char s[4];
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = UTF8_REPLACEMENT;
	if (cp < 0x80)
		return buf_putc(b, (int)cp);
	if (cp < 0x800) {
		s[0] = (char)(0xC0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3F));
		return buf_put(b, s, 2);
	}
	if (cp < 0x10000) {
		s[0] = (char)(0xE0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		s[2] = (char)(0x80 | (cp & 0x3F));
		return buf_put(b, s, 3);
	}
	s[0] = (char)(0xF0 | (cp >> 18));
	s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	s[3] = (char)(0x80 | (cp & 0x3F));
	return buf_put(b, s, 4);
}

bool utf8_valid(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		size_t l = utf8_decode(s + i, n - i, &cp);
		if (cp == UTF8_REPLACEMENT && l == 1)
			return false;
		i += l;
	}
	return true;
}

int utf8_sanitize(struct buf *out, const char *s, size_t n)
{
	size_t i = 0, run = 0;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c && c < 0x80) {
			i++;
			continue;
		}
		uint32_t cp = 0;
		size_t l = c ? utf8_decode(s + i, n - i, &cp) : 1;
		bool bad = !c || (cp == UTF8_REPLACEMENT && l == 1);
		if (!bad) {
			i += l;
			continue;
		}
		if (buf_put(out, s + run, i - run) < 0)
			return -1;
		if (c && utf8_encode(out, UTF8_REPLACEMENT) < 0)
			return -1;
		i += 1;
		run = i;
	}
	return buf_put(out, s + run, n - run);
}

bool utf8_is_cjk(uint32_t cp)
{
	return (cp >= 0x2E80 && cp <= 0x9FFF) ||  /* radicals, kana, CJK punct, ideographs */
	       (cp >= 0xAC00 && cp <= 0xD7AF) ||  /* hangul syllables */
	       (cp >= 0xF900 && cp <= 0xFAFF) ||  /* compatibility ideographs */
	       (cp >= 0xFF00 && cp <= 0xFFEF) ||  /* full-width forms */
	       (cp >= 0x20000 && cp <= 0x3FFFF);  /* supplementary ideographs */
}

bool utf8_is_space(uint32_t cp)
{
	if (cp < 0x80)
		return cp == ' ' || (cp >= 0x09 && cp <= 0x0d);
	return cp == 0x85 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200b) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000 ||
	       cp == 0xfeff;
}
