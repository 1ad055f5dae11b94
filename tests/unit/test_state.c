/*
 * test_state.c - the state store: round trip of every column, upsert,
 * due rows, rel=canonical lookup, host back-off, the run lock, WAL mode,
 * read-only mode for --dry-run.
 */
#include "tests/unit/unit.h"
#include "common/mem.h"
#include "crawler/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

static char dir[64];
static char db[128];

static void fresh(void)
{
	snprintf(dir, sizeof dir, "/tmp/nm-state-XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(db, sizeof db, "%s/s.db", dir);
}

static void cleanup(void)
{
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed\n");
}

TEST(state_roundtrip_and_upsert)
{
	fresh();
	struct state *st;
	struct nm_err e;
	CHECK_INT(state_open(db, false, &st, &e), NM_OK);
	struct state_url u = {0};
	u.url = "http://h/a/1";
	u.source = "s";
	u.host = "h";
	u.kind = KIND_ARTICLE;
	u.status = ST_FAILED;
	u.http_status = 503;
	u.attempts = 3;
	u.failed_runs = 1;
	u.next_retry_at = 100;
	u.discovered_at = 50;
	u.etag = "\"v1\"";
	u.last_modified = "Wed, 13 Apr 2022 04:11:23 GMT";
	u.fields = "{\"title\":\"t\"}";
	u.error = "HTTP 503";
	CHECK_INT(state_put(st, &u, &e), NM_OK);
	struct state_url g;
	CHECK_INT(state_get(st, "http://h/a/1", &g), 1);
	CHECK_INT(g.status, ST_FAILED);
	CHECK_INT(g.kind, KIND_ARTICLE);
	CHECK_INT(g.http_status, 503);
	CHECK_INT(g.attempts, 3);
	CHECK_INT(g.next_retry_at, 100);
	CHECK_STR(g.etag, "\"v1\"");
	CHECK_STR(g.fields, "{\"title\":\"t\"}");
	CHECK(g.output_path == NULL);
	state_url_free(&g);
	u.status = ST_DONE;
	u.output_path = "_posts/x.md";
	u.canonical = "http://h/canon/1";
	CHECK_INT(state_put(st, &u, &e), NM_OK);
	CHECK_INT(state_get(st, "http://h/a/1", &g), 1);
	CHECK_INT(g.status, ST_DONE);
	CHECK_STR(g.output_path, "_posts/x.md");
	state_url_free(&g);
	CHECK_INT(state_get(st, "http://h/none", &g), 0);
	/* found by its rel=canonical as well as by its URL */
	CHECK_INT(state_find_written(st, "http://h/canon/1", &g), 1);
	CHECK_STR(g.url, "http://h/a/1");
	state_url_free(&g);
	CHECK_INT(state_find_written(st, "http://h/a/1", &g), 1);
	state_url_free(&g);
	CHECK_INT(state_commit(st, &e), NM_OK);
	state_close(st);

	/* durable, and in WAL mode */
	CHECK_INT(state_open(db, false, &st, &e), NM_OK);
	CHECK_INT(state_get(st, "http://h/a/1", &g), 1);
	state_url_free(&g);
	state_close(st);
	sqlite3 *raw;
	CHECK_INT(sqlite3_open(db, &raw), SQLITE_OK);
	sqlite3_stmt *q;
	sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &q, NULL);
	CHECK_INT(sqlite3_step(q), SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	sqlite3_close(raw);
	cleanup();
}

struct seen {
	int n;
	char urls[8][64];
};

static int collect(void *ud, const struct state_url *u)
{
	struct seen *s = ud;
	if (s->n < 8)
		snprintf(s->urls[s->n], 64, "%s", u->url);
	s->n++;
	return 0;
}

TEST(state_due_rows)
{
	fresh();
	struct state *st;
	struct nm_err e;
	CHECK_INT(state_open(db, false, &st, &e), NM_OK);
	struct state_url u = {0};
	u.source = "s";
	u.kind = KIND_ARTICLE;
	const struct {
		const char *url;
		enum url_status st;
		int64_t retry;
	} rows[] = {
		{"http://h/queued", ST_QUEUED, 0},   {"http://h/due", ST_FAILED, 100},
		{"http://h/later", ST_FAILED, 5000}, {"http://h/done", ST_DONE, 0},
		{"http://h/gone", ST_GONE, 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		u.url = (char *)rows[i].url;
		u.status = rows[i].st;
		u.next_retry_at = rows[i].retry;
		CHECK_INT(state_put(st, &u, &e), NM_OK);
	}
	u.url = "http://h/otherlist";
	u.kind = KIND_LIST;
	u.status = ST_QUEUED;
	CHECK_INT(state_put(st, &u, &e), NM_OK);
	struct seen s = {0};
	CHECK_INT(state_due(st, "s", 1000, collect, &s, &e), NM_OK);
	CHECK_INT(s.n, 2);
	CHECK_STR(s.urls[0], "http://h/queued");
	CHECK_STR(s.urls[1], "http://h/due");
	memset(&s, 0, sizeof s);
	CHECK_INT(state_due(st, "other", 1000, collect, &s, &e), NM_OK);
	CHECK_INT(s.n, 0);
	CHECK_INT(state_host_backoff(st, "h"), 0);
	CHECK_INT(state_set_host_backoff(st, "h", 1234, &e), NM_OK);
	CHECK_INT(state_host_backoff(st, "h"), 1234);
	int64_t run = state_run_begin(st, 10);
	CHECK(run > 0);
	state_run_end(st, run, 20, 0, "{}");
	state_close(st);
	cleanup();
}

TEST(state_lock_excludes_second_run)
{
	fresh();
	struct state *a, *b;
	struct nm_err e;
	CHECK_INT(state_open(db, false, &a, &e), NM_OK);
	CHECK_INT(state_open(db, false, &b, &e), NM_ELOCKED);
	CHECK(b == NULL);
	/* a reader (dry run) is not locked out */
	CHECK_INT(state_open(db, true, &b, &e), NM_OK);
	state_close(b);
	state_close(a);
	CHECK_INT(state_open(db, false, &b, &e), NM_OK);
	state_close(b);
	cleanup();
}

TEST(state_readonly_missing_and_no_writes)
{
	fresh();
	struct state *st;
	struct nm_err e;
	CHECK_INT(state_open(db, true, &st, &e), NM_OK);
	struct state_url u = {0}, g;
	u.url = "http://h/x";
	CHECK_INT(state_put(st, &u, &e), NM_OK);
	CHECK_INT(state_get(st, "http://h/x", &g), 0);
	state_close(st);
	CHECK(access(db, F_OK) != 0); /* nothing created */
	CHECK_INT(state_open("/nonexistent-dir/x/s.db", false, &st, &e), NM_EIO);
	cleanup();
}
