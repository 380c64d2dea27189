/*
 * test-compose.c - the compose loader: every field in its short and long
 * syntax, the errors (with their lines), anchors and merge keys,
 * interpolation and variables, env files, service order, and the helpers
 * (durations, sizes, paths, finding the file).
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "compose/compose.h"
#include "compose/interp.h"

#define DIR "/srv/app"

static struct kvlist vars = KVLIST_INIT;

static struct compose_project *
load(const char *yaml)
{
	struct compose_project *p = NULL;

	if (compose_load_string(&p, yaml, strlen(yaml), "compose.yaml", DIR,
	    "app", &vars) < 0)
		fail_msg("load failed: %s\n%s", error_last(), yaml);
	return p;
}

static void
load_fails(const char *yaml, const char *err)
{
	struct compose_project *p = NULL;

	if (compose_load_string(&p, yaml, strlen(yaml), "compose.yaml", DIR,
	    "app", &vars) == 0) {
		compose_free(p);
		fail_msg("no error for:\n%s", yaml);
	}
	assert_null(p);
	if (strcmp(error_last(), err) != 0)
		fail_msg("error \"%s\",\n want \"%s\" for:\n%s", error_last(), err,
		    yaml);
}

static const struct compose_service *
svc(const struct compose_project *p, const char *name)
{
	const struct compose_service *s = compose_service(p, name);

	if (s == NULL)
		fail_msg("no service \"%s\"", name);
	return s;
}

/* "a|b|c" */
static char *
join(const struct strv *v)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < v->n; i++)
		buf_addf(&b, "%s%s", i ? "|" : "", v->v[i]);
	return buf_detach(&b, NULL);
}

/* "K=V|K2" (no value: no '=') */
static char *
join_kv(const struct kvlist *l)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < l->n; i++)
		buf_addf(&b, "%s%s%s%s", i ? "|" : "", l->v[i].key,
		    l->v[i].value ? "=" : "", l->v[i].value ? l->v[i].value : "");
	return buf_detach(&b, NULL);
}

#define EXPECT_STRV(v, want) do {                                        \
	char *got_ = join(v);                                            \
	if (strcmp(got_, (want)) != 0)                                   \
		fail_msg("%s: \"%s\", want \"%s\"", #v, got_, (want));   \
	free(got_);                                                      \
} while (0)

#define EXPECT_KV(l, want) do {                                          \
	char *got_ = join_kv(l);                                         \
	if (strcmp(got_, (want)) != 0)                                   \
		fail_msg("%s: \"%s\", want \"%s\"", #l, got_, (want));   \
	free(got_);                                                      \
} while (0)

static int
setup(void **state)
{
	(void)state;
	kvlist_set(&vars, "FOO", "foo");
	kvlist_set(&vars, "EMPTY", "");
	kvlist_set(&vars, "SECRET", "s3cr3t");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	kvlist_clear(&vars);
	error_clear();
	return 0;
}

static void
test_minimal(void **state)
{
	struct compose_project *p = load("services:\n  web:\n    image: nginx\n");
	const struct compose_service *s = svc(p, "web");

	(void)state;
	assert_string_equal(p->name, "app");
	assert_string_equal(p->dir, DIR);
	assert_string_equal(p->file, DIR "/compose.yaml");
	assert_int_equal(p->nservices, 1);
	assert_string_equal(s->image, "nginx");
	assert_int_equal(s->line, 2);
	assert_null(s->build);
	assert_int_equal(s->command_set, 0);
	assert_int_equal(s->entrypoint_set, 0);
	assert_int_equal(s->replicas, 1);
	assert_int_equal(s->init, -1);
	assert_int_equal(s->stop_grace_period, -1);
	assert_int_equal(s->healthcheck.set, 0);
	assert_int_equal(s->healthcheck.interval, -1);
	assert_int_equal(s->healthcheck.retries, -1);
	assert_null(s->restart);
	assert_int_equal(s->networks_set, 0);
	assert_true(compose_service_active(s));
	/* the default network exists because web uses it */
	assert_int_equal(p->nnetworks, 1);
	assert_string_equal(p->networks[0].key, "default");
	assert_string_equal(p->networks[0].name, "app_default");
	assert_int_equal(p->warnings.n, 0);
	compose_free(p);
}

