/*
 * history.c - the deploy history in SQLite. One table; every statement is
 * prepared with bound parameters.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "history/history.h"
#include "lib/state.h"
#include "lib/util.h"

struct history {
	sqlite3 *db;
	char *state_dir;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS deploys ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " app TEXT NOT NULL, kind TEXT NOT NULL, commit_sha TEXT, ref TEXT,"
    " user TEXT, status TEXT NOT NULL, started INTEGER NOT NULL,"
    " finished INTEGER, duration_ms INTEGER, message TEXT, log TEXT,"
    " seq INTEGER);"
    "CREATE INDEX IF NOT EXISTS deploys_app ON deploys(app, id);"
    /* Every deploy reaps its app's running rows: without it, that read
     * every row the app ever had. */
    "CREATE INDEX IF NOT EXISTS deploys_running ON deploys(app)"
    " WHERE status = 'running';";

/*
 * Users see seq, numbered per app from 1; id stays the row's handle. A
 * database from before seq gets the column and its rows their numbers.
 */
static const char migrate_seq[] =
    "UPDATE deploys SET seq = (SELECT COUNT(*) FROM deploys AS o"
    " WHERE o.app = deploys.app AND o.id <= deploys.id) WHERE seq IS NULL;"
    "CREATE INDEX IF NOT EXISTS deploys_app_seq ON deploys(app, seq);";

static int
db_error(struct history *h, const char *what)
{
	int code = sqlite3_errcode(h->db);

	if ((code == SQLITE_FULL || code == SQLITE_IOERR) &&
	    state_no_space(h->state_dir, code == SQLITE_FULL ? ENOSPC : 0))
		return error_set("history: %s: %s", what, error_last());
	return error_set("history: %s: %s", what, sqlite3_errmsg(h->db));
}

/* Is code a sign that the file is not (or no longer) a usable database? */
static int
is_damage(int code)
{
	code &= 0xff;
	return code == SQLITE_CORRUPT || code == SQLITE_NOTADB ||
	    code == SQLITE_FORMAT;
}

/*
 * PRAGMA user_version: SCHEMA_VERSION once migrate() has run on the file.
 * migrate_seq scans every row (seq is stored after the log), so it runs
 * once per database, not once per slipway run.
 */
#define SCHEMA_VERSION 1
#define SQL_NUMBER_(n) #n
#define SQL_NUMBER(n) SQL_NUMBER_(n)

