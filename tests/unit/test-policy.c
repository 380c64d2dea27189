/*
 * test-policy.c - each policy rule, the allow flag that lifts it (and only
 * it), and the path tricks: sibling prefixes, "..", symlinks in the release
 * pointing out, the Docker socket. (Env files outside the release are the
 * loader's to refuse: see test-compose.c.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "lib/config.h"
#include "compose/binds.h"
#include "compose/policy.h"

#define ALL_BUT(f) ((ALLOW_PRIVILEGED | ALLOW_HOST_BINDS | ALLOW_HOST_NETWORK | \
	ALLOW_CAPS | ALLOW_SECURITY_OPT | ALLOW_HOST_VOLUMES | \
	ALLOW_EXTERNAL_NETWORKS | ALLOW_NETWORK_DRIVERS | ALLOW_SYSCTLS | \
	ALLOW_ULIMITS | ALLOW_LOGGING | ALLOW_LOW_PORTS) & ~(unsigned)(f))

static char *base;      /* a temporary directory */
static char *release;   /* base/release: the project directory */
static char *shared;    /* base/shared: the app's shared directory */

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
	shared = in_base("shared");
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
	free(shared);
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
	rc = binds_share(p, shared);
	if (rc == 0)
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
	refused_unless(y, ALLOW_PRIVILEGED, "compose.yaml:2: service \"web\": "
	    "\"privileged\" is not allowed here (an operator can set allow = "
	    "privileged for this app)");
	free(y);
	y = service("    volumes: [\"/var/run/docker.sock:/var/run/docker.sock\"]\n");
	refused_unless(y, ALLOW_HOST_BINDS | ALLOW_PRIVILEGED,
	    "compose.yaml:2: service \"web\": \"volumes\" bind of "
	    "\"/var/run/docker.sock\" (the Docker socket) is not allowed here (an "
	    "operator can set allow = host-binds, privileged for this app)");
	free(y);
	/* paths as the pusher wrote them, never the server's release path */
	y = service("    volumes: [\"./link-out/passwd:/p:ro\"]\n");
	refused_unless(y, ALLOW_HOST_BINDS,
	    "compose.yaml:2: service \"web\": \"volumes\" bind of "
	    "\"./link-out/passwd\" (outside the release) is not allowed here "
	    "(an operator can set allow = host-binds for this app)");
	free(y);
	refused_unless("services:\n  web:\n    build: link-out\n",
	    ALLOW_HOST_BINDS, "compose.yaml:2: service \"web\": \"build.context\" "
	    "\"link-out\" (outside the release) is not allowed here (an "
	    "operator can set allow = host-binds for this app)");
	refused_unless("services:\n  web:\n    image: nginx\n    ports: "
	    "[\"80:80\"]\n", ALLOW_LOW_PORTS, "compose.yaml:2: service \"web\": "
	    "\"ports: 80:80\" (a host port below 1024) is not allowed here (an "
	    "operator can set allow = low-ports for this app)");
	refused_unless("services:\n  web:\n    image: x\n    ports: "
	    "[\"127.0.0.1:1000-1030:80\"]\n", ALLOW_LOW_PORTS, NULL);
	accepted("services:\n  web:\n    image: nginx\n    ports: [\"8080:80\", "
	    "\"127.0.0.1::81\", \"90\"]\n");
	/* another OCI runtime is the host's program; runc is the default */
	refused_unless("services:\n  web:\n    image: x\n    runtime: "
	    "io.containerd.wasmedge.v1\n", ALLOW_RUNTIME, "compose.yaml:2: service "
	    "\"web\": \"runtime: io.containerd.wasmedge.v1\" is not allowed here "
	    "(an operator can set allow = runtime for this app)");
	accepted("services:\n  web:\n    image: x\n    runtime: runc\n");
}

static void
test_privileged_devices(void **state)
{
	char *y;

	(void)state;
	y = service("    devices: [\"/dev/fuse:/dev/fuse\"]\n");
	refused_unless(y, ALLOW_PRIVILEGED, "compose.yaml:2: service \"web\": "
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
	    ALLOW_HOST_NETWORK, "compose.yaml:2: service \"web\": \"pid: host\" is "
	    "not allowed here (an operator can set allow = host-network for this "
	    "app)");
	/* A build's RUN steps on the host's network: the same word. */
	refused_unless("services:\n  web:\n    build:\n      context: .\n"
	    "      network: host\n", ALLOW_HOST_NETWORK, "compose.yaml:2: "
	    "service \"web\": \"build.network: host\" is not allowed here (an "
	    "operator can set allow = host-network for this app)");
	accepted("services:\n  web:\n    build:\n      context: .\n"
	    "      network: none\n");
	accepted("services:\n  web:\n    build:\n      context: .\n"
	    "      network: default\n");
	if (check("services:\n  web:\n    build:\n      context: .\n"
	    "      labels: {slipway.app: other}\n", ALL_BUT(0)) == 0)
		fail_msg("a build label slipway.app was accepted");
	assert_string_equal(error_last(), "compose.yaml:2: service \"web\": "
	    "\"build.labels: slipway.app\": the label is reserved (slipway "
	    "sets it)");

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
	    ALLOW_CAPS, "compose.yaml:2: service \"web\": \"cap_add: ALL\" is not "
	    "allowed here (an operator can set allow = caps for this app)");
}

