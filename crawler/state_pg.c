/*
 * state_pg.c - the state store on PostgreSQL (libpq), for crawls shared
 * by several workers on several machines.  Same tables and meaning as the
 * SQLite backend (crawler/state.c), plus what sharing needs:
 *
 *  - leases: state_claim takes an article row with SELECT ... FOR UPDATE
 *    SKIP LOCKED (two workers claiming at once never get the same row)
 *    and pins it with a session-level advisory lock (STATE_PG_LEASE_NS,
 *    row id).  The lease lives exactly as long as the worker's database
 *    session: a worker killed with kill -9 drops its connection, the
 *    server ends its session and its leases are free at that moment, no
 *    timeout involved.  urls.lease_pid records the holder's backend pid
 *    for people reading the table (the advisory lock is what counts).
 *  - host locks: pg_try_advisory_lock(hashtext(host)), also per session,
 *    so one worker at a time talks to a host and the per-host delay,
 *    Crawl-delay and Retry-After hold across machines; hosts.free_at_ms
 *    carries "not before" from one holder to the next.
 *  - every write commits on its own (no batch): other workers see it at
 *    once, and two workers inserting the same discovered URLs in another
 *    order cannot deadlock on a half-done batch.  Every write is one
 *    statement, so a database that goes away leaves no half-updated row.
 *
 * Ownership: a pgstate owns its connection; rows handed out are owned by
 * the caller (state_url_free).  One thread uses a handle at a time.
 */
#include "crawler/state_pg.h"
#include "common/buf.h"
#include "common/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

/* libpq waits this long for a connection before giving up (its default
 * is forever, which would hang a cron job); a URI's own
 * connect_timeout= wins. */
#define STATE_PG_CONNECT_TIMEOUT_S "10"
/* Advisory-lock namespace of article leases (the two-int form, so it can
 * never meet the one-bigint keys of the host locks). */
#define STATE_PG_LEASE_NS "28269" /* 0x6e6d, "nm" */
/* Key of the transaction lock that serialises migrations when several
 * workers start at once. */
#define STATE_PG_MIGRATE_KEY 0x6e6d5f6d6967LL /* "nm_mig" */
/* Hosts one worker holds at once: bounded by the hosts of a crawl; this
 * is a sanity cap on the bookkeeping array. */
#define STATE_PG_MAX_HOSTS 100000

/* Migration 1: crawler/state.c's schema in PostgreSQL types. */
static const char schema1[] =
	"CREATE TABLE urls ("
	" id BIGSERIAL PRIMARY KEY,"
	" url TEXT NOT NULL UNIQUE,"
	" source TEXT, host TEXT,"
	" kind TEXT NOT NULL,"
	" status TEXT NOT NULL,"
	" http_status BIGINT, attempts BIGINT NOT NULL DEFAULT 0,"
	" failed_runs BIGINT NOT NULL DEFAULT 0,"
	" next_retry_at BIGINT, discovered_at BIGINT,"
	" last_fetched_at BIGINT, last_checked_at BIGINT,"
	" etag TEXT, last_modified TEXT, final_url TEXT, content_hash TEXT,"
	" canonical TEXT, output_path TEXT, fields TEXT, error TEXT);"
	"CREATE INDEX urls_due ON urls(source, status, next_retry_at);"
	"CREATE INDEX urls_canonical ON urls(canonical);"
	"CREATE INDEX urls_host ON urls(host, status);"
	"CREATE TABLE hosts (host TEXT PRIMARY KEY, backoff_until BIGINT);"
	"CREATE TABLE runs (id BIGSERIAL PRIMARY KEY, started_at BIGINT,"
	" finished_at BIGINT, pid BIGINT, exit_code INTEGER, stats TEXT);";

/* Migration 2: sharing (leases, host hand-over, robots.txt cache). */
static const char schema2[] =
	"ALTER TABLE urls ADD COLUMN lease_pid INTEGER;"
	"ALTER TABLE hosts ADD COLUMN free_at_ms BIGINT;"
	"CREATE TABLE robots (origin TEXT PRIMARY KEY, status INTEGER, body TEXT,"
	" fetched_at BIGINT);";

