/*
 * test-policy.c - each policy rule, the allow flag that lifts it (and only
 * it), and the path tricks: sibling prefixes, "..", symlinks in the release
 * pointing out, the Docker socket. (Env files outside the release are the
 * loader's to refuse: see test-compose.c.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "lib/config.h"
#include "compose/policy.h"

#define ALL_BUT(f) ((ALLOW_PRIVILEGED | ALLOW_HOST_BINDS | ALLOW_HOST_NETWORK | \
	ALLOW_CAPS | ALLOW_SECURITY_OPT | ALLOW_HOST_VOLUMES) & ~(unsigned)(f))

static char *base;      /* a temporary directory */
static char *release;   /* base/release: the project directory */

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *
in_base(const char *rel)
{
	return path_join(base, rel);
}

static int
setup(void **state)
{
	char tmpl[] = "/tmp/hC-policy-XXXXXX", *p;

	(void)state;
	if (mkdtemp(tmpl) == NULL)
		return -1;
	base = realpath(tmpl, NULL);
	release = in_base("release");
	p = in_base("release/data/sub");
	assert_int_equal(mkdir_p(p, 0755), 0);
	free(p);
	p = in_base("release-evil");
	assert_int_equal(mkdir_p(p, 0755), 0);
	free(p);
	p = in_base("outside.env");
	write_text(p, "SECRET=other-app\n");
	free(p);
	p = in_base("release/inside.env");
	write_text(p, "A=1\n");
	free(p);
	p = in_base("release/link-out");
	if (symlink("/etc", p) < 0)
		return -1;
	free(p);
	p = in_base("release/link-in");
	if (symlink("data", p) < 0)
		return -1;
	free(p);
	p = in_base("release/link.env");
	if (symlink("../outside.env", p) < 0)
		return -1;
	free(p);
	p = in_base("release/up");
	if (symlink("..", p) < 0)
		return -1;
	free(p);
	p = in_base("release/dangling-out");
	if (symlink("/nonexistent-slipway/dir", p) < 0)
		return -1;
	free(p);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(remove_tree(base), 0);
	free(base);
	free(release);
	error_clear();
	return 0;
}

/* Load yaml in the release and check it with allow: 0, or -1 and *err. */
static int
check(const char *yaml, unsigned allow)
{
	struct compose_project *p = NULL;
	int rc;

	if (compose_load_string(&p, yaml, strlen(yaml), "compose.yaml", release,
	    "app", NULL) < 0)
		fail_msg("load: %s\n%s", error_last(), yaml);
	rc = policy_check(p, allow);
	compose_free(p);
	return rc;
}

/*
 * yaml is refused with no flags (with error err when not NULL), refused
 * with every flag but need, and accepted with need.
 */
static void
refused_unless(const char *yaml, unsigned need, const char *err)
{
	if (check(yaml, 0) == 0)
		fail_msg("accepted without allow:\n%s", yaml);
	if (err != NULL && strcmp(error_last(), err) != 0)
		fail_msg("error \"%s\",\n want \"%s\"", error_last(), err);
	if (check(yaml, ALL_BUT(need)) == 0)
		fail_msg("accepted with all flags but the one needed:\n%s", yaml);
	if (check(yaml, need) < 0)
		fail_msg("refused with the allow flag: %s\n%s", error_last(), yaml);
}

static void
accepted(const char *yaml)
{
	if (check(yaml, 0) < 0)
		fail_msg("refused: %s\n%s", error_last(), yaml);
}

static char *
service(const char *body)
{
	return xasprintf("services:\n  web:\n    image: x\n%s", body);
}