static void
test_security_opt(void **state)
{
	static const char *const refused[] = {
		"seccomp=unconfined", "seccomp:unconfined", "seccomp=/tmp/p.json",
		"apparmor=unconfined", "apparmor:unconfined", "apparmor=custom",
		"label=disable", "label:disable", "label=type:spc_t",
		"systempaths=unconfined", "label=level:s0:c0.c1023",
		"label:user:unconfined_u", "label=role:unconfined_r",
		"no-new-privileges:false", "no-new-privileges=false",
	};
	static const char *const fine[] = {
		"no-new-privileges:true", "no-new-privileges",
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
		".:/app:ro",
		"./data:/data:ro",
		"./data/sub/../sub:/x:ro",
		"./link-in:/x:ro",               /* symlink that stays inside */
		"./link-in/sub:/x:ro",
		"./new/dir:/x",                  /* not in the commit: shared */
		"%s/release/data:/x:ro",
		"{type: bind, source: data, target: /x, read_only: true}",
		"{type: bind, source: untracked, target: /x}",
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
		"{driver: rexray}",
		"{driver_opts: {type: tmpfs, device: tmpfs, o: \"size=1m,bind\"}}",
		"{driver_opts: {type: tmpfs, device: tmpfs, o: \"addr=1.2.3.4\"}}",
		"{driver_opts: {type: cifs, device: //h/s}}",
		"{driver_opts: {type: tmpfs, device: tmpfs, mountpoint: /x}}",
	};
	static const char *const fine[] = {
		"{}",
		"{driver: local}",
		"{name: app_custom}",
		"{driver_opts: {type: tmpfs, device: tmpfs, o: \"size=64m\"}}",
		"{driver_opts: {type: tmpfs, device: tmpfs, o: \"size=1g,uid=1000\"}}",
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
	    ALLOW_HOST_VOLUMES, "compose.yaml:5: volume \"data\": "
	    "\"driver_opts.device: /dev/sda1\" is not allowed here (an operator "
	    "can set allow = host-volumes for this app)");
}

/* Tracked binds are read-only; untracked ones move to the shared dir. */
static void
test_binds_release_readonly(void **state)
{
	static const char *const writable[] = {
		".:/code", "./data:/data", "./data/sub:/x:rw", "./link-in:/x",
		"{type: bind, source: ., target: /code}",
	};
	struct compose_project *p = NULL;
	char *y, *want;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(writable); i++) {
		y = *writable[i] == '{' ?
		    xasprintf("services:\n  web:\n    image: x\n    volumes: "
		    "[%s]\n", writable[i]) :
		    xasprintf("services:\n  web:\n    image: x\n    volumes: "
		    "[\"%s\"]\n", writable[i]);
		assert_int_equal(compose_load_string(&p, y, strlen(y),
		    "compose.yaml", release, "app", NULL), 0);
		/* without binds_share, no allow word lifts the rule */
		if (policy_check(p, ALL_BUT(0)) == 0 || strstr(error_last(),
		    "must be read-only") == NULL)
			fail_msg("%s: %s", writable[i], error_last());
		/* binds_share mounts it read-only and says so once */
		assert_int_equal(binds_share(p, shared), 0);
		assert_int_equal(p->services[0].mounts[0].read_only, 1);
		assert_int_equal(p->services[0].mounts[0].shared, 0);
		assert_int_equal(p->warnings.n, 1);
		assert_non_null(strstr(p->warnings.v[0], "is mounted read-only"));
		assert_int_equal(policy_check(p, 0), 0);
		compose_free(p);
		p = NULL;
		free(y);
	}
	y = xstrdup("services:\n  web:\n    image: x\n    volumes: "
	    "[\".:/code\", \"./data:/d:ro\"]\n");
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(binds_share(p, shared), 0);
	assert_int_equal(p->warnings.n, 1);
	assert_string_equal(p->warnings.v[0], "compose.yaml: service \"web\": "
	    "\"volumes\" bind of \".\" is mounted read-only: it is in the "
	    "commit, and containers do not write the release (add \":ro\" to "
	    "say so; a path not in the commit is a persistent writable "
	    "directory)");
	compose_free(p);
	p = NULL;
	free(y);
	/* mount points inside a read-only release bind are made at create
	 * (the engine cannot): directories, a file for a file bind, none
	 * through a symlink */
	y = xstrdup("services:\n  web:\n    image: x\n    volumes: "
	    "[\".:/code\", \"/code/node_modules\", \"./store2:/code/store2\", "
	    "\"./inside.env:/code/etc/app.env:ro\", \"/code/link-out/x\", "
	    "\"./data:/d:ro\", \"/d/sub/deeper\"]\n");
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(binds_share(p, shared), 0);
	assert_int_equal(binds_verify(p, &p->services[0]), 0);
	{
		static const char *const dirs[] = {
			"node_modules", "store2", "etc", "data/sub/deeper",
		};
		struct stat st;
		size_t k;

		for (k = 0; k < ARRAY_SIZE(dirs); k++) {
			want = xasprintf("%s/%s", release, dirs[k]);
			if (!is_dir(want))
				fail_msg("no mount point %s", want);
			free(want);
		}
		want = xasprintf("%s/etc/app.env", release);
		assert_int_equal(lstat(want, &st), 0);
		assert_true(S_ISREG(st.st_mode));
		assert_int_equal(st.st_size, 0);
		unlink(want);
		free(want);
		assert_false(is_dir("/etc/x"));
		for (k = 0; k < ARRAY_SIZE(dirs); k++) {
			want = xasprintf("%s/%s", release, dirs[k]);
			rmdir(want);
			free(want);
		}
	}
	compose_free(p);
	p = NULL;
	free(y);
	/* untracked sources: one flat entry each, never nested */
	y = xstrdup("services:\n  web:\n    image: x\n    volumes: "
	    "[\"./store:/a\", \"./store/sub:/b\", \"./data/new:/c\"]\n");
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(binds_share(p, shared), 0);
	want = xasprintf("%s/store", shared);
	assert_string_equal(p->services[0].mounts[0].source, want);
	free(want);
	want = xasprintf("%s/store%%2Fsub", shared);
	assert_string_equal(p->services[0].mounts[1].source, want);
	free(want);
	want = xasprintf("%s/data%%2Fnew", shared);
	assert_string_equal(p->services[0].mounts[2].source, want);
	free(want);
	assert_string_equal(p->services[0].mounts[1].rel, "./store/sub");
	assert_int_equal(policy_check(p, 0), 0);
	/* created at create time, refused when an entry became a symlink */
	assert_int_equal(binds_verify(p, &p->services[0]), 0);
	want = xasprintf("%s/store", shared);
	assert_true(is_dir(want));
	assert_int_equal(remove_tree(want), 0);
	assert_int_equal(symlink("/var/run", want), 0);
	assert_int_equal(binds_verify(p, &p->services[0]), -1);
	assert_non_null(strstr(error_last(), "is not a directory"));
	unlink(want);
	free(want);
	compose_free(p);
	free(y);
	/* a tracked source swapped for a symlink out after the check */
	y = xstrdup("services:\n  web:\n    image: x\n    volumes: "
	    "[\"./swap:/a:ro\"]\n");
	want = xasprintf("%s/swap", release);
	assert_int_equal(mkdir(want, 0755), 0);
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(binds_share(p, shared), 0);
	assert_int_equal(p->services[0].mounts[0].shared, 0);
	assert_int_equal(policy_check(p, 0), 0);
	assert_int_equal(binds_verify(p, &p->services[0]), 0);
	assert_int_equal(rmdir(want), 0);
	assert_int_equal(symlink("/var/run", want), 0);
	assert_int_equal(binds_verify(p, &p->services[0]), -1);
	assert_string_equal(error_last(), "compose.yaml: service \"web\": "
	    "\"volumes\" bind of \"./swap\" no longer resolves inside the "
	    "release (a symlink leads out)");
	unlink(want);
	free(want);
	compose_free(p);
	free(y);
	want = binds_shared_name("a/b%c");
	assert_string_equal(want, "a%2Fb%25c");
	free(want);
}

