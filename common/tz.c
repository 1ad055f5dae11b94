/*
 * tz.c - a small reader of TZif files (RFC 8536), version 1 to 4.
 *
 * Only what converting wall-clock times needs is kept: the transition
 * instants and the UT offset of each.  Times after the last transition use
 * the last offset (Debian ships "fat" files with transitions to 2037; the
 * POSIX footer rule beyond that is not evaluated).
 */
#include "common/tz.h"
#include "common/buf.h"
#include "common/file.h"
#include "common/mem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TZ_DIR "/usr/share/zoneinfo"
/* Real TZif files are below 4 KiB; anything much larger is not one. */
#define TZ_MAX_FILE (256 * 1024)

struct tz {
	size_t n;
	int64_t *at;  /* transition instants, ascending */
	int *off;     /* offset in force from at[i] on */
	int off0;     /* offset before the first transition */
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* "+08:00", "-0500", "+8", "UTC", "Z" -> fixed offset zone. */
static int fixed_offset(const char *s, int *off)
{
	if (!strcmp(s, "UTC") || !strcmp(s, "GMT") || !strcmp(s, "Z")) {
		*off = 0;
		return 0;
	}
	if (*s != '+' && *s != '-')
		return -1;
	int sign = *s == '-' ? -1 : 1, h = 0, m = 0, nd = 0;
	const char *p = s + 1;
	while (isdigit((unsigned char)*p) && nd < 2)
		h = h * 10 + (*p++ - '0'), nd++;
	if (!nd)
		return -1;
	if (*p == ':')
		p++;
	if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]))
		m = (p[0] - '0') * 10 + (p[1] - '0'), p += 2;
	if (*p || h > 14 || m > 59)
		return -1;
	*off = sign * (h * 3600 + m * 60);
	return 0;
}

static bool name_ok(const char *name)
{
	if (!*name || *name == '/' || strstr(name, "..") || strlen(name) > 128)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_-+", *p))
			return false;
	return true;
}

static enum nm_code parse_tzif(const unsigned char *d, size_t len, struct tz *z)
{
	if (len < 44 || memcmp(d, "TZif", 4))
		return NM_EDATE;
	int version = d[4];
	const unsigned char *p = d;
	size_t timesz = 4;
	for (int pass = 0; pass < 2; pass++) {
		if ((size_t)(p - d) + 44 > len)
			return NM_EDATE;
		uint32_t isutcnt = be32(p + 20), isstdcnt = be32(p + 24), leapcnt = be32(p + 28);
		uint32_t timecnt = be32(p + 32), typecnt = be32(p + 36), charcnt = be32(p + 40);
		size_t body = timecnt * timesz + timecnt + typecnt * 6 + charcnt +
			      leapcnt * (timesz + 4) + isstdcnt + isutcnt;
		if (timecnt > 100000 || typecnt > 256 || typecnt == 0 ||
		    (size_t)(p - d) + 44 + body > len)
			return NM_EDATE;
		if (pass == 0 && version >= '2') {
			p += 44 + body; /* skip the 32-bit block; read the 64-bit one */
			timesz = 8;
			continue;
		}
		const unsigned char *times = p + 44;
		const unsigned char *idx = times + timecnt * timesz;
		const unsigned char *types = idx + timecnt;
		z->n = timecnt;
		z->at = xmalloc((timecnt + 1) * sizeof *z->at);
		z->off = xmalloc((timecnt + 1) * sizeof *z->off);
		for (uint32_t i = 0; i < timecnt; i++) {
			z->at[i] = timesz == 8 ? be64(times + 8 * i) : (int32_t)be32(times + 4 * i);
			unsigned t = idx[i] < typecnt ? idx[i] : 0;
			z->off[i] = (int32_t)be32(types + 6 * t);
		}
		/* RFC 8536: the first non-DST type (else type 0) applies before. */
		z->off0 = (int32_t)be32(types);
		for (uint32_t t = 0; t < typecnt; t++)
			if (!types[6 * t + 4]) {
				z->off0 = (int32_t)be32(types + 6 * t);
				break;
			}
		return NM_OK;
	}
	return NM_EDATE;
}

enum nm_code tz_load(const char *name, struct tz **out, struct nm_err *e)
{
	struct tz *z = xcalloc(1, sizeof *z);
	int off;
	if (fixed_offset(name, &off) == 0) {
		z->off0 = off;
		*out = z;
		return NM_OK;
	}
	if (!name_ok(name)) {
		free(z);
		return err_set(e, NM_EDATE, "unknown time zone '%s'", name);
	}
	char path[512];
	snprintf(path, sizeof path, "%s/%s", TZ_DIR, name);
	struct buf b = BUF_INIT;
	struct nm_err ignore;
	if (file_read(path, TZ_MAX_FILE, &b, &ignore) != NM_OK ||
	    parse_tzif((const unsigned char *)b.ptr, b.len, z) != NM_OK) {
		buf_free(&b);
		tz_free(z);
		return err_set(e, NM_EDATE, "unknown time zone '%s'", name);
	}
	buf_free(&b);
	*out = z;
	return NM_OK;
}

void tz_free(struct tz *z)
{
	if (!z)
		return;
	free(z->at);
	free(z->off);
	free(z);
}

int tz_offset_at(const struct tz *z, int64_t t)
{
	if (!z->n || t < z->at[0])
		return z->off0;
	size_t lo = 0, hi = z->n; /* find last at[i] <= t */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->off[lo];
}

