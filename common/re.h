/*
 * re.h - PCRE2 regular expressions (UTF mode) compiled once, matched with
 * bounded effort: a rule author's regex can never hang a crawl.
 */
#ifndef NM_RE_H
#define NM_RE_H

#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"

/* Backtracking steps one match may take; a catastrophic pattern on a large
 * page fails ("match limit") instead of running for minutes. */
#define RE_MATCH_LIMIT 5000000
/* Backtracking depth (heap memory) per match. */
#define RE_DEPTH_LIMIT 20000

struct re;

/* Compiles pattern.  On error NM_EPARSE with e->col = 1-based offset in the
 * pattern and PCRE2's message. */
enum nm_code re_compile(const char *pattern, struct re **out, struct nm_err *e);
void re_free(struct re *r);
/* First match in s[0..n).  Returns 1 and the span of group 1 (or of the
 * whole match when the pattern has no groups), 0 when none, -1 when the
 * match limits were hit. */
int re_search(const struct re *r, const char *s, size_t n, size_t *start, size_t *len);
/* Appends s with every match replaced by repl ($0-$99 and ${name} refer to
 * groups).  Returns the number of replacements, or -1 on a limit or a bad
 * replacement string. */
int re_replace(const struct re *r, const char *s, size_t n, const char *repl,
	       struct buf *out);
/* Number of capture groups. */
unsigned re_groups(const struct re *r);

#endif
