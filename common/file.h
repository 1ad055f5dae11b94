/*
 * file.h - reading whole local files, bounded.
 */
#ifndef NM_FILE_H
#define NM_FILE_H

#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"

/* Appends the contents of path ("-" = stdin) to out.  Files larger than max
 * bytes are refused with NM_ELIMIT; unreadable ones give NM_EIO.  The error
 * names the path. */
enum nm_code file_read(const char *path, size_t max, struct buf *out,
		       struct nm_err *e);

#endif