static const char *const migrations[STATE_SCHEMA_VERSION] = {schema1, schema2};

#define COLS                                                                            \
	"url, source, host, kind, status, http_status, attempts, failed_runs,"          \
	" next_retry_at, discovered_at, last_fetched_at, last_checked_at, etag,"        \
	" last_modified, final_url, content_hash, canonical, output_path, fields, error"
#define VALS "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20"
#define NCOLS 20

static const char sql_put[] =
	"INSERT INTO urls (" COLS ") VALUES (" VALS ") ON CONFLICT (url) DO UPDATE SET"
	" source=$2, host=$3, kind=$4, status=$5, http_status=$6, attempts=$7,"
	" failed_runs=$8, next_retry_at=$9, discovered_at=$10, last_fetched_at=$11,"
	" last_checked_at=$12, etag=$13, last_modified=$14, final_url=$15,"
	" content_hash=$16, canonical=$17, output_path=$18, fields=$19, error=$20";
static const char sql_add[] =
	"INSERT INTO urls (" COLS ") VALUES (" VALS ") ON CONFLICT (url) DO NOTHING";
static const char sql_due[] =
	"SELECT " COLS " FROM urls WHERE source = $1 AND kind = 'article' AND"
	" (status = 'queued' OR (status = 'failed' AND COALESCE(next_retry_at, 0) <= $2))"
	" ORDER BY id";
/* The row lock (FOR UPDATE SKIP LOCKED) makes two claims of one row at
 * the same moment see each other; the advisory lock outlives the
 * statement and is the lease. */
static const char sql_claim[] =
	"WITH c AS (SELECT id FROM urls WHERE url = $1 AND kind = 'article' AND"
	" (status = 'queued' OR (status = 'failed' AND COALESCE(next_retry_at, 0) <= $2))"
	" FOR UPDATE SKIP LOCKED),"
	" l AS (SELECT id FROM c WHERE pg_try_advisory_lock(" STATE_PG_LEASE_NS ", (id % 2147483647)::int4))"
	" UPDATE urls SET lease_pid = pg_backend_pid() FROM l WHERE urls.id = l.id"
	" RETURNING urls.id";

struct pgstate {
	PGconn *conn;
	bool readonly;
	bool empty;  /* read-only and no schema yet: reads find nothing */
	bool in_tx;  /* an explicit batch (pgstate_begin) is open */
	bool broken; /* the session is gone: every call fails */
	char broken_msg[NM_ERR_MSG_MAX];
	char **hosts; /* hosts whose lock this session holds */
	size_t nhosts;
};

/* libpq prints server notices (e.g. "relation exists, skipping") to
 * stderr; a cron job stays silent. */
static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* The first line of a libpq message, without its trailing newline. */
static void first_line(const char *msg, char *out, size_t n)
{
	snprintf(out, n, "%s", msg && *msg ? msg : "unknown error");
	out[strcspn(out, "\n")] = 0;
}

/* The URI for messages: a password (user:secret@) is never printed. */
static void redact(const char *uri, struct buf *out)
{
	const char *s = strstr(uri, "://");
	const char *at = s ? strchr(s + 3, '@') : NULL;
	const char *colon = s ? memchr(s + 3, ':', at ? (size_t)(at - s - 3) : 0) : NULL;
	if (at && colon) {
		buf_put(out, uri, (size_t)(colon - uri));
		buf_puts(out, ":***");
		buf_puts(out, at);
	} else {
		buf_puts(out, uri);
	}
}

static enum nm_code pg_err(struct pgstate *p, const PGresult *r, struct nm_err *e,
			   const char *what)
{
	/* room for the "connection was lost" prefix in the error record */
	char line[NM_ERR_MSG_MAX / 2];
	first_line(r ? PQresultErrorMessage(r) : PQerrorMessage(p->conn), line, sizeof line);
	if (!r || !*PQresultErrorMessage(r))
		first_line(PQerrorMessage(p->conn), line, sizeof line);
	if (PQstatus(p->conn) != CONNECTION_OK && !p->broken) {
		p->broken = true;
		snprintf(p->broken_msg, sizeof p->broken_msg,
			 "state store: the PostgreSQL connection was lost: %s", line);
	}
	if (p->broken)
		return err_set(e, NM_EIO, "%s", p->broken_msg);
	return err_set(e, NM_EIO, "state store: %s: %s", what, line);
}

