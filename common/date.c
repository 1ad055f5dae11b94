/*
 * date.c - a locale-free strptime/strftime pair for the dates news pages
 * print.  Parsing works on a copy of the input with full-width forms
 * folded to ASCII, so "２０２２年０４月１３日" reads like "2022年04月13日".
 */
#include "common/date.h"
#include "common/utf8.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Date strings longer than this are not dates; refusing them bounds the
 * work done on hostile input. */
#define DATE_MAX_INPUT 512
/* Longest zone abbreviation %Z reads (AEDT, NZST, ...: four or five letters). */
#define DATE_MAX_ABBREV 5

static const char *const months[] = {"january", "february", "march", "april",
				     "may", "june", "july", "august",
				     "september", "october", "november", "december"};
static const char *const wdays[] = {"sunday", "monday", "tuesday", "wednesday",
				    "thursday", "friday", "saturday"};

int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* Howard Hinnant's days_from_civil. */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* Folds full-width digits, letters, colon, slash, dash, dot, plus and the
 * ideographic space to ASCII. */
static void fold(const char *s, struct buf *out)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_decode(s + i, n - i, &cp);
		if (cp >= 0xFF01 && cp <= 0xFF5E)
			buf_putc(out, (int)(cp - 0xFF01 + 0x21));
		else if (cp == 0x3000 || cp == 0xA0)
			buf_putc(out, ' ');
		else
			buf_put(out, s + i, l);
		i += l;
	}
}

static int num(const char **p, int maxdig, int *v)
{
	int n = 0, d = 0;
	while (d < maxdig && isdigit((unsigned char)**p))
		n = n * 10 + (*(*p)++ - '0'), d++;
	*v = n;
	return d ? 0 : -1;
}

static int name(const char **p, const char *const *names, int count, int *v)
{
	for (int i = 0; i < count; i++) {
		size_t full = strlen(names[i]);
		if (!strncasecmp(*p, names[i], full)) {
			*p += full;
			*v = i;
			return 0;
		}
		if (!strncasecmp(*p, names[i], 3)) {
			*p += 3;
			if (**p == '.')
				(*p)++;
			*v = i;
			return 0;
		}
	}
	return -1;
}

static int zone(const char **p, int *off)
{
	const char *s = *p;
	if (*s == ' ')
		s++;
	if (*s == 'Z' || *s == 'z') {
		*off = 0, *p = s + 1;
		return 0;
	}
	if (!strncmp(s, "GMT", 3) || !strncmp(s, "UTC", 3)) {
		s += 3;
		if (*s != '+' && *s != '-') {
			*off = 0, *p = s;
			return 0;
		}
	}
	if (*s != '+' && *s != '-')
		return -1;
	int sign = *s++ == '-' ? -1 : 1, h, m = 0;
	const char *d = s;
	if (num(&s, 2, &h) < 0)
		return -1;
	if (s - d == 1 && isdigit((unsigned char)*s))
		return -1;
	if (*s == ':')
		s++;
	if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]))
		m = (s[0] - '0') * 10 + (s[1] - '0'), s += 2;
	if (h > 14 || m > 59)
		return -1;
	*off = sign * (h * 3600 + m * 60);
	*p = s;
	return 0;
}

enum nm_code date_parse_fmt(const char *in, const char *fmt, const struct tz *z,
			    struct when *out)
{
	if (strlen(in) > DATE_MAX_INPUT)
		return NM_EDATE;
	struct buf b = BUF_INIT;
	fold(in, &b);
	const char *p = buf_cstr(&b);
	int Y = -1, mo = 1, d = 1, H = 0, M = 0, S = 0, pm = -1, off = 0, v;
	bool has_off = false, has_epoch = false;
	int abbr_off[TZ_ABBREV_MAX_OFFSETS];
	size_t nabbr = 0;
	int64_t epoch = 0;
	enum nm_code rc = NM_EDATE;

