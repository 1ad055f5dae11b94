/*
 * fuzz_jpath.c - JSON parsing (depth-bounded) and JSON paths: input =
 * PATH '\n' JSON.
 */
#include "extractor/jpath.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	char *nl = strchr(s, '\n');
	const char *path = "data.list[*].title";
	const char *json = s;
	if (nl) {
		*nl = '\0';
		path = s;
		json = nl + 1;
	}
	struct jpath *p = NULL;
	json_t *root = json_parse_bounded(json, strlen(json), NULL);
	if (jpath_compile(path, &p, NULL) == NM_OK && root) {
		json_t **vals = NULL;
		size_t n = jpath_eval(p, root, &vals);
		struct buf b = BUF_INIT;
		for (size_t i = 0; i < n; i++)
			jpath_scalar_text(vals[i], &b);
		buf_free(&b);
		free(vals);
	}
	jpath_free(p);
	json_decref(root);
	free(s);
	return 0;
}
