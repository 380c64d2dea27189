/*
 * test-history.c - the SQLite deploy history: rows, their order, stale rows
 * reaped, logs, and the succeeded commits retention and rollback rely on.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "unit.h"
#include "history/history.h"
#include "lib/util.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/slipway-history-XXXXXX");
	return mkdtemp(dir) == NULL;
}

static int
teardown(void **state)
{
	(void)state;
	return remove_tree(dir);
}

static const char sha_a[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char sha_b[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
static const char sha_c[] = "cccccccccccccccccccccccccccccccccccccccc";

static long long
add(struct history *h, const char *app, const char *commit, const char *status)
{
	long long id;

	assert_int_equal(history_begin(h, app, "push", "main", "alice", &id), 0);
	assert_int_equal(history_set_commit(h, id, commit), 0);
	if (status != NULL)
		assert_int_equal(history_finish(h, id, status, "msg", "the log\n",
		    1500), 0);
	return id;
}

static void
test_rows_newest_first(void **state)
{
	struct history *h;
	struct history_row *rows;
	size_t n;
	json_t *j;
	char iso[21];

	(void)state;
	assert_int_equal(history_open(&h, dir), 0);
	add(h, "app", sha_a, "succeeded");
	add(h, "app", sha_b, "failed");
	add(h, "other", sha_c, "succeeded");
	assert_int_equal(history_list(h, "app", 0, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].commit, sha_b);
	assert_string_equal(rows[0].status, "failed");
	assert_string_equal(rows[1].user, "alice");
	assert_int_equal(rows[1].duration_ms, 1500);
	assert_true(rows[1].finished >= rows[1].started);
	j = history_row_json(&rows[0]);
	assert_string_equal(json_string_value(json_object_get(j, "commit")), sha_b);
	history_iso8601(rows[0].started, iso);
	assert_string_equal(json_string_value(json_object_get(j, "started")), iso);
	assert_int_equal(strlen(iso), 20);
	assert_int_equal(iso[19], 'Z');
	json_decref(j);
	history_rows_free(rows, n);
	assert_int_equal(history_list(h, "app", 1, &rows, &n), 0);
	assert_int_equal(n, 1);
	history_rows_free(rows, n);
	history_close(h);
}

static void
test_reap_and_log(void **state)
{
	struct history *h;
	struct history_row *rows;
	long long id;
	size_t n;
	char *log;

	(void)state;
	assert_int_equal(history_open(&h, dir), 0);
	id = add(h, "app", sha_a, NULL); /* left running, as after kill -9 */
	add(h, "app", sha_c, NULL); /* live, but its end was never written */
	assert_int_equal(history_reap(h, "app", sha_c), 0);
	assert_int_equal(history_list(h, "app", 2, &rows, &n), 0);
	assert_string_equal(rows[0].status, "succeeded");
	assert_non_null(strstr(rows[0].message, "recorded by the next run"));
	assert_string_equal(rows[1].status, "failed");
	assert_non_null(strstr(rows[1].message, "interrupted"));
	history_rows_free(rows, n);
	/* history_mark ends a running row and leaves ended ones alone. */
	id = add(h, "app", sha_a, NULL);
	assert_int_equal(history_mark(h, id, "failed", "restored"), 0);
	assert_int_equal(history_mark(h, id, "succeeded", "again"), 0);
	assert_int_equal(history_list(h, "app", 1, &rows, &n), 0);
	assert_string_equal(rows[0].status, "failed");
	assert_string_equal(rows[0].message, "restored");
	history_rows_free(rows, n);
	id = add(h, "app", sha_b, "succeeded");
	log = history_log(h, "app", id);
	assert_string_equal(log, "the log\n");
	free(log);
	assert_null(history_log(h, "other", id));
	history_close(h);
}