/* Runs sql with text parameters (NULL = SQL NULL).  The result when it
 * succeeded (caller PQclear()s it), else NULL with e set. */
static PGresult *run(struct pgstate *p, const char *sql, int n, const char *const *vals,
		     struct nm_err *e, const char *what)
{
	if (p->broken) {
		err_set(e, NM_EIO, "%s", p->broken_msg);
		return NULL;
	}
	PGresult *r = PQexecParams(p->conn, sql, n, NULL, vals, NULL, NULL, 0);
	ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return r;
	pg_err(p, r, e, what);
	PQclear(r);
	return NULL;
}

/* run() for statements whose result is not needed. */
static enum nm_code run0(struct pgstate *p, const char *sql, int n, const char *const *vals,
			 struct nm_err *e, const char *what)
{
	PGresult *r = run(p, sql, n, vals, e, what);
	if (!r)
		return NM_EIO;
	PQclear(r);
	return NM_OK;
}

static int64_t num(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static char *str(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : xstrdup(PQgetvalue(r, row, col));
}

static int name_index(const char *s, const char *(*name)(int), int n)
{
	for (int i = 0; s && i < n; i++)
		if (!strcmp(name(i), s))
			return i;
	return 0;
}

static const char *status_name_i(int i)
{
	return state_status_name((enum url_status)i);
}

static const char *kind_name_i(int i)
{
	return state_kind_name((enum url_kind)i);
}

static void read_row(const PGresult *r, int i, struct state_url *u)
{
	memset(u, 0, sizeof *u);
	u->url = str(r, i, 0);
	u->source = str(r, i, 1);
	u->host = str(r, i, 2);
	u->kind = (enum url_kind)name_index(PQgetvalue(r, i, 3), kind_name_i, 4);
	u->status = (enum url_status)name_index(PQgetvalue(r, i, 4), status_name_i, 6);
	u->http_status = num(r, i, 5);
	u->attempts = num(r, i, 6);
	u->failed_runs = num(r, i, 7);
	u->next_retry_at = num(r, i, 8);
	u->discovered_at = num(r, i, 9);
	u->last_fetched_at = num(r, i, 10);
	u->last_checked_at = num(r, i, 11);
	u->etag = str(r, i, 12);
	u->last_modified = str(r, i, 13);
	u->final_url = str(r, i, 14);
	u->content_hash = str(r, i, 15);
	u->canonical = str(r, i, 16);
	u->output_path = str(r, i, 17);
	u->fields = str(r, i, 18);
	u->error = str(r, i, 19);
}

/* Text parameters of a row; numbers live in nums. */
struct row_params {
	const char *v[NCOLS];
	char nums[8][24];
};

static const char *num_param(struct row_params *rp, int slot, int64_t v, bool zero_is_null)
{
	if (zero_is_null && !v)
		return NULL;
	snprintf(rp->nums[slot], sizeof rp->nums[slot], "%lld", (long long)v);
	return rp->nums[slot];
}

static void row_params(const struct state_url *u, struct row_params *rp)
{
	rp->v[0] = u->url;
	rp->v[1] = u->source;
	rp->v[2] = u->host;
	rp->v[3] = state_kind_name(u->kind);
	rp->v[4] = state_status_name(u->status);
	rp->v[5] = num_param(rp, 0, u->http_status, true);
	rp->v[6] = num_param(rp, 1, u->attempts, false);
	rp->v[7] = num_param(rp, 2, u->failed_runs, false);
	rp->v[8] = num_param(rp, 3, u->next_retry_at, true);
	rp->v[9] = num_param(rp, 4, u->discovered_at, true);
	rp->v[10] = num_param(rp, 5, u->last_fetched_at, true);
	rp->v[11] = num_param(rp, 6, u->last_checked_at, true);
	rp->v[12] = u->etag;
	rp->v[13] = u->last_modified;
	rp->v[14] = u->final_url;
	rp->v[15] = u->content_hash;
	rp->v[16] = u->canonical;
	rp->v[17] = u->output_path;
	rp->v[18] = u->fields;
	rp->v[19] = u->error;
}

int pgstate_schema_version(struct pgstate *p)
{
	if (p->empty)
		return 0;
	PGresult *r = run(p, "SELECT COALESCE(MAX(version), 0) FROM schema_version", 0, NULL,
			  NULL, "read");
	int v = r ? (int)num(r, 0, 0) : 0;
	PQclear(r);
	return v;
}

/* Brings the database to STATE_SCHEMA_VERSION in one transaction, under
 * a transaction-level advisory lock so that workers starting together
 * migrate once. */
static enum nm_code migrate(struct pgstate *p, struct nm_err *e)
{
	char key[32];
	snprintf(key, sizeof key, "%lld", STATE_PG_MIGRATE_KEY);
	const char *kv[] = {key};
	enum nm_code rc = run0(p, "BEGIN", 0, NULL, e, "migrate");
	if (!rc)
		rc = run0(p, "SELECT pg_advisory_xact_lock($1::bigint)", 1, kv, e, "migrate");
	if (!rc)
		rc = run0(p,
			  "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY,"
			  " applied_at BIGINT)",
			  0, NULL, e, "migrate");
	int v = rc ? 0 : pgstate_schema_version(p);
	if (!rc && v > STATE_SCHEMA_VERSION)
		rc = err_set(e, NM_EIO, "state schema version %d is newer than this newsmd knows (%d)",
			     v, STATE_SCHEMA_VERSION);
	for (; !rc && v < STATE_SCHEMA_VERSION; v++) {
		PGresult *r = PQexec(p->conn, migrations[v]); /* several statements: no params */
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = pg_err(p, r, e, "migrate");
		PQclear(r);
		char ver[16], now[24];
		snprintf(ver, sizeof ver, "%d", v + 1);
		snprintf(now, sizeof now, "%lld", (long long)time(NULL));
		const char *vv[] = {ver, now};
		if (!rc)
			rc = run0(p, "INSERT INTO schema_version VALUES ($1, $2)", 2, vv, e, "migrate");
	}
	if (!rc)
		return run0(p, "COMMIT", 0, NULL, e, "migrate");
	PQclear(PQexec(p->conn, "ROLLBACK"));
	return rc;
}

enum nm_code pgstate_open(const char *uri, bool readonly, struct pgstate **out,
			  struct nm_err *e)
{
	*out = NULL;
	struct buf shown = BUF_INIT;
	redact(uri, &shown);
	err_where(e, buf_cstr(&shown), 0, 0);
	buf_free(&shown);
	/* the URI is expanded in place of "dbname"; keywords before it are
	 * defaults the URI may override */
	const char *keys[] = {"connect_timeout", "application_name", "dbname", NULL};
	const char *vals[] = {STATE_PG_CONNECT_TIMEOUT_S, "newsmd", uri, NULL};
	struct pgstate *p = xcalloc(1, sizeof *p);
	p->readonly = readonly;
	p->conn = PQconnectdbParams(keys, vals, 1);
	enum nm_code rc = NM_OK;
	if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
		char line[NM_ERR_MSG_MAX];
		first_line(p->conn ? PQerrorMessage(p->conn) : "out of memory", line, sizeof line);
		rc = err_set(e, NM_EIO, "cannot connect to the PostgreSQL state store: %s", line);
		goto fail;
	}
	PQsetNoticeProcessor(p->conn, quiet, NULL);
	if (readonly) {
		/* --dry-run: the session cannot write, even by mistake */
		if ((rc = run0(p, "SET default_transaction_read_only = on", 0, NULL, e, "open")))
			goto fail;
		PGresult *r = run(p, "SELECT to_regclass('schema_version') IS NULL", 0, NULL, e,
				  "open");
		if (!r) {
			rc = NM_EIO;
			goto fail;
		}
		p->empty = !strcmp(PQgetvalue(r, 0, 0), "t");
		PQclear(r);
		if (!p->empty && pgstate_schema_version(p) > STATE_SCHEMA_VERSION) {
			rc = err_set(e, NM_EIO, "state schema version is newer than this newsmd knows");
			goto fail;
		}
	} else if ((rc = migrate(p, e))) {
		goto fail;
	}
	*out = p;
	return NM_OK;
fail:
	pgstate_close(p);
	return rc;
}

