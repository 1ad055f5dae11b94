/*
 * buf.h - the growable byte buffer used for all string building.
 *
 * A buf is always NUL-terminated once anything was written (ptr may be NULL
 * while empty; use buf_cstr() for a never-NULL view).  Each buffer has a size
 * cap (`max`, 0 = BUF_DEFAULT_MAX): writes that would grow it past the cap
 * are refused, set `toobig`, and return -1, so a hostile input cannot make a
 * buffer grow without bound.  Out-of-memory aborts (mem.h).
 */
#ifndef NM_BUF_H
#define NM_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Default cap: larger than any sane article or page (pages are capped at
 * crawl.max_bytes, 10 MiB by default, and expansions stay within a small
 * factor of that). */
#define BUF_DEFAULT_MAX ((size_t)256 * 1024 * 1024)

struct buf {
	char *ptr;
	size_t len;
	size_t cap;
	size_t max;  /* 0 = BUF_DEFAULT_MAX */
	bool toobig; /* a write was refused because of max */
};

/* A borrowed slice; never owns its bytes. */
struct view {
	const char *p;
	size_t n;
};

#define BUF_INIT {NULL, 0, 0, 0, false}

void buf_init(struct buf *b, size_t max);
/* Releases the memory; the buf is empty and reusable afterwards. */
void buf_free(struct buf *b);
/* Empties without releasing memory. */
void buf_clear(struct buf *b);
/* Returns 0, or -1 when the cap refused the write. */
int buf_put(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, int c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Never NULL: "" for an empty buffer.  Borrowed until the next write. */
const char *buf_cstr(const struct buf *b);
/* Hands the string to the caller (who frees it); the buf becomes empty.
 * Never NULL. */
char *buf_detach(struct buf *b);
/* Drops the last n bytes (or all). */
void buf_truncate(struct buf *b, size_t len);

#endif
