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

/* An existing post may end in a few more newlines than ours (another
 * final_newline setting); the footer is looked for before them. */
#define POST_TAIL_SLACK 16
/* A name that keeps being taken between our look and our rename is being
 * fought over by another writer; give up on it after this many tries. */
#define POST_MAX_RACES 8

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
	/* Numbers, dates, times, sexagesimals and Psych's :symbols all start
	 * like this. */
	if (strchr("0123456789+-.:", s[0]))
		return true;
	/* Liquid in the front matter would be misread by themes that print it raw. */
	return strstr(s, "{{") || strstr(s, "{%");
}

/* Text that must not be written plain: what a YAML 1.1 reader would type,
 * and what plain style cannot hold or a person would misread (indicators,
 * ": ", " #", edge spaces, control and invisible characters). */
static bool needs_quotes(const char *s)
{
	if (post_yaml_ambiguous(s))
		return true;
	size_t n = strlen(s);
	if (strchr(" \t#,[]{}&*!|>'\"%@`?-~=<", s[0]) || s[n - 1] == ' ' || s[n - 1] == ':')
		return true;
	if (strstr(s, ": ") || strstr(s, " #") || strstr(s, ":\t"))
		return true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F)
			return true;
		/* C1 controls (U+0080-U+009F), U+2028/U+2029, U+FEFF */
		if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] < 0xA0)
			return true;
		if (c == 0xE2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		    ((unsigned char)s[i + 2] == 0xA8 || (unsigned char)s[i + 2] == 0xA9))
			return true;
		if (c == 0xEF && i + 2 < n && (unsigned char)s[i + 1] == 0xBB &&
		    (unsigned char)s[i + 2] == 0xBF)
			return true;
	}
	return false;
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

enum scalar_kind { SC_TEXT, SC_QUOTED, SC_DATE, SC_LITERAL };

static int emit_scalar(yaml_emitter_t *em, const char *s, enum scalar_kind k)
{
	yaml_event_t ev;
	yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;
	if (k == SC_QUOTED || (k == SC_TEXT && needs_quotes(s)))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	else if (k == SC_LITERAL)
		style = YAML_PLAIN_SCALAR_STYLE; /* libyaml falls back to quotes if it must */
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
		enum scalar_kind kind = in_list(o->quote, f->key) ? SC_QUOTED
					: f->plain		  ? SC_LITERAL
								  : SC_TEXT;
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
		ok = ok && emit_scalar(&em, f->key, SC_TEXT);
		if (list || f->is_list) {
			yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							     YAML_BLOCK_SEQUENCE_STYLE);
			ok = ok && yaml_emitter_emit(&em, &ev);
			for (size_t j = 0; ok && j < vals.n; j++)
				ok = emit_scalar(&em, vals.v[j], kind);
			yaml_sequence_end_event_initialize(&ev);
			ok = ok && yaml_emitter_emit(&em, &ev);
		} else {
			if (kind == SC_TEXT && tmpl_is_date(f->tmpl[0]))
				kind = SC_DATE;
			ok = ok && emit_scalar(&em, vals.v[0], kind);
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

/* ---- making template syntax inert ---- */

/* After "{%": optional '-', blanks, then the word endraw (which would end
 * a raw block in Liquid 4 and 5). */
static bool closes_raw(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && s[i] == '-')
		i++;
	while (i < n && strchr(" \t\r\f\v", s[i]))
		i++;
	return n - i >= 6 && !memcmp(s + i, "endraw", 6);
}

static void protect_liquid(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - s) : n;
		bool liquid = false;
		for (size_t j = i; j + 1 < end && !liquid; j++)
			liquid = s[j] == '{' && (s[j + 1] == '{' || s[j + 1] == '%');
		if (!liquid) {
			buf_put(out, s + i, end - i);
		} else {
			buf_puts(out, "{% raw %}");
			for (size_t j = i; j < end; j++) {
				if (s[j] == '{' && j + 1 < end && s[j + 1] == '%' &&
				    closes_raw(s + j + 2, end - j - 2)) {
					buf_puts(out, "{% endraw %}{{ '{%' }}{% raw %}");
					j++;
					continue;
				}
				buf_putc(out, s[j]);
			}
			buf_puts(out, "{% endraw %}");
		}
		if (nl)
			buf_putc(out, '\n');
		i = end + (nl != NULL);
	}
}

static const char *find(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle));
}