	while (isspace((unsigned char)*p))
		p++;
	for (const char *f = fmt; *f; f++) {
		if (*f == ' ') {
			while (isspace((unsigned char)*p))
				p++;
			continue;
		}
		if (*f != '%') {
			if (*p != *f)
				goto out;
			p++;
			continue;
		}
		switch (*++f) {
		case 'Y':
			if (num(&p, 4, &Y) < 0)
				goto out;
			break;
		case 'y':
			if (num(&p, 2, &v) < 0)
				goto out;
			Y = v < 69 ? 2000 + v : 1900 + v;
			break;
		case 'm':
			if (num(&p, 2, &mo) < 0 || mo < 1 || mo > 12)
				goto out;
			break;
		case 'd':
		case 'e':
			if (*p == ' ')
				p++;
			if (num(&p, 2, &d) < 0 || d < 1 || d > 31)
				goto out;
			break;
		case 'H':
			if (num(&p, 2, &H) < 0 || H > 24)
				goto out;
			break;
		case 'I':
			if (num(&p, 2, &H) < 0 || H < 1 || H > 12)
				goto out;
			break;
		case 'M':
			if (num(&p, 2, &M) < 0 || M > 59)
				goto out;
			break;
		case 'S':
			if (num(&p, 2, &S) < 0 || S > 60)
				goto out;
			if (*p == '.' && isdigit((unsigned char)p[1]))
				for (p++; isdigit((unsigned char)*p); p++)
					;
			break;
		case 'p':
			if (!strncasecmp(p, "am", 2) || !strncasecmp(p, "a.m.", 4))
				pm = 0;
			else if (!strncasecmp(p, "pm", 2) || !strncasecmp(p, "p.m.", 4))
				pm = 1;
			else
				goto out;
			p += p[1] == '.' ? 4 : 2;
			break;
		case 'b':
		case 'B':
		case 'h':
			if (name(&p, months, 12, &v) < 0)
				goto out;
			mo = v + 1;
			break;
		case 'a':
		case 'A':
			if (name(&p, wdays, 7, &v) < 0)
				goto out;
			break;
		case 'z':
			if (zone(&p, &off) < 0)
				goto out;
			has_off = true;
			break;
		case 'Z': {
			/* an offset as %z reads it, else a zone abbreviation */
			if (zone(&p, &off) == 0) {
				has_off = true;
				break;
			}
			const char *a = p;
			if (*a == ' ')
				a++;
			size_t al = 0;
			while (al < DATE_MAX_ABBREV && isupper((unsigned char)a[al]))
				al++;
			if (al < 2 || isalpha((unsigned char)a[al]) ||
			    (nabbr = tz_abbrev(a, al, abbr_off)) == 0)
				goto out;
			p = a + al;
			break;
		}
		case 's': {
			const char *st = p;
			for (epoch = 0; isdigit((unsigned char)*p) && p - st < 13; p++)
				epoch = epoch * 10 + (*p - '0');
			if (p == st)
				goto out;
			if (p - st == 13)
				epoch /= 1000;
			has_epoch = true;
			break;
		}
		case '%':
			if (*p++ != '%')
				goto out;
			break;
		default:
			goto out;
		}
	}
	/* Trailing text must not continue the last number or word. */
	if (isalnum((unsigned char)*p) && p > buf_cstr(&b) && isalnum((unsigned char)p[-1]))
		goto out;
	if (has_epoch) {
		out->set = true;
		out->off = z ? tz_offset_at(z, epoch) : 0;
		out->t = epoch;
		rc = NM_OK;
		goto out;
	}
	if (Y < 0)
		goto out;
	if (pm == 1 && H < 12)
		H += 12;
	else if (pm == 0 && H == 12)
		H = 0;
	int64_t local = date_days_from_civil(Y, (unsigned)mo, (unsigned)d) * 86400 +
			H * 3600 + M * 60 + S;
	if (nabbr == 1) {
		has_off = true;
		off = abbr_off[0];
	} else if (nabbr > 1) {
		/* ambiguous: the offset the rule's zone had then decides */
		if (!z)
			goto out;
		size_t k = 0;
		while (k < nabbr && tz_offset_at(z, local - abbr_off[k]) != abbr_off[k])
			k++;
		if (k == nabbr)
			goto out;
		has_off = true;
		off = abbr_off[k];
	}
	out->set = true;
	if (has_off) {
		out->off = off;
		out->t = local - off;
	} else if (z) {
		out->t = tz_from_local(z, local, &out->off);
	} else {
		out->off = 0;
		out->t = local;
	}
	rc = NM_OK;
out:
	buf_free(&b);
	return rc;
}

bool date_format_valid(const char *fmt, char *bad, unsigned badsz)
{
	for (const char *f = fmt; *f; f++) {
		if (*f != '%')
			continue;
		f++;
		if (!*f || !strchr("YymdeHIMSpbBhaAzZs%", *f)) {
			snprintf(bad, badsz, "%%%c", *f ? *f : ' ');
			return false;
		}
	}
	return true;
}

