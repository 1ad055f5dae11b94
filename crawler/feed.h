/*
 * feed.h - RSS 2.0 / RSS 1.0 / Atom feeds and sitemaps (urlset, sitemap
 * index, Google news sitemaps, .xml.gz files) to a list of URLs with the
 * title and date each entry states.
 *
 * Parsed with libxml2 with network access off (XML_PARSE_NONET) and entity
 * substitution off (no XML_PARSE_NOENT, no DTD loading); a document that
 * declares entities at all is refused before parsing, so neither XXE nor
 * "billion laughs" can happen.  Entity references are never expanded when
 * text is read.  Sizes are capped (FEED_MAX_BYTES decoded, also for gzip).
 */
#ifndef NM_FEED_H
#define NM_FEED_H

#include <stdbool.h>
#include <stddef.h>

#include "common/date.h"
#include "common/err.h"

/* sitemaps.org: a sitemap holds at most 50,000 URLs and 50 MB
 * uncompressed; feeds are far smaller.  Beyond these the document is
 * refused (bytes) or cut (entries). */
#define FEED_MAX_BYTES ((size_t)50 * 1024 * 1024)
#define FEED_MAX_ITEMS 50000

enum feed_kind {
	FEED_NONE,         /* not a feed or sitemap */
	FEED_RSS,          /* RSS 0.9x/2.0 and RSS 1.0 (RDF) */
	FEED_ATOM,
	FEED_URLSET,       /* a sitemap of pages */
	FEED_SITEMAPINDEX, /* a sitemap of sitemaps */
};

struct feed_item {
	char *url;         /* absolute http(s) URL */
	char *title;       /* item title / news:title, or NULL */
	struct when date;  /* pubDate / published / news:publication_date /
			    * lastmod (in that order of preference) */
};

struct feed {
	enum feed_kind kind;
	struct feed_item *items;
	size_t n;
	bool truncated;    /* more than FEED_MAX_ITEMS entries */
};

/* True when bytes (or the Content-Type) look like a feed or sitemap: gzip
 * magic, or a root element rss / rdf:RDF / feed / urlset / sitemapindex. */
bool feed_sniff(const char *bytes, size_t n, const char *content_type);

/* Parses bytes[0..n) (gzip-compressed or not) with relative URLs resolved
 * against base.  Entries without a usable http(s) URL are skipped.
 * Errors: NM_EPARSE (not well-formed, or not a feed/sitemap), NM_EREFUSED
 * (declares entities), NM_ELIMIT (over FEED_MAX_BYTES after inflating).
 * f is valid (possibly empty) either way; free with feed_free. */
enum nm_code feed_parse(const char *bytes, size_t n, const char *base, struct feed *f,
			struct nm_err *e);
void feed_free(struct feed *f);

#endif
