/*
 * test_canon.c - URL canonicalisation: every duplicate form of research
 * Table 3 row 25 maps to one URL; rel=canonical discovery; shard hash.
 */
#include "tests/unit/unit.h"
#include "net/canon.h"

#include <stdlib.h>
#include <string.h>

static char got[8192 + 64];

static const char *canon(const char *u)
{
	struct buf b = BUF_INIT;
	if (canon_url(u, &b) != 0) {
		buf_free(&b);
		return NULL;
	}
	snprintf(got, sizeof got, "%s", buf_cstr(&b));
	buf_free(&b);
	return got;
}

TEST(canon_duplicate_forms_collapse)
{
	const char *forms[] = {
		"http://news.test/a/1",
		"http://news.test/a/1?utm_source=x&utm_medium=y",
		"http://news.test/a/1#comments",
		"http://news.test/a/1?fbclid=abc",
		"HTTP://NEWS.TEST:80/a/1",
		"http://news.test/b/../a/./1",
		"http://news.test./a/1",
		"  http://news.test/a/1 ",
	};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
		CHECK_STR(canon(forms[i]), "http://news.test/a/1");
}

TEST(canon_query_sorted_stably)
{
	CHECK_STR(canon("http://h/a/2?b=2&a=1"), "http://h/a/2?a=1&b=2");
	CHECK_STR(canon("http://h/a/2?a=1&b=2"), "http://h/a/2?a=1&b=2");
	/* repeated names keep their order: it can matter to the server */
	CHECK_STR(canon("http://h/x?t=2&a=0&t=1"), "http://h/x?a=0&t=2&t=1");
	/* empty parameters and a bare '?' vanish */
	CHECK_STR(canon("http://h/x?&&"), "http://h/x");
	CHECK_STR(canon("http://h/x?utm_campaign=z"), "http://h/x");
	CHECK_STR(canon("http://h/x?id=1&spm=a.b.c"), "http://h/x?id=1");
}

TEST(canon_escapes_normalised)
{
	CHECK_STR(canon("http://h/%7euser/%e4%b8%ad"), "http://h/~user/%E4%B8%AD");
	CHECK_STR(canon("http://h/新闻"), "http://h/%E6%96%B0%E9%97%BB");
	CHECK_STR(canon("http://h/a b"), "http://h/a%20b");
	CHECK_STR(canon("http://h"), "http://h/");
	CHECK_STR(canon("https://h:443/x"), "https://h/x");
	CHECK_STR(canon("https://h:8443/x"), "https://h:8443/x");
	CHECK_STR(canon("http://user:pw@h/x"), "http://h/x");
	/* found by fuzz_canon: decoding must not create a new escape */
	CHECK_STR(canon("http://h/%7%41e"), "http://h/%257Ae");
	CHECK_STR(canon("http://h/%257Ae"), "http://h/%257Ae");
	CHECK_STR(canon("http://h/a/%2e%2e/b"), "http://h/a/%2E%2E/b");
	CHECK_STR(canon("http://2./x"), "http://0.0.0.2/x");
	CHECK(canon("http://h%e7%e%64/") == NULL);
	CHECK_STR(canon("http://新闻.中国/x"), "http://新闻.中国/x");
	CHECK_STR(canon("http://[::1]:8080/x"), "http://[::1]:8080/x");
	CHECK_STR(canon("http://h/K ?"), "http://h/K%20");
}

/* found by fuzz_canon (session 2): an escaped host decodes to a name curl
 * reads differently on the next pass ("%30" is "0", which is 0.0.0.0), so
 * canon_url was not idempotent; passes now repeat to a fixpoint. */
TEST(canon_fuzz_escaped_numeric_host_settles)
{
	CHECK_STR(canon("https://%30/b?a'"), "https://0.0.0.0/b?a'");
	CHECK_STR(canon("https://0.0.0.0/b?a'"), "https://0.0.0.0/b?a'");
	CHECK_STR(canon("http://%31%32%37.1/x"), "http://127.0.0.1/x");
	const char *c = canon("http://0x7f.1/");
	char once[256];
	snprintf(once, sizeof once, "%s", c ? c : "(refused)");
	if (c)
		CHECK_STR(canon(once), once);
}

