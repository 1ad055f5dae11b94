/*
 * strv.h - a growable list of owned strings (authors, tags, links).
 */
#ifndef NM_STRV_H
#define NM_STRV_H

#include <stddef.h>

struct strv {
	char **v;
	size_t n;
};

/* Appends a copy of str. */
void strv_push(struct strv *s, const char *str);
/* Frees every string and the list; s is empty (and reusable) after. */
void strv_free(struct strv *s);

#endif
