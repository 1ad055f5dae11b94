/*
 * fetch.c - single blocking GET on a curl easy handle.
 */
#include "net/fetch.h"
#include "common/mem.h"
#include "net/url.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>

struct sink {
	struct buf *b;
	size_t max;
	bool over;
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *ud)
{
	struct sink *s = ud;
	size_t n = size * nmemb;
	if (s->b->len + n > s->max) {
		s->over = true;
		return 0; /* aborts the transfer */
	}
	buf_put(s->b, p, n);
	return n;
}

struct hop {
	bool trusted; /* this hop's host is the one the user named */
	bool refused; /* the connection was refused by the address check */
};

/* Every connection's resolved address is checked: a redirect from the
 * host the user named to loopback, private or link-local addresses
 * (cloud metadata at 169.254.169.254) is refused.  The named host itself
 * may be local: the user asked for it. */
static curl_socket_t on_open(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct hop *h = ud;
	(void)purpose;
	if (!h->trusted && url_addr_private(&a->addr)) {
		h->refused = true;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

enum nm_code fetch_url(const char *url, const struct fetch_opts *o,
		       struct fetch_result *r, struct nm_err *e)
{
	memset(r, 0, sizeof *r);
	err_where(e, url, 0, 0);
	if (!url_is_http(url))
		return err_set(e, NM_EREFUSED, "only http and https URLs are fetched");
	if (strlen(url) > URL_MAX_LEN)
		return err_set(e, NM_EREFUSED, "URL longer than %d bytes", URL_MAX_LEN);

	CURL *h = curl_easy_init();
	if (!h)
		return err_set(e, NM_ENET, "cannot start libcurl");
	char errbuf[CURL_ERROR_SIZE] = "";
	struct sink s = {&r->body, o && o->max_bytes ? o->max_bytes : 10485760, false};
	struct curl_slist *ct = NULL, *hdrs = NULL;
	for (const char *const *c = o ? o->connect_to : NULL; c && *c; c++)
		ct = curl_slist_append(ct, *c);
	struct buf first_host = BUF_INIT, cur = BUF_INIT, host = BUF_INIT;
	if (o && o->trusted_host)
		buf_puts(&first_host, o->trusted_host);
	else
		url_host(url, &first_host);
	buf_puts(&cur, url);
	struct hop hop = {true, false};

	/* Redirects are followed here, one hop at a time, so each hop's scheme
	 * and address are checked before anything is sent to it. */
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT, o && o->user_agent ? o->user_agent : "newsmd/1.0");
	curl_easy_setopt(h, CURLOPT_TIMEOUT, o && o->timeout_s ? o->timeout_s : 30L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_open);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &hop);
	if (ct)
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, ct);
	if (o && o->referer)
		curl_easy_setopt(h, CURLOPT_REFERER, o->referer);
	if (o && o->accept)
		hdrs = curl_slist_append(hdrs, o->accept);
	if (hdrs)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);

	enum nm_code rc = NM_OK;
	CURLcode cc = CURLE_OK;
	for (int hops = 0;; hops++) {
		buf_clear(&host);
		url_host(buf_cstr(&cur), &host);
		hop.trusted = !strcmp(buf_cstr(&host), buf_cstr(&first_host));
		hop.refused = false;
		buf_clear(&r->body);
		curl_easy_setopt(h, CURLOPT_URL, buf_cstr(&cur));
		cc = curl_easy_perform(h);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
		char *loc = NULL;
		if (cc != CURLE_OK || r->status < 300 || r->status > 399 ||
		    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) != CURLE_OK || !loc)
			break;
		if (hops >= FETCH_MAX_REDIRS) {
			cc = CURLE_TOO_MANY_REDIRECTS;
			break;
		}
		if (!url_is_http(loc)) {
			cc = CURLE_UNSUPPORTED_PROTOCOL;
			break;
		}
		struct buf next = BUF_INIT;
		buf_puts(&next, loc);
		buf_free(&cur);
		cur = next;
	}
	char *ctype = NULL;
	curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype);
	r->final_url = xstrdup(buf_cstr(&cur));
	r->content_type = ctype ? xstrdup(ctype) : NULL;
	if (s.over)
		rc = err_set(e, NM_ELIMIT, "body larger than %zu bytes; refused", s.max);
	else if (hop.refused)
		rc = err_set(e, NM_EREFUSED, "%s%s refused: it resolves to a private, "
					     "loopback or link-local address",
			     strcmp(buf_cstr(&cur), url) ? "redirect to " : "", buf_cstr(&host));
	else if (cc == CURLE_UNSUPPORTED_PROTOCOL)
		rc = err_set(e, NM_EREFUSED, "redirect to a scheme other than http/https refused");
	else if (cc == CURLE_TOO_MANY_REDIRECTS)
		rc = err_set(e, NM_EREFUSED, "more than %d redirects", FETCH_MAX_REDIRS);
	else if (cc != CURLE_OK)
		rc = err_set(e, NM_ENET, "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
	else if (r->status >= 400)
		rc = err_set(e, NM_ENET, "HTTP %ld", r->status);
	buf_free(&first_host);
	buf_free(&cur);
	buf_free(&host);
	curl_easy_cleanup(h);
	curl_slist_free_all(ct);
	curl_slist_free_all(hdrs);
	return rc;
}

void fetch_result_free(struct fetch_result *r)
{
	buf_free(&r->body);
	free(r->content_type);
	free(r->final_url);
	memset(r, 0, sizeof *r);
}
