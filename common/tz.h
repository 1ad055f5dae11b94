/*
 * tz.h - IANA time zones read straight from the system's TZif files
 * (/usr/share/zoneinfo), so converting a page's local time never touches
 * the process's TZ variable and never depends on the host's zone.
 */
#ifndef NM_TZ_H
#define NM_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct tz;

/* Loads zone `name` ("Asia/Shanghai", "UTC", or a fixed "+08:00"/"-0500").
 * Caller frees with tz_free.  Unknown names give NM_EDATE. */
enum nm_code tz_load(const char *name, struct tz **out, struct nm_err *e);
void tz_free(struct tz *z);
/* Offset from UTC, in seconds east, in force at UTC instant t. */
int tz_offset_at(const struct tz *z, int64_t t);
/* The UTC instant of wall-clock time `local` (seconds since the epoch as if
 * the wall clock were UTC).  For skipped/repeated wall times the earlier
 * offset wins.  *off receives the offset used. */
int64_t tz_from_local(const struct tz *z, int64_t local, int *off);

/* Most offsets one zone abbreviation stands for (CST: China, US Central,
 * Cuba). */
#define TZ_ABBREV_MAX_OFFSETS 3
/* Longest abbreviation in the table (AKST, NZDT: four letters). */
#define TZ_ABBREV_MAX_LEN 5
/* The offsets (seconds east) the abbreviation s[0..n) stands for, from a
 * fixed table (EDT EST CDT CST MDT MST PDT PST AKST HST GMT UTC WET BST CET
 * CEST EET EEST MSK IST IDT PKT ICT HKT SGT CST JST KST AEST AEDT NZST ...;
 * rules/README.md lists it).  Returns how many: 0 unknown, 1 plain, more
 * ambiguous (the caller picks the one its IANA zone agrees with). */
size_t tz_abbrev(const char *s, size_t n, int off[TZ_ABBREV_MAX_OFFSETS]);
struct buf;
/* Appends "China +08:00, US Central -06:00, ..." for abbreviation abbr. */
void tz_abbrev_describe(const char *abbr, struct buf *out);

#endif
