/*
 * feed.c - feeds and sitemaps through libxml2's tree parser.  The shapes
 * are shallow and fixed (root > channel > item > field), so every walk is
 * a loop over one level's children; nothing recurses on input depth.
 */
#include "crawler/feed.h"
#include "common/buf.h"
#include "common/mem.h"
#include "common/url.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zlib.h>

/* Bytes looked at by feed_sniff for the root element: prologs (XML
 * declaration, comments, stylesheet PIs) are short. */
#define FEED_SNIFF_BYTES 4096

static bool is_gzip(const char *b, size_t n)
{
	return n >= 2 && (unsigned char)b[0] == 0x1f && (unsigned char)b[1] == 0x8b;
}

/* The root element's name (with prefix) from the leading bytes, or "". */
static void root_name(const char *b, size_t n, char *out, size_t outsz)
{
	out[0] = 0;
	if (n > FEED_SNIFF_BYTES)
		n = FEED_SNIFF_BYTES;
	size_t i = 0;
	while (i < n) {
		const char *lt = memchr(b + i, '<', n - i);
		if (!lt)
			return;
		i = (size_t)(lt - b) + 1;
		if (i >= n)
			return;
		if (b[i] == '?' || b[i] == '!') {
			/* skip to the end of this declaration, comment or PI */
			const char *gt = memchr(b + i, '>', n - i);
			if (!gt)
				return;
			i = (size_t)(gt - b) + 1;
			continue;
		}
		size_t k = 0;
		while (i < n && k + 1 < outsz && b[i] != '>' && b[i] != '/' &&
		       !strchr(" \t\r\n", b[i]))
			out[k++] = b[i++];
		out[k] = 0;
		return;
	}
}

static bool known_root(const char *name)
{
	const char *colon = strchr(name, ':');
	const char *local = colon ? colon + 1 : name;
	return !strcasecmp(local, "rss") || !strcasecmp(local, "RDF") ||
	       !strcmp(local, "feed") || !strcmp(local, "urlset") ||
	       !strcmp(local, "sitemapindex");
}

bool feed_sniff(const char *bytes, size_t n, const char *content_type)
{
	(void)content_type; /* servers label feeds text/html and pages text/xml:
			     * the bytes decide */
	if (is_gzip(bytes, n))
		return true;
	char name[64];
	root_name(bytes, n, name, sizeof name);
	return known_root(name);
}

/* Inflates a gzip member into out, refusing more than FEED_MAX_BYTES. */
static enum nm_code gunzip(const char *b, size_t n, struct buf *out, struct nm_err *e)
{
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return err_set(e, NM_EPARSE, "cannot start zlib");
	z.next_in = (Bytef *)(uintptr_t)b;
	z.avail_in = (uInt)(n > 0xffffffffu ? 0xffffffffu : n);
	char chunk[65536];
	enum nm_code rc = NM_OK;
	for (;;) {
		z.next_out = (Bytef *)chunk;
		z.avail_out = sizeof chunk;
		int zr = inflate(&z, Z_NO_FLUSH);
		size_t got = sizeof chunk - z.avail_out;
		if (out->len + got > FEED_MAX_BYTES) {
			rc = err_set(e, NM_ELIMIT, "sitemap larger than %zu bytes once inflated; refused",
				     FEED_MAX_BYTES);
			break;
		}
		buf_put(out, chunk, got);
		if (zr == Z_STREAM_END)
			break;
		if (zr != Z_OK) {
			rc = err_set(e, NM_EPARSE, "broken gzip data");
			break;
		}
		if (!got && !z.avail_in) {
			rc = err_set(e, NM_EPARSE, "truncated gzip data");
			break;
		}
	}
	inflateEnd(&z);
	return rc;
}

/* True when the document type declaration declares entities. */
static bool declares_entities(const char *b, size_t n)
{
	const char *dt = memmem(b, n, "<!DOCTYPE", 9);
	if (!dt)
		return false;
	size_t rest = n - (size_t)(dt - b);
	const char *gt = memchr(dt, '>', rest);
	const char *br = memchr(dt, '[', rest);
	size_t span = rest;
	if (br && (!gt || br < gt)) {
		const char *close = memmem(br, rest - (size_t)(br - dt), "]>", 2);
		span = close ? (size_t)(close - dt) : rest;
	} else if (gt) {
		span = (size_t)(gt - dt);
	}
	return memmem(dt, span, "<!ENTITY", 8) != NULL;
}

