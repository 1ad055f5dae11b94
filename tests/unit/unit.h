/*
 * unit.h - the tiny unit-test harness: TEST() registers a function at load
 * time, CHECK*() records failures with file:line, and tests/unit/main.c runs
 * everything (or the tests whose names contain argv[1]) and prints
 * "unit: N passed, N failed".
 */
#ifndef NM_UNIT_H
#define NM_UNIT_H

#include <stdio.h>
#include <string.h>

typedef void (*unit_fn)(void);
void unit_register(const char *name, unit_fn fn);
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Path of a fixture below tests/fixtures (static buffer). */
const char *unit_fixture(const char *rel);
/* The shared corpus folder, or NULL (tests then skip with a message). */
const char *unit_corpus(void);
void unit_skip(const char *why);
/* False when NEWSMD_NO_TIME_BOUNDS is set (make leakcheck: under valgrind
 * the pathological time bounds mean nothing; the outcomes are still checked). */
int unit_timing(void);

#define TEST(name)                                                    \
	static void name(void);                                       \
	__attribute__((constructor)) static void reg_##name(void)     \
	{                                                             \
		unit_register(#name, name);                           \
	}                                                             \
	static void name(void)

#define CHECK(c)                                                      \
	do {                                                          \
		if (!(c))                                             \
			unit_fail(__FILE__, __LINE__, "%s", #c);      \
	} while (0)

#define CHECK_INT(a, b)                                                        \
	do {                                                                   \
		long long a_ = (long long)(a), b_ = (long long)(b);            \
		if (a_ != b_)                                                  \
			unit_fail(__FILE__, __LINE__, "%s == %lld, expected %lld", \
				  #a, a_, b_);                                 \
	} while (0)

#define CHECK_STR(a, b)                                                        \
	do {                                                                   \
		const char *a_ = (a), *b_ = (b);                               \
		if (!a_ || !b_ || strcmp(a_, b_) != 0)                         \
			unit_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", \
				  #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	} while (0)

#endif