void pgstate_close(struct pgstate *p)
{
	if (!p)
		return;
	if (p->in_tx && !p->broken)
		pgstate_commit(p, NULL);
	PQfinish(p->conn); /* ends the session: its leases and host locks go with it */
	for (size_t i = 0; i < p->nhosts; i++)
		free(p->hosts[i]);
	free(p->hosts);
	free(p);
}

bool pgstate_broken(const struct pgstate *p, struct nm_err *e)
{
	if (p->broken && e)
		err_set(e, NM_EIO, "%s", p->broken_msg);
	return p->broken;
}

static int get_one(struct pgstate *p, const char *sql, const char *key, struct state_url *out)
{
	if (p->empty)
		return 0;
	const char *v[] = {key};
	PGresult *r = run(p, sql, 1, v, NULL, "read");
	if (!r)
		return -1;
	int found = PQntuples(r) > 0;
	if (found)
		read_row(r, 0, out);
	PQclear(r);
	return found;
}

int pgstate_get(struct pgstate *p, const char *url, struct state_url *out)
{
	return get_one(p, "SELECT " COLS " FROM urls WHERE url = $1", url, out);
}

int pgstate_find_written(struct pgstate *p, const char *canon, struct state_url *out)
{
	return get_one(p,
		       "SELECT " COLS " FROM urls WHERE (url = $1 OR canonical = $1)"
		       " AND output_path IS NOT NULL AND kind = 'article' LIMIT 1",
		       canon, out);
}

