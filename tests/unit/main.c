/*
 * main.c - runs the registered unit tests.  Usage: unit [NAME-SUBSTRING]
 */
#include "tests/unit/unit.h"

#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#define UNIT_MAX_TESTS 4096

struct unit_test {
	const char *name;
	unit_fn fn;
};
static struct unit_test tests[UNIT_MAX_TESTS];
static int ntests, cur_failed, cur_skipped;

void unit_register(const char *name, unit_fn fn)
{
	if (ntests < UNIT_MAX_TESTS)
		tests[ntests++] = (struct unit_test){name, fn};
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stdout, "  FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	cur_failed++;
}

void unit_skip(const char *why)
{
	printf("  skip: %s\n", why);
	cur_skipped = 1;
}

const char *unit_fixture(const char *rel)
{
	static char path[4096];
	snprintf(path, sizeof path, "tests/fixtures/%s", rel);
	return path;
}

int unit_timing(void)
{
	return getenv("NEWSMD_NO_TIME_BOUNDS") == NULL;
}

const char *unit_corpus(void)
{
	const char *c = getenv("NEWSMD_CORPUS");
	if (!c)
		c = "../shared/corpus";
	return access(c, R_OK) == 0 ? c : NULL;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;
	for (int i = 0; i < ntests; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		cur_failed = cur_skipped = 0;
		tests[i].fn();
		if (cur_failed) {
			printf("not ok %s\n", tests[i].name);
			failed++;
		} else if (cur_skipped) {
			skipped++;
		} else {
			passed++;
		}
		fflush(stdout);
	}
	printf("unit: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
