/*
 * meta.h - article metadata from what a page says about itself, used by the
 * generic extractor and wherever a rule leaves a field empty.
 *
 * Sources, best first for each field: JSON-LD (the article object among
 * every ld+json block, top-level arrays and @graph, with @id references
 * followed), OpenGraph / Twitter / article:* / Dublin Core / parsely meta
 * tags, itemprop microdata, <time datetime>, byline elements, and the text
 * printed near the headline ("来源：新华社", "作者：", "记者 张三",
 * "2022年04月13日 12:11", "2022-04-13 12:11:23").  The URL's date path is
 * the last resort for the date.  A page publishing an official document
 * that labels its 成文日期 / 发文日期 is dated by that label before any
 * other source: the document's own date, not the day it went online.
 *
 * Titles are cleaned of site-name parts ("标题_新浪财经", "Title | Site") and
 * chosen to agree with the page's h1 when one of the candidates matches it.
 */
#ifndef NM_META_H
#define NM_META_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "common/err.h"
#include "extractor/article.h"
#include "dom/html.h"

/* Fills a->title, date, updated, author, source, category, tags,
 * lead_image, excerpt and lang from what the page declares, touching only
 * fields that are still NULL / empty / unset (so it can run after a rule).
 * url (may be NULL) resolves relative image URLs and gives a date from its
 * path as a last resort.  Strings are copied into the article.  Never fails
 * on odd input (broken JSON-LD is skipped); returns NM_OK. */
/* h may be NULL (a page html_parse refused): a is left as it was. */
enum nm_code meta_extract(const struct html_doc *h, const char *url,
			  struct article *a, struct nm_err *e);

/* Reads the text just before and at the start of body (borrowed, the
 * article's content element) for the date, 来源 and author lines a page
 * prints above its text, and the text just after it for a date ("发表于",
 * "Posted at" under blog posts).  Above body, the date nearest to it wins
 * among equally good ones.  Fills only fields still empty, except that a
 * date known only to the day (from the URL, say) gets the time of day
 * when the text gives the same day with one.  When no day is found, a
 * magazine issue cited at the top or end ("1996年6月号") gives the first
 * of its month.  Returns NM_OK. */
enum nm_code meta_extract_near(const struct html_doc *h, const char *url,
			       xmlNodePtr body, struct article *a,
			       struct nm_err *e);

/* The element showing the article's title: the first h1-h3 that reads as
 * title, else the element around the first text that does; NULL when none.
 * Borrowed from h. */
xmlNodePtr meta_headline(const struct html_doc *h, const char *title);

/* Cleans a raw page title: white space collapsed, and site-name parts
 * ("| Site", "- 新华网", "_科技_腾讯网") removed.  site (may be NULL) is the
 * declared site name, host (may be NULL) the page's host name; both help
 * recognise the site's part.  Returns a new string the caller frees. */
char *meta_clean_title(const char *raw, const char *site, const char *host);

/* True when text reads as an article's header line rather than its
 * prose: short, and giving a publication date or a 来源/作者/记者/编辑
 * label ("2022年04月13日 12:11 来源：新华社", "发稿时间：...").  The generic
 * extractor drops such lines from the top of a body. */
bool meta_header_line(const char *text);

/* True when node's first lines of text (its header: a post's title and
 * date line) give a date, labelled or not. */
bool meta_dated_head(xmlNodePtr node);

/* True when the two strings are the same title: equal after dropping white
 * space and punctuation and folding ASCII case. */
bool meta_title_same(const char *a, const char *b);

#endif
