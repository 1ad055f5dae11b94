/*
 * state.c - the state store on SQLite (WAL), and the dispatch to the
 * PostgreSQL backend (crawler/state_pg.c) for a "postgresql://" path:
 * every public function starts with "if (st->pg) return pgstate_...".
 * SQLite statements are prepared once per handle; writes are batched
 * into one transaction until state_commit().
 */
#include "crawler/state.h"
#include "crawler/state_pg.h"
#include "common/buf.h"
#include "common/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

/* A writer waits this long for a reader's lock before giving up (readers
 * such as a status query never hold it longer). */
#define STATE_BUSY_MS 5000
/* The longest folder name state_open creates for the file (PATH_MAX). */
#define STATE_MAX_PATH 4096

/* Migration 1: the schema before versioning (every statement "IF NOT
 * EXISTS", so a file written by an older build takes it as it is). */
static const char schema[] =
	"CREATE TABLE IF NOT EXISTS urls ("
	" id INTEGER PRIMARY KEY,"
	" url TEXT NOT NULL UNIQUE,"
	" source TEXT, host TEXT,"
	" kind TEXT NOT NULL,"
	" status TEXT NOT NULL,"
	" http_status INTEGER, attempts INTEGER NOT NULL DEFAULT 0,"
	" failed_runs INTEGER NOT NULL DEFAULT 0,"
	" next_retry_at INTEGER, discovered_at INTEGER,"
	" last_fetched_at INTEGER, last_checked_at INTEGER,"
	" etag TEXT, last_modified TEXT, final_url TEXT, content_hash TEXT,"
	" canonical TEXT, output_path TEXT, fields TEXT, error TEXT);"
	"CREATE INDEX IF NOT EXISTS urls_due ON urls(source, status, next_retry_at);"
	"CREATE INDEX IF NOT EXISTS urls_canonical ON urls(canonical);"
	"CREATE INDEX IF NOT EXISTS urls_host ON urls(host, status);"
	"CREATE TABLE IF NOT EXISTS hosts (host TEXT PRIMARY KEY, backoff_until INTEGER);"
	"CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, started_at INTEGER,"
	" finished_at INTEGER, pid INTEGER, exit_code INTEGER, stats TEXT);"
	"PRAGMA user_version = 1;";

/* Migration 2: what sharing the crawl needs (the PostgreSQL backend has
 * the same tables; SQLite keeps them so `state migrate` copies all). */
static const char schema2[] =
	"ALTER TABLE hosts ADD COLUMN free_at_ms INTEGER;"
	"CREATE TABLE IF NOT EXISTS robots (origin TEXT PRIMARY KEY, status INTEGER,"
	" body TEXT, fetched_at INTEGER);";

static const char *const migrations[STATE_SCHEMA_VERSION] = {schema, schema2};

#define COLS                                                                            \
	"url, source, host, kind, status, http_status, attempts, failed_runs,"          \
	" next_retry_at, discovered_at, last_fetched_at, last_checked_at, etag,"        \
	" last_modified, final_url, content_hash, canonical, output_path, fields, error"

enum { Q_GET, Q_PUT, Q_WRITTEN, Q_DUE, Q_HOST_GET, Q_HOST_PUT, Q_ADD, Q_ALL, NQ };

