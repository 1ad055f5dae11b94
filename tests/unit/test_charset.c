/*
 * test_charset.c - charset_decode on synthetic bytes for every decision path,
 * and on the real pages of the shared corpus (zh/cwced: GB2312/GBK bytes,
 * stray CleanEval wrapper lines; zh/magic_html: pages declaring gb2312 that
 * are UTF-8).
 */
#include "tests/unit/unit.h"
#include "dom/charset.h"
#include "common/file.h"
#include "common/utf8.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

/* "中文新闻" in GBK and UTF-8. */
#define ZH_GBK "\xd6\xd0\xce\xc4\xd0\xc2\xce\xc5"
#define ZH_UTF8 "\xe4\xb8\xad\xe6\x96\x87\xe6\x96\xb0\xe9\x97\xbb"

struct dec {
	struct buf out;
	char used[32];
	enum nm_code rc;
};

static struct dec decode(const char *s, size_t n, const char *ct, const char *forced)
{
	struct dec d = {BUF_INIT, "", NM_OK};
	struct nm_err e;
	err_clear(&e);
	d.rc = charset_decode(s, n, ct, forced, &d.out, d.used, sizeof d.used, &e);
	return d;
}

#define DECODE(lit, ct, forced) decode(lit, sizeof(lit) - 1, ct, forced)

TEST(charset_bom_wins_over_header)
{
	struct dec d = DECODE("\xef\xbb\xbf" "Caf\xc3\xa9", "text/html; charset=iso-8859-1", NULL);
	CHECK_STR(d.used, "UTF-8");
	CHECK_STR(buf_cstr(&d.out), "Caf\xc3\xa9"); /* BOM not copied */
	buf_free(&d.out);

	d = DECODE("\xff\xfe" "C\0a\0f\0\xe9\0", NULL, NULL);
	CHECK_STR(d.used, "UTF-16LE");
	CHECK_STR(buf_cstr(&d.out), "Caf\xc3\xa9");
	buf_free(&d.out);

	d = DECODE("\xfe\xff" "\0C\x4e\x2d", NULL, NULL);
	CHECK_STR(d.used, "UTF-16BE");
	CHECK_STR(buf_cstr(&d.out), "C\xe4\xb8\xad");
	buf_free(&d.out);
}

TEST(charset_http_header_gbk)
{
	struct dec d = DECODE("<p>" ZH_GBK "</p>", "text/html; charset=GBK", NULL);
	CHECK_INT(d.rc, NM_OK);
	CHECK_STR(d.used, "GB18030");
	CHECK_STR(buf_cstr(&d.out), "<p>" ZH_UTF8 "</p>");
	buf_free(&d.out);

	/* Quoted parameter, other parameters first. */
	d = DECODE("<p>" ZH_GBK "</p>", "text/html;foo=bar; Charset=\"gb2312\"", NULL);
	CHECK_STR(d.used, "GB18030");
	buf_free(&d.out);
}

TEST(charset_header_beats_lying_meta)
{
	struct dec d = DECODE("<meta charset=utf-8><p>" ZH_GBK "</p>", "text/html; charset=gbk", NULL);
	CHECK_STR(d.used, "GB18030");
	CHECK(strstr(buf_cstr(&d.out), ZH_UTF8) != NULL);
	buf_free(&d.out);
}

TEST(charset_meta_charset_and_http_equiv)
{
	struct dec d = DECODE("<html><head><meta charset=\"gb2312\"><title>" ZH_GBK "</title>",
			      NULL, NULL);
	CHECK_STR(d.used, "GB18030");
	CHECK(strstr(buf_cstr(&d.out), ZH_UTF8) != NULL);
	buf_free(&d.out);

	d = DECODE("<!-- <meta charset=big5> --><META HTTP-EQUIV=\"Content-Type\" "
		   "CONTENT=\"text/html; charset=gbk\"><p>" ZH_GBK,
		   NULL, NULL);
	CHECK_STR(d.used, "GB18030");
	buf_free(&d.out);

	/* content= without http-equiv does not count. */
	CHECK(charset_prescan("<meta content=\"text/html; charset=gbk\">", 38) == NULL);
	/* Attributes of other tags are skipped, even if they look like meta. */
	const char *s = "<text id=\"x\" title=\"<meta charset=big5>\" encoding=\"gb2312\">\n"
			"<meta charset=gbk>";
	CHECK_STR(charset_prescan(s, strlen(s)), "GB18030");
	/* UTF-16 in <meta> means UTF-8; unknown labels are ignored. */
	CHECK_STR(charset_prescan("<meta charset=utf-16>", 21), "UTF-8");
	CHECK(charset_prescan("<meta charset=klingon>", 22) == NULL);
}

