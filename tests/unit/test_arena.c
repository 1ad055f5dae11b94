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

/* arena_reset keeps up to `keep` bytes of chunks and hands them out again
 * (the same memory, no new mapping); the rest is unmapped. */
TEST(arena_reset_reuses_kept_chunks)
{
	struct arena a = ARENA_INIT;
	unsigned char *p1 = arena_alloc(&a, 100);
	for (int i = 0; i < 2000; i++)
		memset(arena_alloc(&a, 1000), 7, 1000); /* ~2 MB: several chunks */
	size_t before = a.total;
	CHECK(before >= 2000 * 1000);
	arena_reset(&a, (size_t)1 << 30);
	CHECK_INT(a.total, before); /* all kept */
	unsigned char *q1 = arena_alloc(&a, 100);
	CHECK(q1 == p1); /* the smallest spare chunk is the first one again */
	CHECK_INT(a.total, before);
	arena_reset(&a, 0);
	CHECK_INT(a.total, 0); /* nothing kept */
	CHECK(a.head == NULL && a.spare == NULL);
	arena_alloc(&a, 10);
	arena_free(&a);
	CHECK(a.total == 0);
}