static const char *const sql[NQ] = {
	[Q_GET] = "SELECT " COLS " FROM urls WHERE url = ?1",
	[Q_PUT] = "INSERT INTO urls (" COLS ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
		  "?13,?14,?15,?16,?17,?18,?19,?20) ON CONFLICT(url) DO UPDATE SET"
		  " source=?2, host=?3, kind=?4, status=?5, http_status=?6, attempts=?7,"
		  " failed_runs=?8, next_retry_at=?9, discovered_at=?10, last_fetched_at=?11,"
		  " last_checked_at=?12, etag=?13, last_modified=?14, final_url=?15,"
		  " content_hash=?16, canonical=?17, output_path=?18, fields=?19, error=?20",
	[Q_WRITTEN] = "SELECT " COLS " FROM urls WHERE (url = ?1 OR canonical = ?1)"
		      " AND output_path IS NOT NULL AND kind = 'article' LIMIT 1",
	[Q_DUE] = "SELECT " COLS " FROM urls WHERE source = ?1 AND kind = 'article' AND"
		  " (status = 'queued' OR (status = 'failed' AND"
		  " COALESCE(next_retry_at, 0) <= ?2)) ORDER BY id",
	[Q_HOST_GET] = "SELECT backoff_until FROM hosts WHERE host = ?1",
	[Q_HOST_PUT] = "INSERT INTO hosts (host, backoff_until) VALUES (?1, ?2)"
		       " ON CONFLICT(host) DO UPDATE SET backoff_until = ?2",
	[Q_ADD] = "INSERT INTO urls (" COLS ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
		  "?13,?14,?15,?16,?17,?18,?19,?20) ON CONFLICT(url) DO NOTHING",
	[Q_ALL] = "SELECT " COLS " FROM urls ORDER BY id",
};

struct state {
	struct pgstate *pg; /* the PostgreSQL backend, or NULL for SQLite */
	sqlite3 *db;
	sqlite3_stmt *q[NQ];
	bool in_tx;
	bool readonly;
	int lockfd;
};

static const char *const status_names[] = {"queued", "done", "failed", "gone", "skipped",
					   "duplicate"};
static const char *const kind_names[] = {"article", "list", "feed", "sitemap"};

const char *state_status_name(enum url_status s)
{
	return (unsigned)s < sizeof status_names / sizeof *status_names ? status_names[s] : "?";
}

const char *state_kind_name(enum url_kind k)
{
	return (unsigned)k < sizeof kind_names / sizeof *kind_names ? kind_names[k] : "?";
}

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return 0;
}

static enum nm_code db_err(struct state *st, struct nm_err *e, const char *what)
{
	return err_set(e, NM_EIO, "state store: %s: %s", what,
		       st && st->db ? sqlite3_errmsg(st->db) : "cannot open");
}

static enum nm_code exec(struct state *st, const char *s, struct nm_err *e)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, s, NULL, NULL, &msg) != SQLITE_OK) {
		enum nm_code rc = err_set(e, NM_EIO, "state store: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return rc;
	}
	return NM_OK;
}

bool state_is_uri(const char *path)
{
	return path && (!strncmp(path, "postgresql://", 13) || !strncmp(path, "postgres://", 11));
}

static int version_of(struct state *st)
{
	sqlite3_stmt *q = NULL;
	int v = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", -1,
			       &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* Brings the file to STATE_SCHEMA_VERSION, one transaction per step. */
static enum nm_code migrate(struct state *st, struct nm_err *e)
{
	enum nm_code rc = exec(st, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER"
				   " PRIMARY KEY, applied_at INTEGER)", e);
	if (rc)
		return rc;
	int v = version_of(st);
	if (v > STATE_SCHEMA_VERSION)
		return err_set(e, NM_EIO,
			       "state schema version %d is newer than this newsmd knows (%d)", v,
			       STATE_SCHEMA_VERSION);
	for (; v < STATE_SCHEMA_VERSION; v++) {
		struct buf b = BUF_INIT;
		buf_printf(&b, "BEGIN IMMEDIATE; %s INSERT INTO schema_version VALUES (%d, %lld);"
			       " COMMIT;",
			   migrations[v], v + 1, (long long)time(NULL));
		rc = exec(st, buf_cstr(&b), e);
		buf_free(&b);
		if (rc) {
			exec(st, "ROLLBACK", NULL);
			return rc;
		}
	}
	return NM_OK;
}

/* Creates the file's folder (one level, mode 0700: it holds the crawl's
 * history) when it is missing, as output folders are. */
static enum nm_code make_folder(const char *path, struct nm_err *e)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return NM_OK;
	size_t n = (size_t)(slash - path);
	if (n >= STATE_MAX_PATH)
		return err_set(e, NM_EIO, "folder name too long");
	char dir[STATE_MAX_PATH];
	memcpy(dir, path, n);
	dir[n] = 0;
	struct stat sb;
	if (stat(dir, &sb) == 0)
		return NM_OK;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return err_set(e, NM_EIO, "cannot create folder %s: %s", dir, strerror(errno));
	return NM_OK;
}

