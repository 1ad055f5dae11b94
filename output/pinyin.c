/*
 * pinyin.c - lookups in the generated table (binary search by code point).
 */
#include "output/pinyin.h"
#include "common/utf8.h"
#include "common/settings.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

extern const char *const pinyin_syllables[];
extern const uint32_t pinyin_codepoints[];
extern const uint16_t pinyin_index[];
extern const size_t pinyin_count;

const char *pinyin_of(unsigned cp)
{
	size_t lo = 0, hi = pinyin_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pinyin_codepoints[mid] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < pinyin_count && pinyin_codepoints[lo] == cp)
		return pinyin_syllables[pinyin_index[lo]];
	return NULL;
}

void pinyin_append(struct buf *out, const char *s, const struct kv *ov, size_t nov)
{
	size_t n = strlen(s), start = out->len;
	bool dash = false; /* a separator is pending */
	for (size_t i = 0; i < n;) {
		const struct kv *best = NULL;
		size_t bl = 0;
		for (size_t k = 0; k < nov; k++) {
			size_t l = strlen(ov[k].key);
			if (l > bl && l <= n - i && !memcmp(s + i, ov[k].key, l))
				best = &ov[k], bl = l;
		}
		const char *piece = NULL;
		char one[2] = {0, 0};
		size_t adv;
		if (best) {
			piece = best->value;
			adv = bl;
		} else {
			uint32_t cp;
			adv = utf8_decode(s + i, n - i, &cp);
			if (cp < 0x80 && isalnum((int)cp)) {
				one[0] = (char)tolower((int)cp);
				piece = one;
			} else {
				piece = pinyin_of(cp);
			}
		}
		i += adv;
		if (!piece) {
			dash = true;
			continue;
		}
		if (dash && out->len > start)
			buf_putc(out, '-');
		dash = false;
		buf_puts(out, piece);
	}
}
