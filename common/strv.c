/*
 * strv.c - a growable list of owned strings.
 */
#include "common/strv.h"
#include "common/mem.h"

#include <stdlib.h>

void strv_push(struct strv *s, const char *str)
{
	s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	s->v[s->n++] = xstrdup(str);
}

void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