static void
test_message(void **state)
{
	char *y = service("    privileged: true\n");

	(void)state;
	refused_unless(y, ALLOW_PRIVILEGED, "compose.yaml: service \"web\": "
	    "\"privileged\" is not allowed here (an operator can set allow = "
	    "privileged for this app)");
	free(y);
	y = service("    volumes: [\"/var/run/docker.sock:/var/run/docker.sock\"]\n");
	refused_unless(y, ALLOW_HOST_BINDS | ALLOW_PRIVILEGED,
	    "compose.yaml: service \"web\": \"volumes\" bind of "
	    "\"/var/run/docker.sock\" (the Docker socket) is not allowed here (an "
	    "operator can set allow = host-binds, privileged for this app)");
	free(y);
	accepted("services:\n  web:\n    image: nginx\n    ports: [\"80:80\"]\n");
}

static void
test_privileged_devices(void **state)
{
	char *y;

	(void)state;
	y = service("    devices: [\"/dev/fuse:/dev/fuse\"]\n");
	refused_unless(y, ALLOW_PRIVILEGED, "compose.yaml: service \"web\": "
	    "\"devices: /dev/fuse:/dev/fuse\" is not allowed here (an operator "
	    "can set allow = privileged for this app)");
	free(y);
	accepted("services:\n  web:\n    image: x\n    privileged: false\n");
}

static void
test_namespaces(void **state)
{
	static const char *const refused[] = {
		"    network_mode: host\n",
		"    pid: host\n",
		"    ipc: host\n",
		"    userns_mode: host\n",
		"    network_mode: container:other-app-db-1\n",
		"    pid: container:other-app-db-1\n",
		"    ipc: container:other\n",
	};
	static const char *const fine[] = {
		"    network_mode: none\n",
		"    network_mode: bridge\n",
		"    network_mode: service:db\n",
		"    pid: service:db\n",
		"    ipc: shareable\n",
		"    ipc: private\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		char *y = xasprintf("services:\n  db:\n    image: x\n  web:\n"
		    "    image: x\n%s", refused[i]);

		refused_unless(y, ALLOW_HOST_NETWORK, NULL);
		free(y);
	}
	refused_unless("services:\n  web:\n    image: x\n    pid: host\n",
	    ALLOW_HOST_NETWORK, "compose.yaml: service \"web\": \"pid: host\" is "
	    "not allowed here (an operator can set allow = host-network for this "
	    "app)");
	for (i = 0; i < ARRAY_SIZE(fine); i++) {
		char *y = xasprintf("services:\n  db:\n    image: x\n  web:\n"
		    "    image: x\n%s", fine[i]);

		accepted(y);
		free(y);
	}
}

static void
test_caps(void **state)
{
	static const char *const refused[] = {
		"NET_ADMIN", "SYS_ADMIN", "ALL", "CAP_SYS_PTRACE", "sys_module",
		"DAC_READ_SEARCH",
	};
	static const char *const fine[] = {
		"CHOWN", "NET_BIND_SERVICE", "cap_kill", "CAP_SETUID", "net_raw",
		"SYS_CHROOT", "MKNOD", "AUDIT_WRITE", "SETFCAP", "SETPCAP",
		"DAC_OVERRIDE", "FOWNER", "FSETID", "SETGID",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		char *y = xasprintf("services:\n  web:\n    image: x\n"
		    "    cap_add: [CHOWN, %s]\n", refused[i]);

		refused_unless(y, ALLOW_CAPS, NULL);
		free(y);
	}
	for (i = 0; i < ARRAY_SIZE(fine); i++) {
		char *y = xasprintf("services:\n  web:\n    image: x\n"
		    "    cap_add: [%s]\n    cap_drop: [ALL]\n", fine[i]);

		accepted(y);
		free(y);
	}
	/* every default capability is accepted */
	for (i = 0; policy_default_caps[i] != NULL; i++) {
		char *y = xasprintf("services:\n  web:\n    image: x\n"
		    "    cap_add: [%s]\n", policy_default_caps[i]);

		accepted(y);
		free(y);
	}
	refused_unless("services:\n  web:\n    image: x\n    cap_add: [ALL]\n",
	    ALLOW_CAPS, "compose.yaml: service \"web\": \"cap_add: ALL\" is not "
	    "allowed here (an operator can set allow = caps for this app)");
}