static int
only_data_tracked(void *ctx, const char *rel)
{
	(void)ctx;
	return strcmp(rel, "data") == 0 || starts_with(rel, "data/");
}

/* Tracked means in the commit; data an old version left is adopted. */
static void
test_binds_adopt(void **state)
{
	struct binds_opts o = { NULL, only_data_tracked, NULL, { NULL, NULL } };
	struct compose_project *p = NULL;
	const char *y = "services:\n  web:\n    image: x\n    volumes: "
	    "[\"./olddata:/a\", \"./data/sub:/b:ro\"]\n";
	char *old = in_base("release/olddata"), *f, *moved;

	(void)state;
	o.shared_dir = shared;
	o.adopt[0] = release;
	assert_int_equal(mkdir_p(old, 0755), 0);
	f = path_join(old, "f");
	write_text(f, "kept\n");
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(binds_share_opts(p, &o), 0);
	assert_int_equal(p->services[0].mounts[0].shared, 1);
	assert_int_equal(p->services[0].mounts[1].shared, 0);
	moved = path_join(shared, "olddata/f");
	assert_true(path_exists(moved));
	assert_false(path_exists(old));
	assert_int_equal(policy_check(p, 0), 0);
	compose_free(p);
	free(moved);
	free(f);
	free(old);
}

static int
keep_tracked(void *ctx, const char *rel)
{
	(void)ctx;
	return strcmp(rel, "keep") == 0 ? 2 : 1;
}

/* A directory the commit keeps with a .gitkeep only is data: shared. */
static void
test_binds_placeholder(void **state)
{
	struct binds_opts o = { NULL, keep_tracked, NULL, { NULL, NULL } };
	struct compose_project *p = NULL;
	const char *y = "services:\n  web:\n    image: x\n    volumes: "
	    "[\"./keep:/k\", \"./data:/d\"]\n";
	char *dir = in_base("release/keep"), *f = path_join(dir, ".gitkeep");
	char *want = path_join(shared, "keep");

	(void)state;
	o.shared_dir = shared;
	o.adopt[0] = release;   /* never: the release's files are the commit's */
	assert_int_equal(mkdir_p(dir, 0755), 0);
	write_text(f, "");
	/* as git says */
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(binds_share_opts(p, &o), 0);
	assert_int_equal(p->services[0].mounts[0].shared, 1);
	assert_string_equal(p->services[0].mounts[0].source, want);
	assert_int_equal(p->services[0].mounts[1].shared, 0);
	assert_int_equal(p->services[0].mounts[1].read_only, 1);
	assert_int_equal(policy_check(p, 0), 0);
	assert_true(path_exists(f));
	assert_false(path_exists(want));
	compose_free(p);
	/* as the disk says, without git */
	p = NULL;
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(binds_share(p, shared), 0);
	assert_int_equal(p->services[0].mounts[0].shared, 1);
	assert_int_equal(p->services[0].mounts[1].shared, 0);
	compose_free(p);
	/* anything else in it makes it the commit's again */
	free(f);
	f = path_join(dir, "seed.sql");
	write_text(f, "x");
	p = NULL;
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(binds_share(p, shared), 0);
	assert_int_equal(p->services[0].mounts[0].shared, 0);
	assert_int_equal(p->services[0].mounts[0].read_only, 1);
	compose_free(p);
	assert_int_equal(remove_tree(dir), 0);
	free(want);
	free(f);
	free(dir);
}

