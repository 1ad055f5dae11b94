/*
 * test_meta.c - extractor/meta.c: JSON-LD shapes (@graph, arrays, @id
 * authors, CDATA wrappers, broken blocks), meta tag precedence, title
 * cleaning and heading agreement, Chinese header lines, <time>, URL dates,
 * and that only empty fields are filled.
 */
#include "tests/unit/unit.h"
#include "common/date.h"
#include "extractor/meta.h"

#include <string.h>

static struct html_doc *parse(const char *s)
{
	struct html_doc *h = NULL;
	if (html_parse(s, strlen(s), &h, NULL) != NM_OK)
		return NULL;
	return h;
}

/* Runs meta_extract on src into a (initialised by the caller). */
static void run(const char *src, const char *url, struct article *a)
{
	struct html_doc *h = parse(src);
	CHECK(h != NULL);
	if (!h)
		return;
	CHECK_INT(meta_extract(h, url, a, NULL), NM_OK);
	html_free(h);
}

static const char *iso(const struct when *w, struct buf *b)
{
	buf_clear(b);
	if (!w->set)
		return "(unset)";
	date_format(b, "%Y-%m-%dT%H:%M:%S%:z", w);
	return buf_cstr(b);
}

TEST(meta_jsonld_graph_with_author_ids)
{
	const char *src =
		"<html><head><script type=\"application/ld+json\">{\"@context\":\"https://schema.org\","
		"\"@graph\":[{\"@type\":\"WebSite\",\"name\":\"Example\"},"
		"{\"@type\":\"Person\",\"@id\":\"#p1\",\"name\":\"Ann Lee\"},"
		"{\"@type\":\"Person\",\"@id\":\"#p2\",\"name\":\"Bo Chan\"},"
		"{\"@type\":[\"NewsArticle\"],\"headline\":\"Bridge reopens\","
		"\"datePublished\":\"2021-11-01T10:52:50+0100\",\"dateModified\":\"2021-11-02\","
		"\"author\":[{\"@id\":\"#p1\"},{\"@id\":\"#p2\"}],\"image\":{\"url\":\"/i.jpg\"},"
		"\"articleSection\":\"City\",\"keywords\":[\"bridge\",\"traffic\"],"
		"\"description\":\"After two years.\"}]}</script></head><body><p>x</p></body></html>";
	struct article a;
	struct buf b = BUF_INIT;
	article_init(&a);
	run(src, "https://example.com/news/1", &a);
	CHECK_STR(a.title, "Bridge reopens");
	CHECK_STR(iso(&a.date, &b), "2021-11-01T10:52:50+01:00");
	CHECK(a.updated.set);
	CHECK_INT(a.author.n, 2);
	if (a.author.n == 2) {
		CHECK_STR(a.author.v[0], "Ann Lee");
		CHECK_STR(a.author.v[1], "Bo Chan");
	}
	CHECK_STR(a.lead_image, "https://example.com/i.jpg");
	CHECK_STR(a.category, "City");
	CHECK_INT(a.tags.n, 2);
	CHECK_STR(a.excerpt, "After two years.");
	article_free(&a);
	buf_free(&b);
}

TEST(meta_jsonld_array_cdata_and_broken_block)
{
	const char *src =
		"<html><head><script type=\"application/ld+json\">{ not json at all</script>"
		"<script type=\"application/ld+json\">\n<![CDATA[\n[{\"@type\":\"BreadcrumbList\"},"
		"{\"@type\":\"BlogPosting\",\"headline\":\"Tuning the kernel\","
		"\"datePublished\":\"2024-06-25\",\"author\":{\"@type\":\"Person\",\"name\":\"By Sam "
		"Ito and Kim Park\"}}]\n]]>\n</script></head><body></body></html>";
	struct article a;
	struct buf b = BUF_INIT;
	article_init(&a);
	run(src, NULL, &a);
	CHECK_STR(a.title, "Tuning the kernel");
	CHECK_STR(iso(&a.date, &b), "2024-06-25T00:00:00+00:00");
	CHECK_INT(a.author.n, 2);
	if (a.author.n == 2) {
		CHECK_STR(a.author.v[0], "Sam Ito");
		CHECK_STR(a.author.v[1], "Kim Park");
	}
	article_free(&a);
	buf_free(&b);
}

