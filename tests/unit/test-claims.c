/*
 * test-claims.c - port claims: when two published host ports overlap
 * (protocol, port ranges, addresses), the one-line refusal naming the
 * holder, and the claims read from the engine's container and service
 * lists, the app's own left out.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "fake-engine.h"
#include "compose/compose.h"
#include "compose/policy.h"
#include "reconcile/claims.h"
#include "reconcile/swarm.h"

static void
test_overlap(void **state)
{
	static const struct {
		const char *pa, *ipa;
		unsigned alo, ahi;
		const char *pb, *ipb;
		unsigned blo, bhi;
		int want;
	} t[] = {
		{ "tcp", "127.0.0.1", 8080, 8080, "tcp", "127.0.0.1", 8080, 8080, 1 },
		{ "tcp", "127.0.0.1", 8080, 8080, "tcp", "192.0.2.1", 8080, 8080, 0 },
		{ "tcp", "127.0.0.1", 8080, 8080, "udp", "127.0.0.1", 8080, 8080, 0 },
		{ "tcp", "127.0.0.1", 8080, 8080, "tcp", "127.0.0.1", 8081, 8081, 0 },
		{ "tcp", NULL, 8080, 8080, "tcp", "192.0.2.1", 8080, 8080, 1 },
		{ "tcp", "", 8080, 8080, "tcp", "::1", 8080, 8080, 1 },
		{ "tcp", "0.0.0.0", 8080, 8080, "tcp", "127.0.0.1", 8080, 8080, 1 },
		{ "tcp", "127.0.0.1", 8080, 8080, "tcp", "::", 8080, 8080, 1 },
		{ "tcp", "::1", 8080, 8080, "tcp", "0:0::1", 8080, 8080, 1 },
		{ "tcp", "::1", 8080, 8080, "tcp", "127.0.0.1", 8080, 8080, 0 },
		/* IPv4-mapped: the engine binds them as IPv4 */
		{ "tcp", "::ffff:0.0.0.0", 8080, 8080, "tcp", "127.0.0.1", 8080, 8080, 1 },
		{ "tcp", "::ffff:127.0.0.1", 8080, 8080, "tcp", "127.0.0.1", 8080, 8080, 1 },
		{ "tcp", "::ffff:127.0.0.2", 8080, 8080, "tcp", "127.0.0.1", 8080, 8080, 0 },
		/* ranges: any port in common */
		{ "tcp", "127.0.0.1", 8000, 8010, "tcp", "127.0.0.1", 8010, 8010, 1 },
		{ "tcp", "127.0.0.1", 8000, 8010, "tcp", "127.0.0.1", 8011, 8020, 0 },
		{ "tcp", "127.0.0.1", 8005, 8005, "tcp", NULL, 8000, 8010, 1 },
		{ "udp", NULL, 53, 53, "UDP", NULL, 53, 53, 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct port_claim a = { t[i].pa, t[i].ipa, t[i].alo, t[i].ahi,
			"a" };
		struct port_claim b = { t[i].pb, t[i].ipb, t[i].blo, t[i].bhi,
			"b" };

		if (policy_claims_overlap(&a, &b) != t[i].want ||
		    policy_claims_overlap(&b, &a) != t[i].want)
			fail_msg("case %zu: want %d", i, t[i].want);
	}
}

static struct compose_project *
load(const char *yaml)
{
	struct compose_project *p = NULL;

	if (compose_load_string(&p, yaml, strlen(yaml), "compose.yaml",
	    "/srv/app", "a", NULL) < 0)
		fail_msg("load failed: %s", error_last());
	return p;
}

static void
test_message(void **state)
{
	struct port_claim c[] = {
		{ "tcp", "127.0.0.1", 9000, 9000, "x" },
		{ "tcp", "127.0.0.1", 8080, 8080,
		  "app \"b\" (container b-web-1)" },
		{ "udp", NULL, 8005, 8005, "container \"dns\" (not this app's)" },
	};
	struct compose_project *p;

	(void)state;
	p = load("services:\n  web:\n    image: x\n    ports:\n"
	    "      - \"127.0.0.1:8080:80\"\n");
	assert_int_equal(policy_check_port_claims(p, c, ARRAY_SIZE(c)), -1);
	assert_string_equal(error_last(), "compose.yaml:2: service \"web\": "
	    "\"ports: 127.0.0.1:8080:80\": host port 8080/tcp is already "
	    "published by app \"b\" (container b-web-1)");
	compose_free(p);
	/* another address, another protocol, no host port: none taken */
	p = load("services:\n  web:\n    image: x\n    ports:\n"
	    "      - \"192.0.2.1:8080:80\"\n      - \"8005:53\"\n"
	    "      - \"80\"\n");
	assert_int_equal(policy_check_port_claims(p, c, ARRAY_SIZE(c)), 0);
	compose_free(p);
	/* a range of host ports for one target, and one per target */
	p = load("services:\n  dns:\n    image: x\n    ports:\n"
	    "      - \"8000-8010:53/udp\"\n");
	assert_int_equal(policy_check_port_claims(p, c, ARRAY_SIZE(c)), -1);
	assert_string_equal(error_last(), "compose.yaml:2: service \"dns\": "
	    "\"ports: 8000-8010:53/udp\": host port 8005/udp is already "
	    "published by container \"dns\" (not this app's)");
	compose_free(p);
	p = load("services:\n  web:\n    image: x\n    ports:\n"
	    "      - \"[::1]:8999-9001:80-82\"\n");
	assert_int_equal(policy_check_port_claims(p, c, ARRAY_SIZE(c)), 0);
	compose_free(p);
	p = load("services:\n  web:\n    image: x\n    ports:\n"
	    "      - \"8999-9001:80-82\"\n");
	assert_int_equal(policy_check_port_claims(p, c, ARRAY_SIZE(c)), -1);
	assert_string_equal(error_last(), "compose.yaml:2: service \"web\": "
	    "\"ports: 9000:81\": host port 9000/tcp is already published by x");
	compose_free(p);
}

