/*
 * test_feed.c - RSS 2.0 / RSS 1.0 / Atom / sitemap / news sitemap / index /
 * gzip parsing, and the refusals: entity declarations (XXE, billion
 * laughs), gzip bombs, non-feeds.
 */
#include "tests/unit/unit.h"
#include "crawler/feed.h"

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

static enum nm_code parse(const char *xml, struct feed *f)
{
	struct nm_err e;
	err_clear(&e);
	return feed_parse(xml, strlen(xml), "http://news.test/feeds/main.xml", f, &e);
}

TEST(feed_rss2_items_resolved)
{
	const char *x = "<?xml version='1.0' encoding='UTF-8'?>\n"
			"<rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/'><channel>"
			"<title>T</title><link>http://news.test/</link>"
			"<item><title>One &amp; only</title><link>http://news.test/a/1</link>"
			"<pubDate>Wed, 13 Apr 2022 12:11:23 +0800</pubDate></item>"
			"<item><title><![CDATA[Two <b>]]></title><link>../a/2</link></item>"
			"<item><guid>http://news.test/a/3</guid></item>"
			"<item><guid isPermaLink='false'>tag:x</guid></item>"
			"<item><link>javascript:alert(1)</link></item>"
			"</channel></rss>";
	struct feed f;
	CHECK_INT(parse(x, &f), NM_OK);
	CHECK_INT(f.kind, FEED_RSS);
	CHECK_INT(f.n, 3);
	if (f.n == 3) {
		CHECK_STR(f.items[0].url, "http://news.test/a/1");
		CHECK_STR(f.items[0].title, "One & only");
		CHECK(f.items[0].date.set);
		CHECK_INT(f.items[0].date.t, 1649823083);
		CHECK_STR(f.items[1].url, "http://news.test/a/2");
		CHECK_STR(f.items[1].title, "Two <b>");
		CHECK_STR(f.items[2].url, "http://news.test/a/3");
	}
	feed_free(&f);
}

TEST(feed_rss1_rdf)
{
	const char *x = "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
			"xmlns='http://purl.org/rss/1.0/' xmlns:dc='http://purl.org/dc/elements/1.1/'>"
			"<channel><title>x</title></channel>"
			"<item><title>A</title><link>http://h/a</link><dc:date>2022-04-13T04:11:23Z</dc:date></item>"
			"</rdf:RDF>";
	struct feed f;
	CHECK_INT(parse(x, &f), NM_OK);
	CHECK_INT(f.n, 1);
	if (f.n)
		CHECK_INT(f.items[0].date.t, 1649823083);
	feed_free(&f);
}

TEST(feed_atom_alternate_link)
{
	const char *x = "<feed xmlns='http://www.w3.org/2005/Atom'><title>x</title>"
			"<entry><title type='html'>A</title>"
			"<link rel='self' href='/self'/><link href='/a/1' rel='alternate'/>"
			"<updated>2022-04-14T00:00:00Z</updated>"
			"<published>2022-04-13T04:11:23Z</published></entry>"
			"<entry><link href='http://other.test/b'/></entry>"
			"</feed>";
	struct feed f;
	CHECK_INT(parse(x, &f), NM_OK);
	CHECK_INT(f.kind, FEED_ATOM);
	CHECK_INT(f.n, 2);
	if (f.n == 2) {
		CHECK_STR(f.items[0].url, "http://news.test/a/1");
		CHECK_INT(f.items[0].date.t, 1649823083);
		CHECK_STR(f.items[1].url, "http://other.test/b");
	}
	feed_free(&f);
}

