#include "tests/unit/unit.h"
#include "output/pinyin.h"
#include "output/post.h"
#include "output/tmpl.h"
#include "rules/config.h"
#include "rules/yaml.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *expand(const char *t, const struct article *a)
{
	static char out[2200];
	struct buf b = BUF_INIT;
	struct tmpl_ctx c = {a, NULL, 0};
	struct nm_err e;
	err_clear(&e);
	if (tmpl_expand(t, &c, &b, &e) != NM_OK)
		snprintf(out, sizeof out, "ERR %s", e.msg);
	else
		snprintf(out, sizeof out, "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

TEST(pinyin_of_source_names)
{
	struct buf b = BUF_INIT;
	pinyin_append(&b, "科技日报", NULL, 0);
	CHECK_STR(buf_cstr(&b), "kejiribao");
	buf_clear(&b);
	pinyin_append(&b, "A股 市场2022", NULL, 0);
	CHECK_STR(buf_cstr(&b), "agu-shichang2022");
	buf_clear(&b);
	struct kv ov[] = {{(char *)"重庆", (char *)"chongqing"}};
	pinyin_append(&b, "重庆日报", ov, 1);
	CHECK_STR(buf_cstr(&b), "chongqingribao");
	buf_free(&b);
}

TEST(template_fields_filters_and_errors)
{
	struct article a;
	article_init(&a);
	a.title = strdup("Hello, World: Part 2");
	a.source = strdup("科技日报");
	a.url = strdup("https://x.example/a?id=1");
	a.date = (struct when){true, 1649823083, 8 * 3600};
	CHECK_STR(expand("{date:%Y-%m-%d %H:%M:%S %z}", &a), "2022-04-13 12:11:23 +0800");
	CHECK_STR(expand("{source|pinyin}/{title|slug}", &a), "kejiribao/hello-world-part-2");
	CHECK_STR(expand("{category|default:misc}|{{x}}", &a), "misc|{x}");
	CHECK_STR(expand("{slug}", &a), "hello-world-part-2");
	CHECK_STR(expand("{title|upper}", &a),
		  "ERR template column 8: unknown filter 'upper' (expected pinyin, slug, lower or default:TEXT)");
	CHECK_STR(expand("x {title", &a), "ERR template column 3: '{' is not closed");
	free(a.title);
	a.title = strdup("多措并举");
	CHECK_INT(strlen(expand("{slug}", &a)), 10); /* no Latin title: URL hash */
	article_free(&a);
}

TEST(front_matter_quotes_what_yaml_would_misread)
{
	struct config c;
	config_defaults(&c);
	struct article a;
	article_init(&a);
	a.title = strdup("yes");
	a.category = strdup("true");
	strv_push(&a.tags, "2022");
	strv_push(&a.tags, "plain tag");
	a.date = (struct when){true, 0, 0};
	struct buf b = BUF_INIT;
	CHECK_INT(post_front_matter(&a, &c.output, NULL, 0, &b, NULL), NM_OK);
	CHECK_STR(buf_cstr(&b), "---\nlayout: post\ntitle: \"yes\"\ndate: 1970-01-01 00:00:00 +0000\n"
				"categories:\n- \"true\"\ntags:\n- \"2022\"\n- plain tag\n---\n");
	buf_free(&b);
	article_free(&a);
	config_free(&c);
}

TEST(filename_sanitised_and_bounded)
{
	struct config c;
	config_defaults(&c);
	free(c.output.filename);
	c.output.filename = strdup("{title}.md");
	struct article a;
	article_init(&a);
	a.title = strdup("../../etc/passwd\nx");
	struct buf b = BUF_INIT;
	CHECK_INT(post_filename(&a, &c.output, NULL, 0, &b, NULL), NM_OK);
	CHECK(strchr(buf_cstr(&b), '/') == NULL);
	CHECK(buf_cstr(&b)[0] != '.');
	CHECK(strchr(buf_cstr(&b), '\n') == NULL);
	free(a.title);
	a.title = malloc(1001);
	memset(a.title, 'x', 1000);
	a.title[1000] = '\0';
	buf_clear(&b);
	post_filename(&a, &c.output, NULL, 0, &b, NULL);
	CHECK_INT(b.len, POST_NAME_MAX + 3);
	CHECK(!strcmp(buf_cstr(&b) + b.len - 3, ".md"));
	buf_free(&b);
	article_free(&a);
	config_free(&c);
}

TEST(post_write_is_atomic_and_skips_unchanged)
{
	char dir[] = "/tmp/newsmd-unit-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char sub[64];
	snprintf(sub, sizeof sub, "%s/a/b", dir);
	enum post_status st;
	CHECK_INT(post_write(sub, "p.md", "one", 3, &st, NULL), NM_OK);
	CHECK_INT(st, POST_NEW);
	CHECK_INT(post_write(sub, "p.md", "one", 3, &st, NULL), NM_OK);
	CHECK_INT(st, POST_UNCHANGED);
	CHECK_INT(post_write(sub, "p.md", "two", 3, &st, NULL), NM_OK);
	CHECK_INT(st, POST_REPLACED);
	CHECK_INT(post_write(sub, "../p.md", "x", 1, &st, NULL), NM_EIO);
	/* A symlink planted in the output folder is never written through. */
	char link[128];
	snprintf(link, sizeof link, "%s/evil.md", sub);
	CHECK(symlink("/tmp/newsmd-unit-target", link) == 0);
	CHECK_INT(post_write(sub, "evil.md", "x", 1, &st, NULL), NM_EIO);
	CHECK(access("/tmp/newsmd-unit-target", F_OK) != 0);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

/* Titles a news site can produce that a careless YAML writer breaks: each
 * must read back as exactly this string. */
static const char *const hostile[] = {
	"yes", "No", "TRUE", "off", "On", "null", "Null", "~", "y", "n",
	"123", "0x1F", "1e3", "1_000", "0o17", "017", ".5", "-1", "+1", "12:30",
	"190:20:30", "2022-04-13", "2022-04-13 12:11:23 +0800", "2001-12-14t21:59:43.10-05:00",
	".inf", "-.Inf", ".NaN", "Breaking: markets fall", "C# is # 1", "a # b", "#hashtag news",
	"&anchor", "*alias", "!tag", "!!str x", "|pipe", ">fold", "'single", "\"double\"",
	"%percent", "@user", "`tick", ":symbol", "?question", "- dash item", "-dash", "[bracket]",
	"{brace}", "a, b", "key: value: more", "ends with colon:", "a :b", " leading space",
	"trailing space ", "  both  ", "line\nbreak", "crlf\r\nline", "tab\there", "\ttab lead",
	"bell\x07" "char", "del\x7f", "\xc2\x85nel", "line\xe2\x80\xa8sep", "\xef\xbb\xbf" "bom",
	"{{ site.title }}", "{% include x.html %}", "{{< hugo >}}", "---", "...", "--- a",
	"title\n---\nlayout: evil", "多措并举营造良好环境 厦门打造国际人才向往之地",
	"\xe2\x80\x9c引号\xe2\x80\x9d与\xe2\x80\x98单引号\xe2\x80\x99：冒号", "emoji \xf0\x9f\x8e\x89 title",
	"\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 fa\xc3\xa7" "ade", "'quoted' start", "back\\slash", "=", "<<",
	"%YAML 1.2", "\"", "'", "\\", "a\"b'c", "\xc2\xa0nbsp lead", "100% sure", "C++: a #1 language",
	"x\n\n\ny", "end\n",
};

/* The title read back from front matter by libyaml; *plain = it was
 * written without quotes. */
static char *read_back(const char *fm, bool *plain)
{
	size_t n = strlen(fm);
	if (n < 8 || strncmp(fm, "---\n", 4) || strcmp(fm + n - 4, "---\n"))
		return NULL;
	struct ydoc *d = NULL;
	char *title = NULL;
	if (ydoc_parse(fm + 4, n - 8, "fm", &d, NULL) == NM_OK && d->root) {
		struct ynode *t = ymap_get(d->root, "title");
		if (t && t->type == Y_SCALAR) {
			title = strdup(t->str);
			*plain = t->plain;
		}
	}
	ydoc_free(d);
	return title;
}

TEST(front_matter_hostile_titles_read_back_exactly)
{
	size_t count = sizeof hostile / sizeof hostile[0];
	CHECK(count >= 40);
	struct config c;
	config_defaults(&c);
	for (int quoted = 0; quoted < 2; quoted++) {
		/* with title in output.quote, and without (the emitter decides) */
		if (!quoted) {
			free(c.output.quote[0]);
			c.output.quote[0] = NULL;
		}
		for (size_t i = 0; i < count; i++) {
			struct article a;
			article_init(&a);
			a.title = strdup(hostile[i]);
			a.date = (struct when){true, 1649823083, 8 * 3600};
			struct buf b = BUF_INIT;
			CHECK_INT(post_front_matter(&a, &c.output, NULL, 0, &b, NULL), NM_OK);
			bool plain = false;
			char *got = read_back(buf_cstr(&b), &plain);
			if (!got || strcmp(got, hostile[i]) != 0)
				unit_fail(__FILE__, __LINE__, "title #%zu %s: read back as [%s] from\n%s", i,
					  quoted ? "quoted" : "unquoted", got ? got : "(nothing)",
					  buf_cstr(&b));
			/* plain only when no YAML 1.1 reader could type it */
			CHECK(!plain || !post_yaml_ambiguous(hostile[i]));
			/* one line per key: no line of the block can end the front matter */
			const char *body = buf_cstr(&b) + 4;
			for (const char *l = body; *l && l < buf_cstr(&b) + b.len - 4;
			     l = strchr(l, '\n') + 1) {
				CHECK(strncmp(l, "---", 3) != 0 && strncmp(l, "...", 3) != 0);
				if (!strchr(l, '\n'))
					break;
			}
			free(got);
			buf_free(&b);
			article_free(&a);
		}
	}
	config_free(&c);
}

TEST(front_matter_constants_keep_their_type_and_lists_stay_lists)
{
	char dir[] = "/tmp/newsmd-unit-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[64];
	snprintf(path, sizeof path, "%s/c.yml", dir);
	FILE *f = fopen(path, "w");
	fputs("output:\n  front_matter:\n    draft: false\n    weight: 3\n    label: 'yes'\n"
	      "    title: '{title}'\n    cats: ['{category}', fixed]\n    src: '{url}'\n",
	      f);
	fclose(f);
	struct config c;
	struct nm_err e;
	err_clear(&e);
	CHECK_INT(config_load(path, false, &c, &e), NM_OK);
	struct article a;
	article_init(&a);
	a.title = strdup("No");
	a.category = strdup("Hong Kong");
	a.url = strdup("https://x.example/a?id=1");
	struct buf b = BUF_INIT;
	CHECK_INT(post_front_matter(&a, &c.output, NULL, 0, &b, NULL), NM_OK);
	CHECK_STR(buf_cstr(&b), "---\ndraft: false\nweight: 3\nlabel: \"yes\"\ntitle: \"No\"\n"
				"cats:\n- Hong Kong\n- fixed\nsrc: https://x.example/a?id=1\n---\n");
	buf_free(&b);
	article_free(&a);
	config_free(&c);
	unlink(path);
	rmdir(dir);
}

TEST(hugo_format_front_matter)
{
	char dir[] = "/tmp/newsmd-unit-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[64];
	snprintf(path, sizeof path, "%s/c.yml", dir);
	FILE *f = fopen(path, "w");
	fputs("output:\n  format: hugo\n", f);
	fclose(f);
	struct config c;
	CHECK_INT(config_load(path, false, &c, NULL), NM_OK);
	char want_dir[80];
	snprintf(want_dir, sizeof want_dir, "%s/content/posts", dir);
	CHECK_STR(c.output.dir, want_dir);
	struct article a;
	article_init(&a);
	a.title = strdup("Café: l'été {{< x >}}");
	a.category = strdup("科技");
	strv_push(&a.tags, "a b");
	a.url = strdup("https://x.example/news/2022/doc-abc12345.shtml");
	a.date = (struct when){true, 1649823083, 8 * 3600};
	a.body_markdown = strdup("Use {{< figure src=\"a.png\" >}} and {{% note %}}.");
	struct buf b = BUF_INIT;
	CHECK_INT(post_render(&a, &c.output, NULL, 0, &b, NULL), NM_OK);
	CHECK_STR(buf_cstr(&b), "---\ntitle: \"Café: l'été {{< x >}}\"\n"
				"date: 2022-04-13T12:11:23+08:00\nslug: cafe-lete-x\n"
				"categories:\n- 科技\ntags:\n- a b\ndraft: false\n---\n"
				"Use {{</* figure src=\"a.png\" */>}} and {{%/* note */%}}.\n\n"
				"<https://x.example/news/2022/doc-abc12345.shtml>\n");
	buf_free(&b);
	article_free(&a);
	config_free(&c);
	unlink(path);
	rmdir(dir);
}

static const char *protect(enum post_format fmt, bool html, const char *s)
{
	static char out[512];
	struct buf b = BUF_INIT;
	post_protect(fmt, html, s, strlen(s), &b);
	snprintf(out, sizeof out, "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

TEST(liquid_made_inert_line_by_line)
{
	CHECK_STR(protect(FORMAT_JEKYLL, false, "plain {text} 100%\n"), "plain {text} 100%\n");
	CHECK_STR(protect(FORMAT_JEKYLL, false, "a {{ x }}\n\nb\n{% if y %}"),
		  "{% raw %}a {{ x }}{% endraw %}\n\nb\n{% raw %}{% if y %}{% endraw %}");
	/* the body's own endraw cannot close our raw block */
	CHECK_STR(protect(FORMAT_JEKYLL, false, "{% raw %}x{% endraw %}"),
		  "{% raw %}{% raw %}x{% endraw %}{{ '{%' }}{% raw %} endraw %}{% endraw %}");
	CHECK_STR(protect(FORMAT_JEKYLL, false, "{%- endraw -%}"),
		  "{% raw %}{% endraw %}{{ '{%' }}{% raw %}- endraw -%}{% endraw %}");
	CHECK_STR(protect(FORMAT_JEKYLL, false, "unclosed {{"), "{% raw %}unclosed {{{% endraw %}");
}

TEST(hugo_shortcodes_made_inert)
{
	CHECK_STR(protect(FORMAT_HUGO, false, "a {{ .Title }} b"), "a {{ .Title }} b");
	CHECK_STR(protect(FORMAT_HUGO, false, "{{< x >}} {{% y %}}"), "{{</* x */>}} {{%/* y */%}}");
	CHECK_STR(protect(FORMAT_HUGO, false, "{{<x\n y>}}"), "{{</*x\n y*/>}}");
	CHECK_STR(protect(FORMAT_HUGO, false, "a {{< b"), "a {{\\< b");
	CHECK_STR(protect(FORMAT_HUGO, true, "<p>a {{< b {{% c</p>"),
		  "<p>a {{&lt; b {{&#37; c</p>");
	CHECK_STR(protect(FORMAT_HUGO, false, "{{{< x >}}"), "{{{</* x */>}}");
}

TEST(slugs_latin_chinese_and_url_ids)
{
	struct article a;
	article_init(&a);
	struct buf b = BUF_INIT;
	a.url = strdup("https://news.example.cn/c/2022-04-13/doc-imcwiwst1234567.shtml");
	const char *const cases[][2] = {
		{"Café crème à Paris", "cafe-creme-a-paris"},
		{"Łódź and Straße: Ærø", "lodz-and-strasse-aero"},
		{"Don't panic — it's fine", "dont-panic-its-fine"},
		{"Việt Nam đổi mới", "viet-nam-doi-moi"},
		{"Ｆｕｌｌ ｗｉｄｔｈ ２０２２", "full-width-2022"},
		{"多措并举营造良好环境", "doc-imcwiwst1234567"},
		{"苹果发布iPhone 14", "doc-imcwiwst1234567"},
		{"Новости дня", "doc-imcwiwst1234567"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		free(a.title);
		a.title = strdup(cases[i][0]);
		buf_clear(&b);
		tmpl_slug(&a, &b);
		CHECK_STR(buf_cstr(&b), cases[i][1]);
	}
	const char *const urls[][2] = {
		{"http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202204132341710174",
		 "NW202204132341710174"},
		{"https://new.qq.com/rain/a/20220413A0B1C200/", "20220413A0B1C200"},
		{"https://x.example/a?id=1", NULL},
		{"https://x.example/%E6%96%B0%E9%97%BB/1234", "1234"},
		{"https://x.example/", NULL},
	};
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		buf_clear(&b);
		bool ok = tmpl_url_id(urls[i][0], &b);
		CHECK_INT(ok, urls[i][1] != NULL);
		if (urls[i][1])
			CHECK_STR(buf_cstr(&b), urls[i][1]);
	}
	/* long titles are cut at a word boundary */
	free(a.title);
	a.title = strdup("This is a very long headline about markets and politics and weather and "
			 "everything else under the sun today");
	buf_clear(&b);
	tmpl_slug(&a, &b);
	CHECK(b.len <= 80 && b.ptr[b.len - 1] != '-');
	CHECK_STR(buf_cstr(&b),
		  "this-is-a-very-long-headline-about-markets-and-politics-and-weather-and");
	buf_free(&b);
	article_free(&a);
}

/* A post for url with title, rendered with the default settings. */
static void build(struct post *p, const char *url, const char *title, const char *body,
		  const struct output_cfg *o)
{
	struct article a;
	article_init(&a);
	a.url = strdup(url);
	a.title = strdup(title);
	a.body_markdown = strdup(body);
	a.date = (struct when){true, 1649823083, 0};
	post_init(p);
	CHECK_INT(post_build(&a, o, NULL, 0, p, NULL), NM_OK);
	article_free(&a);
}

static enum post_status place(const char *dir, const struct post *p, const char *want)
{
	struct buf used = BUF_INIT;
	enum post_status st = (enum post_status)-1;
	CHECK_INT(post_place(dir, "2022-04-13-same.md", p, &used, &st, NULL), NM_OK);
	CHECK_STR(buf_cstr(&used), want);
	buf_free(&used);
	return st;
}

TEST(collisions_never_overwrite_another_article)
{
	char dir[] = "/tmp/newsmd-unit-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	struct config c;
	config_defaults(&c);
	struct post a1, b1, a2, b2;
	build(&a1, "https://x.example/a", "Same", "first text", &c.output);
	build(&b1, "https://x.example/b", "Same", "other text", &c.output);
	build(&a2, "https://x.example/a", "Same", "first text, corrected", &c.output);
	build(&b2, "https://x.example/b", "Same", "other text", &c.output);
	CHECK(a1.tail_mark.len > 0);
	CHECK_INT(place(dir, &a1, "2022-04-13-same.md"), POST_NEW);
	CHECK_INT(place(dir, &b1, "2022-04-13-same-2.md"), POST_NEW);
	CHECK_INT(place(dir, &b2, "2022-04-13-same-2.md"), POST_UNCHANGED);
	CHECK_INT(place(dir, &a2, "2022-04-13-same.md"), POST_REPLACED);
	CHECK_INT(place(dir, &a2, "2022-04-13-same.md"), POST_UNCHANGED);
	/* a hand-written file and a symlink are someone else's */
	char p[128];
	snprintf(p, sizeof p, "%s/2022-04-13-same-3.md", dir);
	CHECK(symlink("/tmp/newsmd-unit-target", p) == 0);
	struct post c1;
	build(&c1, "https://x.example/c", "Same", "third", &c.output);
	CHECK_INT(place(dir, &c1, "2022-04-13-same-4.md"), POST_NEW);
	CHECK(access("/tmp/newsmd-unit-target", F_OK) != 0);
	/* without the URL in the post nothing proves whose a file is */
	free(c.output.footer);
	c.output.footer = NULL;
	struct post d1, d2;
	build(&d1, "https://x.example/a", "Same", "first text, again", &c.output);
	CHECK_INT(d1.tail_mark.len + d1.fm_marks.n, 0);
	CHECK_INT(place(dir, &d1, "2022-04-13-same-5.md"), POST_NEW);
	/* a front matter key carrying the URL identifies the post too */
	c.output.fm = realloc(c.output.fm, (c.output.nfm + 1) * sizeof *c.output.fm);
	struct fm_entry *f = &c.output.fm[c.output.nfm++];
	memset(f, 0, sizeof *f);
	f->key = strdup("source_url");
	f->tmpl = calloc(2, sizeof *f->tmpl);
	f->tmpl[0] = strdup("{url}");
	f->n = 1;
	build(&d2, "https://x.example/d", "Same", "fourth", &c.output);
	CHECK_INT(d2.fm_marks.n, 1);
	CHECK_STR(d2.fm_marks.v[0], "source_url: https://x.example/d");
	CHECK_INT(place(dir, &d2, "2022-04-13-same-6.md"), POST_NEW);
	post_free(&d2);
	build(&d2, "https://x.example/d", "Same", "fourth, updated", &c.output);
	CHECK_INT(place(dir, &d2, "2022-04-13-same-6.md"), POST_REPLACED);
	struct post *all[] = {&a1, &b1, &a2, &b2, &c1, &d1, &d2};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		post_free(all[i]);
	config_free(&c);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

TEST(hugo_collision_numbers_the_slug_too)
{
	char dir[] = "/tmp/newsmd-unit-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	struct config c;
	config_defaults(&c);
	free(c.output.dir);
	c.output.dir = strdup(dir);
	c.output.format = FORMAT_HUGO;
	for (size_t i = 0; i < c.output.nfm; i++)
		if (!strcmp(c.output.fm[i].key, "layout")) {
			free(c.output.fm[i].tmpl[0]);
			c.output.fm[i].tmpl[0] = strdup("{slug}");
		}
	const char *urls[] = {"https://x.example/a", "https://x.example/b", "https://x.example/a"};
	const char *want[] = {"same.md", "same-2.md", "same.md"};
	const char *slug[] = {"layout: same\n", "layout: same-2\n", "layout: same\n"};
	for (int i = 0; i < 3; i++) {
		struct article a;
		article_init(&a);
		a.url = strdup(urls[i]);
		a.title = strdup("Same");
		a.body_markdown = strdup("text");
		struct buf used = BUF_INIT;
		enum post_status st;
		CHECK_INT(post_save(&a, &c.output, NULL, 0, "same.md", &used, &st, NULL), NM_OK);
		CHECK_STR(buf_cstr(&used), want[i]);
		CHECK_INT(st, i < 2 ? POST_NEW : POST_UNCHANGED);
		char path[128], text[512] = "";
		snprintf(path, sizeof path, "%s/%s", dir, want[i]);
		FILE *f = fopen(path, "r");
		if (f) {
			text[fread(text, 1, sizeof text - 1, f)] = '\0';
			fclose(f);
		}
		CHECK(strstr(text, slug[i]) != NULL);
		buf_free(&used);
		article_free(&a);
	}
	config_free(&c);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}
