#include "tests/unit/unit.h"
#include "output/images.h"
#include "output/tmpl.h"
#include "rules/config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* A map that records every URL it is asked about (joined by '\n') and
 * answers "L<n>" for URLs holding "keep-not". */
struct seen {
	struct buf urls;
	char to[16];
	int n;
};

static const char *record(void *ctx, const char *url)
{
	struct seen *s = ctx;
	buf_printf(&s->urls, "%s\n", url);
	if (strstr(url, "keep"))
		return NULL;
	snprintf(s->to, sizeof s->to, "L%d", ++s->n);
	return s->to;
}

/* Rewrites body; returns the new text (static) and fills urls. */
static const char *rewrite(const char *body, bool html, char *urls, size_t urlsz, int *count)
{
	static char out[4096];
	struct seen s = {BUF_INIT, "", 0};
	struct buf b = BUF_INIT;
	*count = (int)images_rewrite(body, strlen(body), html, record, &s, &b);
	snprintf(out, sizeof out, "%s", buf_cstr(&b));
	snprintf(urls, urlsz, "%s", buf_cstr(&s.urls));
	buf_free(&b);
	buf_free(&s.urls);
	return out;
}

TEST(images_markdown_forms_md_writes)
{
	char urls[1024];
	int n;
	/* plain, with a title, escaped brackets in the description, &amp; and
	 * a backslash-escaped parenthesis in the destination */
	CHECK_STR(rewrite("a ![x \\[1\\]](http://h/a.png \"t (1)\") b\n"
			  "![](http://h/b.png?x=1&amp;y=2\\))\n",
			  false, urls, sizeof urls, &n),
		  "a ![x \\[1\\]](L1 \"t (1)\") b\n![](L2)\n");
	CHECK_STR(urls, "http://h/a.png\nhttp://h/b.png?x=1&y=2)\n");
	CHECK_INT(n, 2);
	/* an angle-bracket destination (spaces), balanced parentheses kept */
	CHECK_STR(rewrite("![a](<http://h/a b.png>) ![b](http://h/(1).png)", false, urls,
			  sizeof urls, &n),
		  "![a](L1) ![b](L2)");
	CHECK_STR(urls, "http://h/a b.png\nhttp://h/(1).png\n");
	/* a link around an image: only the image's source */
	CHECK_STR(rewrite("[![a](http://h/i.png)](http://h/page)", false, urls, sizeof urls, &n),
		  "[![a](L1)](http://h/page)");
	/* text, not images: escaped "!", a plain link, an empty source,
	 * an escaped "<img" */
	CHECK_STR(rewrite("\\![a](http://h/1.png) [b](http://h/2.png) ![c]() "
			  "\\<img src=\"http://h/3.png\">",
			  false, urls, sizeof urls, &n),
		  "\\![a](http://h/1.png) [b](http://h/2.png) ![c]() "
		  "\\<img src=\"http://h/3.png\">");
	CHECK_STR(urls, "");
	CHECK_INT(n, 0);
	/* an HTML block (a table md.c cannot write as Markdown) */
	CHECK_STR(rewrite("<table>\n<tr><td colspan=\"2\"><img src=\"http://h/t.png?a=1&amp;b=2\" "
			  "alt=\"x\"></td></tr>\n</table>\n",
			  false, urls, sizeof urls, &n),
		  "<table>\n<tr><td colspan=\"2\"><img src=\"L1\" alt=\"x\"></td></tr>\n</table>\n");
	CHECK_STR(urls, "http://h/t.png?a=1&b=2\n");
	/* a map that keeps the URL leaves the text alone */
	CHECK_STR(rewrite("![k](http://h/keep.png) ![m](http://h/m.png)", false, urls, sizeof urls,
			  &n),
		  "![k](http://h/keep.png) ![m](L1)");
	CHECK_INT(n, 1);
	/* unfinished syntax is text */
	CHECK_STR(rewrite("![a](http://h/x.png", false, urls, sizeof urls, &n), "![a](http://h/x.png");
	CHECK_STR(rewrite("![a\n\nb](http://h/x.png)", false, urls, sizeof urls, &n),
		  "![a\n\nb](http://h/x.png)");
	CHECK_STR(urls, "");
}

