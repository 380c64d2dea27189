/*
 * test-plan.c - the convergence planner, without an engine: no change, one
 * change, scale out and in, orphans, stopped containers, missing networks.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "reconcile/plan.h"

static struct observed
obs(const char *service, int number, const char *hash, const char *image,
    const char *state)
{
	struct observed o;

	memset(&o, 0, sizeof o);
	o.id = xasprintf("id-%s-%d", service, number);
	o.name = xasprintf("app-%s-%d", service, number);
	o.service = xstrdup(service);
	o.number = number;
	o.hash = xstrdup(hash);
	o.image_id = xstrdup(image);
	o.state = xstrdup(state);
	strv_push(&o.networks, "app_default");
	return o;
}

static struct desired
des(const char *service, int replicas, const char *hash, const char *image)
{
	struct desired d;

	memset(&d, 0, sizeof d);
	d.service = service;
	d.replicas = replicas;
	d.hash = hash;
	d.image_id = image;
	strv_push(&d.networks, "app_default");
	return d;
}

static void
free_all(struct desired *d, size_t nd, struct observed *o, size_t no)
{
	size_t i;

	for (i = 0; i < nd; i++) {
		strv_clear(&d[i].networks);
		strv_clear(&d[i].volumes);
	}
	for (i = 0; i < no; i++)
		observed_dispose(&o[i]);
}

static void
test_nothing_changed(void **state)
{
	struct desired d[2] = { des("db", 1, "h1", "i1"), des("web", 1, "h2", "i2") };
	struct observed o[2] = { obs("web", 1, "h2", "i2", "running"),
	    obs("db", 1, "h1", "i1", "running") };
	struct plan p;

	(void)state;
	plan_compute(&p, d, 2, o, 2);
	assert_int_equal(p.nsteps, 2);
	assert_int_equal(p.changes, 0);
	assert_string_equal(p.steps[0].service, "db");
	assert_int_equal(p.steps[0].action, PLAN_KEEP);
	assert_ptr_equal(p.steps[1].old, &o[0]);
	plan_dispose(&p);
	free_all(d, 2, o, 2);
}

/* A container a replace left under its temporary name is replaced. */
static void
test_temporary_name(void **state)
{
	struct desired d[1] = { des("web", 1, "h1", "i1") };
	struct observed o[1] = { obs("web", 1, "h1", "i1", "running") };
	struct plan p;

	(void)state;
	free(o[0].name);
	o[0].name = xstrdup("0123456789ab_app-web-1");
	plan_compute(&p, d, 1, o, 1);
	assert_int_equal(p.steps[0].action, PLAN_RECREATE);
	assert_string_equal(p.steps[0].reason, "left under a temporary name");
	plan_dispose(&p);
	free_all(d, 1, o, 1);
}

static void
test_one_change(void **state)
{
	struct desired d[2] = { des("db", 1, "h1", "i1"), des("web", 1, "h2-new", "i2") };
	struct observed o[2] = { obs("db", 1, "h1", "i1", "running"),
	    obs("web", 1, "h2", "i2", "running") };
	struct plan p;

	(void)state;
	plan_compute(&p, d, 2, o, 2);
	assert_int_equal(p.changes, 1);
	assert_int_equal(p.steps[0].action, PLAN_KEEP);
	assert_int_equal(p.steps[1].action, PLAN_RECREATE);
	assert_string_equal(p.steps[1].reason, "configuration changed");
	plan_dispose(&p);
	free_all(d, 2, o, 2);
}

static void
test_image_changed(void **state)
{
	struct desired d[1] = { des("web", 1, "h", "new-image") };
	struct observed o[1] = { obs("web", 1, "h", "old-image", "running") };
	struct plan p;

	(void)state;
	plan_compute(&p, d, 1, o, 1);
	assert_int_equal(p.steps[0].action, PLAN_RECREATE);
	assert_string_equal(p.steps[0].reason, "image changed");
	plan_dispose(&p);
	free_all(d, 1, o, 1);
}

