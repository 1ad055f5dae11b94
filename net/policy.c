/*
 * policy.c - the fetch policy's rules (see policy.h).
 */
#include "net/policy.h"

#include <ctype.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define POLICY_STR_(x) #x
#define POLICY_STR(x) POLICY_STR_(x)

bool policy_scheme_ok(const char *url)
{
	return url && (!strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8));
}

const char *policy_redirect(int hops, const char *next)
{
	if (hops >= NET_MAX_REDIRS)
		return "more than " POLICY_STR(NET_MAX_REDIRS) " redirects";
	if (!next)
		return "redirect to an unusable URL refused";
	if (!policy_scheme_ok(next))
		return "redirect to a scheme other than http/https refused";
	return NULL;
}

static bool private_v4(const unsigned char *a)
{
	return a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 169 && a[1] == 254) ||
	       (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
	       (a[0] == 100 && (a[1] & 0xc0) == 64) || a[0] >= 224;
}

bool policy_addr_private(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return private_v4((const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr);
	if (sa->sa_family == AF_INET6) {
		const unsigned char *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		static const unsigned char zero[15] = {0};
		if (!memcmp(a, v4mapped, 12))
			return private_v4(a + 12);
		if (!memcmp(a, zero, 15) && (a[15] == 0 || a[15] == 1))
			return true; /* :: and ::1 */
		return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
		       a[0] == 0xff;
	}
	return true; /* anything else is not for us */
}

bool policy_addr_allowed(const struct sockaddr *sa, bool trusted)
{
	return trusted || !policy_addr_private(sa);
}

bool policy_host_trusted(const char *const *trusted, const char *host)
{
	for (const char *const *t = trusted; host && t && *t; t++)
		if (!strcasecmp(*t, host))
			return true;
	return false;
}

void policy_ssrf_msg(const char *host, bool redirected, struct buf *out)
{
	buf_printf(out,
		   "%s%s refused: it resolves to a private, loopback or link-local address "
		   "(ssrf_blocked)",
		   redirected ? "redirect to " : "", host && *host ? host : "host");
}

bool policy_type_ok(unsigned accept, const char *ct)
{
	if (!accept || !ct || !*ct)
		return true; /* no type: let the bytes decide */
	char t[128];
	size_t n = 0;
	while (ct[n] && ct[n] != ';' && n + 1 < sizeof t) {
		t[n] = (char)tolower((unsigned char)ct[n]);
		n++;
	}
	while (n && isspace((unsigned char)t[n - 1]))
		n--;
	t[n] = 0;
	if ((accept & ACCEPT_HTML) && (!strcmp(t, "text/html") || !strcmp(t, "application/xhtml+xml")))
		return true;
	if ((accept & ACCEPT_JSON) && (strstr(t, "json") || !strcmp(t, "text/plain") ||
				       !strcmp(t, "text/javascript") ||
				       !strcmp(t, "application/javascript")))
		return true;
	if ((accept & ACCEPT_XML) &&
	    (strstr(t, "xml") || strstr(t, "gzip") || !strcmp(t, "application/octet-stream") ||
	     !strcmp(t, "text/plain")))
		return true;
	return false;
}
