/*
 * test-registry.c - the pipeline's registry rules without an engine: the
 * registry host of an image name, pull_policy values, which image names an
 * app may use under the push targets, push names, the digests record.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "lib/config.h"
#include "pipeline/registry.h"

static void
test_host_of(void **state)
{
	const char *cases[][2] = {
		{ "postgres:16", "docker.io" },
		{ "library/postgres", "docker.io" },
		{ "bitnami/redis:7", "docker.io" },
		{ "localhost/x", "localhost" },
		{ "localhost:5000/x:1", "localhost:5000" },
		{ "127.0.0.1:5000/a/b@sha256:00", "127.0.0.1:5000" },
		{ "registry.example.com/team/app", "registry.example.com" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *h = registry_host_of(cases[i][0]);

		assert_string_equal(h, cases[i][1]);
		free(h);
	}
}

static void
test_pull_policy(void **state)
{
	enum pull_policy p;
	long long iv;

	assert_int_equal(registry_pull_policy("db", NULL, 0, &p, &iv), 0);
	assert_int_equal(p, PULL_MISSING);
	assert_int_equal(registry_pull_policy("db", "if_not_present", 0, &p, &iv), 0);
	assert_int_equal(p, PULL_MISSING);
	assert_int_equal(registry_pull_policy("db", "always", 0, &p, &iv), 0);
	assert_int_equal(p, PULL_ALWAYS);
	assert_int_equal(registry_pull_policy("db", "never", 0, &p, &iv), 0);
	assert_int_equal(p, PULL_NEVER);
	assert_int_equal(registry_pull_policy("db", "daily", 0, &p, &iv), 0);
	assert_int_equal(p, PULL_EVERY);
	assert_int_equal(iv, 86400);
	assert_int_equal(registry_pull_policy("db", "weekly", 0, &p, &iv), 0);
	assert_int_equal(iv, 7 * 86400);
	assert_int_equal(registry_pull_policy("db", "every_1h30m", 0, &p, &iv), 0);
	assert_int_equal(p, PULL_EVERY);
	assert_int_equal(iv, 5400);
	assert_int_equal(registry_pull_policy("db", "every_500ms", 0, &p, &iv), -1);
	assert_int_equal(registry_pull_policy("db", "every_", 0, &p, &iv), -1);
	assert_int_equal(registry_pull_policy("db", "build", 0, &p, &iv), -1);
	assert_string_equal(error_last(), "service \"db\": pull_policy \"build\" "
	    "needs a build section");
	/* A service with build: may ask to be built on every deploy. */
	assert_int_equal(registry_pull_policy("web", "build", 1, &p, &iv), 0);
	assert_int_equal(p, PULL_BUILD);
	assert_int_equal(registry_pull_policy("web", "sometimes", 1, &p, &iv),
	    -1);
	assert_int_equal(registry_pull_policy("db", "sometimes", 0, &p, &iv), -1);
	assert_non_null(strstr(error_last(), "service \"db\": unknown "
	    "pull_policy \"sometimes\""));
}

