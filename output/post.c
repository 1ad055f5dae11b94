/*
 * post.c - rendering and writing posts.
 */
#include "output/post.h"
#include "common/mem.h"
#include "common/utf8.h"
#include "output/tmpl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

bool post_yaml_ambiguous(const char *s)
{
	static const char *const words[] = {"y", "n", "yes", "no", "true", "false", "on",
					    "off", "null", "~", ".inf", "-.inf", "+.inf",
					    ".nan", NULL};
	if (!*s)
		return true;
	for (int i = 0; words[i]; i++)
		if (!strcasecmp(s, words[i]))
			return true;
	/* Numbers, dates, times and sexagesimals all start like this. */
	if (strchr("0123456789+-.", s[0]))
		return true;
	/* Liquid in the front matter would be misread by themes that print it raw. */
	return strstr(s, "{{") || strstr(s, "{%");
}

static int write_cb(void *data, unsigned char *p, size_t n)
{
	return buf_put(data, p, n) == 0;
}

static bool in_list(char **v, const char *k)
{
	for (; v && *v; v++)
		if (!strcmp(*v, k))
			return true;
	return false;
}

static int emit_scalar(yaml_emitter_t *em, const char *s, bool quote, bool is_date)
{
	yaml_event_t ev;
	yaml_scalar_style_t style = quote ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
				    : (!is_date && post_yaml_ambiguous(s)) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
									    : YAML_ANY_SCALAR_STYLE;
	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
				     style);
	return yaml_emitter_emit(em, &ev);
}

enum nm_code post_front_matter(const struct article *a, const struct output_cfg *o,
			       const struct kv *pinyin, size_t npinyin, struct buf *out,
			       struct nm_err *e)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	struct buf yb = BUF_INIT;
	struct tmpl_ctx c = {a, pinyin, npinyin};
	enum nm_code rc = NM_OK;
	int ok = 1;

	yaml_emitter_initialize(&em);
	yaml_emitter_set_output(&em, write_cb, &yb);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	yaml_emitter_set_break(&em, YAML_LN_BREAK);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	ok = ok && yaml_emitter_emit(&em, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	ok = ok && yaml_emitter_emit(&em, &ev);
	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	ok = ok && yaml_emitter_emit(&em, &ev);
	for (size_t i = 0; ok && i < o->nfm; i++) {
		const struct fm_entry *f = &o->fm[i];
		bool quote = in_list(o->quote, f->key);
		const struct strv *list = f->n == 1 && !f->is_list ? tmpl_list(f->tmpl[0], a) : NULL;
		/* Expand first: empty values leave the key out. */
		struct strv vals = {0};
		if (list) {
			for (size_t j = 0; j < list->n; j++)
				strv_push(&vals, list->v[j]);
		} else {
			for (size_t j = 0; j < f->n; j++) {
				struct buf v = BUF_INIT;
				if ((rc = tmpl_expand(f->tmpl[j], &c, &v, e))) {
					buf_free(&v);
					strv_free(&vals);
					goto out;
				}
				if (v.len)
					strv_push(&vals, buf_cstr(&v));
				buf_free(&v);
			}
		}
		if (!vals.n) {
			strv_free(&vals);
			continue;
		}
		ok = ok && emit_scalar(&em, f->key, false, false);
		if (list || f->is_list) {
			yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							     YAML_BLOCK_SEQUENCE_STYLE);
			ok = ok && yaml_emitter_emit(&em, &ev);
			for (size_t j = 0; ok && j < vals.n; j++)
				ok = emit_scalar(&em, vals.v[j], quote, false);
			yaml_sequence_end_event_initialize(&ev);
			ok = ok && yaml_emitter_emit(&em, &ev);
		} else {
			ok = ok && emit_scalar(&em, vals.v[0], quote, tmpl_is_date(f->tmpl[0]));
		}
		strv_free(&vals);
	}
	yaml_mapping_end_event_initialize(&ev);
	ok = ok && yaml_emitter_emit(&em, &ev);
	yaml_document_end_event_initialize(&ev, 1);
	ok = ok && yaml_emitter_emit(&em, &ev);
	yaml_stream_end_event_initialize(&ev);
	ok = ok && yaml_emitter_emit(&em, &ev);
	ok = ok && yaml_emitter_flush(&em);
	if (!ok) {
		rc = err_set(e, NM_ETEMPLATE, "front matter: %s",
			     em.problem ? em.problem : "YAML emitter failed");
		goto out;
	}
	buf_puts(out, "---\n");
	/* An empty mapping is emitted as "{}". */
	if (strcmp(buf_cstr(&yb), "{}\n") != 0)
		buf_put(out, buf_cstr(&yb), yb.len);
	buf_puts(out, "---\n");
out:
	yaml_emitter_delete(&em);
	buf_free(&yb);
	return rc;
}

