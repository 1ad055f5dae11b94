/*
 * url.h - URL parsing and resolution live in common/url.h (included here
 * so net/ code keeps one include); which addresses a request may connect
 * to is decided by net/policy.h (policy_addr_private).
 */
#ifndef NM_NET_URL_H
#define NM_NET_URL_H

#include "common/url.h"

#endif