static void
test_security_opt(void **state)
{
	static const char *const refused[] = {
		"seccomp=unconfined", "seccomp:unconfined", "seccomp=/tmp/p.json",
		"apparmor=unconfined", "apparmor:unconfined", "apparmor=custom",
		"label=disable", "label:disable", "label=type:spc_t",
		"systempaths=unconfined",
	};
	static const char *const fine[] = {
		"no-new-privileges:true", "no-new-privileges", "label=level:s0:c1",
		"label:user:system_u",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		char *y = xasprintf("services:\n  web:\n    image: x\n"
		    "    security_opt: [\"%s\"]\n", refused[i]);

		refused_unless(y, ALLOW_SECURITY_OPT, NULL);
		free(y);
	}
	for (i = 0; i < ARRAY_SIZE(fine); i++) {
		char *y = xasprintf("services:\n  web:\n    image: x\n"
		    "    security_opt: [\"%s\"]\n", fine[i]);

		accepted(y);
		free(y);
	}
}

static void
test_binds(void **state)
{
	/* volumes entries; %s is the base directory */
	static const char *const refused[] = {
		"/etc:/host-etc:ro",
		"../release-evil:/x",           /* a sibling sharing the prefix */
		"%s/release-evil:/x",
		"%s/release-evil/../release-evil:/x",
		"./data/../../outside.env:/x",
		"./link-out:/x",                 /* symlink in the release to /etc */
		"./link-out/ssl:/x",
		"./link-out/does/not/exist:/x",  /* below a symlink that leaves */
		"./up/outside.env:/x",
		"./dangling-out:/x",             /* docker would create it outside */
		"./dangling-out/sub:/x",
		"{type: bind, source: /root, target: /x}",
		"{type: bind, source: ../, target: /x}",
	};
	static const char *const fine[] = {
		".:/app",
		"./data:/data",
		"./data/sub/../sub:/x",
		"./link-in:/x",                  /* symlink that stays inside */
		"./link-in/sub:/x",
		"./new/dir:/x",                  /* does not exist yet */
		"%s/release/data:/x",
		"{type: bind, source: data, target: /x}",
		"cache:/cache",
		"{type: tmpfs, target: /t}",
		"/anonymous",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		char *v = xasprintf(refused[i], base);
		char *y = xasprintf("services:\n  web:\n    image: x\n"
		    "    volumes: [\"%s\"]\nvolumes:\n  cache:\n", v);

		if (*v == '{') {
			free(y);
			y = xasprintf("services:\n  web:\n    image: x\n"
			    "    volumes: [%s]\n", v);
		}
		refused_unless(y, ALLOW_HOST_BINDS, NULL);
		if (check(y, 0) == 0 || strstr(error_last(), "outside the "
		    "release") == NULL)
			fail_msg("%s: %s", v, error_last());
		free(y);
		free(v);
	}
	for (i = 0; i < ARRAY_SIZE(fine); i++) {
		char *v = xasprintf(fine[i], base);
		char *y = *v == '{' ?
		    xasprintf("services:\n  web:\n    image: x\n    volumes: [%s]\n",
		    v) :
		    xasprintf("services:\n  web:\n    image: x\n"
		    "    volumes: [\"%s\"]\nvolumes:\n  cache:\n", v);

		accepted(y);
		free(y);
		free(v);
	}
}

static void
test_docker_socket(void **state)
{
	static const char *const socks[] = {
		"/var/run/docker.sock:/var/run/docker.sock",
		"/run/docker.sock:/docker.sock",
		"/var/run:/host-run",
		"/run/:/host-run",
		"/:/host",
		"/var/run/../run/docker.sock:/s",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(socks); i++) {
		char *y = xasprintf("services:\n  web:\n    image: x\n"
		    "    volumes: [\"%s\"]\n", socks[i]);

		/* host-binds alone is not enough */
		if (check(y, ALLOW_HOST_BINDS) == 0)
			fail_msg("%s accepted with host-binds", socks[i]);
		if (strstr(error_last(), "the Docker socket") == NULL)
			fail_msg("%s: %s", socks[i], error_last());
		refused_unless(y, ALLOW_HOST_BINDS | ALLOW_PRIVILEGED, NULL);
		free(y);
	}
	/* other host paths need host-binds only */
	assert_int_equal(check("services:\n  web:\n    image: x\n"
	    "    volumes: [\"/var/log:/logs\"]\n", ALLOW_HOST_BINDS), 0);
}

