/*
 * history.c - the deploy history in SQLite. One table; every statement is
 * prepared with bound parameters.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "history/history.h"
#include "lib/util.h"

struct history {
	sqlite3 *db;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS deploys ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " app TEXT NOT NULL, kind TEXT NOT NULL, commit_sha TEXT, ref TEXT,"
    " user TEXT, status TEXT NOT NULL, started INTEGER NOT NULL,"
    " finished INTEGER, duration_ms INTEGER, message TEXT, log TEXT);"
    "CREATE INDEX IF NOT EXISTS deploys_app ON deploys(app, id);";

static int
db_error(struct history *h, const char *what)
{
	return error_set("history: %s: %s", what, sqlite3_errmsg(h->db));
}

int
history_open(struct history **out, const char *state_dir)
{
	struct history *h = xcalloc(1, sizeof *h);
	char *path = path_join(state_dir, "history.db");
	int rc = -1;

	*out = NULL;
	if (mkdir_p(state_dir, 0755) < 0)
		goto done;
	if (sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		error_set("cannot open \"%s\": %s", path,
		    h->db ? sqlite3_errmsg(h->db) : "out of memory");
		goto done;
	}
	sqlite3_busy_timeout(h->db, 10000);
	/* WAL with synchronous=NORMAL: one fsync per checkpoint, not per row;
	 * a power cut may lose the last row, never corrupt the file. */
	if (sqlite3_exec(h->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
	    NULL, NULL, NULL) !=
	    SQLITE_OK || sqlite3_exec(h->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		db_error(h, path);
		goto done;
	}
	/* Added after the first release: what went wrong delivering the
	 * notifications. An older database gets the column here. */
	if (sqlite3_exec(h->db, "SELECT notify FROM deploys LIMIT 0", NULL, NULL,
	    NULL) != SQLITE_OK && sqlite3_exec(h->db,
	    "ALTER TABLE deploys ADD COLUMN notify TEXT", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		db_error(h, path);
		goto done;
	}
	*out = h;
	h = NULL;
	rc = 0;
done:
	history_close(h);
	free(path);
	return rc;
}

void
history_close(struct history *h)
{
	if (h == NULL)
		return;
	sqlite3_close(h->db);
	free(h);
}

/* Prepare sql and bind the text arguments (NULL binds NULL). */
static sqlite3_stmt *
prepare(struct history *h, const char *sql, int ntext, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int i;

	if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK) {
		db_error(h, "prepare");
		return NULL;
	}
	va_start(ap, ntext);
	for (i = 1; i <= ntext; i++) {
		const char *s = va_arg(ap, const char *);

		if (s == NULL)
			sqlite3_bind_null(st, i);
		else
			sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	}
	va_end(ap);
	return st;
}

static int
run(struct history *h, sqlite3_stmt *st)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(h, "write");
	return 0;
}

int
history_reap(struct history *h, const char *app)
{
	sqlite3_stmt *st = prepare(h,
	    "UPDATE deploys SET status = 'failed', finished = ?2,"
	    " duration_ms = (?2 - started) * 1000,"
	    " message = 'interrupted: slipway stopped before the deploy ended'"
	    " WHERE app = ?1 AND status = 'running'", 1, app);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	return run(h, st);
}

int
history_begin(struct history *h, const char *app, const char *kind,
    const char *ref, const char *user, long long *id)
{
	sqlite3_stmt *st = prepare(h,
	    "INSERT INTO deploys (app, kind, ref, user, status, started)"
	    " VALUES (?1, ?2, ?3, ?4, 'running', ?5)", 4, app, kind, ref, user);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
	if (run(h, st) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(h->db);
	return 0;
}

int
history_set_commit(struct history *h, long long id, const char *commit)
{
	sqlite3_stmt *st = prepare(h,
	    "UPDATE deploys SET commit_sha = ?1 WHERE id = ?2", 1, commit);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 2, id);
	return run(h, st);
}

int
history_finish(struct history *h, long long id, const char *status,
    const char *message, const char *log, long long duration_ms)
{
	sqlite3_stmt *st = prepare(h,
	    "UPDATE deploys SET status = ?1, message = ?2, log = ?3,"
	    " finished = ?4, duration_ms = ?5 WHERE id = ?6",
	    3, status, message, log);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(st, 5, duration_ms);
	sqlite3_bind_int64(st, 6, id);
	return run(h, st);
}

