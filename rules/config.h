/*
 * config.h - newsmd.yml: where rules and state live, how posts are written,
 * how the crawler behaves and which sources it reads (SPEC §3).
 * The types are in common/settings.h; this module reads them from YAML.
 * Relative paths are resolved against the config file's folder.
 */
#ifndef NM_CONFIG_H
#define NM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "common/settings.h"

struct ydoc;
struct ynode;

/* Fills c with the defaults of SPEC §3. */
void config_defaults(struct config *c);
/* Loads path over the defaults.  Errors are NM_ECONFIG with file:line:col.
 * missing_ok: a missing file yields the defaults (for the implicit
 * ./newsmd.yml). */
enum nm_code config_load(const char *path, bool missing_ok, struct config *c,
			 struct nm_err *e);
void config_free(struct config *c);

/* Reads an `output:` mapping (config or rule override) into o, setting the
 * has_* flags of what it gives. */
enum nm_code config_parse_output(const struct ydoc *d, const struct ynode *n,
			  struct output_cfg *o, struct nm_err *e);
#endif
