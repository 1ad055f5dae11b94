/*
 * mem.h - allocation wrappers.  Out-of-memory is not a recoverable condition
 * for newsmd: every wrapper aborts with a message instead of returning NULL,
 * so callers never check.  Limits on untrusted input are enforced elsewhere
 * and return recoverable errors (see buf.h's cap).
 */
#ifndef NM_MEM_H
#define NM_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Copies; caller frees.  xstrdup(NULL) returns NULL. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
