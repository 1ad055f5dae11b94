/*
 * test_md.c - output/md: DOM to Markdown.  Spec-style cases live in
 * the golden files under tests/md/ (run by tests/md/run.py); these check the API contract,
 * limits and pathological inputs.
 */
#include "tests/unit/unit.h"
#include "common/buf.h"
#include "dom/html.h"
#include "output/md.h"

#include <libxml/tree.h>
#include <string.h>
#include <time.h>

/* Renders html's <body>; returns a static copy of the Markdown. */
static const char *md(const char *html, const char *base, bool whole)
{
	static struct buf out = BUF_INIT;
	buf_clear(&out);
	struct html_doc *h = NULL;
	if (html_parse(html, strlen(html), &h, NULL) != NM_OK)
		return NULL;
	struct md_opts o = {base, whole};
	struct nm_err e;
	err_clear(&e);
	enum nm_code rc = md_render(html_body(h), &o, &out, &e);
	html_free(h);
	return rc == NM_OK ? buf_cstr(&out) : NULL;
}

TEST(md_paragraphs_headings_emphasis)
{
	CHECK_STR(md("<h2>Title</h2><p>Hello <em>big</em> <strong>world</strong></p>", NULL, false),
		  "## Title\n\nHello *big* **world**\n");
	/* white space inside emphasis moves outside the delimiters */
	CHECK_STR(md("<p>a<em> b </em>c</p>", NULL, false), "a *b* c\n");
	/* whitespace collapsed like a browser; empty elements vanish */
	CHECK_STR(md("<p>  a \n\t b <b> </b> c</p><p> </p>", NULL, false), "a b c\n");
	CHECK_STR(md("<p>x<del>gone</del></p>", NULL, false), "x~~gone~~\n");
}

TEST(md_escapes_only_what_markdown_reads)
{
	CHECK_STR(md("<p>1986. A great year</p>", NULL, false), "1986\\. A great year\n");
	CHECK_STR(md("<p># not a heading</p><p>#hashtag</p>", NULL, false),
		  "\\# not a heading\n\n#hashtag\n");
	CHECK_STR(md("<p>- x</p><p>+ y</p><p>> q</p>", NULL, false), "\\- x\n\n\\+ y\n\n\\> q\n");
	CHECK_STR(md("<p>2 * 3 and snake_case and *x* and [a](b)</p>", NULL, false),
		  "2 * 3 and snake_case and \\*x\\* and \\[a](b)\n");
	CHECK_STR(md("<p>a &lt;b&gt; &amp;amp; AT&amp;T C:\\dir \\*</p>", NULL, false),
		  "a \\<b> &amp;amp; AT&T C:\\dir \\\\\\*\n");
	CHECK_STR(md("<p>use `x`</p>", NULL, false), "use \\`x\\`\n");
}

TEST(md_emphasis_next_to_cjk_punctuation_falls_back_to_html)
{
	/* "**“x”**" after a letter cannot open: CommonMark's flanking rule */
	CHECK_STR(md("<p>中文<strong>“引号”</strong>中文</p>", NULL, false),
		  "中文<strong>“引号”</strong>中文\n");
	CHECK_STR(md("<p><strong>中文</strong>。</p>", NULL, false), "**中文**。\n");
	/* no space appears between CJK characters */
	CHECK_STR(md("<p>中<b>文</b>字</p>", NULL, false), "中**文**字\n");
}

TEST(md_links_and_images)
{
	CHECK_STR(md("<p><a href=\"/a b\" title='t \"q\"'>x</a></p>", "http://h.com/d/", false),
		  "[x](http://h.com/a%20b \"t \\\"q\\\"\")\n");
	CHECK_STR(md("<p><a href=\"javascript:alert(1)\">text</a></p>", NULL, false), "text\n");
	CHECK_STR(md("<p><a href=\"http://x.com/\">http://x.com/</a></p>", NULL, false),
		  "<http://x.com/>\n");
	CHECK_STR(md("<p><a href=\"/p\"><img src=\"i.png\" alt=\"A [b]\"></a></p>", NULL, false),
		  "[![A \\[b\\]](i.png)](/p)\n");
	CHECK_STR(md("<p><img src=\"data:image/gif;base64,AA\" alt=x>y</p>", NULL, false), "y\n");
	/* a link spanning blocks is repeated in each */
	CHECK_STR(md("<a href=\"u\"><h2>T</h2><p>b</p></a>", NULL, false), "## [T](u)\n\n[b](u)\n");
}

TEST(md_lists_nest_and_number)
{
	CHECK_STR(md("<ol start=\"3\"><li>a</li><li>b<ul><li>c</li></ul></li></ol>", NULL, false),
		  "3. a\n4. b\n   - c\n");
	/* two adjacent lists stay two lists */
	CHECK_STR(md("<ul><li>a</li></ul><ul><li>b</li></ul>", NULL, false), "- a\n\n* b\n");
	/* blocks inside an item make it loose */
	CHECK_STR(md("<ul><li><p>a</p><p>b</p></li><li>c</li></ul>", NULL, false),
		  "- a\n\n  b\n\n- c\n");
	CHECK_STR(md("<ul><li>a</li><li><p>b</p></li></ul>", NULL, false), "- a\n\n- b\n");
	CHECK_STR(md("<blockquote><p>a</p><blockquote><p>b</p></blockquote></blockquote>", NULL, false),
		  "> a\n>\n> > b\n");
}