static void
test_check_ref(void **state)
{
	struct config cfg;
	char dir[] = "/tmp/test-registry-XXXXXX", *conf;
	const char *text = "[registry]\npush = reg.example:5000/slipway\n"
	    "[app \"api\"]\npush = other.example/team\n";
	const char *ok[] = { "postgres:16", "reg.example:5000/slipway/web-db:1",
	    "reg.example:5000/slipway/web-x@sha256:00",
	    "reg.example:5000/elsewhere/api-web:1", "other.example/x/api-web" };
	const char *refused[] = { "reg.example:5000/slipway/api-web:1",
	    "reg.example:5000/slipway/webx-db:1", "other.example/team/api-web",
	    "reg.example:5000/slipway/deep/web-db" };
	const char *loopback[] = { "localhost:5000/slipway/api-web:1",
	    "LOCALHOST:5000/slipway/api-web:1", "127.0.0.2:5000/slipway/api-web",
	    "[::1]:5000/slipway/api-web", "team/hub-web:1",
	    "index.docker.io/team/hub-web", "Docker.io/team/hub-web",
	    "localtest.me:5000/slipway/api-web:1" };
	size_t i;
	char *name;

	assert_non_null(mkdtemp(dir));
	conf = path_join(dir, "slipway.conf");
	assert_int_equal(write_file_atomic(conf, text, strlen(text), 0600), 0);
	assert_int_equal(config_load(&cfg, conf), 0);
	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		if (registry_check_ref(&cfg, "web", ok[i]) < 0)
			fail_msg("\"%s\" refused: %s", ok[i], error_last());
	}
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		if (registry_check_ref(&cfg, "web", refused[i]) == 0)
			fail_msg("\"%s\" accepted", refused[i]);
		assert_non_null(strstr(error_last(), "an app may only pull its "
		    "own builds"));
	}
	/* The same registry spelled another way is the same space; docker
	 * keeps localhost and 127.0.0.1 apart, the check may not. */
	config_dispose(&cfg);
	text = "[registry]\npush = 127.0.0.1:5000/slipway\n"
	    "[app \"hub\"]\npush = docker.io/team\n";
	assert_int_equal(write_file_atomic(conf, text, strlen(text), 0600), 0);
	assert_int_equal(config_load(&cfg, conf), 0);
	for (i = 0; i < ARRAY_SIZE(loopback); i++) {
		if (registry_check_ref(&cfg, "web", loopback[i]) == 0)
			fail_msg("\"%s\" accepted", loopback[i]);
		assert_non_null(strstr(error_last(),
		    "not under \"127.0.0.1:5000/slipway/web-\""));
	}
	assert_int_equal(registry_check_ref(&cfg, "web",
	    "localhost:5000/slipway/web-db:1"), 0);
	assert_int_equal(registry_check_ref(&cfg, "web",
	    "localhost:5001/slipway/api-db:1"), 0);
	/* a name that may resolve to this host: its port and path count */
	assert_int_equal(registry_check_ref(&cfg, "web",
	    "localtest.me:5000/slipway/web-db:1"), 0);
	assert_int_equal(registry_check_ref(&cfg, "web",
	    "reg.example/slipway/api-db:1"), 0);
	config_dispose(&cfg);
	text = "[registry]\npush = reg.example:5000/slipway\n"
	    "[app \"api\"]\npush = other.example/team\n";
	assert_int_equal(write_file_atomic(conf, text, strlen(text), 0600), 0);
	assert_int_equal(config_load(&cfg, conf), 0);

	/* api's own space is its own push target, not the server's. */
	assert_int_equal(registry_check_ref(&cfg, "api",
	    "other.example/team/api-web:1"), 0);
	assert_int_equal(registry_check_ref(&cfg, "api",
	    "reg.example:5000/slipway/api-web:1"), -1);

	name = registry_push_name(&cfg, "web", "DB");
	assert_string_equal(name, "reg.example:5000/slipway/web-db");
	free(name);
	name = registry_push_name(&cfg, "api", "web");
	assert_string_equal(name, "other.example/team/api-web");
	free(name);
	config_dispose(&cfg);
	assert_int_equal(remove_tree(dir), 0);
	free(conf);
}

static void
test_digests(void **state)
{
	char dir[] = "/tmp/test-registry-XXXXXX";
	const char *commit = "0123456789012345678901234567890123456789";
	struct kvlist in = KVLIST_INIT, out = KVLIST_INIT;
	const struct kv *kv;

	assert_non_null(mkdtemp(dir));
	/* No record yet: empty. */
	assert_int_equal(registry_digests_load(dir, commit, &out), 0);
	assert_int_equal(out.n, 0);
	kvlist_set(&in, "db", "postgres@sha256:aa");
	kvlist_set(&in, "web", "reg/app-web@sha256:bb");
	assert_int_equal(registry_digests_save(dir, commit, &in), 0);
	assert_int_equal(registry_digests_load(dir, commit, &out), 0);
	assert_int_equal(out.n, 2);
	kv = kvlist_find(&out, "db");
	assert_non_null(kv);
	assert_string_equal(kv->value, "postgres@sha256:aa");
	kvlist_clear(&in);
	kvlist_clear(&out);
	assert_int_equal(remove_tree(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_of),
		cmocka_unit_test(test_pull_policy),
		cmocka_unit_test(test_check_ref),
		cmocka_unit_test(test_digests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