TEST(meta_tag_precedence_property_over_name)
{
	/* Readability's metadata cases: dc:title beats og:title, property=
	 * beats name=, space-separated property lists count. */
	const char *src = "<html><head><title>Title Element</title>"
			  "<meta name=\"og:title\" content=\"Open Graph name title\">"
			  "<meta name=\"DC.title\" content=\"Dublin Core name title\">"
			  "<meta property=\"x:title dc:title\" content=\"Dublin Core property title\">"
			  "<meta property=\"og:title\" content=\"Open Graph property title\">"
			  "<meta property=\"og:description x:description\" content=\"Desc\">"
			  "</head><body></body></html>";
	struct article a;
	article_init(&a);
	run(src, NULL, &a);
	CHECK_STR(a.title, "Dublin Core property title");
	CHECK_STR(a.excerpt, "Desc");
	article_free(&a);
}

TEST(meta_title_cut_where_the_h1_says)
{
	const char *src = "<html><head><title>Budget passes after long night - Politics - "
			  "The Example Times</title></head><body><header><h1>The Example "
			  "Times</h1></header><h1>Budget passes after long night</h1></body></html>";
	struct article a;
	article_init(&a);
	run(src, NULL, &a);
	CHECK_STR(a.title, "Budget passes after long night");
	article_free(&a);
}

TEST(meta_title_declared_loses_only_site_name)
{
	const char *src = "<html><head><meta property=\"og:site_name\" content=\"Example News\">"
			  "<meta property=\"og:title\" content=\"Harbour plan approved | Example News\">"
			  "</head><body><h1>Something else entirely</h1></body></html>";
	struct article a;
	article_init(&a);
	run(src, NULL, &a);
	CHECK_STR(a.title, "Harbour plan approved");
	article_free(&a);
}

TEST(meta_clean_title_forms)
{
	char *t = meta_clean_title("DeepMind新电脑已可利用记忆自学_科技_腾讯网", NULL, NULL);
	CHECK_STR(t, "DeepMind新电脑已可利用记忆自学");
	free(t);
	t = meta_clean_title("多措并举营造良好环境-新华网", NULL, NULL);
	CHECK_STR(t, "多措并举营造良好环境");
	free(t);
	t = meta_clean_title("  Obama admits US gun laws are his 'biggest frustration' - BBC News ",
			     NULL, "www.bbc.co.uk");
	CHECK_STR(t, "Obama admits US gun laws are his 'biggest frustration'");
	free(t);
	/* A title whose dash is part of it stays whole. */
	t = meta_clean_title("Spider-Man returns", NULL, NULL);
	CHECK_STR(t, "Spider-Man returns");
	free(t);
	t = meta_clean_title("New Zealand - Wikipedia", "Wikipedia", NULL);
	CHECK_STR(t, "New Zealand");
	free(t);
	CHECK(meta_title_same("Hello, world!", "hello world"));
	CHECK(!meta_title_same("Hello world", "Hello worlds"));
}

TEST(meta_chinese_header_line)
{
	const char *src = "<html><head><title>厦门打造国际人才向往之地_示例网</title></head><body>"
			  "<div class=nav>2024年01月01日 星期一</div>"
			  "<h1>厦门打造国际人才向往之地</h1>"
			  "<div class=info>2022年04月13日 12:11　来源：科技日报　作者：符晓波 李明</div>"
			  "<div><p>正文第一段。</p></div></body></html>";
	struct article a;
	struct buf b = BUF_INIT;
	article_init(&a);
	run(src, NULL, &a);
	CHECK_STR(a.title, "厦门打造国际人才向往之地");
	/* Wall-clock times on Chinese pages are Beijing time. */
	CHECK_STR(iso(&a.date, &b), "2022-04-13T12:11:00+08:00");
	CHECK_STR(a.source, "科技日报");
	CHECK_INT(a.author.n, 2);
	if (a.author.n == 2) {
		CHECK_STR(a.author.v[0], "符晓波");
		CHECK_STR(a.author.v[1], "李明");
	}
	article_free(&a);
	buf_free(&b);
}

TEST(meta_reporter_and_labelled_dates)
{
	const char *src = "<html><head><title>标题</title></head><body><h1>春季农业生产全面展开</h1>"
			  "<p>注册时间：2004年10月6日 发布时间：2022-02-13 04:22:18 本报记者 胡晓蓉</p>"
			  "<p>记者会上说明了情况。</p></body></html>";
	struct article a;
	struct buf b = BUF_INIT;
	article_init(&a);
	run(src, NULL, &a);
	CHECK_STR(iso(&a.date, &b), "2022-02-13T04:22:18+08:00");
	CHECK_INT(a.author.n, 1);
	if (a.author.n)
		CHECK_STR(a.author.v[0], "胡晓蓉");
	article_free(&a);
	buf_free(&b);
}