static void protect_shortcodes(const char *s, size_t n, bool html, struct buf *out)
{
	for (size_t i = 0; i < n;) {
		const char *p = find(s + i, n - i, "{{");
		if (!p) {
			buf_put(out, s + i, n - i);
			break;
		}
		size_t at = (size_t)(p - s);
		buf_put(out, s + i, at - i);
		if (at + 2 >= n || (s[at + 2] != '<' && s[at + 2] != '%')) {
			buf_putc(out, '{');
			i = at + 1;
			continue;
		}
		char m = s[at + 2];
		const char *close = find(s + at + 3, n - at - 3, m == '<' ? ">}}" : "%}}");
		if (close) {
			/* Hugo prints the inside of a shortcode comment as written. */
			buf_printf(out, "{{%c/*", m);
			buf_put(out, s + at + 3, (size_t)(close - s) - at - 3);
			buf_printf(out, "*/%c}}", m == '<' ? '>' : '%');
			i = (size_t)(close - s) + 3;
		} else {
			buf_puts(out, html ? (m == '<' ? "{{&lt;" : "{{&#37;")
					   : (m == '<' ? "{{\\<" : "{{\\%"));
			i = at + 3;
		}
	}
}

void post_protect(enum post_format f, bool html, const char *s, size_t n, struct buf *out)
{
	if (f == FORMAT_HUGO)
		protect_shortcodes(s, n, html, out);
	else
		protect_liquid(s, n, out);
}

/* ---- rendering ---- */

void post_init(struct post *p)
{
	memset(p, 0, sizeof *p);
	buf_init(&p->text, 0);
	buf_init(&p->tail_mark, 0);
}

void post_free(struct post *p)
{
	if (!p)
		return;
	buf_free(&p->text);
	buf_free(&p->tail_mark);
	strv_free(&p->fm_marks);
}

static bool uses_url(const char *tmpl)
{
	return tmpl && (strstr(tmpl, "{url}") || strstr(tmpl, "{url|") ||
			strstr(tmpl, "{final_url}") || strstr(tmpl, "{final_url|"));
}

/* A URL that names one article (not stdin's "-"). */
static bool has_url(const struct article *a)
{
	return a->url && *a->url && strcmp(a->url, "-") != 0;
}

static bool mentions_url(const struct article *a, const char *s, size_t n)
{
	return find(s, n, a->url) || (a->final_url && *a->final_url && find(s, n, a->final_url));
}

/* The front matter lines that carry the URL, each rendered alone exactly
 * as post_front_matter writes it. */
static enum nm_code fm_marks(const struct article *a, const struct output_cfg *o,
			     const struct kv *pinyin, size_t npinyin, struct strv *marks,
			     struct nm_err *e)
{
	for (size_t i = 0; i < o->nfm; i++) {
		const struct fm_entry *f = &o->fm[i];
		if (f->is_list || f->n != 1 || !uses_url(f->tmpl[0]))
			continue;
		struct output_cfg one = *o;
		one.fm = (struct fm_entry *)f;
		one.nfm = 1;
		struct buf b = BUF_INIT;
		enum nm_code rc = post_front_matter(a, &one, pinyin, npinyin, &b, e);
		if (rc) {
			buf_free(&b);
			return rc;
		}
		/* "---\nkey: value\n---\n" -> "key: value" (one line only) */
		const char *s = buf_cstr(&b) + 4;
		size_t l = b.len > 8 ? b.len - 8 : 0;
		if (l && s[l - 1] == '\n' && !memchr(s, '\n', l - 1) && mentions_url(a, s, l - 1)) {
			char *line = xstrndup(s, l - 1);
			strv_push(marks, line);
			free(line);
		}
		buf_free(&b);
	}
	return NM_OK;
}