TEST(charset_meta_beyond_prescan_window_is_not_read)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "<html><head>");
	for (int i = 0; i < CHARSET_PRESCAN_BYTES / 8; i++)
		buf_puts(&b, "<i></i> ");
	buf_puts(&b, "<meta charset=\"big5\">");
	CHECK(charset_prescan(b.ptr, b.len) == NULL);
	buf_free(&b);
}

TEST(charset_valid_utf8_despite_gb2312_meta)
{
	struct dec d = DECODE("<meta http-equiv=\"Content-Type\" content=\"text/html; "
			      "charset=gb2312\"><p>" ZH_UTF8 "</p>",
			      NULL, NULL);
	CHECK_STR(d.used, "UTF-8");
	CHECK(strstr(buf_cstr(&d.out), ZH_UTF8) != NULL);
	buf_free(&d.out);

	/* Same when the HTTP header lies. */
	d = DECODE("<p>" ZH_UTF8 "</p>", "text/html; charset=gb2312", NULL);
	CHECK_STR(d.used, "UTF-8");
	CHECK_STR(buf_cstr(&d.out), "<p>" ZH_UTF8 "</p>");
	buf_free(&d.out);
}

TEST(charset_mostly_utf8_with_a_stray_byte_stays_utf8)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "<meta charset=gb2312>");
	for (int i = 0; i < 50; i++)
		buf_puts(&b, ZH_UTF8);
	buf_puts(&b, "\xff");
	struct dec d = decode(b.ptr, b.len, NULL, NULL);
	CHECK_STR(d.used, "UTF-8");
	CHECK(utf8_valid(d.out.ptr, d.out.len));
	CHECK(strstr(buf_cstr(&d.out), "\xef\xbf\xbd") != NULL);
	buf_free(&d.out);
	buf_free(&b);
}

TEST(charset_declared_utf8_that_is_not_is_ignored)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "<meta charset=utf-8><p>");
	for (int i = 0; i < 40; i++)
		buf_puts(&b, "\xd6\xd0\xb9\xfa\xc8\xcb\xc3\xf1\xd2\xf8\xd0\xd0"
			     "\xbd\xf1\xc8\xd5\xb7\xa2\xb2\xbc\xc1\xcb"); /* 中国人民银行今日发布了 */
	struct dec d = decode(b.ptr, b.len, "text/html; charset=utf-8", NULL);
	CHECK_STR(d.used, "GB18030");
	CHECK(strstr(buf_cstr(&d.out), "\xe4\xb8\xad\xe5\x9b\xbd") != NULL); /* 中国 */
	buf_free(&d.out);
	buf_free(&b);
}

TEST(charset_uchardet_when_nothing_declared)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "<html><body><p>");
	for (int i = 0; i < 40; i++)
		buf_puts(&b, "\xd6\xd0\xb9\xfa\xc8\xcb\xc3\xf1\xd2\xf8\xd0\xd0"
			     "\xbd\xf1\xc8\xd5\xb7\xa2\xb2\xbc\xc1\xcb\xa3\xac");
	buf_puts(&b, "</p></body></html>");
	struct dec d = decode(b.ptr, b.len, "text/html", NULL);
	CHECK_STR(d.used, "GB18030");
	CHECK(strstr(buf_cstr(&d.out), "\xe4\xb8\xad\xe5\x9b\xbd") != NULL);
	buf_free(&d.out);
	buf_free(&b);
}

