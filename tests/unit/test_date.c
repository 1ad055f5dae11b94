#include "tests/unit/unit.h"
#include "common/date.h"

#include <stdlib.h>

static const char *fmt_when(const char *in, const char *fmt, const char *zone)
{
	static char out[128];
	struct tz *z = NULL;
	struct when w = {0};
	if (zone && tz_load(zone, &z, NULL) != NM_OK)
		return "badzone";
	enum nm_code rc = fmt ? date_parse_fmt(in, fmt, z, &w) : date_parse_any(in, z, &w);
	tz_free(z);
	if (rc != NM_OK)
		return "nomatch";
	struct buf b = BUF_INIT;
	date_format(&b, "%Y-%m-%d %H:%M:%S %z", &w);
	snprintf(out, sizeof out, "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

TEST(date_chinese_format_with_zone)
{
	CHECK_STR(fmt_when("2022年04月13日 12:11:23", "%Y年%m月%d日 %H:%M:%S", "Asia/Shanghai"),
		  "2022-04-13 12:11:23 +0800");
	CHECK_STR(fmt_when("２０２２年０４月１３日　１２：１１", "%Y年%m月%d日 %H:%M", "Asia/Shanghai"),
		  "2022-04-13 12:11:00 +0800");
	CHECK_STR(fmt_when("2022-04-13 12:11", "%Y年%m月%d日", NULL), "nomatch");
}

TEST(date_zone_independent_of_process_tz)
{
	const char *zones[] = {"America/Los_Angeles", "Asia/Tokyo"};
	for (int i = 0; i < 2; i++) {
		setenv("TZ", zones[i], 1);
		CHECK_STR(fmt_when("2022-07-01 09:00", "%Y-%m-%d %H:%M", "America/New_York"),
			  "2022-07-01 09:00:00 -0400");
		CHECK_STR(fmt_when("2022-01-01 09:00", "%Y-%m-%d %H:%M", "America/New_York"),
			  "2022-01-01 09:00:00 -0500");
	}
	unsetenv("TZ");
}

TEST(date_any_forms)
{
	CHECK_STR(fmt_when("2022-04-13T04:11:23Z", NULL, NULL), "2022-04-13 04:11:23 +0000");
	CHECK_STR(fmt_when("2022-04-13T12:11:23+08:00", NULL, NULL), "2022-04-13 12:11:23 +0800");
	CHECK_STR(fmt_when("2022-04-13T12:11:23.123+0800", NULL, NULL), "2022-04-13 12:11:23 +0800");
	CHECK_STR(fmt_when("Wed, 13 Apr 2022 12:11:23 GMT", NULL, NULL), "2022-04-13 12:11:23 +0000");
	CHECK_STR(fmt_when("April 13, 2022", NULL, NULL), "2022-04-13 00:00:00 +0000");
	CHECK_STR(fmt_when("1649823083", NULL, "Asia/Shanghai"), "2022-04-13 12:11:23 +0800");
	CHECK_STR(fmt_when("1649823083000", NULL, "Asia/Shanghai"), "2022-04-13 12:11:23 +0800");
	CHECK_STR(fmt_when("2022年4月13日 12:11", NULL, "+08:00"), "2022-04-13 12:11:00 +0800");
	CHECK_STR(fmt_when("not a date", NULL, NULL), "nomatch");
	CHECK_STR(fmt_when("2022-04-133", NULL, NULL), "nomatch");
}

TEST(date_unknown_zone_refused)
{
	struct tz *z = NULL;
	struct nm_err e;
	err_clear(&e);
	CHECK_INT(tz_load("Mars/Olympus", &z, &e), NM_EDATE);
	CHECK_INT(tz_load("../../etc/passwd", &z, &e), NM_EDATE);
	CHECK(strstr(e.msg, "unknown time zone") != NULL);
	char bad[8];
	CHECK(!date_format_valid("%Y-%Q", bad, sizeof bad));
	CHECK_STR(bad, "%Q");
}

static const char *rel(const char *in, enum date_rel lang)
{
	static char out[64];
	struct tz *z = NULL;
	tz_load("Asia/Shanghai", &z, NULL);
	struct when w = {0};
	/* the clock: 2022-04-13 12:11:23 +0800 */
	enum nm_code rc = date_parse_relative(in, lang, 1649823083, z, &w);
	tz_free(z);
	if (rc)
		return "nomatch";
	struct buf b = BUF_INIT;
	date_format(&b, "%Y-%m-%d %H:%M:%S %z", &w);
	snprintf(out, sizeof out, "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

TEST(date_relative_zh_and_en)
{
	CHECK_STR(rel("刚刚", DATE_REL_ZH), "2022-04-13 12:11:23 +0800");
	CHECK_STR(rel("3小时前", DATE_REL_ZH), "2022-04-13 09:11:23 +0800");
	CHECK_STR(rel("５分钟前", DATE_REL_ZH), "2022-04-13 12:06:23 +0800");
	CHECK_STR(rel("昨天 10:20", DATE_REL_ZH), "2022-04-12 10:20:00 +0800");
	CHECK_STR(rel("前天", DATE_REL_ZH), "2022-04-11 00:00:00 +0800");
	CHECK_STR(rel("04-12 08:05", DATE_REL_ZH), "2022-04-12 08:05:00 +0800");
	CHECK_STR(rel("12月30日 08:05", DATE_REL_ZH), "2021-12-30 08:05:00 +0800");
	CHECK_STR(rel("2 hours ago", DATE_REL_EN), "2022-04-13 10:11:23 +0800");
	CHECK_STR(rel("an hour ago", DATE_REL_EN), "2022-04-13 11:11:23 +0800");
	CHECK_STR(rel("yesterday at 10:20", DATE_REL_EN), "2022-04-12 10:20:00 +0800");
	CHECK_STR(rel("3小时前", DATE_REL_EN), "nomatch");
	CHECK_STR(rel("last year", DATE_REL_EN), "nomatch");
	bool abs;
	int64_t v;
	CHECK(date_parse_bound("now-10m", &abs, &v) == 0 && !abs && v == -600);
	CHECK(date_parse_bound("2020-01-01", &abs, &v) == 0 && abs && v == 1577836800);
	CHECK(date_parse_bound("soon", &abs, &v) == -1);
}
