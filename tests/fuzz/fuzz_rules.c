/*
 * fuzz_rules.c - the YAML tree and the rule loader on arbitrary bytes:
 * every rule key, selector, regex, date format and template path runs.
 */
#include "rules/rules.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rule *r = NULL;
	struct nm_err e;
	err_clear(&e);
	if (rule_load_mem((const char *)data, size, "fuzz.yml", &r, &e) == NM_OK)
		rule_free(r);
	return 0;
}
