#include "tests/unit/unit.h"
#include "common/url.h"

static const char *res(const char *base, const char *ref)
{
	static char out[URL_MAX_LEN + 1];
	struct buf b = BUF_INIT;
	if (url_resolve(base, ref, &b) < 0)
		snprintf(out, sizeof out, "ERR");
	else
		snprintf(out, sizeof out, "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

TEST(url_resolve_rfc3986)
{
	CHECK_STR(res("https://a.example/x/y.html?q=1#top", "#sec"), "https://a.example/x/y.html?q=1#sec");
	CHECK_STR(res("https://a.example/x/y.html?q=1#top", ""), "https://a.example/x/y.html?q=1");
	CHECK_STR(res("https://a.example/x/y.html", "../z.html"), "https://a.example/z.html");
	CHECK_STR(res("https://a.example/x/y.html", "//cdn.example/i.png"), "https://cdn.example/i.png");
	CHECK_STR(res("https://a.example/x/y.html", "?p=2"), "https://a.example/x/y.html?p=2");
	CHECK_STR(res(NULL, "relative/only"), "ERR");
	struct buf h = BUF_INIT;
	CHECK_INT(url_host("HTTPS://News.Example.COM:8080/a", &h), 0);
	CHECK_STR(buf_cstr(&h), "news.example.com");
	buf_free(&h);
	CHECK(url_is_http("https://x") && !url_is_http("file:///etc/passwd"));
	CHECK(url_looks_absolute("http://x") && !url_looks_absolute("dir/file.html"));
}
