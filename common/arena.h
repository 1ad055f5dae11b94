/*
 * arena.h - a bump allocator: allocations come from large chunks, freeing
 * one is a no-op, and the whole arena goes at once.  For short-lived trees
 * built by code we do not own (gumbo's parse output, through
 * GumboOptions.allocator): the parse gets cheaper, and tearing the tree
 * down is one free per chunk instead of a recursive walk.
 */
#ifndef NM_ARENA_H
#define NM_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head; /* the chunk allocations come from */
	size_t next_size;         /* size of the next chunk */
	size_t total;             /* bytes of all chunks, for bounds and benches */
};

#define ARENA_INIT {NULL, 0, 0}

/* n bytes aligned for any type; never NULL (aborts when memory runs out,
 * like xmalloc).  Lives until arena_free. */
void *arena_alloc(struct arena *a, size_t n);
/* Frees every chunk; the arena can be used again. */
void arena_free(struct arena *a);

#endif
