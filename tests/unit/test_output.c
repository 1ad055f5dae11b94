#include "tests/unit/unit.h"
#include "output/pinyin.h"
#include "output/post.h"
#include "output/tmpl.h"
#include "rules/config.h"

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
				"categories: \"true\"\ntags:\n- \"2022\"\n- plain tag\n---\n");
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