/* A writable host bind may not hold another bind's source. */
static void
test_binds_nesting(void **state)
{
	(void)state;
	assert_int_equal(check("services:\n  a:\n    image: x\n    volumes: "
	    "[\"/srv/x:/x\"]\n  b:\n    image: x\n    volumes: "
	    "[\"/srv/x/sub:/y:ro\"]\n", ALLOW_HOST_BINDS), -1);
	assert_string_equal(error_last(), "compose.yaml:5: service \"b\": "
	    "\"volumes\" bind of \"/srv/x/sub\" lies inside \"/srv/x\", which "
	    "service \"a\" mounts writable (a container could redirect it)");
	/* read-only outer binds are fine, so are equal sources */
	assert_int_equal(check("services:\n  a:\n    image: x\n    volumes: "
	    "[\"/srv/x:/x:ro\"]\n  b:\n    image: x\n    volumes: "
	    "[\"/srv/x/sub:/y\", \"/srv/x/sub:/z\"]\n", ALLOW_HOST_BINDS), 0);
}

/* network_mode/pid/ipc/userns_mode: an allow-list of values. */
static void
test_namespaces_values(void **state)
{
	static const struct {
		const char *line;
		unsigned need;
	} cases[] = {
		{ "    network_mode: bridge\n", ALLOW_EXTERNAL_NETWORKS },
		{ "    network_mode: other_default\n", ALLOW_EXTERNAL_NETWORKS },
		{ "    network_mode: 3f2a9c\n", ALLOW_EXTERNAL_NETWORKS },
		{ "    network_mode: \" host\"\n", ALLOW_EXTERNAL_NETWORKS },
		{ "    pid: \"host \"\n", ALLOW_HOST_NETWORK },
		{ "    ipc: \"container:b-db-1\"\n", ALLOW_HOST_NETWORK },
		{ "    userns_mode: private\n", ALLOW_HOST_NETWORK },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *y = service(cases[i].line);

		refused_unless(y, cases[i].need, NULL);
		free(y);
	}
	accepted("services:\n  web:\n    image: x\n    ipc: none\n");
}

static void
test_container_name(void **state)
{
	static const char *const refused[] = {
		"b-web-1", "app", "app-", "appx-web", "other", "APP-web",
	};
	struct compose_project *p = NULL;
	static const char bad[] = "services:\n  web:\n    image: x\n"
	    "    container_name: \"app-web/x\"\n";
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		char *y = xasprintf("services:\n  web:\n    image: x\n"
		    "    container_name: \"%s\"\n", refused[i]);

		if (check(y, ALL_BUT(0)) == 0)
			fail_msg("container_name %s accepted", refused[i]);
		free(y);
	}
	assert_int_equal(check("services:\n  web:\n    image: x\n"
	    "    container_name: b-web-1\n", 0), -1);
	assert_string_equal(error_last(), "compose.yaml:2: service \"web\": "
	    "\"container_name: b-web-1\": container names of this app must "
	    "start with \"app-\"");
	accepted("services:\n  web:\n    image: x\n"
	    "    container_name: app-front\n");
	/* not a container name at all: the loader's, before any policy */
	assert_int_equal(compose_load_string(&p, bad, strlen(bad),
	    "compose.yaml", release, "app", NULL), -1);
	assert_string_equal(error_last(), "compose.yaml:4: service \"web\": "
	    "\"container_name: app-web/x\" is not a valid container name "
	    "([a-zA-Z0-9][a-zA-Z0-9_.-]+)");
	/* service: joins another service's namespaces, by ID at create */
	accepted("services:\n  x:\n    image: x\n    container_name: app-x\n"
	    "  web:\n    image: x\n    network_mode: service:x\n"
	    "    pid: service:x\n    ipc: service:x\n");
}

/*
 * Load yaml and run what a deploy runs: policy_own_names, then the checks.
 * The project is returned for a look at its names (NULL when refused).
 */
static struct compose_project *
own(const char *yaml, unsigned allow)
{
	struct compose_project *p = NULL;

	if (compose_load_string(&p, yaml, strlen(yaml), "compose.yaml", release,
	    "app", NULL) < 0)
		fail_msg("load: %s\n%s", error_last(), yaml);
	if (binds_share(p, shared) < 0 || policy_own_names(p, allow) < 0 ||
	    policy_check(p, allow) < 0) {
		compose_free(p);
		return NULL;
	}
	return p;
}

static int
warned(const struct compose_project *p, const char *text)
{
	size_t i;

	for (i = 0; i < p->warnings.n; i++) {
		if (strstr(p->warnings.v[i], text) != NULL)
			return 1;
	}
	return 0;
}

