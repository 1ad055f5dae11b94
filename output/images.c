/*
 * images.c - image references in rendered bodies, image signatures, stored
 * names and the images_dir / images_url templates (see images.h).
 */
#include "output/images.h"
#include "common/utf8.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- decoding what the renderers escaped ---- */

static bool ascii_punct(unsigned char c)
{
	return c < 0x80 && ispunct(c);
}

/* Decodes the character reference at s[0..n) (s[0] == '&') into out;
 * returns its length, or 0 when it is none (the '&' is literal). */
static size_t entity(const char *s, size_t n, struct buf *out)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
	for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
		size_t l = strlen(named[k].name);
		if (n > l && !memcmp(s + 1, named[k].name, l)) {
			buf_putc(out, named[k].c);
			return l + 1;
		}
	}
	if (n < 4 || s[1] != '#')
		return 0;
	bool hex = s[2] == 'x' || s[2] == 'X';
	size_t i = hex ? 3 : 2, start = i;
	uint32_t cp = 0;
	/* at most 6 hex / 7 decimal digits: beyond U+10FFFF anyway */
	for (; i < n && i - start < 7; i++) {
		unsigned char c = (unsigned char)s[i];
		int d = isdigit(c) ? c - '0' : hex && isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
		if (d < 0)
			break;
		cp = cp * (hex ? 16 : 10) + (uint32_t)d;
	}
	if (i == start || i >= n || s[i] != ';' || cp == 0 || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	utf8_encode(out, cp);
	return i + 1;
}

/* An HTML attribute value (entities decoded) into out. */
static void decode_attr(const char *s, size_t n, struct buf *out)
{
	buf_clear(out);
	for (size_t i = 0; i < n;) {
		size_t l = s[i] == '&' ? entity(s + i, n - i, out) : 0;
		if (l) {
			i += l;
			continue;
		}
		buf_putc(out, s[i++]);
	}
}

/* A Markdown link destination (backslash escapes and entities decoded)
 * into out. */
static void decode_dest(const char *s, size_t n, struct buf *out)
{
	buf_clear(out);
	for (size_t i = 0; i < n;) {
		if (s[i] == '\\' && i + 1 < n && ascii_punct((unsigned char)s[i + 1])) {
			buf_putc(out, s[i + 1]);
			i += 2;
			continue;
		}
		size_t l = s[i] == '&' ? entity(s + i, n - i, out) : 0;
		if (l) {
			i += l;
			continue;
		}
		buf_putc(out, s[i++]);
	}
}

/* Is s[i] escaped by an odd run of backslashes before it? */
static bool escaped(const char *s, size_t i)
{
	size_t k = 0;
	while (k < i && s[i - 1 - k] == '\\')
		k++;
	return k % 2;
}

static bool html_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* ---- the scanners ---- */

/* A source span found by a scanner: the text [vs, ve) is replaced; the
 * scan resumes at end. */
struct span {
	size_t vs, ve, end;
};

/* At s[i] == '<': an <img> tag?  Reads its attributes (quoted or not) up to
 * the closing '>'; sp gets the src value's span (without quotes) and the
 * tag's end.  False when this is no img tag or it has no src. */
static bool html_img(const char *s, size_t n, size_t i, struct span *sp, struct buf *url)
{
	if (i + 4 >= n || strncasecmp(s + i + 1, "img", 3) ||
	    !(html_space(s[i + 4]) || s[i + 4] == '/' || s[i + 4] == '>'))
		return false;
	bool found = false;
	size_t k = i + 4;
	while (k < n && s[k] != '>') {
		if (html_space(s[k]) || s[k] == '/') {
			k++;
			continue;
		}
		size_t name = k;
		while (k < n && !html_space(s[k]) && s[k] != '=' && s[k] != '>' && s[k] != '/')
			k++;
		bool is_src = k - name == 3 && !strncasecmp(s + name, "src", 3);
		while (k < n && html_space(s[k]))
			k++;
		if (k >= n || s[k] != '=')
			continue; /* an attribute without a value */
		k++;
		while (k < n && html_space(s[k]))
			k++;
		size_t vs, ve;
		if (k < n && (s[k] == '"' || s[k] == '\'')) {
			const char *q = memchr(s + k + 1, s[k], n - k - 1);
			if (!q)
				return false;
			vs = k + 1;
			ve = (size_t)(q - s);
			k = ve + 1;
		} else {
			vs = k;
			while (k < n && !html_space(s[k]) && s[k] != '>')
				k++;
			ve = k;
		}
		if (is_src && !found) {
			sp->vs = vs;
			sp->ve = ve;
			found = true;
		}
	}
	if (!found || k >= n || sp->ve == sp->vs)
		return false;
	sp->end = k + 1;
	decode_attr(s + sp->vs, sp->ve - sp->vs, url);
	return true;
}