static bool named(xmlNodePtr n, const char *local)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, local);
}

static bool in_ns(xmlNodePtr n, const char *frag)
{
	return n->ns && n->ns->href && strstr((const char *)n->ns->href, frag);
}

/* The direct text of element n (text and CDATA children; entity
 * references are never followed), trimmed; NULL when empty. */
static char *text_of(xmlNodePtr n)
{
	struct buf b = BUF_INIT;
	for (xmlNodePtr c = n->children; c; c = c->next)
		if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
			buf_puts(&b, (const char *)c->content);
	const char *s = buf_cstr(&b);
	size_t i = 0, len = b.len;
	while (i < len && strchr(" \t\r\n", s[i]))
		i++;
	while (len > i && strchr(" \t\r\n", s[len - 1]))
		len--;
	char *r = len > i ? xstrndup(s + i, len - i) : NULL;
	buf_free(&b);
	return r;
}

static char *attr_of(xmlNodePtr n, const char *name)
{
	/* attribute children are text nodes; references are not followed */
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		if (strcmp((const char *)a->name, name))
			continue;
		struct buf b = BUF_INIT;
		for (xmlNodePtr c = a->children; c; c = c->next)
			if (c->type == XML_TEXT_NODE && c->content)
				buf_puts(&b, (const char *)c->content);
		return buf_detach(&b);
	}
	return NULL;
}

static void set_date(struct when *w, const char *s, bool overwrite)
{
	if (!s || (w->set && !overwrite))
		return;
	struct when t;
	if (date_parse_any(s, NULL, &t) == NM_OK)
		*w = t;
}

static void add_item(struct feed *f, size_t *cap, const char *base, char *url, char *title,
		     struct when date)
{
	struct buf abs = BUF_INIT;
	if (url && f->n >= FEED_MAX_ITEMS)
		f->truncated = true;
	if (url && f->n < FEED_MAX_ITEMS && url_resolve(base, url, &abs) == 0 &&
	    url_is_http(buf_cstr(&abs))) {
		if (f->n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			f->items = xrealloc(f->items, *cap * sizeof *f->items);
		}
		f->items[f->n++] = (struct feed_item){buf_detach(&abs), title, date};
		title = NULL;
	}
	free(url);
	free(title);
	buf_free(&abs);
}

static void rss_item(struct feed *f, size_t *cap, const char *base, xmlNodePtr it)
{
	char *link = NULL, *guid = NULL, *title = NULL;
	struct when date = {false, 0, 0};
	for (xmlNodePtr c = it->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		char *t = NULL;
		if (named(c, "link") && !link && !in_ns(c, "Atom")) {
			link = text_of(c);
		} else if (named(c, "link") && !link) {
			link = attr_of(c, "href"); /* atom:link inside RSS */
		} else if (named(c, "guid") && !guid) {
			char *perma = attr_of(c, "isPermaLink");
			if (!perma || strcasecmp(perma, "false"))
				guid = text_of(c);
			free(perma);
		} else if (named(c, "title") && !title) {
			title = text_of(c);
		} else if (named(c, "pubDate") || named(c, "date")) {
			set_date(&date, t = text_of(c), named(c, "pubDate"));
		}
		free(t);
	}
	if (!link && guid && url_is_http(guid)) {
		link = guid;
		guid = NULL;
	}
	free(guid);
	add_item(f, cap, base, link, title, date);
}

