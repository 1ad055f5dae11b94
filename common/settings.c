/*
 * settings.c - copying and freeing the output settings (settings.h).
 */
#include "common/settings.h"
#include "common/mem.h"

#include <stdlib.h>
#include <string.h>

static char **nstr_dup(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	char **out = xcalloc(n + 1, sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

static void nstr_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

void settings_output_merge(struct output_cfg *dst, const struct output_cfg *base,
			   const struct output_cfg *over)
{
	memset(dst, 0, sizeof *dst);
	const struct output_cfg *o;
	o = over && over->has_dir ? over : base;
	dst->dir = xstrdup(o->dir);
	dst->body = (over && over->has_body ? over : base)->body;
	dst->format = (over && over->has_format ? over : base)->format;
	o = over && over->has_filename ? over : base;
	dst->filename = xstrdup(o->filename);
	o = over && over->has_fm ? over : base;
	dst->fm = xcalloc(o->nfm + 1, sizeof *dst->fm);
	for (size_t i = 0; i < o->nfm; i++) {
		dst->fm[i].key = xstrdup(o->fm[i].key);
		dst->fm[i].tmpl = nstr_dup(o->fm[i].tmpl);
		dst->fm[i].n = o->fm[i].n;
		dst->fm[i].is_list = o->fm[i].is_list;
		dst->fm[i].plain = o->fm[i].plain;
	}
	dst->nfm = o->nfm;
	dst->quote = nstr_dup((over && over->has_quote ? over : base)->quote);
	o = over && over->has_footer ? over : base;
	dst->footer = xstrdup(o->footer);
	dst->final_newline = (over && over->has_final_newline ? over : base)->final_newline;
	dst->images = (over && over->has_images ? over : base)->images;
	dst->images_dir = xstrdup((over && over->has_images_dir ? over : base)->images_dir);
	dst->images_url = xstrdup((over && over->has_images_url ? over : base)->images_url);
}

void settings_output_free(struct output_cfg *o)
{
	free(o->dir);
	free(o->filename);
	for (size_t i = 0; i < o->nfm; i++) {
		free(o->fm[i].key);
		nstr_free(o->fm[i].tmpl);
	}
	free(o->fm);
	nstr_free(o->quote);
	free(o->footer);
	free(o->images_dir);
	free(o->images_url);
	memset(o, 0, sizeof *o);
}
