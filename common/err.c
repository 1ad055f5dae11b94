/*
 * err.c - filling and formatting struct nm_err.
 */
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(struct nm_err *e)
{
	if (!e)
		return;
	e->code = NM_OK;
	e->where[0] = e->msg[0] = '\0';
	e->line = e->col = 0;
}

enum nm_code err_set(struct nm_err *e, enum nm_code code, const char *fmt, ...)
{
	if (!e)
		return code;
	e->code = code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return code;
}

void err_where(struct nm_err *e, const char *where, unsigned line, unsigned col)
{
	if (!e)
		return;
	if (where)
		snprintf(e->where, sizeof e->where, "%s", where);
	e->line = line;
	e->col = col;
}

void err_format(const struct nm_err *e, char *out, unsigned long outsz)
{
	if (e->where[0] && e->line)
		snprintf(out, outsz, "%s:%u:%u: %s", e->where, e->line, e->col, e->msg);
	else if (e->where[0])
		snprintf(out, outsz, "%s: %s", e->where, e->msg);
	else
		snprintf(out, outsz, "%s", e->msg);
}
