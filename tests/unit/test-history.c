/*
 * test-history.c - the SQLite deploy history: rows, their order, stale rows
 * reaped, logs, and the succeeded commits retention and rollback rely on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	assert_int_equal(history_reap(h, "app"), 0);
	assert_int_equal(history_list(h, "app", 1, &rows, &n), 0);
	assert_string_equal(rows[0].status, "failed");
	assert_non_null(strstr(rows[0].message, "interrupted"));
	history_rows_free(rows, n);
	id = add(h, "app", sha_b, "succeeded");
	log = history_log(h, "app", id);
	assert_string_equal(log, "the log\n");
	free(log);
	assert_null(history_log(h, "other", id));
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rows_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reap_and_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_succeeded_commits, setup, teardown),
	};
	int rc = cmocka_run_group_tests_name("history", tests, NULL, NULL);

	error_clear();
	return rc;
}