static void
test_build(void **state)
{
	(void)state;
	refused_unless("services:\n  web:\n    build: ..\n", ALLOW_HOST_BINDS,
	    NULL);
	assert_int_equal(check("services:\n  web:\n    build: /\n", 0), -1);
	assert_non_null(strstr(error_last(), "\"build.context\" \"/\""));
	refused_unless("services:\n  web:\n    build: ./link-out\n",
	    ALLOW_HOST_BINDS, NULL);
	refused_unless("services:\n  web:\n    build:\n      context: data\n"
	    "      dockerfile: ../../Dockerfile\n", ALLOW_HOST_BINDS, NULL);
	refused_unless("services:\n  web:\n    build:\n      context: .\n"
	    "      dockerfile: /etc/Dockerfile\n", ALLOW_HOST_BINDS, NULL);
	accepted("services:\n  web:\n    build: .\n");
	accepted("services:\n  web:\n    build:\n      context: data\n"
	    "      dockerfile: ../Dockerfile.web\n");
}

static void
test_volumes(void **state)
{
	static const char *const refused[] = {
		"{driver_opts: {type: none, o: bind, device: /srv}}",
		"{driver_opts: {device: /dev/sda1}}",
		"{driver_opts: {o: bind}}",
		"{driver_opts: {o: \"ro,bind\"}}",
		"{driver_opts: {o: rbind}}",
		"{driver_opts: {type: none}}",
		"{driver_opts: {type: nfs, o: \"addr=10.0.0.1\", device: \":/x\"}}",
		"{driver_opts: {type: none, o: bind, device: ./inside}}",
		"{external: true}",
		"{name: other_data}",
		"{external: true, name: other_data}",
	};
	static const char *const fine[] = {
		"{}",
		"{driver: local}",
		"{name: app_custom}",
		"{driver_opts: {type: tmpfs, device: tmpfs, o: \"size=64m\"}}",
		"{labels: {a: b}}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		char *y = xasprintf("services:\n  web:\n    image: x\n"
		    "    volumes: [\"v:/v\"]\nvolumes:\n  v: %s\n", refused[i]);

		refused_unless(y, ALLOW_HOST_VOLUMES, NULL);
		free(y);
	}
	for (i = 0; i < ARRAY_SIZE(fine); i++) {
		char *y = xasprintf("services:\n  web:\n    image: x\n"
		    "    volumes: [\"v:/v\"]\nvolumes:\n  v: %s\n", fine[i]);

		accepted(y);
		free(y);
	}
	refused_unless("services:\n  web:\n    image: x\nvolumes:\n"
	    "  data:\n    driver_opts: {device: /dev/sda1}\n",
	    ALLOW_HOST_VOLUMES, "compose.yaml: volume \"data\": "
	    "\"driver_opts.device: /dev/sda1\" is not allowed here (an operator "
	    "can set allow = host-volumes for this app)");
}

/* Inactive (profile) services are checked too: they can be started later. */
static void
test_profiles_checked(void **state)
{
	(void)state;
	refused_unless("services:\n  web:\n    image: x\n  dbg:\n    image: x\n"
	    "    profiles: [debug]\n    privileged: true\n", ALLOW_PRIVILEGED,
	    NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_privileged_devices),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_security_opt),
		cmocka_unit_test(test_binds),
		cmocka_unit_test(test_docker_socket),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_volumes),
		cmocka_unit_test(test_profiles_checked),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
