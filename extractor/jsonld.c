/*
 * jsonld.c - lenient, depth-bounded reading of ld+json blocks and the
 * objects they describe (see jsonld.h).
 */
#include "extractor/jsonld.h"
#include "common/buf.h"
#include "dom/jpath.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

json_t *jsonld_parse(const char *s, size_t n, struct nm_err *e)
{
	if (n > JSONLD_MAX_BYTES) {
		err_set(e, NM_ELIMIT, "ld+json block larger than %zu bytes; skipped",
			JSONLD_MAX_BYTES);
		return NULL;
	}
	struct buf b = BUF_INIT;
	buf_put(&b, s, n);
	char *p = b.ptr ? b.ptr : (char *)"";
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)p[i] < 0x20)
			p[i] = ' ';
	/* Peel wrappers off both ends until none is left. */
	static const char *const heads[] = {"<!--", "<![CDATA[", "//<![CDATA[", "/*<![CDATA[*/", NULL};
	static const char *const tails[] = {"-->", "]]>", "//]]>", "/*]]>*/", "//", NULL};
	size_t from = 0, to = b.len;
	bool again = true;
	while (again) {
		again = false;
		while (from < to && isspace((unsigned char)p[from]))
			from++;
		while (to > from && isspace((unsigned char)p[to - 1]))
			to--;
		for (size_t i = 0; heads[i]; i++) {
			size_t l = strlen(heads[i]);
			if (to - from >= l && !memcmp(p + from, heads[i], l)) {
				from += l;
				again = true;
			}
		}
		for (size_t i = 0; tails[i]; i++) {
			size_t l = strlen(tails[i]);
			if (to - from >= l && !memcmp(p + to - l, tails[i], l)) {
				to -= l;
				again = true;
			}
		}
	}
	json_t *v = jpath_parse(p + from, to - from, e);
	buf_free(&b);
	return v;
}

static size_t add(json_t **objs, size_t n, size_t cap, json_t *o)
{
	if (json_is_object(o) && n < cap)
		objs[n++] = o;
	return n;
}

size_t jsonld_collect(json_t *root, json_t **objs, size_t n, size_t cap)
{
	size_t idx;
	json_t *it;
	size_t start = n, end;
	if (json_is_array(root)) {
		json_array_foreach(root, idx, it) n = add(objs, n, cap, it);
	} else {
		n = add(objs, n, cap, root);
	}
	end = n;
	for (size_t i = start; i < end; i++) {
		json_t *g = json_object_get(objs[i], "@graph");
		if (json_is_array(g)) {
			json_array_foreach(g, idx, it) n = add(objs, n, cap, it);
		} else {
			n = add(objs, n, cap, g);
		}
	}
	end = n;
	for (size_t i = start; i < end; i++)
		n = add(objs, n, cap, json_object_get(objs[i], "mainEntity"));
	return n;
}
