/*
 * state_pg.h - the PostgreSQL backend of crawler/state.h (libpq).  Only
 * crawler/state.c includes this: everyone else calls the state_*
 * functions, which dispatch here for a "postgresql://" path.  Each
 * function has the contract of its state_* namesake.
 */
#ifndef NM_STATE_PG_H
#define NM_STATE_PG_H

#include "crawler/state.h"

struct pgstate;

enum nm_code pgstate_open(const char *uri, bool readonly, struct pgstate **out,
			  struct nm_err *e);
void pgstate_close(struct pgstate *p);
int pgstate_get(struct pgstate *p, const char *url, struct state_url *out);
int pgstate_find_written(struct pgstate *p, const char *canon, struct state_url *out);
enum nm_code pgstate_put(struct pgstate *p, const struct state_url *u, struct nm_err *e);
int pgstate_add(struct pgstate *p, const struct state_url *u, struct nm_err *e);
enum nm_code pgstate_begin(struct pgstate *p, struct nm_err *e);
enum nm_code pgstate_commit(struct pgstate *p, struct nm_err *e);
enum nm_code pgstate_due(struct pgstate *p, const char *source, int64_t now, state_each_fn fn,
			 void *ud, struct nm_err *e);
enum nm_code pgstate_each(struct pgstate *p, state_each_fn fn, void *ud, struct nm_err *e);
enum nm_code pgstate_each_host(struct pgstate *p, state_host_fn fn, void *ud,
			       struct nm_err *e);
int64_t pgstate_host_backoff(struct pgstate *p, const char *host);
enum nm_code pgstate_set_host_backoff(struct pgstate *p, const char *host, int64_t until,
				      struct nm_err *e);
int pgstate_host_acquire(struct pgstate *p, const char *host, int64_t *free_at_ms);
void pgstate_host_release(struct pgstate *p, const char *host, int64_t free_at_ms);
int pgstate_claim(struct pgstate *p, const char *url, int64_t now);
void pgstate_unclaim(struct pgstate *p, const char *url);
int pgstate_robots_get(struct pgstate *p, const char *origin, char **body, long *status,
		       int64_t *fetched_at);
enum nm_code pgstate_robots_put(struct pgstate *p, const char *origin, const char *body,
				long status, int64_t fetched_at, struct nm_err *e);
bool pgstate_broken(const struct pgstate *p, struct nm_err *e);
int pgstate_schema_version(struct pgstate *p);
int64_t pgstate_run_begin(struct pgstate *p, int64_t now);
void pgstate_run_end(struct pgstate *p, int64_t run, int64_t now, int exit_code,
		     const char *stats_json);

#endif
