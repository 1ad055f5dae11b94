/*
 * tmpl.h - the small template language of the config (SPEC §3):
 *   {field}  {date:%Y-%m-%d}  {field|pinyin}  {field|slug}  {field|lower}
 *   {field|default:TEXT}  and filters chained left to right; {{ and }} are
 *   literal braces.
 * Fields: url, final_url, slug, rule, title, date, updated, author (joined
 * with ", "), source, category, tags (joined), lead_image, excerpt, lang,
 * and any custom field of the article.  An unknown field expands to "".
 */
#ifndef NM_TMPL_H
#define NM_TMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"
#include "extractor/article.h"

struct kv;

struct tmpl_ctx {
	const struct article *a;
	const struct kv *pinyin; /* per-string pinyin overrides */
	size_t npinyin;
};

/* Appends the expansion of tmpl.  NM_ETEMPLATE on a syntax error (unclosed
 * brace, unknown filter), with the column in e->col. */
enum nm_code tmpl_expand(const char *tmpl, const struct tmpl_ctx *c, struct buf *out,
			 struct nm_err *e);
/* Checks syntax only (for config validation). */
enum nm_code tmpl_check(const char *tmpl, struct nm_err *e);
/* When tmpl is exactly one placeholder without filters naming a list field
 * (author, tags), that list; else NULL.  Borrowed from the article. */
const struct strv *tmpl_list(const char *tmpl, const struct article *a);
/* True when tmpl is exactly one placeholder of a date field ({date...},
 * {updated...}): its expansion is meant to be read as a timestamp. */
bool tmpl_is_date(const char *tmpl);
/* The slug of an article: the rule's output.slug; else, for a title in
 * Latin letters only (at least 3), its ASCII slug; else (Chinese and other
 * titles) the URL's id (tmpl_url_id); else a 10-hex-digit hash of the URL. */
void tmpl_slug(const struct article *a, struct buf *out);
/* ASCII slug: letters (diacritics dropped, translit.h) and digits in lower
 * case, apostrophes dropped, other runs become '-'; at most 80 bytes, cut
 * at a '-' when one is near. */
void tmpl_ascii_slug(const char *s, struct buf *out);
/* Appends the id in url, if it has one: the last path segment without its
 * extension, else the first query value, that is 3-64 characters of
 * [A-Za-z0-9_-] with a digit (/doc-imcwiwst1234567.shtml,
 * ?infoCode=NW202204132341710174).  False (nothing appended) otherwise. */
bool tmpl_url_id(const char *url, struct buf *out);

#endif