enum nm_code state_open(const char *path, bool readonly, struct state **out,
			struct nm_err *e)
{
	*out = NULL;
	struct state *st = xcalloc(1, sizeof *st);
	st->lockfd = -1;
	st->readonly = readonly;
	enum nm_code rc = NM_OK;
	if (state_is_uri(path)) {
		rc = pgstate_open(path, readonly, &st->pg, e);
		if (rc) {
			free(st);
			return rc;
		}
		*out = st;
		return NM_OK;
	}
	err_where(e, path, 0, 0);
	if (!readonly && (rc = make_folder(path, e)))
		goto fail;
	if (!readonly) {
		struct buf lp = BUF_INIT;
		buf_printf(&lp, "%s.lock", path);
		st->lockfd = open(buf_cstr(&lp), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		buf_free(&lp);
		if (st->lockfd < 0) {
			rc = err_set(e, NM_EIO, "cannot create lock file: %s", strerror(errno));
			goto fail;
		}
		if (flock(st->lockfd, LOCK_EX | LOCK_NB) != 0) {
			rc = errno == EWOULDBLOCK
				     ? err_set(e, NM_ELOCKED, "another crawl is running (lock held)")
				     : err_set(e, NM_EIO, "cannot lock: %s", strerror(errno));
			goto fail;
		}
	}
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	const char *file = path;
	if (readonly && access(path, F_OK) != 0) {
		file = ":memory:";
		flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	}
	if (sqlite3_open_v2(file, &st->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = db_err(st, e, "open");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, STATE_BUSY_MS);
	if (!readonly &&
	    ((rc = exec(st, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", e))))
		goto fail;
	if (!readonly || !strcmp(file, ":memory:")) {
		if ((rc = migrate(st, e)))
			goto fail;
	}
	for (int i = 0; i < NQ; i++)
		if (sqlite3_prepare_v3(st->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->q[i],
				       NULL) != SQLITE_OK) {
			rc = db_err(st, e, "prepare");
			goto fail;
		}
	*out = st;
	return NM_OK;
fail:
	state_close(st);
	return rc;
}

void state_close(struct state *st)
{
	if (!st)
		return;
	if (st->pg) {
		pgstate_close(st->pg);
		free(st);
		return;
	}
	state_commit(st, NULL);
	for (int i = 0; i < NQ; i++)
		sqlite3_finalize(st->q[i]);
	sqlite3_close(st->db);
	if (st->lockfd >= 0)
		close(st->lockfd); /* releases the flock */
	free(st);
}

static char *col_str(sqlite3_stmt *q, int i)
{
	const unsigned char *s = sqlite3_column_text(q, i);
	return s ? xstrdup((const char *)s) : NULL;
}

static void read_row(sqlite3_stmt *q, struct state_url *u)
{
	memset(u, 0, sizeof *u);
	u->url = col_str(q, 0);
	u->source = col_str(q, 1);
	u->host = col_str(q, 2);
	u->kind = (enum url_kind)name_index(kind_names, 4, (const char *)sqlite3_column_text(q, 3));
	u->status = (enum url_status)name_index(status_names, 6,
						(const char *)sqlite3_column_text(q, 4));
	u->http_status = sqlite3_column_int64(q, 5);
	u->attempts = sqlite3_column_int64(q, 6);
	u->failed_runs = sqlite3_column_int64(q, 7);
	u->next_retry_at = sqlite3_column_int64(q, 8);
	u->discovered_at = sqlite3_column_int64(q, 9);
	u->last_fetched_at = sqlite3_column_int64(q, 10);
	u->last_checked_at = sqlite3_column_int64(q, 11);
	u->etag = col_str(q, 12);
	u->last_modified = col_str(q, 13);
	u->final_url = col_str(q, 14);
	u->content_hash = col_str(q, 15);
	u->canonical = col_str(q, 16);
	u->output_path = col_str(q, 17);
	u->fields = col_str(q, 18);
	u->error = col_str(q, 19);
}

static int get_one(struct state *st, sqlite3_stmt *q, const char *key, struct state_url *out)
{
	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
	int r = sqlite3_step(q);
	int found = 0;
	if (r == SQLITE_ROW) {
		read_row(q, out);
		found = 1;
	} else if (r != SQLITE_DONE) {
		found = -1;
	}
	sqlite3_reset(q);
	(void)st;
	return found;
}

int state_get(struct state *st, const char *url, struct state_url *out)
{
	if (st->pg)
		return pgstate_get(st->pg, url, out);
	return get_one(st, st->q[Q_GET], url, out);
}

int state_find_written(struct state *st, const char *canon, struct state_url *out)
{
	if (st->pg)
		return pgstate_find_written(st->pg, canon, out);
	return get_one(st, st->q[Q_WRITTEN], canon, out);
}

static enum nm_code begin(struct state *st, struct nm_err *e)
{
	if (st->in_tx)
		return NM_OK;
	enum nm_code rc = exec(st, "BEGIN IMMEDIATE", e);
	if (!rc)
		st->in_tx = true;
	return rc;
}

enum nm_code state_begin(struct state *st, struct nm_err *e)
{
	if (st->pg)
		return pgstate_begin(st->pg, e);
	return st->readonly ? NM_OK : begin(st, e);
}

enum nm_code state_commit(struct state *st, struct nm_err *e)
{
	if (st->pg)
		return pgstate_commit(st->pg, e);
	if (!st->in_tx)
		return NM_OK;
	st->in_tx = false;
	return exec(st, "COMMIT", e);
}

static void bind_text(sqlite3_stmt *q, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, i);
}

static void bind_time(sqlite3_stmt *q, int i, int64_t t)
{
	if (t)
		sqlite3_bind_int64(q, i, t);
	else
		sqlite3_bind_null(q, i);
}

static void bind_row(sqlite3_stmt *q, const struct state_url *u)
{
	sqlite3_reset(q);
	bind_text(q, 1, u->url);
	bind_text(q, 2, u->source);
	bind_text(q, 3, u->host);
	bind_text(q, 4, state_kind_name(u->kind));
	bind_text(q, 5, state_status_name(u->status));
	if (u->http_status)
		sqlite3_bind_int64(q, 6, u->http_status);
	else
		sqlite3_bind_null(q, 6);
	sqlite3_bind_int64(q, 7, u->attempts);
	sqlite3_bind_int64(q, 8, u->failed_runs);
	bind_time(q, 9, u->next_retry_at);
	bind_time(q, 10, u->discovered_at);
	bind_time(q, 11, u->last_fetched_at);
	bind_time(q, 12, u->last_checked_at);
	bind_text(q, 13, u->etag);
	bind_text(q, 14, u->last_modified);
	bind_text(q, 15, u->final_url);
	bind_text(q, 16, u->content_hash);
	bind_text(q, 17, u->canonical);
	bind_text(q, 18, u->output_path);
	bind_text(q, 19, u->fields);
	bind_text(q, 20, u->error);
}

enum nm_code state_put(struct state *st, const struct state_url *u, struct nm_err *e)
{
	if (st->pg)
		return pgstate_put(st->pg, u, e);
	if (st->readonly)
		return NM_OK;
	enum nm_code rc = begin(st, e);
	if (rc)
		return rc;
	sqlite3_stmt *q = st->q[Q_PUT];
	bind_row(q, u);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = db_err(st, e, "write");
	sqlite3_reset(q);
	return rc;
}

int state_add(struct state *st, const struct state_url *u, struct nm_err *e)
{
	if (st->pg)
		return pgstate_add(st->pg, u, e);
	if (st->readonly)
		return 0;
	if (begin(st, e))
		return -1;
	sqlite3_stmt *q = st->q[Q_ADD];
	bind_row(q, u);
	int r = sqlite3_step(q) == SQLITE_DONE ? sqlite3_changes(st->db) > 0 : -1;
	if (r < 0)
		db_err(st, e, "write");
	sqlite3_reset(q);
	return r;
}

/* Reads every row q yields, then calls fn on each (so fn may write). */
static enum nm_code each_row(struct state *st, sqlite3_stmt *q, state_each_fn fn, void *ud,
			     struct nm_err *e)
{
	struct state_url *rows = NULL;
	size_t n = 0, cap = 0;
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			rows = xrealloc(rows, cap * sizeof *rows);
		}
		read_row(q, &rows[n++]);
	}
	sqlite3_reset(q);
	enum nm_code rc = r == SQLITE_DONE ? NM_OK : db_err(st, e, "read");
	bool stop = rc != NM_OK;
	for (size_t i = 0; i < n; i++) {
		if (!stop && fn(ud, &rows[i]))
			stop = true;
		state_url_free(&rows[i]);
	}
	free(rows);
	return rc;
}

enum nm_code state_due(struct state *st, const char *source, int64_t now, state_each_fn fn,
		       void *ud, struct nm_err *e)
{
	if (st->pg)
		return pgstate_due(st->pg, source, now, fn, ud, e);
	sqlite3_stmt *q = st->q[Q_DUE];
	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, now);
	return each_row(st, q, fn, ud, e);
}

enum nm_code state_each(struct state *st, state_each_fn fn, void *ud, struct nm_err *e)
{
	if (st->pg)
		return pgstate_each(st->pg, fn, ud, e);
	sqlite3_stmt *q = st->q[Q_ALL];
	sqlite3_reset(q);
	return each_row(st, q, fn, ud, e);
}

enum nm_code state_each_host(struct state *st, state_host_fn fn, void *ud, struct nm_err *e)
{
	if (st->pg)
		return pgstate_each_host(st->pg, fn, ud, e);
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db, "SELECT host, backoff_until FROM hosts ORDER BY host", -1,
			       &q, NULL) != SQLITE_OK)
		return db_err(st, e, "read");
	int r;
	while ((r = sqlite3_step(q)) == SQLITE_ROW)
		if (fn(ud, (const char *)sqlite3_column_text(q, 0), sqlite3_column_int64(q, 1)))
			break;
	enum nm_code rc = r == SQLITE_ROW || r == SQLITE_DONE ? NM_OK : db_err(st, e, "read");
	sqlite3_finalize(q);
	return rc;
}