enum nm_code post_build(const struct article *a, const struct output_cfg *o,
			const struct kv *pinyin, size_t npinyin, struct post *p,
			struct nm_err *e)
{
	struct buf *out = &p->text, region = BUF_INIT;
	enum nm_code rc = post_front_matter(a, o, pinyin, npinyin, out, e);
	if (rc)
		return rc;
	const char *body = o->body == BODY_RAW    ? (a->body_raw ? a->body_raw : a->body_html)
			   : o->body == BODY_HTML ? a->body_html
						  : a->body_markdown;
	if (body)
		buf_puts(&region, body);
	size_t footer_at = region.len;
	if (o->footer) {
		struct tmpl_ctx c = {a, pinyin, npinyin};
		if ((rc = tmpl_expand(o->footer, &c, &region, e)))
			goto out;
	}
	/* Protect body and footer apart, from the start of a line, so the
	 * footer's protected form is the file's tail: a footer that starts by
	 * ending the body's last line starts after that newline; one that
	 * continues the line takes the line with it. */
	if (footer_at > 0 && region.ptr[footer_at - 1] != '\n') {
		if (footer_at < region.len && region.ptr[footer_at] == '\n')
			footer_at++;
		else
			while (footer_at > 0 && region.ptr[footer_at - 1] != '\n')
				footer_at--;
	}
	bool html = o->body != BODY_MARKDOWN;
	post_protect(o->format, html, region.ptr ? region.ptr : "", footer_at, out);
	size_t tail_at = out->len;
	post_protect(o->format, html, region.ptr ? region.ptr + footer_at : "",
		     region.len - footer_at, out);
	size_t n = out->len;
	while (n && out->ptr[n - 1] == '\n')
		n--;
	buf_truncate(out, n);
	if (has_url(a) && uses_url(o->footer) && tail_at < n &&
	    mentions_url(a, out->ptr + tail_at, n - tail_at))
		buf_put(&p->tail_mark, out->ptr + tail_at, n - tail_at);
	if (o->final_newline)
		buf_putc(out, '\n');
	if (out->toobig) {
		rc = err_set(e, NM_ELIMIT, "post larger than the output cap");
		goto out;
	}
	if (has_url(a))
		rc = fm_marks(a, o, pinyin, npinyin, &p->fm_marks, e);
out:
	buf_free(&region);
	return rc;
}

