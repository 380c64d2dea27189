/*
 * test-include.c - compose files other than the one deployed: include
 * (short and long form, project_directory, env_file, conflicts, cycles,
 * the release boundary) and extends.file (relative paths resolved against
 * the extended file, chains across files, cycles, the release boundary).
 * Each test writes a release into a temporary directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "compose/compose.h"

static char *dir;       /* the release: a fresh directory per test */

static int
setup(void **state)
{
	char tmpl[] = "/tmp/slipway-include-XXXXXX";

	(void)state;
	if (mkdtemp(tmpl) == NULL)
		return -1;
	dir = realpath(tmpl, NULL);
	return dir == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (remove_tree(dir) < 0)
		return -1;
	free(dir);
	dir = NULL;
	return 0;
}

/* Write text at rel (directories made as needed). */
static void
put(const char *rel, const char *text)
{
	char *path = path_join(dir, rel), *slash = strrchr(path, '/');

	*slash = '\0';
	assert_int_equal(mkdir_p(path, 0755), 0);
	*slash = '/';
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(path);
}

static char *
at(const char *rel)
{
	return path_join(dir, rel);
}

static struct compose_project *
load_ok(void)
{
	struct compose_project *p = NULL;
	char *file = at("compose.yaml");

	if (compose_load(&p, file, dir, "app", NULL) < 0)
		fail_msg("load failed: %s", error_last());
	free(file);
	return p;
}

static void
load_err(const char *want)
{
	struct compose_project *p = NULL;
	char *file = at("compose.yaml");

	if (compose_load(&p, file, dir, "app", NULL) == 0) {
		compose_free(p);
		fail_msg("no error, want \"%s\"", want);
	}
	assert_null(p);
	if (strcmp(error_last(), want) != 0)
		fail_msg("error \"%s\"\n want \"%s\"", error_last(), want);
	free(file);
}

static const struct compose_service *
svc(const struct compose_project *p, const char *name)
{
	const struct compose_service *s = compose_service(p, name);

	if (s == NULL)
		fail_msg("no service \"%s\"", name);
	return s;
}

static void
expect_path(const char *got, const char *rel)
{
	char *want = at(rel);

	assert_string_equal(got, want);
	free(want);
}

/* Short and long form; the included file's paths, .env and resources. */
static void
test_include(void **state)
{
	struct compose_project *p;
	const struct compose_service *s;
	const struct kv *kv;

	(void)state;
	put("compose.yaml",
	    "include:\n"
	    "  - db/compose.yaml\n"
	    "  - path: cache/cache.yaml\n"
	    "    project_directory: cache/work\n"
	    "    env_file: [cache/vars.env]\n"
	    "services:\n"
	    "  web:\n"
	    "    image: web\n"
	    "    depends_on: [db]\n"
	    "    volumes: [data:/data]\n"
	    "    networks: [back]\n"
	    "    environment: [TAG]\n");
	put(".env", "TAG=top\n");
	put("db/compose.yaml",
	    "services:\n"
	    "  db:\n"
	    "    image: db:${DBV}\n"
	    "    build: ./ctx\n"
	    "    env_file: db.env\n"
	    "    volumes: [./init:/init, data:/var/lib/db]\n"
	    "    networks: [back]\n"
	    "volumes:\n"
	    "  data: {}\n"
	    "networks:\n"
	    "  back: {}\n");
	put("db/.env", "DBV=16\nTAG=from-db\n");
	put("db/db.env", "PW=x\n");
	put("cache/cache.yaml",
	    "services:\n"
	    "  cache:\n"
	    "    image: cache:${CV}\n"
	    "    volumes: [./state:/state]\n");
	put("cache/vars.env", "CV=7\n");
	put("cache/work/keep", "");
	p = load_ok();
	assert_int_equal(p->nservices, 3);
	s = svc(p, "db");
	/* the included .env fills what the includer's does not set */
	assert_string_equal(s->image, "db:16");
	expect_path(s->build->context, "db/ctx");
	kv = kvlist_find(&s->environment, "PW");
	assert_non_null(kv);
	assert_string_equal(kv->value, "x");
	expect_path(s->mounts[0].source, "db/init");
	kv = kvlist_find(&svc(p, "web")->environment, "TAG");
	assert_string_equal(kv->value, "top");
	s = svc(p, "cache");
	assert_string_equal(s->image, "cache:7");
	expect_path(s->mounts[0].source, "cache/work/state");
	assert_non_null(compose_volume(p, "data"));
	assert_string_equal(compose_volume(p, "data")->name, "app_data");
	assert_non_null(compose_network(p, "back"));
	assert_non_null(compose_network(p, "default"));  /* cache uses it */
	assert_string_equal(p->dir, dir);
	compose_free(p);
}

