/*
 * date.h - parsing and printing dates without the C library's locale or
 * TZ: strftime-style formats (plus 年月日时分秒 and full-width digits), a
 * tolerant "any common form" parser, and formatting with %z.
 */
#ifndef NM_DATE_H
#define NM_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/tz.h"

/* A point in time: UTC seconds plus the offset (seconds east of UTC) the
 * page stated or the rule's timezone gave, so it prints as the site wrote it. */
struct when {
	bool set;
	int64_t t;
	int off;
};

/* Parses s with format fmt.  Directives: %Y %y %m %d %e %H %I %M %S (with
 * optional .fraction) %p %b %B %a %A (English names) %z (Z, ±hh, ±hhmm,
 * ±hh:mm, GMT, UTC) %Z (what %z reads, or a zone abbreviation from
 * tz_abbrev's table: EDT, CET, JST, ...; an ambiguous one such as CST or
 * IST is read as the offset zone z had at that time among its meanings,
 * and does not parse when z is NULL or agrees with none) %s (epoch
 * seconds) %% ; a space matches any run of
 * white space (also none); other characters match themselves, so 年月日 work
 * as literals.  Full-width digits and colons in s count as ASCII.  Leading
 * white space is skipped; trailing text is allowed unless it continues a
 * number or word.  Wall times are read in zone z (NULL = UTC) unless s gives
 * an offset.  NM_EDATE when s does not match. */
enum nm_code date_parse_fmt(const char *s, const char *fmt, const struct tz *z,
			    struct when *out);
/* Checks a format string for unknown directives (for rule validation). */
bool date_format_valid(const char *fmt, char *bad, unsigned badsz);
/* Tries the common forms: ISO 8601 / RFC 3339 (with or without colon in
 * the offset, T or space), RFC 2822, 2022年04月13日 12:11[:23], 2022/4/13,
 * 2022.04.13, "April 13, 2022", 10- and 13-digit epochs. */
enum nm_code date_parse_any(const char *s, const struct tz *z, struct when *out);
enum date_rel { DATE_REL_NONE, DATE_REL_ZH, DATE_REL_EN };

/* Relative dates against the clock `now` (UTC seconds), wall times in zone
 * z (NULL = UTC).  zh: 刚刚, N秒前, N分钟前, N小时前, N天前, 今天/昨天/前天
 * [HH:MM], and "MM-DD HH:MM" / "MM月DD日 HH:MM" (this year).  en: "just
 * now", "N seconds|minutes|hours|days|weeks ago" (also "a"/"an"),
 * "today"/"yesterday" [at] [HH:MM].  NM_EDATE when s is none of these. */
enum nm_code date_parse_relative(const char *s, enum date_rel lang, int64_t now,
				 const struct tz *z, struct when *out);
/* "now", "now-2h", "now+1d" (units s m h d w) or an absolute date (any
 * form date_parse_any reads): *abs is set for absolute values, else
 * *offset is the shift from now in seconds.  -1 when s is neither. */
int date_parse_bound(const char *s, bool *abs, int64_t *value);

/* strftime into out, in the when's own offset; %z prints +hhmm and %:z
 * +hh:mm.  Returns -1 on a cap refusal. */
int date_format(struct buf *out, const char *fmt, const struct when *w);
/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12). */
int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