static const char *const any_formats[] = {
	"%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M%z", "%Y-%m-%dT%H:%M",
	"%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M%z", "%Y-%m-%d %H:%M",
	"%Y-%m-%d",
	"%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
	"%Y.%m.%d %H:%M:%S", "%Y.%m.%d %H:%M", "%Y.%m.%d",
	"%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M", "%Y年%m月%d日 %H时%M分%S秒",
	"%Y年%m月%d日 %H时%M分", "%Y年%m月%d日",
	"%a, %d %b %Y %H:%M:%S %Z", "%a, %d %b %Y %H:%M %Z", "%a, %d %b %Y %H:%M:%S",
	"%d %b %Y %H:%M:%S %Z", "%d %b %Y %H:%M", "%d %B %Y",
	"%B %d, %Y %I:%M %p", "%B %d, %Y %H:%M", "%B %d, %Y", "%b %d, %Y", "%B %d %Y",
	"%a %b %d %H:%M:%S %Z %Y",
};

enum nm_code date_parse_any(const char *s, const struct tz *z, struct when *out)
{
	const char *p = s;
	while (isspace((unsigned char)*p))
		p++;
	size_t nd = strspn(p, "0123456789");
	if ((nd == 10 || nd == 13) && (!p[nd] || isspace((unsigned char)p[nd])))
		return date_parse_fmt(p, "%s", z, out);
	for (size_t i = 0; i < sizeof any_formats / sizeof any_formats[0]; i++)
		if (date_parse_fmt(p, any_formats[i], z, out) == NM_OK)
			return NM_OK;
	return NM_EDATE;
}