TEST(meta_time_element_after_headline_and_url_date)
{
	const char *src = "<html><head><title>Harbour grows</title></head><body>"
			  "<h1>Harbour grows</h1><p class=meta><time datetime=\"2020-07-10T14:15:42+00:00\">"
			  "July 10</time></p><p>Text.</p></body></html>";
	struct article a;
	struct buf b = BUF_INIT;
	article_init(&a);
	run(src, NULL, &a);
	CHECK_STR(iso(&a.date, &b), "2020-07-10T14:15:42+00:00");
	article_free(&a);

	article_init(&a);
	run("<html><body><p>No date here.</p></body></html>",
	    "https://example.cn/news/2022-04/13/c_1128550000.htm", &a);
	CHECK_STR(iso(&a.date, &b), "2022-04-13T00:00:00+00:00");
	article_free(&a);
	buf_free(&b);
}

TEST(meta_fills_only_empty_fields)
{
	const char *src = "<html><head><meta property=\"og:title\" content=\"Page title\">"
			  "<meta name=\"author\" content=\"Page Author\">"
			  "<meta property=\"article:published_time\" content=\"2020-01-02T03:04:05Z\">"
			  "</head><body></body></html>";
	struct article a;
	article_init(&a);
	a.title = strdup("Rule title");
	strv_push(&a.author, "Rule Author");
	run(src, NULL, &a);
	CHECK_STR(a.title, "Rule title");
	CHECK_INT(a.author.n, 1);
	CHECK_STR(a.author.v[0], "Rule Author");
	CHECK(a.date.set);
	article_free(&a);
}

