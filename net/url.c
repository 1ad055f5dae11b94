/*
 * url.c - which addresses a request may connect to (url_addr_private); the
 * URL parser itself is common/url.c.
 */
#include "net/url.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

static bool private_v4(const unsigned char *a)
{
	return a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 169 && a[1] == 254) ||
	       (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
	       (a[0] == 100 && (a[1] & 0xc0) == 64) || a[0] >= 224;
}

bool url_addr_private(const struct sockaddr *sa)
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
