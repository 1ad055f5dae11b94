/*
 * fuzz_jpath.c - JSON parsing (depth-bounded) and JSON paths: input =
 * PATH '\n' JSON.  The JSON part is also read as a script's text by
 * jpath_parse_embedded (rule steps with `script:`), which must find the same
 * value when the text is plain JSON.
 */
#include "dom/jpath.h"

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
	json_t *root = jpath_parse(json, strlen(json), NULL);
	if (jpath_compile(path, &p, NULL) == NM_OK && root) {
		json_t **vals = NULL;
		size_t n = jpath_eval(p, root, &vals);
		struct buf b = BUF_INIT;
		for (size_t i = 0; i < n; i++)
			jpath_scalar_text(vals[i], &b);
		buf_free(&b);
		free(vals);
	}
	json_t *emb = jpath_parse_embedded(json, strlen(json), NULL);
	/* plain JSON text holding an object or array: both readers agree */
	if (root && (json_is_object(root) || json_is_array(root)) && !json_equal(root, emb)) {
		size_t k = 0;
		while (json[k] == ' ' || json[k] == '\t' || json[k] == '\n' || json[k] == '\r')
			k++;
		if (json[k] == '{' || json[k] == '[')
			abort();
	}
	json_decref(emb);
	jpath_free(p);
	json_decref(root);
	free(s);
	return 0;
}
