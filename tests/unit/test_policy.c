#include "tests/unit/unit.h"
#include "net/policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* Is the textual address (v4 or v6) refused for an untrusted host? */
static int priv(const char *addr)
{
	struct sockaddr_in v4 = {0};
	struct sockaddr_in6 v6 = {0};
	if (inet_pton(AF_INET, addr, &v4.sin_addr) == 1) {
		v4.sin_family = AF_INET;
		return policy_addr_private((const struct sockaddr *)&v4);
	}
	if (inet_pton(AF_INET6, addr, &v6.sin6_addr) == 1) {
		v6.sin6_family = AF_INET6;
		return policy_addr_private((const struct sockaddr *)&v6);
	}
	return -1;
}

TEST(policy_schemes_http_and_https_only)
{
	CHECK(policy_scheme_ok("http://a.example/"));
	CHECK(policy_scheme_ok("HTTPS://a.example/x"));
	CHECK(!policy_scheme_ok("file:///etc/passwd"));
	CHECK(!policy_scheme_ok("ftp://a.example/"));
	CHECK(!policy_scheme_ok("gopher://a.example/"));
	CHECK(!policy_scheme_ok("javascript:alert(1)"));
	CHECK(!policy_scheme_ok("//a.example/x"));
	CHECK(!policy_scheme_ok("http:/a.example"));
	CHECK(!policy_scheme_ok(NULL));
}

TEST(policy_redirect_hops)
{
	CHECK(policy_redirect(0, "https://b.example/") == NULL);
	CHECK(policy_redirect(NET_MAX_REDIRS - 1, "http://b.example/") == NULL);
	CHECK_STR(policy_redirect(NET_MAX_REDIRS, "http://b.example/"), "more than 10 redirects");
	CHECK_STR(policy_redirect(0, "file:///etc/passwd"),
		  "redirect to a scheme other than http/https refused");
	CHECK_STR(policy_redirect(2, "data:text/html,x"),
		  "redirect to a scheme other than http/https refused");
	CHECK_STR(policy_redirect(0, NULL), "redirect to an unusable URL refused");
}

TEST(policy_private_addresses)
{
	const char *refused[] = {"127.0.0.1",   "127.1.2.3",	  "10.0.0.5",	 "172.16.0.1",
				 "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
				 "0.0.0.0",	   "224.0.0.1",	  "255.255.255.255", "::1",
				 "::",		   "fe80::1",	  "fc00::1",	     "fd12:3456::1",
				 "ff02::1",	   "::ffff:127.0.0.1", "::ffff:169.254.169.254"};
	const char *allowed[] = {"93.184.216.34", "8.8.8.8",	"172.32.0.1", "100.128.0.1",
				 "192.169.0.1",	  "2606:4700::1", "::ffff:8.8.8.8"};
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
		if (priv(refused[i]) != 1)
			unit_fail(__FILE__, __LINE__, "%s not refused", refused[i]);
	for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
		if (priv(allowed[i]) != 0)
			unit_fail(__FILE__, __LINE__, "%s refused", allowed[i]);
	/* a trusted host (the one the operator named) may be local */
	struct sockaddr_in lo = {0};
	lo.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &lo.sin_addr);
	CHECK(policy_addr_allowed((const struct sockaddr *)&lo, true));
	CHECK(!policy_addr_allowed((const struct sockaddr *)&lo, false));
	/* an unknown family is never connected to */
	struct sockaddr other = {0};
	other.sa_family = AF_UNIX;
	CHECK(policy_addr_private(&other));
}

TEST(policy_trusted_hosts_and_message)
{
	const char *t[] = {"news.example", "127.0.0.1", NULL};
	CHECK(policy_host_trusted(t, "news.example"));
	CHECK(policy_host_trusted(t, "NEWS.example"));
	CHECK(!policy_host_trusted(t, "cdn.news.example"));
	CHECK(!policy_host_trusted(t, NULL));
	CHECK(!policy_host_trusted(NULL, "news.example"));
	struct buf b = BUF_INIT;
	policy_ssrf_msg("localhost", false, &b);
	CHECK_STR(buf_cstr(&b), "localhost refused: it resolves to a private, loopback or "
				"link-local address (ssrf_blocked)");
	buf_clear(&b);
	policy_ssrf_msg("10.0.0.1", true, &b);
	CHECK(!strncmp(buf_cstr(&b), "redirect to 10.0.0.1 refused", 28));
	buf_free(&b);
}

TEST(policy_content_types)
{
	CHECK(policy_type_ok(0, "image/png"));
	CHECK(policy_type_ok(ACCEPT_HTML, NULL));
	CHECK(policy_type_ok(ACCEPT_HTML, "Text/HTML; charset=gbk"));
	CHECK(policy_type_ok(ACCEPT_HTML, "application/xhtml+xml"));
	CHECK(!policy_type_ok(ACCEPT_HTML, "application/pdf"));
	CHECK(!policy_type_ok(ACCEPT_HTML, "application/json"));
	CHECK(policy_type_ok(ACCEPT_JSON, "application/ld+json"));
	CHECK(policy_type_ok(ACCEPT_HTML | ACCEPT_JSON, "text/plain "));
	CHECK(policy_type_ok(ACCEPT_XML, "application/rss+xml"));
	CHECK(policy_type_ok(ACCEPT_XML, "application/x-gzip"));
	CHECK(!policy_type_ok(ACCEPT_XML, "image/jpeg"));
	CHECK(!policy_type_ok(ACCEPT_JSON | ACCEPT_XML, "text/html"));
}

TEST(policy_default_body_cap)
{
	CHECK_INT(SETTINGS_MAX_BODY_BYTES, 10485760);
}
