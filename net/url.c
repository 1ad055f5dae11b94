/*
 * url.c - thin layer over curl_url(): parse, resolve, take apart.  Only
 * crawler/ talks to libcurl; later stages call these.
 */
#include "net/url.h"

#include <ctype.h>
#include <string.h>

#include <curl/curl.h>

int url_resolve(const char *base, const char *ref, struct buf *out)
{
	if (ref && (ref[0] == '#' || ref[0] == '\0') && base && *base) {
		/* libcurl 7.88 drops the base's file name and query when resolving
		 * a bare fragment or an empty reference; RFC 3986 keeps them. */
		struct buf b = BUF_INIT;
		int r = url_resolve(NULL, base, &b);
		if (r == 0) {
			const char *hash = strchr(buf_cstr(&b), '#');
			size_t bl = hash ? (size_t)(hash - b.ptr) : b.len;
			r = bl + strlen(ref) > URL_MAX_LEN ? -1 : 0;
			if (r == 0 && (buf_put(out, b.ptr, bl) < 0 || buf_puts(out, ref) < 0))
				r = -1;
		}
		buf_free(&b);
		return r;
	}
	int rc = -1;
	char *s = NULL;
	CURLU *u = curl_url();
	if (!u)
		return -1;
	if (base && *base && strlen(base) <= URL_MAX_LEN &&
	    curl_url_set(u, CURLUPART_URL, base, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
		goto out;
	if (ref && strlen(ref) > URL_MAX_LEN)
		goto out;
	if (curl_url_set(u, CURLUPART_URL, ref ? ref : "", CURLU_NON_SUPPORT_SCHEME) !=
	    CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
		goto out;
	if (strlen(s) > URL_MAX_LEN)
		goto out;
	rc = buf_puts(out, s);
out:
	curl_free(s);
	curl_url_cleanup(u);
	return rc;
}

int url_host(const char *url, struct buf *out)
{
	int rc = -1;
	char *h = NULL;
	CURLU *u = curl_url();
	if (!u)
		return -1;
	if (strlen(url) > URL_MAX_LEN ||
	    curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK)
		goto out;
	size_t start = out->len;
	rc = buf_puts(out, h);
	for (size_t i = start; rc == 0 && i < out->len; i++)
		out->ptr[i] = (char)tolower((unsigned char)out->ptr[i]);
out:
	curl_free(h);
	curl_url_cleanup(u);
	return rc;
}

bool url_is_http(const char *url)
{
	return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8);
}

bool url_looks_absolute(const char *s)
{
	const char *p = s;
	if (!isalpha((unsigned char)*p))
		return false;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return p[0] == ':' && p[1] == '/' && p[2] == '/';
}
