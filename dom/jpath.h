/*
 * jpath.h - paths into JSON documents, for `json` and `jsonld` steps and
 * for JSON list APIs:  data.list[*].title   items[0]   ['odd.key'].x   $
 *
 * A path is a sequence of steps: a key (`name`, or `['any key']`), an
 * index (`[3]`, `[-1]` from the end) or a wildcard (`[*]` / `*`: every
 * element of an array or every value of an object).  Results come in
 * document order.  Compiled once; evaluation allocates only the result.
 */
#ifndef NM_JPATH_H
#define NM_JPATH_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/err.h"

/* Steps in one path: no real API nests deeper. */
#define JPATH_MAX_STEPS 32
/* Values one evaluation may return: bounds wildcard blow-up on hostile
 * documents. */
#define JPATH_MAX_RESULTS 100000
/* Nesting accepted when parsing JSON from the network (jansson recurses). */
#define JPATH_MAX_DEPTH 64

struct jpath;

enum nm_code jpath_compile(const char *src, struct jpath **out, struct nm_err *e);
void jpath_free(struct jpath *p);
/* Values at p under root, borrowed from root; *out is malloc'd (caller
 * frees the array only).  Returns the count. */
size_t jpath_eval(const struct jpath *p, json_t *root, json_t ***out);
/* Appends the text of a scalar (string as is, numbers and booleans as
 * JSON writes them); objects, arrays and null append nothing and return
 * -1. */
int jpath_scalar_text(const json_t *v, struct buf *out);
/* Parses JSON text with the depth bound; NULL and an error on failure. */
json_t *jpath_parse(const char *s, size_t n, struct nm_err *e);
/* True when bytes look like JSON: the Content-Type (ctype, may be NULL)
 * names JSON, or the first character after white space and a UTF-8 BOM is
 * '{' or '['.  The one sniff every caller uses (list pages, articles). */
bool jpath_sniff(const char *ctype, const char *s, size_t n);
/* JSON embedded in a script's text: the text itself when it is JSON
 * (<script type="application/json">, Next.js's __NEXT_DATA__), else the
 * object or array assigned at the first '=' (`window.__STATE__ = {...};`);
 * what follows the value (`;`, more code) is ignored.  Depth-bounded like
 * jpath_parse. */
json_t *jpath_parse_embedded(const char *s, size_t n, struct nm_err *e);

#endif