int state_schema_version(struct state *st)
{
	return st->pg ? pgstate_schema_version(st->pg) : version_of(st);
}

bool state_shared(const struct state *st)
{
	return st->pg != NULL;
}

int state_host_acquire(struct state *st, const char *host, int64_t *free_at_ms)
{
	*free_at_ms = 0;
	/* SQLite: the run lock already makes this run the only worker */
	return st->pg ? pgstate_host_acquire(st->pg, host, free_at_ms) : 1;
}

void state_host_release(struct state *st, const char *host, int64_t free_at_ms)
{
	if (st->pg)
		pgstate_host_release(st->pg, host, free_at_ms);
}

int state_claim(struct state *st, const char *url, int64_t now)
{
	return st->pg ? pgstate_claim(st->pg, url, now) : 1;
}

void state_unclaim(struct state *st, const char *url)
{
	if (st->pg)
		pgstate_unclaim(st->pg, url);
}

int state_robots_get(struct state *st, const char *origin, char **body, long *status,
		     int64_t *fetched_at)
{
	if (st->pg)
		return pgstate_robots_get(st->pg, origin, body, status, fetched_at);
	sqlite3_stmt *q = NULL;
	int found = -1;
	if (sqlite3_prepare_v2(st->db, "SELECT body, status, fetched_at FROM robots WHERE origin = ?1",
			       -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, origin, -1, SQLITE_TRANSIENT);
		int r = sqlite3_step(q);
		found = r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : -1;
		if (found == 1) {
			*body = col_str(q, 0);
			*status = sqlite3_column_int(q, 1);
			*fetched_at = sqlite3_column_int64(q, 2);
		}
	}
	sqlite3_finalize(q);
	return found;
}

