/*
 * test-stack.c - a compose project as a Swarm stack: the ServiceSpec of
 * each field (names and labels, container spec, mode, placement, resources,
 * restart, update and rollback config, networks, ports, volumes), the hash
 * that makes a no-op deploy send nothing, the warnings for keys Swarm
 * ignores, what stack_check refuses, the Swarm keys of the loader (refused
 * for target = engine), and the manager check against the fake engine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "lib/config.h"
#include "compose/policy.h"
#include "fake-engine.h"
#include "compose/compose.h"
#include "engine/engine.h"
#include "reconcile/stack.h"
#include "reconcile/swarm.h"

#define DIR "/srv/app"
#define IMG "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define IMG2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define SHA "0123456789abcdef0123456789abcdef01234567"
#define SHA2 "fedcba9876543210fedcba9876543210fedcba98"

static struct compose_project *
load(const char *yaml)
{
	struct compose_project *p = NULL;

	if (compose_load_string_target(&p, yaml, strlen(yaml), "compose.yaml",
	    DIR, "app", NULL, 1) < 0)
		fail_msg("load failed: %s\n%s", error_last(), yaml);
	return p;
}

static void
load_fails(const char *yaml, int swarm, const char *err)
{
	struct compose_project *p = NULL;

	if (compose_load_string_target(&p, yaml, strlen(yaml), "compose.yaml",
	    DIR, "app", NULL, swarm) == 0) {
		compose_free(p);
		fail_msg("no error for:\n%s", yaml);
	}
	if (strcmp(error_last(), err) != 0)
		fail_msg("error \"%s\",\n want \"%s\"", error_last(), err);
}

/* The spec of service name, as compact JSON with sorted keys. */
static json_t *
spec_of(const struct compose_project *p, const char *name, const char *image,
    const char *commit, struct strv *warnings)
{
	const struct compose_service *s = compose_service(p, name);

	assert_non_null(s);
	return stack_service_spec(p, s, image, "app-web:" SHA, commit, warnings);
}

static const char *
str_at(json_t *j, const char *path)
{
	char *copy = xstrdup(path), *part, *rest = copy;
	const char *v;

	while ((part = strsep(&rest, "/")) != NULL) {
		if (json_is_array(j))
			j = json_array_get(j, strtoul(part, NULL, 10));
		else
			j = json_object_get(j, part);
	}
	free(copy);
	v = json_string_value(j);
	return v != NULL ? v : "(none)";
}

static json_int_t
int_at(json_t *j, const char *path)
{
	char *copy = xstrdup(path), *part, *rest = copy;

	while ((part = strsep(&rest, "/")) != NULL) {
		if (json_is_array(j))
			j = json_array_get(j, strtoul(part, NULL, 10));
		else
			j = json_object_get(j, part);
	}
	free(copy);
	if (!json_is_integer(j))
		fail_msg("%s is not an integer", path);
	return json_integer_value(j);
}

static const char full[] =
    "services:\n"
    "  web:\n"
    "    build: .\n"
    "    entrypoint: [\"/bin/tini\", \"--\"]\n"
    "    command: [\"httpd\", \"-f\"]\n"
    "    environment: {B: \"2\", A: \"1\"}\n"
    "    labels: {team: core}\n"
    "    user: \"1000\"\n"
    "    working_dir: /srv\n"
    "    init: true\n"
    "    read_only: true\n"
    "    stop_grace_period: 3s\n"
    "    stop_signal: SIGQUIT\n"
    "    extra_hosts: [\"db.local:10.0.0.5\"]\n"
    "    healthcheck:\n"
    "      test: [\"CMD\", \"true\"]\n"
    "      interval: 2s\n"
    "      retries: 4\n"
    "    ports:\n"
    "      - target: 8080\n"
    "        published: 8000\n"
    "        mode: host\n"
    "      - \"9000:9090/udp\"\n"
    "    volumes: [\"data:/data:ro\", \"./conf:/conf\"]\n"
    "    networks:\n"
    "      front: {aliases: [www]}\n"
    "    restart: on-failure:3\n"
    "    depends_on: [db]\n"
    "    links: [db]\n"
    "    deploy:\n"
    "      replicas: 3\n"
    "      labels: {tier: front}\n"
    "      placement:\n"
    "        constraints: [\"node.role == worker\"]\n"
    "        preferences: [{spread: node.labels.zone}]\n"
    "        max_replicas_per_node: 2\n"
    "      resources:\n"
    "        limits: {cpus: \"0.5\", memory: 64m}\n"
    "        reservations: {cpus: \"0.25\", memory: 32m}\n"
    "      update_config: {parallelism: 2, delay: 5s, monitor: 10s}\n"
    "      rollback_config: {parallelism: 0, order: start-first}\n"
    "  db:\n"
    "    image: postgres:16\n"
    "    volumes: [\"data:/var/lib/postgresql/data\"]\n"
    "    x-slipway:\n"
    "      http: {port: 5432}\n"
    "    deploy:\n"
    "      mode: global\n"
    "      endpoint_mode: dnsrr\n"
    "      restart_policy: {condition: on-failure, delay: 2s, window: 1m}\n"
    "networks:\n"
    "  front: {}\n"
    "volumes:\n"
    "  data:\n"
    "    driver_opts: {type: tmpfs, device: tmpfs}\n";

