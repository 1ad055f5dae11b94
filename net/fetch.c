/*
 * fetch.c - blocking GETs on a private net/multi.c instance.
 */
#include "net/fetch.h"
#include "common/mem.h"
#include "net/multi.h"
#include "net/url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What a done callback learns, for the item whose index is ud. */
struct fetch_run {
	struct fetch_item *items;
	size_t n;
};

static enum nm_code code_of(enum multi_outcome o)
{
	switch (o) {
	case MO_OK:
	case MO_NOT_MODIFIED: return NM_OK;
	case MO_TOO_LARGE: return NM_ELIMIT;
	case MO_REFUSED:
	case MO_ROBOTS:
	case MO_TYPE: return NM_EREFUSED;
	default: return NM_ENET;
	}
}

static void on_done(void *ctx, const struct multi_res *r)
{
	struct fetch_run *run = ctx;
	size_t i = (size_t)(uintptr_t)r->ud;
	if (i >= run->n)
		return;
	struct fetch_item *it = &run->items[i];
	it->res.status = r->status;
	free(it->res.content_type);
	free(it->res.final_url);
	it->res.content_type = r->content_type ? xstrdup(r->content_type) : NULL;
	it->res.final_url = xstrdup(r->final_url ? r->final_url : r->url);
	buf_clear(&it->res.body);
	if (r->body)
		buf_put(&it->res.body, r->body, r->len);
	it->rc = code_of(r->outcome);
	if (it->rc == NM_OK && r->status >= 400)
		it->rc = NM_ENET;
	if (it->rc != NM_OK) {
		err_where(&it->err, it->url, 0, 0);
		if (r->error)
			err_set(&it->err, it->rc, "%s", r->error);
		else
			err_set(&it->err, it->rc, "HTTP %ld", r->status);
	}
}

struct fetch_session {
	struct multi *m;
};

enum nm_code fetch_session_new(const struct fetch_opts *o, struct fetch_session **out,
			       struct nm_err *e)
{
	static const struct fetch_opts none;
	if (!o)
		o = &none;
	struct multi_cfg mc;
	memset(&mc, 0, sizeof mc);
	mc.user_agent = o->user_agent;
	mc.per_host = o->per_host > 0 ? o->per_host : 1;
	mc.concurrency = mc.per_host;
	mc.delay_ms = o->delay_ms;
	mc.timeout_s = o->timeout_s;
	mc.retries = o->retries;
	mc.max_bytes = o->max_bytes;
	mc.robots = o->robots;
	mc.connect_to = o->connect_to;
	struct fetch_session *s = xcalloc(1, sizeof *s);
	enum nm_code rc = multi_new(&mc, &s->m, e);
	if (rc) {
		free(s);
		s = NULL;
	}
	*out = s;
	return rc;
}

void fetch_session_free(struct fetch_session *s)
{
	if (!s)
		return;
	multi_free(s->m);
	free(s);
}

void fetch_session_run(struct fetch_session *s, struct fetch_item *items, size_t n,
		       const struct fetch_opts *o)
{
	static const struct fetch_opts none;
	if (!o)
		o = &none;
	/* the trusted hosts: the one named, or each URL's own */
	if (o->trusted_host) {
		multi_trust_host(s->m, o->trusted_host);
	} else {
		for (size_t i = 0; i < n; i++) {
			struct buf h = BUF_INIT;
			if (url_host(items[i].url, &h) == 0)
				multi_trust_host(s->m, buf_cstr(&h));
			buf_free(&h);
		}
	}
	const char *hdrs[2] = {o->accept, NULL};
	for (size_t i = 0; i < n; i++) {
		memset(&items[i].res, 0, sizeof items[i].res);
		err_clear(&items[i].err);
		err_where(&items[i].err, items[i].url, 0, 0);
		items[i].rc = err_set(&items[i].err, NM_ENET, "not fetched");
		if (!policy_scheme_ok(items[i].url)) {
			items[i].rc = err_set(&items[i].err, NM_EREFUSED,
					      "only http and https URLs are fetched");
			continue;
		}
		if (strlen(items[i].url) > URL_MAX_LEN) {
			items[i].rc = err_set(&items[i].err, NM_EREFUSED, "URL longer than %d bytes",
					      URL_MAX_LEN);
			continue;
		}
		struct multi_req q;
		memset(&q, 0, sizeof q);
		q.url = items[i].url;
		q.referer = o->referer;
		q.headers = hdrs;
		q.max_bytes = o->max_bytes;
		q.ud = (void *)(uintptr_t)i;
		multi_add(s->m, &q);
	}
	struct fetch_run run = {items, n};
	multi_run(s->m, 0, on_done, NULL, &run);
}

enum nm_code fetch_all(struct fetch_item *items, size_t n, const struct fetch_opts *o,
		       struct nm_err *e)
{
	struct fetch_session *s;
	enum nm_code rc = fetch_session_new(o, &s, e);
	if (rc)
		return rc;
	fetch_session_run(s, items, n, o);
	fetch_session_free(s);
	return NM_OK;
}

enum nm_code fetch_url(const char *url, const struct fetch_opts *o,
		       struct fetch_result *r, struct nm_err *e)
{
	struct fetch_item it;
	memset(&it, 0, sizeof it);
	it.url = url;
	memset(r, 0, sizeof *r);
	enum nm_code rc = fetch_all(&it, 1, o, e);
	if (rc) {
		err_where(e, url, 0, 0);
		return rc;
	}
	*r = it.res;
	if (it.rc && e)
		*e = it.err;
	return it.rc;
}

void fetch_result_free(struct fetch_result *r)
{
	buf_free(&r->body);
	free(r->content_type);
	free(r->final_url);
	memset(r, 0, sizeof *r);
}
