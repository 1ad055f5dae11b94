/*
 * test_auto.c - extractor/auto.c: hand-made pages in tests/fixtures/auto/
 * (English and Chinese articles among navigation, a list page, a short
 * article above a feed of other stories), split articles, pathological
 * shapes with time bounds, and spot checks on the shared corpus.
 */
#include "tests/unit/unit.h"
#include "common/date.h"
#include "common/file.h"
#include "dom/charset.h"
#include "extractor/auto.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Pages above this are not fixtures anyone wrote by hand. */
#define TEST_MAX_PAGE ((size_t)16 * 1024 * 1024)
/* Extraction from a pathological page (parse excluded) must take well
 * under this, in seconds, even under sanitizers. */
#define TEST_TIME_LIMIT 2.0

static struct html_doc *load(const char *path)
{
	struct buf raw = BUF_INIT, text = BUF_INIT;
	struct html_doc *h = NULL;
	if (file_read(path, TEST_MAX_PAGE, &raw, NULL) == NM_OK &&
	    charset_decode(raw.ptr ? raw.ptr : "", raw.len, NULL, NULL, &text, NULL, 0, NULL) ==
		    NM_OK)
		html_parse(buf_cstr(&text), text.len, &h, NULL);
	buf_free(&raw);
	buf_free(&text);
	return h;
}

static enum nm_code extract_file(const char *path, const char *url, struct article *a,
				 struct nm_err *e)
{
	struct html_doc *h = load(path);
	CHECK(h != NULL);
	if (!h)
		return NM_EIO;
	enum nm_code rc = auto_extract(h, url, a, e);
	a->body_node = NULL;
	html_free(h);
	return rc;
}

static bool has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

/* The text of the block auto_body chooses on page src (empty when none). */
static void body_text_of(const char *src, struct buf *t)
{
	struct html_doc *h = NULL;
	CHECK_INT(html_parse(src, strlen(src), &h, NULL), NM_OK);
	xmlNodePtr n = h ? auto_body(h, NULL) : NULL;
	CHECK(n != NULL);
	if (n)
		html_text(n, t);
	html_free(h);
}

TEST(auto_english_article_among_navigation)
{
	struct article a;
	struct nm_err e;
	struct buf d = BUF_INIT;
	article_init(&a);
	err_clear(&e);
	CHECK_INT(extract_file(unit_fixture("auto/article_en.html"),
			       "https://news.example.com/2023/05/02/library.html", &a, &e),
		  NM_OK);
	CHECK_STR(a.rule, "auto");
	CHECK_STR(a.title, "City opens its first night library");
	date_format(&d, "%Y-%m-%d %H:%M %z", &a.date);
	CHECK_STR(buf_cstr(&d), "2023-05-02 08:30 +0100");
	CHECK_INT(a.author.n, 1);
	CHECK_STR(a.lead_image, "https://news.example.com/img/library.jpg");
	CHECK(has(a.body_text, "first night library on Monday"));
	CHECK(has(a.body_text, "extend the scheme to the two branch libraries"));
	CHECK(!has(a.body_text, "Most read"));
	CHECK(!has(a.body_text, "Copyright"));
	CHECK(!has(a.body_text, "Share on Facebook"));
	CHECK(!has(a.body_text, "Culture and the arts"));
	CHECK(has(a.body_html, "<p>"));
	article_free(&a);
	buf_free(&d);
}

TEST(auto_chinese_article_with_br_paragraphs)
{
	struct article a;
	struct buf d = BUF_INIT;
	article_init(&a);
	CHECK_INT(extract_file(unit_fixture("auto/article_zh.html"), NULL, &a, NULL), NM_OK);
	CHECK_STR(a.title, "厦门打造国际人才向往之地");
	date_format(&d, "%Y-%m-%d %H:%M %z", &a.date);
	CHECK_STR(buf_cstr(&d), "2022-04-13 12:11 +0800");
	CHECK_STR(a.source, "科技日报");
	CHECK(a.author.n == 1 && !strcmp(a.author.v[0], "符晓波"));
	CHECK(has(a.body_text, "疫情防控期间"));
	CHECK(has(a.body_text, "待得住"));
	CHECK(!has(a.body_text, "热点新闻"));
	CHECK(!has(a.body_text, "版权所有"));
	CHECK(!has(a.body_text, "首页"));
	article_free(&a);
	buf_free(&d);
}