enum nm_code pgstate_put(struct pgstate *p, const struct state_url *u, struct nm_err *e)
{
	if (p->readonly)
		return NM_OK;
	struct row_params rp;
	row_params(u, &rp);
	return run0(p, sql_put, NCOLS, rp.v, e, "write");
}

int pgstate_add(struct pgstate *p, const struct state_url *u, struct nm_err *e)
{
	if (p->readonly)
		return 0;
	struct row_params rp;
	row_params(u, &rp);
	PGresult *r = run(p, sql_add, NCOLS, rp.v, e, "write");
	if (!r)
		return -1;
	int added = !strcmp(PQcmdTuples(r), "1");
	PQclear(r);
	return added;
}

enum nm_code pgstate_begin(struct pgstate *p, struct nm_err *e)
{
	if (p->readonly || p->in_tx)
		return NM_OK;
	enum nm_code rc = run0(p, "BEGIN", 0, NULL, e, "begin");
	p->in_tx = rc == NM_OK;
	return rc;
}

enum nm_code pgstate_commit(struct pgstate *p, struct nm_err *e)
{
	if (p->broken)
		return err_set(e, NM_EIO, "%s", p->broken_msg);
	if (!p->in_tx)
		return NM_OK; /* every write committed on its own */
	p->in_tx = false;
	return run0(p, "COMMIT", 0, NULL, e, "commit");
}

static enum nm_code each_row(struct pgstate *p, const char *sql, int n, const char *const *v,
			     state_each_fn fn, void *ud, struct nm_err *e)
{
	if (p->empty)
		return NM_OK;
	PGresult *r = run(p, sql, n, v, e, "read");
	if (!r)
		return NM_EIO;
	int rows = PQntuples(r);
	for (int i = 0; i < rows; i++) {
		struct state_url u;
		read_row(r, i, &u);
		int stop = fn(ud, &u);
		state_url_free(&u);
		if (stop)
			break;
	}
	PQclear(r);
	return NM_OK;
}