static void
test_build(void **state)
{
	static const struct {
		const char *yaml;   /* the value of build: */
		const char *context, *dockerfile, *args, *target;
	} t[] = {
		{ ".", DIR, NULL, "", NULL },
		{ "./web", DIR "/web", NULL, "", NULL },
		{ "web/../api/", DIR "/api", NULL, "", NULL },
		{ "../shared", "/srv/shared", NULL, "", NULL },
		{ "/opt/ctx", "/opt/ctx", NULL, "", NULL },
		{ "{context: web, dockerfile: Dockerfile.prod, target: prod}",
		  DIR "/web", "Dockerfile.prod", "", "prod" },
		{ "{dockerfile: other/Dockerfile}", DIR, "other/Dockerfile", "",
		  NULL },
		{ "{args: {A: 1, B: \"$FOO\", FOO: null, NOPE: null}}", DIR, NULL,
		  "A=1|B=foo|FOO=foo|NOPE", NULL },
		{ "{args: [A=1, \"B=x=y\", FOO, NOPE]}", DIR, NULL,
		  "A=1|B=x=y|FOO=foo|NOPE", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char *yaml = xasprintf("services:\n  web:\n    build: %s\n",
		    t[i].yaml);
		struct compose_project *p = load(yaml);
		const struct compose_build *b = svc(p, "web")->build;

		assert_non_null(b);
		assert_string_equal(b->context, t[i].context);
		if (t[i].dockerfile)
			assert_string_equal(b->dockerfile, t[i].dockerfile);
		else
			assert_null(b->dockerfile);
		EXPECT_KV(&b->args, t[i].args);
		if (t[i].target)
			assert_string_equal(b->target, t[i].target);
		else
			assert_null(b->target);
		assert_null(svc(p, "web")->image);
		compose_free(p);
		free(yaml);
	}
}

static void
test_command(void **state)
{
	static const struct {
		const char *yaml;
		int set;
		const char *args;
	} t[] = {
		{ "echo hello", 1, "echo|hello" },
		{ "  echo   a\tb  ", 1, "echo|a|b" },
		{ "echo \"hello world\" 'a b' c\\ d", 1, "echo|hello world|a b|c d" },
		{ "sh -c 'echo $$HOME && ls'", 1, "sh|-c|echo $HOME && ls" },
		{ "echo \"a'b\" 'c\"d'", 1, "echo|a'b|c\"d" },
		{ "echo '' \"\"", 1, "echo||" },
		{ "echo a\\tb", 1, "echo|a\tb" },
		{ "echo 'a\\nb'", 1, "echo|a\\nb" },
		{ "echo $(date +%s) `id -u`", 1, "echo|$(date +%s)|`id -u`" },
		{ "\"\"", 1, "" },
		{ "''", 1, "" },
		{ "\"   \"", 1, "" },
		{ "'\"   \"'", 1, "   " },
		{ "[]", 1, "" },
		{ "[\"sh\", \"-c\", \"echo a && echo b\"]", 1,
		  "sh|-c|echo a && echo b" },
		{ "[npm, start]", 1, "npm|start" },
		{ "null", 0, "" },
		{ "", 0, "" },
		{ "echo ${FOO}", 1, "echo|foo" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char *yaml = xasprintf("services:\n  web:\n    image: x\n"
		    "    command: %s\n    entrypoint: %s\n", t[i].yaml, t[i].yaml);
		struct compose_project *p = load(yaml);
		const struct compose_service *s = svc(p, "web");

		if (s->command_set != t[i].set)
			fail_msg("%s: command_set %d", t[i].yaml, s->command_set);
		assert_int_equal(s->entrypoint_set, t[i].set);
		EXPECT_STRV(&s->command, t[i].args);
		EXPECT_STRV(&s->entrypoint, t[i].args);
		compose_free(p);
		free(yaml);
	}
}

static void
test_environment(void **state)
{
	static const struct {
		const char *yaml;
		const char *env;
	} t[] = {
		{ "{A: 1, B: \"two\", C: '', D: null, FOO: null, E: \"$FOO-x\"}",
		  "A=1|B=two|C=|D|FOO=foo|E=foo-x" },
		{ "[A=1, B=, \"C=x=y\", FOO, NOT_SET, EMPTY]",
		/* unset bare names stay bare: the engine then removes them */
		  "A=1|B=|C=x=y|FOO=foo|NOT_SET|EMPTY=" },
		{ "{\"TRUE\": true, NUM: 1.50, Q: \"yes\"}", "TRUE=true|NUM=1.50|Q=yes" },
		{ "[A=1, A=2]", "A=2" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char *yaml = xasprintf("services:\n  web:\n    image: x\n"
		    "    environment: %s\n", t[i].yaml);
		struct compose_project *p = load(yaml);

		EXPECT_KV(&svc(p, "web")->environment, t[i].env);
		compose_free(p);
		free(yaml);
	}
}

/* Every file the loader reads is announced to the compose_need() hook. */
static int
record_need(void *ctx, const char *path)
{
	struct strv *seen = ctx;

	if (strstr(path, "app.env") != NULL && strv_contains(seen, "fail"))
		return error_set("cannot write \"%s\"", path);
	strv_push(seen, path);
	return 0;
}

static void
test_need_hook(void **state)
{
	struct compose_project *p = NULL;
	struct strv seen = STRV_INIT;
	char *dir = realpath("data/compose/envproj", NULL), *file, *want;
	const char *names[] = { ".env", "compose.yaml", "app.env",
	    "missing.env" };
	size_t i;

	(void)state;
	compose_set_need(record_need, &seen);
	file = compose_find("data/compose/envproj");
	assert_non_null(file);
	if (compose_load(&p, file, "data/compose/envproj", "app", NULL) < 0)
		fail_msg("%s", error_last());
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		want = xasprintf("%s/%s", dir, names[i]);
		if (!strv_contains(&seen, want))
			fail_msg("the hook was not told of %s", want);
		free(want);
	}
	compose_free(p);
	p = NULL;
	/* The hook's failure is the load's. */
	strv_push(&seen, "fail");
	assert_int_equal(compose_load(&p, file, "data/compose/envproj", "app",
	    NULL), -1);
	assert_non_null(strstr(error_last(), "cannot write"));
	assert_null(p);
	compose_set_need(NULL, NULL);
	strv_clear(&seen);
	free(file);
	free(dir);
}

/* env_file and .env from a real project directory. */
static void
test_env_files(void **state)
{
	struct compose_project *p = NULL;
	struct kvlist v = KVLIST_INIT;
	const struct compose_service *s;
	char *dir = realpath("data/compose/envproj", NULL), *want;

	(void)state;
	assert_non_null(dir);
	kvlist_set(&v, "OVERRIDE", "from-vars");
	if (compose_load(&p, "data/compose/envproj/compose.yaml",
	    "data/compose/envproj", "app", &v) < 0)
		fail_msg("%s", error_last());
	s = svc(p, "web");
	assert_string_equal(p->dir, dir);
	want = xasprintf("%s/compose.yaml", dir);
	assert_string_equal(p->file, want);
	free(want);
	assert_string_equal(s->image, "registry/web:1.2");
	EXPECT_KV(&s->environment, "A=from-file|B=from-environment|REF=1.2|"
	    "OVERRIDE=from-vars|FROM_DOTENV=dotenv|NOT_SET_ANYWHERE");
	EXPECT_KV(&s->labels, "over=from-vars");
	compose_free(p);

	/* format: raw takes the values as they are (docker/compose's dotenv
	 * fixture); an unknown format is refused */
	{
		const char *yaml = "services:\n  web:\n    image: x\n"
		    "    env_file:\n      - path: raw.env\n        format: raw\n"
		    "      - {path: app.env, format: .env}\n";
		assert_int_equal(compose_load_string(&p, yaml, strlen(yaml),
		    "compose.yaml", "data/compose/envproj", "app", NULL), 0);
		EXPECT_KV(&svc(p, "web")->environment,
		    "TEST_VAR='{\"key\": \"value\"}'|RAW_REF=${A}|A=from-file|B=from-file|"
		    "REF=1.2");
		compose_free(p);
		yaml = "services:\n  web:\n    image: x\n"
		    "    env_file: [{path: app.env, format: yaml}]\n";
		assert_int_equal(compose_load_string(&p, yaml, strlen(yaml),
		    "compose.yaml", "data/compose/envproj", "app", NULL), -1);
		assert_string_equal(error_last(), "compose.yaml:4: service "
		    "\"web\": unsupported env_file format \"yaml\" (compose "
		    "knows \".env\" and \"raw\")");
	}
	/* a required env file that is missing */
	{
		const char *yaml = "services:\n  web:\n    image: x\n"
		    "    env_file: [app.env, nope.env]\n";
		assert_int_equal(compose_load_string(&p, yaml, strlen(yaml),
		    "compose.yaml", "data/compose/envproj", "app", NULL), -1);
		assert_string_equal(error_last(), "compose.yaml:2: service \"web\": "
		    "env file \"nope.env\": not found");
	}
	/* env files outside the release are never read, symlinks followed */
	{
		static const struct {
			const char *yaml, *err;
		} t[] = {
			{ "    env_file: ../badenv/.env\n", "env file "
			  "\"%s/badenv/.env\" is outside the release" },
			{ "    env_file: /etc/hostname\n", "env file "
			  "\"/etc/hostname\" is outside the release" },
			{ "    env_file: [{path: link-out.env, required: false}]\n",
			  "env file \"link-out.env\" is outside the release" },
			{ "    env_file: ./link-dir/x.env\n",
			  "env file \"link-dir/x.env\" is outside the release" },
			{ "    env_file: [dangling.env]\n",
			  "env file \"dangling.env\": not found" },
			{ "    env_file: [dangling-out.env]\n",
			  "env file \"dangling-out.env\" is outside the release" },
			{ "    env_file: [{path: link-dir/none.env, required: false}]\n",
			  "env file \"link-dir/none.env\" is outside the release" },
			{ "    env_file: [.]\n", "env file \"%s/envproj\" is not a "
			  "file" },
		};
		char *parent = realpath("data/compose", NULL);
		size_t i;

		for (i = 0; i < ARRAY_SIZE(t); i++) {
			char *yaml = xasprintf("services:\n  web:\n    image: x\n%s",
			    t[i].yaml);
			char *msg = xasprintf(t[i].err, parent);
			char *err = xasprintf("compose.yaml:2: service \"web\": %s",
			    msg);

			assert_int_equal(compose_load_string(&p, yaml, strlen(yaml),
			    "compose.yaml", "data/compose/envproj", "app", NULL), -1);
			if (strcmp(error_last(), err) != 0)
				fail_msg("\"%s\", want \"%s\"", error_last(), err);
			free(err);
			free(msg);
			free(yaml);
		}
		free(parent);
	}
	/* a broken .env */
	{
		const char *yaml = "services:\n  web:\n    image: x\n";

		assert_int_equal(compose_load_string(&p, yaml, strlen(yaml),
		    "compose.yaml", "data/compose/badenv", "app", NULL), -1);
		assert_string_equal(error_last(),
		    ".env:2: unterminated quoted value");
	}
	kvlist_clear(&v);
	free(dir);
}

static void
test_ports(void **state)
{
	static const struct {
		const char *yaml;   /* one entry of ports: */
		const char *want;   /* "ip/published/target/proto ..." */
	} t[] = {
		{ "\"80\"", "-/-/80/tcp" },
		{ "80", "-/-/80/tcp" },
		{ "\"8080:80\"", "-/8080/80/tcp" },
		{ "\"127.0.0.1:8080:80\"", "127.0.0.1/8080/80/tcp" },
		{ "\"127.0.0.1::80\"", "127.0.0.1/-/80/tcp" },
		{ "\"8000-8001:80-81/udp\"", "-/8000/80/udp -/8001/81/udp" },
		{ "\"80-82\"", "-/-/80/tcp -/-/81/tcp -/-/82/tcp" },
		{ "\"8000-8010:80\"", "-/8000-8010/80/tcp" },
		{ "\"[::1]:8080:80\"", "::1/8080/80/tcp" },
		{ "\"::1:8080:80\"", "::1/8080/80/tcp" },
		{ "\"53:53/UDP\"", "-/53/53/udp" },
		{ "\"9000/sctp\"", "-/-/9000/sctp" },
		{ "\"80/\"", "-/-/80/tcp" },
		{ "\"${FOO:-x}\"", NULL },
		{ "{target: 80}", "-/-/80/tcp" },
		{ "{target: 80, published: 8080, host_ip: 127.0.0.1, "
		  "protocol: udp, mode: host}", "127.0.0.1/8080/80/udp" },
		{ "{target: 80, published: \"8000-8005\", name: web, "
		  "app_protocol: http}", "-/8000-8005/80/tcp" },
	};
	size_t i, j;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char *yaml = xasprintf("services:\n  web:\n    image: x\n"
		    "    ports:\n      - %s\n", t[i].yaml);
		struct compose_project *p;
		const struct compose_service *s;
		struct buf b = BUF_INIT;

		if (t[i].want == NULL) {
			p = NULL;
			assert_int_equal(compose_load_string(&p, yaml, strlen(yaml),
			    "compose.yaml", DIR, "app", &vars), -1);
			free(yaml);
			continue;
		}
		p = load(yaml);
		s = svc(p, "web");
		for (j = 0; j < s->nports; j++)
			buf_addf(&b, "%s%s/%s/%u/%s", j ? " " : "",
			    s->ports[j].host_ip ? s->ports[j].host_ip : "-",
			    s->ports[j].published ? s->ports[j].published : "-",
			    s->ports[j].target, s->ports[j].protocol);
		if (strcmp(b.buf, t[i].want) != 0)
			fail_msg("%s: \"%s\", want \"%s\"", t[i].yaml, b.buf,
			    t[i].want);
		buf_release(&b);
		compose_free(p);
		free(yaml);
	}
}

static void
test_port_errors(void **state)
{
	static const struct {
		const char *yaml, *err;
	} t[] = {
		{ "\"abc\"", "invalid port \"abc\": invalid container port" },
		{ "\"70000\"", "invalid port \"70000\": invalid container port" },
		{ "\"8080:\"", "invalid port \"8080:\": no container port" },
		{ "\"81-80\"", "invalid port \"81-80\": invalid container port" },
		{ "\"x:80\"", "invalid port \"x:80\": invalid host port" },
		{ "\"8000-8001:80-82\"", "invalid port \"8000-8001:80-82\": host "
		  "and container port ranges differ in size" },
		{ "\"80/icmp\"", "invalid port \"80/icmp\": invalid protocol" },
		{ "\"1.2.3:80:80\"", "invalid port \"1.2.3:80:80\": invalid IP "
		  "address" },
		{ "\"[::1:80:80\"", "invalid port \"[::1:80:80\": invalid IP "
		  "address" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char *yaml = xasprintf("services:\n  web:\n    image: x\n"
		    "    ports:\n      - %s\n", t[i].yaml);
		char *err = xasprintf("compose.yaml:5: service \"web\": \"ports\": "
		    "%s", t[i].err);

		load_fails(yaml, err);
		free(err);
		free(yaml);
	}
	load_fails("services:\n  web:\n    image: x\n    ports:\n"
	    "      - published: 80\n",
	    "compose.yaml:5: service \"web\": \"ports\": \"target\" is required");
	load_fails("services:\n  web:\n    image: x\n    ports:\n"
	    "      - {target: 80, mode: swarm}\n",
	    "compose.yaml:5: service \"web\": \"ports.mode\": invalid mode "
	    "\"swarm\"");
	load_fails("services:\n  web:\n    image: x\n    ports:\n"
	    "      - {target: 80, published: x}\n",
	    "compose.yaml:5: service \"web\": \"ports.published\": invalid port "
	    "\"x\"");
	load_fails("services:\n  web:\n    image: x\n    ports:\n"
	    "      - {target: 80, host: x}\n",
	    "compose.yaml:5: service \"web\": unknown key \"ports.host\"");
	load_fails("services:\n  web:\n    image: x\n    ports: 80\n",
	    "compose.yaml:4: service \"web\": \"ports\" must be a list");
}

static void
test_expose(void **state)
{
	struct compose_project *p = load("services:\n  web:\n    image: x\n"
	    "    expose: [80, \"8000-8010\", 53/udp]\n");

	(void)state;
	EXPECT_STRV(&svc(p, "web")->expose, "80|8000-8010|53/udp");
	compose_free(p);
	load_fails("services:\n  web:\n    image: x\n    expose:\n"
	    "      - 80\n      - http\n",
	    "compose.yaml:6: service \"web\": \"expose\": invalid port \"http\"");
}

static void
test_volumes(void **state)
{
	static const struct {
		const char *yaml;
		/* type/source/target/ro/nocopy/propagation/selinux/create/
		 * size/mode/long */
		const char *want;
	} t[] = {
		{ "data:/var/lib/data",
		  "volume/data//var/lib/data/0/0/-/-/1/0/0/0" },
		{ "data:/d:ro,nocopy", "volume/data//d/1/1/-/-/1/0/0/0" },
		{ "./src:/src", "bind/" DIR "/src//src/0/0/-/-/1/0/0/0" },
		{ ".:/app:rw", "bind/" DIR "//app/0/0/-/-/1/0/0/0" },
		{ "../up:/up", "bind//srv/up//up/0/0/-/-/1/0/0/0" },
		{ "./a/../b/./c/:/x", "bind/" DIR "/b/c//x/0/0/-/-/1/0/0/0" },
		{ "/etc/hosts:/h:ro,z", "bind//etc/hosts//h/1/0/-/z/1/0/0/0" },
		{ "/srv/x:/x:Z,rslave", "bind//srv/x//x/0/0/rslave/Z/1/0/0/0" },
		{ "/anon", "volume/-//anon/0/0/-/-/1/0/0/0" },
		{ "/anon/dir/", "volume/-//anon/dir/0/0/-/-/1/0/0/0" },
		{ "data:/d//x/", "volume/data//d/x/0/0/-/-/1/0/0/0" },
		{ "{type: volume, source: data, target: /d, read_only: true, "
		  "volume: {nocopy: true}}", "volume/data//d/1/1/-/-/0/0/0/1" },
		{ "{type: volume, target: /anon}",
		  "volume/-//anon/0/0/-/-/0/0/0/1" },
		{ "{type: bind, source: ./src, target: /src, bind: "
		  "{propagation: shared, create_host_path: false, selinux: z}}",
		  "bind/" DIR "/src//src/0/0/shared/z/0/0/0/1" },
		{ "{type: bind, source: conf, target: /conf}",
		  "bind/" DIR "/conf//conf/0/0/-/-/1/0/0/1" },
		{ "{type: bind, source: conf, target: /conf, bind: {}}",
		  "bind/" DIR "/conf//conf/0/0/-/-/1/0/0/1" },
		{ "{type: bind, source: /x, target: /x, bind: {propagation: slave}}",
		  "bind//x//x/0/0/slave/-/1/0/0/1" },
		{ "{type: tmpfs, target: /tmp, tmpfs: {size: 64m, mode: \"1777\"}}",
		  "tmpfs/-//tmp/0/0/-/-/0/67108864/1023/1" },
		{ "{type: tmpfs, target: /run, tmpfs: {size: 1000}}",
		  "tmpfs/-//run/0/0/-/-/0/1000/0/1" },
	};
	static const char *const types[] = { "volume", "bind", "tmpfs" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char *yaml = xasprintf("services:\n  web:\n    image: x\n"
		    "    volumes:\n      - %s\nvolumes:\n  data:\n", t[i].yaml);
		struct compose_project *p = load(yaml);
		const struct compose_service *s = svc(p, "web");
		const struct compose_mount *m = &s->mounts[0];
		char *got;

		assert_int_equal(s->nmounts, 1);
		got = xasprintf("%s/%s/%s/%d/%d/%s/%s/%d/%lld/%ld/%d",
		    types[m->type], m->source ? m->source : "-", m->target,
		    m->read_only, m->nocopy,
		    m->bind_propagation ? m->bind_propagation : "-",
		    m->bind_selinux ? m->bind_selinux : "-",
		    m->bind_create_host_path, m->tmpfs_size, m->tmpfs_mode,
		    m->long_syntax);
		if (strcmp(got, t[i].want) != 0)
			fail_msg("%s: \"%s\", want \"%s\"", t[i].yaml, got, t[i].want);
		free(got);
		compose_free(p);
		free(yaml);
	}
	/* ~ is the git account's home (else this user's): a host path */
	{
		const struct passwd *pw = getpwnam("git");
		struct compose_project *p = load("services:\n  web:\n"
		    "    image: x\n    volumes: [\"~/data/../x:/x\", \"~:/h\"]\n");
		char *want;

		if (pw == NULL || pw->pw_dir[0] != '/')
			pw = getpwuid(geteuid());
		want = xasprintf("%s/x", strcmp(pw->pw_dir, "/") == 0 ?
		    "" : pw->pw_dir);
		assert_string_equal(svc(p, "web")->mounts[0].source, want);
		assert_string_equal(svc(p, "web")->mounts[1].source, pw->pw_dir);
		free(want);
		compose_free(p);
	}
}

static void
test_volume_errors(void **state)
{
	static const struct {
		const char *yaml, *err;
	} t[] = {
		{ "nope:/x", "refers to undefined volume \"nope\"" },
		{ "{type: volume, source: nope, target: /x}",
		  "refers to undefined volume \"nope\"" },
		{ "~git/x:/x", "\"volumes\": home-relative bind \"~git/x\" is "
		  "not supported (only ~ and ~/path: the git account's "
		  "home)" },
		{ "data:rel", "\"volumes\": target \"rel\" is not an absolute path" },
		{ "a:b:c:d", "\"volumes\": too many colons in \"a:b:c:d\"" },
		{ "a::/b", "\"volumes\": empty section between colons in \"a::/b\"" },
		{ "\"\"", "\"volumes\": empty volume" },
		{ "data:/x:bogus", "\"volumes\": unknown option \"bogus\" in "
		  "\"data:/x:bogus\"" },
		{ "data:/x:rshared", "\"volumes\": propagation \"rshared\" applies "
		  "to bind mounts only" },
		{ "./x:/x:nocopy", "\"volumes\": nocopy applies to volumes only" },
		{ "{type: npipe, source: x, target: /x}",
		  "\"volumes\": type \"npipe\" is not supported" },
		{ "{source: data, target: /x}", "\"volumes\": \"type\" is required" },
		{ "{type: bind, target: /x}",
		  "\"volumes\": a bind mount needs a source" },
		{ "{type: tmpfs, source: x, target: /x}",
		  "\"volumes\": a tmpfs mount has no source" },
		{ "{type: tmpfs, target: /x, tmpfs: {size: big}}",
		  "\"volumes.tmpfs.size\": invalid size \"big\"" },
		{ "{type: tmpfs, target: /x, tmpfs: {mode: 999}}",
		  "\"volumes.tmpfs.mode\": invalid mode \"999\"" },
		{ "{type: volume, source: data, target: /x, volume: {subpath: a}}",
		  "key \"volumes.volume.subpath\" is not supported: not "
		  "implemented yet" },
		{ "{type: bind, source: ., target: /x, bind: {propagation: up}}",
		  "\"volumes.bind.propagation\": invalid value \"up\"" },
		{ "{type: volume, source: data, target: /x, extra: 1}",
		  "unknown key \"volumes.extra\"" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char *yaml = xasprintf("services:\n  web:\n    image: x\n"
		    "    volumes:\n      - %s\nvolumes:\n  data:\n", t[i].yaml);
		char *err = xasprintf("compose.yaml:5: service \"web\"%s%s",
		    starts_with(t[i].err, "refers") ? " " : ": ", t[i].err);

		load_fails(yaml, err);
		free(err);
		free(yaml);
	}
	load_fails("services:\n  web:\n    image: x\n    tmpfs: /x\n"
	    "    volumes:\n      - /x\n",
	    "compose.yaml:2: service \"web\": \"volumes\": target \"/x\" is "
	    "also a tmpfs");
	load_fails("services:\n  web:\n    image: x\n"
	    "    volumes: [/x, \"./a:/x/\"]\n",
	    "compose.yaml:2: service \"web\": \"volumes\": target \"/x\" is "
	    "mounted twice");
}

static void
test_networks(void **state)
{
	struct compose_project *p = load(
	    "services:\n"
	    "  web:\n"
	    "    image: x\n"
	    "    networks:\n"
	    "      front:\n"
	    "      back:\n"
	    "        aliases: [api, api2]\n"
	    "        ipv4_address: 172.20.0.5\n"
	    "        priority: 100\n"
	    "  worker:\n"
	    "    image: x\n"
	    "    networks: [back]\n"
	    "  job:\n"
	    "    image: x\n"
	    "    network_mode: none\n"
	    "networks:\n"
	    "  front:\n"
	    "  back:\n"
	    "    driver: bridge\n"
	    "    internal: true\n"
	    "  shared:\n"
	    "    external: true\n"
	    "    name: proxy\n"
	    "  ext:\n"
	    "    external: true\n"
	    "  named:\n"
	    "    name: custom\n"
	    "    attachable: true\n"
	    "    enable_ipv6: true\n"
	    "    driver_opts: {com.docker.network.bridge.name: br0}\n"
	    "    labels: [a=b]\n");
	const struct compose_service *s = svc(p, "web");
	const struct compose_network *n;

	(void)state;
	assert_int_equal(s->networks_set, 1);
	assert_int_equal(s->nnetworks, 2);
	/* priority first, then name */
	assert_string_equal(s->networks[0].name, "back");
	EXPECT_STRV(&s->networks[0].aliases, "api|api2");
	assert_string_equal(s->networks[0].ipv4_address, "172.20.0.5");
	assert_int_equal(s->networks[0].priority, 100);
	assert_string_equal(s->networks[1].name, "front");
	assert_int_equal(s->networks[1].aliases.n, 0);
	assert_null(s->networks[1].ipv4_address);
	assert_int_equal(svc(p, "worker")->nnetworks, 1);
	assert_string_equal(svc(p, "job")->network_mode, "none");
	/* nobody uses "default", so it is not there */
	assert_null(compose_network(p, "default"));
	assert_int_equal(p->nnetworks, 5);
	n = compose_network(p, "front");
	assert_string_equal(n->name, "app_front");
	n = compose_network(p, "back");
	assert_string_equal(n->name, "app_back");
	assert_string_equal(n->driver, "bridge");
	assert_int_equal(n->internal, 1);
	n = compose_network(p, "shared");
	assert_string_equal(n->name, "proxy");
	assert_int_equal(n->external, 1);
	assert_string_equal(compose_network(p, "ext")->name, "ext");
	n = compose_network(p, "named");
	assert_string_equal(n->name, "custom");
	assert_int_equal(n->attachable, 1);
	assert_int_equal(n->enable_ipv6, 1);
	EXPECT_KV(&n->driver_opts, "com.docker.network.bridge.name=br0");
	EXPECT_KV(&n->labels, "a=b");
	compose_free(p);

	/* A declared default is kept (with its name) when used ... */
	p = load("services:\n  web:\n    image: x\n    networks: [default]\n"
	    "networks:\n  default:\n    name: shared-default\n");
	assert_int_equal(p->nnetworks, 1);
	assert_string_equal(p->networks[0].name, "shared-default");
	compose_free(p);
	/* ... and dropped when only an inactive service would use it. */
	p = load("services:\n  web:\n    image: x\n    networks: [a]\n"
	    "  debug:\n    image: x\n    profiles: [debug]\n"
	    "networks:\n  a:\n  default:\n");
	assert_int_equal(p->nnetworks, 1);
	assert_string_equal(p->networks[0].key, "a");
	compose_free(p);

	load_fails("services:\n  web:\n    image: x\n    networks: [nope]\n",
	    "compose.yaml:4: service \"web\" refers to undefined "
	    "network \"nope\"");
	load_fails("services:\n  web:\n    image: x\n    networks:\n"
	    "      a:\n        ipv6_address: ::1\nnetworks:\n  a:\n",
	    "compose.yaml:6: service \"web\": key \"networks.ipv6_address\" is "
	    "not supported: not implemented yet");
	load_fails("services:\n  web:\n    image: x\n    network_mode: host\n"
	    "    networks: [a]\nnetworks:\n  a:\n",
	    "compose.yaml:2: service \"web\": \"network_mode\" and \"networks\" "
	    "exclude each other");
	p = load("services:\n  web:\n    image: x\nnetworks:\n  a:\n"
	    "    ipam:\n      driver: default\n      config:\n"
	    "        - subnet: 172.28.0.0/16\n          ip_range: 172.28.5.0/24\n"
	    "          gateway: 172.28.5.254\n"
	    "          aux_addresses: {host1: 172.28.1.5}\n");
	assert_true(p->networks[0].ipam_set);
	assert_string_equal(p->networks[0].ipam_driver, "default");
	assert_int_equal(p->networks[0].nipam_config, 1);
	assert_string_equal(p->networks[0].ipam_config[0].subnet, "172.28.0.0/16");
	assert_string_equal(p->networks[0].ipam_config[0].gateway, "172.28.5.254");
	EXPECT_KV(&p->networks[0].ipam_config[0].aux_addresses, "host1=172.28.1.5");
	compose_free(p);
	load_fails("services:\n  web:\n    image: x\nnetworks:\n  a:\n"
	    "    ipam: {config: [{subnet: 10.0.0.0/8, mask: 1}]}\n",
	    "compose.yaml:6: network \"a\": unknown key \"ipam.config.mask\"");

	/* make fuzz: no network at all reached qsort(NULL, 0) (UBSan) */
	p = load("services:\n  web:\n    image: x\n    networks:\n");
	assert_int_equal(svc(p, "web")->nnetworks, 0);
	compose_free(p);
	load_fails("services:\n  web:\n    image: x\n    network_mode: host\n"
	    "    networks:\n",
	    "compose.yaml:2: service \"web\": \"network_mode\" and \"networks\" "
	    "exclude each other");
}

static void
test_depends_on(void **state)
{
	struct compose_project *p = load(
	    "services:\n"
	    "  web:\n"
	    "    image: x\n"
	    "    depends_on:\n"
	    "      db:\n"
	    "        condition: service_healthy\n"
	    "        restart: true\n"
	    "      migrate:\n"
	    "        condition: service_completed_successfully\n"
	    "      cache:\n"
	    "        condition: service_started\n"
	    "        required: false\n"
	    "  worker:\n"
	    "    image: x\n"
	    "    depends_on: [db]\n"
	    "  sidecar:\n"
	    "    image: x\n"
	    "    network_mode: service:web\n"
	    "    pid: service:db\n"
	    "  db:\n"
	    "    image: x\n"
	    "  migrate:\n"
	    "    image: x\n");
	const struct compose_service *s = svc(p, "web");

	(void)state;
	assert_int_equal(s->ndepends, 3);
	assert_string_equal(s->depends[0].service, "db");
	assert_int_equal(s->depends[0].condition, COND_HEALTHY);
	assert_int_equal(s->depends[0].required, 1);
	assert_int_equal(s->depends[0].restart, 1);
	assert_string_equal(s->depends[1].service, "migrate");
	assert_int_equal(s->depends[1].condition, COND_COMPLETED);
	assert_int_equal(s->depends[1].restart, 0);
	assert_string_equal(s->depends[2].service, "cache");
	assert_int_equal(s->depends[2].required, 0);
	s = svc(p, "worker");
	assert_int_equal(s->ndepends, 1);
	assert_string_equal(s->depends[0].service, "db");
	assert_int_equal(s->depends[0].condition, COND_STARTED);
	assert_int_equal(s->depends[0].required, 1);
	s = svc(p, "sidecar");   /* service: modes imply a dependency */
	assert_int_equal(s->ndepends, 2);
	assert_string_equal(s->depends[0].service, "web");
	assert_string_equal(s->depends[1].service, "db");
	compose_free(p);

	load_fails("services:\n  web:\n    image: x\n    depends_on: [db]\n",
	    "compose.yaml:4: service \"web\" depends on undefined "
	    "service \"db\"");
	load_fails("services:\n  web:\n    image: x\n    depends_on:\n"
	    "      db: {condition: service_ready}\n  db:\n    image: x\n",
	    "compose.yaml:5: service \"web\": \"depends_on.condition\": unknown "
	    "condition \"service_ready\"");
	load_fails("services:\n  web:\n    image: x\n    depends_on:\n"
	    "      db:\n  db:\n    image: x\n",
	    "compose.yaml:5: service \"web\": \"depends_on.db\" must be a "
	    "mapping");
	load_fails("services:\n  web:\n    image: x\n    network_mode: "
	    "service:nope\n",
	    "compose.yaml:2: service \"web\": \"network_mode\" refers to "
	    "undefined service \"nope\"");
}

static void
test_healthcheck(void **state)
{
	static const struct {
		const char *yaml;
		const char *test;
		int disable;
		long long interval, timeout, start_period, start_interval;
		long retries;
	} t[] = {
		{ "{test: curl -f http://localhost/ || exit 1}",
		  "CMD-SHELL|curl -f http://localhost/ || exit 1", 0, -1, -1, -1,
		  -1, -1 },
		{ "{test: [CMD, curl, -f, \"http://x/\"], interval: 1m30s, "
		  "timeout: 10s, start_period: 1.5s, start_interval: 500ms, "
		  "retries: 3}", "CMD|curl|-f|http://x/", 0, 90000000000LL,
		  10000000000LL, 1500000000LL, 500000000LL, 3 },
		{ "{test: [CMD-SHELL, \"exit 0\"], interval: 2}",
		  "CMD-SHELL|exit 0", 0, 2000000000LL, -1, -1, -1, -1 },
		{ "{test: [NONE]}", "NONE", 1, -1, -1, -1, -1, -1 },
		{ "{disable: true}", "NONE", 1, -1, -1, -1, -1, -1 },
		{ "{disable: false, retries: 0}", "", 0, -1, -1, -1, -1, 0 },
		{ "{interval: 1h2m3s4ms5us6ns}", "", 0, 3723004005006LL, -1, -1,
		  -1, -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char *yaml = xasprintf("services:\n  web:\n    image: x\n"
		    "    healthcheck: %s\n", t[i].yaml);
		struct compose_project *p = load(yaml);
		const struct compose_healthcheck *h = &svc(p, "web")->healthcheck;

		assert_int_equal(h->set, 1);
		EXPECT_STRV(&h->test, t[i].test);
		assert_int_equal(h->disable, t[i].disable);
		assert_int_equal(h->interval, t[i].interval);
		assert_int_equal(h->timeout, t[i].timeout);
		assert_int_equal(h->start_period, t[i].start_period);
		assert_int_equal(h->start_interval, t[i].start_interval);
		assert_int_equal(h->retries, t[i].retries);
		compose_free(p);
		free(yaml);
	}
	load_fails("services:\n  web:\n    image: x\n    healthcheck:\n"
	    "      test: [curl, x]\n",
	    "compose.yaml:5: service \"web\": \"healthcheck.test\" must start "
	    "with \"CMD\", \"CMD-SHELL\" or \"NONE\"");
	load_fails("services:\n  web:\n    image: x\n    healthcheck:\n"
	    "      interval: 10x\n",
	    "compose.yaml:5: service \"web\": \"healthcheck.interval\": invalid "
	    "duration \"10x\"");
	load_fails("services:\n  web:\n    image: x\n    healthcheck:\n"
	    "      retries: -1\n",
	    "compose.yaml:5: service \"web\": \"healthcheck.retries\" must be an "
	    "integer between 0 and 2147483647, not \"-1\"");
}

static void
test_fields(void **state)
{
	struct compose_project *p = load(
	    "services:\n"
	    "  web:\n"
	    "    image: x\n"
	    "    restart: on-failure:3\n"
	    "    labels: {a: b, c: null, d: 1}\n"
	    "    working_dir: /app\n"
	    "    user: \"1000:1000\"\n"
	    "    hostname: web\n"
	    "    domainname: example.org\n"
	    "    extra_hosts: [\"db:10.0.0.2\", \"cache=10.0.0.3\", "
	    "\"v6:::1\"]\n"
	    "    stop_signal: SIGTERM\n"
	    "    stop_grace_period: 1m\n"
	    "    init: true\n"
	    "    tmpfs: /run\n"
	    "    cap_add: [NET_ADMIN]\n"
	    "    cap_drop: [ALL]\n"
	    "    read_only: true\n"
	    "    privileged: false\n"
	    "    tty: yes\n"
	    "    stdin_open: \"on\"\n"
	    "    shm_size: 64m\n"
	    "    mem_limit: 1g\n"
	    "    mem_reservation: 512m\n"
	    "    cpus: 0.5\n"
	    "    pids_limit: 100\n"
	    "    logging:\n"
	    "      driver: json-file\n"
	    "      options: {max-size: 10m, max-file: 3}\n"
	    "    ulimits:\n"
	    "      nproc: 65535\n"
	    "      nofile: {soft: 20000, hard: 40000}\n"
	    "    sysctls: [net.core.somaxconn=1024, net.ipv4.tcp_syncookies=0]\n"
	    "    dns: 8.8.8.8\n"
	    "    dns_search: [example.com]\n"
	    "    dns_opt: [use-vc]\n"
	    "    container_name: the-web\n"
	    "    devices: [\"/dev/fuse\", {source: /dev/sda, target: /dev/xvda, "
	    "permissions: r}]\n"
	    "    pid: host\n"
	    "    ipc: shareable\n"
	    "    userns_mode: host\n"
	    "    security_opt: [no-new-privileges:true]\n"
	    "    platform: linux/amd64\n"
	    "    pull_policy: never\n"
	    "  worker:\n"
	    "    image: x\n"
	    "    restart: unless-stopped\n"
	    "    labels: [a=b, c]\n"
	    "    extra_hosts: {db: 10.0.0.2, multi: [10.0.0.3, 10.0.0.4]}\n"
	    "    tmpfs: [/run, \"/tmp:size=64m\"]\n"
	    "    dns: [1.1.1.1, 8.8.8.8]\n"
	    "    sysctls: {net.core.somaxconn: 1024}\n"
	    "    init: false\n"
	    "    deploy:\n"
	    "      replicas: 3\n"
	    "      resources:\n"
	    "        limits: {cpus: \"1.5\", memory: 256M, pids: 50}\n"
	    "        reservations: {memory: 128m}\n"
	    "    scale: 3\n"
	    "    profiles: [debug, tools]\n"
	    "  cron:\n"
	    "    image: x\n"
	    "    scale: 0\n"
	    "    restart: \"no\"\n"
	    "    cpus: 2\n"
	    "    deploy: {resources: {limits: {cpus: 2.0}}}\n");
	const struct compose_service *s = svc(p, "web");

	(void)state;
	assert_string_equal(s->restart, "on-failure:3");
	EXPECT_KV(&s->labels, "a=b|c=|d=1");
	assert_string_equal(s->working_dir, "/app");
	assert_string_equal(s->user, "1000:1000");
	assert_string_equal(s->hostname, "web");
	assert_string_equal(s->domainname, "example.org");
	EXPECT_STRV(&s->extra_hosts, "db:10.0.0.2|cache:10.0.0.3|v6:::1");
	assert_string_equal(s->stop_signal, "SIGTERM");
	assert_int_equal(s->stop_grace_period, 60000000000LL);
	assert_int_equal(s->init, 1);
	EXPECT_STRV(&s->tmpfs, "/run");
	EXPECT_STRV(&s->cap_add, "NET_ADMIN");
	EXPECT_STRV(&s->cap_drop, "ALL");
	assert_int_equal(s->read_only, 1);
	assert_int_equal(s->privileged, 0);
	assert_int_equal(s->tty, 1);
	assert_int_equal(s->stdin_open, 1);
	assert_int_equal(s->shm_size, 64LL << 20);
	assert_int_equal(s->mem_limit, 1LL << 30);
	assert_int_equal(s->mem_reservation, 512LL << 20);
	assert_true(s->cpus == 0.5);
	assert_int_equal(s->pids_limit, 100);
	assert_string_equal(s->logging_driver, "json-file");
	EXPECT_KV(&s->logging_options, "max-size=10m|max-file=3");
	assert_int_equal(s->nulimits, 2);
	assert_string_equal(s->ulimits[0].name, "nproc");
	assert_int_equal(s->ulimits[0].soft, 65535);
	assert_int_equal(s->ulimits[0].hard, 65535);
	assert_string_equal(s->ulimits[1].name, "nofile");
	assert_int_equal(s->ulimits[1].soft, 20000);
	assert_int_equal(s->ulimits[1].hard, 40000);
	EXPECT_KV(&s->sysctls, "net.core.somaxconn=1024|"
	    "net.ipv4.tcp_syncookies=0");
	EXPECT_STRV(&s->dns, "8.8.8.8");
	EXPECT_STRV(&s->dns_search, "example.com");
	EXPECT_STRV(&s->dns_opt, "use-vc");
	assert_string_equal(s->container_name, "the-web");
	EXPECT_STRV(&s->devices, "/dev/fuse|/dev/sda:/dev/xvda:r");
	assert_string_equal(s->pid, "host");
	assert_string_equal(s->ipc, "shareable");
	assert_string_equal(s->userns_mode, "host");
	EXPECT_STRV(&s->security_opt, "no-new-privileges:true");
	assert_string_equal(s->platform, "linux/amd64");
	assert_string_equal(s->pull_policy, "never");
	assert_int_equal(s->replicas, 1);

	s = svc(p, "worker");
	assert_string_equal(s->restart, "unless-stopped");
	EXPECT_KV(&s->labels, "a=b|c=");
	EXPECT_STRV(&s->extra_hosts, "db:10.0.0.2|multi:10.0.0.3|"
	    "multi:10.0.0.4");
	EXPECT_STRV(&s->tmpfs, "/run|/tmp:size=64m");
	EXPECT_STRV(&s->dns, "1.1.1.1|8.8.8.8");
	EXPECT_KV(&s->sysctls, "net.core.somaxconn=1024");
	assert_int_equal(s->init, 0);
	assert_int_equal(s->replicas, 3);
	assert_true(s->cpus == 1.5);
	assert_int_equal(s->mem_limit, 256LL << 20);
	assert_int_equal(s->pids_limit, 50);
	assert_int_equal(s->mem_reservation, 128LL << 20);
	EXPECT_STRV(&s->profiles, "debug|tools");
	assert_false(compose_service_active(s));

	s = svc(p, "cron");
	assert_int_equal(s->replicas, 0);
	assert_string_equal(s->restart, "no");
	assert_true(s->cpus == 2);
	compose_free(p);
}

static void
test_x_slipway(void **state)
{
	struct compose_project *p = load(
	    "x-anything: {whatever: [1, 2]}\n"
	    "services:\n"
	    "  web:\n"
	    "    image: x\n"
	    "    x-note: free text\n"
	    "    x-slipway:\n"
	    "      release: bin/migrate --yes\n"
	    "      http:\n"
	    "        port: 8080\n"
	    "        hosts: [example.com, \"*.example.org\"]\n"
	    "        healthcheck: /healthz?full=1\n"
	    "    deploy:\n"
	    "      x-custom: 1\n"
	    "  api:\n"
	    "    image: x\n"
	    "    x-slipway:\n"
	    "      http: {port: 3000, hosts: api.example.com}\n"
	    "volumes:\n"
	    "  data:\n"
	    "    x-whatever: 1\n");
	const struct compose_service *s = svc(p, "web");

	(void)state;
	assert_string_equal(s->release, "bin/migrate --yes");
	assert_int_equal(s->http.set, 1);
	assert_int_equal(s->http.port, 8080);
	EXPECT_STRV(&s->http.hosts, "example.com|*.example.org");
	assert_string_equal(s->http.healthcheck, "/healthz?full=1");
	s = svc(p, "api");
	assert_null(s->release);
	assert_int_equal(s->http.port, 3000);
	EXPECT_STRV(&s->http.hosts, "api.example.com");
	assert_null(s->http.healthcheck);
	assert_int_equal(svc(p, "web")->http.set, 1);
	compose_free(p);

	load_fails("services:\n  web:\n    image: x\n    x-slipway:\n"
	    "      relase: x\n",
	    "compose.yaml:5: service \"web\": unknown key \"x-slipway.relase\"");
	load_fails("services:\n  web:\n    image: x\n    x-slipway:\n"
	    "      http: {hosts: [a.com]}\n",
	    "compose.yaml:5: service \"web\": \"x-slipway.http\": \"port\" is "
	    "required");
	load_fails("services:\n  web:\n    image: x\n    x-slipway:\n"
	    "      http: {port: 80, hosts: [\"a.com;b\"]}\n",
	    "compose.yaml:5: service \"web\": \"x-slipway.http.hosts\": invalid "
	    "host name \"a.com;b\"");
	/* names nginx would never match (it drops a request's trailing dot,
	 * not a server_name's), empty labels, labels of more than 63 */
	{
		static const char *const bad[] = {
			"www.example.com.", "a..b", "-a.b", "a-.b", "*.",
			"*.*.a", "a.-b",
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.b",
		};
		size_t i;

		for (i = 0; i < ARRAY_SIZE(bad); i++) {
			char *y = xasprintf("services:\n  web:\n    image: x\n"
			    "    x-slipway:\n      http: {port: 80, hosts: "
			    "[\"%s\"]}\n", bad[i]);
			char *e = xasprintf("compose.yaml:5: service \"web\": "
			    "\"x-slipway.http.hosts\": invalid host name \"%s\"",
			    bad[i]);

			load_fails(y, e);
			free(y);
			free(e);
		}
	}
	load_fails("services:\n  web:\n    image: x\n    x-slipway:\n"
	    "      http: {port: 80, healthcheck: \"health z\"}\n",
	    "compose.yaml:5: service \"web\": \"x-slipway.http.healthcheck\": "
	    "invalid path \"health z\"");
	load_fails("services:\n  web:\n    image: x\n    x-slipway:\n"
	    "      http: {port: 0}\n",
	    "compose.yaml:5: service \"web\": \"x-slipway.http.port\" must be an "
	    "integer between 1 and 65535, not \"0\"");
}

static void
test_top_level(void **state)
{
	struct compose_project *p = load(
	    "version: \"3.9\"\n"
	    "name: other\n"
	    "services:\n"
	    "  web:\n"
	    "    image: x\n"
	    "    volumes: [data:/d, ext:/e, named:/n, plain:/p]\n"
	    "volumes:\n"
	    "  data:\n"
	    "    driver: local\n"
	    "    driver_opts: {type: none, o: bind, device: ./store}\n"
	    "    labels: {a: b}\n"
	    "  ext:\n"
	    "    external: true\n"
	    "  named:\n"
	    "    name: custom-${FOO}\n"
	    "  plain: {}\n");
	const struct compose_volume *v;

	(void)state;
	assert_string_equal(p->name, "app");
	assert_int_equal(p->warnings.n, 1);
	assert_string_equal(p->warnings.v[0], "compose.yaml: project name "
	    "\"other\" is ignored: the app is \"app\"");
	assert_int_equal(p->nvolumes, 4);
	v = compose_volume(p, "data");
	assert_string_equal(v->name, "app_data");
	assert_string_equal(v->driver, "local");
	EXPECT_KV(&v->driver_opts, "type=none|o=bind|device=" DIR "/store");
	EXPECT_KV(&v->labels, "a=b");
	assert_int_equal(v->external, 0);
	v = compose_volume(p, "ext");
	assert_string_equal(v->name, "ext");
	assert_int_equal(v->external, 1);
	assert_string_equal(compose_volume(p, "named")->name, "custom-foo");
	assert_string_equal(compose_volume(p, "plain")->name, "app_plain");
	assert_null(compose_volume(p, "nope"));
	compose_free(p);

	p = load("name: app\nservices:\n  web:\n    image: x\n");
	assert_int_equal(p->warnings.n, 0);
	compose_free(p);
}

static void
test_anchors(void **state)
{
	struct compose_project *p = load(
	    "x-base: &base\n"
	    "  image: base\n"
	    "  restart: always\n"
	    "  environment: &env\n"
	    "    A: a\n"
	    "    B: b\n"
	    "x-logs: &logs\n"
	    "  logging: {driver: local}\n"
	    "  restart: on-failure\n"
	    "services:\n"
	    "  web:\n"
	    "    <<: *base\n"
	    "    image: web\n"
	    "  worker:\n"
	    "    <<: [*logs, *base]\n"
	    "    environment:\n"
	    "      <<: *env\n"
	    "      B: override\n"
	    "      C: c\n"
	    "  other:\n"
	    "    hostname: &name host\n"
	    "    image: *name\n"
	    "    command: &cmd [run, it]\n"
	    "    entrypoint: *cmd\n");
	const struct compose_service *s;

	(void)state;
	s = svc(p, "web");
	assert_string_equal(s->image, "web");          /* explicit key wins */
	assert_string_equal(s->restart, "always");
	EXPECT_KV(&s->environment, "A=a|B=b");
	s = svc(p, "worker");
	assert_string_equal(s->image, "base");
	assert_string_equal(s->restart, "on-failure"); /* first source wins */
	assert_string_equal(s->logging_driver, "local");
	EXPECT_KV(&s->environment, "B=override|C=c|A=a");
	s = svc(p, "other");
	assert_string_equal(s->image, "host");
	EXPECT_STRV(&s->command, "run|it");
	EXPECT_STRV(&s->entrypoint, "run|it");
	compose_free(p);

	load_fails("services:\n  web:\n    <<: [a]\n    image: x\n",
	    "compose.yaml:3: service \"web\": \"<<\" must be a mapping or a list "
	    "of mappings");
	/* merge keys inside the mappings of a service, as compose-go reads
	 * them: labels (the docker/compose fixtures' form), build.args,
	 * healthcheck, and a top-level volume */
	p = load("x-labels: &labels\n"
	    "  com.example.team: web\n"
	    "  com.example.tier: front\n"
	    "x-more: &more\n"
	    "  com.example.env: prod\n"
	    "x-hc: &hc\n"
	    "  interval: 5s\n"
	    "  retries: 7\n"
	    "services:\n"
	    "  web:\n"
	    "    image: x\n"
	    "    labels:\n"
	    "      <<: [*labels, *more]\n"
	    "      com.example.tier: back\n"
	    "    build:\n"
	    "      context: .\n"
	    "      args:\n"
	    "        <<: *more\n"
	    "        B: b\n"
	    "    healthcheck:\n"
	    "      <<: *hc\n"
	    "      test: [CMD, \"true\"]\n"
	    "volumes:\n"
	    "  v:\n"
	    "    labels:\n"
	    "      <<: *labels\n");
	s = svc(p, "web");
	EXPECT_KV(&s->labels, "com.example.tier=back|com.example.team=web|"
	    "com.example.env=prod");
	EXPECT_KV(&s->build->args, "B=b|com.example.env=prod");
	assert_int_equal(s->healthcheck.interval, 5000000000LL);
	assert_int_equal(s->healthcheck.retries, 7);
	EXPECT_STRV(&s->healthcheck.test, "CMD|true");
	EXPECT_KV(&p->volumes[0].labels, "com.example.team=web|"
	    "com.example.tier=front");
	compose_free(p);
	load_fails("x-l: &l\n  - a=1\nservices:\n  web:\n    image: x\n"
	    "    labels:\n      <<: *l\n",
	    "compose.yaml:7: service \"web\": \"<<\" must be a mapping or a "
	    "list of mappings");
	/* an anchor merged into itself */
	load_fails("services:\n  web: &w\n    image: x\n    <<: *w\n",
	    "compose.yaml:2: service \"web\": merge keys nested too deeply");
}

static void
test_interpolation(void **state)
{
	struct compose_project *p = load(
	    "services:\n"
	    "  web:\n"
	    "    image: \"repo/web:${TAG:-latest}\"\n"
	    "    environment:\n"
	    "      $FOO: $FOO\n"
	    "      RAW: $$FOO\n"
	    "      U1: $UNSET_A\n"
	    "      U2: ${UNSET_A}-${UNSET_B}\n"
	    "    privileged: ${EMPTY:-false}\n"
	    "    labels: [\"k=${SECRET}\"]\n"
	    "    working_dir: ${FOO:+/srv/${FOO}}\n");
	const struct compose_service *s = svc(p, "web");

	(void)state;
	assert_string_equal(s->image, "repo/web:latest");
	EXPECT_KV(&s->environment, "$FOO=foo|RAW=$FOO|U1=|U2=-");
	assert_int_equal(s->privileged, 0);
	EXPECT_KV(&s->labels, "k=s3cr3t");
	assert_string_equal(s->working_dir, "/srv/foo");
	/* one warning per variable */
	EXPECT_STRV(&p->warnings, "variable \"UNSET_A\" is not set, using an "
	    "empty string|variable \"UNSET_B\" is not set, using an empty string");
	compose_free(p);

	load_fails("services:\n  web:\n    image: x\n    environment:\n"
	    "      A: ${NEEDED:?set NEEDED in the app config}\n",
	    "compose.yaml:5: service \"web\": \"environment.A\": required "
	    "variable NEEDED is missing a value: set NEEDED in the app config");
	load_fails("services:\n  web:\n    image: \"x${\"\n",
	    "compose.yaml:3: service \"web\": \"image\": invalid interpolation "
	    "format in \"x${\": you may need to escape any $ with another $");
	load_fails("services:\n  web:\n    image: x\n    privileged: ${FOO}\n",
	    "compose.yaml:4: service \"web\": \"privileged\" must be a boolean, "
	    "not \"foo\"");
}

/* Loading from the envproj directory (real files for secrets). */
static struct compose_project *
load_in_envproj(const char *yaml)
{
	struct compose_project *p = NULL;

	if (compose_load_string(&p, yaml, strlen(yaml), "compose.yaml",
	    "data/compose/envproj", "app", &vars) < 0)
		fail_msg("load failed: %s\n%s", error_last(), yaml);
	return p;
}

static void
load_fails_in_envproj(const char *yaml, const char *err)
{
	struct compose_project *p = NULL;

	if (compose_load_string(&p, yaml, strlen(yaml), "compose.yaml",
	    "data/compose/envproj", "app", &vars) == 0) {
		compose_free(p);
		fail_msg("no error for:\n%s", yaml);
	}
	if (strcmp(error_last(), err) != 0)
		fail_msg("error \"%s\",\n want \"%s\" for:\n%s", error_last(),
		    err, yaml);
}

/* secrets and configs: sources, targets, and what stays refused. */
static void
test_secrets_configs(void **state)
{
	struct compose_project *p;
	const struct compose_service *s;
	char *dir = realpath("data/compose/envproj", NULL), *want;

	(void)state;
	p = load_in_envproj("services:\n  web:\n    image: x\n"
	    "    secrets: [db, {source: token, target: tok, mode: 0400, uid: '1'}]\n"
	    "    configs: [conf, {source: inline, target: /etc/app.conf}]\n"
	    "secrets:\n  db: {file: ./app.env}\n  token: {environment: SECRET}\n"
	    "configs:\n  conf: {file: app.env}\n  inline: {content: \"a=$FOO\"}\n");
	s = svc(p, "web");
	assert_int_equal(s->nsecrets, 2);
	assert_string_equal(s->secrets[0].target, "/run/secrets/db");
	assert_string_equal(s->secrets[1].target, "/run/secrets/tok");
	assert_int_equal(s->secrets[1].mode, 0400);
	assert_string_equal(s->secrets[1].uid, "1");
	assert_string_equal(s->configs[0].target, "/conf");
	assert_string_equal(s->configs[1].target, "/etc/app.conf");
	want = xasprintf("%s/app.env", dir);
	assert_string_equal(compose_fileobj(p, 0, "db")->file, want);
	free(want);
	assert_string_equal(compose_fileobj(p, 0, "token")->content, "s3cr3t");
	assert_null(compose_fileobj(p, 0, "token")->file);
	assert_string_equal(compose_fileobj(p, 1, "inline")->content, "a=foo");
	compose_free(p);
	free(dir);

	load_fails_in_envproj("services:\n  web:\n    image: x\n"
	    "secrets:\n  a: {file: ../badenv/.env}\n",
	    "compose.yaml:5: secret \"a\": file \"../badenv/.env\" is outside "
	    "the release");
	load_fails_in_envproj("services:\n  web:\n    image: x\n"
	    "secrets:\n  a: {file: link-out.env}\n",
	    "compose.yaml:5: secret \"a\": file \"link-out.env\" is outside "
	    "the release");
	load_fails_in_envproj("services:\n  web:\n    image: x\n"
	    "secrets:\n  a: {file: /etc/passwd}\n",
	    "compose.yaml:5: secret \"a\": file \"/etc/passwd\" is outside "
	    "the release");
	load_fails_in_envproj("services:\n  web:\n    image: x\n"
	    "configs:\n  a: {file: missing.conf}\n",
	    "compose.yaml:5: config \"a\": file \"missing.conf\" not found");
	load_fails("services:\n  web:\n    image: x\n"
	    "secrets:\n  a: {environment: NOT_SET_ANYWHERE}\n",
	    "compose.yaml:5: secret \"a\": variable \"NOT_SET_ANYWHERE\" is "
	    "not set");
	load_fails("services:\n  web:\n    image: x\n"
	    "secrets:\n  a: {external: true}\n",
	    "compose.yaml:5: secret \"a\": external secrets live in swarm, "
	    "which slipway does not use");
	load_fails("services:\n  web:\n    image: x\n"
	    "secrets:\n  a: {content: x}\n",
	    "compose.yaml:5: secret \"a\": unknown key \"content\"");
	load_fails("services:\n  web:\n    image: x\n"
	    "    secrets: [{target: /x}]\nsecrets:\n  a: {environment: FOO}\n",
	    "compose.yaml:4: service \"web\": \"secrets\": \"source\" is "
	    "required");
}

/* Keys compose supports that map one to one, and service references. */
static void
test_compat_keys(void **state)
{
	struct compose_project *p;
	const struct compose_service *s;

	(void)state;
	p = load("services:\n  db:\n    image: x\n  web:\n    image: x\n"
	    "    cpu_shares: 512\n    group_add: [audio, 1000]\n"
	    "    oom_score_adj: -500\n    mac_address: 02:42:ac:11:00:02\n"
	    "    volumes_from: [\"db:ro\"]\n    links: [\"db:database\"]\n"
	    "    restart: always\n"
	    "    deploy: {restart_policy: {condition: on-failure, max_attempts: 3,"
	    " delay: 5s}}\n");
	s = svc(p, "web");
	assert_int_equal(s->cpu_shares, 512);
	EXPECT_STRV(&s->group_add, "audio|1000");
	assert_int_equal(s->oom_score_adj, -500);
	assert_string_equal(s->mac_address, "02:42:ac:11:00:02");
	EXPECT_STRV(&s->volumes_from, "db:ro");
	EXPECT_STRV(&s->links, "db:database");
	/* deploy.restart_policy wins over restart:, as in compose v2 */
	assert_string_equal(s->restart, "on-failure:3");
	/* volumes_from and links start db first */
	assert_int_equal(s->ndepends, 1);
	assert_string_equal(s->depends[0].service, "db");
	compose_free(p);

	p = load("services:\n  web:\n    image: x\n"
	    "    deploy: {restart_policy: {}}\n");
	assert_string_equal(svc(p, "web")->restart, "any");
	compose_free(p);

	load_fails("services:\n  web:\n    image: x\n"
	    "    volumes_from: [\"container:other-app-db-1\"]\n",
	    "compose.yaml:2: service \"web\": \"volumes_from\": "
	    "\"container:other-app-db-1\": only this app's services can be "
	    "named, not a container");
	load_fails("services:\n  web:\n    image: x\n    links: [nope]\n",
	    "compose.yaml:2: service \"web\": \"links\" refers to undefined "
	    "service \"nope\"");
	load_fails("services:\n  db:\n    image: x\n  web:\n    image: x\n"
	    "    volumes_from: [\"db:rx\"]\n",
	    "compose.yaml:4: service \"web\": \"volumes_from\": \"db:rx\": "
	    "the mode must be ro or rw");
	load_fails("services:\n  web:\n    image: x\n    oom_score_adj: 2000\n",
	    "compose.yaml:4: service \"web\": \"oom_score_adj\" must be an "
	    "integer between -1000 and 1000, not \"2000\"");

	p = load("services:\n  web:\n    image: x\n"
	    "    post_start:\n      - command: [\"sh\", \"-c\", \"echo $FOO\"]\n"
	    "        user: root\n        environment: [A=1]\n"
	    "    pre_stop:\n      - command: ./drain --now\n"
	    "    build:\n      dockerfile_inline: \"FROM x\"\n"
	    "      tags: [\"app-web:v1\"]\n");
	s = svc(p, "web");
	assert_int_equal(s->npost_start, 1);
	EXPECT_STRV(&s->post_start[0].command, "sh|-c|echo foo");
	assert_string_equal(s->post_start[0].user, "root");
	EXPECT_KV(&s->post_start[0].environment, "A=1");
	assert_int_equal(s->npre_stop, 1);
	EXPECT_STRV(&s->pre_stop[0].command, "./drain|--now");
	assert_string_equal(s->build->dockerfile_inline, "FROM x");
	EXPECT_STRV(&s->build->tags, "app-web:v1");
	compose_free(p);
	load_fails("services:\n  web:\n    image: x\n    post_start:\n"
	    "      - {command: id, privileged: true}\n",
	    "compose.yaml:5: service \"web\": \"post_start\": a privileged hook "
	    "is refused: it would have more rights than its container");
	load_fails("services:\n  web:\n    image: x\n    pre_stop:\n"
	    "      - {user: root}\n",
	    "compose.yaml:5: service \"web\": \"pre_stop\": \"command\" is "
	    "required");
	load_fails("services:\n  web:\n    build:\n      dockerfile: D\n"
	    "      dockerfile_inline: FROM x\n",
	    "compose.yaml:4: service \"web\": \"build\": \"dockerfile\" and "
	    "\"dockerfile_inline\" exclude each other");

	/* The build keys the engine's /build takes; cache and attestation
	 * hints and develop (compose watch) are ignored with a warning. */
	p = load("services:\n  web:\n    build:\n      context: .\n"
	    "      labels: {a: \"1\", b: two}\n"
	    "      extra_hosts: [\"db:10.0.0.2\", \"cache=10.0.0.3\"]\n"
	    "      network: none\n      platforms: [linux/amd64]\n"
	    "      shm_size: 64m\n      no_cache: true\n      pull: true\n"
	    "      cache_from: [\"web:cache\"]\n      sbom: true\n"
	    "    develop:\n      watch:\n        - {action: sync, path: ., "
	    "target: /app}\n");
	s = svc(p, "web");
	EXPECT_KV(&s->build->labels, "a=1|b=two");
	EXPECT_STRV(&s->build->extra_hosts, "db:10.0.0.2|cache:10.0.0.3");
	assert_string_equal(s->build->network, "none");
	assert_string_equal(s->build->platform, "linux/amd64");
	assert_int_equal(s->build->shm_size, 64LL << 20);
	assert_true(s->build->no_cache);
	assert_true(s->build->pull);
	EXPECT_STRV(&p->warnings, "compose.yaml:12: service \"web\": "
	    "\"build.cache_from\" is ignored: slipway builds without it|"
	    "compose.yaml:13: service \"web\": \"build.sbom\" is ignored: "
	    "slipway builds without it|"
	    "compose.yaml:14: service \"web\": \"develop\" is ignored: it "
	    "configures compose watch, a development tool");
	compose_free(p);
	load_fails("services:\n  web:\n    image: x\n    develop:\n"
	    "      watch:\n        - path: ./html\n          target: /www\n",
	    "compose.yaml:6: service \"web\": \"develop.watch\" rule 1: "
	    "\"action\" is required");
	load_fails("services:\n  web:\n    image: x\n    develop:\n"
	    "      watch:\n        - {path: ., action: teleport}\n",
	    "compose.yaml:6: service \"web\": \"develop.watch.action\": "
	    "unknown action \"teleport\"");
	load_fails("services:\n  web:\n    image: x\n    develop: 5\n",
	    "compose.yaml:4: service \"web\": \"develop\" must be a mapping");
	load_fails("services:\n  web:\n    build:\n      context: .\n"
	    "      network: other_net\n",
	    "compose.yaml:5: service \"web\": \"build.network\": "
	    "\"other_net\" is not supported: a build runs on default, none or "
	    "host");
	p = load("services:\n  web:\n    build:\n      context: .\n"
	    "      network: bridge\n  api:\n    build:\n      context: .\n"
	    "      network: \"${UNSET_NET}\"\n");
	assert_null(svc(p, "web")->build->network);
	assert_null(svc(p, "api")->build->network);
	compose_free(p);
	load_fails("services:\n  web:\n    build:\n      context: .\n"
	    "      platforms: [\"linux/amd64,linux/arm64\"]\n",
	    "compose.yaml:5: service \"web\": \"build.platforms\": "
	    "\"linux/amd64,linux/arm64\" is not os/arch[/variant]");
	load_fails("services:\n  web:\n    build:\n      context: .\n"
	    "      extra_hosts: [\"db:\"]\n",
	    "compose.yaml:5: service \"web\": \"build.extra_hosts\": \"db:\" "
	    "is not host:ip");
	load_fails("services:\n  web:\n    image: x\n"
	    "    extra_hosts: [\":10.0.0.1\"]\n",
	    "compose.yaml:4: service \"web\": \"extra_hosts\": \":10.0.0.1\" "
	    "is not host:ip");
	load_fails("services:\n  web:\n    build:\n      context: .\n"
	    "      platforms: [linux/amd64, linux/arm64]\n",
	    "compose.yaml:5: service \"web\": \"build.platforms\": 2 "
	    "platforms: slipway builds one image, for one platform");
	load_fails("services:\n  web:\n    build:\n      context: .\n"
	    "      privileged: true\n",
	    "compose.yaml:5: service \"web\": key \"build.privileged\" is "
	    "not supported: it grants the build host rights");

	/* extends within the file: the base fills in, scalars here win */
	p = load("services:\n  base:\n    image: x\n    user: nobody\n"
	    "    environment: {A: 1}\n  mid:\n    extends: base\n    user: mid\n"
	    "  web:\n    extends: {service: mid, file: compose.yaml}\n"
	    "    image: y\n    command: [run]\n");
	s = svc(p, "web");
	assert_string_equal(s->image, "y");
	assert_string_equal(s->user, "mid");
	EXPECT_KV(&s->environment, "A=1");
	EXPECT_STRV(&s->command, "run");
	compose_free(p);
	load_fails("services:\n  base:\n    image: x\n    ports: [\"80\"]\n"
	    "  web:\n    extends: base\n    ports: [\"81\"]\n",
	    "compose.yaml:7: service \"web\": \"extends\": \"ports\" is set "
	    "here and in \"base\": merging them is not implemented yet");
	load_fails("services:\n  a:\n    image: x\n    extends: b\n"
	    "  b:\n    image: x\n    extends: a\n",
	    "compose.yaml:7: service \"a\": \"extends\": service \"a\" "
	    "extends itself");
	load_fails("services:\n  web:\n    image: x\n"
	    "    extends: {service: base, file: other.yml}\n",
	    "compose.yaml:4: service \"web\": \"extends.file\": \"other.yml\" "
	    "not found");
	load_fails("services:\n  web:\n    image: x\n    extends: nope\n",
	    "compose.yaml:4: service \"web\": \"extends\": undefined service "
	    "\"nope\"");

	/* the old external form; external excludes configuring the object */
	p = load("services:\n  web:\n    image: x\n    volumes: [v:/v]\n"
	    "    networks: [n]\nvolumes:\n  v:\n    external: {name: shared-v}\n"
	    "networks:\n  n:\n    external:\n      name: shared-n\n");
	assert_true(p->volumes[0].external);
	assert_string_equal(p->volumes[0].name, "shared-v");
	assert_true(compose_network(p, "n")->external);
	assert_string_equal(compose_network(p, "n")->name, "shared-n");
	compose_free(p);
	load_fails("services:\n  web:\n    image: x\nvolumes:\n  v:\n"
	    "    external: true\n    driver: local\n",
	    "compose.yaml:5: volume \"v\": conflicting parameters \"external\" "
	    "and \"driver\" specified");
	load_fails("services:\n  web:\n    image: x\nnetworks:\n  n:\n"
	    "    external: true\n    labels: {a: b}\n",
	    "compose.yaml:5: network \"n\": conflicting parameters \"external\" "
	    "and \"labels\" specified");
	/* name and the old external.name: the same is fine, not different */
	p = load("volumes:\n  v:\n    name: same\n    external: {name: same}\n");
	assert_string_equal(p->volumes[0].name, "same");
	compose_free(p);
	load_fails("volumes:\n  v:\n    name: a\n    external: {name: b}\n",
	    "compose.yaml:2: volume \"v\": name and external.name conflict; "
	    "only use name");
	load_fails("networks:\n  n:\n    external:\n      name: b\n    name: a\n",
	    "compose.yaml:2: network \"n\": name and external.name conflict; "
	    "only use name");
}

/* A file of volumes and networks only deploys them (compose: up
 * --all-resources); one with nothing to deploy is refused. */
static void
test_no_services(void **state)
{
	struct compose_project *p;

	(void)state;
	p = load("volumes:\n  my_vol: {}\n\nnetworks:\n  my_net: {}\n");
	assert_int_equal(p->nservices, 0);
	assert_int_equal(p->nvolumes, 1);
	assert_string_equal(p->volumes[0].name, "app_my_vol");
	assert_non_null(compose_network(p, "my_net"));
	assert_string_equal(compose_network(p, "my_net")->name, "app_my_net");
	compose_free(p);
	p = load("services: {}\nvolumes:\n  v: {}\n");
	assert_int_equal(p->nservices, 0);
	compose_free(p);
	load_fails("name: x\nservices:\n", "compose.yaml:2: no services defined");
	load_fails("networks: {}\n", "compose.yaml:1: no services defined");
}

/* .env settings compose reads: COMPOSE_PROFILES, _PROJECT_NAME, _FILE. */
static void
test_compose_settings(void **state)
{
	struct kvlist v = KVLIST_INIT;
	struct compose_project *p = NULL;
	char dir[] = "/tmp/slipway-test-compose-XXXXXX", *f, *path;
	const char *yaml = "services:\n  web: {image: x}\n"
	    "  dbg: {image: x, profiles: [debug]}\n"
	    "  ops: {image: x, profiles: [ops, tools]}\n";

	(void)state;
	kvlist_set(&v, "COMPOSE_PROFILES", "nope,tools");
	kvlist_set(&v, "COMPOSE_PROJECT_NAME", "other");
	if (compose_load_string(&p, yaml, strlen(yaml), "compose.yaml", DIR,
	    "app", &v) < 0)
		fail_msg("%s", error_last());
	assert_false(compose_service_active(svc(p, "dbg")));
	assert_true(compose_service_active(svc(p, "ops")));
	assert_int_equal(p->warnings.n, 1);
	assert_string_equal(p->warnings.v[0], "COMPOSE_PROJECT_NAME \"other\" "
	    "is ignored: the app is \"app\"");
	compose_free(p);
	kvlist_set(&v, "COMPOSE_PROFILES", "*");
	if (compose_load_string(&p, yaml, strlen(yaml), "compose.yaml", DIR,
	    "app", &v) < 0)
		fail_msg("%s", error_last());
	assert_true(compose_service_active(svc(p, "dbg")));
	compose_free(p);
	kvlist_clear(&v);

	assert_non_null(mkdtemp(dir));
	f = path_join(dir, "compose.yaml");
	assert_int_equal(write_file_atomic(f, "x", 1, 0644), 0);
	free(f);
	f = path_join(dir, "deploy.yml");
	assert_int_equal(write_file_atomic(f, "x", 1, 0644), 0);
	free(f);
	f = path_join(dir, ".env");
	assert_int_equal(write_file_atomic(f, "COMPOSE_FILE=deploy.yml\n", 24,
	    0644), 0);
	path = compose_find(dir);
	assert_non_null(path);
	assert_true(ends_with(path, "/deploy.yml"));
	free(path);
	assert_int_equal(write_file_atomic(f, "COMPOSE_FILE=a.yml:b.yml\n", 25,
	    0644), 0);
	assert_null(compose_find(dir));
	assert_string_equal(error_last(), ".env: COMPOSE_FILE names several "
	    "files: slipway loads one compose file (it does not merge them)");
	assert_int_equal(write_file_atomic(f, "COMPOSE_FILE=../x.yml\n", 22,
	    0644), 0);
	assert_null(compose_find(dir));
	assert_string_equal(error_last(), ".env: COMPOSE_FILE \"../x.yml\" is "
	    "outside the release");
	free(f);
	assert_int_equal(remove_tree(dir), 0);
}

static void
test_errors(void **state)
{
	static const struct {
		const char *yaml, *err;
	} t[] = {
		{ "services:\n  web:\n    image: x\n    prots: [80]\n",
		  "compose.yaml:4: service \"web\": unknown key \"prots\"" },
		/* compose-go: tmpfs.size must be an integer (or a unit) */
		{ "services:\n  web:\n    image: x\n    volumes:\n"
		  "      - {type: tmpfs, target: /t, tmpfs: {size: 0.5}}\n",
		  "compose.yaml:5: service \"web\": \"volumes.tmpfs.size\" must "
		  "be an integer or a size such as 64m" },
		/* an alias bomb under extension keys slipway never reads */
		{ "x-a: &a [k, k, k, k, k, k, k, k, k, k]\n"
		  "x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		  "x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		  "x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		  "x-e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		  "x-f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
		  "services:\n  web:\n    image: x\n",
		  "compose.yaml: document too complex (aliases expand too far)" },
		{ "services:\n  web:\n    image: x\n\n\n    secrets: [a]\n",
		  "compose.yaml:6: service \"web\": secret \"a\" is not defined "
		  "at the top level" },
		{ "services:\n  web:\n    image: x\n   bad: [\n",
		  "compose.yaml:4: yaml syntax error: did not find expected key" },
		{ "services:\n  web:\n    image: x\n    x: *nope\n",
		  "compose.yaml:4: yaml syntax error: found undefined alias" },
		{ "services:\n  web:\n    build: .\n  db:\n    restart: always\n",
		  "compose.yaml:4: service \"db\" has neither an image nor a build "
		  "context" },
		{ "services:\n  web:\n    image: \"${EMPTY}\"\n",
		  "compose.yaml:2: service \"web\" has neither an image nor a "
		  "build context" },
		{ "services:\n  web:\n    image: [a]\n",
		  "compose.yaml:3: service \"web\": \"image\" must be a string" },
		{ "services:\n  web:\n    image: x\n    privileged: maybe\n",
		  "compose.yaml:4: service \"web\": \"privileged\" must be a "
		  "boolean, not \"maybe\"" },
		{ "services:\n  web:\n    image: x\n    cap_add: NET_ADMIN\n",
		  "compose.yaml:4: service \"web\": \"cap_add\" must be a list" },
		{ "services:\n  web:\n    image: x\n    cap_add: [[a]]\n",
		  "compose.yaml:4: service \"web\": \"cap_add\" entries must be "
		  "strings" },
		{ "services:\n  web:\n    image: x\n    environment: 1\n",
		  "compose.yaml:4: service \"web\": \"environment\" must be a "
		  "mapping or a list" },
		{ "services:\n  web:\n    image: x\n    environment: [\"=x\"]\n",
		  "compose.yaml:4: service \"web\": \"environment\": \"=x\" has no "
		  "name" },
		{ "services:\n  web:\n    image: x\n    stop_grace_period: soon\n",
		  "compose.yaml:4: service \"web\": \"stop_grace_period\": invalid "
		  "duration \"soon\"" },
		{ "services:\n  web:\n    image: x\n    mem_limit: lots\n",
		  "compose.yaml:4: service \"web\": \"mem_limit\": invalid size "
		  "\"lots\"" },
		{ "services:\n  web:\n    image: x\n    cpus: -1\n",
		  "compose.yaml:4: service \"web\": \"cpus\" must be a "
		  "non-negative number, not \"-1\"" },
		{ "services:\n  web:\n    image: x\n    restart: sometimes\n",
		  "compose.yaml:4: service \"web\": \"restart\": invalid policy "
		  "\"sometimes\" (no, always, on-failure[:N] or unless-stopped)" },
		{ "services:\n  web:\n    image: x\n    restart: on-failure:x\n",
		  "compose.yaml:4: service \"web\": \"restart\": invalid policy "
		  "\"on-failure:x\" (no, always, on-failure[:N] or "
		  "unless-stopped)" },
		{ "services:\n  web:\n    image: x\n    command: echo a && echo b\n",
		  "compose.yaml:4: service \"web\": \"command\": an unquoted shell "
		  "operator (;, &, |, <, >) needs a shell: use the list form with "
		  "sh -c in \"echo a && echo b\"" },
		{ "services:\n  web:\n    image: x\n    command: echo \"a\n",
		  "compose.yaml:4: service \"web\": \"command\": unterminated quote "
		  "or escape in \"echo \"a\"" },
		{ "services:\n  web:\n    image: x\n    scale: 2\n"
		  "    deploy: {replicas: 3}\n",
		  "compose.yaml:2: service \"web\": \"scale\" and "
		  "\"deploy.replicas\" differ" },
		{ "services:\n  web:\n    image: x\n    cpus: 1\n"
		  "    deploy: {resources: {limits: {cpus: 2}}}\n",
		  "compose.yaml:2: service \"web\": \"cpus\" and "
		  "\"deploy.resources.limits.cpus\" differ" },
		{ "services:\n  web:\n    image: x\n    deploy:\n"
		  "      restart_policy: {condition: always}\n",
		  "compose.yaml:5: service \"web\": \"deploy.restart_policy."
		  "condition\": invalid condition \"always\" (none, on-failure or "
		  "any)" },
		{ "services:\n  web:\n    image: x\n    deploy:\n"
		  "      resources: {limits: {gpus: 1}}\n",
		  "compose.yaml:5: service \"web\": unknown key "
		  "\"deploy.resources.limits.gpus\"" },
		{ "services:\n  web:\n    image: x\n    container_name: wx\n"
		  "    scale: 2\n",
		  "compose.yaml:2: service \"web\": \"container_name\" needs a "
		  "single replica" },
		{ "services:\n  web:\n    image: x\n    build:\n      ssh: default\n",
		  "compose.yaml:5: service \"web\": key \"build.ssh\" is not "
		  "supported: SSH forwarding needs a BuildKit client session" },
		{ "services:\n  web:\n    image: x\n    use_api_socket: true\n",
		  "compose.yaml:4: service \"web\": key \"use_api_socket\" is not "
		  "supported: it hands the container the engine's socket" },
		{ "services:\n  web:\n    image: x\n    pre_start:\n"
		  "      - command: [\"true\"]\n",
		  "compose.yaml:4: service \"web\": key \"pre_start\" is not "
		  "supported: not implemented yet (init containers): use a "
		  "one-shot service and depends_on with "
		  "service_completed_successfully" },
		{ "services:\n  web:\n    image: x\n    deploy:\n"
		  "      placement: {}\n",
		  "compose.yaml:5: service \"web\": key \"deploy.placement\" is "
		  "not supported: swarm only" },
		{ "services:\n  web:\n    build: https://github.com/a/b.git\n",
		  "compose.yaml:3: service \"web\": \"build.context\": remote "
		  "context \"https://github.com/a/b.git\" is not supported" },
		{ "services:\n  web:\n    image: x\n    ulimits:\n"
		  "      nofile: {soft: 1}\n",
		  "compose.yaml:5: service \"web\": \"ulimits.nofile\" needs both "
		  "\"soft\" and \"hard\"" },
		{ "services:\n  web:\n    image: x\n    env_file:\n"
		  "      - required: false\n",
		  "compose.yaml:5: service \"web\": \"env_file\": \"path\" is "
		  "required" },
		{ "services:\n  web:\n    image: x\n    image: y\n",
		  "compose.yaml:4: service \"web\": duplicate key \"image\"" },
		{ "services:\n  \"we b\":\n    image: x\n",
		  "compose.yaml:2: invalid service name \"we b\": use letters, "
		  "digits, '.', '_' and '-', at most 63 characters" },
		{ "services:\n  web: nginx\n",
		  "compose.yaml:2: service \"web\": the service must be a mapping" },
		{ "services:\n  web:\n    image: x\nsecrets:\n  a: {}\n",
		  "compose.yaml:5: secret \"a\": needs exactly one of \"file\", "
		  "\"environment\"" },
		{ "services:\n  web:\n    image: x\nservice:\n  a: {}\n",
		  "compose.yaml:4: unknown key \"service\"" },
		{ "services:\n  web:\n    image: x\nvolumes:\n  a:\n    driver: x\n"
		  "    size: 1\n",
		  "compose.yaml:7: volume \"a\": unknown key \"size\"" },
		{ "services:\n  web:\n    image: x\nvolumes:\n  a:\n"
		  "    external: maybe\n",
		  "compose.yaml:6: volume \"a\": \"external\" must be a boolean, not "
		  "\"maybe\"" },
		{ "", "compose.yaml:1: empty compose file" },
		{ "# nothing\n", "compose.yaml:1: empty compose file" },
		{ "version: '3'\n", "compose.yaml:1: no services defined" },
		{ "services:\n", "compose.yaml:1: no services defined" },
		{ "- a\n- b\n", "compose.yaml:1: the compose file must be a "
		  "mapping" },
		{ "services:\n  web:\n    image: x\n---\nservices: {}\n",
		  "compose.yaml:5: more than one yaml document" },
		{ "services:\n  a:\n    image: x\n    depends_on: [b]\n"
		  "  b:\n    image: x\n    depends_on: [a]\n",
		  "compose.yaml:2: dependency cycle: a -> b -> a" },
		/* compose-go: keys are strings, container names unique */
		{ "services:\n  123:\n    image: x\n",
		  "compose.yaml:2: non-string key 123: quote it to make it a "
		  "string" },
		{ "services:\n  web:\n    image: x\n    environment: {TRUE: 1}\n",
		  "compose.yaml:4: service \"web\": non-string key TRUE: quote it "
		  "to make it a string" },
		{ "123: x\nservices:\n  web:\n    image: x\n",
		  "compose.yaml:1: non-string key 123: quote it to make it a "
		  "string" },
		{ "services:\n  a:\n    image: x\n    container_name: same\n"
		  "  b:\n    image: x\n    container_name: same\n",
		  "compose.yaml:5: service \"b\": container name \"same\" is "
		  "already in use by service \"a\"" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++)
		load_fails(t[i].yaml, t[i].err);
}

/* The order of services given as "name:dep,dep[?] ..." (? = optional). */
static int
order_of(const char *yaml, char **out)
{
	struct compose_project *p = NULL;
	size_t order[16], i;
	struct buf b = BUF_INIT;
	int n;

	*out = NULL;
	if (compose_load_string(&p, yaml, strlen(yaml), "compose.yaml", DIR,
	    "app", NULL) < 0)
		return -1;
	n = compose_order(p, order);
	for (i = 0; n > 0 && i < (size_t)n; i++)
		buf_addf(&b, "%s%s", i ? " " : "", p->services[order[i]].name);
	*out = buf_detach(&b, NULL);
	compose_free(p);
	return n;
}

static void
test_order(void **state)
{
	static const struct {
		const char *yaml;
		const char *order;  /* NULL: error */
		const char *err;
	} t[] = {
		/* no dependencies: file order */
		{ "services:\n  c: {image: x}\n  a: {image: x}\n  b: {image: x}\n",
		  "c a b", NULL },
		/* chain */
		{ "services:\n  web: {image: x, depends_on: [api]}\n"
		  "  api: {image: x, depends_on: [db]}\n  db: {image: x}\n",
		  "db api web", NULL },
		/* diamond, stable by file order */
		{ "services:\n  top: {image: x, depends_on: [left, right]}\n"
		  "  right: {image: x, depends_on: [base]}\n"
		  "  left: {image: x, depends_on: [base]}\n"
		  "  base: {image: x}\n  other: {image: x}\n",
		  "base right left top other", NULL },
		/* an optional dependency on nothing is ignored */
		{ "services:\n  web:\n    image: x\n    depends_on:\n"
		  "      ghost: {required: false}\n",
		  "web", NULL },
		/* inactive services are left out; optional deps on them too */
		{ "services:\n  web:\n    image: x\n    depends_on:\n"
		  "      dbg: {required: false}\n"
		  "  dbg: {image: x, profiles: [debug]}\n",
		  "web", NULL },
		{ "services:\n  web: {image: x, depends_on: [dbg]}\n"
		  "  dbg: {image: x, profiles: [debug]}\n",
		  NULL, "compose.yaml:2: service \"web\" depends on service \"dbg\", "
		  "which is not enabled (profiles)" },
		/* cycles */
		{ "services:\n  a: {image: x, depends_on: [a]}\n", NULL,
		  "compose.yaml:2: dependency cycle: a -> a" },
		{ "services:\n  ok: {image: x}\n"
		  "  a: {image: x, depends_on: [ok, b]}\n"
		  "  b: {image: x, depends_on: [c]}\n"
		  "  c: {image: x, depends_on: [a]}\n", NULL,
		  "compose.yaml:3: dependency cycle: a -> b -> c -> a" },
		{ "services:\n  x: {image: x, depends_on: [a]}\n"
		  "  a: {image: x, depends_on: [b]}\n"
		  "  b: {image: x, depends_on: [a]}\n", NULL,
		  "compose.yaml:3: dependency cycle: a -> b -> a" },
		/* unknown */
		{ "services:\n  web: {image: x, depends_on: [db]}\n", NULL,
		  "compose.yaml:2: service \"web\" depends on undefined "
		  "service \"db\"" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char *got;
		int n = order_of(t[i].yaml, &got);

		if (t[i].order != NULL) {
			if (n < 0)
				fail_msg("%s: %s", t[i].yaml, error_last());
			if (strcmp(got, t[i].order) != 0)
				fail_msg("%s: \"%s\", want \"%s\"", t[i].yaml, got,
				    t[i].order);
		} else {
			assert_int_equal(n, -1);
			if (strcmp(error_last(), t[i].err) != 0)
				fail_msg("\"%s\", want \"%s\"", error_last(), t[i].err);
		}
		free(got);
	}
}

/* compose_order on a hand-built project: its own errors, no file name. */
static void
test_order_direct(void **state)
{
	struct compose_project *p = load(
	    "services:\n  web: {image: x, depends_on: [db]}\n  db: {image: x}\n");
	struct compose_service *web = &p->services[0];
	size_t order[2];

	(void)state;
	assert_int_equal(compose_order(p, order), 2);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 0);
	free(web->depends[0].service);
	web->depends[0].service = xstrdup("gone");
	assert_int_equal(compose_order(p, order), -1);
	assert_string_equal(error_last(), "service \"web\" depends on undefined "
	    "service \"gone\"");
	web->depends[0].required = 0;
	assert_int_equal(compose_order(p, order), 2);
	compose_free(p);
}

static void
test_durations(void **state)
{
	static const struct {
		const char *s;
		long long ns;       /* -2: invalid */
	} t[] = {
		{ "1m30s", 90000000000LL }, { "10s", 10000000000LL },
		{ "1h", 3600000000000LL }, { "500ms", 500000000LL },
		{ "1.5s", 1500000000LL }, { "10", 10000000000LL },
		{ "0", 0 }, { "0.5", 500000000LL }, { "1us", 1000 },
		{ "1\xc2\xb5s", 1000 }, { "3ns", 3 }, { ".5s", 500000000LL },
		{ "2h45m", 9900000000000LL }, { "1.000000001s", 1000000001LL },
		{ "", -2 }, { "s", -2 }, { "1x", -2 }, { "-1s", -2 },
		{ "1m30", -2 }, { "1.5.5s", -2 }, { "99999999999h", -2 },
		{ "1 s", -2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		long long ns = -2;
		int rc = compose_parse_duration(t[i].s, &ns);

		if (t[i].ns == -2 ? rc != -1 : (rc != 0 || ns != t[i].ns))
			fail_msg("\"%s\": rc %d ns %lld, want %lld", t[i].s, rc, ns,
			    t[i].ns);
	}
}

static void
test_bytes(void **state)
{
	static const struct {
		const char *s;
		long long b;        /* -2: invalid */
	} t[] = {
		{ "100", 100 }, { "64k", 65536 }, { "512m", 512LL << 20 },
		{ "1g", 1LL << 30 }, { "1.5gb", 3LL << 29 }, { "1GiB", 1LL << 30 },
		{ "2 MB", 2LL << 20 }, { "10b", 10 }, { "1t", 1LL << 40 },
		{ "0", 0 },
		{ "", -2 }, { "m", -2 }, { "1x", -2 }, { "-1m", -2 }, { "1.m", -2 },
		{ "1mm", -2 }, { "99999999999p", -2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		long long b = -2;
		int rc = compose_parse_bytes(t[i].s, &b);

		if (t[i].b == -2 ? rc != -1 : (rc != 0 || b != t[i].b))
			fail_msg("\"%s\": rc %d bytes %lld, want %lld", t[i].s, rc, b,
			    t[i].b);
	}
}

static void
test_paths(void **state)
{
	static const struct {
		const char *in, *out;
	} clean[] = {
		{ "/srv/app", "/srv/app" }, { "/srv//app/", "/srv/app" },
		{ "/srv/./app/.", "/srv/app" }, { "/srv/app/../x", "/srv/x" },
		{ "/../../etc", "/etc" }, { "/", "/" }, { "//", "/" },
		{ "a/b/../../..", ".." }, { "./a", "a" }, { "", "." },
		{ "a/../..", ".." }, { "../../a", "../../a" },
	};
	static const struct {
		const char *path, *dir;
		int within;
	} within[] = {
		{ "/srv/release", "/srv/release", 1 },
		{ "/srv/release/a", "/srv/release", 1 },
		{ "/srv/release/", "/srv/release/", 1 },
		{ "/srv/release-evil", "/srv/release", 0 },
		{ "/srv/releas", "/srv/release", 0 },
		{ "/srv/release/../x", "/srv/release", 0 },
		{ "/srv/release/a/../../release/b", "/srv/release", 1 },
		{ "/etc", "/", 1 },
		{ "/srv", "/srv/release", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(clean); i++) {
		char *got = compose_path_clean(clean[i].in);

		if (strcmp(got, clean[i].out) != 0)
			fail_msg("clean \"%s\": \"%s\", want \"%s\"", clean[i].in, got,
			    clean[i].out);
		free(got);
	}
	for (i = 0; i < ARRAY_SIZE(within); i++) {
		if (compose_path_within(within[i].path, within[i].dir) !=
		    within[i].within)
			fail_msg("within(\"%s\", \"%s\") != %d", within[i].path,
			    within[i].dir, within[i].within);
	}
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_find(void **state)
{
	char tmpl[] = "/tmp/hC-compose-XXXXXX";
	char *dir = mkdtemp(tmpl), *path, *want, *sub, *out;

	(void)state;
	assert_non_null(dir);
	assert_null(compose_find(dir));
	assert_non_null(strstr(error_last(), "no compose file in"));

	path = path_join(dir, "docker-compose.yml");
	write_text(path, "services: {web: {image: x}}\n");
	want = path;
	path = compose_find(dir);
	assert_string_equal(path, want);
	free(path);
	free(want);

	/* compose.yaml comes first */
	path = path_join(dir, "compose.yaml");
	write_text(path, "services: {web: {image: x}}\n");
	want = path;
	path = compose_find(dir);
	assert_string_equal(path, want);
	free(path);

	/* a compose file that is a symlink out of the release is refused */
	sub = path_join(dir, "rel");
	assert_int_equal(mkdir_p(sub, 0755), 0);
	out = path_join(sub, "compose.yml");
	assert_int_equal(symlink(want, out), 0);
	assert_null(compose_find(sub));
	assert_string_equal(error_last(), "\"compose.yml\" points outside the "
	    "project directory");

	/* a .env that points outside is refused too */
	free(out);
	out = path_join(sub, ".env");
	assert_int_equal(symlink("/etc/hostname", out), 0);
	{
		struct compose_project *p = NULL;
		const char *yaml = "services: {web: {image: x}}\n";

		assert_int_equal(compose_load_string(&p, yaml, strlen(yaml),
		    "compose.yaml", sub, "app", NULL), -1);
		assert_string_equal(error_last(),
		    ".env: points outside the project directory");
	}
	free(out);
	free(want);
	free(sub);
	assert_int_equal(remove_tree(dir), 0);
}

static void
test_resolve(void **state)
{
	char tmpl[] = "/tmp/hC-resolve-XXXXXX";
	char *dir, *parent, *p;
	size_t i;
	static const char *const links[][2] = {
		{ "a", "b" }, { "abs", "/etc" }, { "up", ".." },
		{ "dangling", "/nonexistent-slipway/x" }, { "loop1", "loop2" },
		{ "loop2", "loop1" }, { "b/back", "../a/.." },
	};
	static const struct {
		const char *in;     /* below dir */
		const char *out;    /* %1$s dir, %2$s its parent; NULL: any */
	} t[] = {
		{ "a/c", "%1$s/b/c" },
		{ "a", "%1$s/b" },
		{ "abs/passwd", "/etc/passwd" },
		{ "up/x", "%1$.0s%2$s/x" },
		{ "a/../z", "%1$s/z" },
		{ "dangling/y", "/nonexistent-slipway/x/y" },
		{ "b/back/a", "%1$s/b" },
		{ "missing/dir", "%1$s/missing/dir" },
		{ "loop1/x", NULL },
	};

	(void)state;
	dir = realpath(mkdtemp(tmpl), NULL);
	assert_non_null(dir);
	parent = xstrndup(dir, (size_t)(strrchr(dir, '/') - dir));
	p = path_join(dir, "b");
	assert_int_equal(mkdir_p(p, 0755), 0);
	free(p);
	for (i = 0; i < ARRAY_SIZE(links); i++) {
		p = path_join(dir, links[i][0]);
		assert_int_equal(symlink(links[i][1], p), 0);
		free(p);
	}
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char *in = path_join(dir, t[i].in), *got = compose_path_resolve(in);

		if (t[i].out != NULL) {
			char *want = xasprintf(t[i].out, dir, parent);

			if (strcmp(got, want) != 0)
				fail_msg("%s: \"%s\", want \"%s\"", t[i].in, got, want);
			free(want);
		}
		free(got);
		free(in);
	}
	assert_int_equal(remove_tree(dir), 0);
	free(parent);
	free(dir);
}

/* Alias bombs end in an error, not in a long wait. */
static void
test_alias_bomb(void **state)
{
	struct buf b = BUF_INIT;
	struct compose_project *p = NULL;
	int i, j;

	(void)state;
	buf_adds(&b, "x-0: &a0 {k0: v}\n");
	for (i = 1; i < 12; i++) {
		buf_addf(&b, "x-%d: &a%d\n  <<: [", i, i);
		for (j = 0; j < 10; j++)
			buf_addf(&b, "%s*a%d", j ? ", " : "", i - 1);
		buf_addf(&b, "]\n  k%d: v\n", i);
	}
	buf_adds(&b, "services:\n  web:\n    image: x\n    <<: *a11\n");
	assert_int_equal(compose_load_string(&p, b.buf, b.len, "compose.yaml",
	    DIR, "app", NULL), -1);
	assert_non_null(strstr(error_last(), "too complex"));
	buf_release(&b);
}

/*
 * A collection of more entries than any compose file needs is refused as
 * the parser reads it: each key is looked up among the others (duplicates,
 * labels, environment), which costs the square of a collection's size;
 * 200,000 labels (3.5 MB) held a deploy and its lock for ten minutes.
 */
static void
test_huge_collections(void **state)
{
	struct buf b = BUF_INIT;
	struct compose_project *p = NULL;
	long long t0;
	int i, j;

	(void)state;
	buf_adds(&b, "services:\n  web:\n    image: x\n    labels:\n");
	for (i = 0; i < 200000; i++)
		buf_addf(&b, "      k%d: v\n", i);
	t0 = now_ms();
	assert_int_equal(compose_load_string(&p, b.buf, b.len, "compose.yaml",
	    DIR, "app", NULL), -1);
	assert_string_equal(error_last(), "compose.yaml:5: a mapping of more "
	    "than 1000 entries");
	assert_true(now_ms() - t0 < 2000);
	buf_release(&b);
	buf_adds(&b, "services:\n  web:\n    image: x\n    dns: [");
	for (i = 0; i < 1001; i++)
		buf_addf(&b, "%s1.1.1.%d", i ? ", " : "", i % 250);
	buf_adds(&b, "]\n");
	assert_int_equal(compose_load_string(&p, b.buf, b.len, "compose.yaml",
	    DIR, "app", NULL), -1);
	assert_string_equal(error_last(), "compose.yaml:4: a sequence of more "
	    "than 1000 entries");
	buf_release(&b);
	/* merges of many small mappings into one big one */
	for (i = 0; i < 3; i++) {
		buf_addf(&b, "x-%d: &m%d\n", i, i);
		for (j = 0; j < 400; j++)
			buf_addf(&b, "  k%d_%d: v\n", i, j);
	}
	buf_adds(&b, "services:\n  web:\n    image: x\n"
	    "    <<: [*m0, *m1, *m2]\n");
	assert_int_equal(compose_load_string(&p, b.buf, b.len, "compose.yaml",
	    DIR, "app", NULL), -1);
	assert_non_null(strstr(error_last(), "more than 1000 keys"));
	buf_release(&b);
	/* 1000 are fine */
	buf_adds(&b, "services:\n  web:\n    image: x\n    labels:\n");
	for (i = 0; i < 1000; i++)
		buf_addf(&b, "      k%d: v\n", i);
	assert_int_equal(compose_load_string(&p, b.buf, b.len, "compose.yaml",
	    DIR, "app", NULL), 0);
	compose_free(p);
	buf_release(&b);
}

/* Deep nesting is refused as the parser reads it: fast, whatever the size. */
static void
test_deep_nesting(void **state)
{
	struct buf b = BUF_INIT;
	struct compose_project *p = NULL;
	long long t0;
	int i;

	(void)state;
	buf_adds(&b, "services:\n  web:\n    image: x\nx-deep: ");
	for (i = 0; i < 400000; i++)
		buf_adds(&b, "[");
	for (i = 0; i < 400000; i++)
		buf_adds(&b, "]");
	buf_adds(&b, "\n");
	t0 = now_ms();
	assert_int_equal(compose_load_string(&p, b.buf, b.len, "compose.yaml",
	    DIR, "app", NULL), -1);
	assert_string_equal(error_last(), "compose.yaml:4: nested deeper than "
	    "64 levels");
	assert_true(now_ms() - t0 < 1000);
	buf_release(&b);
	/* block style too */
	buf_adds(&b, "services:\n  web:\n    image: x\nx-deep:\n");
	for (i = 0; i < 2000; i++)
		buf_addf(&b, "%*sk:\n", i + 1, "");
	assert_int_equal(compose_load_string(&p, b.buf, b.len, "compose.yaml",
	    DIR, "app", NULL), -1);
	assert_non_null(strstr(error_last(), "nested deeper than 64 levels"));
	buf_release(&b);
	/* 63 levels below the top are fine */
	buf_adds(&b, "services:\n  web:\n    image: x\nx-deep: ");
	for (i = 0; i < 63; i++)
		buf_adds(&b, "[");
	for (i = 0; i < 63; i++)
		buf_adds(&b, "]");
	buf_adds(&b, "\n");
	assert_int_equal(compose_load_string(&p, b.buf, b.len, "compose.yaml",
	    DIR, "app", NULL), 0);
	compose_free(p);
	buf_release(&b);
	/* nested interpolation defaults: bounded depth, no stack exhaustion */
	buf_adds(&b, "services:\n  web:\n    image: \"");
	for (i = 0; i < 100000; i++)
		buf_adds(&b, "${A:-");
	for (i = 0; i < 100000; i++)
		buf_adds(&b, "}");
	buf_adds(&b, "\"\n");
	t0 = now_ms();
	assert_int_equal(compose_load_string(&p, b.buf, b.len, "compose.yaml",
	    DIR, "app", NULL), -1);
	assert_non_null(strstr(error_last(), "nested deeper than 32 levels"));
	assert_true(now_ms() - t0 < 1000);
	buf_release(&b);
}

/* A variable used over and over counts against the same budget (make fuzz). */
static void
test_variable_bomb(void **state)
{
	struct kvlist big = KVLIST_INIT;
	struct buf b = BUF_INIT;
	struct compose_project *p = NULL;
	char *v = xmalloc(INTERP_MAX + 1);
	int i;

	(void)state;
	memset(v, 'v', INTERP_MAX);
	v[INTERP_MAX] = '\0';
	kvlist_set(&big, "BIG", v);
	buf_adds(&b, "services:\n  web:\n    image: x\n    labels:\n");
	for (i = 0; i < 80; i++)
		buf_addf(&b, "      l%d: ${BIG}\n", i);
	assert_int_equal(compose_load_string(&p, b.buf, b.len, "compose.yaml",
	    DIR, "app", &big), -1);
	assert_non_null(strstr(error_last(), "variables expand too far"));
	/* one value may not pass INTERP_MAX */
	buf_reset(&b);
	buf_adds(&b, "services:\n  web:\n    image: x${BIG}\n");
	assert_int_equal(compose_load_string(&p, b.buf, b.len, "compose.yaml",
	    DIR, "app", &big), -1);
	assert_non_null(strstr(error_last(), "expands to more than"));
	buf_release(&b);
	kvlist_clear(&big);
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_huge_collections),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_env_files),
		cmocka_unit_test(test_need_hook),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_port_errors),
		cmocka_unit_test(test_expose),
		cmocka_unit_test(test_volumes),
		cmocka_unit_test(test_volume_errors),
		cmocka_unit_test(test_networks),
		cmocka_unit_test(test_depends_on),
		cmocka_unit_test(test_healthcheck),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_x_slipway),
		cmocka_unit_test(test_top_level),
		cmocka_unit_test(test_anchors),
		cmocka_unit_test(test_interpolation),
		cmocka_unit_test(test_secrets_configs),
		cmocka_unit_test(test_compat_keys),
		cmocka_unit_test(test_compose_settings),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_order_direct),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_no_services),
		cmocka_unit_test(test_alias_bomb),
		cmocka_unit_test(test_variable_bomb),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