TEST(auto_list_page_is_no_article)
{
	struct article a;
	struct nm_err e;
	article_init(&a);
	err_clear(&e);
	CHECK_INT(extract_file(unit_fixture("auto/list.html"), "https://www.example.com/news/", &a,
			       &e),
		  NM_EPARSE);
	CHECK(has(e.msg, "no article"));
	CHECK(a.body_text == NULL);
	/* The metadata found is still there; the host names the site. */
	CHECK_STR(a.title, "Latest news");
	article_free(&a);
}

TEST(auto_navigation_page_is_no_article)
{
	const char *src = "<html><body><nav><ul><li><a href=/a>Alpha section</a></li>"
			  "<li><a href=/b>Beta section</a></li></ul></nav>"
			  "<div class=menu><a href=/c>Gamma</a> <a href=/d>Delta</a></div>"
			  "<div><a href=/e>Our company and its history</a> | <a href=/f>Careers at "
			  "the company</a> | <a href=/g>Contact the press office</a> | <a href=/h>"
			  "Investor relations and reports</a></div></body></html>";
	struct html_doc *h = NULL;
	struct nm_err e;
	err_clear(&e);
	CHECK_INT(html_parse(src, strlen(src), &h, NULL), NM_OK);
	CHECK(auto_body(h, &e) == NULL);
	CHECK_INT(e.code, NM_EPARSE);
	html_free(h);
}

TEST(auto_short_article_beats_the_feed_below)
{
	struct article a;
	article_init(&a);
	CHECK_INT(extract_file(unit_fixture("auto/feed.html"), NULL, &a, NULL), NM_OK);
	CHECK(has(a.body_text, "Factory orders rose for a third month"));
	CHECK(!has(a.body_text, "harbour"));
	/* The feed's <time> is another story's date. */
	CHECK(!a.date.set);
	article_free(&a);
}

TEST(auto_split_article_keeps_both_parts)
{
	const char *src =
		"<html><body><div id=page><h1>Two parts</h1>"
		"<div class=\"body-part\"><p>The first part of the story tells how the plan began, "
		"who wrote it, and why the council wanted it finished before the winter.</p>"
		"<p>It also explains, in some detail, how much the work was expected to cost.</p></div>"
		"<div class=\"ad-slot\"><a href=/ad>Buy now</a></div>"
		"<div class=\"body-part\"><p>The second part follows the builders through the summer, "
		"as storms, strikes and a shortage of steel pushed the schedule back by months.</p>"
		"<p>By the end, the bridge opened three weeks late, but under budget, to general "
		"relief.</p></div></div></body></html>";
	struct buf t = BUF_INIT;
	body_text_of(src, &t);
	CHECK(has(buf_cstr(&t), "how the plan began"));
	CHECK(has(buf_cstr(&t), "three weeks late"));
	CHECK(!has(buf_cstr(&t), "Buy now"));
	/* The headline is a field of its own, not part of the body. */
	CHECK(!has(buf_cstr(&t), "Two parts"));
	buf_free(&t);
}

TEST(auto_header_lines_leave_the_body)
{
	const char *src = "<html><head><title>河北三夏麦收进度过半</title></head><body>"
			  "<div class=nav><a href=/>首页</a></div><div id=content>"
			  "<h1>河北三夏麦收进度过半</h1>"
			  "<p>2024-06-12 09:15:30 来源：新华网</p>"
			  "<p>6月11日，在河北省藁城区一处麦田，联合收割机正在抢收小麦，农机手们"
			  "趁着晴好天气加紧作业，确保颗粒归仓。</p>"
			  "<p>据农业农村部门统计，全省小麦已收获过半，跨区作业的收割机超过两万台，"
			  "各地还组织了农机维修服务队。</p></div></body></html>";
	struct html_doc *h = NULL;
	CHECK_INT(html_parse(src, strlen(src), &h, NULL), NM_OK);
	struct article a;
	struct buf d = BUF_INIT;
	article_init(&a);
	CHECK_INT(auto_extract(h, NULL, &a, NULL), NM_OK);
	date_format(&d, "%Y-%m-%d %H:%M:%S %z", &a.date);
	CHECK_STR(buf_cstr(&d), "2024-06-12 09:15:30 +0800");
	CHECK_STR(a.source, "新华网");
	CHECK(has(a.body_text, "联合收割机正在抢收小麦"));
	CHECK(!has(a.body_text, "来源"));
	CHECK(!has(a.body_text, "三夏麦收进度过半"));
	a.body_node = NULL;
	article_free(&a);
	buf_free(&d);
	html_free(h);
}

