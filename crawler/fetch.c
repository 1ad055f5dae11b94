/*
 * fetch.c - single blocking GET on a curl easy handle.
 */
#include "crawler/fetch.h"
#include "common/mem.h"
#include "crawler/url.h"

#include <stdlib.h>
#include <string.h>

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
	struct curl_slist *ct = NULL;
	for (const char *const *c = o ? o->connect_to : NULL; c && *c; c++)
		ct = curl_slist_append(ct, *c);

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRS);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT, o && o->user_agent ? o->user_agent : "newsmd/1.0");
	curl_easy_setopt(h, CURLOPT_TIMEOUT, o && o->timeout_s ? o->timeout_s : 30L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	if (ct)
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, ct);
	if (o && o->referer)
		curl_easy_setopt(h, CURLOPT_REFERER, o->referer);

	CURLcode cc = curl_easy_perform(h);
	enum nm_code rc = NM_OK;
	char *eff = NULL, *ctype = NULL;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff);
	curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype);
	r->final_url = xstrdup(eff ? eff : url);
	r->content_type = ctype ? xstrdup(ctype) : NULL;
	if (s.over)
		rc = err_set(e, NM_ELIMIT, "body larger than %zu bytes; refused", s.max);
	else if (cc == CURLE_UNSUPPORTED_PROTOCOL)
		rc = err_set(e, NM_EREFUSED, "redirect to a scheme other than http/https refused");
	else if (cc == CURLE_TOO_MANY_REDIRECTS)
		rc = err_set(e, NM_EREFUSED, "more than %d redirects", FETCH_MAX_REDIRS);
	else if (cc != CURLE_OK)
		rc = err_set(e, NM_ENET, "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
	else if (r->status >= 400)
		rc = err_set(e, NM_ENET, "HTTP %ld", r->status);
	curl_slist_free_all(ct);
	curl_easy_cleanup(h);
	return rc;
}

void fetch_result_free(struct fetch_result *r)
{
	buf_free(&r->body);
	free(r->content_type);
	free(r->final_url);
	memset(r, 0, sizeof *r);
}
