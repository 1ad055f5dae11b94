/*
 * article.c - life cycle of struct article.
 */
#include "extractor/article.h"
#include "common/mem.h"

#include <stdlib.h>
#include <string.h>

void article_init(struct article *a)
{
	memset(a, 0, sizeof *a);
}

void article_free(struct article *a)
{
	char **strs[] = {&a->url, &a->final_url, &a->rule, &a->title, &a->source,
			 &a->category, &a->lead_image, &a->excerpt, &a->lang, &a->slug,
			 &a->body_raw, &a->body_html, &a->body_text, &a->body_markdown,
			 &a->error};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		free(*strs[i]);
	strv_free(&a->author);
	strv_free(&a->tags);
	for (size_t i = 0; i < a->nfields; i++) {
		free(a->fields[i].name);
		free(a->fields[i].value);
	}
	free(a->fields);
	memset(a, 0, sizeof *a);
}

void article_set_field(struct article *a, const char *name, const char *value)
{
	for (size_t i = 0; i < a->nfields; i++)
		if (!strcmp(a->fields[i].name, name)) {
			free(a->fields[i].value);
			a->fields[i].value = xstrdup(value);
			return;
		}
	a->fields = xrealloc(a->fields, (a->nfields + 1) * sizeof *a->fields);
	a->fields[a->nfields].name = xstrdup(name);
	a->fields[a->nfields].value = xstrdup(value);
	a->nfields++;
}

const char *article_get_field(const struct article *a, const char *name)
{
	for (size_t i = 0; i < a->nfields; i++)
		if (!strcmp(a->fields[i].name, name))
			return a->fields[i].value;
	return NULL;
}