/* At s[i] == '!' followed by '[': a Markdown image ![ALT](DEST "TITLE")?
 * sp gets DEST's span (with its angle brackets) and the image's end. */
static bool md_img(const char *s, size_t n, size_t i, struct span *sp, struct buf *url)
{
	size_t j = i + 2;
	/* the description: md.c escapes both brackets inside it */
	while (j < n && s[j] != ']') {
		if (s[j] == '[' || (s[j] == '\n' && j + 1 < n && s[j + 1] == '\n'))
			return false;
		j += s[j] == '\\' && j + 1 < n ? 2 : 1;
	}
	if (j + 1 >= n || s[j + 1] != '(')
		return false;
	size_t k = j + 2, ds, de;
	if (k < n && s[k] == '<') {
		sp->vs = k;
		ds = ++k;
		while (k < n && s[k] != '>') {
			if (s[k] == '\n' || s[k] == '<')
				return false;
			k += s[k] == '\\' && k + 1 < n ? 2 : 1;
		}
		if (k >= n)
			return false;
		de = k++;
		sp->ve = k;
	} else {
		sp->vs = ds = k;
		int depth = 0;
		while (k < n && (unsigned char)s[k] > ' ') {
			if (s[k] == '\\' && k + 1 < n && ascii_punct((unsigned char)s[k + 1])) {
				k += 2;
				continue;
			}
			if (s[k] == '(')
				depth++;
			else if (s[k] == ')' && depth-- == 0)
				break;
			k++;
		}
		sp->ve = de = k;
	}
	if (de == ds)
		return false; /* no source: the description alone */
	/* an optional title, then ')' */
	size_t m = k;
	while (m < n && (s[m] == ' ' || s[m] == '\t' || s[m] == '\n'))
		m++;
	if (m < n && s[m] == '"' && m > k) {
		for (m++; m < n && s[m] != '"';)
			m += s[m] == '\\' && m + 1 < n ? 2 : 1;
		if (m >= n)
			return false;
		m++;
		while (m < n && (s[m] == ' ' || s[m] == '\t'))
			m++;
	}
	if (m >= n || s[m] != ')')
		return false;
	sp->end = m + 1;
	decode_dest(s + ds, de - ds, url);
	return true;
}

size_t images_rewrite(const char *body, size_t n, bool html, images_map_fn map, void *ctx,
		      struct buf *out)
{
	struct buf url = BUF_INIT;
	size_t run = 0, count = 0;
	for (size_t i = 0; i < n;) {
		struct span sp = {0, 0, 0};
		bool hit = false;
		if (body[i] == '<' && (html || !escaped(body, i)))
			hit = html_img(body, n, i, &sp, &url);
		else if (!html && body[i] == '!' && i + 1 < n && body[i + 1] == '[' &&
			 !escaped(body, i))
			hit = md_img(body, n, i, &sp, &url);
		if (!hit) {
			i++;
			continue;
		}
		const char *to = map(ctx, buf_cstr(&url));
		if (to) {
			buf_put(out, body + run, sp.vs - run);
			buf_puts(out, to);
			run = sp.ve;
			count++;
		}
		i = sp.end;
	}
	buf_put(out, body + run, n - run);
	buf_free(&url);
	return count;
}

/* ---- what the bytes are ---- */

/* The extension of the image format whose signature starts d[0..n), or
 * NULL. */
static const char *sniff(const unsigned char *d, size_t n)
{
	static const char *const heif[] = {"heic", "heix", "heim", "heis", "hevc", "hevx"};
	if (n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		return "jpg";
	if (n >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8))
		return "png";
	if (n >= 6 && (!memcmp(d, "GIF87a", 6) || !memcmp(d, "GIF89a", 6)))
		return "gif";
	if (n >= 12 && !memcmp(d, "RIFF", 4) && !memcmp(d + 8, "WEBP", 4))
		return "webp";
	if (n >= 12 && !memcmp(d + 4, "ftyp", 4)) {
		if (!memcmp(d + 8, "avif", 4) || !memcmp(d + 8, "avis", 4))
			return "avif";
		for (size_t i = 0; i < sizeof heif / sizeof heif[0]; i++)
			if (!memcmp(d + 8, heif[i], 4))
				return "heic";
	}
	if ((n >= 2 && d[0] == 0xFF && d[1] == 0x0A) ||
	    (n >= 12 && !memcmp(d, "\0\0\0\x0CJXL \r\n\x87\n", 12)))
		return "jxl";
	if (n >= 26 && d[0] == 'B' && d[1] == 'M')
		return "bmp";
	if (n >= 8 && (!memcmp(d, "II*\0", 4) || !memcmp(d, "MM\0*", 4)))
		return "tif";
	if (n >= 22 && !memcmp(d, "\0\0\1\0", 4))
		return "ico";
	return NULL;
}

