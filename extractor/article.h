/*
 * article.h - the extractor's model of one article: what rules and the
 * generic extractor fill and what renderers read.  Strings are UTF-8, owned
 * by the article (freed by article_free); NULL means "not found".
 */
#ifndef NM_ARTICLE_H
#define NM_ARTICLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "common/date.h"
#include "common/strv.h"

struct custom_field {
	char *name;
	char *value;
};

struct article {
	char *url;        /* the URL the input is known by */
	char *final_url;  /* after redirects (== url for files) */
	char *rule;       /* rule name, or "auto" */
	char *title;
	struct when date;
	struct when updated;
	struct strv author;
	char *source;
	char *category;
	struct strv tags;
	char *lead_image;
	char *excerpt;
	char *lang;
	char *slug;       /* from the rule's output.slug step, else NULL */
	/* The body.  body_node is borrowed: it lives in the parsed document and
	 * is valid only until that document is freed; renderers read it. */
	xmlNodePtr body_node;
	char *body_raw;   /* inner source text of the body (body: raw) */
	char *body_html;  /* cleaned HTML */
	char *body_text;
	char *body_markdown;
	struct custom_field *fields;
	size_t nfields;
	char *error;
};

void article_init(struct article *a);
void article_free(struct article *a);
/* Sets a custom field (copies; replaces an existing value). */
void article_set_field(struct article *a, const char *name, const char *value);
const char *article_get_field(const struct article *a, const char *name);

#endif