TEST(canon_refuses_non_http)
{
	CHECK(canon("file:///etc/passwd") == NULL);
	CHECK(canon("javascript:alert(1)") == NULL);
	CHECK(canon("mailto:a@b") == NULL);
	CHECK(canon("/relative") == NULL);
	CHECK(canon("") == NULL);
	char *big = malloc(9000);
	memcpy(big, "http://h/", 9);
	memset(big + 9, 'a', 9000 - 10);
	big[8999] = 0;
	CHECK(canon(big) == NULL);
	free(big);
}

TEST(canon_tracking_names)
{
	CHECK(canon_is_tracking_param("utm_source", 10));
	CHECK(canon_is_tracking_param("UTM_Term", 8));
	CHECK(canon_is_tracking_param("gclid", 5));
	CHECK(!canon_is_tracking_param("utm_", 4));
	CHECK(!canon_is_tracking_param("id", 2));
	CHECK(!canon_is_tracking_param("page", 4));
}

TEST(canon_link_rel_canonical)
{
	const char *html = "<html><head><link rel=stylesheet href=/s.css>"
			   "<LINK href='/a/1?utm_source=rss&amp;x=1' REL=\"Canonical\">"
			   "</head><body></body></html>";
	struct buf b = BUF_INIT;
	CHECK_INT(canon_link_canonical(html, strlen(html), "http://h/amp/1", &b), 0);
	CHECK_STR(buf_cstr(&b), "http://h/a/1?x=1");
	buf_free(&b);
	const char *none = "<html><head><link rel=alternate href=/feed></head></html>";
	CHECK_INT(canon_link_canonical(none, strlen(none), "http://h/", &b), -1);
	const char *js = "<link rel=canonical href=\"javascript:x\">";
	CHECK_INT(canon_link_canonical(js, strlen(js), "http://h/", &b), -1);
	/* an unterminated tag at the end of the buffer does not read past it */
	const char *cut = "<link rel=canonical href=\"http://h/x";
	canon_link_canonical(cut, strlen(cut), "http://h/", &b);
	buf_free(&b);
}

TEST(canon_host_hash_stable)
{
	CHECK(canon_host_hash("News.Test") == canon_host_hash("news.test"));
	CHECK(canon_host_hash("a.test") != canon_host_hash("b.test"));
	/* FNV-1a of the empty string is the offset basis: a fixed value */
	CHECK(canon_host_hash("") == 14695981039346656037ULL);
}

TEST(canon_meta_refresh_forms)
{
	static const struct {
		const char *html;
		const char *want; /* NULL = none */
		long delay;
	} cases[] = {
		{"<meta http-equiv=\"refresh\" content=\"0; url=/a/1\">", "https://n.example/a/1", 0},
		{"<META HTTP-EQUIV='Refresh' CONTENT='5;URL=\"b?x=1&amp;utm_source=t\"'>",
		 "https://n.example/d/b?x=1", 5},
		{"<meta content=\"2, https://o.example/z \" http-equiv=refresh>", "https://o.example/z", 2},
		{"<meta http-equiv=\"refresh\" content=\"300\">", NULL, 0},        /* reload, no URL */
		{"<meta http-equiv=\"refresh\" content=\"0; url=javascript:x()\">", NULL, 0},
		{"<meta http-equiv=\"refresh\" content=\"url=/no-delay\">", NULL, 0},
		{"<meta name=\"refresh\" content=\"0; url=/a\">", NULL, 0},
		{"<p>no meta</p>", NULL, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf out = BUF_INIT;
		long delay = -1;
		int rc = canon_meta_refresh(cases[i].html, strlen(cases[i].html),
					    "https://n.example/d/page.html", &out, &delay);
		if (cases[i].want ? rc != 0 || strcmp(buf_cstr(&out), cases[i].want) || delay != cases[i].delay
				  : rc != -1)
			unit_fail(__FILE__, __LINE__, "%s -> rc %d '%s' delay %ld", cases[i].html, rc,
				  buf_cstr(&out), delay);
		buf_free(&out);
	}
}