static void
test_network_and_volume_missing(void **state)
{
	struct desired d[2] = { des("a", 1, "h", "i"), des("b", 1, "h", "i") };
	struct observed o[2] = { obs("a", 1, "h", "i", "running"),
	    obs("b", 1, "h", "i", "running") };
	struct plan p;

	(void)state;
	strv_push(&d[0].networks, "app_back");
	strv_push(&d[1].volumes, "app_data");
	plan_compute(&p, d, 2, o, 2);
	assert_int_equal(p.steps[0].action, PLAN_RECREATE);
	assert_string_equal(p.steps[0].reason, "network missing");
	assert_int_equal(p.steps[1].action, PLAN_RECREATE);
	assert_string_equal(p.steps[1].reason, "volume missing");
	plan_dispose(&p);
	strv_push(&o[1].volumes, "app_data");
	strv_push(&o[0].networks, "app_back");
	plan_compute(&p, d, 2, o, 2);
	assert_int_equal(p.changes, 0);
	plan_dispose(&p);
	free_all(d, 2, o, 2);
}

static void
test_scale_out_and_in(void **state)
{
	struct desired d[1] = { des("worker", 3, "h", "i") };
	struct observed o[2] = { obs("worker", 1, "h", "i", "running"),
	    obs("worker", 2, "h", "i", "running") };
	struct observed o5[1] = { obs("worker", 5, "h", "i", "running") };
	struct plan p;

	(void)state;
	plan_compute(&p, d, 1, o, 2);
	assert_int_equal(p.nsteps, 3);
	assert_int_equal(p.changes, 1);
	assert_int_equal(p.steps[2].action, PLAN_CREATE);
	assert_int_equal(p.steps[2].number, 3);
	plan_dispose(&p);

	d[0].replicas = 1;
	plan_compute(&p, d, 1, o, 2);
	assert_int_equal(p.nsteps, 2);
	assert_int_equal(p.steps[0].action, PLAN_KEEP);
	assert_int_equal(p.steps[0].number, 1);
	assert_int_equal(p.steps[1].action, PLAN_REMOVE);
	assert_int_equal(p.steps[1].number, 2);
	assert_string_equal(p.steps[1].reason, "scaled in");
	plan_dispose(&p);

	/* Numbers are kept: 5 is beyond the count, 1 is created. */
	plan_compute(&p, d, 1, o5, 1);
	assert_int_equal(p.steps[0].action, PLAN_CREATE);
	assert_int_equal(p.steps[0].number, 1);
	assert_int_equal(p.steps[1].action, PLAN_REMOVE);
	assert_ptr_equal(p.steps[1].old, &o5[0]);
	plan_dispose(&p);
	free_all(d, 1, o, 2);
	free_all(NULL, 0, o5, 1);
}

static void
test_orphan_and_stopped(void **state)
{
	struct desired d[1] = { des("web", 1, "h", "i") };
	struct observed o[2] = { obs("web", 1, "h", "i", "exited"),
	    obs("old", 1, "h", "i", "running") };
	struct plan p;

	(void)state;
	plan_compute(&p, d, 1, o, 2);
	assert_int_equal(p.nsteps, 2);
	assert_int_equal(p.steps[0].action, PLAN_START);
	assert_int_equal(p.steps[1].action, PLAN_REMOVE);
	assert_null(p.steps[1].service);
	assert_string_equal(p.steps[1].reason, "orphan");
	assert_int_equal(p.changes, 2);
	plan_dispose(&p);
	free_all(d, 1, o, 2);
}

static void
test_duplicate_number_removed(void **state)
{
	struct desired d[1] = { des("web", 1, "h", "i") };
	struct observed o[2] = { obs("web", 1, "h", "i", "running"),
	    obs("web", 1, "h", "i", "created") };
	struct plan p;

	(void)state;
	plan_compute(&p, d, 1, o, 2);
	assert_int_equal(p.nsteps, 2);
	assert_int_equal(p.steps[0].action, PLAN_KEEP);
	assert_int_equal(p.steps[1].action, PLAN_REMOVE);
	assert_ptr_equal(p.steps[1].old, &o[1]);
	plan_dispose(&p);
	free_all(d, 1, o, 2);
}