TEST(meta_near_refines_a_day_only_date)
{
	const char *src = "<html><body><div>发布时间：2022-02-13 07:48 来源：新华日报</div>"
			  "<div id=c><p>正文。</p></div></body></html>";
	struct html_doc *h = parse(src);
	struct article a;
	struct buf b = BUF_INIT;
	article_init(&a);
	a.lang = strdup("zh-CN");
	struct tz *z = NULL;
	tz_load("+08:00", &z, NULL);
	date_parse_any("2022-02-13", z, &a.date);
	tz_free(z);
	xmlNodePtr body = html_body(h);
	xmlNodePtr c = NULL;
	for (xmlNodePtr n = body->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			c = n;
	CHECK_INT(meta_extract_near(h, NULL, c, &a, NULL), NM_OK);
	CHECK_STR(iso(&a.date, &b), "2022-02-13T07:48:00+08:00");
	CHECK_STR(a.source, "新华日报");
	article_free(&a);
	buf_free(&b);
	html_free(h);
}

TEST(meta_headline_finds_the_title_element)
{
	struct html_doc *h = parse("<html><body><h2>Site</h2><div><h1>Big <b>news</b> today</h1>"
				   "</div><p>Body</p></body></html>");
	xmlNodePtr n = meta_headline(h, "Big news today");
	CHECK(n != NULL);
	if (n)
		CHECK_STR((const char *)n->name, "h1");
	CHECK(meta_headline(h, "Not on the page") == NULL);
	html_free(h);
}

TEST(meta_header_line_tells_datelines_from_prose)
{
	CHECK(meta_header_line("发稿时间：2024-07-15 07:20:00 来源：中国青年报"));
	CHECK(meta_header_line("本报记者 王乐文"));
	CHECK(meta_header_line("Updated 2024-03-05 09:41"));
	CHECK(!meta_header_line("暑假里，二十多名大学生志愿者在社区活动室开设了免费托管班。"));
	CHECK(!meta_header_line(""));
	/* A long paragraph that mentions a date is prose. */
	CHECK(!meta_header_line("On 2024-03-05 the council met for the third time this year to "
				"discuss the harbour plan, the budget for road repairs, the new "
				"bus line and the reopening of the museum's east wing, among other "
				"business brought by residents."));
}

TEST(meta_near_reads_signatures_at_the_end)
{
	const char *src = "<html><body><div id=c><p>第一段正文，讲述了事情的经过。</p>"
			  "<p>第二段正文。（记者 胡晓蓉 李明）</p></div>"
			  "<div class=foot>发表于2005年09月07日 11:57 AM</div></body></html>";
	struct html_doc *h = parse(src);
	struct article a;
	struct buf b = BUF_INIT;
	article_init(&a);
	a.lang = strdup("zh");
	xmlNodePtr body = html_body(h)->children;
	CHECK_INT(meta_extract_near(h, NULL, body, &a, NULL), NM_OK);
	CHECK_INT(a.author.n, 2);
	if (a.author.n == 2) {
		CHECK_STR(a.author.v[0], "胡晓蓉");
		CHECK_STR(a.author.v[1], "李明");
	}
	CHECK_STR(iso(&a.date, &b), "2005-09-07T11:57:00+08:00");
	article_free(&a);
	html_free(h);

	h = parse("<html><body><div id=c><p>本报记者罗科苏盈发自北京 23日下午，会议召开。</p>"
		  "</div></body></html>");
	article_init(&a);
	CHECK_INT(meta_extract_near(h, NULL, html_body(h)->children, &a, NULL), NM_OK);
	CHECK(a.author.n == 1 && !strcmp(a.author.v[0], "罗科苏盈"));
	article_free(&a);
	html_free(h);
	buf_free(&b);
}

TEST(meta_layout_text_is_not_an_author)
{
	/* Metadata ids and byline boxes holding counters are not names. */
	const char *src = "<html><head><meta name=author content=\"L_104485\"></head><body>"
			  "<h1>Title here</h1><div class=author-box>Views: 1024</div>"
			  "<p>Text.</p></body></html>";
	struct article a;
	article_init(&a);
	run(src, NULL, &a);
	CHECK_INT(a.author.n, 0);
	article_free(&a);
}

TEST(meta_document_date_label_beats_the_posting_date)
{
	/* A government notice: its 成文日期 dates it, not the day it went
	 * online (发布日期, PubDate); labels may be spaced to line up. */
	const char *src = "<html><head><meta name=\"PubDate\" content=\"2022-01-28 00:00:00\">"
			  "<title>关于禁止新增建设项目的通告</title></head><body><table>"
			  "<tr><td>发文机关：</td><td>某省人民政府</td>"
			  "<td>成 文 日 期：</td><td>\n  2022年01月27日</td></tr>"
			  "<tr><td>发布日期：</td><td>2022年01月28日</td></tr></table>"
			  "<h1>关于禁止新增建设项目的通告</h1><p>为做好工程建设，现通告如下。</p>"
			  "</body></html>";
	struct article a;
	struct buf b = BUF_INIT;
	article_init(&a);
	run(src, NULL, &a);
	CHECK_STR(iso(&a.date, &b), "2022-01-27T00:00:00+08:00");
	article_free(&a);

	/* The label in prose, no date after it: the page's date stands. */
	article_init(&a);
	run("<html><head><meta name=\"PubDate\" content=\"2022-01-28 00:00:00\">"
	    "<title>公文格式</title></head><body><h1>公文格式</h1>"
	    "<p>成文日期是公文生效的时间，一般为负责人签发的日期。</p></body></html>",
	    NULL, &a);
	CHECK_STR(iso(&a.date, &b), "2022-01-28T00:00:00+08:00");
	article_free(&a);
	buf_free(&b);
}

TEST(meta_near_takes_the_date_nearest_above_the_content)
{
	/* A page of posts: above the chosen one sit the previous post's
	 * footer and then its own header; its own date is the nearest. */
	const char *src = "<html><body>"
			  "<div class=post><p>前一篇的正文。</p>"
			  "<p class=foot>由海姑娘张贴 @ 2005-06-10 05:53:20</p></div>"
			  "<div class=post><p class=head>跳房子 2005-06-10 05:42:56</p>"
			  "<div id=c><p>这一篇的正文。</p></div></div></body></html>";
	struct html_doc *h = parse(src);
	struct article a;
	struct buf b = BUF_INIT;
	article_init(&a);
	a.lang = strdup("zh");
	xmlNodePtr c = NULL;
	for (xmlNodePtr n = html_body(h)->last->children; n; n = n->next)
		if (n->type == XML_ELEMENT_NODE)
			c = n;
	CHECK_INT(meta_extract_near(h, NULL, c, &a, NULL), NM_OK);
	CHECK_STR(iso(&a.date, &b), "2005-06-10T05:42:56+08:00");
	article_free(&a);
	html_free(h);
	buf_free(&b);
}

/* The date meta_extract_near finds on a Chinese page whose content starts
 * at <body>'s first child, as ISO 8601, or "(unset)". */
static const char *near_date_zh(const char *src, struct buf *b)
{
	struct html_doc *h = parse(src);
	struct article a;
	article_init(&a);
	a.lang = strdup("zh");
	CHECK_INT(meta_extract_near(h, NULL, html_body(h)->children, &a, NULL), NM_OK);
	iso(&a.date, b);
	if (!a.date.set)
		buf_puts(b, "(unset)");
	article_free(&a);
	html_free(h);
	return buf_cstr(b);
}

TEST(meta_near_magazine_issue_gives_the_month)
{
	struct buf b = BUF_INIT;
	/* The only date is the issue the article appeared in. */
	CHECK_STR(near_date_zh("<html><body><div id=c><p>比赛革命的革命</p><p>文化革命是一场有着极为"
			       "广泛的群众参与的政治运动。</p><p>——《北京之春》1996年6月号</p></div>"
			       "</body></html>", &b),
		  "1996-06-01T00:00:00+08:00");
	/* Any day beats it, even one printed after it. */
	CHECK_STR(near_date_zh("<html><body><div id=c><p>正文，原载《北京之春》1996年6月号。</p></div>"
			       "<p>发表于 1998-03-02</p></body></html>", &b),
		  "1998-03-02T00:00:00+08:00");
	/* A month in prose is no date. */
	CHECK_STR(near_date_zh("<html><body><div id=c><p>2005年3月，会议召开，讨论了有关问题。</p></div>"
			       "</body></html>", &b),
		  "(unset)");
	buf_free(&b);
}

TEST(meta_dated_head_reads_an_entry_header)
{
	struct html_doc *h = parse("<html><body><div><p>剪了长发 2005-03-18 01:58:01</p>"
				   "<p>终于把长发剪了。</p></div>"
				   "<div><p>终于把长发剪了。</p><p>2005年3月，我们去了海边。</p></div>"
				   "</body></html>");
	xmlNodePtr first = html_body(h)->children, second = first->next;
	CHECK(meta_dated_head(first));
	/* A month in prose is no header date. */
	CHECK(!meta_dated_head(second));
	html_free(h);
}

/* Class 8 of issue 13: bylines lose their leftover separators, machine
 * keywords are not tags, and a zone-less date takes the zone of the page's
 * language only where that is one zone (ja +09:00, zh +08:00), else UTC. */
TEST(meta_author_separators_tag_junk_and_zones)
{
	struct article a;
	struct buf b = BUF_INIT;
	article_init(&a);
	run("<html lang=en><head><title>Ferry back</title>"
	    "<meta name=author content='John Walk -'>"
	    "<meta property='article:tag' content='@post-id:1913719'>"
	    "<meta property='article:tag' content='Harbour'>"
	    "<meta property='article:tag' content='id:42'>"
	    "<meta property='article:published_time' content='2024-03-05T10:00:00'>"
	    "</head><body><p>x</p></body></html>",
	    NULL, &a);
	CHECK_INT(a.author.n, 1);
	if (a.author.n)
		CHECK_STR(a.author.v[0], "John Walk");
	CHECK_INT(a.tags.n, 1);
	if (a.tags.n)
		CHECK_STR(a.tags.v[0], "Harbour");
	CHECK_STR(iso(&a.date, &b), "2024-03-05T10:00:00+00:00");
	article_free(&a);

	article_init(&a);
	run("<html lang=ja><head><title>\xe6\x9d\xb1\xe4\xba\xac\xe3\x81\xae\xe5\xa4\xa9\xe6\xb0\x97</title>"
	    "<meta name=author content='| \xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e \xe2\x80\x94'>"
	    "<meta property='article:published_time' content='2024-03-05T10:00:00'>"
	    "</head><body><p>x</p></body></html>",
	    NULL, &a);
	CHECK_STR(iso(&a.date, &b), "2024-03-05T10:00:00+09:00");
	if (a.author.n)
		CHECK_STR(a.author.v[0], "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e");
	article_free(&a);

	/* no language declared: kana in the title say Japanese, not Chinese */
	article_init(&a);
	run("<html><head><title>\xe6\x9d\xb1\xe4\xba\xac\xe3\x81\xae\xe5\xa4\xa9\xe6\xb0\x97\xe4\xba\x88\xe5\xa0\xb1</title>"
	    "<meta property='article:published_time' content='2024-03-05 10:00'>"
	    "</head><body><p>x</p></body></html>",
	    NULL, &a);
	CHECK_STR(iso(&a.date, &b), "2024-03-05T10:00:00+09:00");
	article_free(&a);

	article_init(&a);
	run("<html lang=zh-CN><head><title>\xe5\x8e\xa6\xe9\x97\xa8\xe6\x96\xb0\xe9\x97\xbb</title>"
	    "<meta property='article:published_time' content='2024-03-05 10:00'>"
	    "</head><body><p>x</p></body></html>",
	    NULL, &a);
	CHECK_STR(iso(&a.date, &b), "2024-03-05T10:00:00+08:00");
	article_free(&a);
	buf_free(&b);
}