/* Names a file gives that are not the app's are put under its prefix. */
static void
test_own_names(void **state)
{
	struct compose_project *p;
	const struct compose_service *db;

	(void)state;
	p = own("services:\n  db:\n    image: x\n    container_name: es\n"
	    "    networks: [front]\n    volumes: [data:/d]\n"
	    "  web:\n    image: x\n    network_mode: bridge\n"
	    "    links: [db]\n"
	    "networks:\n  front: {name: microservices}\n"
	    "  ext: {external: true, name: shared}\n"
	    "volumes:\n  data: {name: myVolume}\n  keep: {name: app_keep}\n",
	    0);
	assert_null(p);         /* the external network is still refused */
	assert_non_null(strstr(error_last(), "external network \"shared\""));
	p = own("services:\n  db:\n    image: x\n    container_name: es\n"
	    "    networks: [front]\n    volumes: [data:/d, keep:/k]\n"
	    "  web:\n    image: x\n    network_mode: bridge\n"
	    "    links: [db]\n"
	    "networks:\n  front: {name: microservices}\n"
	    "volumes:\n  data: {name: myVolume}\n  keep: {name: app_keep}\n",
	    0);
	if (p == NULL)
		fail_msg("refused: %s", error_last());
	db = compose_service(p, "db");
	assert_string_equal(db->container_name, "app-es");
	assert_string_equal(db->container_alias, "es");
	assert_string_equal(compose_network(p, "front")->name,
	    "app_microservices");
	assert_string_equal(compose_volume(p, "data")->name, "app_myVolume");
	assert_string_equal(compose_volume(p, "keep")->name, "app_keep");
	assert_null(compose_service(p, "web")->network_mode);
	assert_non_null(compose_network(p, "default"));
	assert_true(warned(p, "compose.yaml: service \"db\": \"container_name: "
	    "es\" is created as \"app-es\""));
	assert_true(warned(p, "network \"front\": \"name: microservices\" is "
	    "created as \"app_microservices\""));
	assert_true(warned(p, "volume \"data\": \"name: myVolume\" is created "
	    "as \"app_myVolume\""));
	assert_true(warned(p, "\"network_mode: bridge\" joins the app's "
	    "default network"));
	assert_false(warned(p, "app_keep"));
	assert_int_equal(p->warnings.n, 4);
	compose_free(p);

	/* what an operator lifted keeps the name the file gives */
	p = own("services:\n  web:\n    image: x\n    network_mode: bridge\n"
	    "    volumes: [data:/d]\n"
	    "volumes:\n  data: {name: myVolume}\n",
	    ALLOW_EXTERNAL_NETWORKS | ALLOW_HOST_VOLUMES);
	if (p == NULL)
		fail_msg("refused: %s", error_last());
	assert_string_equal(compose_volume(p, "data")->name, "myVolume");
	assert_string_equal(compose_service(p, "web")->network_mode, "bridge");
	compose_free(p);

	/* two keys asking for one name share it, as in compose */
	p = own("services:\n  web:\n    image: x\n    volumes: [a:/a, b:/b]\n"
	    "volumes:\n  a: {name: v}\n  b: {name: v}\n", 0);
	if (p == NULL)
		fail_msg("refused: %s", error_last());
	assert_string_equal(compose_volume(p, "a")->name, "app_v");
	assert_string_equal(compose_volume(p, "b")->name, "app_v");
	compose_free(p);

	/* a name placed on another object's is refused */
	assert_null(own("services:\n  web:\n    image: x\n"
	    "    volumes: [a:/a, b:/b]\n"
	    "volumes:\n  a: {}\n  b: {name: a}\n", 0));
	assert_string_equal(error_last(), "compose.yaml:7: volume \"b\": "
	    "\"name: a\" would be \"app_a\", the name of volume \"a\"");
	assert_null(own("services:\n  web:\n    image: x\n"
	    "    networks: [a, b]\n"
	    "networks:\n  a: {name: app_x}\n  b: {name: x}\n", 0));
	assert_non_null(strstr(error_last(), "network \"b\": \"name: x\" "
	    "would be \"app_x\""));
	/* and a container_name on another service's container's */
	assert_null(own("services:\n  web:\n    image: x\n"
	    "  db:\n    image: x\n    container_name: web-1\n", 0));
	assert_string_equal(error_last(), "compose.yaml:4: service \"db\": "
	    "\"container_name: app-web-1\" is a name slipway gives containers "
	    "of service \"web\"");
	assert_null(own("services:\n  web:\n    image: x\n"
	    "  db:\n    image: x\n    container_name: app-web-12\n", 0));
	/* nor a one-off container's, of any service, its own included */
	assert_null(own("services:\n  web:\n    image: x\n"
	    "    container_name: web-run-1234\n", 0));
	assert_null(own("services:\n  web:\n    image: x\n"
	    "  db:\n    image: x\n    container_name: web-release-abc\n", 0));
	/* two names that end the same once placed */
	assert_null(own("services:\n  x:\n    image: x\n"
	    "    container_name: db\n  y:\n    image: x\n"
	    "    container_name: app-db\n", 0));
	assert_string_equal(error_last(), "compose.yaml:2: service \"x\": "
	    "\"container_name: app-db\" is service \"y\"'s too");
	/* a name under the prefix, even bare, is kept as written */
	p = own("services:\n  web:\n    image: x\n    volumes: [a:/a]\n"
	    "volumes:\n  a: {name: app_}\n", 0);
	assert_non_null(p);
	assert_string_equal(compose_volume(p, "a")->name, "app_");
	compose_free(p);
	/* a declared default network is the one bridge services join */
	p = own("services:\n  web:\n    image: x\n    network_mode: bridge\n"
	    "networks:\n  default: {internal: true}\n", 0);
	if (p == NULL)
		fail_msg("refused: %s", error_last());
	assert_true(compose_network(p, "default")->internal);
	compose_free(p);
	p = own("services:\n  web:\n    image: x\n    network_mode: bridge\n"
	    "networks:\n  default: {internal: true}\n",
	    ALLOW_EXTERNAL_NETWORKS);
	if (p == NULL)
		fail_msg("refused: %s", error_last());
	assert_null(compose_network(p, "default"));    /* none unused */
	compose_free(p);
	/* and its options are judged as any network's */
	assert_null(own("services:\n  web:\n    image: x\n"
	    "    network_mode: bridge\nnetworks:\n  default:\n"
	    "    driver_opts: {com.docker.network.bridge.name: eth0}\n", 0));
	p = own("services:\n  web:\n    image: x\n"
	    "  db:\n    image: x\n    container_name: web-x\n", 0);
	assert_non_null(p);
	compose_free(p);
}