TEST(images_html_tags)
{
	char urls[1024];
	int n;
	CHECK_STR(rewrite("<p><img alt=\"a src=&quot;x\" src=\"http://h/a.png?x=1&amp;y=&#50;\" "
			  "title=\"t\"></p><IMG SRC='http://h/b.png'><img src=http://h/c.png>"
			  "<imgx src=\"http://h/d.png\"><img alt=\"no source\">",
			  true, urls, sizeof urls, &n),
		  "<p><img alt=\"a src=&quot;x\" src=\"L1\" title=\"t\"></p><IMG SRC='L2'>"
		  "<img src=L3><imgx src=\"http://h/d.png\"><img alt=\"no source\">");
	CHECK_STR(urls, "http://h/a.png?x=1&y=2\nhttp://h/b.png\nhttp://h/c.png\n");
	CHECK_INT(n, 3);
	/* Markdown syntax in an HTML body is text */
	CHECK_STR(rewrite("<p>![a](http://h/a.png)</p>", true, urls, sizeof urls, &n),
		  "<p>![a](http://h/a.png)</p>");
	CHECK_INT(n, 0);
}

TEST(images_ext_by_signature_and_type)
{
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	static const char jpg[] = "\xff\xd8\xff\xe0\0\x10JFIF";
	static const char webp[] = "RIFF\x10\0\0\0WEBPVP8 ";
	static const char gif[] = "GIF89a\1\0\1\0";
	static const char avif[] = "\0\0\0\x1c" "ftypavif\0\0\0\0";
	static const char html[] = "<!doctype html><title>404</title>";
	static const char svg[] = "<svg xmlns='http://www.w3.org/2000/svg'></svg>";
	CHECK_STR(images_ext("image/png", png, sizeof png - 1), "png");
	CHECK_STR(images_ext("IMAGE/JPEG; charset=binary", jpg, sizeof jpg - 1), "jpg");
	CHECK_STR(images_ext("image/jpeg", webp, sizeof webp - 1), "webp"); /* the bytes win */
	CHECK_STR(images_ext("application/octet-stream", gif, sizeof gif - 1), "gif");
	CHECK_STR(images_ext(NULL, avif, sizeof avif - 1), "avif");
	CHECK(!images_ext("text/html; charset=utf-8", png, sizeof png - 1));
	CHECK(!images_ext("image/jpeg", html, sizeof html - 1)); /* an error page */
	CHECK(!images_ext("image/svg+xml", svg, sizeof svg - 1));
	CHECK(!images_ext("image/png", png, 4)); /* truncated */
	CHECK(!images_ext("image/png", NULL, 0));
}

TEST(images_stem_and_stored)
{
	struct buf a = BUF_INIT, b = BUF_INIT, name = BUF_INIT;
	images_stem("http://h/a.png", &a);
	images_stem("http://h/b.png", &b);
	CHECK_INT(a.len, IMAGES_STEM_LEN);
	CHECK(strcmp(buf_cstr(&a), buf_cstr(&b)));
	buf_clear(&b);
	images_stem("http://h/a.png", &b);
	CHECK_STR(buf_cstr(&a), buf_cstr(&b));

	char dir[] = "/tmp/newsmd-unit-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	CHECK(!images_stored(dir, buf_cstr(&a), &name));
	char path[128], link[128];
	snprintf(path, sizeof path, "%s/%s.webp", dir, buf_cstr(&a));
	snprintf(link, sizeof link, "%s/%s.png", dir, buf_cstr(&b));
	CHECK(symlink(path, link) == 0); /* a symlink is nobody's image */
	CHECK(!images_stored(dir, buf_cstr(&a), &name));
	close(open(path, O_WRONLY | O_CREAT, 0644));
	CHECK(images_stored(dir, buf_cstr(&a), &name));
	buf_printf(&b, ".webp");
	CHECK_STR(buf_cstr(&name), buf_cstr(&b));
	unlink(link);
	unlink(path);
	rmdir(dir);
	buf_free(&a);
	buf_free(&b);
	buf_free(&name);
}