/* The engine's lists: app a's own objects do not count, b's are named. */
static void
test_from_engine(void **state)
{
	struct neighbours nb = NEIGHBOURS_INIT;
	struct compose_project *p;
	struct strv apps = STRV_INIT;
	json_error_t je;

	(void)state;
	strv_push(&apps, "a");
	strv_push(&apps, "b");
	nb.containers = json_loads("["
	    "{\"Names\": [\"/a-web-1\"], \"Labels\": "
	    "{\"com.docker.compose.project\": \"a\"}, \"Ports\": [{\"IP\": "
	    "\"127.0.0.1\", \"PrivatePort\": 80, \"PublicPort\": 8080, "
	    "\"Type\": \"tcp\"}]},"
	    "{\"Names\": [\"/a_web.1.x\"], \"Labels\": "
	    "{\"com.docker.stack.namespace\": \"a\"}, \"Ports\": [{\"IP\": "
	    "\"0.0.0.0\", \"PrivatePort\": 80, \"PublicPort\": 8081, "
	    "\"Type\": \"tcp\"}]},"
	    "{\"Names\": [\"/b-web-1\"], \"Labels\": "
	    "{\"com.docker.compose.project\": \"b\"}, \"Ports\": [{\"IP\": "
	    "\"127.0.0.1\", \"PrivatePort\": 80, \"PublicPort\": 8082, "
	    "\"Type\": \"tcp\"}, {\"PrivatePort\": 81, \"Type\": \"tcp\"}]},"
	    "{\"Names\": [\"/web\"], \"Labels\": "
	    "{\"com.docker.compose.project\": \"c\"}, \"Ports\": [{\"IP\": "
	    "\"::\", \"PrivatePort\": 80, \"PublicPort\": 8083, "
	    "\"Type\": \"tcp\"}]},"
	    /* b's, with a's namespace from its image's LABEL */
	    "{\"Names\": [\"/b-sly-1\"], \"Labels\": "
	    "{\"com.docker.compose.project\": \"b\", "
	    "\"com.docker.stack.namespace\": \"a\"}, \"Ports\": [{\"IP\": "
	    "\"127.0.0.1\", \"PrivatePort\": 80, \"PublicPort\": 8087, "
	    "\"Type\": \"tcp\"}]}]", 0, &je);
	nb.services = json_loads("["
	    "{\"Spec\": {\"Name\": \"a_api\", \"Labels\": "
	    "{\"com.docker.stack.namespace\": \"a\"}, \"EndpointSpec\": "
	    "{\"Ports\": [{\"Protocol\": \"tcp\", \"PublishedPort\": 8084}]}}},"
	    "{\"Spec\": {\"Name\": \"b_api\", \"Labels\": "
	    "{\"com.docker.stack.namespace\": \"b\"}}, \"Endpoint\": "
	    "{\"Ports\": [{\"Protocol\": \"tcp\", \"TargetPort\": 80, "
	    "\"PublishedPort\": 8085, \"PublishMode\": \"ingress\"}]}}]", 0, &je);
	assert_non_null(nb.containers);
	assert_non_null(nb.services);
	/* its own ports (a redeploy), and free ones */
	p = load("services:\n  web:\n    image: x\n    ports:\n"
	    "      - \"127.0.0.1:8080:80\"\n      - \"8081:80\"\n"
	    "      - \"8084:80\"\n      - \"192.0.2.1:8082:80\"\n"
	    "      - \"127.0.0.1:8086:80\"\n");
	assert_int_equal(claims_needed(p), 1);
	assert_int_equal(claims_check(&nb, p, &apps), 0);
	compose_free(p);
	p = load("services:\n  web:\n    image: x\n    ports:\n"
	    "      - \"8082:80\"\n");
	assert_int_equal(claims_check(&nb, p, &apps), -1);
	assert_string_equal(error_last(), "compose.yaml:2: service \"web\": "
	    "\"ports: 8082:80\": host port 8082/tcp is already published by "
	    "app \"b\" (container b-web-1)");
	compose_free(p);
	/* a label from b's image does not make b's container a's */
	p = load("services:\n  web:\n    image: x\n    ports:\n"
	    "      - \"127.0.0.1:8087:80\"\n");
	assert_int_equal(claims_check(&nb, p, &apps), -1);
	assert_string_equal(error_last(), "compose.yaml:2: service \"web\": "
	    "\"ports: 127.0.0.1:8087:80\": host port 8087/tcp is already "
	    "published by app \"b\" (container b-sly-1)");
	compose_free(p);
	/* compose project "c" is no app: named by its container only */
	p = load("services:\n  web:\n    image: x\n    ports:\n"
	    "      - \"127.0.0.1:8083:80\"\n");
	assert_int_equal(claims_check(&nb, p, &apps), -1);
	assert_string_equal(error_last(), "compose.yaml:2: service \"web\": "
	    "\"ports: 127.0.0.1:8083:80\": host port 8083/tcp is already "
	    "published by container \"web\" (not this app's)");
	compose_free(p);
	/* an ingress port holds every address */
	p = load("services:\n  web:\n    image: x\n    ports:\n"
	    "      - \"127.0.0.1:8085:80\"\n");
	assert_int_equal(claims_check(&nb, p, &apps), -1);
	assert_string_equal(error_last(), "compose.yaml:2: service \"web\": "
	    "\"ports: 127.0.0.1:8085:80\": host port 8085/tcp is already "
	    "published by app \"b\" (Swarm service b_api)");
	compose_free(p);
	p = load("services:\n  web:\n    image: x\n    ports: [\"80\"]\n");
	assert_int_equal(claims_needed(p), 0);
	compose_free(p);
	strv_clear(&apps);
	neighbours_dispose(&nb);
}