static void
test_networks(void **state)
{
	static const struct {
		const char *def;
		unsigned need;
	} cases[] = {
		{ "{external: true, name: b_default}", ALLOW_EXTERNAL_NETWORKS },
		{ "{external: true}", ALLOW_EXTERNAL_NETWORKS },
		{ "{name: b_default}", ALLOW_EXTERNAL_NETWORKS },
		{ "{name: bridge}", ALLOW_EXTERNAL_NETWORKS },
		{ "{name: app_}", ALLOW_EXTERNAL_NETWORKS },
		{ "{external: true, name: host}",
		  ALLOW_EXTERNAL_NETWORKS | ALLOW_HOST_NETWORK },
		{ "{name: host}", ALLOW_EXTERNAL_NETWORKS | ALLOW_HOST_NETWORK },
		{ "{driver: macvlan}", ALLOW_NETWORK_DRIVERS },
		{ "{driver: ipvlan}", ALLOW_NETWORK_DRIVERS },
		{ "{driver_opts: {com.docker.network.bridge.name: eth0}}",
		  ALLOW_NETWORK_DRIVERS },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *y = xasprintf("services:\n  web:\n    image: x\n"
		    "    networks: [n]\nnetworks:\n  n: %s\n", cases[i].def);

		refused_unless(y, cases[i].need, NULL);
		free(y);
	}
	refused_unless("services:\n  web:\n    image: x\n    networks: [n]\n"
	    "networks:\n  n:\n    external: true\n    name: b_default\n",
	    ALLOW_EXTERNAL_NETWORKS, "compose.yaml:6: network \"n\": the external "
	    "network \"b_default\" is not allowed here (an operator can set "
	    "allow = external-networks for this app)");
	accepted("services:\n  web:\n    image: x\n    networks: [n]\n"
	    "networks:\n  n: {driver: bridge, name: app_front, internal: true}\n");
	accepted("services:\n  web:\n    image: x\n");
}

static void
test_sysctls_ulimits_logging(void **state)
{
	static const struct {
		const char *line;
		unsigned need;
	} cases[] = {
		{ "    sysctls: {kernel.core_pattern: \"|/x\"}\n", ALLOW_SYSCTLS },
		{ "    sysctls: {vm.overcommit_memory: 1}\n", ALLOW_SYSCTLS },
		{ "    sysctls: {kernel.domainname: x}\n", ALLOW_SYSCTLS },
		{ "    sysctls: {\"net.ipv4..x\": 1}\n", ALLOW_SYSCTLS },
		{ "    sysctls: {\" net.ipv4.ip_forward\": 1}\n", ALLOW_SYSCTLS },
		{ "    ulimits: {nofile: 999999999999}\n", ALLOW_ULIMITS },
		{ "    ulimits: {bogus: 1}\n", ALLOW_ULIMITS },
		{ "    logging: {driver: syslog, options: {syslog-address: "
		  "\"unix:///run/docker.sock\"}}\n", ALLOW_LOGGING },
		{ "    logging: {driver: gelf}\n", ALLOW_LOGGING },
		{ "    logging: {driver: fluentd}\n", ALLOW_LOGGING },
		{ "    logging: {driver: splunk}\n", ALLOW_LOGGING },
		{ "    logging: {driver: json-file, options: {fluentd-address: "
		  "x}}\n", ALLOW_LOGGING },
		{ "    security_opt: [\" seccomp=unconfined\"]\n",
		  ALLOW_SECURITY_OPT },
		{ "    security_opt: [\"seccomp = unconfined\"]\n",
		  ALLOW_SECURITY_OPT },
		{ "    security_opt: [\"no-new-privileges \"]\n",
		  ALLOW_SECURITY_OPT },
		{ "    security_opt: [\"Seccomp=unconfined\"]\n",
		  ALLOW_SECURITY_OPT },
	};
	static const char *const fine[] = {
		"    sysctls: {net.core.somaxconn: 1024, kernel.shmmax: 1}\n",
		"    sysctls: {net/ipv4/ip_unprivileged_port_start: 0}\n",
		"    sysctls: {fs.mqueue.msg_max: 100}\n",
		"    ulimits: {nofile: {soft: 64, hard: 64}, nproc: 10}\n",
		"    logging: {driver: json-file, options: {max-size: 10m}}\n",
		"    logging: {driver: local}\n",
		"    logging: {driver: none}\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *y = service(cases[i].line);

		refused_unless(y, cases[i].need, NULL);
		free(y);
	}
	for (i = 0; i < ARRAY_SIZE(fine); i++) {
		char *y = service(fine[i]);

		accepted(y);
		free(y);
	}
	/* net.* needs the container's own network namespace */
	refused_unless("services:\n  db:\n    image: x\n  web:\n    image: x\n"
	    "    network_mode: service:db\n    sysctls: {net.ipv4.ip_forward: 1}\n",
	    ALLOW_SYSCTLS, NULL);
}

