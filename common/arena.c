/*
 * arena.c - bump allocation from a list of chunks that grow geometrically.
 */
#include "common/arena.h"
#include "common/mem.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

/* First chunk: a small page's whole parse fits in it. */
#define ARENA_FIRST_CHUNK ((size_t)64 * 1024)
/* Chunks double up to this size; bigger pages take more chunks of it, so
 * the unused tail of the last chunk stays a small share of the total. */
#define ARENA_MAX_CHUNK ((size_t)4 * 1024 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t cap, used;
	alignas(max_align_t) unsigned char data[];
};

static size_t align_up(size_t n)
{
	size_t al = alignof(max_align_t);
	return (n + al - 1) & ~(al - 1);
}

static struct arena_chunk *new_chunk(struct arena *a, size_t cap)
{
	if (cap > SIZE_MAX - sizeof(struct arena_chunk))
		abort();
	struct arena_chunk *c = xmalloc(sizeof *c + cap);
	c->cap = cap;
	c->used = 0;
	c->next = NULL;
	a->total += cap;
	return c;
}

void *arena_alloc(struct arena *a, size_t n)
{
	n = align_up(n ? n : 1);
	struct arena_chunk *c = a->head;
	if (n > ARENA_MAX_CHUNK / 4) {
		/* a large block gets a chunk of its own, kept behind the
		 * current one so that chunk's free space is not lost */
		struct arena_chunk *big = new_chunk(a, n);
		big->used = n;
		if (c) {
			big->next = c->next;
			c->next = big;
		} else {
			a->head = big;
		}
		return big->data;
	}
	if (!c || c->cap - c->used < n) {
		size_t cap = a->next_size ? a->next_size : ARENA_FIRST_CHUNK;
		a->next_size = cap * 2 > ARENA_MAX_CHUNK ? ARENA_MAX_CHUNK : cap * 2;
		c = new_chunk(a, cap);
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

void arena_free(struct arena *a)
{
	for (struct arena_chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	*a = (struct arena)ARENA_INIT;
}
