/*
 * assets.h - the studio's web page (the files in studio/assets/), embedded in the
 * binary at build time by scripts/gen_assets.c.
 */
#ifndef NM_STUDIO_ASSETS_H
#define NM_STUDIO_ASSETS_H

#include <stddef.h>

struct studio_asset {
	const char *name; /* file name, e.g. "app.js" */
	const char *data;
	size_t len;
};

/* Terminated by an entry whose name is NULL. */
extern const struct studio_asset studio_assets[];

#endif