enum nm_code post_render(const struct article *a, const struct output_cfg *o,
			 const struct kv *pinyin, size_t npinyin, struct buf *out,
			 struct nm_err *e)
{
	enum nm_code rc = post_front_matter(a, o, pinyin, npinyin, out, e);
	if (rc)
		return rc;
	const char *body = o->body == BODY_RAW    ? (a->body_raw ? a->body_raw : a->body_html)
			   : o->body == BODY_HTML ? a->body_html
						  : a->body_markdown;
	if (body)
		buf_puts(out, body);
	if (o->footer) {
		struct tmpl_ctx c = {a, pinyin, npinyin};
		if ((rc = tmpl_expand(o->footer, &c, out, e)))
			return rc;
	}
	size_t n = out->len;
	while (n && out->ptr[n - 1] == '\n')
		n--;
	buf_truncate(out, n);
	if (o->final_newline)
		buf_putc(out, '\n');
	if (out->toobig)
		return err_set(e, NM_ELIMIT, "post larger than the output cap");
	return NM_OK;
}

enum nm_code post_filename(const struct article *a, const struct output_cfg *o,
			   const struct kv *pinyin, size_t npinyin, struct buf *out,
			   struct nm_err *e)
{
	struct buf raw = BUF_INIT;
	struct tmpl_ctx c = {a, pinyin, npinyin};
	enum nm_code rc = tmpl_expand(o->filename, &c, &raw, e);
	if (rc) {
		buf_free(&raw);
		return rc;
	}
	/* Keep the extension aside so cutting never loses it. */
	const char *s = buf_cstr(&raw);
	size_t n = raw.len, ext = 0;
	const char *dot = strrchr(s, '.');
	if (dot && strlen(dot) <= 10 && !strchr(dot, '/'))
		ext = strlen(dot), n -= ext;
	struct buf name = BUF_INIT;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_decode(s + i, n - i, &cp);
		bool bad = cp < 0x20 || cp == 0x7F || cp == '/' || cp == '\\' ||
			   cp == UTF8_REPLACEMENT || (cp == '.' && name.len == 0);
		if (name.len + l > POST_NAME_MAX)
			break;
		if (bad) {
			if (name.len && name.ptr[name.len - 1] != '-')
				buf_putc(&name, '-');
		} else {
			buf_put(&name, s + i, l);
		}
		i += l;
	}
	if (!name.len || !strcmp(buf_cstr(&name), "..") || !strcmp(buf_cstr(&name), "."))
		buf_puts(&name, "post");
	buf_put(&name, s + n, ext);
	buf_put(out, buf_cstr(&name), name.len);
	buf_free(&name);
	buf_free(&raw);
	return NM_OK;
}

static int mkdirs(const char *dir)
{
	char *p = xstrdup(dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	int rc = mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
	free(p);
	return rc;
}

/* Reads the existing file (no symlinks) and compares. */
static bool same_content(int dfd, const char *name, const char *data, size_t n)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	bool same = false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == n) {
		char *tmp = xmalloc(n + 1);
		size_t got = 0;
		ssize_t r;
		while (got < n && (r = read(fd, tmp + got, n - got)) > 0)
			got += (size_t)r;
		same = got == n && memcmp(tmp, data, n) == 0;
		free(tmp);
	}
	close(fd);
	return same;
}

enum nm_code post_write(const char *dir, const char *name, const char *data, size_t n,
			enum post_status *status, struct nm_err *e)
{
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		err_where(e, name, 0, 0);
		return err_set(e, NM_EIO, "refusing file name that is not a single path component");
	}
	if (mkdirs(dir) != 0) {
		err_where(e, dir, 0, 0);
		return err_set(e, NM_EIO, "cannot create output folder: %s", strerror(errno));
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		err_where(e, dir, 0, 0);
		return err_set(e, NM_EIO, "cannot open output folder: %s", strerror(errno));
	}
	struct stat st;
	bool exists = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	enum nm_code rc = NM_OK;
	if (exists && !S_ISREG(st.st_mode)) {
		err_where(e, name, 0, 0);
		rc = err_set(e, NM_EIO, "exists and is not a regular file (symlink?); not replaced");
		goto out;
	}
	if (exists && same_content(dfd, name, data, n)) {
		*status = POST_UNCHANGED;
		goto out;
	}
	char tmp[64];
	snprintf(tmp, sizeof tmp, ".newsmd-%ld-%d.tmp", (long)getpid(), rand());
	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		err_where(e, dir, 0, 0);
		rc = err_set(e, NM_EIO, "cannot create temp file: %s", strerror(errno));
		goto out;
	}
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, data + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	if (done != n || fsync(fd) != 0 || close(fd) != 0) {
		if (done == n)
			fd = -1;
		if (fd >= 0)
			close(fd);
		unlinkat(dfd, tmp, 0);
		err_where(e, name, 0, 0);
		rc = err_set(e, NM_EIO, "write failed: %s", strerror(errno));
		goto out;
	}
	if (renameat(dfd, tmp, dfd, name) != 0) {
		unlinkat(dfd, tmp, 0);
		err_where(e, name, 0, 0);
		rc = err_set(e, NM_EIO, "rename failed: %s", strerror(errno));
		goto out;
	}
	fsync(dfd);
	*status = exists ? POST_REPLACED : POST_NEW;
out:
	close(dfd);
	return rc;
}
