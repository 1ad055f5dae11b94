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
		case 'Z':
			if (zone(&p, &off) < 0)
				goto out;
			has_off = true;
			break;
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
	"%a, %d %b %Y %H:%M:%S %z", "%a, %d %b %Y %H:%M %z", "%a, %d %b %Y %H:%M:%S",
	"%d %b %Y %H:%M:%S %z", "%d %b %Y %H:%M", "%d %B %Y",
	"%B %d, %Y %I:%M %p", "%B %d, %Y %H:%M", "%B %d, %Y", "%b %d, %Y", "%B %d %Y",
	"%a %b %d %H:%M:%S %z %Y",
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
