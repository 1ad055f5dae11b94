/*
 * re.c - PCRE2 wrapper: compile with UTF + UCP, JIT when available, one
 * match context carrying the limits.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "common/re.h"
#include "common/mem.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

struct re {
	pcre2_code *code;
	pcre2_match_context *mctx;
	uint32_t groups;
};

enum nm_code re_compile(const char *pattern, struct re **out, struct nm_err *e)
{
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
					 PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF,
					 &errcode, &erroff, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(errcode, msg, sizeof msg);
		if (e) {
			e->col = (unsigned)erroff + 1;
			e->line = 0;
		}
		return err_set(e, NM_EPARSE, "regex '%s' column %u: %s", pattern,
			       (unsigned)erroff + 1, (const char *)msg);
	}
	pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* best effort */
	struct re *r = xcalloc(1, sizeof *r);
	r->code = code;
	r->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(r->mctx, RE_MATCH_LIMIT);
	pcre2_set_depth_limit(r->mctx, RE_DEPTH_LIMIT);
	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &r->groups);
	*out = r;
	return NM_OK;
}

void re_free(struct re *r)
{
	if (!r)
		return;
	pcre2_code_free(r->code);
	pcre2_match_context_free(r->mctx);
	free(r);
}

unsigned re_groups(const struct re *r)
{
	return r->groups;
}

int re_search(const struct re *r, const char *s, size_t n, size_t *start, size_t *len)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(r->code, NULL);
	int rc = pcre2_match(r->code, (PCRE2_SPTR)s, n, 0, 0, md, r->mctx);
	int ret = 0;
	if (rc > 0) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		int g = r->groups >= 1 && rc > 1 ? 1 : 0;
		if (ov[2 * g] == PCRE2_UNSET) {
			*start = 0, *len = 0;
		} else {
			*start = ov[2 * g];
			*len = ov[2 * g + 1] - ov[2 * g];
		}
		ret = 1;
	} else if (rc != PCRE2_ERROR_NOMATCH) {
		ret = -1;
	}
	pcre2_match_data_free(md);
	return ret;
}

int re_replace(const struct re *r, const char *s, size_t n, const char *repl,
	       struct buf *out)
{
	PCRE2_SIZE cap = n + n / 2 + 64;
	for (int attempt = 0; attempt < 2; attempt++) {
		PCRE2_UCHAR *dst = xmalloc(cap + 1);
		PCRE2_SIZE outlen = cap;
		int rc = pcre2_substitute(r->code, (PCRE2_SPTR)s, n, 0,
					  PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH,
					  NULL, r->mctx, (PCRE2_SPTR)repl, PCRE2_ZERO_TERMINATED,
					  dst, &outlen);
		if (rc >= 0) {
			int ok = buf_put(out, dst, outlen);
			free(dst);
			return ok < 0 ? -1 : rc;
		}
		free(dst);
		if (rc != PCRE2_ERROR_NOMEMORY)
			return -1;
		cap = outlen; /* PCRE2 told us the size it needs */
	}
	return -1;
}
