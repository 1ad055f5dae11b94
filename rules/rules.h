/*
 * rules.h - per-site rule files (SPEC §4): the compiled model and the
 * loader.  Everything a rule names is compiled at load time (selectors,
 * XPath, regexes, time zones, date formats), so extraction never parses a
 * selector twice and a broken rule fails before any fetch, with
 * FILE:LINE:COL.
 */
#ifndef NM_RULES_H
#define NM_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"
#include "rules/config.h"

struct sel;
struct xpath;
struct jpath;
struct re;
struct tz;

/* A rules folder with more files than this is a mistake (or an attack on a
 * shared checkout); loading stays well under a second below it. */
#define RULES_MAX_FILES 20000
/* Longest extends chain: base -> family -> site is 2; 8 is plenty. */
#define RULES_MAX_EXTENDS 8
/* DNS limits (RFC 1035): a host name is at most 253 characters. */
#define RULES_MAX_HOST 253
/* keep_attrs names: longer is not an attribute anyone writes. */
#define RULES_MAX_ATTR_NAME 64
/* Steps per field and post-ops per step: generous for humans, bounded. */
#define RULES_MAX_STEPS 32

enum step_src {
	STEP_CSS, STEP_XPATH, STEP_META, STEP_JSONLD, STEP_JSON, STEP_URL,
	STEP_CONST, STEP_FROM_FIELD, STEP_AUTO,
};

enum step_pick { PICK_FIRST, PICK_LAST, PICK_ALL, PICK_ONLY };

enum post_kind {
	POST_TRIM, POST_COLLAPSE, POST_NFKC, POST_REGEX_REPLACE, POST_SPLIT,
	POST_JOIN, POST_MAP, POST_ABSOLUTIZE,
};

struct post_op {
	enum post_kind kind;
	struct re *re;      /* regex_replace, split */
	char *a;            /* regex_replace: replacement; join: separator */
	char **map_from, **map_to; /* map (NULL-terminated, parallel) */
};

struct validate {
	long min_len, max_len;  /* in characters; 0 = no bound */
	struct re *match, *reject;
	/* date bounds: absolute UTC seconds, or (rel) seconds from the clock */
	bool has_not_before, has_not_after, not_before_rel, not_after_rel;
	long long not_before, not_after;
};

struct step {
	enum step_src src;
	char *arg;          /* selector / xpath / meta name / path / regex / value / field */
	unsigned line, col; /* where the step is in its file */
	struct sel *sel;    /* css */
	struct sel *script; /* json: read the JSON in this element's text (a <script>) */
	struct xpath *xp;   /* xpath */
	struct jpath *jp;   /* json, jsonld */
	struct re *url_re;  /* url */
	char *attr;         /* read this attribute instead of the text */
	bool html;          /* read inner HTML instead of text */
	enum step_pick pick;   /* the step's, else the rule's defaults.pick */
	bool pick_set;
	char *join;         /* pick: all on a text field: separator (NULL = " ") */
	struct re *regex;   /* keep group 1 of the first match */
	struct post_op *post;
	size_t npost;
	char **formats;     /* dates: NULL-terminated strftime-style formats */
	struct tz *tz;      /* dates: zone for wall times without offset */
	int relative;       /* dates: enum date_rel (also read 3小时前 / "2 hours ago") */
	struct validate v;  /* this step's own validate (the field's applies too) */
};

enum field_type { FT_TEXT, FT_LIST, FT_DATETIME, FT_URL, FT_HTML };


struct field_rule {
	char *name;
	struct step *steps;
	size_t nsteps;
	enum field_type type;
	bool required;
	char *def;          /* default value, or NULL */
	bool no_fallback;   /* fallback: false — never filled from page metadata */
	struct validate v;
};

struct preprocess_op {
	char *find;         /* plain text, or NULL when regex */
	struct re *re;
	char *replace;
};

enum fetch_type { FETCH_AUTO, FETCH_HTML, FETCH_JSON };

struct rewrite {
	struct re *from;
	char *to;           /* replacement: $1.. refer to groups */
};

/* How list pages (HTML, or JSON APIs) of a site yield article URLs. */
struct discovery {
	struct step *item_links;     /* steps giving link URLs (css: attr href by default) */
	size_t nitem_links;
	struct jpath *items;         /* JSON list: path to the items */
	char *item_url;              /* template over item fields, e.g. '.../a?id={id}' */
	struct field_rule *item_fields; /* fields pre-filled from each item */
	size_t nitem_fields;
	struct step *next_page;      /* step giving the next list page URL, or NULL */
	struct re *url_include, *url_exclude;
};

/* body.clean.xpath: one edit of the whole page, made right before the body
 * steps run (as FiveFilters applies strip/dissolve/wrap_in/move_into). */
enum xop_kind { XOP_REMOVE, XOP_UNWRAP, XOP_WRAP, XOP_MOVE };

struct xpath_op {
	enum xop_kind kind;
	struct xpath *xp;   /* the nodes (elements, attributes, text) acted on */
	struct xpath *into; /* move: the first node of this is the new parent */
	char *tag;          /* wrap: the new parent's tag name */
	unsigned line, col;
};

