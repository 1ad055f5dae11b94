/*
 * test_state_pg.c - the state API's contract run against both backends
 * (SQLite file, PostgreSQL URI), versioned migrations, the SQLite state
 * folder created when missing, and what only the PostgreSQL backend
 * does: two workers at once, leases and host locks that end with the
 * session, an unreachable database.
 *
 * The PostgreSQL tests need a server: tests/pg/run.sh starts a throwaway
 * cluster and sets NEWSMD_PG_URI; without it they skip (never pass).
 */
#include "tests/unit/unit.h"
#include "common/mem.h"
#include "crawler/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

static char dir[64];

static void fresh_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/nm-statepg-XXXXXX");
	if (!mkdtemp(dir))
		abort();
}

static void rm_dir(void)
{
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cleanup failed\n");
}

/* The test database, emptied; NULL (and a skip) without a server. */
static const char *pg_fresh(void)
{
	const char *uri = getenv("NEWSMD_PG_URI");
	if (!uri || !*uri) {
		unit_skip("no PostgreSQL server (run tests/pg/run.sh, which starts one)");
		return NULL;
	}
	PGconn *c = PQconnectdb(uri);
	if (PQstatus(c) != CONNECTION_OK) {
		unit_fail(__FILE__, __LINE__, "cannot connect to %s", uri);
		PQfinish(c);
		return NULL;
	}
	PGresult *r = PQexec(c, "SET client_min_messages = warning;"
				"DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
	CHECK_INT(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(c);
	return uri;
}

static int count(void *ud, const struct state_url *u)
{
	(void)u;
	(*(int *)ud)++;
	return 0;
}

/* What every backend must do the same way. */
static void contract(const char *path)
{
	struct state *st;
	struct nm_err e;
	err_clear(&e);
	CHECK_INT(state_open(path, false, &st, &e), NM_OK);
	if (!st)
		return;
	CHECK_INT(state_schema_version(st), STATE_SCHEMA_VERSION);
	struct state_url u = {0}, g;
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
	u.fields = "{\"title\":\"t\"}";
	u.error = "HTTP 503";
	CHECK_INT(state_put(st, &u, &e), NM_OK);
	CHECK_INT(state_get(st, "http://h/a/1", &g), 1);
	CHECK_INT(g.status, ST_FAILED);
	CHECK_INT(g.kind, KIND_ARTICLE);
	CHECK_INT(g.http_status, 503);
	CHECK_INT(g.attempts, 3);
	CHECK_INT(g.failed_runs, 1);
	CHECK_INT(g.next_retry_at, 100);
	CHECK_INT(g.discovered_at, 50);
	CHECK_INT(g.last_fetched_at, 0);
	CHECK_STR(g.etag, "\"v1\"");
	CHECK_STR(g.fields, "{\"title\":\"t\"}");
	CHECK(g.output_path == NULL && g.canonical == NULL);
	state_url_free(&g);
	/* due: failed and retry time come; not yet at 99 */
	int n = 0;
	CHECK_INT(state_due(st, "s", 1000, count, &n, &e), NM_OK);
	CHECK_INT(n, 1);
	n = 0;
	CHECK_INT(state_due(st, "s", 99, count, &n, &e), NM_OK);
	CHECK_INT(n, 0);
	/* state_add never overwrites */
	struct state_url q = {0};
	q.url = "http://h/a/1";
	q.source = "s";
	q.kind = KIND_ARTICLE;
	q.status = ST_QUEUED;
	CHECK_INT(state_add(st, &q, &e), 0);
	q.url = "http://h/a/2";
	CHECK_INT(state_add(st, &q, &e), 1);
	CHECK_INT(state_get(st, "http://h/a/1", &g), 1);
	CHECK_INT(g.status, ST_FAILED);
	state_url_free(&g);
	u.status = ST_DONE;
	u.output_path = "_posts/x.md";
	u.canonical = "http://h/canon/1";
	CHECK_INT(state_put(st, &u, &e), NM_OK);
	CHECK_INT(state_find_written(st, "http://h/canon/1", &g), 1);
	CHECK_STR(g.url, "http://h/a/1");
	state_url_free(&g);
	CHECK_INT(state_find_written(st, "http://h/a/2", &g), 0);
	CHECK_INT(state_get(st, "http://h/none", &g), 0);
	CHECK_INT(state_host_backoff(st, "h"), 0);
	CHECK_INT(state_set_host_backoff(st, "h", 1234, &e), NM_OK);
	CHECK_INT(state_host_backoff(st, "h"), 1234);
	char *body = NULL;
	long status = 0;
	int64_t at = 0;
	CHECK_INT(state_robots_get(st, "http://h", &body, &status, &at), 0);
	CHECK_INT(state_robots_put(st, "http://h", "User-agent: *\nDisallow: /x\n", 200, 77, &e),
		  NM_OK);
	CHECK_INT(state_robots_get(st, "http://h", &body, &status, &at), 1);
	CHECK_STR(body, "User-agent: *\nDisallow: /x\n");
	CHECK_INT(status, 200);
	CHECK_INT(at, 77);
	free(body);
	int64_t run = state_run_begin(st, 10);
	CHECK(run > 0);
	state_run_end(st, run, 20, 0, "{}");
	CHECK_INT(state_commit(st, &e), NM_OK);
	CHECK(!state_broken(st, &e));
	state_close(st);
	/* durable; a second open migrates nothing and reads the same */
	CHECK_INT(state_open(path, false, &st, &e), NM_OK);
	if (!st)
		return;
	CHECK_INT(state_schema_version(st), STATE_SCHEMA_VERSION);
	n = 0;
	CHECK_INT(state_each(st, count, &n, &e), NM_OK);
	CHECK_INT(n, 2);
	state_close(st);
	/* read-only (--dry-run): writes are dropped */
	CHECK_INT(state_open(path, true, &st, &e), NM_OK);
	if (!st)
		return;
	q.url = "http://h/ro";
	CHECK_INT(state_put(st, &q, &e), NM_OK);
	CHECK_INT(state_get(st, "http://h/ro", &g), 0);
	CHECK_INT(state_get(st, "http://h/a/2", &g), 1);
	state_url_free(&g);
	state_close(st);
}

TEST(state_contract_sqlite)
{
	fresh_dir();
	char db[128];
	snprintf(db, sizeof db, "%s/s.db", dir);
	contract(db);
	rm_dir();
}

TEST(state_pg_contract)
{
	const char *uri = pg_fresh();
	if (uri)
		contract(uri);
}

TEST(state_sqlite_folder_created)
{
	fresh_dir();
	char db[160], sub[128];
	snprintf(sub, sizeof sub, "%s/state", dir);
	snprintf(db, sizeof db, "%s/newsmd.db", sub);
	struct state *st;
	struct nm_err e;
	CHECK_INT(state_open(db, false, &st, &e), NM_OK);
	state_close(st);
	struct stat sb;
	CHECK_INT(stat(sub, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0700);
	CHECK_INT(access(db, F_OK), 0);
	/* one level only: a missing parent of the folder is a mistake */
	snprintf(db, sizeof db, "%s/no/such/s.db", dir);
	CHECK_INT(state_open(db, false, &st, &e), NM_EIO);
	CHECK(strstr(e.msg, "cannot create folder") != NULL);
	rm_dir();
}

TEST(state_sqlite_migrates_old_file)
{
	fresh_dir();
	char db[128];
	snprintf(db, sizeof db, "%s/old.db", dir);
	/* a file written before schema_version existed */
	sqlite3 *raw;
	CHECK_INT(sqlite3_open(db, &raw), SQLITE_OK);
	CHECK_INT(sqlite3_exec(raw,
			       "CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE,"
			       " source TEXT, host TEXT, kind TEXT NOT NULL, status TEXT NOT NULL,"
			       " http_status INTEGER, attempts INTEGER NOT NULL DEFAULT 0,"
			       " failed_runs INTEGER NOT NULL DEFAULT 0, next_retry_at INTEGER,"
			       " discovered_at INTEGER, last_fetched_at INTEGER, last_checked_at"
			       " INTEGER, etag TEXT, last_modified TEXT, final_url TEXT, content_hash"
			       " TEXT, canonical TEXT, output_path TEXT, fields TEXT, error TEXT);"
			       "CREATE TABLE hosts (host TEXT PRIMARY KEY, backoff_until INTEGER);"
			       "CREATE TABLE runs (id INTEGER PRIMARY KEY, started_at INTEGER,"
			       " finished_at INTEGER, pid INTEGER, exit_code INTEGER, stats TEXT);"
			       "INSERT INTO urls (url, kind, status, output_path) VALUES"
			       " ('http://h/old', 'article', 'done', 'p.md');"
			       "PRAGMA user_version = 1;",
			       NULL, NULL, NULL),
		  SQLITE_OK);
	sqlite3_close(raw);
	struct state *st;
	struct nm_err e;
	CHECK_INT(state_open(db, false, &st, &e), NM_OK);
	CHECK_INT(state_schema_version(st), STATE_SCHEMA_VERSION);
	struct state_url g;
	CHECK_INT(state_get(st, "http://h/old", &g), 1);
	CHECK_STR(g.output_path, "p.md");
	state_url_free(&g);
	CHECK_INT(state_robots_put(st, "http://h", "x", 200, 1, &e), NM_OK);
	state_close(st);
	/* a file from a newer newsmd is refused, not misread */
	CHECK_INT(sqlite3_open(db, &raw), SQLITE_OK);
	CHECK_INT(sqlite3_exec(raw, "INSERT INTO schema_version VALUES (99, 0)", NULL, NULL, NULL),
		  SQLITE_OK);
	sqlite3_close(raw);
	CHECK_INT(state_open(db, false, &st, &e), NM_EIO);
	CHECK(strstr(e.msg, "newer") != NULL);
	rm_dir();
}

/* A closed session's locks go when the server has ended it, a moment
 * after the client hangs up: poll for up to PG_SESSION_END_MS. */
#define PG_SESSION_END_MS 5000
static int claim_soon(struct state *st, const char *url)
{
	int r = 0;
	for (int waited = 0; waited < PG_SESSION_END_MS && (r = state_claim(st, url, 1000)) == 0;
	     waited += 20)
		usleep(20000);
	return r;
}

static int host_soon(struct state *st, const char *host, int64_t *free_at)
{
	int r = 0;
	for (int waited = 0;
	     waited < PG_SESSION_END_MS && (r = state_host_acquire(st, host, free_at)) == 0;
	     waited += 20)
		usleep(20000);
	return r;
}

TEST(state_pg_two_workers_share)
{
	const char *uri = pg_fresh();
	if (!uri)
		return;
	struct state *a = NULL, *b = NULL;
	struct nm_err e;
	CHECK_INT(state_open(uri, false, &a, &e), NM_OK);
	/* no run lock: the second worker joins */
	CHECK_INT(state_open(uri, false, &b, &e), NM_OK);
	if (!a || !b) {
		state_close(a);
		state_close(b);
		return;
	}
	CHECK(state_shared(a));
	struct state_url u = {0};
	u.url = "http://h/a/1";
	u.source = "s";
	u.host = "h";
	u.kind = KIND_ARTICLE;
	u.status = ST_QUEUED;
	CHECK_INT(state_put(a, &u, &e), NM_OK);
	/* one lease at a time */
	CHECK_INT(state_claim(a, "http://h/a/1", 1000), 1);
	CHECK_INT(state_claim(b, "http://h/a/1", 1000), 0);
	state_unclaim(a, "http://h/a/1");
	CHECK_INT(state_claim(b, "http://h/a/1", 1000), 1);
	/* done rows are not claimable; unknown ones neither */
	u.status = ST_DONE;
	CHECK_INT(state_put(b, &u, &e), NM_OK);
	state_unclaim(b, "http://h/a/1");
	CHECK_INT(state_claim(a, "http://h/a/1", 1000), 0);
	CHECK_INT(state_claim(a, "http://h/none", 1000), 0);
	/* a lease dies with its session (kill -9 = the connection drops) */
	u.url = "http://h/a/2";
	u.status = ST_QUEUED;
	CHECK_INT(state_put(a, &u, &e), NM_OK);
	CHECK_INT(state_claim(a, "http://h/a/2", 1000), 1);
	CHECK_INT(state_claim(b, "http://h/a/2", 1000), 0);
	/* host locks: one worker per host, "not before" handed over */
	int64_t free_at = -1;
	CHECK_INT(state_host_acquire(a, "h", &free_at), 1);
	CHECK_INT(free_at, 0);
	CHECK_INT(state_host_acquire(a, "h", &free_at), 1); /* already ours */
	CHECK_INT(state_host_acquire(b, "h", &free_at), 0);
	CHECK_INT(state_host_acquire(b, "other", &free_at), 1);
	state_host_release(a, "h", 5555);
	CHECK_INT(state_host_acquire(b, "h", &free_at), 1);
	CHECK_INT(free_at, 5555);
	CHECK_INT(state_host_acquire(a, "h", &free_at), 0);
	state_close(b); /* b's session ends: its host locks go */
	CHECK_INT(host_soon(a, "h", &free_at), 1);
	CHECK_INT(free_at, -1); /* b went holding it: when it last asked is unknown */
	CHECK_INT(state_open(uri, false, &b, &e), NM_OK);
	CHECK_INT(state_claim(b, "http://h/a/2", 1000), 0);
	state_close(a); /* a's session ends: its lease goes */
	CHECK_INT(claim_soon(b, "http://h/a/2"), 1);
	state_close(b);
}

TEST(state_pg_unreachable)
{
	struct state *st = NULL;
	struct nm_err e;
	err_clear(&e);
	CHECK_INT(state_open("postgresql://nm:secret@/newsmd?host=/nonexistent-nm-socket", false,
			     &st, &e),
		  NM_EIO);
	CHECK(st == NULL);
	CHECK(strstr(e.msg, "cannot connect to the PostgreSQL state store") != NULL);
	CHECK(strchr(e.msg, '\n') == NULL);
	CHECK(strstr(e.where, "secret") == NULL);
	CHECK(strstr(e.where, "nm:***@") != NULL);
}

TEST(state_pg_migrations)
{
	const char *uri = pg_fresh();
	if (!uri)
		return;
	/* a read-only open of an empty database writes nothing and reads empty */
	struct state *st = NULL;
	struct nm_err e;
	CHECK_INT(state_open(uri, true, &st, &e), NM_OK);
	struct state_url g;
	if (st) {
		CHECK_INT(state_get(st, "http://h/x", &g), 0);
		CHECK_INT(state_schema_version(st), 0);
		state_close(st);
	}
	CHECK_INT(state_open(uri, false, &st, &e), NM_OK);
	if (!st)
		return;
	CHECK_INT(state_schema_version(st), STATE_SCHEMA_VERSION);
	state_close(st);
	PGconn *c = PQconnectdb(uri);
	PGresult *r = PQexec(c, "SELECT string_agg(version::text, ',' ORDER BY version)"
				" FROM schema_version");
	CHECK_STR(PQgetvalue(r, 0, 0), "1,2");
	PQclear(r);
	PQclear(PQexec(c, "INSERT INTO schema_version VALUES (99, 0)"));
	PQfinish(c);
	CHECK_INT(state_open(uri, false, &st, &e), NM_EIO);
	CHECK(strstr(e.msg, "newer") != NULL);
}