static double seconds_since(struct timespec t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

TEST(auto_pathological_deep_nesting)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "<html><body>");
	for (int i = 0; i < HTML_MAX_DEPTH * 2; i++)
		buf_puts(&b, "<div>");
	for (int i = 0; i < 20; i++)
		buf_puts(&b, "<p>A paragraph of plain text, long enough to be scored as one, "
			     "with a comma or two, and a full stop.</p>");
	struct html_doc *h = NULL;
	CHECK_INT(html_parse(b.ptr, b.len, &h, NULL), NM_OK);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct article a;
	article_init(&a);
	auto_extract(h, NULL, &a, NULL);
	CHECK(!unit_timing() || seconds_since(t0) < TEST_TIME_LIMIT);
	article_free(&a);
	html_free(h);
	buf_free(&b);
}

/* Seconds auto_extract takes on a page of n sibling blocks. */
static double wide_page_seconds(int n)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "<html><body><div id=a>");
	for (int i = 0; i < n; i++)
		buf_puts(&b, i % 2 ? "<p>Words, words and more words in a row.</p>"
				   : "<div><a href=/x>link text here</a><br><br>tail</div>");
	buf_puts(&b, "</div></body></html>");
	struct html_doc *h = NULL;
	CHECK_INT(html_parse(b.ptr, b.len, &h, NULL), NM_OK);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct article a;
	article_init(&a);
	auto_extract(h, NULL, &a, NULL);
	double s = seconds_since(t0);
	article_free(&a);
	html_free(h);
	buf_free(&b);
	return s;
}

TEST(auto_pathological_wide_page)
{
	/* Four times the blocks must cost about four times as much, not
	 * sixteen: the ratio holds on slow machines and under valgrind. */
	double small = wide_page_seconds(5000), big = wide_page_seconds(20000);
	if (big > 8 * small + 0.05)
		unit_fail(__FILE__, __LINE__, "20000 blocks took %.3f s, 5000 took %.3f s", big,
			  small);
}

/* s without any white space, for comparing texts laid out differently. */
static char *squeeze(const char *s)
{
	char *o = malloc(strlen(s) + 1), *q = o;
	for (; *s; s++)
		if (*s != ' ' && *s != '\n' && *s != '\t' && *s != '\r')
			*q++ = *s;
	*q = '\0';
	return o;
}

TEST(auto_corpus_readability_spot_checks)
{
	const char *corpus = unit_corpus();
	if (!corpus) {
		unit_skip("../shared/corpus not found");
		return;
	}
	/* Pages of several shapes; each must yield a body holding a sentence
	 * from the middle of Readability's own result. */
	static const char *const pages[] = {"nytimes-1", "bbc-1", "ars-1", "qq", "wikipedia",
					    "medium-1", "lemonde-1", "yahoo-4", NULL};
	for (size_t i = 0; pages[i]; i++) {
		char path[1024];
		snprintf(path, sizeof path, "%s/readability/%s/expected.html", corpus, pages[i]);
		struct html_doc *want = load(path);
		snprintf(path, sizeof path, "%s/readability/%s/source.html", corpus, pages[i]);
		struct article a;
		article_init(&a);
		enum nm_code rc = extract_file(path, "http://fakehost/test/page.html", &a, NULL);
		CHECK_INT(rc, NM_OK);
		if (want && a.body_text) {
			struct buf t = BUF_INIT;
			html_text(html_body(want), &t);
			char *w = squeeze(buf_cstr(&t)), *got = squeeze(a.body_text);
			size_t wl = strlen(w);
			/* 30 bytes from the middle, moved to a UTF-8 boundary. */
			size_t mid = wl / 2;
			while (mid < wl && ((unsigned char)w[mid] & 0xc0) == 0x80)
				mid++;
			char probe[64];
			snprintf(probe, sizeof probe, "%.30s", w + mid);
			size_t pl = strlen(probe);
			while (pl && ((unsigned char)probe[pl - 1] & 0xc0) == 0x80)
				probe[--pl] = '\0';
			if (pl && ((unsigned char)probe[pl - 1] & 0xc0) == 0xc0)
				probe[--pl] = '\0';
			if (!strstr(got, probe))
				unit_fail(__FILE__, __LINE__, "%s: body lacks \"%s\"", pages[i], probe);
			free(w);
			free(got);
			buf_free(&t);
		}
		article_free(&a);
		html_free(want);
	}
}

