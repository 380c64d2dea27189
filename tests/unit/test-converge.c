/*
 * test-converge.c - converge_project and converge_down against the fake
 * engine's simulator: a first deploy creates networks, volumes and
 * containers; a second one changes nothing; a new image recreates; a service
 * that left is removed; an engine failure is an error naming the container;
 * a dry run calls nothing that changes the engine.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "fake-engine.h"
#include "compose/compose.h"
#include "engine/engine.h"
#include "reconcile/converge.h"

static const char *two_services =
    "services:\n"
    "  web:\n"
    "    image: busybox\n"
    "    deploy:\n"
    "      replicas: 2\n"
    "  db:\n"
    "    image: busybox\n"
    "    volumes:\n"
    "      - data:/var/lib/db\n"
    "volumes:\n"
    "  data:\n";

static const char *web_only =
    "services:\n"
    "  web:\n"
    "    image: busybox\n"
    "    deploy:\n"
    "      replicas: 2\n";

struct world {
	struct engine *e;
	struct compose_project *p;
	struct service_image img[2];
	struct converge_opts opts;
};

static struct world w;

static int
setup(void **state)
{
	if (fake_setup(state) < 0)
		return -1;
	fake_sim_start();
	fake_sim_add_image("busybox", "sha256:1111");
	memset(&w, 0, sizeof w);
	if (engine_open(&w.e, fk.host) < 0)
		return -1;
	w.img[0].service = "web";
	w.img[0].ref = "busybox";
	w.img[0].id = "sha256:1111";
	w.img[1].service = "db";
	w.img[1].ref = "busybox";
	w.img[1].id = "sha256:1111";
	w.opts.commit = "0123456789012345678901234567890123456789";
	w.opts.wait_timeout_ms = 1000;
	return 0;
}

static int
teardown(void **state)
{
	compose_free(w.p);
	engine_free(w.e);
	return fake_teardown(state);
}

static void
load(const char *yaml)
{
	compose_free(w.p);
	w.p = NULL;
	assert_int_equal(compose_load_string(&w.p, yaml, strlen(yaml),
	    "compose.yaml", "/srv/conv", "conv", NULL), 0);
}

static int
converge(void)
{
	return converge_project(w.e, w.p, w.img, 2, &w.opts);
}

static void
assert_running(const char *name)
{
	struct sim_container *c = fake_sim_container(name);

	assert_non_null(c);
	assert_string_equal(c->state, "running");
}

/* A first deploy creates everything; a second one changes nothing. */
static void
test_first_then_noop(void **state)
{
	struct sim_container *db;
	size_t creates;

	load(two_services);
	assert_int_equal(converge(), 0);
	assert_int_equal(fake_sim_ncontainers(), 3);
	assert_running("conv-web-1");
	assert_running("conv-web-2");
	assert_running("conv-db-1");
	assert_true(fake_sim_has_network("conv_default"));
	assert_true(fake_sim_has_volume("conv_data"));
	db = fake_sim_container("conv-db-1");
	assert_true(strv_contains(&db->volumes, "conv_data"));
	assert_true(strv_contains(&db->networks, "conv_default"));
	assert_string_equal(json_string_value(json_object_get(db->labels,
	    "slipway.commit")), w.opts.commit);

	creates = fake_count("POST /containers/create");
	assert_int_equal(creates, 3);
	assert_int_equal(converge(), 0);
	assert_int_equal(fake_count("POST /containers/create"), creates);
	assert_int_equal(fake_count("POST /containers/"), creates + 3);
	assert_int_equal(fake_count("DELETE "), 0);
	assert_int_equal(fake_sim_ncontainers(), 3);
}

/* A new image recreates under the same name; a stopped one is started. */
static void
test_recreate_and_start(void **state)
{
	struct sim_container *c;
	char *old_id;

	load(two_services);
	assert_int_equal(converge(), 0);
	old_id = xstrdup(fake_sim_container("conv-web-1")->id);
	fake_sim_add_image("app-web:2", "sha256:2222");
	w.img[0].ref = "app-web:2";
	w.img[0].id = "sha256:2222";
	c = fake_sim_container("conv-db-1");
	free(c->state);
	c->state = xstrdup("exited");
	assert_int_equal(converge(), 0);
	c = fake_sim_container("conv-web-1");
	assert_non_null(c);
	assert_string_not_equal(c->id, old_id);
	assert_string_equal(c->image, "sha256:2222");
	assert_null(fake_sim_container(old_id));
	assert_running("conv-web-1");
	assert_running("conv-web-2");
	assert_running("conv-db-1");
	assert_int_equal(fake_sim_ncontainers(), 3);
	free(old_id);
}

/* A service no longer in the file goes; its volume stays. */
static void
test_removes_orphans(void **state)
{
	load(two_services);
	assert_int_equal(converge(), 0);
	load(web_only);
	assert_int_equal(converge_project(w.e, w.p, w.img, 1, &w.opts), 0);
	assert_null(fake_sim_container("conv-db-1"));
	assert_int_equal(fake_sim_ncontainers(), 2);
	assert_true(fake_sim_has_volume("conv_data"));
}