int64_t tz_from_local(const struct tz *z, int64_t local, int *off)
{
	/* Try the offsets in force around the wall time; the earlier instant wins. */
	int o1 = tz_offset_at(z, local - 86400 / 2);
	int o2 = tz_offset_at(z, local + 86400 / 2);
	int64_t best = 0;
	int bo = o1;
	bool found = false;
	int cands[2] = {o1, o2};
	for (int i = 0; i < 2; i++) {
		int64_t t = local - cands[i];
		if (tz_offset_at(z, t) == cands[i] && (!found || t < best)) {
			best = t;
			bo = cands[i];
			found = true;
		}
	}
	if (!found) /* wall time skipped by a transition: use the earlier offset */
		best = local - o1;
	if (off)
		*off = bo;
	return best;
}

/* ---- zone abbreviations (%Z) ---------------------------------------- */

/* The abbreviations dates on news pages use, with every offset each one
 * stands for.  Several offsets = ambiguous: the rule's timezone decides.
 * Listed in rules/README.md; keep the two in step. */
static const struct tz_abbrev_entry {
	const char *name;
	int off[TZ_ABBREV_MAX_OFFSETS]; /* seconds east, one per where[] entry */
	const char *where[TZ_ABBREV_MAX_OFFSETS];
} abbrevs[] = {
	{"UTC", {0}, {"UTC"}},
	{"UT", {0}, {"UTC"}},
	{"GMT", {0}, {"Greenwich"}},
	{"WET", {0}, {"Western Europe"}},
	{"WEST", {3600}, {"Western Europe summer"}},
	{"BST", {3600}, {"British summer"}},
	{"CET", {3600}, {"Central Europe"}},
	{"CEST", {7200}, {"Central Europe summer"}},
	{"MET", {3600}, {"Central Europe"}},
	{"MEST", {7200}, {"Central Europe summer"}},
	{"EET", {7200}, {"Eastern Europe"}},
	{"EEST", {10800}, {"Eastern Europe summer"}},
	{"MSK", {10800}, {"Moscow"}},
	{"SAST", {7200}, {"South Africa"}},
	{"WAT", {3600}, {"West Africa"}},
	{"CAT", {7200}, {"Central Africa"}},
	{"EAT", {10800}, {"East Africa"}},
	{"IDT", {10800}, {"Israel summer"}},
	{"IST", {19800, 7200, 3600}, {"India", "Israel", "Ireland"}},
	{"PKT", {18000}, {"Pakistan"}},
	{"ICT", {25200}, {"Indochina"}},
	{"WIB", {25200}, {"Western Indonesia"}},
	{"HKT", {28800}, {"Hong Kong"}},
	{"SGT", {28800}, {"Singapore"}},
	{"MYT", {28800}, {"Malaysia"}},
	{"PHT", {28800}, {"Philippines"}},
	{"AWST", {28800}, {"Western Australia"}},
	{"CST", {28800, -21600, -18000}, {"China", "US Central", "Cuba"}},
	{"JST", {32400}, {"Japan"}},
	{"KST", {32400}, {"Korea"}},
	{"ACST", {34200}, {"Central Australia"}},
	{"ACDT", {37800}, {"Central Australia summer"}},
	{"AEST", {36000}, {"Eastern Australia"}},
	{"AEDT", {39600}, {"Eastern Australia summer"}},
	{"NZST", {43200}, {"New Zealand"}},
	{"NZDT", {46800}, {"New Zealand summer"}},
	{"HST", {-36000}, {"Hawaii"}},
	{"AKST", {-32400}, {"Alaska"}},
	{"AKDT", {-28800}, {"Alaska summer"}},
	{"PST", {-28800}, {"US Pacific"}},
	{"PDT", {-25200}, {"US Pacific summer"}},
	{"MST", {-25200}, {"US Mountain"}},
	{"MDT", {-21600}, {"US Mountain summer"}},
	{"CDT", {-18000}, {"US Central summer"}},
	{"EST", {-18000}, {"US Eastern"}},
	{"EDT", {-14400}, {"US Eastern summer"}},
	{"AST", {-14400, 10800}, {"Atlantic", "Arabia"}},
	{"ADT", {-10800}, {"Atlantic summer"}},
	{"NST", {-12600}, {"Newfoundland"}},
	{"NDT", {-9000}, {"Newfoundland summer"}},
	{"BRT", {-10800}, {"Brasília"}},
	{"ART", {-10800}, {"Argentina"}},
};

size_t tz_abbrev(const char *s, size_t n, int off[TZ_ABBREV_MAX_OFFSETS])
{
	for (size_t i = 0; i < sizeof abbrevs / sizeof abbrevs[0]; i++) {
		const struct tz_abbrev_entry *a = &abbrevs[i];
		if (strlen(a->name) != n || strncmp(a->name, s, n))
			continue;
		size_t k = 0;
		while (k < TZ_ABBREV_MAX_OFFSETS && a->where[k]) {
			off[k] = a->off[k];
			k++;
		}
		return k;
	}
	return 0;
}

void tz_abbrev_describe(const char *abbr, struct buf *out)
{
	for (size_t i = 0; i < sizeof abbrevs / sizeof abbrevs[0]; i++) {
		const struct tz_abbrev_entry *a = &abbrevs[i];
		if (strcmp(a->name, abbr))
			continue;
		for (size_t k = 0; k < TZ_ABBREV_MAX_OFFSETS && a->where[k]; k++) {
			int o = a->off[k], ao = o < 0 ? -o : o;
			buf_printf(out, "%s%s %c%02d:%02d", k ? ", " : "", a->where[k],
				   o < 0 ? '-' : '+', ao / 3600, ao / 60 % 60);
		}
		return;
	}
}