/* Every extension sniff gives (for images_stored). */
static const char *const exts[] = {"jpg", "png", "gif", "webp", "avif", "heic",
				   "jxl", "bmp", "tif", "ico"};

/* Does the media type (before ';', case-insensitive) equal t? */
static bool media_is(const char *ctype, const char *t)
{
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	size_t l = strlen(t);
	if (strncasecmp(ctype, t, l))
		return false;
	ctype += l;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	return !*ctype || *ctype == ';';
}

const char *images_ext(const char *ctype, const char *data, size_t n)
{
	const char *ext = sniff((const unsigned char *)data, n);
	if (!ext)
		return NULL;
	if (!ctype || !ctype[0] || media_is(ctype, "application/octet-stream") ||
	    media_is(ctype, "binary/octet-stream"))
		return ext;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	if (strncasecmp(ctype, "image/", 6) || media_is(ctype, "image/svg+xml"))
		return NULL;
	return ext;
}

/* ---- names ---- */

void images_stem(const char *url, struct buf *out)
{
	/* FNV-1a: stable across runs and machines, which is all a name needs */
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	buf_printf(out, "%0*llx", IMAGES_STEM_LEN, (unsigned long long)h);
}

bool images_stored(const char *dir, const char *stem, struct buf *name)
{
	struct buf path = BUF_INIT;
	bool found = false;
	for (size_t i = 0; i < sizeof exts / sizeof exts[0] && !found; i++) {
		buf_clear(&path);
		buf_printf(&path, "%s/%s.%s", dir, stem, exts[i]);
		struct stat st;
		if (fstatat(AT_FDCWD, buf_cstr(&path), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode)) {
			buf_printf(name, "%s.%s", stem, exts[i]);
			found = true;
		}
	}
	buf_free(&path);
	return found;
}

/* ---- templates ---- */

/* Percent-encodes s[0..n) into out; keep_pct: '%' stays (an escape the
 * operator wrote). */
static void encode(const char *s, size_t n, bool keep_pct, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || strchr("-._~!$*+,;=:@/", c) || (keep_pct && c == '%'))
			buf_putc(out, c);
		else
			buf_printf(out, "%%%02X", c);
	}
}

void images_url_encode(const char *s, struct buf *out)
{
	encode(s, strlen(s), true, out);
}

/* Does the template segment s[0..n) hold a placeholder ('{' not doubled)? */
static bool has_placeholder(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '{')
			continue;
		if (i + 1 < n && s[i + 1] == '{') {
			i++;
			continue;
		}
		return true;
	}
	return false;
}

enum nm_code images_expand(const char *tmpl, bool url, const struct tmpl_ctx *c,
			   struct buf *out, struct nm_err *e)
{
	struct buf seg = BUF_INIT, val = BUF_INIT;
	enum nm_code rc = NM_OK;
	const char *s = tmpl;
	while (!rc) {
		/* the next segment: up to a '/' outside braces */
		size_t n = 0;
		int depth = 0;
		for (; s[n] && (depth || s[n] != '/'); n++) {
			if (s[n] == '{' && s[n + 1] == '{' && !depth)
				n++;
			else if (s[n] == '}' && s[n + 1] == '}' && !depth)
				n++;
			else if (s[n] == '{')
				depth++;
			else if (s[n] == '}' && depth)
				depth--;
		}
		buf_clear(&seg);
		buf_put(&seg, s, n);
		buf_clear(&val);
		if (!has_placeholder(s, n)) {
			if ((rc = tmpl_expand(buf_cstr(&seg), c, &val, e)))
				break; /* only {{ }} to undo */
			if (url)
				encode(val.ptr ? val.ptr : "", val.len, true, out);
			else
				buf_put(out, buf_cstr(&val), val.len);
		} else {
			if ((rc = tmpl_expand(buf_cstr(&seg), c, &val, e)))
				break;
			/* the page's text: one path component, not hidden */
			for (size_t i = 0; i < val.len; i++)
				if (val.ptr[i] == '/')
					val.ptr[i] = '-';
			for (size_t i = 0; i < val.len && val.ptr[i] == '.'; i++)
				val.ptr[i] = '-';
			if (!val.len) {
				rc = err_set(e, NM_ETEMPLATE, "'%s' comes out empty for this article",
					     buf_cstr(&seg));
				break;
			}
			if (url)
				encode(val.ptr, val.len, false, out);
			else
				buf_put(out, val.ptr, val.len);
		}
		if (!s[n])
			break;
		buf_putc(out, '/');
		s += n + 1;
	}
	buf_free(&seg);
	buf_free(&val);
	return rc;
}
