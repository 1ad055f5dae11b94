/*
 * bench_url.c - common/url.c against the libcurl-based url_resolve it
 * replaced: a differential check and a speed comparison over real links.
 *
 *   bench_url [--examples N] PAGE.html...
 *
 * Every href and src attribute of the pages is resolved against the page's
 * base (its <base href> resolved against BENCH_PAGE_URL, the URL
 * Readability's own test harness gives these pages, else BENCH_PAGE_URL)
 * with both resolvers.  Differences are counted by class, with up to N
 * examples each (default 3).  Then each resolver resolves the whole link
 * list BENCH_REPS times; the best run's time per link is printed.
 *
 * The old resolver is kept here, verbatim from net/url.c before the move,
 * as curl_resolve: it exists only to be compared with.
 */
#include "common/buf.h"
#include "common/file.h"
#include "common/url.h"
#include "dom/html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#define BENCH_REPS 5
/* Pages larger than this are skipped (the corpus stays below 2 MB). */
#define BENCH_PAGE_MAX ((size_t)32 * 1024 * 1024)
#define BENCH_PAGE_URL "http://fakehost/test/page.html"
/* Links kept in memory: the 130 Readability pages hold about 40,000. */
#define BENCH_MAX_LINKS 500000

static int curl_resolve(const char *base, const char *ref, struct buf *out)
{
	if (ref && (ref[0] == '#' || ref[0] == '\0') && base && *base) {
		struct buf b = BUF_INIT;
		int r = curl_resolve(NULL, base, &b);
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

struct link {
	char *base, *ref;
};

static struct link links[BENCH_MAX_LINKS];
static size_t nlinks;
static char *bases[4096]; /* one per page, freed at the end */
static size_t nbases;

static void collect(const char *path)
{
	struct buf src = BUF_INIT;
	struct nm_err e = {0};
	struct html_doc *d = NULL;
	if (file_read(path, BENCH_PAGE_MAX, &src, &e) != NM_OK || html_parse(src.ptr, src.len, &d, &e) != NM_OK) {
		fprintf(stderr, "bench_url: %s: cannot read or parse\n", path);
		buf_free(&src);
		return;
	}
	buf_free(&src);
	char *base = strdup(BENCH_PAGE_URL);
	xmlNodePtr root = xmlDocGetRootElement(d->doc);
	/* pass 0 finds <base href>, pass 1 collects */
	for (int pass = 0; pass < 2; pass++) {
		for (xmlNodePtr n = root; n;) {
			if (n->type == XML_ELEMENT_NODE) {
				for (xmlAttrPtr a = n->properties; a; a = a->next) {
					bool href = !xmlStrcmp(a->name, BAD_CAST "href");
					if (!href && xmlStrcmp(a->name, BAD_CAST "src"))
						continue;
					xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
					if (!v)
						continue;
					if (pass == 0 && href && !xmlStrcmp(n->name, BAD_CAST "base")) {
						struct buf b = BUF_INIT;
						if (url_resolve(BENCH_PAGE_URL, (char *)v, &b) == 0) {
							free(base);
							base = buf_detach(&b);
						}
						buf_free(&b);
					} else if (pass == 1 && nlinks < BENCH_MAX_LINKS) {
						links[nlinks].base = base;
						links[nlinks].ref = strdup((char *)v);
						nlinks++;
					}
					xmlFree(v);
				}
			}
			if (n->children && n->type == XML_ELEMENT_NODE) {
				n = n->children;
				continue;
			}
			while (n && !n->next && n != root)
				n = n->parent;
			n = n && n != root ? n->next : NULL;
		}
	}
	html_free(d);
	if (nbases < sizeof bases / sizeof *bases)
		bases[nbases++] = base; /* else leaked: a bench over 4096 pages */
}

/* ---- classes of differences ---- */

enum cls {
	K_SAME, K_BOTH_FAIL, K_NEW_ONLY_OTHER_SCHEME, K_NEW_ONLY_HTTP, K_OLD_ONLY,
	K_WHITESPACE, K_BACKSLASH, K_IDNA, K_HOST_CASE, K_EMPTY_TAIL, K_NONHTTP, K_PERCENT,
	K_DOTS, K_OTHER, K_N
};
static const char *const cls_name[K_N] = {
	"identical",
	"both refuse",
	"new resolves, old refused: non-http scheme (mailto:, javascript:, data:, ...)",
	"new resolves, old refused: http(s)",
	"old resolves, new refuses",
	"differ: whitespace in the reference (tab/newline/space)",
	"differ: backslash in the reference",
	"differ: non-ASCII host (IDNA)",
	"differ: letter case only (host lower-cased)",
	"differ: empty query '?' or fragment '#' kept",
	"differ: non-http scheme (old adds '/' after an authority)",
	"differ: percent-encoding",
	"differ: dot segments",
	"differ: other",
};

static bool has_any(const char *s, const char *set)
{
	return strpbrk(s, set) != NULL;
}

static enum cls classify(const struct link *l, int ro, const char *o, int rn, const char *n)
{
	if (ro < 0 && rn < 0)
		return K_BOTH_FAIL;
	if (ro < 0)
		return url_is_http(n) ? K_NEW_ONLY_HTTP : K_NEW_ONLY_OTHER_SCHEME;
	if (rn < 0)
		return K_OLD_ONLY;
	if (!strcmp(o, n))
		return K_SAME;
	if (has_any(l->ref, "\t\n\r") || l->ref[0] == ' ' || l->ref[strlen(l->ref) - 1] == ' ')
		return K_WHITESPACE;
	if (strchr(l->ref, '\\'))
		return K_BACKSLASH;
	if (strstr(n, "xn--") && !strstr(o, "xn--"))
		return K_IDNA;
	if (!strcasecmp(o, n))
		return K_HOST_CASE;
	size_t on = strlen(o), nn = strlen(n);
	if (nn > on && !strncmp(o, n, on) && !strcmp(n + on, n[nn - 1] == '#' ? "#" : "?"))
		return K_EMPTY_TAIL;
	if (!url_is_http(n))
		return K_NONHTTP;
	if (strstr(l->ref, "/.") || strstr(l->ref, "%2e") || strstr(l->ref, "%2E"))
		return K_DOTS;
	if (strchr(o, '%') || strchr(n, '%') || has_any(l->ref, " \"<>`{}|^'"))
		return K_PERCENT;
	for (const char *p = l->ref; *p; p++)
		if ((unsigned char)*p >= 0x80)
			return K_PERCENT;
	return K_OTHER;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double time_all(int (*fn)(const char *, const char *, struct buf *))
{
	double best = 1e30;
	struct buf b = BUF_INIT;
	for (int r = 0; r < BENCH_REPS; r++) {
		double t0 = now_s();
		for (size_t i = 0; i < nlinks; i++) {
			buf_clear(&b);
			(void)fn(links[i].base, links[i].ref, &b);
		}
		double t = now_s() - t0;
		if (t < best)
			best = t;
	}
	buf_free(&b);
	return best;
}

int main(int argc, char **argv)
{
	int examples = 3, first = 1;
	if (argc > 2 && !strcmp(argv[1], "--examples")) {
		examples = atoi(argv[2]);
		first = 3;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: bench_url [--examples N] PAGE.html...\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (int i = first; i < argc; i++)
		collect(argv[i]);
	size_t count[K_N] = {0};
	int shown[K_N] = {0};
	struct buf o = BUF_INIT, n = BUF_INIT;
	for (size_t i = 0; i < nlinks; i++) {
		buf_clear(&o);
		buf_clear(&n);
		int ro = curl_resolve(links[i].base, links[i].ref, &o);
		int rn = url_resolve(links[i].base, links[i].ref, &n);
		enum cls k = classify(&links[i], ro, buf_cstr(&o), rn, buf_cstr(&n));
		count[k]++;
		if (k != K_SAME && shown[k]++ < examples)
			printf("  [%s]\n    ref <%.200s>\n    old <%.200s>\n    new <%.200s>\n",
			       cls_name[k], links[i].ref, ro < 0 ? "(refused)" : buf_cstr(&o),
			       rn < 0 ? "(refused)" : buf_cstr(&n));
	}
	buf_free(&o);
	buf_free(&n);
	printf("url differential: %zu links (href/src) from %d pages\n", nlinks, argc - first);
	for (int k = 0; k < K_N; k++)
		printf("  %7zu  %s\n", count[k], cls_name[k]);
	double tc = time_all(curl_resolve), tn = time_all(url_resolve);
	printf("url speed: %zu links, best of %d: libcurl %.0f ns/link, common/url %.0f ns/link "
	       "(%.1fx)\n",
	       nlinks, BENCH_REPS, tc / (double)nlinks * 1e9, tn / (double)nlinks * 1e9, tc / tn);
	for (size_t i = 0; i < nlinks; i++)
		free(links[i].ref);
	for (size_t i = 0; i < nbases; i++)
		free(bases[i]);
	curl_global_cleanup();
	return 0;
}