static void atom_entry(struct feed *f, size_t *cap, const char *base, xmlNodePtr en)
{
	char *link = NULL, *title = NULL;
	struct when date = {false, 0, 0};
	bool published = false;
	for (xmlNodePtr c = en->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		char *t = NULL;
		if (named(c, "link")) {
			char *rel = attr_of(c, "rel");
			if ((!rel || !strcmp(rel, "alternate")) && !link)
				link = attr_of(c, "href");
			free(rel);
		} else if (named(c, "title") && !title) {
			title = text_of(c);
		} else if (named(c, "published")) {
			set_date(&date, t = text_of(c), true);
			published = date.set;
		} else if (named(c, "updated") && !published) {
			set_date(&date, t = text_of(c), false);
		}
		free(t);
	}
	add_item(f, cap, base, link, title, date);
}

static void sitemap_url(struct feed *f, size_t *cap, const char *base, xmlNodePtr u)
{
	char *loc = NULL, *title = NULL;
	struct when date = {false, 0, 0}, lastmod = {false, 0, 0};
	for (xmlNodePtr c = u->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		char *t = NULL;
		if (named(c, "loc") && !loc) {
			loc = text_of(c);
		} else if (named(c, "lastmod")) {
			set_date(&lastmod, t = text_of(c), false);
		} else if (named(c, "news")) {
			for (xmlNodePtr d = c->children; d; d = d->next) {
				char *s = NULL;
				if (named(d, "publication_date"))
					set_date(&date, s = text_of(d), true);
				else if (named(d, "title") && !title)
					title = text_of(d);
				free(s);
			}
		}
		free(t);
	}
	add_item(f, cap, base, loc, title, date.set ? date : lastmod);
}

enum nm_code feed_parse(const char *bytes, size_t n, const char *base, struct feed *f,
			struct nm_err *e)
{
	memset(f, 0, sizeof *f);
	struct buf inflated = BUF_INIT;
	enum nm_code rc = NM_OK;
	xmlDocPtr doc = NULL;
	if (is_gzip(bytes, n)) {
		if ((rc = gunzip(bytes, n, &inflated, e)))
			goto out;
		bytes = buf_cstr(&inflated);
		n = inflated.len;
	}
	if (n > FEED_MAX_BYTES) {
		rc = err_set(e, NM_ELIMIT, "feed larger than %zu bytes; refused", FEED_MAX_BYTES);
		goto out;
	}
	if (declares_entities(bytes, n)) {
		rc = err_set(e, NM_EREFUSED, "XML document declares entities; refused");
		goto out;
	}
	/* NONET: no network; no NOENT/DTDLOAD: no substitution, no external
	 * DTD; RECOVER: real feeds have stray '&'s. */
	doc = xmlReadMemory(bytes, (int)n, base, NULL,
			    XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root) {
		rc = err_set(e, NM_EPARSE, "not well-formed XML");
		goto out;
	}
	size_t cap = 0;
	if (named(root, "rss") || named(root, "RDF")) {
		f->kind = FEED_RSS;
		for (xmlNodePtr c = root->children; c; c = c->next) {
			if (named(c, "item")) /* RSS 1.0: items beside the channel */
				rss_item(f, &cap, base, c);
			else if (named(c, "channel"))
				for (xmlNodePtr i = c->children; i; i = i->next)
					if (named(i, "item"))
						rss_item(f, &cap, base, i);
		}
	} else if (named(root, "feed")) {
		f->kind = FEED_ATOM;
		for (xmlNodePtr c = root->children; c; c = c->next)
			if (named(c, "entry"))
				atom_entry(f, &cap, base, c);
	} else if (named(root, "urlset")) {
		f->kind = FEED_URLSET;
		for (xmlNodePtr c = root->children; c; c = c->next)
			if (named(c, "url"))
				sitemap_url(f, &cap, base, c);
	} else if (named(root, "sitemapindex")) {
		f->kind = FEED_SITEMAPINDEX;
		for (xmlNodePtr c = root->children; c; c = c->next)
			if (named(c, "sitemap"))
				sitemap_url(f, &cap, base, c);
	} else {
		rc = err_set(e, NM_EPARSE, "XML root <%s> is not a feed or sitemap",
			     (const char *)root->name);
	}
out:
	xmlFreeDoc(doc);
	buf_free(&inflated);
	return rc;
}

void feed_free(struct feed *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->items[i].url);
		free(f->items[i].title);
	}
	free(f->items);
	memset(f, 0, sizeof *f);
}