TEST(auto_corpus_gb18030_page)
{
	const char *corpus = unit_corpus();
	if (!corpus) {
		unit_skip("../shared/corpus not found");
		return;
	}
	char path[1024];
	snprintf(path, sizeof path, "%s/zh/cwced/cw_0d931936.html", corpus);
	struct article a;
	struct buf d = BUF_INIT;
	article_init(&a);
	CHECK_INT(extract_file(path, NULL, &a, NULL), NM_OK);
	date_format(&d, "%Y-%m-%d %H:%M %z", &a.date);
	CHECK_STR(buf_cstr(&d), "2005-03-21 11:21 +0800");
	CHECK(has(a.body_text, "正是彩票让本文的主人公孙启勤"));
	article_free(&a);
	buf_free(&d);
}

TEST(auto_page_of_posts_takes_the_first_post)
{
	/* A blog's archive page: three dated posts, the third the longest.
	 * The page's article is the first (newest) one, with its date. */
	struct article a;
	struct buf d = BUF_INIT;
	article_init(&a);
	CHECK_INT(extract_file(unit_fixture("auto/posts.html"), NULL, &a, NULL), NM_OK);
	CHECK(has(a.body_text, "第一块天然黄金"));
	CHECK(has(a.body_text, "时光倒流"));
	CHECK(!has(a.body_text, "长发"));
	CHECK(!has(a.body_text, "电台"));
	date_format(&d, "%Y-%m-%d %H:%M:%S %z", &a.date);
	CHECK_STR(buf_cstr(&d), "2005-03-21 01:20:44 +0800");
	article_free(&a);
	buf_free(&d);
}

TEST(auto_dated_sections_of_one_article_stay_whole)
{
	/* One article told day by day: its dated sections are its parts, not
	 * posts of their own, even when one of them is most of the text. */
	const char *src =
		"<html><body><div class=nav><a href=/>Home</a></div><div>"
		"<h1>A week on the river</h1>"
		"<div class=day><p>2024-06-03</p><p>We set out from the old mill at dawn, the boat "
		"loaded with food, tents, maps and far too many books for a week on the water.</p></div>"
		"<div class=day><p>2024-06-04</p><p>Rain all morning, so we stayed under the bridge, "
		"played cards, mended a paddle and watched the herons fish along the far bank.</p>"
		"<p>By the afternoon the river had risen a foot, brown and fast, carrying branches, "
		"a plastic chair and, for a while, a very surprised duck down past our shelter.</p>"
		"<p>We talked about turning back, argued about it over tea, and decided, as people "
		"on holiday usually do, to wait and see what the morning would bring instead.</p>"
		"<p>A fisherman stopped under the bridge to light his pipe and told us, with some "
		"pleasure, that the river always rose like this in June and always fell again.</p>"
		"<p>That night the rain eased, the frogs started up, and we slept better than we had "
		"in months, with the water loud and close beside the tent all night long.</p></div>"
		"<div class=day><p>2024-06-05</p><p>The weather cleared by noon, and we made twenty "
		"miles before the light went, camping on an island covered in wild garlic.</p></div>"
		"</div></body></html>";
	struct buf t = BUF_INIT;
	body_text_of(src, &t);
	CHECK(has(buf_cstr(&t), "old mill at dawn"));
	CHECK(has(buf_cstr(&t), "herons fish"));
	CHECK(has(buf_cstr(&t), "wild garlic"));
	buf_free(&t);
}

/* A box with a promising class name ("story-top", "story") but hardly any
 * text (a video slot) must not outrank the story that holds it: positive
 * class/id bonuses are scaled by the block's text.  The lead heading and a
 * short linked first paragraph then stay with the story. */
TEST(auto_class_bonus_needs_text)
{
	struct article a;
	struct nm_err e;
	article_init(&a);
	err_clear(&e);
	CHECK_INT(extract_file(unit_fixture("auto/story_top_box.html"),
			       "https://money.example.com/2016/02/01/mobility.html", &a, &e),
		  NM_OK);
	CHECK(has(a.body_text, "land of opportunity"));
	CHECK(has(a.body_text, "calls that into question"));
	CHECK(has(a.body_text, "better data to follow"));
	CHECK(!has(a.body_text, "Copyright"));
	article_free(&a);
}

