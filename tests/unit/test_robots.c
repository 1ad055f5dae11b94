/*
 * test_robots.c - RFC 9309 group choice, longest match, allow on ties,
 * wildcards, status policies, Crawl-delay, Sitemap, size cap.
 */
#include "tests/unit/unit.h"
#include "net/robots.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct robots *P(const char *txt)
{
	return robots_parse(txt, strlen(txt), "newsmd/1.0 (+https://example.org/bot)");
}

TEST(robots_star_group_and_longest_match)
{
	struct robots *r = P("User-agent: *\n"
			     "Disallow: /private/\n"
			     "Allow: /private/ok\n"
			     "Crawl-delay: 1\n"
			     "Sitemap: /sitemap_index.xml\n");
	CHECK(!robots_allowed(r, "/private/x"));
	CHECK(robots_allowed(r, "/private/ok.html"));
	CHECK(robots_allowed(r, "/public"));
	CHECK(robots_allowed(r, "/robots.txt"));
	CHECK_INT(robots_crawl_delay_ms(r), 1000);
	CHECK_STR(robots_sitemaps(r)[0], "/sitemap_index.xml");
	CHECK(robots_sitemaps(r)[1] == NULL);
	robots_free(r);
}

TEST(robots_our_group_wins_over_star)
{
	struct robots *r = P("User-agent: *\nDisallow: /\n\n"
			     "User-agent: otherbot\nUser-agent: NewsMD\nDisallow: /x\n"
			     "Crawl-delay: 2.5\n\n"
			     "User-agent: newsmd/2.0\nDisallow: /y\n");
	CHECK(robots_allowed(r, "/a"));
	CHECK(!robots_allowed(r, "/x/1"));
	CHECK(!robots_allowed(r, "/y")); /* groups naming us are merged */
	CHECK_INT(robots_crawl_delay_ms(r), 2500);
	robots_free(r);
}

TEST(robots_tie_allows_and_wildcards)
{
	struct robots *r = P("user-agent: *\ndisallow: /a\nallow: /a\n"
			     "disallow: /*.pdf$\ndisallow: /q?*sessionid=\n"
			     "disallow: /%7Ehome\ndisallow: /新闻/\n");
	CHECK(robots_allowed(r, "/a/b"));
	CHECK(!robots_allowed(r, "/docs/x.pdf"));
	CHECK(robots_allowed(r, "/docs/x.pdf?download=1"));
	CHECK(!robots_allowed(r, "/q?a=1&sessionid=2"));
	CHECK(!robots_allowed(r, "/~home/x")); /* %7E and ~ are the same */
	CHECK(!robots_allowed(r, "/%E6%96%B0%E9%97%BB/1"));
	robots_free(r);
}

TEST(robots_empty_and_comments)
{
	struct robots *r = P("# nothing\nUser-agent: * # all\nDisallow:\n");
	CHECK(robots_allowed(r, "/anything"));
	CHECK_INT(robots_crawl_delay_ms(r), -1);
	robots_free(r);
	r = P("");
	CHECK(robots_allowed(r, "/"));
	robots_free(r);
	/* rules before any user-agent line belong to no group */
	r = P("Disallow: /\n");
	CHECK(robots_allowed(r, "/x"));
	robots_free(r);
}

TEST(robots_status_policies)
{
	struct robots *r = robots_for_status(404);
	CHECK(robots_allowed(r, "/x"));
	robots_free(r);
	r = robots_for_status(403);
	CHECK(robots_allowed(r, "/x"));
	robots_free(r);
	r = robots_for_status(503);
	CHECK(!robots_allowed(r, "/x"));
	CHECK(robots_allowed(r, "/robots.txt"));
	robots_free(r);
	r = robots_for_status(0); /* unreachable */
	CHECK(!robots_allowed(r, "/x"));
	robots_free(r);
}

TEST(robots_crawl_delay_capped)
{
	struct robots *r = P("User-agent: *\nCrawl-delay: 86400\n");
	CHECK_INT(robots_crawl_delay_ms(r), ROBOTS_MAX_DELAY_MS);
	CHECK(robots_delay_capped(r));
	robots_free(r);
}

TEST(robots_size_cap_and_pathological_patterns_fast)
{
	/* 1 MiB of rules: only the first 500 KiB are read */
	size_t n = 1024 * 1024;
	char *t = malloc(n + 1);
	const char *head = "User-agent: *\n";
	size_t hl = strlen(head), p = hl;
	memcpy(t, head, hl);
	const char *line = "Disallow: /*a*a*a*a*a*a*a*a*a*a*b$\n";
	size_t ll = strlen(line);
	while (p + ll < n) {
		memcpy(t + p, line, ll);
		p += ll;
	}
	memcpy(t + p - ll, "Disallow: /tail\n", 16); /* past the cap: ignored */
	t[p] = 0;
	clock_t c0 = clock();
	struct robots *r = robots_parse(t, p, "newsmd");
	char path[200];
	memset(path, 'a', sizeof path - 1);
	path[0] = '/';
	path[sizeof path - 1] = 0;
	CHECK(robots_allowed(r, path));
	CHECK(robots_allowed(r, "/tail"));
	double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
	CHECK(secs < 5.0);
	robots_free(r);
	free(t);
}