/* Generated names must not fall in another app's ("app" vs "app-b"). */
static void
test_neighbours(void **state)
{
	struct compose_project *p = NULL;
	struct strv apps = STRV_INIT;
	const char *y = "services:\n  b-web:\n    image: x\n  web:\n    image: x\n";

	(void)state;
	strv_push(&apps, "app");
	strv_push(&apps, "app-b");
	strv_push(&apps, "other");
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(policy_check_neighbours(p, &apps), -1);
	assert_string_equal(error_last(), "compose.yaml:2: service \"b-web\": its "
	    "containers and images would be named \"app-b-web-...\", like those "
	    "of app \"app-b\" (rename the service)");
	compose_free(p);
	y = "services:\n  web:\n    image: x\n    container_name: app-b-x\n";
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(policy_check_neighbours(p, &apps), -1);
	compose_free(p);
	y = "services:\n  web:\n    build: .\n    image: app-b-web\n";
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(policy_check_neighbours(p, &apps), -1);
	compose_free(p);
	/* a build tagged in any other app's repositories */
	y = "services:\n  web:\n    build: .\n    image: other-web\n";
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(policy_check_neighbours(p, &apps), -1);
	assert_string_equal(error_last(), "compose.yaml:2: service \"web\": "
	    "\"image: other-web\" would tag a build in app \"other\"'s names");
	compose_free(p);
	/* build.tags, and any spelling the engine reads as the same name */
	y = "services:\n  web:\n    build:\n      context: .\n      tags: "
	    "[\"app-web:1\", \"other-web:latest\"]\n";
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(policy_check_neighbours(p, &apps), -1);
	assert_string_equal(error_last(), "compose.yaml:2: service \"web\": "
	    "\"build.tags: other-web:latest\" would tag a build in app "
	    "\"other\"'s names");
	compose_free(p);
	y = "services:\n  web:\n    build: .\n    image: "
	    "docker.io/library/other-web\n";
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(policy_check_neighbours(p, &apps), -1);
	compose_free(p);
	y = "services:\n  web:\n    build:\n      context: .\n      tags: "
	    "[\"index.docker.io/library/other-web:x\"]\n";
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(policy_check_neighbours(p, &apps), -1);
	compose_free(p);
	y = "services:\n  web:\n    build:\n      context: .\n      tags: "
	    "[\"registry.example.com/other-web:x\", \"app-web:2\"]\n";
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(policy_check_neighbours(p, &apps), 0);
	compose_free(p);
	/* an image-only service may not pull into another app's names */
	y = "services:\n  web:\n    image: other-web:latest\n";
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(policy_check_neighbours(p, &apps), -1);
	assert_string_equal(error_last(), "compose.yaml:2: service \"web\": "
	    "\"image: other-web:latest\" is in app \"other\"'s names (an app "
	    "runs only its own images, or ones no app names)");
	compose_free(p);
	y = "services:\n  web:\n    image: docker.io/library/other-db\n";
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(policy_check_neighbours(p, &apps), -1);
	compose_free(p);
	/* an image named like an app, not in its names: Docker Hub's "other" */
	y = "services:\n  web:\n    image: other:7\n  db:\n    image: "
	    "someone/other-web\n";
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	assert_int_equal(policy_check_neighbours(p, &apps), 0);
	compose_free(p);
	/* "app-bweb" is not in "app-b"'s names; without app-b all is fine */
	y = "services:\n  bweb:\n    image: x\n  b-web:\n    image: x\n";
	assert_int_equal(compose_load_string(&p, y, strlen(y), "compose.yaml",
	    release, "app", NULL), 0);
	strv_clear(&apps);
	strv_push(&apps, "app");
	strv_push(&apps, "ap");
	assert_int_equal(policy_check_neighbours(p, &apps), 0);
	compose_free(p);
	strv_clear(&apps);
}

/* Labels slipway and compose use to tell owners apart. */
static void
test_reserved_labels(void **state)
{
	static const char *const refused[] = {
		"services:\n  web:\n    image: x\n    labels: "
		"{com.docker.compose.project: b}\n",
		"services:\n  web:\n    image: x\n    labels: [slipway.app=b]\n",
		"services:\n  web:\n    image: x\n    volumes: [\"v:/v\"]\n"
		"volumes:\n  v: {labels: {com.docker.compose.project: b}}\n",
		"services:\n  web:\n    image: x\n    networks: [n]\n"
		"networks:\n  n: {labels: {Com.Docker.Compose.Project: b}}\n",
		"services:\n  web:\n    image: x\n    volumes: [\"v:/v\"]\n"
		"volumes:\n  v: {labels: {com.docker.stack.namespace: b}}\n",
		"services:\n  web:\n    image: x\n    networks: [n]\n"
		"networks:\n  n: {labels: {com.docker.stack.namespace: b}}\n",
		"services:\n  web:\n    image: x\n    labels: "
		"{com.docker.swarm.service.id: x}\n",
		/* the image's: retention finds the app's images by it */
		"services:\n  web:\n    build:\n      context: .\n"
		"      labels: {slipway.app: other}\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		if (check(refused[i], ALL_BUT(0)) == 0 ||
		    strstr(error_last(), "is reserved") == NULL)
			fail_msg("accepted: %s", refused[i]);
	}
}

