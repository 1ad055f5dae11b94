/*
 * arena.c - bump allocation from a list of chunks that grow geometrically,
 * with a spare list so that an arena reset between pages reuses memory
 * that is already mapped.
 */
#include "common/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <sys/mman.h>

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

static void unmap(struct arena *a, struct arena_chunk *c)
{
	a->total -= c->cap;
	munmap(c, sizeof *c + c->cap);
}

/* A chunk of at least cap bytes: a spare one when one is big enough, else
 * a new mapping.  Chunks are mapped, not malloc'd: megabyte blocks that
 * come and go with every page, freed to malloc, raise glibc's mmap
 * threshold and then fragment its heap (a batch's peak RSS crept up page
 * after page). */
static struct arena_chunk *get_chunk(struct arena *a, size_t cap)
{
	for (struct arena_chunk **pp = &a->spare; *pp; pp = &(*pp)->next) {
		struct arena_chunk *c = *pp;
		if (c->cap >= cap) {
			*pp = c->next;
			c->next = NULL;
			c->used = 0;
			return c;
		}
	}
	if (cap > SIZE_MAX - sizeof(struct arena_chunk))
		abort();
	void *m = mmap(NULL, sizeof(struct arena_chunk) + cap, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		fprintf(stderr, "newsmd: out of memory (%zu bytes)\n", cap);
		abort();
	}
	struct arena_chunk *c = m;
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
		struct arena_chunk *big = get_chunk(a, n);
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
		c = get_chunk(a, cap);
		c->next = a->head;
		a->head = c;
	}
	void *p = c->data + c->used;
	c->used += n;
	return p;
}

void arena_reset(struct arena *a, size_t keep)
{
	/* everything becomes spare, smallest first so get_chunk's first fit
	 * takes the smallest chunk that fits */
	while (a->head) {
		struct arena_chunk *c = a->head, **pp = &a->spare;
		a->head = c->next;
		while (*pp && (*pp)->cap < c->cap)
			pp = &(*pp)->next;
		c->next = *pp;
		*pp = c;
	}
	/* keep the smallest chunks up to `keep` bytes; unmap the rest */
	size_t kept = 0;
	for (struct arena_chunk **pp = &a->spare; *pp;) {
		struct arena_chunk *c = *pp;
		if (kept + c->cap <= keep) {
			kept += c->cap;
			pp = &c->next;
		} else {
			*pp = c->next;
			unmap(a, c);
		}
	}
	a->next_size = 0;
}

void arena_free(struct arena *a)
{
	arena_reset(a, 0);
	*a = (struct arena)ARENA_INIT;
}