TEST(charset_forced_wins_and_auto_detects)
{
	/* Valid UTF-8 bytes, but the rule says GBK: the rule wins. */
	struct dec d = DECODE("\xc4\xa3", NULL, "gbk");
	CHECK_STR(d.used, "GB18030");
	CHECK_STR(buf_cstr(&d.out), "\xe6\xa8\xa1"); /* 模 */
	buf_free(&d.out);

	d = DECODE("\xc4\xa3", NULL, "auto");
	CHECK_STR(d.used, "UTF-8");
	buf_free(&d.out);

	CHECK(charset_known("auto"));
	CHECK(charset_known(" GB2312 "));
	CHECK(charset_known("Shift_JIS"));
	CHECK(!charset_known("utf-7"));
	CHECK(!charset_known(NULL));
}

TEST(charset_ascii_and_fallbacks)
{
	struct dec d = DECODE("<p>plain</p>", NULL, NULL);
	CHECK_STR(d.used, "UTF-8");
	CHECK_STR(buf_cstr(&d.out), "<p>plain</p>");
	buf_free(&d.out);

	/* Latin-1 labels read as windows-1252 (0x80 is the euro sign). */
	d = DECODE("\x80 caf\xe9", "text/html; charset=ISO-8859-1", NULL);
	CHECK_STR(d.used, "windows-1252");
	CHECK_STR(buf_cstr(&d.out), "\xe2\x82\xac caf\xc3\xa9");
	buf_free(&d.out);

	/* 7-bit ISO-2022-JP is read when declared. */
	d = DECODE("\x1b$B$3$s$K$A$O\x1b(B", "text/plain; charset=iso-2022-jp", NULL);
	CHECK_STR(d.used, "ISO-2022-JP");
	CHECK_STR(buf_cstr(&d.out), "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf");
	buf_free(&d.out);
}