/*
 * What reaches the host through a service's or a network's settings: a
 * negative oom_score_adj, tmpfs options beyond a tmpfs volume's, a port
 * range from 0, ipam beyond private ranges and the default driver.
 */
static void
test_host_reach(void **state)
{
	static const char *const private_ok[] = {
		"10.1.0.0/16", "172.20.0.0/16", "192.168.7.0/24", "fd00:1::/64",
	};
	static const char *const public_no[] = {
		"1.1.1.0/24", "172.32.0.0/16", "10.0.0.0/4", "169.254.169.0/24",
		"2001:db8::/64", "8.8.8.8/x",
	};
	size_t i;

	(void)state;
	refused_unless("services:\n  web:\n    image: x\n"
	    "    oom_score_adj: -1000\n", ALLOW_ULIMITS, "compose.yaml:2: "
	    "service \"web\": \"oom_score_adj: -1000\" (the kernel would kill "
	    "the host's processes first) is not allowed here (an operator can "
	    "set allow = ulimits for this app)");
	accepted("services:\n  web:\n    image: x\n    oom_score_adj: 500\n");
	if (check("services:\n  web:\n    image: x\n"
	    "    tmpfs: [\"/x:exec,uid=0,o=bind\"]\n", ALL_BUT(0)) == 0 ||
	    strstr(error_last(), "tmpfs options are") == NULL)
		fail_msg("tmpfs option o=bind accepted");
	accepted("services:\n  web:\n    image: x\n"
	    "    tmpfs: [\"/run:size=64m,mode=1777\", /tmp]\n");
	refused_unless("services:\n  web:\n    image: x\n"
	    "    ports: [\"127.0.0.1:0-80:80\"]\n", ALLOW_LOW_PORTS, NULL);
	accepted("services:\n  web:\n    image: x\n"
	    "    ports: [\"127.0.0.1:0:80\"]\n");
	for (i = 0; i < ARRAY_SIZE(private_ok); i++) {
		char *y = xasprintf("services:\n  web:\n    image: x\n"
		    "    networks: [n]\nnetworks:\n  n:\n    ipam:\n"
		    "      config: [{subnet: \"%s\"}]\n", private_ok[i]);

		accepted(y);
		free(y);
	}
	for (i = 0; i < ARRAY_SIZE(public_no); i++) {
		char *y = xasprintf("services:\n  web:\n    image: x\n"
		    "    networks: [n]\nnetworks:\n  n:\n    ipam:\n"
		    "      config: [{subnet: \"%s\"}]\n", public_no[i]);

		refused_unless(y, ALLOW_NETWORK_DRIVERS, NULL);
		free(y);
	}
	refused_unless("services:\n  web:\n    image: x\n    networks: [n]\n"
	    "networks:\n  n:\n    ipam:\n      config: [{subnet: "
	    "10.9.0.0/16, gateway: 169.254.169.254}]\n", ALLOW_NETWORK_DRIVERS,
	    "compose.yaml:6: network \"n\": \"ipam.config.gateway: "
	    "169.254.169.254\" (not a private address range) is not allowed "
	    "here (an operator can set allow = network-drivers for this app)");
	refused_unless("services:\n  web:\n    image: x\n    networks: [n]\n"
	    "networks:\n  n:\n    ipam: {driver: evil}\n",
	    ALLOW_NETWORK_DRIVERS, NULL);
	refused_unless("services:\n  web:\n    image: x\n    networks: [n]\n"
	    "networks:\n  n:\n    ipam:\n      config: [{subnet: 10.9.0.0/16,"
	    " aux_addresses: {h: 10.9.0.5}}]\n", ALLOW_NETWORK_DRIVERS, NULL);
}

/* A build named as Docker's Dockerfile frontend, by image: or build.tags. */
static void
test_frontend_names(void **state)
{
	static const char *const refused[] = {
		"services:\n  web:\n    build: .\n    image: docker/dockerfile:1\n",
		"services:\n  web:\n    build: .\n"
		"    image: docker.io/docker/dockerfile-upstream\n",
		"services:\n  web:\n    build:\n      context: .\n"
		"      tags: [\"index.docker.io/Docker/Dockerfile@sha256:0\"]\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(refused); i++) {
		if (check(refused[i], ALL_BUT(0)) == 0 ||
		    strstr(error_last(), "Dockerfile frontend") == NULL)
			fail_msg("accepted: %s", refused[i]);
	}
	accepted("services:\n  web:\n    build: .\n"
	    "    image: docker/dockerfile-lint:1\n");
	accepted("services:\n  web:\n    image: docker/dockerfile:1\n");
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
		cmocka_unit_test(test_binds_release_readonly),
		cmocka_unit_test(test_binds_nesting),
		cmocka_unit_test(test_binds_adopt),
		cmocka_unit_test(test_binds_placeholder),
		cmocka_unit_test(test_namespaces_values),
		cmocka_unit_test(test_container_name),
		cmocka_unit_test(test_frontend_names),
		cmocka_unit_test(test_host_reach),
		cmocka_unit_test(test_own_names),
		cmocka_unit_test(test_networks),
		cmocka_unit_test(test_sysctls_ulimits_logging),
		cmocka_unit_test(test_reserved_labels),
		cmocka_unit_test(test_neighbours),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