TEST(feed_news_sitemap_and_index)
{
	const char *x =
		"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
		"xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>"
		"<url><loc>http://news.test/a/1</loc><lastmod>2022-01-01</lastmod>"
		"<news:news><news:publication><news:name>N</news:name></news:publication>"
		"<news:publication_date>2022-04-13T12:11:23+08:00</news:publication_date>"
		"<news:title>标题</news:title></news:news></url>"
		"<url><loc> http://news.test/a/2 </loc><lastmod>2022-04-13</lastmod></url>"
		"</urlset>";
	struct feed f;
	CHECK_INT(parse(x, &f), NM_OK);
	CHECK_INT(f.kind, FEED_URLSET);
	CHECK_INT(f.n, 2);
	if (f.n == 2) {
		CHECK_STR(f.items[0].title, "标题");
		CHECK_INT(f.items[0].date.t, 1649823083);
		CHECK_STR(f.items[1].url, "http://news.test/a/2");
		CHECK(f.items[1].date.set);
	}
	feed_free(&f);
	const char *ix = "<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
			 "<sitemap><loc>/sitemap-news.xml</loc></sitemap>"
			 "<sitemap><loc>/sitemap.xml.gz</loc></sitemap></sitemapindex>";
	CHECK_INT(parse(ix, &f), NM_OK);
	CHECK_INT(f.kind, FEED_SITEMAPINDEX);
	CHECK_INT(f.n, 2);
	if (f.n == 2)
		CHECK_STR(f.items[1].url, "http://news.test/sitemap.xml.gz");
	feed_free(&f);
}

static size_t gz(const char *in, size_t n, unsigned char *out, size_t outsz)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	deflateInit2(&z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)outsz;
	deflate(&z, Z_FINISH);
	size_t r = z.total_out;
	deflateEnd(&z);
	return r;
}

TEST(feed_gzip_sitemap_and_bomb)
{
	const char *x = "<urlset><url><loc>http://h/a</loc></url></urlset>";
	unsigned char z[256];
	size_t zn = gz(x, strlen(x), z, sizeof z);
	CHECK(feed_sniff((const char *)z, zn, NULL));
	struct feed f;
	struct nm_err e;
	CHECK_INT(feed_parse((const char *)z, zn, "http://h/s.xml.gz", &f, &e), NM_OK);
	CHECK_INT(f.n, 1);
	feed_free(&f);
	/* 64 MiB of spaces compress to ~64 KiB: refused while inflating */
	size_t big = 64u << 20;
	char *sp = malloc(big);
	memset(sp, ' ', big);
	memcpy(sp, "<urlset>", 8);
	size_t cap = big / 100;
	unsigned char *bomb = malloc(cap);
	size_t bn = gz(sp, big, bomb, cap);
	CHECK(bn > 0 && bn < cap);
	CHECK_INT(feed_parse((const char *)bomb, bn, "http://h/", &f, &e), NM_ELIMIT);
	feed_free(&f);
	free(sp);
	free(bomb);
}

TEST(feed_entities_refused)
{
	const char *xxe = "<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY x SYSTEM "
			  "'file:///etc/passwd'>]><rss><channel><item><title>&x;</title>"
			  "<link>http://h/a</link></item></channel></rss>";
	struct feed f;
	CHECK_INT(parse(xxe, &f), NM_EREFUSED);
	feed_free(&f);
	const char *lol = "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'>"
			  "<!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>"
			  "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>]>"
			  "<rss><channel><item><title>&lol3;</title></item></channel></rss>";
	CHECK_INT(parse(lol, &f), NM_EREFUSED);
	feed_free(&f);
	/* an undeclared reference is left alone, not looked up anywhere */
	const char *undecl = "<rss><channel><item><title>a &nbsp; b</title>"
			     "<link>http://h/a</link></item></channel></rss>";
	CHECK_INT(parse(undecl, &f), NM_OK);
	CHECK_INT(f.n, 1);
	feed_free(&f);
}

TEST(feed_sniff_and_non_feeds)
{
	const char *h = "<!DOCTYPE html><html><body>x</body></html>";
	CHECK(!feed_sniff(h, strlen(h), "text/html"));
	const char *r = "\xEF\xBB\xBF<?xml version='1.0'?>\n<!-- c --><?xml-stylesheet x?><rss>";
	CHECK(feed_sniff(r, strlen(r), NULL));
	const char *a = "<feed xmlns='http://www.w3.org/2005/Atom'>";
	CHECK(feed_sniff(a, strlen(a), NULL));
	struct feed f;
	CHECK_INT(parse(h, &f), NM_EPARSE);
	feed_free(&f);
	CHECK_INT(parse("garbage", &f), NM_EPARSE);
	feed_free(&f);
	CHECK_INT(parse("", &f), NM_EPARSE);
	feed_free(&f);
}
