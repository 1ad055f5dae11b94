/*
 * yaml.h - YAML files as a small tree with positions, for the config and
 * rule loaders.  libyaml does the parsing; this module resolves aliases
 * (sharing the anchored node), refuses duplicate keys, and bounds what a
 * hostile file can cost: file size, nesting depth and the size of the tree
 * with every alias expanded (no billion-laughs blow-up).
 */
#ifndef NM_YAML_H
#define NM_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

/* Rule and config files are hand-written; 1 MiB is far above any real one. */
#define YAML_MAX_FILE (1024 * 1024)
/* Deeper nesting than any schema uses; stops stack-like blow-ups early. */
#define YAML_MAX_DEPTH 64
/* Nodes in the tree counted with aliases expanded: bounds the work of every
 * walk over the tree, whatever the anchors do. */
#define YAML_MAX_NODES 200000

enum ytype { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	enum ytype type;
	unsigned line, col; /* 1-based position in the file */
	char *str;          /* scalar text (NUL-terminated; "" for empty) */
	bool plain;         /* scalar was unquoted (so `yes`/`123` are not strings) */
	struct ynode **items; /* seq: items; map: key, value, key, value, ... */
	size_t n;           /* number of entries in items */
	size_t weight;      /* nodes below and including this, aliases expanded */
	const char *file;   /* the file the node came from (borrowed from its ydoc) */
};

struct ydoc {
	struct ynode *root; /* NULL for an empty document */
	char *name;         /* file name used in messages */
	void *pool;         /* private: owns every node */
};

/* Parses text[0..n) named `name` (used in messages).  On error returns
 * NM_ECONFIG with e->where = name and e->line/col set. */
enum nm_code ydoc_parse(const char *text, size_t n, const char *name,
			struct ydoc **out, struct nm_err *e);
/* Reads and parses a file (bounded by YAML_MAX_FILE). */
enum nm_code ydoc_load(const char *path, struct ydoc **out, struct nm_err *e);
void ydoc_free(struct ydoc *d);

/* Value for key in a map, or NULL (also when m is not a map). */
struct ynode *ymap_get(const struct ynode *m, const char *key);
/* Number of map entries. */
static inline size_t ymap_len(const struct ynode *m) { return m->n / 2; }
/* A new empty mapping or list owned by d (for loaders that merge trees),
 * positioned at pos. */
struct ynode *ynode_new(struct ydoc *d, enum ytype t, const struct ynode *pos);
/* Appends child (a node of any live document) to parent's items. */
void ynode_add(struct ynode *parent, struct ynode *child);
/* Sets the error position to node n (its own file, else document d's). */
enum nm_code yerr(struct nm_err *e, const struct ydoc *d, const struct ynode *n,
		  enum nm_code code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* "mapping", "list" or "scalar". */
const char *ytype_name(enum ytype t);
/* Reads a plain scalar as a boolean (true/false/yes/no/on/off). */
int yscalar_bool(const struct ynode *n, bool *out);

/* Typed readers for loaders: each checks the node's type and reports
 * "FILE:LINE:COL: KEY: expected ..." on mismatch. */
/* Checks every key of map m is in `allowed` (NULL-terminated); an unknown
 * key is an error naming it, with "did you mean 'x'?" for a near miss. */
enum nm_code ymap_check_keys(const struct ydoc *d, const struct ynode *m,
			     const char *const *allowed, const char *what,
			     struct nm_err *e);
/* Requires a mapping. */
enum nm_code yexpect(const struct ydoc *d, const struct ynode *n, enum ytype t,
		     const char *key, struct nm_err *e);
/* For a plain (unquoted) scalar YAML reads as something other than text,
 * what it reads as: "a number", "a boolean", "null (nothing)"; else NULL. */
const char *yplain_nontext(const struct ynode *n);
/* The same for text s as if written plain: what YAML would read it as, or
 * NULL when it reads as text.  Writers quote such values. */
const char *ytext_nontext(const char *s);
/* Text is expected at n: an unquoted number, boolean or null is an error
 * that says how to quote it ("KEY: expected text, found a number; quote it
 * to mean the text: '17'").  Other node types pass (checked elsewhere). */
enum nm_code ytext(const struct ydoc *d, const struct ynode *n, const char *key,
		   struct nm_err *e);
/* Scalar -> newly allocated string (caller frees); text only (ytext). */
enum nm_code ystr(const struct ydoc *d, const struct ynode *n, const char *key,
		  char **out, struct nm_err *e);
/* Plain integer scalar within [min, max]. */
enum nm_code yint(const struct ydoc *d, const struct ynode *n, const char *key,
		  long min, long max, long *out, struct nm_err *e);
enum nm_code ybool(const struct ydoc *d, const struct ynode *n, const char *key,
		   bool *out, struct nm_err *e);
/* A scalar or a list of scalars -> NULL-terminated array of new strings
 * (caller frees with ystrv_free); *count gets the length.  Each must be
 * text (ytext). */
enum nm_code ystrlist(const struct ydoc *d, const struct ynode *n, const char *key,
		      char ***out, size_t *count, struct nm_err *e);
/* As ystrlist, but numbers, booleans and null are taken as written (front
 * matter values, which stay YAML scalars). */
enum nm_code yscalarlist(const struct ydoc *d, const struct ynode *n, const char *key,
			 char ***out, size_t *count, struct nm_err *e);
void ystrv_free(char **v);
/* Edit distance, capped: returns cap+1 when above cap. */
unsigned ylevenshtein(const char *a, const char *b, unsigned cap);

#endif