/* A container_name policy_own_names moved stays an alias, on own networks. */
static void
test_container_alias(void **state)
{
	struct compose_project *p = load("services:\n  db:\n    image: x\n"
	    "    container_name: es\n    networks: [back, ext]\n"
	    "  web:\n    image: x\n    container_name: w1\n"
	    "networks:\n  back: {}\n  ext: {external: true, name: shared}\n");
	struct strv w = STRV_INIT;
	json_t *spec, *a;

	(void)state;
	assert_int_equal(policy_own_names(p, ALLOW_EXTERNAL_NETWORKS), 0);
	spec = spec_of(p, "db", IMG, SHA, &w);
	a = json_object_get(spec, "TaskTemplate");
	assert_string_equal(str_at(a, "Networks/0/Target"), "app_back");
	assert_string_equal(str_at(a, "Networks/0/Aliases/1"), "es");
	assert_string_equal(str_at(a, "Networks/1/Target"), "shared");
	assert_null(json_array_get(json_object_get(json_array_get(
	    json_object_get(a, "Networks"), 1), "Aliases"), 1));
	json_decref(spec);
	spec = spec_of(p, "web", IMG, SHA, &w);
	a = json_object_get(spec, "TaskTemplate");
	assert_string_equal(str_at(a, "Networks/0/Target"), "app_default");
	assert_string_equal(str_at(a, "Networks/0/Aliases/1"), "w1");
	json_decref(spec);
	strv_clear(&w);
	compose_free(p);
}