static const char *expand_img(const char *t, bool url, const struct article *a)
{
	static char out[1200];
	struct buf b = BUF_INIT;
	struct tmpl_ctx c = {a, NULL, 0};
	struct nm_err e;
	err_clear(&e);
	if (images_expand(t, url, &c, &b, &e) != NM_OK)
		snprintf(out, sizeof out, "ERR %s", e.msg);
	else
		snprintf(out, sizeof out, "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

TEST(images_dir_templates_stay_inside)
{
	struct article a;
	article_init(&a);
	a.url = strdup("https://x.example/a/1");
	a.title = strdup("../../etc/x 100%");
	a.slug = strdup("harbor-reopens");
	a.date = (struct when){true, 1649823083, 8 * 3600};
	CHECK_STR(expand_img("assets/img/{slug}", false, &a), "assets/img/harbor-reopens");
	/* the page's text is one component, never "..", never hidden */
	CHECK_STR(expand_img("assets/{title}", false, &a), "assets/---..-etc-x 100%");
	CHECK_STR(expand_img("assets/{title}", true, &a), "assets/---..-etc-x%20100%25");
	/* the operator's own text is kept (a '%' escape too); '/' inside a
	 * placeholder does not make folders */
	CHECK_STR(expand_img("../site/img%20x/{date:%Y/%m}", false, &a), "../site/img%20x/2022-04");
	CHECK_STR(expand_img("/my img%20x/{slug}", true, &a), "/my%20img%20x/harbor-reopens");
	CHECK_STR(expand_img("{{x}}/{category}", false, &a),
		  "ERR '{category}' comes out empty for this article");
	CHECK_STR(expand_img("a/{title", false, &a), "ERR template column 1: '{' is not closed");
	article_free(&a);
}

static enum nm_code load(const char *yml, struct config *c, struct nm_err *e)
{
	char dir[] = "/tmp/newsmd-unit-XXXXXX";
	if (!mkdtemp(dir))
		return NM_EIO;
	char path[64];
	snprintf(path, sizeof path, "%s/c.yml", dir);
	FILE *f = fopen(path, "w");
	fputs(yml, f);
	fclose(f);
	enum nm_code rc = config_load(path, false, c, e);
	unlink(path);
	rmdir(dir);
	return rc;
}

TEST(images_config_keys_defaults_and_merge)
{
	struct config c;
	struct nm_err e;
	err_clear(&e);
	CHECK_INT(load("output: {images: download}\n", &c, &e), NM_OK);
	CHECK_INT(c.output.images, IMAGES_DOWNLOAD);
	CHECK_STR(c.output.images_dir, "assets/img/{slug}");
	CHECK(!c.output.images_url); /* "/" + images_dir */
	config_free(&c);

	CHECK_INT(load("output: {format: hugo}\n", &c, &e), NM_OK);
	CHECK_INT(c.output.images, IMAGES_LINK);
	CHECK_STR(c.output.images_dir, "static/images/{slug}");
	CHECK_STR(c.output.images_url, "/images/{slug}");
	config_free(&c);

	CHECK_INT(load("output: {images: always}\n", &c, &e), NM_ECONFIG);
	CHECK(strstr(e.msg, "expected link or download") != NULL);
	config_free(&c);
	err_clear(&e);
	CHECK_INT(load("output: {images_dir: ../img}\n", &c, &e), NM_ECONFIG);
	CHECK(strstr(e.msg, "images_url") != NULL);
	config_free(&c);
	err_clear(&e);
	CHECK_INT(load("output: {images_dir: /srv/img, images_url: 'https://cdn.example/i'}\n", &c,
		       &e),
		  NM_OK);
	config_free(&c);
	CHECK_INT(load("output: {image: download}\n", &c, &e), NM_ECONFIG);
	CHECK(strstr(e.msg, "images") != NULL);
	config_free(&c);

	/* a rule's images_dir brings its own URL; images alone keeps the dir */
	CHECK_INT(load("output: {images_dir: 'pics/{slug}', images_url: '/p/{slug}'}\n", &c, &e), NM_OK);
	struct output_cfg over, m;
	memset(&over, 0, sizeof over);
	over.images = IMAGES_DOWNLOAD;
	over.has_images = true;
	settings_output_merge(&m, &c.output, &over);
	CHECK_INT(m.images, IMAGES_DOWNLOAD);
	CHECK_STR(m.images_dir, "pics/{slug}");
	CHECK_STR(m.images_url, "/p/{slug}");
	settings_output_free(&m);
	over.images_dir = strdup("other/{slug}");
	over.has_images_dir = over.has_images_url = true;
	settings_output_merge(&m, &c.output, &over);
	CHECK_STR(m.images_dir, "other/{slug}");
	CHECK(!m.images_url);
	settings_output_free(&m);
	settings_output_free(&over);
	config_free(&c);
}