int date_format(struct buf *out, const char *fmt, const struct when *w)
{
	struct buf f = BUF_INIT;
	int off = w->off, a = off < 0 ? -off : off;
	for (const char *p = fmt; *p; p++) {
		if (p[0] == '%' && p[1] == 'z') {
			buf_printf(&f, "%c%02d%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
			p++;
		} else if (p[0] == '%' && p[1] == ':' && p[2] == 'z') {
			buf_printf(&f, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
			p += 2;
		} else if (p[0] == '%' && p[1] == '%') {
			buf_puts(&f, "%%");
			p++;
		} else {
			buf_putc(&f, *p);
		}
	}
	time_t t = (time_t)(w->t + off);
	struct tm tm;
	gmtime_r(&t, &tm);
	char tmp[1024];
	size_t n = f.len ? strftime(tmp, sizeof tmp, buf_cstr(&f), &tm) : 0;
	buf_free(&f);
	return buf_put(out, tmp, n);
}

/* Skips white space; returns the advanced pointer. */
static const char *ws(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* Optional "HH:MM[:SS]" after a day word; returns seconds into the day or
 * -1 when absent. */
static long clock_time(const char **pp)
{
	const char *p = ws(*pp);
	int h, m, sec = 0;
	if (num(&p, 2, &h) < 0 || *p != ':')
		return -1;
	p++;
	if (num(&p, 2, &m) < 0 || h > 23 || m > 59)
		return -1;
	if (*p == ':') {
		p++;
		if (num(&p, 2, &sec) < 0 || sec > 59)
			return -1;
	}
	*pp = p;
	return h * 3600L + m * 60L + sec;
}

static bool starts(const char **p, const char *word)
{
	size_t n = strlen(word);
	if (strncasecmp(*p, word, n))
		return false;
	*p += n;
	return true;
}

/* The wall-clock midnight `days_back` days before now, in zone z. */
static int64_t local_midnight(int64_t now, const struct tz *z, int days_back)
{
	int off = z ? tz_offset_at(z, now) : 0;
	int64_t local = now + off;
	int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	return (day - days_back) * 86400;
}

static void set_local(struct when *out, int64_t local, const struct tz *z)
{
	out->set = true;
	if (z) {
		out->t = tz_from_local(z, local, &out->off);
	} else {
		out->t = local;
		out->off = 0;
	}
}

static void set_instant(struct when *out, int64_t t, const struct tz *z)
{
	out->set = true;
	out->t = t;
	out->off = z ? tz_offset_at(z, t) : 0;
}

enum nm_code date_parse_relative(const char *in, enum date_rel lang, int64_t now,
				 const struct tz *z, struct when *out)
{
	if (lang == DATE_REL_NONE || strlen(in) > DATE_MAX_INPUT)
		return NM_EDATE;
	struct buf b = BUF_INIT;
	fold(in, &b);
	const char *p = ws(buf_cstr(&b));
	enum nm_code rc = NM_EDATE;
	int n;
	long tod;
	if (lang == DATE_REL_ZH) {
		static const struct {
			const char *word;
			int days;
		} days[] = {{"今天", 0}, {"昨天", 1}, {"前天", 2}};
		static const struct {
			const char *unit;
			int secs;
		} units[] = {{"秒前", 1}, {"分钟前", 60}, {"分前", 60}, {"小时前", 3600},
			     {"天前", 86400}, {"周前", 604800}};
		if (starts(&p, "刚刚")) {
			set_instant(out, now, z);
			rc = NM_OK;
			goto out;
		}
		for (size_t i = 0; i < 3; i++) {
			const char *q = p;
			if (starts(&q, days[i].word)) {
				tod = clock_time(&q);
				set_local(out, local_midnight(now, z, days[i].days) + (tod < 0 ? 0 : tod), z);
				rc = NM_OK;
				goto out;
			}
		}
		const char *q = p;
		if (num(&q, 4, &n) == 0) {
			const char *u = ws(q);
			for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
				if (starts(&u, units[i].unit)) {
					set_instant(out, now - (int64_t)n * units[i].secs, z);
					rc = NM_OK;
					goto out;
				}
			/* "04-13 12:11" or "04月13日 12:11": this year (last year if in the future). */
			int mo = n, d;
			const char *r = q;
			if ((starts(&r, "-") || starts(&r, "月") || starts(&r, "/")) && num(&r, 2, &d) == 0 &&
			    mo >= 1 && mo <= 12 && d >= 1 && d <= 31) {
				starts(&r, "日");
				tod = clock_time(&r);
				int off = z ? tz_offset_at(z, now) : 0;
				time_t lt = (time_t)(now + off);
				struct tm tm;
				gmtime_r(&lt, &tm);
				int64_t y = tm.tm_year + 1900;
				int64_t local = date_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
						(tod < 0 ? 0 : tod);
				if (local > now + off + 86400)
					local = date_days_from_civil(y - 1, (unsigned)mo, (unsigned)d) * 86400 +
						(tod < 0 ? 0 : tod);
				set_local(out, local, z);
				rc = NM_OK;
				goto out;
			}
		}
		goto out;
	}
	/* English */
	if (starts(&p, "just now") || starts(&p, "now")) {
		set_instant(out, now, z);
		rc = NM_OK;
		goto out;
	}
	int back = starts(&p, "yesterday") ? 1 : starts(&p, "today") ? 0 : -1;
	if (back >= 0) {
		p = ws(p);
		starts(&p, "at");
		tod = clock_time(&p);
		set_local(out, local_midnight(now, z, back) + (tod < 0 ? 0 : tod), z);
		rc = NM_OK;
		goto out;
	}
	if (starts(&p, "an ") || starts(&p, "a "))
		n = 1;
	else if (num(&p, 4, &n) < 0)
		goto out;
	p = ws(p);
	static const struct {
		const char *unit;
		int secs;
	} en[] = {{"second", 1}, {"sec", 1}, {"minute", 60}, {"min", 60}, {"hour", 3600},
		  {"hr", 3600}, {"day", 86400}, {"week", 604800}};
	for (size_t i = 0; i < sizeof en / sizeof en[0]; i++) {
		const char *q = p;
		if (!starts(&q, en[i].unit))
			continue;
		starts(&q, "s");
		q = ws(q);
		if (starts(&q, "ago")) {
			set_instant(out, now - (int64_t)n * en[i].secs, z);
			rc = NM_OK;
		}
		break;
	}
out:
	buf_free(&b);
	return rc;
}

int date_parse_bound(const char *s, bool *abs, int64_t *value)
{
	const char *p = ws(s);
	if (!strncmp(p, "now", 3)) {
		p = ws(p + 3);
		*abs = false;
		*value = 0;
		if (!*p)
			return 0;
		int sign = *p == '-' ? -1 : *p == '+' ? 1 : 0, n;
		if (!sign)
			return -1;
		p = ws(p + 1);
		if (num(&p, 9, &n) < 0)
			return -1;
		static const char units[] = "smhdw";
		static const int secs[] = {1, 60, 3600, 86400, 604800};
		const char *u = strchr(units, *p);
		if (!*p || !u || p[1])
			return -1;
		*value = (int64_t)sign * n * secs[u - units];
		return 0;
	}
	struct when w;
	if (date_parse_any(s, NULL, &w) != NM_OK)
		return -1;
	*abs = true;
	*value = w.t;
	return 0;
}
