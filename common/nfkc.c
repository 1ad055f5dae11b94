/*
 * nfkc.c - NFKC through ICU's normalizer2 (UTF-16 in the middle).
 */
#include "common/nfkc.h"
#include "common/mem.h"

#include <stdlib.h>

#include <unicode/unorm2.h>
#include <unicode/ustring.h>

static int norm_append(const UNormalizer2 *nf, UErrorCode st, struct buf *out, const char *s,
		       size_t n)
{
	if (U_FAILURE(st) || n > (size_t)INT32_MAX / 4)
		goto fail;
	int32_t ulen = 0;
	st = U_ZERO_ERROR;
	u_strFromUTF8WithSub(NULL, 0, &ulen, s, (int32_t)n, 0xFFFD, NULL, &st);
	UChar *u = xmalloc(((size_t)ulen + 1) * sizeof *u);
	st = U_ZERO_ERROR;
	u_strFromUTF8WithSub(u, ulen + 1, NULL, s, (int32_t)n, 0xFFFD, NULL, &st);
	/* NFKC expands by at most a factor of 18; ask ICU for the exact size. */
	st = U_ZERO_ERROR;
	int32_t nlen = unorm2_normalize(nf, u, ulen, NULL, 0, &st);
	UChar *v = xmalloc(((size_t)nlen + 1) * sizeof *v);
	st = U_ZERO_ERROR;
	unorm2_normalize(nf, u, ulen, v, nlen + 1, &st);
	free(u);
	if (U_FAILURE(st)) {
		free(v);
		goto fail;
	}
	int32_t blen = 0;
	st = U_ZERO_ERROR;
	u_strToUTF8(NULL, 0, &blen, v, nlen, &st);
	char *b = xmalloc((size_t)blen + 1);
	st = U_ZERO_ERROR;
	u_strToUTF8(b, blen + 1, NULL, v, nlen, &st);
	free(v);
	int rc = U_FAILURE(st) ? -1 : buf_put(out, b, (size_t)blen);
	free(b);
	return rc;
fail:
	buf_put(out, s, n);
	return -1;
}

int nfkc_append(struct buf *out, const char *s, size_t n)
{
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *nf = unorm2_getNFKCInstance(&st);
	return norm_append(nf, st, out, s, n);
}

int nfc_append(struct buf *out, const char *s, size_t n)
{
	UErrorCode st = U_ZERO_ERROR;
	const UNormalizer2 *nf = unorm2_getNFCInstance(&st);
	return norm_append(nf, st, out, s, n);
}