TEST(charset_other_cjk_and_single_byte_charsets)
{
	struct {
		const char *label, *in, *out, *used;
	} cases[] = {
		{"big5", "\xa4\xa4\xa4\xe5", "\xe4\xb8\xad\xe6\x96\x87", "Big5"},
		{"shift_jis", "\x93\xfa\x96\x7b", "\xe6\x97\xa5\xe6\x9c\xac", "Shift_JIS"},
		{"euc-kr", "\xc7\xd1\xb1\xb9", "\xed\x95\x9c\xea\xb5\xad", "EUC-KR"},
		{"windows-1251", "\xcf\xf0\xe8", "\xd0\x9f\xd1\x80\xd0\xb8", "windows-1251"},
		{"iso-8859-2", "\xb1", "\xc4\x85", "ISO-8859-2"},
		{"koi8-r", "\xf0", "\xd0\x9f", "KOI8-R"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf ct = BUF_INIT;
		buf_printf(&ct, "text/html; charset=%s", cases[i].label);
		struct dec d = decode(cases[i].in, strlen(cases[i].in), buf_cstr(&ct), NULL);
		CHECK_STR(d.used, cases[i].used);
		CHECK_STR(buf_cstr(&d.out), cases[i].out);
		buf_free(&d.out);
		buf_free(&ct);
	}
}

TEST(charset_invalid_sequences_become_replacement)
{
	/* A GBK lead byte followed by a quote: U+FFFD, and the quote survives
	 * (swallowing it would shift every attribute boundary after it). */
	struct dec d = DECODE("a\x81\"b" ZH_GBK "\xd6", "text/html; charset=gbk", NULL);
	CHECK_INT(d.rc, NM_OK);
	CHECK_STR(buf_cstr(&d.out), "a\xef\xbf\xbd\"b" ZH_UTF8 "\xef\xbf\xbd");
	buf_free(&d.out);

	/* NUL bytes are dropped on every path. */
	d = DECODE("a\0b\xd6\xd0", "text/html; charset=gbk", NULL);
	CHECK_STR(buf_cstr(&d.out), "ab\xe4\xb8\xad");
	CHECK_INT(d.out.len, 5);
	buf_free(&d.out);

	/* Windows-1252 holes map to U+FFFD, never a failure. */
	d = DECODE("\x81\x8d", "text/html; charset=windows-1252", NULL);
	CHECK_INT(d.rc, NM_OK);
	CHECK(utf8_valid(d.out.ptr, d.out.len));
	buf_free(&d.out);
}

TEST(charset_output_cap_gives_elimit)
{
	struct buf out;
	buf_init(&out, 8);
	struct nm_err e;
	err_clear(&e);
	CHECK_INT(charset_decode(ZH_GBK ZH_GBK, 16, "text/html; charset=gbk", NULL, &out, NULL,
				 0, &e),
		  NM_ELIMIT);
	CHECK_INT(e.code, NM_ELIMIT);
	buf_free(&out);
}

TEST(charset_fixture_pages)
{
	static const struct {
		const char *file, *used, *text;
	} cases[] = {
		/* nothing declared: the detector */
		{"charset/gbk-nometa.html", "GB18030", "\xe5\xa4\xae\xe8\xa1\x8c\xe5\xae\xa3\xe5\xb8\x83"}, /* 央行宣布 */
		/* the trap: gb2312 declared, UTF-8 bytes */
		{"charset/utf8-declares-gb2312.html", "UTF-8", "\xe4\xb8\xad\xe5\x9b\xbd\xe4\xba\xba\xe6\xb0\x91"}, /* 中国人民 */
		/* <meta> past the prescan window: the detector again */
		{"charset/gbk-meta-after-1024.html", "GB18030", "\xe5\x87\x86\xe5\xa4\x87\xe9\x87\x91"}, /* 准备金 */
		{"charset/big5-meta.html", "Big5", "\xe4\xb8\xad\xe5\xa4\xae\xe9\x8a\x80\xe8\xa1\x8c"}, /* 中央銀行 */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf in = BUF_INIT;
		struct nm_err e;
		err_clear(&e);
		CHECK_INT(file_read(unit_fixture(cases[i].file), 1 << 20, &in, &e), NM_OK);
		if (!strcmp(cases[i].file, "charset/gbk-meta-after-1024.html"))
			CHECK(charset_prescan(in.ptr, in.len) == NULL);
		struct dec d = decode(in.ptr, in.len, NULL, NULL);
		CHECK_STR(d.used, cases[i].used);
		if (!strstr(buf_cstr(&d.out), cases[i].text))
			unit_fail(__FILE__, __LINE__, "%s: text not found", cases[i].file);
		buf_free(&d.out);
		buf_free(&in);
	}
}

TEST(charset_uchardet_short_gbk_page)
{
	/* Nothing declared and only a title's worth of Chinese. */
	struct dec d = DECODE("<html><head><title>" ZH_GBK "</title></head><body><p>" ZH_GBK
			      "</p></body></html>",
			      NULL, NULL);
	CHECK_STR(d.used, "GB18030");
	CHECK(strstr(buf_cstr(&d.out), ZH_UTF8) != NULL);
	buf_free(&d.out);
}

/* Worst cases for the converter (every byte rejected, one iconv call per
 * byte) must stay linear: well under this many seconds for 2 MiB, even
 * under ASan. */
#define CHARSET_PATHO_SECONDS 5.0

TEST(charset_pathological_all_invalid_bytes)
{
	size_t n = (size_t)2 << 20;
	char *b = malloc(n);
	memset(b, 0x81, n); /* undefined in windows-1252, a lone lead in Shift_JIS */
	const char *cts[] = {"text/html; charset=windows-1252", "text/html; charset=shift_jis",
			     "text/html; charset=iso-2022-jp", NULL};
	for (size_t i = 0; i < sizeof cts / sizeof cts[0]; i++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		struct dec d = decode(b, n, cts[i], NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		CHECK_INT(d.rc, NM_OK);
		CHECK(utf8_valid(d.out.ptr, d.out.len));
		if (unit_timing() && dt > CHARSET_PATHO_SECONDS)
			unit_fail(__FILE__, __LINE__, "%s: %.2fs", cts[i] ? cts[i] : "(none)", dt);
		buf_free(&d.out);
	}
	free(b);
}

/* ---- the real pages ------------------------------------------------- */

/* Share of the ground-truth body's non-space characters (with multiplicity)
 * whose code point occurs anywhere in the decoded page.  Mojibake drops it
 * to near zero for Chinese text. */
static double char_coverage(const char *gt, const char *page, size_t pagelen)
{
	/* A bitmap over the BMP and the CJK supplementary planes is enough. */
	static unsigned char seen[0x40000 / 8];
	memset(seen, 0, sizeof seen);
	for (size_t i = 0; i < pagelen;) {
		uint32_t cp;
		i += utf8_decode(page + i, pagelen - i, &cp);
		if (cp < 0x40000)
			seen[cp >> 3] |= (unsigned char)(1u << (cp & 7));
	}
	size_t n = 0, hit = 0, len = strlen(gt);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		i += utf8_decode(gt + i, len - i, &cp);
		if (cp <= ' ' || cp == 0x3000 || cp == 0xA0)
			continue;
		n++;
		if (cp < 0x40000 && (seen[cp >> 3] & (1u << (cp & 7))))
			hit++;
	}
	return n ? (double)hit / (double)n : 1.0;
}

/* Each page must decode to text covering at least this share of its
 * ground-truth body's characters.  Ground truth was typed from the rendered
 * page, so a few characters differ (full-width forms, entities). */
#define CORPUS_MIN_COVERAGE 0.95

static void check_corpus_dir(const char *sub)
{
	const char *corpus = unit_corpus();
	if (!corpus) {
		unit_skip("shared corpus absent (set NEWSMD_CORPUS)");
		return;
	}
	char dir[4096], path[4400];
	snprintf(dir, sizeof dir, "%s/%s", corpus, sub);
	snprintf(path, sizeof path, "%s/ground_truth.json", dir);
	json_error_t je;
	json_t *gt = json_load_file(path, 0, &je);
	if (!gt) {
		unit_skip("corpus ground_truth.json missing");
		return;
	}
	const char *id;
	json_t *rec;
	int pages = 0, good = 0;
	double sum = 0, worst = 1;
	const char *worst_id = "";
	json_object_foreach(gt, id, rec)
	{
		const char *body = json_string_value(json_object_get(rec, "body"));
		const char *actual = json_string_value(json_object_get(rec, "actual_encoding"));
		snprintf(path, sizeof path, "%s/%s.html", dir, id);
		struct buf in = BUF_INIT;
		struct nm_err e;
		err_clear(&e);
		if (!body || file_read(path, 64u << 20, &in, &e) != NM_OK) {
			buf_free(&in);
			continue;
		}
		struct dec d = decode(in.ptr, in.len, NULL, NULL);
		CHECK_INT(d.rc, NM_OK);
		CHECK(utf8_valid(d.out.ptr, d.out.len));
		double c = char_coverage(body, d.out.ptr, d.out.len);
		bool want_gb = actual && !strncmp(actual, "gb", 2);
		bool right_cs = !strcmp(d.used, want_gb ? "GB18030" : "UTF-8");
		if (!right_cs || c < CORPUS_MIN_COVERAGE)
			unit_fail(__FILE__, __LINE__, "%s/%s: used %s (truth %s), coverage %.3f",
				  sub, id, d.used, actual ? actual : "?", c);
		pages++;
		good += right_cs && c >= CORPUS_MIN_COVERAGE;
		sum += c;
		if (c < worst)
			worst = c, worst_id = id;
		buf_free(&d.out);
		buf_free(&in);
	}
	if (getenv("NEWSMD_VERBOSE"))
		printf("  %s: %d/%d pages right charset and coverage >= %.2f; mean coverage "
		       "%.4f, worst %.4f (%s)\n",
		       sub, good, pages, CORPUS_MIN_COVERAGE, pages ? sum / pages : 0, worst,
		       worst_id);
	CHECK(pages > 0);
	json_decref(gt);
}

TEST(charset_corpus_cwced_gb_pages)
{
	check_corpus_dir("zh/cwced");
}

TEST(charset_corpus_magic_html_utf8_declared_gb2312)
{
	check_corpus_dir("zh/magic_html");
}
