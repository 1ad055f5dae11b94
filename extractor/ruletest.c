/*
 * ruletest.c - what `newsmd rules check` compares: a field's value as a
 * rule's offline tests see it, expectations against values (dates as
 * instants), and mismatches made readable (invisible characters shown).
 */
#include "extractor/ruletest.h"
#include "common/date.h"
#include "common/utf8.h"

#include <stdint.h>
#include <string.h>

/* A field's value as the tests compare it. */
void ruletest_field_text(const struct article *a, const char *k, struct buf *out)
{
	if (!strcmp(k, "date") || !strcmp(k, "updated")) {
		const struct when *w = k[0] == 'd' ? &a->date : &a->updated;
		if (w->set)
			date_format(out, "%Y-%m-%d %H:%M:%S %z", w);
		return;
	}
	const struct strv *lst = !strcmp(k, "author") ? &a->author : !strcmp(k, "tags") ? &a->tags : NULL;
	if (lst) {
		for (size_t i = 0; i < lst->n; i++)
			buf_printf(out, "%s%s", i ? ", " : "", lst->v[i]);
		return;
	}
	const char *v = !strcmp(k, "title")	 ? a->title
			: !strcmp(k, "source")	 ? a->source
			: !strcmp(k, "category")   ? a->category
			: !strcmp(k, "excerpt")	? a->excerpt
			: !strcmp(k, "lead_image") ? a->lead_image
			: !strcmp(k, "slug")	   ? a->slug
			: !strcmp(k, "body")	   ? a->body_text
						   : article_get_field(a, k);
	if (v)
		buf_puts(out, v);
}

size_t ruletest_chars(const char *s)
{
	size_t n = 0;
	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* A test's expectation against the extracted value: dates as instants
 * (2019-04-15 06:18:34 -0700 equals 2019-04-15 13:18:34 +0000), the rest
 * as text. */
bool ruletest_equal(const struct article *a, const char *key, const char *want,
			 const char *got)
{
	if (!strcmp(key, "date") || !strcmp(key, "updated")) {
		const struct when *w = key[0] == 'd' ? &a->date : &a->updated;
		struct when x = {0};
		if (w->set && date_parse_any(want, NULL, &x) == NM_OK)
			return x.t == w->t;
	}
	return !strcmp(want, got);
}

/* s with the characters a reader cannot see made visible: a plain space
 * stays, U+00A0, tabs, zero-width and other spaces or controls become
 * <U+XXXX>; a space at either end shows as ␣. */
void ruletest_visible(const char *s, struct buf *out)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_decode(s + i, n - i, &cp);
		bool edge = cp == ' ' && (i == 0 || i + 1 == n);
		if (edge)
			buf_puts(out, "␣");
		else if (cp < 0x20 || cp == 0x7F || cp == 0xA0 || cp == 0xAD || cp == 0x3000 ||
			 (cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) ||
			 cp == 0x205F || cp == 0x2060 || cp == 0xFEFF)
			buf_printf(out, "<U+%04X>", (unsigned)cp);
		else
			buf_put(out, s + i, l);
		i += l ? l : 1;
	}
}