static void
test_service_spec(void **state)
{
	struct compose_project *p = load(full);
	struct strv w = STRV_INIT;
	json_t *spec = spec_of(p, "web", IMG, SHA, &w), *cs, *a;
	char *text;

	(void)state;
	assert_string_equal(str_at(spec, "Name"), "app_web");
	assert_string_equal(str_at(spec, "Labels/com.docker.stack.namespace"),
	    "app");
	assert_string_equal(str_at(spec, "Labels/com.docker.stack.image"),
	    "app-web:" SHA);
	assert_string_equal(str_at(spec, "Labels/tier"), "front");
	assert_string_equal(str_at(spec, "Labels/slipway.commit"), SHA);
	assert_int_equal(strlen(str_at(spec, "Labels/slipway.spec-hash")), 40);
	cs = json_object_get(json_object_get(spec, "TaskTemplate"),
	    "ContainerSpec");
	assert_string_equal(str_at(cs, "Image"), IMG);
	assert_string_equal(str_at(cs, "Labels/team"), "core");
	assert_string_equal(str_at(cs, "Labels/com.docker.stack.namespace"),
	    "app");
	/* compose's entrypoint is Command, its command Args */
	assert_string_equal(str_at(cs, "Command/0"), "/bin/tini");
	assert_string_equal(str_at(cs, "Args/1"), "-f");
	assert_string_equal(str_at(cs, "Env/0"), "A=1");
	assert_string_equal(str_at(cs, "Env/1"), "B=2");
	assert_string_equal(str_at(cs, "User"), "1000");
	assert_string_equal(str_at(cs, "Dir"), "/srv");
	assert_true(json_is_true(json_object_get(cs, "Init")));
	assert_true(json_is_true(json_object_get(cs, "ReadOnly")));
	assert_int_equal(int_at(cs, "StopGracePeriod"), 3000000000LL);
	assert_string_equal(str_at(cs, "StopSignal"), "SIGQUIT");
	assert_string_equal(str_at(cs, "Hosts/0"), "10.0.0.5 db.local");
	assert_string_equal(str_at(cs, "Healthcheck/Test/0"), "CMD");
	assert_int_equal(int_at(cs, "Healthcheck/Interval"), 2000000000LL);
	assert_int_equal(int_at(cs, "Healthcheck/Retries"), 4);
	/* the named volume is the stack's, created on each node with its
	 * driver options; the bind stays a bind */
	assert_string_equal(str_at(cs, "Mounts/0/Type"), "volume");
	assert_string_equal(str_at(cs, "Mounts/0/Source"), "app_data");
	assert_string_equal(str_at(cs, "Mounts/0/Target"), "/data");
	assert_true(json_is_true(json_object_get(json_array_get(
	    json_object_get(cs, "Mounts"), 0), "ReadOnly")));
	assert_string_equal(str_at(cs,
	    "Mounts/0/VolumeOptions/Labels/com.docker.stack.namespace"), "app");
	assert_string_equal(str_at(cs,
	    "Mounts/0/VolumeOptions/DriverConfig/Options/type"), "tmpfs");
	assert_string_equal(str_at(cs, "Mounts/1/Type"), "bind");
	assert_string_equal(str_at(cs, "Mounts/1/Source"), DIR "/conf");
	/* no way to privileges: neither key exists in a ContainerSpec */
	assert_null(json_object_get(cs, "Privileged"));
	a = json_object_get(spec, "TaskTemplate");
	assert_int_equal(int_at(a, "Resources/Limits/NanoCPUs"), 500000000);
	assert_int_equal(int_at(a, "Resources/Limits/MemoryBytes"), 64 << 20);
	assert_int_equal(int_at(a, "Resources/Reservations/NanoCPUs"),
	    250000000);
	assert_int_equal(int_at(a, "Resources/Reservations/MemoryBytes"),
	    32 << 20);
	assert_string_equal(str_at(a, "RestartPolicy/Condition"), "on-failure");
	assert_int_equal(int_at(a, "RestartPolicy/MaxAttempts"), 3);
	assert_string_equal(str_at(a, "Placement/Constraints/0"),
	    "node.role == worker");
	assert_string_equal(str_at(a,
	    "Placement/Preferences/0/Spread/SpreadDescriptor"),
	    "node.labels.zone");
	assert_int_equal(int_at(a, "Placement/MaxReplicas"), 2);
	assert_string_equal(str_at(a, "Networks/0/Target"), "app_front");
	assert_string_equal(str_at(a, "Networks/0/Aliases/0"), "web");
	assert_string_equal(str_at(a, "Networks/0/Aliases/1"), "www");
	assert_int_equal(int_at(spec, "Mode/Replicated/Replicas"), 3);
	assert_int_equal(int_at(spec, "UpdateConfig/Parallelism"), 2);
	assert_int_equal(int_at(spec, "UpdateConfig/Delay"), 5000000000LL);
	assert_int_equal(int_at(spec, "UpdateConfig/Monitor"), 10000000000LL);
	/* restart on-failure: Swarm would call an exit 0 a failure */
	assert_string_equal(str_at(spec, "UpdateConfig/FailureAction"),
	    "continue");
	/* not a web service, and a host-mode port: stop-first */
	assert_string_equal(str_at(spec, "UpdateConfig/Order"), "stop-first");
	assert_int_equal(int_at(spec, "RollbackConfig/Parallelism"), 0);
	assert_string_equal(str_at(spec, "RollbackConfig/Order"),
	    "start-first");
	assert_string_equal(str_at(spec, "RollbackConfig/FailureAction"),
	    "continue");
	assert_string_equal(str_at(spec, "EndpointSpec/Mode"), "vip");
	assert_int_equal(int_at(spec, "EndpointSpec/Ports/0/TargetPort"), 8080);
	assert_int_equal(int_at(spec, "EndpointSpec/Ports/0/PublishedPort"),
	    8000);
	assert_string_equal(str_at(spec, "EndpointSpec/Ports/0/PublishMode"),
	    "host");
	assert_string_equal(str_at(spec, "EndpointSpec/Ports/1/Protocol"), "udp");
	assert_string_equal(str_at(spec, "EndpointSpec/Ports/1/PublishMode"),
	    "ingress");
	/* one line per key Swarm ignores */
	{
		struct buf b = BUF_INIT;
		size_t i;

		for (i = 0; i < w.n; i++)
			buf_addf(&b, "%s\n", w.v[i]);
		text = buf_detach(&b, NULL);
	}
	assert_non_null(strstr(text, "service \"web\": \"links\" is "
	    "ignored in a Swarm stack"));
	assert_non_null(strstr(text, "service \"web\": \"depends_on\" is "
	    "ignored"));
	assert_int_equal(w.n, 2);
	free(text);
	json_decref(spec);
	strv_clear(&w);

	spec = spec_of(p, "db", "postgres:16", SHA, NULL);
	assert_non_null(json_object_get(json_object_get(spec, "Mode"),
	    "Global"));
	assert_string_equal(str_at(spec, "EndpointSpec/Mode"), "dnsrr");
	/* a web service without a host port: start-first */
	assert_string_equal(str_at(spec, "UpdateConfig/Order"), "start-first");
	assert_string_equal(str_at(spec, "TaskTemplate/RestartPolicy/Condition"),
	    "on-failure");
	assert_int_equal(int_at(spec, "TaskTemplate/RestartPolicy/Delay"),
	    2000000000LL);
	assert_int_equal(int_at(spec, "TaskTemplate/RestartPolicy/Window"),
	    60000000000LL);
	assert_string_equal(str_at(spec, "TaskTemplate/Networks/0/Target"),
	    "app_default");
	json_decref(spec);
	compose_free(p);
}