static char *
col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? xstrdup((const char *)s) : NULL;
}

int
history_list(struct history *h, const char *app, int n,
    struct history_row **rows, size_t *nrows)
{
	sqlite3_stmt *st = prepare(h,
	    "SELECT id, app, kind, commit_sha, ref, user, status, message,"
	    " started, COALESCE(finished, 0), COALESCE(duration_ms, 0), notify"
	    " FROM deploys WHERE app = ?1 ORDER BY id DESC LIMIT ?2", 1, app);
	struct history_row *r = NULL;
	size_t count = 0, alloc = 0;
	int rc;

	*rows = NULL;
	*nrows = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 2, n > 0 ? n : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct history_row *x;

		r = xgrow(r, &alloc, count + 1, sizeof *r);
		x = &r[count++];
		x->id = sqlite3_column_int64(st, 0);
		x->app = col_dup(st, 1);
		x->kind = col_dup(st, 2);
		x->commit = col_dup(st, 3);
		x->ref = col_dup(st, 4);
		x->user = col_dup(st, 5);
		x->status = col_dup(st, 6);
		x->message = col_dup(st, 7);
		x->started = sqlite3_column_int64(st, 8);
		x->finished = sqlite3_column_int64(st, 9);
		x->duration_ms = sqlite3_column_int64(st, 10);
		x->notify = col_dup(st, 11);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		history_rows_free(r, count);
		return db_error(h, "read");
	}
	*rows = r;
	*nrows = count;
	return 0;
}

void
history_rows_free(struct history_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(rows[i].app);
		free(rows[i].kind);
		free(rows[i].commit);
		free(rows[i].notify);
		free(rows[i].ref);
		free(rows[i].user);
		free(rows[i].status);
		free(rows[i].message);
	}
	free(rows);
}

static char *
one_text(struct history *h, const char *sql, const char *app, long long id,
    const char *what)
{
	sqlite3_stmt *st = prepare(h, sql, 1, app);
	char *s = NULL;

	if (st == NULL)
		return NULL;
	sqlite3_bind_int64(st, 2, id);
	if (sqlite3_step(st) == SQLITE_ROW)
		s = col_dup(st, 0);
	sqlite3_finalize(st);
	if (s == NULL)
		error_set("no %s for deploy %lld of \"%s\"", what, id, app);
	return s;
}

char *
history_log(struct history *h, const char *app, long long id)
{
	return one_text(h, "SELECT log FROM deploys WHERE app = ?1 AND id = ?2",
	    app, id, "log");
}

char *
history_commit_of(struct history *h, const char *app, long long id)
{
	return one_text(h, "SELECT commit_sha FROM deploys WHERE app = ?1 AND id = ?2",
	    app, id, "commit");
}

int
history_succeeded_commits(struct history *h, const char *app, size_t max,
    char ***commits, size_t *n)
{
	sqlite3_stmt *st = prepare(h,
	    "SELECT commit_sha, MAX(id) AS last FROM deploys WHERE app = ?1"
	    " AND status = 'succeeded' AND commit_sha IS NOT NULL"
	    " GROUP BY commit_sha ORDER BY last DESC LIMIT ?2", 1, app);
	struct strv v = STRV_INIT;
	int rc;

	*commits = NULL;
	*n = 0;
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		strv_push(&v, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		strv_clear(&v);
		return db_error(h, "read");
	}
	*commits = v.v;
	*n = v.n;
	return 0;
}

void
history_iso8601(long long t, char buf[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

json_t *
history_row_json(const struct history_row *r)
{
	char started[21], finished[21];

	history_iso8601(r->started, started);
	history_iso8601(r->finished, finished);
	return json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:s, s:s, s:s?, s:I, s:s?, s:s?}",
	    "id", (json_int_t)r->id, "kind", r->kind, "commit", r->commit,
	    "ref", r->ref, "user", r->user, "status", r->status,
	    "started", started, "finished", r->finished ? finished : NULL,
	    "duration_ms", (json_int_t)r->duration_ms, "message", r->message,
	    "notify", r->notify);
}

int
history_set_notify(struct history *h, long long id, const char *text)
{
	sqlite3_stmt *st = prepare(h,
	    "UPDATE deploys SET notify = ?1 WHERE id = ?2", 1, text);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 2, (sqlite3_int64)id);
	return run(h, st);
}