/* Pages are fetched by pipeline_extract only (extract, convert; not crawl):
 * beyond this many pages of one article the rest are left out. */
#define RULES_MAX_PAGES 10

/* pages.single / pages.next: an XPath giving a link (an element's href, an
 * attribute's or text node's value, or a string), used only when the page
 * has a node for if_contains (when given). */
struct page_link {
	struct xpath *xp;
	struct xpath *if_contains; /* or NULL */
};

struct rule {
	char *name;
	char *imported;        /* `imported:` where the rule came from, or NULL; such
				* a rule is chosen only when no other rule matches */
	struct xpath_op *clean_xpath; /* body.clean.xpath, in order */
	size_t nclean_xpath;
	struct page_link *single_page, *next_page; /* `pages:` */
	size_t nsingle_page, nnext_page;
	char *file;
	long priority;
	char **hosts;          /* NULL-terminated, lower-case */
	char **host_suffixes;  /* NULL-terminated, lower-case */
	struct re *url_include, *url_exclude;
	char *charset;         /* fetch.charset, NULL = auto */
	enum fetch_type fetch_type;
	char **headers;        /* fetch.headers as "Name: value", NULL-terminated */
	struct rewrite *rewrites;
	size_t nrewrites;
	long timeout_s, delay_ms; /* 0 = the config's */
	bool follow_meta_refresh; /* crawl: a <meta http-equiv=refresh> to a page this rule matches is followed */
	struct discovery *discovery; /* NULL when the rule has none */
	struct preprocess_op *pre;
	size_t npre;
	struct field_rule *fields;
	size_t nfields;
	/* body.clean */
	struct sel **clean_remove;   /* NULL-terminated or NULL */
	struct sel **clean_unwrap;
	char **clean_remove_paragraphs;
	struct sel **clean_rename;   /* selectors; their elements become clean_rename_to[i] */
	char **clean_rename_to;
	char **clean_remove_attrs;
	struct sel **clean_truncate_at;
	bool clean_generic;          /* body.clean.generic: the generic extractor's pruning */
	char **keep_attrs;           /* body.clean.keep_attrs: attributes kept in body HTML */
	char **lazy_attrs;           /* body.images.lazy_attrs */
	char **strip_query_params;   /* body.links.strip_query_params ("utm_*" allowed) */
	struct output_cfg output;    /* overrides (has_* flags tell which) */
	struct step *slug;           /* output.slug, or NULL */
	struct rule_test *tests;
	size_t ntests;
};

/* One self-test of a rule (`tests:`): offline with a saved page, or
 * online (`rules check --online`) with only a URL. */
struct rule_test {
	char *input;        /* page file, resolved against the rule file's folder;
			     * NULL for a URL-only (online) test */
	char *url;          /* the URL the page is known by */
	char *now;          /* the crawl clock for relative dates, or NULL */
	struct kv *expect;  /* field -> expected value; also body_contains,
			     * body_not_contains, body_min_chars */
	size_t nexpect;
	unsigned line, col;
};

struct rule_index;

struct ruleset {
	struct rule **rules;
	size_t n;
	struct rule_index *idx; /* private: host -> rules hash, built by ruleset_load */
};

/* Loads one rule file.  NM_ERULE with FILE:LINE:COL on any problem. */
enum nm_code rule_load(const char *path, struct rule **out, struct nm_err *e);
/* Loads a rule from text named `name` (no extends: it has no folder). */
enum nm_code rule_load_mem(const char *text, size_t n, const char *name, struct rule **out,
			   struct nm_err *e);
void rule_free(struct rule *r);
/* Loads every *.yml / *.yaml file in dir and its direct subfolders, sorted
 * by path.  A missing dir is an empty set when missing_ok. */
/* The rule files (*.yml, *.yaml, not hidden) of folder dir and its direct
 * subfolders, sorted by path, into *paths (caller frees each and the
 * array; *n gets the count).  NM_ERULE naming dir when it cannot be read or
 * holds more than RULES_MAX_FILES. */
enum nm_code rules_files(const char *dir, char ***paths, size_t *n, struct nm_err *e);

enum nm_code ruleset_load(const char *dir, bool missing_ok, struct ruleset *rs,
			  struct nm_err *e);
void ruleset_free(struct ruleset *rs);
/* The rule for url: a host listed in `hosts`, else the longest matching
 * host suffix; url_include/url_exclude filter; priority breaks ties.
 * Borrowed from rs; NULL when none matches. */
const struct rule *ruleset_match(const struct ruleset *rs, const char *url);
/* The rule named name (file's `name:`), or NULL. */
const struct rule *ruleset_find(const struct ruleset *rs, const char *name);
/* The URL to fetch for url: the first fetch.rewrite_url whose `from`
 * matches rewrites it (appended to out); otherwise url itself. */
void rule_fetch_url(const struct rule *r, const char *url, struct buf *out);
/* "css", "xpath", ... for a step source. */
const char *rule_step_source_name(enum step_src src);
/* The field named name, or NULL. */
const struct field_rule *rule_field(const struct rule *r, const char *name);

#endif
