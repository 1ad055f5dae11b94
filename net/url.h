/*
 * url.h - network policy on addresses.  URL parsing and resolution live in
 * common/url.h (included here so net/ code keeps one include).
 */
#ifndef NM_NET_URL_H
#define NM_NET_URL_H

#include <stdbool.h>

#include "common/url.h"

struct sockaddr;
/* True for addresses a fetched page must not make us connect to:
 * loopback, private (RFC 1918, CGNAT), link-local (cloud metadata),
 * unspecified, multicast, IPv6 ULA/link-local, and their v4-mapped forms. */
bool url_addr_private(const struct sockaddr *sa);

#endif
