/*
 * err.h - error codes and the error record every fallible function fills.
 *
 * Functions return an enum nm_code (0 = OK) and, on failure, describe the
 * problem in a caller-supplied struct nm_err: a message and, where it
 * applies, the place (a file or URL, and a 1-based line:column).  Only cli/
 * prints errors, as one line: "newsmd: WHERE:LINE:COL: message".
 */
#ifndef NM_ERR_H
#define NM_ERR_H

/* Append-only: values are never renumbered. */
enum nm_code {
	NM_OK = 0,
	NM_EUSAGE,   /* bad command line */
	NM_EIO,      /* file could not be read or written */
	NM_ECONFIG,  /* config file invalid */
	NM_ERULE,    /* rule file invalid */
	NM_ENET,     /* network failure or HTTP error */
	NM_EPARSE,   /* input could not be parsed */
	NM_ENORULE,  /* no rule matches the URL */
	NM_ELIMIT,   /* an input exceeded a named bound */
	NM_EFIELD,   /* a required field came out empty */
	NM_ESELECTOR, /* selector syntax error */
	NM_EDATE,    /* date could not be parsed */
	NM_ETEMPLATE, /* template error */
	NM_ELOCKED,  /* another run holds the lock */
	NM_EREFUSED, /* refused by policy (scheme, robots, size) */
};

#define NM_ERR_WHERE_MAX 1024
#define NM_ERR_MSG_MAX 1024

struct nm_err {
	enum nm_code code;
	char where[NM_ERR_WHERE_MAX]; /* file path or URL; "" when none */
	unsigned line, col;           /* 1-based; 0 = not applicable */
	char msg[NM_ERR_MSG_MAX];
};

/* Resets to "no error". */
void err_clear(struct nm_err *e);
/* Sets code and message (printf-style); keeps `where` unless a new one is
 * given with err_where.  Returns code, so `return err_set(e, ...)` works.
 * e may be NULL. */
enum nm_code err_set(struct nm_err *e, enum nm_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sets the place; where may be NULL to leave it. */
void err_where(struct nm_err *e, const char *where, unsigned line, unsigned col);
/* Writes "WHERE:LINE:COL: msg" (parts present only) into out. */
void err_format(const struct nm_err *e, char *out, unsigned long outsz);

#endif