/* The engine refusing a start is an error naming the container. */
static void
test_engine_failure(void **state)
{
	load(web_only);
	fake_sim_fail("POST /containers/conv-web-1/start", 1, 500,
	    "port is already allocated");
	assert_int_equal(converge_project(w.e, w.p, w.img, 1, &w.opts), -1);
	assert_non_null(strstr(error_last(), "conv-web-1"));
	assert_non_null(strstr(error_last(), "port is already allocated"));
}

/* A dry run reports the plan and changes nothing. */
static void
test_dry_run(void **state)
{
	load(two_services);
	w.opts.dry_run = 1;
	assert_int_equal(converge(), 0);
	w.opts.dry_run = 0;
	assert_int_equal(fake_sim_ncontainers(), 0);
	assert_int_equal(fake_count("POST /containers/"), 0);
	assert_int_equal(fake_count("DELETE "), 0);
}

/* converge_down removes containers and networks, volumes only when told. */
static void
test_down(void **state)
{
	load(two_services);
	assert_int_equal(converge(), 0);
	assert_int_equal(converge_down(w.e, "conv", CONVERGE_DOWN_KEEP), 0);
	assert_int_equal(fake_sim_ncontainers(), 0);
	assert_false(fake_sim_has_network("conv_default"));
	assert_true(fake_sim_has_volume("conv_data"));
	assert_int_equal(converge(), 0);
	assert_int_equal(converge_down(w.e, "conv", CONVERGE_DOWN_VOLUMES), 0);
	assert_false(fake_sim_has_volume("conv_data"));
}

/* The source of the mount at target in body's HostConfig.Mounts, or NULL. */
static const char *
mount_source(json_t *body, const char *target)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(body, "HostConfig"),
	    "Mounts"), i, m) {
		if (strcmp(json_string_value(json_object_get(m, "Target")),
		    target) == 0)
			return json_string_value(json_object_get(m, "Source"));
	}
	return NULL;
}

static void
test_inherit_anonymous(void **state)
{
	static const char v1[] =
	    "1111111111111111111111111111111111111111111111111111111111111111";
	static const char v2[] =
	    "2222222222222222222222222222222222222222222222222222222222222222";
	static const char v3[] =
	    "3333333333333333333333333333333333333333333333333333333333333333";
	static const char v4[] =
	    "4444444444444444444444444444444444444444444444444444444444444444";
	struct observed old = { 0 };
	json_t *body, *image;

	(void)state;
	assert_true(container_anonymous_volume(v1));
	assert_false(container_anonymous_volume("conv_data"));
	assert_false(container_anonymous_volume(
	    "111111111111111111111111111111111111111111111111111111111111111"));
	assert_false(container_anonymous_volume(
	    "11111111111111111111111111111111111111111111111111111111111111111"));
	assert_false(container_anonymous_volume(
	    "111111111111111111111111111111111111111111111111111111111111111A"));

	/* /data: in the file; /cache: the image's; /gone: neither any more;
	 * /etc/conf: a bind now; /var/lib/x/: the image's, a slash apart. */
	strv_push(&old.anon_targets, "/data"), strv_push(&old.anon_names, v1);
	strv_push(&old.anon_targets, "/cache"), strv_push(&old.anon_names, v2);
	strv_push(&old.anon_targets, "/gone"), strv_push(&old.anon_names, v3);
	strv_push(&old.anon_targets, "/etc/conf");
	strv_push(&old.anon_names, v4);
	body = json_loads("{\"HostConfig\": {"
	    "\"Binds\": [\"/srv/app/conf:/etc/conf:ro\"],"
	    "\"Mounts\": [{\"Type\": \"volume\", \"Target\": \"/data/\"},"
	    "  {\"Type\": \"volume\", \"Source\": \"conv_logs\","
	    "   \"Target\": \"/logs\"},"
	    "  {\"Type\": \"tmpfs\", \"Target\": \"/tmp\"}]}}", 0, NULL);
	image = json_loads("{\"/cache\": {}, \"/etc/conf\": {}}", 0, NULL);
	assert_non_null(body);
	assert_int_equal(container_inherit_volumes(body, &old, image), 2);
	assert_string_equal(mount_source(body, "/data/"), v1);
	assert_string_equal(mount_source(body, "/cache"), v2);
	assert_null(mount_source(body, "/gone"));
	assert_string_equal(mount_source(body, "/logs"), "conv_logs");
	assert_int_equal(json_array_size(json_object_get(json_object_get(body,
	    "HostConfig"), "Mounts")), 4);
	/* Nothing twice: a second pass finds every target taken. */
	assert_int_equal(container_inherit_volumes(body, &old, image), 0);
	json_decref(body);

	/* No Mounts yet: none without the image's volumes, then its two. */
	body = json_loads("{\"HostConfig\": {}}", 0, NULL);
	assert_int_equal(container_inherit_volumes(body, &old, NULL), 0);
	assert_int_equal(container_inherit_volumes(body, &old, image), 2);
	assert_string_equal(mount_source(body, "/cache"), v2);
	assert_string_equal(mount_source(body, "/etc/conf"), v4);
	assert_int_equal(container_inherit_volumes(body, NULL, image), 0);
	json_decref(body);
	json_decref(image);
	observed_dispose(&old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_then_noop, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recreate_and_start, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_removes_orphans, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_engine_failure, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_down, setup, teardown),
		cmocka_unit_test(test_inherit_anonymous),
	};
	int rc = cmocka_run_group_tests_name("converge", tests, NULL, NULL);

	error_clear();
	return rc;
}
