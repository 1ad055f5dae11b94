#include "tests/unit/unit.h"
#include "common/arena.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

TEST(arena_blocks_are_aligned_distinct_and_writable)
{
	struct arena a = ARENA_INIT;
	unsigned char *prev = NULL;
	for (size_t i = 1; i < 5000; i++) {
		unsigned char *p = arena_alloc(&a, i % 97);
		CHECK((uintptr_t)p % alignof(max_align_t) == 0);
		memset(p, (int)(i & 0xff), i % 97);
		if (prev)
			CHECK(p != prev);
		prev = p;
	}
	CHECK(a.total >= 5000);
	arena_free(&a);
	CHECK(a.head == NULL && a.total == 0);
	/* reusable after arena_free */
	CHECK(arena_alloc(&a, 10) != NULL);
	arena_free(&a);
}

/* A block too big for a chunk gets its own, and the current chunk keeps
 * serving small blocks (its free space is not thrown away). */
TEST(arena_large_block_keeps_current_chunk)
{
	struct arena a = ARENA_INIT;
	unsigned char *s1 = arena_alloc(&a, 16);
	size_t before = a.total;
	unsigned char *big = arena_alloc(&a, (size_t)8 << 20);
	memset(big, 1, (size_t)8 << 20);
	CHECK(a.total == before + ((size_t)8 << 20));
	unsigned char *s2 = arena_alloc(&a, 16);
	CHECK(s2 == s1 + 16); /* same chunk, next slot */
	arena_free(&a);
}