enum nm_code pgstate_due(struct pgstate *p, const char *source, int64_t now, state_each_fn fn,
			 void *ud, struct nm_err *e)
{
	char t[24];
	snprintf(t, sizeof t, "%lld", (long long)now);
	const char *v[] = {source, t};
	return each_row(p, sql_due, 2, v, fn, ud, e);
}

enum nm_code pgstate_each(struct pgstate *p, state_each_fn fn, void *ud, struct nm_err *e)
{
	return each_row(p, "SELECT " COLS " FROM urls ORDER BY id", 0, NULL, fn, ud, e);
}

enum nm_code pgstate_each_host(struct pgstate *p, state_host_fn fn, void *ud,
			       struct nm_err *e)
{
	if (p->empty)
		return NM_OK;
	PGresult *r = run(p, "SELECT host, backoff_until FROM hosts ORDER BY host", 0, NULL, e,
			  "read");
	if (!r)
		return NM_EIO;
	for (int i = 0; i < PQntuples(r); i++)
		if (fn(ud, PQgetvalue(r, i, 0), num(r, i, 1)))
			break;
	PQclear(r);
	return NM_OK;
}

int64_t pgstate_host_backoff(struct pgstate *p, const char *host)
{
	if (p->empty)
		return 0;
	const char *v[] = {host};
	PGresult *r = run(p, "SELECT backoff_until FROM hosts WHERE host = $1", 1, v, NULL, "read");
	int64_t t = r && PQntuples(r) ? num(r, 0, 0) : 0;
	PQclear(r);
	return t;
}

enum nm_code pgstate_set_host_backoff(struct pgstate *p, const char *host, int64_t until,
				      struct nm_err *e)
{
	if (p->readonly)
		return NM_OK;
	char t[24];
	snprintf(t, sizeof t, "%lld", (long long)until);
	const char *v[] = {host, t};
	return run0(p,
		    "INSERT INTO hosts (host, backoff_until) VALUES ($1, $2)"
		    " ON CONFLICT (host) DO UPDATE SET backoff_until = $2",
		    2, v, e, "write");
}

static ssize_t held(const struct pgstate *p, const char *host)
{
	for (size_t i = 0; i < p->nhosts; i++)
		if (!strcmp(p->hosts[i], host))
			return (ssize_t)i;
	return -1;
}

int pgstate_host_acquire(struct pgstate *p, const char *host, int64_t *free_at_ms)
{
	*free_at_ms = 0;
	if (p->readonly || held(p, host) >= 0)
		return 1;
	if (p->nhosts >= STATE_PG_MAX_HOSTS)
		return 0;
	const char *v[] = {host};
	PGresult *r = run(p, "SELECT pg_try_advisory_lock(hashtext($1))", 1, v, NULL, "host lock");
	if (!r)
		return -1;
	int got = !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	if (!got)
		return 0;
	/* -1 while held: a holder that dies (kill -9) never writes its
	 * "not before", and the next one then reads -1 = "unknown" */
	r = run(p,
		"WITH prev AS (SELECT free_at_ms FROM hosts WHERE host = $1)"
		" INSERT INTO hosts (host, free_at_ms) VALUES ($1, -1) ON CONFLICT (host)"
		" DO UPDATE SET free_at_ms = -1 RETURNING (SELECT free_at_ms FROM prev)",
		1, v, NULL, "host lock");
	if (!r) {
		PQclear(PQexecParams(p->conn, "SELECT pg_advisory_unlock(hashtext($1))", 1, NULL, v,
				     NULL, NULL, 0));
		return -1;
	}
	*free_at_ms = num(r, 0, 0);
	PQclear(r);
	p->hosts = xrealloc(p->hosts, (p->nhosts + 1) * sizeof *p->hosts);
	p->hosts[p->nhosts++] = xstrdup(host);
	return 1;
}