/*
 * One read of each list serves the target switch check too (looked through
 * for the app's own objects) and the claims: GET /containers/json (running,
 * no filter) and GET /services, whose 503 (no manager) means none.
 */
static void
test_read_once(void **state)
{
	struct neighbours nb = NEIGHBOURS_INIT;
	struct engine *e = NULL;

	(void)state;
	fake_ping("1.41");
	assert_int_equal(engine_open(&e, fk.host), 0);
	/* target engine: a's own Swarm service is refused, b's is not */
	fake_add_owned(fake_http(200, "OK", "", "[{\"Spec\": {\"Name\": "
	    "\"b_web\", \"Labels\": {\"com.docker.stack.namespace\": "
	    "\"b\"}}}, {\"Spec\": {\"Name\": \"a_web\", \"Labels\": "
	    "{\"com.docker.stack.namespace\": \"a\"}}}]"));
	assert_int_equal(swarm_other_form(e, "a", 0, &nb), -1);
	assert_non_null(strstr(error_last(), "still runs 1 Swarm service"));
	assert_int_equal(swarm_other_form(e, "b-", 0, &nb), 0);
	fake_add_owned(fake_http(200, "OK", "", "[]"));
	assert_int_equal(neighbours_read(e, &nb, 1, 1), 0);
	assert_int_equal(neighbours_read(e, &nb, 1, 1), 0);
	assert_int_equal(fake_nreqs(), 3);
	assert_req(1, "GET /v1.41/services");
	assert_req(2, "GET /v1.41/containers/json");
	neighbours_dispose(&nb);
	/* target swarm: a's running containers outside Swarm are refused */
	fake_add_owned(fake_http(200, "OK", "", "[{\"Names\": [\"/a-web-1\"], "
	    "\"State\": \"running\", \"Labels\": "
	    "{\"com.docker.compose.project\": \"a\"}}, {\"Names\": "
	    "[\"/b-web-1\"], \"State\": \"running\", \"Labels\": "
	    "{\"com.docker.compose.project\": \"b\"}}]"));
	assert_int_equal(swarm_other_form(e, "a", 1, &nb), -1);
	assert_non_null(strstr(error_last(), "still runs 1 container"));
	assert_int_equal(swarm_other_form(e, "c", 1, &nb), 0);
	fake_add_owned(fake_http(503, "Service Unavailable", "",
	    "{\"message\": \"This node is not a swarm manager.\"}"));
	assert_int_equal(neighbours_read(e, &nb, 1, 1), 0);
	assert_true(nb.services_read);
	assert_null(nb.services);
	assert_int_equal(fake_nreqs(), 5);
	assert_req(3, "GET /v1.41/containers/json");
	assert_req(4, "GET /v1.41/services");
	neighbours_dispose(&nb);
	engine_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_from_engine),
		cmocka_unit_test_setup_teardown(test_read_once, fake_setup,
		    fake_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