/* IDs users see count per app from 1; forgetting an app starts it over. */
static void
test_per_app_ids_and_forget(void **state)
{
	struct history *h;
	struct history_row *rows;
	size_t n;
	char *s;

	(void)state;
	assert_int_equal(history_open(&h, dir), 0);
	add(h, "one", sha_a, "succeeded");
	add(h, "two", sha_b, "succeeded");
	add(h, "one", sha_c, "failed");
	add(h, "two", sha_c, "succeeded");
	assert_int_equal(history_list(h, "two", 0, &rows, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].id, 2);
	assert_int_equal(rows[1].id, 1);
	history_rows_free(rows, n);
	s = history_commit_of(h, "one", 2);
	assert_string_equal(s, sha_c);
	free(s);
	s = history_commit_of(h, "two", 1);
	assert_string_equal(s, sha_b);
	free(s);
	assert_int_equal(history_forget(h, "one"), 0);
	assert_int_equal(history_list(h, "one", 0, &rows, &n), 0);
	assert_int_equal(n, 0);
	history_rows_free(rows, n);
	assert_null(history_commit_of(h, "one", 1));
	add(h, "one", sha_b, "succeeded");
	assert_int_equal(history_list(h, "one", 0, &rows, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, 1);
	history_rows_free(rows, n);
	/* The other app is untouched. */
	assert_int_equal(history_list(h, "two", 0, &rows, &n), 0);
	assert_int_equal(n, 2);
	history_rows_free(rows, n);
	history_close(h);
}

static void
test_succeeded_commits(void **state)
{
	struct history *h;
	char **c;
	size_t n, i;

	(void)state;
	assert_int_equal(history_open(&h, dir), 0);
	add(h, "app", sha_a, "succeeded");
	add(h, "app", sha_b, "succeeded");
	add(h, "app", sha_c, "failed");
	add(h, "app", sha_a, "succeeded");
	assert_int_equal(history_succeeded_commits(h, "app", 5, &c, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(c[0], sha_a);
	assert_string_equal(c[1], sha_b);
	for (i = 0; i < n; i++)
		free(c[i]);
	free(c);
	assert_int_equal(history_succeeded_commits(h, "app", 1, &c, &n), 0);
	assert_int_equal(n, 1);
	free(c[0]);
	free(c);
	history_close(h);
}

/* Write text (len bytes) as dir/history.db; make dir/apps/x when apps. */
static void
plant(const char *text, size_t len, int apps)
{
	char path[128];

	snprintf(path, sizeof path, "%s/history.db", dir);
	assert_int_equal(write_file_atomic(path, text, len, 0644), 0);
	if (apps) {
		snprintf(path, sizeof path, "%s/apps/x", dir);
		assert_int_equal(mkdir_p(path, 0755), 0);
	}
}

/* How many history.db.corrupt-* files dir holds. */
static int
count_aside(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += strncmp(de->d_name, "history.db.corrupt-", 19) == 0 &&
		    strchr(de->d_name + 19, '-') == NULL;
	closedir(d);
	return n;
}

static void
test_garbage_moved_aside(void **state)
{
	static const char garbage[] = "this is not a database, not at all, "
	    "and it is long enough to have a header................................"
	    "..............................................................";
	struct history *h;
	long long id;

	(void)state;
	plant(garbage, sizeof garbage - 1, 0);
	assert_int_equal(history_open(&h, dir), 0);
	assert_int_equal(count_aside(), 1);
	assert_int_equal(history_begin(h, "app", "push", "main", NULL, &id), 0);
	history_close(h);
	/* The fresh one is kept as it is. */
	assert_int_equal(history_open(&h, dir), 0);
	assert_int_equal(count_aside(), 1);
	history_close(h);
}

static void
test_truncated_detected(void **state)
{
	struct history *h;

	(void)state;
	/* 0 bytes with no app: a new server, nothing to say. */
	plant("", 0, 0);
	assert_int_equal(history_open(&h, dir), 0);
	assert_int_equal(count_aside(), 0);
	history_close(h);
	/* 0 bytes while apps exist: the rows were lost, and that is said. */
	plant("", 0, 1);
	assert_int_equal(history_open(&h, dir), 0);
	assert_int_equal(count_aside(), 1);
	history_close(h);
}

/* A history from before seq and notify: both columns are added and the old
 * rows numbered, once; a run after it does not migrate again. */
static void
test_old_schema_migrated_once(void **state)
{
	struct history *h;
	struct history_row *rows;
	sqlite3 *db;
	char path[128];
	size_t n;
	long long id;

	(void)state;
	snprintf(path, sizeof path, "%s/history.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE deploys ("
	    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	    " app TEXT NOT NULL, kind TEXT NOT NULL, commit_sha TEXT, ref TEXT,"
	    " user TEXT, status TEXT NOT NULL, started INTEGER NOT NULL,"
	    " finished INTEGER, duration_ms INTEGER, message TEXT, log TEXT);"
	    "INSERT INTO deploys (app, kind, status, started) VALUES"
	    " ('app', 'push', 'succeeded', 1), ('app', 'push', 'failed', 2);",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(history_open(&h, dir), 0);
	assert_int_equal(history_begin(h, "app", "push", "main", NULL, &id), 0);
	assert_int_equal(history_list(h, "app", 0, &rows, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].id, 3);
	assert_int_equal(rows[2].id, 1);
	assert_null(rows[0].notify);
	history_rows_free(rows, n);
	history_close(h);
	/* Marked done: a row without seq is no longer renumbered. */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE deploys SET seq = NULL"
	    " WHERE id = 1", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(history_open(&h, dir), 0);
	assert_int_equal(history_list(h, "app", 0, &rows, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(rows[2].id, 0);
	history_rows_free(rows, n);
	history_close(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rows_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reap_and_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_app_ids_and_forget, setup, teardown),
		cmocka_unit_test_setup_teardown(test_succeeded_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_moved_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_schema_migrated_once, setup, teardown),
	};
	int rc = cmocka_run_group_tests_name("history", tests, NULL, NULL);

	error_clear();
	return rc;
}