static void
test_include_errors(void **state)
{
	char *outside;

	(void)state;
	put("a.yaml", "include: [b.yaml]\nservices:\n  a:\n    image: x\n");
	put("b.yaml", "services:\n  b:\n    image: x\n");

	/* a name defined twice */
	put("compose.yaml", "services:\n  b:\n    image: y\ninclude:\n"
	    "  - b.yaml\n");
	load_err("compose.yaml:5: services.b conflicts with imported resource "
	    "(include \"b.yaml\")");
	put("compose.yaml", "include:\n  - b.yaml\n  - a.yaml\n");
	load_err("compose.yaml:3: services.b conflicts with imported resource "
	    "(include \"a.yaml\")");
	put("c.yaml", "services:\n  c:\n    image: x\nvolumes:\n  v: {}\n");
	put("compose.yaml", "include: [c.yaml]\nservices:\n  w:\n    image: x\n"
	    "volumes:\n  v: {}\n");
	load_err("compose.yaml:1: volumes.v conflicts with imported resource "
	    "(include \"c.yaml\")");

	/* cycles, with the line of the entry that closes them */
	put("compose.yaml", "services:\n  w:\n    image: x\ninclude:\n"
	    "  - sub/x.yaml\n");
	put("sub/x.yaml", "services:\n  x:\n    image: x\ninclude:\n"
	    "  - path: ../compose.yaml\n");
	load_err("sub/x.yaml:5: include cycle: compose.yaml -> sub/x.yaml -> "
	    "compose.yaml");
	put("sub/x.yaml", "include: [x.yaml]\nservices:\n  x:\n    image: x\n");
	load_err("sub/x.yaml:1: include cycle: sub/x.yaml -> sub/x.yaml");

	/* the release boundary: lexically and through a symlink */
	put("compose.yaml", "include: [../elsewhere.yaml]\n");
	load_err("compose.yaml:1: include \"../elsewhere.yaml\" is outside the "
	    "release");
	outside = xasprintf("%s-outside.yaml", dir);
	assert_int_equal(write_file_atomic(outside, "services: {}\n", 13,
	    0644), 0);
	{
		char *link = at("link.yaml");

		assert_int_equal(symlink(outside, link), 0);
		free(link);
	}
	put("compose.yaml", "include: [link.yaml]\n");
	load_err("compose.yaml:1: include \"link.yaml\" is outside the "
	    "release");
	unlink(outside);
	free(outside);
	put("compose.yaml", "include:\n  - path: b.yaml\n"
	    "    project_directory: /etc\n");
	load_err("compose.yaml:2: \"include.project_directory\": \"/etc\" is "
	    "outside the release");
	put("compose.yaml", "include:\n  - path: b.yaml\n"
	    "    env_file: /etc/passwd\n");
	load_err("b.yaml: env file \"/etc/passwd\" is outside the release");

	/* shapes */
	put("compose.yaml", "include:\n  - path: [a.yaml, b.yaml]\n");
	load_err("compose.yaml:2: \"include\": several files in one entry are "
	    "merged by compose, which slipway does not do: include them one "
	    "by one");
	put("compose.yaml", "include:\n  - nope.yaml\n");
	load_err("compose.yaml:2: include \"nope.yaml\" not found");
	put("compose.yaml", "include:\n  - path: b.yaml\n    what: 1\n");
	load_err("compose.yaml:3: unknown key \"include.what\"");
	put("compose.yaml", "include: b.yaml\n");
	load_err("compose.yaml:1: \"include\" must be a list");
	/* an error in the included file names that file and its line */
	put("d.yaml", "services:\n  d:\n    image: x\n    prots: [1]\n");
	put("compose.yaml", "include: [d.yaml]\n");
	load_err("d.yaml:4: service \"d\": unknown key \"prots\"");
}