TEST(md_code)
{
	CHECK_STR(md("<p>x <code>a`b</code> y</p>", NULL, false), "x ``a`b`` y\n");
	CHECK_STR(md("<p><code>`</code></p>", NULL, false), "`` ` ``\n");
	CHECK_STR(md("<pre>a\n```\nb</pre>", NULL, false), "````\na\n```\nb\n````\n");
	CHECK_STR(md("<pre class=\"language-py\">x = 1\n</pre>", NULL, false),
		  "```py\nx = 1\n```\n");
	/* more than the one newline before </pre> are blank lines */
	CHECK_STR(md("<pre><code>\nx\n\n</code></pre>", NULL, false), "```\n\nx\n\n```\n");
}

TEST(md_tables)
{
	CHECK_STR(md("<table><tr><th>a</th><th>b|c</th></tr><tr><td>1</td><td>x<br>y</td></tr></table>",
		     NULL, false),
		  "| a | b\\|c |\n| --- | --- |\n| 1 | x<br>y |\n");
	CHECK_STR(md("<table><tr><td>1</td><td>2</td></tr></table>", NULL, false),
		  "|  |  |\n| --- | --- |\n| 1 | 2 |\n");
	CHECK_STR(md("<table><tr><td colspan=2>1</td></tr></table>", NULL, false),
		  "<table>\n<tbody>\n<tr><td colspan=\"2\">1</td></tr>\n</tbody>\n</table>\n");
}

TEST(md_breaks_and_rules)
{
	CHECK_STR(md("<p>a<br>b<br><br>c<br></p><hr><p>d</p>", NULL, false),
		  "a  \nb\n\nc\n\n---\n\nd\n");
	CHECK_STR(md("<p>a<br>- b</p>", NULL, false), "a  \n\\- b\n");
}

TEST(md_forms_only_for_whole_pages)
{
	const char *page = "<p>x</p><form><button>Go</button></form>";
	CHECK_STR(md(page, NULL, false), "x\n");
	CHECK_STR(md(page, NULL, true), "x\n\nGo\n");
}

/* Builds a DOM nesting `depth` elements named tag (with an <li> under each
 * list when tag is "ul"), which html_parse would cut at HTML_MAX_DEPTH. */
static xmlNodePtr deep_dom(xmlDocPtr doc, const char *tag, int depth)
{
	xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "body", NULL);
	xmlDocSetRootElement(doc, root);
	xmlNodePtr cur = root;
	for (int i = 0; i < depth; i++) {
		xmlNodePtr n = xmlNewDocNode(doc, NULL, BAD_CAST tag, NULL);
		xmlAddChild(cur, n);
		cur = n;
		if (!strcmp(tag, "ul")) {
			xmlNodePtr li = xmlNewDocNode(doc, NULL, BAD_CAST "li", NULL);
			xmlAddChild(cur, li);
			xmlAddChild(li, xmlNewDocText(doc, BAD_CAST "x"));
			cur = li;
		}
	}
	xmlAddChild(cur, xmlNewDocText(doc, BAD_CAST "deep"));
	return root;
}

TEST(md_deep_nesting_is_bounded_and_linear)
{
	const char *tags[] = {"ul", "blockquote", "em", "a"};
	for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++) {
		xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
		xmlNodePtr root = deep_dom(doc, tags[t], 10000);
		struct buf out = BUF_INIT;
		clock_t c0 = clock();
		CHECK_INT(md_render(root, NULL, &out, NULL), NM_OK);
		double s = (double)(clock() - c0) / CLOCKS_PER_SEC;
		CHECK(s < 2.0 || !unit_timing());
		CHECK(strstr(buf_cstr(&out), "deep") != NULL);
		/* no line carries more than the bounded prefix */
		size_t longest = 0, cur = 0;
		for (size_t i = 0; i < out.len; i++, cur++)
			if (out.ptr[i] == '\n') {
				if (cur > longest)
					longest = cur;
				cur = 0;
			}
		CHECK(longest < 200);
		buf_free(&out);
		xmlFreeDoc(doc);
	}
}

TEST(md_output_cap_gives_elimit)
{
	struct html_doc *h = NULL;
	const char *page = "<p>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</p><p>bbbbbbbbbbbbbbbbbbbbbbbbbbbb</p>";
	CHECK_INT(html_parse(page, strlen(page), &h, NULL), NM_OK);
	struct buf out;
	buf_init(&out, 40);
	struct nm_err e;
	err_clear(&e);
	CHECK_INT(md_render(html_body(h), NULL, &out, &e), NM_ELIMIT);
	CHECK_INT(e.code, NM_ELIMIT);
	buf_free(&out);
	html_free(h);
}

TEST(md_long_paragraph_with_many_delimiters_is_linear)
{
	struct buf in = BUF_INIT;
	buf_puts(&in, "<p>");
	for (int i = 0; i < 50000; i++)
		buf_puts(&in, "<em>a</em><b>b</b>*_[ ");
	buf_puts(&in, "</p>");
	struct html_doc *h = NULL;
	CHECK_INT(html_parse(in.ptr, in.len, &h, NULL), NM_OK);
	struct buf out = BUF_INIT;
	clock_t c0 = clock();
	CHECK_INT(md_render(html_body(h), NULL, &out, NULL), NM_OK);
	CHECK((double)(clock() - c0) / CLOCKS_PER_SEC < 2.0 || !unit_timing());
	/* "*a*__b__\*\_\[ " 50000 times: adjacent runs switch characters */
	CHECK(!strncmp(buf_cstr(&out), "*a*__b__\\*\\_\\[ *a*", 18));
	CHECK(out.len > 50000 * 14);
	buf_free(&out);
	html_free(h);
	buf_free(&in);
}

TEST(md_same_document_links_keep_the_base_page)
{
	CHECK_STR(md("<p><a href=\"#top\">t</a> <a href=\"\">self</a></p>",
		     "https://ex.com/a/page.html?q=1#old", false),
		  "[t](https://ex.com/a/page.html?q=1#top) [self](https://ex.com/a/page.html?q=1)\n");
}
