/*
 * file.c - bounded whole-file reads for explicit local inputs.
 */
#include "common/file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum nm_code file_read(const char *path, size_t max, struct buf *out,
		       struct nm_err *e)
{
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	enum nm_code rc = NM_OK;
	char chunk[65536];
	size_t total = 0, n;

	if (!f) {
		err_where(e, path, 0, 0);
		return err_set(e, NM_EIO, "cannot open: %s", strerror(errno));
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		total += n;
		if (total > max) {
			err_where(e, path, 0, 0);
			rc = err_set(e, NM_ELIMIT, "file larger than %zu bytes; refused", max);
			goto out;
		}
		buf_put(out, chunk, n);
	}
	if (ferror(f)) {
		err_where(e, path, 0, 0);
		rc = err_set(e, NM_EIO, "read error: %s", strerror(errno));
	}
out:
	if (!is_stdin)
		fclose(f);
	return rc;
}