enum nm_code post_render(const struct article *a, const struct output_cfg *o,
			 const struct kv *pinyin, size_t npinyin, struct buf *out,
			 struct nm_err *e)
{
	struct post p;
	post_init(&p);
	enum nm_code rc = post_build(a, o, pinyin, npinyin, &p, e);
	if (!rc)
		buf_put(out, buf_cstr(&p.text), p.text.len);
	post_free(&p);
	return rc;
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

/* ---- writing ---- */

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

static bool one_component(const char *name)
{
	return *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

/* Opens dir (creating it), for names relative to it. */
static int open_dir(const char *dir, struct nm_err *e)
{
	if (mkdirs(dir) != 0) {
		err_where(e, dir, 0, 0);
		err_set(e, NM_EIO, "cannot create output folder: %s", strerror(errno));
		return -1;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		err_where(e, dir, 0, 0);
		err_set(e, NM_EIO, "cannot open output folder: %s", strerror(errno));
	}
	return dfd;
}

/* Reads up to len bytes at off into out (appended); false on a read error. */
static bool read_at(int fd, off_t off, size_t len, struct buf *out)
{
	char chunk[8192];
	while (len) {
		ssize_t r = pread(fd, chunk, len < sizeof chunk ? len : sizeof chunk, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return false;
		if (r == 0)
			break;
		buf_put(out, chunk, (size_t)r);
		off += r;
		len -= (size_t)r;
	}
	return true;
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
		struct buf b = BUF_INIT;
		same = read_at(fd, 0, n, &b) && b.len == n && (!n || !memcmp(b.ptr, data, n));
		buf_free(&b);
	}
	close(fd);
	return same;
}

/* Writes data to a new temp file in dfd (name into tmp), fsynced. */
static enum nm_code write_temp(int dfd, const char *data, size_t n, char *tmp, size_t tmpsz,
			       const char *name, struct nm_err *e)
{
	int fd = -1;
	for (int tries = 0; fd < 0 && tries < 16; tries++) {
		snprintf(tmp, tmpsz, ".newsmd-%ld-%d.tmp", (long)getpid(), rand());
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		err_where(e, name, 0, 0);
		return err_set(e, NM_EIO, "cannot create temp file: %s", strerror(errno));
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
	int err = done == n ? 0 : errno ? errno : EIO;
	if (!err && fsync(fd) != 0)
		err = errno;
	if (close(fd) != 0 && !err)
		err = errno;
	if (err) {
		unlinkat(dfd, tmp, 0);
		err_where(e, name, 0, 0);
		return err_set(e, NM_EIO, "write failed: %s", strerror(err));
	}
	return NM_OK;
}

/* Renames tmp to name.  noreplace: fail with *taken set when name exists
 * by then (someone else created it after we looked). */
static enum nm_code commit(int dfd, const char *tmp, const char *name, bool noreplace,
			   bool *taken, struct nm_err *e)
{
	int rc;
	*taken = false;
	if (noreplace) {
		rc = renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE);
		if (rc != 0 && (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP)) {
			/* no RENAME_NOREPLACE here: a hard link fails the same way */
			rc = linkat(dfd, tmp, dfd, name, 0);
			if (rc == 0) {
				unlinkat(dfd, tmp, 0);
			} else if (errno != EEXIST) {
				/* no hard links either: look, then rename */
				struct stat st;
				if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
					errno = EEXIST;
				else
					rc = renameat(dfd, tmp, dfd, name);
			}
		}
	} else {
		rc = renameat(dfd, tmp, dfd, name);
	}
	if (rc != 0) {
		int err = errno;
		unlinkat(dfd, tmp, 0);
		if (noreplace && err == EEXIST) {
			*taken = true;
			return NM_OK;
		}
		err_where(e, name, 0, 0);
		return err_set(e, NM_EIO, "rename failed: %s", strerror(err));
	}
	fsync(dfd);
	return NM_OK;
}

enum nm_code post_write(const char *dir, const char *name, const char *data, size_t n,
			enum post_status *status, struct nm_err *e)
{
	if (!one_component(name)) {
		err_where(e, name, 0, 0);
		return err_set(e, NM_EIO, "refusing file name that is not a single path component");
	}
	int dfd = open_dir(dir, e);
	if (dfd < 0)
		return NM_EIO;
	struct stat st;
	bool exists = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0, taken;
	enum nm_code rc = NM_OK;
	char tmp[64];
	if (exists && !S_ISREG(st.st_mode)) {
		err_where(e, name, 0, 0);
		rc = err_set(e, NM_EIO, "exists and is not a regular file (symlink?); not replaced");
	} else if (exists && same_content(dfd, name, data, n)) {
		*status = POST_UNCHANGED;
	} else if (!(rc = write_temp(dfd, data, n, tmp, sizeof tmp, name, e)) &&
		   !(rc = commit(dfd, tmp, name, false, &taken, e))) {
		*status = exists ? POST_REPLACED : POST_NEW;
	}
	close(dfd);
	return rc;
}

/* Is the post's end (before trailing newlines) the same as mark? */
static bool ends_with_mark(int fd, off_t size, const struct buf *mark)
{
	size_t want = mark->len + POST_TAIL_SLACK;
	off_t off = size > (off_t)want ? size - (off_t)want : 0;
	struct buf b = BUF_INIT;
	bool yes = false;
	if (read_at(fd, off, (size_t)(size - off), &b)) {
		size_t n = b.len;
		while (n && (b.ptr[n - 1] == '\n' || b.ptr[n - 1] == '\r'))
			n--;
		yes = n >= mark->len && !memcmp(b.ptr + n - mark->len, mark->ptr, mark->len);
	}
	buf_free(&b);
	return yes;
}

/* Does the front matter at the top of the file have one of the lines? */
static bool fm_has_mark(int fd, const struct strv *marks)
{
	struct buf b = BUF_INIT;
	bool yes = false;
	if (!read_at(fd, 0, POST_HEAD_MAX, &b) || b.len < 4 || memcmp(b.ptr, "---", 3) != 0)
		goto out;
	const char *s = buf_cstr(&b), *end = find(s + 3, b.len - 3, "\n---");
	size_t n = end ? (size_t)(end - s) + 1 : b.len;
	for (size_t i = 0; i < marks->n && !yes; i++) {
		size_t l = strlen(marks->v[i]);
		for (const char *p = s; !yes && (p = find(p, n - (size_t)(p - s), marks->v[i]));
		     p++)
			yes = p > s && p[-1] == '\n' && (size_t)(p - s) + l < n &&
			      (p[l] == '\n' || p[l] == '\r');
	}
out:
	buf_free(&b);
	return yes;
}

enum verdict { V_SAME, V_OURS, V_FOREIGN };

/* Whose is the regular file `name`? */
static enum verdict judge(int dfd, const char *name, const struct post *p)
{
	if (same_content(dfd, name, p->text.ptr ? p->text.ptr : "", p->text.len))
		return V_SAME;
	if (!p->fm_marks.n && !p->tail_mark.len)
		return V_FOREIGN;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return V_FOREIGN;
	struct stat st;
	bool ours = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    ((p->fm_marks.n && fm_has_mark(fd, &p->fm_marks)) ||
		     (p->tail_mark.len && ends_with_mark(fd, st.st_size, &p->tail_mark)));
	close(fd);
	return ours ? V_OURS : V_FOREIGN;
}

/* name with "-k" before its extension (k > 1). */
static void numbered(const char *name, int k, struct buf *out)
{
	buf_clear(out);
	const char *dot = strrchr(name, '.');
	size_t stem = dot && dot > name && strlen(dot) <= 10 ? (size_t)(dot - name) : strlen(name);
	buf_put(out, name, stem);
	if (k > 1)
		buf_printf(out, "-%d", k);
	buf_puts(out, name + stem);
}

/* The post to write under the k-th name: one fixed post, or the
 * article rendered again with "-k" after its slug when the front matter
 * uses {slug} (Hugo builds URLs from it, so name-2.md needs slug-2). */
struct variants {
	const struct post *fixed;
	const struct article *a;
	const struct output_cfg *o;
	const struct kv *pinyin;
	size_t npinyin;
	struct post cur;
	int cur_k;
};

static bool fm_uses_slug(const struct output_cfg *o)
{
	for (size_t i = 0; i < o->nfm; i++)
		for (size_t j = 0; j < o->fm[i].n; j++)
			if (strstr(o->fm[i].tmpl[j], "{slug"))
				return true;
	return false;
}

static enum nm_code variant(struct variants *v, int k, const struct post **out,
			    struct nm_err *e)
{
	if (v->fixed) {
		*out = v->fixed;
		return NM_OK;
	}
	if (v->cur_k == k || (v->cur_k && k > 1 && !fm_uses_slug(v->o))) {
		*out = &v->cur;
		return NM_OK;
	}
	struct article a = *v->a; /* shallow: only the slug differs */
	struct buf slug = BUF_INIT;
	if (k > 1) {
		tmpl_slug(v->a, &slug);
		buf_printf(&slug, "-%d", k);
		a.slug = (char *)buf_cstr(&slug);
	}
	post_free(&v->cur);
	post_init(&v->cur);
	enum nm_code rc = post_build(&a, v->o, v->pinyin, v->npinyin, &v->cur, e);
	buf_free(&slug);
	v->cur_k = k;
	*out = &v->cur;
	return rc;
}

static enum nm_code place(const char *dir, const char *name, struct variants *v,
			  struct buf *used, enum post_status *status, struct nm_err *e)
{
	if (!one_component(name)) {
		err_where(e, name, 0, 0);
		return err_set(e, NM_EIO, "refusing file name that is not a single path component");
	}
	int dfd = open_dir(dir, e);
	if (dfd < 0)
		return NM_EIO;
	struct buf cand = BUF_INIT;
	enum nm_code rc = NM_OK;
	int races = 0;
	for (int k = 1; k <= POST_MAX_SAME_NAME; k++) {
		numbered(name, k, &cand);
		const char *c = buf_cstr(&cand);
		const struct post *p;
		if ((rc = variant(v, k, &p, e)))
			goto out;
		const char *data = p->text.ptr ? p->text.ptr : "";
		size_t n = p->text.len;
		struct stat st;
		char tmp[64];
		bool taken;
		if (fstatat(dfd, c, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno != ENOENT) {
				err_where(e, c, 0, 0);
				rc = err_set(e, NM_EIO, "cannot look at the file: %s", strerror(errno));
				goto out;
			}
			if ((rc = write_temp(dfd, data, n, tmp, sizeof tmp, c, e)) ||
			    (rc = commit(dfd, tmp, c, true, &taken, e)))
				goto out;
			if (taken && ++races <= POST_MAX_RACES) {
				k--; /* created meanwhile: judge it like any other */
				continue;
			}
			if (!taken) {
				*status = POST_NEW;
				buf_put(used, c, cand.len);
				goto out;
			}
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		enum verdict vd = judge(dfd, c, p);
		if (vd == V_FOREIGN)
			continue;
		if (vd == V_OURS && ((rc = write_temp(dfd, data, n, tmp, sizeof tmp, c, e)) ||
				     (rc = commit(dfd, tmp, c, false, &taken, e))))
			goto out;
		*status = vd == V_SAME ? POST_UNCHANGED : POST_REPLACED;
		buf_put(used, c, cand.len);
		goto out;
	}
	err_where(e, name, 0, 0);
	rc = err_set(e, NM_EIO,
		     "this name and its -2 ... -%d forms are all other articles' posts; "
		     "add a field that tells articles apart to output.filename",
		     POST_MAX_SAME_NAME);
out:
	close(dfd);
	buf_free(&cand);
	return rc;
}

enum nm_code post_place(const char *dir, const char *name, const struct post *p,
			struct buf *used, enum post_status *status, struct nm_err *e)
{
	struct variants v = {.fixed = p};
	return place(dir, name, &v, used, status, e);
}

enum nm_code post_save(const struct article *a, const struct output_cfg *o,
		       const struct kv *pinyin, size_t npinyin, const char *name,
		       struct buf *used, enum post_status *status, struct nm_err *e)
{
	struct variants v = {NULL, a, o, pinyin, npinyin, {BUF_INIT, {0}, BUF_INIT}, 0};
	enum nm_code rc = place(o->dir, name, &v, used, status, e);
	post_free(&v.cur);
	return rc;
}
