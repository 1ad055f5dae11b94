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
	struct arena_chunk *head;  /* the chunk allocations come from, then older ones */
	struct arena_chunk *spare; /* kept by arena_reset, reused first */
	size_t next_size;          /* size of the next new chunk */
	size_t total;              /* bytes of all chunks held, spare included */
};

#define ARENA_INIT {NULL, NULL, 0, 0}

/* n bytes aligned for any type; never NULL (aborts when memory runs out,
 * like xmalloc).  Lives until arena_free. */
void *arena_alloc(struct arena *a, size_t n);
/* Frees every allocation at once but keeps up to `keep` bytes of chunks
 * mapped for the next use (pages parsed one after another then reuse the
 * same memory instead of faulting in new pages). */
void arena_reset(struct arena *a, size_t keep);
/* Frees every chunk; the arena can be used again. */
void arena_free(struct arena *a);

#endif