/* extends.file: the base's relative paths resolve against its file. */
static void
test_extends_file(void **state)
{
	struct compose_project *p;
	const struct compose_service *s;
	const struct kv *kv;

	(void)state;
	put("compose.yaml",
	    "services:\n"
	    "  web:\n"
	    "    extends:\n"
	    "      file: common/base.yaml\n"
	    "      service: app\n"
	    "    command: [serve]\n"
	    "  worker:\n"
	    "    extends: {file: ./common/base.yaml, service: job}\n");
	put("common/base.yaml",
	    "services:\n"
	    "  app:\n"
	    "    build: ./src\n"
	    "    image: app\n"
	    "    env_file: app.env\n"
	    "    volumes: [./conf:/conf]\n"
	    "    command: [idle]\n"
	    "  job:\n"
	    "    extends: app\n"
	    "    user: nobody\n"
	    "  far:\n"
	    "    extends: {file: ../more/far.yaml, service: x}\n");
	put("common/app.env", "E=1\n");
	put("more/far.yaml", "services:\n  x:\n    image: far\n");
	p = load_ok();
	assert_int_equal(p->nservices, 2);
	s = svc(p, "web");
	assert_string_equal(s->image, "app");
	expect_path(s->build->context, "common/src");
	expect_path(s->mounts[0].source, "common/conf");
	assert_string_equal(s->command.v[0], "serve");
	kv = kvlist_find(&s->environment, "E");
	assert_non_null(kv);
	assert_string_equal(kv->value, "1");
	s = svc(p, "worker");
	assert_string_equal(s->user, "nobody");
	expect_path(s->build->context, "common/src");
	assert_string_equal(s->command.v[0], "idle");
	compose_free(p);

	/* a chain through a third file */
	put("compose.yaml", "services:\n  w:\n"
	    "    extends: {file: common/base.yaml, service: far}\n");
	p = load_ok();
	assert_string_equal(svc(p, "w")->image, "far");
	compose_free(p);
}

static void
test_extends_file_errors(void **state)
{
	(void)state;
	put("other.yaml", "services:\n  b:\n    image: x\n"
	    "    extends: {file: compose.yaml, service: a}\n");
	put("compose.yaml", "services:\n  a:\n"
	    "    extends: {file: other.yaml, service: b}\n");
	load_err("other.yaml:4: service \"a\": \"extends\": service \"a\" "
	    "extends itself");
	put("compose.yaml", "services:\n  a:\n    image: x\n"
	    "    extends: {file: other.yaml, service: nope}\n");
	load_err("compose.yaml:4: service \"a\": \"extends\": undefined "
	    "service \"nope\" in \"other.yaml\"");
	put("compose.yaml", "services:\n  a:\n    image: x\n"
	    "    extends: {file: ../x.yaml, service: b}\n");
	load_err("compose.yaml:4: service \"a\": \"extends.file\": "
	    "\"../x.yaml\" is outside the release");
	{
		char *link = at("etc.yaml");

		assert_int_equal(symlink("/etc/hostname", link), 0);
		free(link);
	}
	put("compose.yaml", "services:\n  a:\n    image: x\n"
	    "    extends: {file: etc.yaml, service: b}\n");
	load_err("compose.yaml:4: service \"a\": \"extends.file\": "
	    "\"etc.yaml\" is outside the release");
	/* an error in the extended file names that file and its line */
	put("bad.yaml", "services:\n  b:\n    image: x\n    prots: [1]\n");
	put("compose.yaml", "services:\n  a:\n"
	    "    extends: {file: bad.yaml, service: b}\n");
	load_err("bad.yaml:4: service \"a\": unknown key \"prots\"");
	/* the base's bind must stay inside the release too */
	put("bind.yaml", "services:\n  b:\n    image: x\n"
	    "    env_file: ../../secret.env\n");
	put("compose.yaml", "services:\n  a:\n"
	    "    extends: {file: bind.yaml, service: b}\n");
	load_err("compose.yaml:2: service \"a\": env file \"/secret.env\" is "
	    "outside the release");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_include, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_extends_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_extends_file_errors, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