/* The no-op check: per release nothing changes, the content does. */
static void
test_spec_hash(void **state)
{
	struct compose_project *p = load(full), *q;
	json_t *a = spec_of(p, "web", IMG, SHA, NULL);
	json_t *b = stack_service_spec(p, compose_service(p, "web"), IMG,
	    "app-web:" SHA2, SHA2, NULL);
	json_t *c = spec_of(p, "web", IMG2, SHA, NULL);
	json_t *d;
	const char *h = "Labels/slipway.spec-hash";
	char *yaml;

	(void)state;
	assert_string_equal(str_at(a, h), str_at(b, h));
	assert_string_not_equal(str_at(a, h), str_at(c, h));
	yaml = xstrdup(full);
	memcpy(strstr(yaml, "B: \"2\""), "B: \"3\"", 6);
	q = load(yaml);
	d = spec_of(q, "web", IMG, SHA, NULL);
	assert_string_not_equal(str_at(a, h), str_at(d, h));
	json_decref(d);
	compose_free(q);
	memcpy(strstr(yaml, "replicas: 3"), "replicas: 0", 11);
	memcpy(strstr(yaml, "B: \"3\""), "B: \"2\"", 6);
	q = load(yaml);
	d = spec_of(q, "web", IMG, SHA, NULL);
	assert_string_not_equal(str_at(a, h), str_at(d, h));
	assert_int_equal(int_at(d, "Mode/Replicated/Replicas"), 0);
	json_decref(d);
	compose_free(q);
	free(yaml);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	compose_free(p);
}

static void
test_network_spec(void **state)
{
	struct compose_project *p = load(full);
	json_t *n = stack_network_spec(p, compose_network(p, "front"));

	(void)state;
	assert_string_equal(str_at(n, "Name"), "app_front");
	assert_string_equal(str_at(n, "Driver"), "overlay");
	assert_string_equal(str_at(n, "Labels/com.docker.stack.namespace"),
	    "app");
	json_decref(n);
	compose_free(p);
}