void pgstate_host_release(struct pgstate *p, const char *host, int64_t free_at_ms)
{
	ssize_t i = held(p, host);
	if (i < 0)
		return;
	char t[24];
	snprintf(t, sizeof t, "%lld", (long long)free_at_ms);
	const char *v[] = {host, t};
	/* "not before" first, then the lock: the next holder reads it */
	run0(p,
	     "INSERT INTO hosts (host, free_at_ms) VALUES ($1, $2) ON CONFLICT (host) DO UPDATE"
	     " SET free_at_ms = GREATEST(COALESCE(hosts.free_at_ms, 0), $2)",
	     2, v, NULL, "host lock");
	run0(p, "SELECT pg_advisory_unlock(hashtext($1))", 1, v, NULL, "host lock");
	free(p->hosts[i]);
	p->hosts[i] = p->hosts[--p->nhosts];
}

int pgstate_claim(struct pgstate *p, const char *url, int64_t now)
{
	if (p->readonly)
		return 1;
	char t[24];
	snprintf(t, sizeof t, "%lld", (long long)now);
	const char *v[] = {url, t};
	PGresult *r = run(p, sql_claim, 2, v, NULL, "claim");
	if (!r)
		return -1;
	int got = PQntuples(r) > 0;
	PQclear(r);
	return got;
}

void pgstate_unclaim(struct pgstate *p, const char *url)
{
	if (p->readonly)
		return;
	const char *v[] = {url};
	run0(p,
	     "UPDATE urls SET lease_pid = NULL WHERE url = $1 AND lease_pid = pg_backend_pid()"
	     " RETURNING pg_advisory_unlock(" STATE_PG_LEASE_NS ", (id % 2147483647)::int4)",
	     1, v, NULL, "claim");
}

int pgstate_robots_get(struct pgstate *p, const char *origin, char **body, long *status,
		       int64_t *fetched_at)
{
	if (p->empty)
		return 0;
	const char *v[] = {origin};
	PGresult *r = run(p, "SELECT body, status, fetched_at FROM robots WHERE origin = $1", 1,
			  v, NULL, "read");
	if (!r)
		return -1;
	int found = PQntuples(r) > 0;
	if (found) {
		*body = str(r, 0, 0);
		*status = (long)num(r, 0, 1);
		*fetched_at = num(r, 0, 2);
	}
	PQclear(r);
	return found;
}

enum nm_code pgstate_robots_put(struct pgstate *p, const char *origin, const char *body,
				long status, int64_t fetched_at, struct nm_err *e)
{
	if (p->readonly)
		return NM_OK;
	char s[24], t[24];
	snprintf(s, sizeof s, "%ld", status);
	snprintf(t, sizeof t, "%lld", (long long)fetched_at);
	const char *v[] = {origin, body, s, t};
	return run0(p,
		    "INSERT INTO robots (origin, body, status, fetched_at) VALUES ($1, $2, $3, $4)"
		    " ON CONFLICT (origin) DO UPDATE SET body = $2, status = $3, fetched_at = $4",
		    4, v, e, "write");
}

int64_t pgstate_run_begin(struct pgstate *p, int64_t now)
{
	if (p->readonly)
		return 0;
	char t[24], pid[24];
	snprintf(t, sizeof t, "%lld", (long long)now);
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	const char *v[] = {t, pid};
	PGresult *r = run(p, "INSERT INTO runs (started_at, pid) VALUES ($1, $2) RETURNING id", 2,
			  v, NULL, "write");
	int64_t id = r && PQntuples(r) ? num(r, 0, 0) : 0;
	PQclear(r);
	return id;
}

void pgstate_run_end(struct pgstate *p, int64_t run_id, int64_t now, int exit_code,
		     const char *stats_json)
{
	if (p->readonly || !run_id)
		return;
	char id[24], t[24], x[16];
	snprintf(id, sizeof id, "%lld", (long long)run_id);
	snprintf(t, sizeof t, "%lld", (long long)now);
	snprintf(x, sizeof x, "%d", exit_code);
	const char *v[] = {id, t, x, stats_json};
	run0(p, "UPDATE runs SET finished_at = $2, exit_code = $3, stats = $4 WHERE id = $1", 4, v,
	     NULL, "write");
}