static int
schema_version(struct history *h)
{
	sqlite3_stmt *st = NULL;
	int v = 0;

	if (sqlite3_prepare_v2(h->db, "PRAGMA user_version", -1, &st,
	    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/*
 * Bring a database from before seq or notify up to SCHEMA_VERSION, in one
 * write transaction: two first runs at once (two pushes on a new server)
 * take turns, and the second finds the work done.
 */
static int
migrate(struct history *h)
{
	if (sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return -1;
	if (schema_version(h) >= SCHEMA_VERSION)
		goto commit;
	/* Fails with "duplicate column" when the column is there already. */
	sqlite3_exec(h->db, "ALTER TABLE deploys ADD COLUMN seq INTEGER",
	    NULL, NULL, NULL);
	/* notify, added after the first release too: what went wrong
	 * delivering the notifications. */
	if (sqlite3_exec(h->db, migrate_seq, NULL, NULL, NULL) != SQLITE_OK ||
	    (sqlite3_exec(h->db, "SELECT notify FROM deploys LIMIT 0", NULL,
	    NULL, NULL) != SQLITE_OK && sqlite3_exec(h->db,
	    "ALTER TABLE deploys ADD COLUMN notify TEXT", NULL, NULL, NULL) !=
	    SQLITE_OK) ||
	    sqlite3_exec(h->db, "PRAGMA user_version = "
	    SQL_NUMBER(SCHEMA_VERSION), NULL, NULL, NULL) != SQLITE_OK)
		return -1;	/* the caller reads the error, closing rolls back */
commit:
	return sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ?
	    0 : -1;
}

/* Does state_dir/apps hold any app? Then an empty history lost its rows. */
static int
has_apps(const char *state_dir)
{
	char *dir = path_join(state_dir, "apps");
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	while (d != NULL && !found && (de = readdir(d)) != NULL)
		found = de->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	free(dir);
	return found;
}

/* One attempt: open path, set it up, read one row. SQLite's code, or 0. */
static int
try_open(struct history *h, const char *path)
{
	sqlite3_stmt *st = NULL;
	int code;

	if (sqlite3_open_v2(path, &h->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		if (h->db == NULL)
			return SQLITE_NOMEM;
		return sqlite3_errcode(h->db);
	}
	sqlite3_busy_timeout(h->db, 10000);
	{
		int persist = 1;

		/* Keep the -wal file when the last connection closes: every
		 * slipway run is one, and deleting and re-creating it costs
		 * an unlink and a synced header per run. */
		sqlite3_file_control(h->db, "main", SQLITE_FCNTL_PERSIST_WAL,
		    &persist);
	}
	/*
	 * WAL with synchronous=NORMAL: one fsync per checkpoint, not per row;
	 * a power cut may lose the last row, never corrupt the file.
	 * wal_autocheckpoint=64: every run is a new first connection, which
	 * reads the whole -wal file to rebuild its index, and the file only
	 * starts over after an automatic checkpoint: at SQLite's default of
	 * 1000 pages a run read up to 4 MB. 64 pages keep it near 256 KiB;
	 * the restart (a checkpoint and a synced header) comes every tenth
	 * no-op or so. Truncating it at close instead would cost that synced
	 * header on every run.
	 */
	if (sqlite3_exec(h->db, "PRAGMA journal_mode=WAL; "
	    "PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=64;",
	    NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(h->db, schema, NULL, NULL, NULL) != SQLITE_OK)
		return sqlite3_errcode(h->db);
	if (sqlite3_prepare_v2(h->db, "SELECT id FROM deploys ORDER BY id DESC"
	    " LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return sqlite3_errcode(h->db);
	code = sqlite3_step(st);
	sqlite3_finalize(st);
	return code == SQLITE_ROW || code == SQLITE_DONE ? 0 :
	    sqlite3_errcode(h->db);
}

/* Move path (and its -wal and -shm files) aside as path.corrupt-<time>. */
static char *
move_aside(const char *path)
{
	static const char *const ext[] = { "", "-wal", "-shm" };
	char stamp[32], *aside = NULL;
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	for (i = 0; i < ARRAY_SIZE(ext); i++) {
		char *from = xasprintf("%s%s", path, ext[i]);
		char *to = xasprintf("%s.corrupt-%s%s", path, stamp, ext[i]);

		if (rename(from, to) == 0 && i == 0)
			aside = xstrdup(to);
		free(from);
		free(to);
	}
	return aside;
}

int
history_open(struct history **out, const char *state_dir)
{
	struct history *h = xcalloc(1, sizeof *h);
	char *path = path_join(state_dir, "history.db"), *aside = NULL;
	struct stat sb;
	int rc = -1, code, empty;

	*out = NULL;
	h->state_dir = xstrdup(state_dir);
	if (mkdir_p(state_dir, 0755) < 0)
		goto done;
	/* SQLite takes a 0-byte file for a new database: say what was lost. */
	empty = stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size == 0 &&
	    has_apps(state_dir);
	code = empty ? SQLITE_NOTADB : try_open(h, path);
	if (code != 0 && is_damage(code)) {
		const char *why = empty ? "it is empty (0 bytes)" :
		    h->db != NULL ? sqlite3_errmsg(h->db) : sqlite3_errstr(code);
		char *reason = xstrdup(why);

		sqlite3_close(h->db);
		h->db = NULL;
		if ((aside = move_aside(path)) == NULL) {
			error_set("history \"%s\" is unusable (%s) and cannot be "
			    "moved aside: %s", path, reason, strerror(errno));
			free(reason);
			goto done;
		}
		out_warn("warning: history \"%s\" was unusable (%s): moved aside "
		    "as %s; starting a fresh one", path, reason, aside);
		free(reason);
		code = try_open(h, path);
	}
	if (code != 0) {
		if (h->db != NULL)
			db_error(h, path);
		else
			error_set("cannot open \"%s\": %s", path,
			    sqlite3_errstr(code));
		goto done;
	}
	if (schema_version(h) < SCHEMA_VERSION && migrate(h) < 0) {
		db_error(h, path);
		goto done;
	}
	*out = h;
	h = NULL;
	rc = 0;
done:
	history_close(h);
	free(aside);
	free(path);
	return rc;
}

void
history_close(struct history *h)
{
	if (h == NULL)
		return;
	sqlite3_close(h->db);
	free(h->state_dir);
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
history_reap(struct history *h, const char *app, const char *live)
{
	/* INDEXED BY: on a new database SQLite prefers deploys_app_seq for
	 * app = ?1, which reads every row of the app. */
	sqlite3_stmt *st = prepare(h,
	    "UPDATE deploys INDEXED BY deploys_running SET finished = ?2,"
	    " duration_ms = (?2 - started) * 1000,"
	    " status = CASE WHEN commit_sha = ?3 THEN 'succeeded' ELSE 'failed' END,"
	    " message = CASE WHEN commit_sha = ?3 THEN"
	    " 'live, recorded by the next run: slipway stopped before it could'"
	    " ELSE 'interrupted: slipway stopped before the deploy ended' END"
	    " WHERE app = ?1 AND status = 'running'", 1, app);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	if (live != NULL)
		sqlite3_bind_text(st, 3, live, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 3);
	return run(h, st);
}

int
history_running_commits(struct history *h, const char *app, struct strv *out)
{
	sqlite3_stmt *st = prepare(h,
	    "SELECT DISTINCT commit_sha FROM deploys INDEXED BY deploys_running"
	    " WHERE app = ?1 AND status = 'running' AND commit_sha IS NOT NULL",
	    1, app);
	int rc;

	if (st == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		strv_push(out, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(h, "read");
	return 0;
}

int
history_mark(struct history *h, long long id, const char *status,
    const char *message)
{
	sqlite3_stmt *st = prepare(h,
	    "UPDATE deploys SET status = ?1, message = ?2, finished = ?3,"
	    " duration_ms = (?3 - started) * 1000"
	    " WHERE id = ?4 AND status = 'running'", 2, status, message);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 3, (sqlite3_int64)time(NULL));
	sqlite3_bind_int64(st, 4, id);
	return run(h, st);
}

int
history_begin(struct history *h, const char *app, const char *kind,
    const char *ref, const char *user, long long *id)
{
	sqlite3_stmt *st = prepare(h,
	    "INSERT INTO deploys (app, kind, ref, user, status, started, seq)"
	    " VALUES (?1, ?2, ?3, ?4, 'running', ?5, (SELECT COALESCE(MAX(seq),"
	    " 0) + 1 FROM deploys WHERE app = ?1))", 4, app, kind, ref, user);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 5, (sqlite3_int64)time(NULL));
	if (run(h, st) < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(h->db);
	return 0;
}

int
history_forget(struct history *h, const char *app)
{
	return run(h, prepare(h, "DELETE FROM deploys WHERE app = ?1", 1, app));
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
	    "SELECT seq, app, kind, commit_sha, ref, user, status, message,"
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
	return one_text(h, "SELECT log FROM deploys WHERE app = ?1 AND seq = ?2",
	    app, id, "log");
}

char *
history_commit_of(struct history *h, const char *app, long long id)
{
	return one_text(h, "SELECT commit_sha FROM deploys WHERE app = ?1 AND seq = ?2",
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