static void
test_check(void **state)
{
	static const struct {
		const char *yaml, *err;
	} bad[] = {
		{ "services:\n  web:\n    image: x\n    ports: "
		  "[\"127.0.0.1:8000:80\"]\n",
		  "compose.yaml:2: service \"web\": \"ports\": a Swarm stack "
		  "publishes on every address; host_ip \"127.0.0.1\" cannot be "
		  "kept" },
		{ "services:\n  web:\n    image: x\n    ports: "
		  "[\"8000-8001:80\"]\n",
		  "compose.yaml:2: service \"web\": \"ports\": a Swarm stack "
		  "publishes one port per target, not the range \"8000-8001\"" },
		{ "services:\n  web:\n    image: x\n    configs: [c]\n"
		  "configs:\n  c: {content: hi}\n",
		  "compose.yaml:2: service \"web\": \"configs\" are not supported "
		  "with target = swarm yet" },
		{ "services:\n  web:\n    image: x\n    x-slipway:\n"
		  "      release: ./migrate\n",
		  "compose.yaml:2: service \"web\": \"x-slipway.release\" does "
		  "not run with target = swarm yet: remove it and run the command "
		  "yourself before this deploy" },
		{ "services:\n  web:\n    image: x\nnetworks:\n  default: "
		  "{driver: bridge}\n",
		  "compose.yaml: network \"default\": driver \"bridge\" cannot "
		  "reach a Swarm service; leave driver unset (overlay)" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct compose_project *p = load(bad[i].yaml);

		if (stack_check(p) == 0)
			fail_msg("no error for:\n%s", bad[i].yaml);
		if (strcmp(error_last(), bad[i].err) != 0)
			fail_msg("error \"%s\",\n want \"%s\"", error_last(),
			    bad[i].err);
		compose_free(p);
	}
	{
		struct compose_project *p = load(full);

		assert_int_equal(stack_check(p), 0);
		compose_free(p);
	}
}

/* deploy: keys only Swarm has: read for target = swarm, refused otherwise. */
static void
test_loader(void **state)
{
	(void)state;
	load_fails("services:\n  web:\n    image: x\n    deploy:\n"
	    "      placement: {}\n", 0,
	    "compose.yaml:5: service \"web\": key \"deploy.placement\" is "
	    "not supported: swarm only");
	load_fails("services:\n  web:\n    image: x\n    deploy:\n"
	    "      update_config: {order: last-first}\n", 1,
	    "compose.yaml:5: service \"web\": \"deploy.update_config.order\": "
	    "invalid order \"last-first\" (stop-first or start-first)");
	load_fails("services:\n  web:\n    image: x\n    deploy:\n"
	    "      update_config: {failure_action: explode}\n", 1,
	    "compose.yaml:5: service \"web\": "
	    "\"deploy.update_config.failure_action\": invalid action "
	    "\"explode\" (pause, continue or rollback)");
	load_fails("services:\n  web:\n    image: x\n    deploy:\n"
	    "      mode: everywhere\n", 1,
	    "compose.yaml:5: service \"web\": \"deploy.mode\": invalid mode "
	    "\"everywhere\" (replicated or global)");
	load_fails("services:\n  web:\n    image: x\n    deploy:\n"
	    "      update_config: {paralelism: 2}\n", 1,
	    "compose.yaml:5: service \"web\": unknown key "
	    "\"deploy.update_config.paralelism\"");
}

/* The manager check, against the fake engine's canned /info answers. */
static void
test_require_manager(void **state)
{
	struct engine *e = NULL;

	(void)state;
	fake_ping("1.41");
	assert_int_equal(engine_open(&e, fk.host), 0);
	fake_add_owned(fake_http(200, "OK", "", "{\"Swarm\":{\"LocalNodeState\":"
	    "\"inactive\",\"ControlAvailable\":false}}"));
	assert_int_equal(swarm_require_manager(e), -1);
	assert_string_equal(error_last(), "target = swarm, but the engine at "
	    "docker_host is not part of a Swarm (state \"inactive\"): run "
	    "`docker swarm init` there (or `docker swarm join` it as a "
	    "manager), or set target = engine");
	fake_add_owned(fake_http(200, "OK", "", "{\"Swarm\":{\"LocalNodeState\":"
	    "\"active\",\"ControlAvailable\":false}}"));
	assert_int_equal(swarm_require_manager(e), -1);
	assert_non_null(strstr(error_last(), "a Swarm worker, not a manager"));
	fake_add_owned(fake_http(200, "OK", "", "{\"Swarm\":{\"LocalNodeState\":"
	    "\"active\",\"ControlAvailable\":true}}"));
	assert_int_equal(swarm_require_manager(e), 0);
	assert_req(1, "GET /v1.41/info");
	engine_free(e);
}

/* Create and update send the spec, the version and the registry's auth. */
static void
test_service_calls(void **state)
{
	struct engine *e = NULL;
	json_t *spec = json_pack("{s:s}", "Name", "app_web");
	char *id = NULL;

	(void)state;
	fake_ping("1.41");
	assert_int_equal(engine_open(&e, fk.host), 0);
	fake_add_owned(fake_http(201, "Created", "", "{\"ID\":\"svc1\"}"));
	assert_int_equal(engine_service_create(e, spec, "QUJD", &id), 0);
	assert_string_equal(id, "svc1");
	fake_add_owned(fake_http(200, "OK", "", "{\"Warnings\":null}"));
	assert_int_equal(engine_service_update(e, "svc1", 42, spec, "QUJD", 0),
	    0);
	fake_add_owned(fake_http(200, "OK", "", "{}"));
	assert_int_equal(engine_service_update(e, "svc1", 43, spec, NULL, 1), 0);
	fake_add_owned(fake_http(404, "Not Found", "",
	    "{\"message\":\"update out of sequence\"}"));
	assert_int_equal(engine_service_update(e, "svc1", 1, spec, NULL, 0), -1);
	assert_string_equal(error_last(), "update out of sequence");
	assert_req(1, "POST /v1.41/services/create");
	assert_non_null(strcasestr(fk.heads.v[1], "\r\nX-Registry-Auth: QUJD\r\n"));
	assert_req(2, "POST /v1.41/services/svc1/update?version=42");
	assert_non_null(strcasestr(fk.heads.v[2], "\r\nX-Registry-Auth: QUJD\r\n"));
	assert_req(3, "POST /v1.41/services/svc1/update?version=43&rollback=previous");
	assert_null(strcasestr(fk.heads.v[3], "X-Registry-Auth"));
	free(id);
	json_decref(spec);
	engine_free(e);
}

/* One gate of service svc1 (created, or updated) whose one task is task (JSON). */
static int
gate_with(struct engine *e, const char *cond, const char *task, int created)
{
	struct swarm_change c = { "svc1", "app_job", created, 0 };
	struct swarm_changes ch = { &c, 1, 1 };
	char *failed = NULL, *svc, *tasks;
	int rc;

	svc = xasprintf("{\"ID\":\"svc1\",\"UpdatedAt\":"
	    "\"2026-11-28T10:59:58Z\",\"UpdateStatus\":{\"State\":"
	    "\"completed\",\"StartedAt\":\"2026-11-28T10:59:55.46Z\"},\"Spec\":{\"Name\":\"app_job\","
	    "\"Mode\":{\"Replicated\":"
	    "{\"Replicas\":1}},\"TaskTemplate\":{\"RestartPolicy\":"
	    "{\"Condition\":\"%s\"}}}}", cond);
	tasks = xasprintf("[%s]", task);
	fake_add_owned(fake_http(200, "OK", "", svc));
	fake_add_owned(fake_http(200, "OK", "", tasks));
	rc = swarm_gate(e, &ch, 0, &failed);
	free(failed);
	free(svc);
	free(tasks);
	return rc;
}

/*
 * A one-shot service whose task completed with exit 0 since the change
 * passes the gate; not one that restarts (any), not an older run's task,
 * not a failed one.
 */
static void
test_gate_oneshot(void **state)
{
	struct engine *e = NULL;
	const char *done = "{\"ID\":\"t1\",\"Slot\":1,\"CreatedAt\":"
	    "\"2026-11-28T10:59:55.461978Z\",\"DesiredState\":\"shutdown\","
	    "\"Status\":{\"State\":\"complete\",\"ContainerStatus\":"
	    "{\"ExitCode\":0}}}";
	const char *old = "{\"ID\":\"t1\",\"Slot\":1,\"CreatedAt\":"
	    "\"2026-11-28T10:59:55Z\",\"DesiredState\":\"shutdown\","
	    "\"Status\":{\"State\":\"complete\",\"ContainerStatus\":"
	    "{\"ExitCode\":0}}}";
	const char *failed = "{\"ID\":\"t1\",\"Slot\":1,\"CreatedAt\":"
	    "\"2026-11-28T10:59:56Z\",\"DesiredState\":\"shutdown\","
	    "\"Status\":{\"State\":\"failed\",\"Err\":\"task: non-zero "
	    "exit (1)\",\"ContainerStatus\":{\"ExitCode\":1}}}";

	(void)state;
	fake_ping("1.41");
	assert_int_equal(engine_open(&e, fk.host), 0);
	assert_int_equal(gate_with(e, "none", done, 0), 0);
	assert_int_equal(gate_with(e, "on-failure", done, 0), 0);
	assert_int_equal(gate_with(e, "any", done, 0), -1);
	assert_int_equal(gate_with(e, "none", old, 0), -1);
	assert_int_equal(gate_with(e, "none", old, 1), 0);
	assert_int_equal(gate_with(e, "on-failure", failed, 0), -1);
	assert_string_equal(error_last(), "service \"app_job\": task 1 "
	    "failed: task: non-zero exit (1)");
	engine_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_service_spec),
		cmocka_unit_test(test_container_alias),
		cmocka_unit_test(test_spec_hash),
		cmocka_unit_test(test_network_spec),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_loader),
		cmocka_unit_test_setup_teardown(test_require_manager,
		    fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_service_calls,
		    fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_gate_oneshot,
		    fake_setup, fake_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