/* Class 1 of issue 13: a two-paragraph story next to a longer list of
 * headline links is the story, not "a list of links"; the list goes. */
TEST(auto_short_story_beside_links_is_kept)
{
	struct article a;
	struct nm_err e;
	article_init(&a);
	err_clear(&e);
	CHECK_INT(extract_file(unit_fixture("auto/short_story_links.html"), NULL, &a, &e), NM_OK);
	CHECK(has(a.body_text, "went back into service on Tuesday morning"));
	CHECK(has(a.body_text, "late evening sailing will start a week later"));
	CHECK(!has(a.body_text, "Council approves the new cycle lanes"));
	CHECK(!has(a.body_text, "Road closures planned"));
	article_free(&a);
}

/* Class 4: subheadings whose id or class reads like furniture ("nav_1",
 * "menu-3", from a table-of-contents plugin) stay in the article. */
TEST(auto_headings_with_nav_ids_are_kept)
{
	struct article a;
	article_init(&a);
	CHECK_INT(extract_file(unit_fixture("auto/nav_headings.html"), NULL, &a, NULL), NM_OK);
	CHECK(has(a.body_text, "Building the dam"));
	CHECK(has(a.body_text, "Grinding by the tide"));
	CHECK(has(a.body_text, "The mill today"));
	CHECK(has(a.body_text, "the millers worked by the moon"));
	CHECK(!has(a.body_text, "Other stories from the estuary"));
	article_free(&a);
}

/* Class 6: furniture lines inside the body go (comment count, "Anzeige",
 * "Kommentare schreiben") and a teaser
 * heading in the second half ends the article with its teaser cards. */
TEST(auto_boilerplate_lines_are_dropped)
{
	struct article a;
	article_init(&a);
	CHECK_INT(extract_file(unit_fixture("auto/boiler_lines.html"), NULL, &a, NULL), NM_OK);
	CHECK(has(a.body_text, "Nach zwei Jahren Bauzeit"));
	CHECK(has(a.body_text, "verbindet die Altstadt"));
	CHECK(has(a.body_text, "mit Musik und St\xc3\xa4nden."));
	CHECK(!has(a.body_text, "71 Kommentare"));
	CHECK(!has(a.body_text, "Anzeige"));
	CHECK(has(a.body_text, "Lire aussi")); /* a one-line teaser in the text stays */
	CHECK(!has(a.body_text, "Kommentare schreiben"));
	CHECK(!has(a.body_text, "interessiert sein"));
	CHECK(!has(a.body_text, "Stadtrat beschlie\xc3\x9ft"));
	CHECK(!has(a.body_text, "Hochwasser im Winter"));
	article_free(&a);
}

/* Class 3: an article in sibling sections comes out whole, with the
 * standfirst just above its main block. */
TEST(auto_sections_and_standfirst_are_gathered)
{
	struct article a;
	article_init(&a);
	CHECK_INT(extract_file(unit_fixture("auto/sections.html"), NULL, &a, NULL), NM_OK);
	CHECK(has(a.body_text, "A light commuter that climbs well"));
	CHECK(has(a.body_text, "The frame weighs 14 kilograms"));
	CHECK(has(a.body_text, "stopped the bike quickly"));
	CHECK(has(a.body_text, "far longer than rival bikes need"));
	CHECK(!has(a.body_text, "Ten tips for winter riding"));
	CHECK(!has(a.body_text, "Copyright Ride Weekly"));
	article_free(&a);
}

/* Class 5: a short story wins over a longer login dialog and a
 * subscription box, in every attempt (the retry without class filters
 * once took the dialog for being longer). */
TEST(auto_story_beats_login_dialog_and_buybox)
{
	struct article a;
	article_init(&a);
	CHECK_INT(extract_file(unit_fixture("auto/modal_buybox.html"), NULL, &a, NULL), NM_OK);
	CHECK(has(a.body_text, "Tea growers in the hill district"));
	CHECK(has(a.body_text, "risen by a tenth at the weekly auction"));
	CHECK(!has(a.body_text, "Create your account"));
	CHECK(!has(a.body_text, "password"));
	CHECK(!has(a.body_text, "Subscribe now"));
	article_free(&a);
}
