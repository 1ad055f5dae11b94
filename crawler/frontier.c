/*
 * frontier.c - an open-addressing string set (linear probing, grown at
 * half load) and the work item's life cycle.
 */
#include "crawler/frontier.h"
#include "common/mem.h"

#include <stdlib.h>
#include <string.h>

struct frontier {
	char **slots;
	size_t cap, n;
};

static size_t hash(const char *s)
{
	unsigned long long h = 14695981039346656037ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)h;
}

struct frontier *frontier_new(void)
{
	struct frontier *f = xcalloc(1, sizeof *f);
	f->cap = 1024;
	f->slots = xcalloc(f->cap, sizeof *f->slots);
	return f;
}

void frontier_free(struct frontier *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->cap; i++)
		free(f->slots[i]);
	free(f->slots);
	free(f);
}

static size_t find(const struct frontier *f, const char *s)
{
	size_t i = hash(s) & (f->cap - 1);
	while (f->slots[i] && strcmp(f->slots[i], s))
		i = (i + 1) & (f->cap - 1);
	return i;
}

static void grow(struct frontier *f)
{
	struct frontier g = {xcalloc(f->cap * 2, sizeof(char *)), f->cap * 2, f->n};
	for (size_t i = 0; i < f->cap; i++)
		if (f->slots[i])
			g.slots[find(&g, f->slots[i])] = f->slots[i];
	free(f->slots);
	*f = g;
}

bool frontier_take(struct frontier *f, const char *canon)
{
	size_t i = find(f, canon);
	if (f->slots[i] || f->n >= FRONTIER_MAX_URLS)
		return false;
	f->slots[i] = xstrdup(canon);
	if (++f->n * 2 > f->cap)
		grow(f);
	return true;
}

bool frontier_has(const struct frontier *f, const char *canon)
{
	return f->slots[find(f, canon)] != NULL;
}

size_t frontier_count(const struct frontier *f)
{
	return f->n;
}

struct frontier_item *frontier_item_new(enum item_kind kind, const char *url, const char *canon,
					const char *fetch_url, size_t source)
{
	struct frontier_item *it = xcalloc(1, sizeof *it);
	it->kind = kind;
	it->url = xstrdup(url);
	it->canon = xstrdup(canon);
	it->fetch_url = xstrdup(fetch_url ? fetch_url : url);
	it->source = source;
	it->page = 1;
	return it;
}

void frontier_item_free(struct frontier_item *it)
{
	if (!it)
		return;
	free(it->url);
	free(it->canon);
	free(it->fetch_url);
	free(it->referer);
	free(it->fields);
	free(it);
}