static void
test_order_follows_desired(void **state)
{
	struct desired d[3] = { des("db", 1, "a", "i"), des("api", 2, "b", "i"),
	    des("web", 1, "c", "i") };
	struct plan p;

	(void)state;
	plan_compute(&p, d, 3, NULL, 0);
	assert_int_equal(p.nsteps, 4);
	assert_string_equal(p.steps[0].service, "db");
	assert_string_equal(p.steps[1].service, "api");
	assert_int_equal(p.steps[1].number, 1);
	assert_int_equal(p.steps[2].number, 2);
	assert_string_equal(p.steps[3].service, "web");
	assert_string_equal(plan_action_name(p.steps[3].action), "create");
	plan_dispose(&p);
	free_all(d, 3, NULL, 0);
}

static void
test_fixed_name_single_replica(void **state)
{
	struct desired d[1] = { des("db", 3, "h", "i") };
	struct plan p;

	(void)state;
	d[0].fixed_name = 1;
	plan_compute(&p, d, 1, NULL, 0);
	assert_int_equal(p.nsteps, 1);
	plan_dispose(&p);
	free_all(d, 1, NULL, 0);
}

static void
test_network_diverged(void **state)
{
	struct desired d[2] = { des("db", 1, "h1", "i1"), des("web", 1, "h2", "i2") };
	struct observed o[2] = { obs("db", 1, "h1", "i1", "running"),
	    obs("web", 1, "h2-old", "i2", "running") };
	struct net_state nd[2] = { { "app_default", "n-new" }, { "app_back", "b" } };
	struct net_state no[2] = { { "app_back", "b" }, { "app_default", "n-old" } };
	struct plan p;

	(void)state;
	plan_compute(&p, d, 2, o, 2);
	assert_int_equal(p.changes, 1);
	plan_networks(&p, nd, 2, no, 2);
	assert_int_equal(p.networks.n, 1);
	assert_string_equal(p.networks.v[0], "app_default");
	/* db is kept: stopped and reconnected, then started again */
	assert_int_equal(p.steps[0].action, PLAN_START);
	assert_string_equal(p.steps[0].reason, "network recreated");
	/* web is replaced anyway */
	assert_int_equal(p.steps[1].action, PLAN_RECREATE);
	assert_int_equal(p.changes, 3);
	plan_dispose(&p);
	free_all(d, 2, o, 2);
}

static void
test_network_unchanged_or_unrecorded(void **state)
{
	struct desired d[1] = { des("db", 1, "h1", "i1") };
	struct observed o[1] = { obs("db", 1, "h1", "i1", "running") };
	/* same hash; no hash recorded (an older network); not created yet */
	struct net_state nd[3] = { { "app_default", "n" }, { "app_old", "x" },
	    { "app_new", "y" } };
	struct net_state no[2] = { { "app_default", "n" }, { "app_old", NULL } };
	struct plan p;

	(void)state;
	plan_compute(&p, d, 1, o, 1);
	plan_networks(&p, nd, 3, no, 2);
	assert_int_equal(p.networks.n, 0);
	assert_int_equal(p.changes, 0);
	assert_int_equal(p.steps[0].action, PLAN_KEEP);
	plan_dispose(&p);
	free_all(d, 1, o, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_changed),
		cmocka_unit_test(test_one_change),
		cmocka_unit_test(test_temporary_name),
		cmocka_unit_test(test_image_changed),
		cmocka_unit_test(test_network_and_volume_missing),
		cmocka_unit_test(test_scale_out_and_in),
		cmocka_unit_test(test_orphan_and_stopped),
		cmocka_unit_test(test_duplicate_number_removed),
		cmocka_unit_test(test_order_follows_desired),
		cmocka_unit_test(test_fixed_name_single_replica),
		cmocka_unit_test(test_network_diverged),
		cmocka_unit_test(test_network_unchanged_or_unrecorded),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
