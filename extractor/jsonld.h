/*
 * jsonld.h - the one reader of <script type="application/ld+json"> blocks,
 * shared by the metadata extractor (meta.c) and rule `jsonld:` steps
 * (extract.c).
 *
 * Reading a block is lenient the way browsers and search engines are:
 * HTML comment and CDATA wrappers ("<!--", "-->", "<![CDATA[", "]]>", the
 * CDATA markers inside a JavaScript // or block comment, a trailing "//")
 * are peeled off both ends until none is left, and raw control characters (often left unescaped inside
 * strings) read as spaces.  The rest is parsed with jpath_parse, so a block
 * nested deeper than JPATH_MAX_DEPTH is refused (NM_ELIMIT) before jansson
 * recurses into it; a block larger than JSONLD_MAX_BYTES is refused too.
 *
 * The objects of a parsed block are: the value itself when an object, the
 * object items of a top-level array, then the items of each one's @graph
 * (or @graph itself when an object), then each one's mainEntity object, in
 * that order (one level each: JSON-LD that nests articles deeper is not
 * seen in practice).
 */
#ifndef NM_JSONLD_H
#define NM_JSONLD_H

#include <stddef.h>

#include <jansson.h>

#include "common/err.h"

/* Larger ld+json blocks are product catalogues or state dumps, not article
 * metadata; they are skipped rather than parsed. */
#define JSONLD_MAX_BYTES ((size_t)1 << 20)
/* Objects collected per page (blocks, array items, @graph items,
 * mainEntity): news pages have a dozen; a @graph of thousands is a
 * catalogue. */
#define JSONLD_MAX_OBJECTS 256

/* Parses the text of one ld+json block (n bytes, need not be
 * NUL-terminated).  Returns a new reference (caller json_decref's), or NULL
 * and an error (e may be NULL): NM_ELIMIT for too large or too deep,
 * NM_EPARSE for text that is not JSON. */
json_t *jsonld_parse(const char *s, size_t n, struct nm_err *e);

/* Appends the objects of root (see above) to objs[n..cap), borrowed from
 * root; returns the new count (at most cap). */
size_t jsonld_collect(json_t *root, json_t **objs, size_t n, size_t cap);

#endif