enum nm_code state_robots_put(struct state *st, const char *origin, const char *body,
			      long status, int64_t fetched_at, struct nm_err *e)
{
	if (st->pg)
		return pgstate_robots_put(st->pg, origin, body, status, fetched_at, e);
	if (st->readonly)
		return NM_OK;
	enum nm_code rc = begin(st, e);
	if (rc)
		return rc;
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO robots (origin, body, status, fetched_at) VALUES"
			       " (?1, ?2, ?3, ?4) ON CONFLICT(origin) DO UPDATE SET body = ?2,"
			       " status = ?3, fetched_at = ?4",
			       -1, &q, NULL) != SQLITE_OK)
		return db_err(st, e, "prepare");
	bind_text(q, 1, origin);
	bind_text(q, 2, body);
	sqlite3_bind_int64(q, 3, status);
	sqlite3_bind_int64(q, 4, fetched_at);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = db_err(st, e, "write");
	sqlite3_finalize(q);
	return rc;
}

bool state_broken(const struct state *st, struct nm_err *e)
{
	return st->pg && pgstate_broken(st->pg, e);
}

int64_t state_host_backoff(struct state *st, const char *host)
{
	if (st->pg)
		return pgstate_host_backoff(st->pg, host);
	sqlite3_stmt *q = st->q[Q_HOST_GET];
	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, host, -1, SQLITE_TRANSIENT);
	int64_t t = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	return t;
}

