/*
 * test-appops.c - the operator's per-app state: SERVICE=N parsing, ops.json
 * round trip, stopped services, the live commit file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "lib/appops.h"
#include "lib/util.h"

static char tmpdir[64];
static struct config cfg;

static int
setup(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test-appops-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	memset(&cfg, 0, sizeof cfg);
	cfg.state_dir = tmpdir;
	return 0;
}

static int
teardown(void **state)
{
	assert_int_equal(remove_tree(tmpdir), 0);
	error_clear();
	return 0;
}

static void
test_parse_scale(void **state)
{
	static const struct { const char *arg; const char *service; long n; } good[] = {
		{ "web=3", "web", 3 }, { "worker=0", "worker", 0 },
		{ "a-b_c=100", "a-b_c", 100 },
	};
	static const char *bad[] = { "web", "=3", "web=", "web=-1", "web=101",
	    "web=3x", "../x=1", "web=1=2", "Web Server=1" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		char *svc = NULL;
		long n = -1;

		if (app_ops_parse_scale(good[i].arg, &svc, &n) != 0)
			fail_msg("\"%s\": %s", good[i].arg, error_last());
		assert_string_equal(svc, good[i].service);
		assert_int_equal(n, good[i].n);
		free(svc);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		char *svc = NULL;
		long n;

		if (app_ops_parse_scale(bad[i], &svc, &n) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_null(svc);
	}
}

static void
test_round_trip(void **state)
{
	struct app_ops ops = APP_OPS_INIT, back = APP_OPS_INIT, copy = APP_OPS_INIT;

	/* No file: nothing decided. */
	assert_int_equal(app_ops_load(&cfg, "web", &ops), 0);
	assert_int_equal(app_ops_scale(&ops, "web"), -1);
	assert_false(app_ops_is_stopped(&ops, "web"));
	kvlist_set(&ops.scale, "worker", "3");
	strv_push(&ops.stopped, "cron");
	kvlist_set(&ops.restart, "web", "1700000000000");
	assert_int_equal(app_ops_save(&cfg, "web", &ops), 0);
	assert_int_equal(app_ops_load(&cfg, "web", &back), 0);
	assert_int_equal(app_ops_scale(&back, "worker"), 3);
	assert_int_equal(app_ops_scale(&back, "web"), -1);
	assert_true(app_ops_is_stopped(&back, "cron"));
	assert_false(app_ops_is_stopped(&back, "web"));
	assert_string_equal(kvlist_find(&back.restart, "web")->value,
	    "1700000000000");
	/* The whole app stopped: every service is. */
	back.stopped_all = 1;
	app_ops_copy(&copy, &back);
	assert_true(app_ops_is_stopped(&copy, "web"));
	assert_int_equal(app_ops_scale(&copy, "worker"), 3);
	app_ops_dispose(&ops);
	app_ops_dispose(&back);
	app_ops_dispose(&copy);
}

static void
test_bad_file(void **state)
{
	struct app_ops ops = APP_OPS_INIT;
	char *dir = xasprintf("%s/apps/web", tmpdir);
	char *path = path_join(dir, "ops.json");
	const char *text;

	assert_int_equal(mkdir_p(dir, 0700), 0);
	assert_int_equal(write_file_atomic(path, "{\"scale\": [", 11, 0644), 0);
	assert_int_equal(app_ops_load(&cfg, "web", &ops), -1);
	assert_non_null(strstr(error_last(), "ops.json"));
	/* Out-of-range counts are ignored, not trusted. */
	text = "{\"scale\": {\"a\": 5000, \"b\": -1, \"c\": \"2\", \"d\": 2}}";
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	assert_int_equal(app_ops_load(&cfg, "web", &ops), 0);
	assert_int_equal(app_ops_scale(&ops, "a"), -1);
	assert_int_equal(app_ops_scale(&ops, "b"), -1);
	assert_int_equal(app_ops_scale(&ops, "c"), -1);
	assert_int_equal(app_ops_scale(&ops, "d"), 2);
	app_ops_dispose(&ops);
	free(path);
	free(dir);
}

static void
test_live_commit(void **state)
{
	char *dir = xasprintf("%s/apps/web", tmpdir);
	char *path = path_join(dir, "current"), *c;
	const char *sha = "0123456789abcdef0123456789abcdef01234567\n";

	assert_null(app_live_commit(&cfg, "web"));
	assert_int_equal(mkdir_p(dir, 0700), 0);
	assert_int_equal(write_file_atomic(path, sha, strlen(sha), 0644), 0);
	assert_non_null(c = app_live_commit(&cfg, "web"));
	assert_string_equal(c, "0123456789abcdef0123456789abcdef01234567");
	free(c);
	assert_int_equal(write_file_atomic(path, "../../etc\n", 10, 0644), 0);
	assert_null(app_live_commit(&cfg, "web"));
	free(path);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_scale),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_commit, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