enum nm_code state_set_host_backoff(struct state *st, const char *host, int64_t until,
				    struct nm_err *e)
{
	if (st->pg)
		return pgstate_set_host_backoff(st->pg, host, until, e);
	if (st->readonly)
		return NM_OK;
	enum nm_code rc = begin(st, e);
	if (rc)
		return rc;
	sqlite3_stmt *q = st->q[Q_HOST_PUT];
	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, host, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, until);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = db_err(st, e, "write");
	sqlite3_reset(q);
	return rc;
}

int64_t state_run_begin(struct state *st, int64_t now)
{
	if (st->pg)
		return pgstate_run_begin(st->pg, now);
	if (st->readonly)
		return 0;
	sqlite3_stmt *q = NULL;
	int64_t id = 0;
	if (sqlite3_prepare_v2(st->db, "INSERT INTO runs (started_at, pid) VALUES (?1, ?2)", -1,
			       &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, now);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)getpid());
		if (sqlite3_step(q) == SQLITE_DONE)
			id = sqlite3_last_insert_rowid(st->db);
	}
	sqlite3_finalize(q);
	return id;
}

void state_run_end(struct state *st, int64_t run, int64_t now, int exit_code,
		   const char *stats_json)
{
	if (st->pg) {
		pgstate_run_end(st->pg, run, now, exit_code, stats_json);
		return;
	}
	if (st->readonly || !run)
		return;
	state_commit(st, NULL);
	sqlite3_stmt *q = NULL;
	if (sqlite3_prepare_v2(st->db,
			       "UPDATE runs SET finished_at = ?2, exit_code = ?3, stats = ?4"
			       " WHERE id = ?1",
			       -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(q, 1, run);
		sqlite3_bind_int64(q, 2, now);
		sqlite3_bind_int(q, 3, exit_code);
		bind_text(q, 4, stats_json);
		sqlite3_step(q);
	}
	sqlite3_finalize(q);
}

void state_url_free(struct state_url *u)
{
	free(u->url);
	free(u->source);
	free(u->host);
	free(u->etag);
	free(u->last_modified);
	free(u->final_url);
	free(u->content_hash);
	free(u->canonical);
	free(u->output_path);
	free(u->fields);
	free(u->error);
	memset(u, 0, sizeof *u);
}
