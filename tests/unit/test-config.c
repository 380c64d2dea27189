/*
 * test-config.c - slipway.conf: defaults, every key, per-app permissions,
 * and errors that name file, line and key.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "lib/config.h"
#include "lib/util.h"

static char tmpdir[] = "/tmp/test-config-XXXXXX";
static char *conf; /* tmpdir/slipway.conf */
static char cwd[4096];

static int
setup(void **state)
{
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	conf = path_join(tmpdir, "slipway.conf");
	unsetenv("SLIPWAY_CONFIG");
	return 0;
}

static int
teardown(void **state)
{
	assert_int_equal(remove_tree(tmpdir), 0);
	free(conf);
	error_clear();
	return 0;
}

static void
write_conf(const char *text)
{
	assert_int_equal(write_file_atomic(conf, text, strlen(text), 0644), 0);
}

/* Load text from conf; return config_load's result. */
static int
load_text(struct config *cfg, const char *text)
{
	write_conf(text);
	return config_load(cfg, conf);
}

static void
assert_defaults(struct config *cfg)
{
	struct passwd *pw = getpwnam("git");

	assert_string_equal(cfg->repos_dir, "/srv/slipway/repos");
	assert_string_equal(cfg->state_dir, "/var/lib/slipway");
	assert_string_equal(cfg->docker_host, "unix:///var/run/docker.sock");
	assert_string_equal(cfg->branch, "main");
	assert_int_equal(cfg->health_timeout, 60);
	assert_int_equal(cfg->min_uptime, 3);
	assert_int_equal(cfg->keep_releases, 5);
	assert_int_equal(cfg->deploy_timeout, 1800);
	assert_null(cfg->default_app);
	assert_int_equal(cfg->atomic, 1);
	assert_int_equal(cfg->engine_retry, 60);
	assert_string_equal(cfg->default_restart, "unless-stopped");
	assert_string_equal(cfg->sites_dir, "/etc/nginx/conf.d");
	assert_string_equal(cfg->listen, "80");
	assert_string_equal(cfg->reload, "nginx -s reload");
	assert_string_equal(cfg->check, "nginx -t");
	/* The git user is looked up when the file is asked for, not before. */
	assert_null(cfg->authorized_keys);
	if (pw == NULL)
		assert_null(config_authorized_keys(cfg));
	else {
		char *want = path_join(pw->pw_dir, ".ssh/authorized_keys");

		assert_string_equal(config_authorized_keys(cfg), want);
		free(want);
	}
	assert_null(cfg->apps);
}

static void
test_empty_file(void **state)
{
	struct config cfg;
	char *real;

	assert_int_equal(load_text(&cfg, ""), 0);
	assert_defaults(&cfg);
	real = realpath(conf, NULL);
	assert_string_equal(cfg.path, real);
	free(real);
	config_dispose(&cfg);
	assert_null(cfg.path);
}

static void
test_every_key(void **state)
{
	struct config cfg;

	assert_int_equal(load_text(&cfg,
	    "; a comment\n"
	    "# another\n"
	    "[server]\n"
	    "repos_dir = /r\n"
	    "  state_dir=/s   \n"
	    "\tdocker_host = tcp://127.0.0.1:2375 ; inline comment\n"
	    "\n"
	    "[deploy] ; section comment\n"
	    "branch = production\n"
	    "health_timeout = 3600\n"
	    "min_uptime = 0\n"
	    "keep_releases = 1000\n"
	    "mode = atomic\n"
	    "engine_retry = 0\n"
	    "default_restart = no\n"
	    "[proxy]\r\n"
	    "sites_dir = /etc/nginx/sites-enabled\r\n"
	    "listen = 127.0.0.1:8080\r\n"
	    "reload = systemctl reload nginx\r\n"
	    "check = /usr/sbin/nginx -t\r\n"
	    "[ssh]\n"
	    "authorized_keys = /home/deploy/.ssh/authorized_keys"), 0);
	assert_string_equal(cfg.repos_dir, "/r");
	assert_string_equal(cfg.state_dir, "/s");
	assert_string_equal(cfg.docker_host, "tcp://127.0.0.1:2375");
	assert_string_equal(cfg.branch, "production");
	assert_int_equal(cfg.health_timeout, 3600);
	assert_int_equal(cfg.min_uptime, 0);
	assert_int_equal(cfg.keep_releases, 1000);
	assert_int_equal(cfg.atomic, 1);
	assert_int_equal(cfg.engine_retry, 0);
	assert_string_equal(cfg.default_restart, "no");
	assert_string_equal(cfg.sites_dir, "/etc/nginx/sites-enabled");
	assert_string_equal(cfg.listen, "127.0.0.1:8080");
	assert_string_equal(cfg.reload, "systemctl reload nginx");
	assert_string_equal(cfg.check, "/usr/sbin/nginx -t");
	assert_string_equal(config_authorized_keys(&cfg),
	    "/home/deploy/.ssh/authorized_keys");
	config_dispose(&cfg);

	/* A byte order mark before the first section. */
	assert_int_equal(load_text(&cfg, "\xef\xbb\xbf[deploy]\nbranch = bom\n"),
	    0);
	assert_string_equal(cfg.branch, "bom");
	config_dispose(&cfg);

	assert_int_equal(load_text(&cfg, "[deploy]\nmode = post-receive\n"
	    "[server]\ndocker_host = unix:///run/d.sock\n"), 0);
	assert_int_equal(cfg.atomic, 0);
	assert_string_equal(cfg.docker_host, "unix:///run/d.sock");
	config_dispose(&cfg);
}

static void
test_apps(void **state)
{
	struct config cfg;
	char *text, name[64];

	memset(name, 'x', 63);
	name[63] = '\0';
	/* A 63-character name is longer than inih's section buffer. */
	text = xasprintf("[app \"web\"]\nallow = host-binds, caps\n"
	    "[app \"db\"]\nallow=privileged,host-network,security-opt,"
	    "host-volumes\n"
	    "  [ app   \"empty\" ]  \n"
	    "[app \"none\"]\nallow =\n"
	    "[app \"%s\"]\nallow = caps\n", name);
	if (load_text(&cfg, text) != 0)
		fail_msg("%s", error_last());
	assert_int_equal(config_app_allow(&cfg, "web"),
	    ALLOW_HOST_BINDS | ALLOW_CAPS);
	assert_int_equal(config_app_allow(&cfg, "db"), ALLOW_PRIVILEGED |
	    ALLOW_HOST_NETWORK | ALLOW_SECURITY_OPT | ALLOW_HOST_VOLUMES);
	assert_int_equal(config_app_allow(&cfg, "empty"), 0);
	assert_int_equal(config_app_allow(&cfg, "none"), 0);
	assert_int_equal(config_app_allow(&cfg, name), ALLOW_CAPS);
	assert_int_equal(config_app_allow(&cfg, "other"), 0);
	assert_int_equal(config_app_allow(&cfg, "we"), 0);
	config_dispose(&cfg);
	free(text);
}

/* target: engine by default; [deploy] for every app, [app] for one. */
static void
test_target(void **state)
{
	struct config cfg;

	assert_int_equal(load_text(&cfg, "[app \"web\"]\ntarget = swarm\n"
	    "[app \"db\"]\nallow = caps\n"), 0);
	assert_int_equal(cfg.swarm, 0);
	assert_int_equal(config_app_swarm(&cfg, "web"), 1);
	assert_int_equal(config_app_swarm(&cfg, "db"), 0);
	assert_int_equal(config_app_swarm(&cfg, "other"), 0);
	config_dispose(&cfg);
	assert_int_equal(load_text(&cfg, "[deploy]\ntarget = swarm\n"
	    "[app \"web\"]\ntarget = engine\n[app \"db\"]\nallow = caps\n"),
	    0);
	assert_int_equal(config_app_swarm(&cfg, "web"), 0);
	assert_int_equal(config_app_swarm(&cfg, "db"), 1);
	assert_int_equal(config_app_swarm(&cfg, "other"), 1);
	config_dispose(&cfg);
}

static const struct {
	const char *text;
	const char *error; /* after "<conf>:" */
} bad[] = {
	{ "[registry]\npush = registry.example.com\n",
	  "2: [registry] \"push\" must be HOST[:PORT]/PREFIX (lowercase), not "
	  "\"registry.example.com\"" },
	{ "[registry]\npush = Reg.example.com/x\n",
	  "2: [registry] \"push\" must be HOST[:PORT]/PREFIX (lowercase), not "
	  "\"Reg.example.com/x\"" },
	{ "[registry]\npush = r:99999/x\n",
	  "2: [registry] \"push\" must be HOST[:PORT]/PREFIX (lowercase), not "
	  "\"r:99999/x\"" },
	{ "[registry]\npush_required = maybe\n",
	  "2: [registry] \"push_required\" must be \"yes\" or \"no\"" },
	{ "[registry \"r.example\"]\nusername = u\npassword = p\n",
	  "3: [registry \"r.example\"] unknown key \"password\"" },
	{ "[registry \"r.example\"]\npassword_file = pw\n",
	  "2: [registry \"r.example\"] \"password_file\" must be an absolute "
	  "path" },
	{ "[registry \"r.example\"]\n[registry \"r.example\"]\n",
	  "2: duplicate section [registry \"r.example\"]" },
	{ "[registry \"https://r.example\"]\n",
	  "1: \"https://r.example\" is not a registry host (HOST or HOST:PORT, "
	  "lowercase)" },
	{ "[registry r.example]\n",
	  "1: expected [registry \"HOST\"], not [registry r.example]" },
	{ "[deploy]\ntarget = cluster\n",
	  "2: [deploy] \"target\" must be \"engine\" or \"swarm\"" },
	{ "[app \"web\"]\ntarget = Swarm\n",
	  "2: [app \"web\"] \"target\" must be \"engine\" or \"swarm\"" },
	{ "[app \"web\"]\npush = x\n",
	  "2: [app \"web\"] \"push\" must be HOST[:PORT]/PREFIX (lowercase), "
	  "not \"x\"" },
	{ "[deploy]\nbranch = main\n\n; c\n\n\nbrnch = x\n",
	  "7: [deploy] unknown key \"brnch\"" },
	{ "[server]\n\n  repos_dir = srv/repos\n",
	  "3: [server] \"repos_dir\" must be an absolute path" },
	{ "[server]\nstate_dir =\n",
	  "2: [server] \"state_dir\" must be an absolute path" },
	{ "[proxy]\nsites_dir = ~/x\n",
	  "2: [proxy] \"sites_dir\" must be an absolute path" },
	{ "[ssh]\nauthorized_keys = keys\n",
	  "2: [ssh] \"authorized_keys\" must be an absolute path" },
	{ "[ssh]\nrepos_dir = /x\n",
	  "2: [ssh] unknown key \"repos_dir\"" },
	{ "repos_dir = /x\n",
	  "1: key \"repos_dir\" outside of any section" },
	{ "[servr]\nrepos_dir = /x\n", "1: unknown section [servr]" },
	{ "[deploy]\ndefault_restart = sometimes\n",
	  "2: [deploy] \"default_restart\" must be \"no\", \"always\", "
	  "\"unless-stopped\" or \"on-failure\"" },
	{ "[deploy]\nengine_retry = 3601\n",
	  "2: [deploy] \"engine_retry\" must be a number from 0 to 3600" },
	{ "[deploy]\n[extra]\n", "2: unknown section [extra]" },
	{ "[server\n", "1: expected \"[section]\"" },
	{ "[server] x\n", "1: unexpected text after \"[section]\"" },
	{ "[server]\nrepos_dir = /a\nrepos_dir = /b\n",
	  "3: [server] duplicate key \"repos_dir\"" },
	{ "[server]\ndocker_host = http://x:1\n",
	  "2: [server] \"docker_host\" must be unix:///path or tcp://host:port, "
	  "not \"http://x:1\"" },
	{ "[deploy]\nbranch = a..b\n",
	  "2: [deploy] \"branch\": invalid revision \"a..b\": it must not "
	  "contain \"..\"" },
	{ "[deploy]\nbranch = refs/heads/main\n",
	  "2: [deploy] \"branch\" must be a branch name such as \"main\", not "
	  "\"refs/heads/main\"" },
	{ "[deploy]\nbranch = -x\n",
	  "2: [deploy] \"branch\": invalid revision \"-x\": it must not start "
	  "with '-', '/' or '.'" },
	{ "[deploy]\nhealth_timeout = 0\n",
	  "2: [deploy] \"health_timeout\" must be a number from 1 to 3600" },
	{ "[deploy]\nhealth_timeout = 3601\n",
	  "2: [deploy] \"health_timeout\" must be a number from 1 to 3600" },
	{ "[deploy]\nmin_uptime = -1\n",
	  "2: [deploy] \"min_uptime\" must be a number from 0 to 600" },
	{ "[deploy]\nmin_uptime = 601\n",
	  "2: [deploy] \"min_uptime\" must be a number from 0 to 600" },
	{ "[deploy]\nkeep_releases = 0\n",
	  "2: [deploy] \"keep_releases\" must be a number from 1 to 1000" },
	{ "[deploy]\ntimeout = 5\n",
	  "2: [deploy] \"timeout\" must be a number from 10 to 86400" },
	{ "[proxy]\ndefault_app = ../x\n",
	  "2: [proxy] \"default_app\": invalid app name \"../x\": use lowercase "
	  "letters, digits and dashes, at most 63 characters" },
	{ "[deploy]\nkeep_releases = 5x\n",
	  "2: [deploy] \"keep_releases\" must be a number from 1 to 1000" },
	{ "[proxy]\nlisten = 65536\n",
	  "2: [proxy] \"listen\" must be PORT or ADDRESS:PORT, not \"65536\"" },
	{ "[proxy]\nlisten = 99999999999999999999999\n",
	  "2: [proxy] \"listen\" must be PORT or ADDRESS:PORT, not \"99999999999999999999999\"" },
	{ "[proxy]\nlisten = 1.2.3:80\n",
	  "2: [proxy] \"listen\" must be PORT or ADDRESS:PORT, not \"1.2.3:80\"" },
	{ "[proxy]\nlisten = 80 default_server\n",
	  "2: [proxy] \"listen\" must be PORT or ADDRESS:PORT, not \"80 default_server\"" },
	{ "[deploy]\nmode = pre-receive\n",
	  "2: [deploy] \"mode\" must be \"post-receive\" or \"atomic\"" },
	{ "[proxy]\nreload =\n", "2: [proxy] \"reload\" must not be empty" },
	{ "[proxy]\ncheck = ; nothing\n",
	  "2: [proxy] \"check\" must not be empty" },
	{ "[app \"web\"]\nallow = caps\n[app \"web\"]\n",
	  "3: duplicate section [app \"web\"]" },
	{ "[app \"Web\"]\n",
	  "1: invalid app name \"Web\": use lowercase letters, digits and "
	  "dashes, at most 63 characters" },
	{ "[app \"../x\"]\n", "1: invalid app name \"../x\": use lowercase "
	  "letters, digits and dashes, at most 63 characters" },
	{ "[app web]\n", "1: expected [app \"NAME\"], not [app web]" },
	{ "[app]\n", "1: expected [app \"NAME\"], not [app]" },
	{ "[app \"web\"]\nallow = caps, root\n",
	  "2: [app \"web\"] unknown \"allow\" value \"root\" (expected "
	  "one of privileged, host-binds, host-network, caps, security-opt, "
	  "host-volumes, external-networks, network-drivers, sysctls, ulimits, "
	  "logging, low-ports, runtime)" },
	{ "[app \"web\"]\nallow = caps,\n",
	  "2: [app \"web\"] unknown \"allow\" value \"\" (expected "
	  "one of privileged, host-binds, host-network, caps, security-opt, "
	  "host-volumes, external-networks, network-drivers, sysctls, ulimits, "
	  "logging, low-ports, runtime)" },
	{ "[app \"web\"]\nallow = caps\nallow = privileged\n",
	  "3: [app \"web\"] duplicate key \"allow\"" },
	{ "[app \"web\"]\nbranch = x\n", "2: [app \"web\"] unknown key \"branch\"" },
	{ "[notify]\nurl = ftp://x\n",
	  "2: [notify] \"url\" must be an http:// or https:// URL without blanks" },
	{ "[notify]\ntimeout = 0\n",
	  "2: [notify] \"timeout\" must be a number from 1 to 120" },
	{ "[notify]\nretries = 11\n",
	  "2: [notify] \"retries\" must be a number from 0 to 10" },
	{ "[notify]\nsecret = a\nsecret = b\n",
	  "3: [notify] duplicate key \"secret\"" },
	{ "[app \"web\"]\nnotify_url = http://a b/\n",
	  "2: [app \"web\"] \"notify_url\" must be an http:// or https:// URL "
	  "without blanks" },
	{ "[server]\njust some words\n",
	  "2: syntax error: expected \"[section]\" or \"key = value\"" },
	/* The first error wins, whoever finds it. */
	{ "[server]\nnonsense\nrepos_dir = x\n",
	  "2: syntax error: expected \"[section]\" or \"key = value\"" },
	{ "[server]\nrepos_dir = x\nnonsense\n",
	  "2: [server] \"repos_dir\" must be an absolute path" },
};

static void
test_errors(void **state)
{
	struct config cfg;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		char *want = xasprintf("%s:%s", conf, bad[i].error);

		if (load_text(&cfg, bad[i].text) != -1)
			fail_msg("case %zu accepted", i);
		if (strcmp(error_last(), want) != 0)
			fail_msg("case %zu:\n got  %s\n want %s", i,
			    error_last(), want);
		assert_null(cfg.path);
		config_dispose(&cfg);
		free(want);
	}
}

static void
test_docker_host(void **state)
{
	const char *good[] = { "unix:///var/run/docker.sock", "unix:///x",
	    "tcp://localhost:2375", "tcp://10.0.0.1:1", "tcp://[::1]:65535",
	    "tcp://my-host.example:2376" };
	const char *badv[] = { "unix://", "unix:///", "unix://rel/x",
	    "/var/run/docker.sock", "tcp://", "tcp://host", "tcp://host:",
	    "tcp://host:0", "tcp://host:65536", "tcp://:2375",
	    "tcp://host:2375/path", "tcp://a b:1", "tcp://[::1:1",
	    "tcp://h:1x", "ssh://host", "TCP://host:1" };
	struct config cfg;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		char *text = xasprintf("[server]\ndocker_host = %s\n", good[i]);

		if (load_text(&cfg, text) != 0)
			fail_msg("\"%s\" refused: %s", good[i], error_last());
		assert_string_equal(cfg.docker_host, good[i]);
		config_dispose(&cfg);
		free(text);
	}
	for (i = 0; i < ARRAY_SIZE(badv); i++) {
		char *text = xasprintf("[server]\ndocker_host = %s\n", badv[i]);

		if (load_text(&cfg, text) != -1)
			fail_msg("\"%s\" accepted", badv[i]);
		assert_non_null(strstr(error_last(), "\"docker_host\" must be"));
		config_dispose(&cfg);
		free(text);
	}
}

static void
test_long_line(void **state)
{
	struct config cfg;
	struct buf b = BUF_INIT;
	char *want;

	buf_adds(&b, "[server]\n; ok\nrepos_dir = /");
	while (b.len < 600)
		buf_adds(&b, "abcdefgh/");
	buf_adds(&b, "\n");
	assert_int_equal(load_text(&cfg, b.buf), -1);
	want = xasprintf("%s:3: line longer than", conf);
	assert_true(starts_with(error_last(), want));
	config_dispose(&cfg);
	free(want);

	/* 190 characters are fine. */
	buf_reset(&b);
	buf_adds(&b, "[server]\nrepos_dir = /");
	while (b.len < 9 + 190)
		buf_adds(&b, "a");
	assert_int_equal(load_text(&cfg, b.buf), 0);
	assert_int_equal(strlen(cfg.repos_dir), 190 - 12);
	config_dispose(&cfg);
	buf_release(&b);
}

static void
test_nul_byte(void **state)
{
	struct config cfg;
	char *want = xasprintf("%s: contains a NUL byte", conf);

	assert_int_equal(write_file_atomic(conf, "[server]\n\0x = 1\n", 16,
	    0644), 0);
	assert_int_equal(config_load(&cfg, conf), -1);
	assert_string_equal(error_last(), want);
	config_dispose(&cfg);
	free(want);
}

static void
test_tls(void **state)
{
	struct config cfg;

	/* Default: on, Let's Encrypt, 443. */
	assert_int_equal(load_text(&cfg, ""), 0);
	assert_int_equal(cfg.tls_enabled, 1);
	assert_string_equal(cfg.acme_directory,
	    "https://acme-v02.api.letsencrypt.org/directory");
	assert_null(cfg.acme_email);
	assert_string_equal(cfg.tls_listen, "443");
	assert_string_equal(cfg.acme_client, "uacme");
	assert_int_equal(cfg.acme_timeout, 60);
	assert_int_equal(config_app_tls(&cfg, "shop"), 1);
	config_dispose(&cfg);

	assert_int_equal(load_text(&cfg, "[tls]\nenabled = yes\n"
	    "acme_directory = https://127.0.0.1:14000/dir\n"
	    "email = ops@example.com\nlisten = 127.0.0.1:8443\n"
	    "client = /usr/bin/uacme\ntimeout = 5\n"
	    "[app \"intranet\"]\ntls = no\n[app \"shop\"]\nallow = caps\n"), 0);
	assert_string_equal(cfg.acme_directory, "https://127.0.0.1:14000/dir");
	assert_string_equal(cfg.acme_email, "ops@example.com");
	assert_string_equal(cfg.tls_listen, "127.0.0.1:8443");
	assert_string_equal(cfg.acme_client, "/usr/bin/uacme");
	assert_int_equal(cfg.acme_timeout, 5);
	assert_int_equal(config_app_tls(&cfg, "intranet"), 0);
	assert_int_equal(config_app_tls(&cfg, "shop"), 1);
	assert_int_equal(config_app_tls(&cfg, "other"), 1);
	config_dispose(&cfg);

	/* Off server-wide: an app cannot turn it back on. */
	assert_int_equal(load_text(&cfg, "[tls]\nenabled = no\n"
	    "[app \"shop\"]\ntls = yes\n"), 0);
	assert_int_equal(config_app_tls(&cfg, "shop"), 0);
	config_dispose(&cfg);

	assert_int_equal(load_text(&cfg, "[tls]\nenabled = maybe\n"), -1);
	assert_non_null(strstr(error_last(), ":2: [tls] \"enabled\" must be "
	    "\"yes\" or \"no\""));
	config_dispose(&cfg);
	assert_int_equal(load_text(&cfg, "[tls]\nacme_directory = "
	    "file:///etc/passwd\n"), -1);
	assert_non_null(strstr(error_last(), ":2: [tls] \"acme_directory\" "
	    "must be an http(s) URL"));
	config_dispose(&cfg);
	assert_int_equal(load_text(&cfg, "[tls]\nlisten = 99999\n"), -1);
	config_dispose(&cfg);
	assert_int_equal(load_text(&cfg, "[tls]\ntimeout = 1\n"), -1);
	config_dispose(&cfg);
	assert_int_equal(load_text(&cfg, "[app \"a\"]\ntls = on\n"), -1);
	config_dispose(&cfg);
}

static void
test_which_file(void **state)
{
	struct config cfg;
	char *missing = path_join(tmpdir, "missing.conf"), *real;

	/* A file named on the command line must exist. */
	assert_int_equal(config_load(&cfg, missing), -1);
	assert_non_null(strstr(error_last(), "missing.conf"));
	config_dispose(&cfg);

	/* The library never reads the environment: main() passes
	 * $SLIPWAY_CONFIG as the path (tests/e2e/t0002-bad-input.sh). */
	write_conf("[deploy]\nbranch = from-env\n");
	setenv("SLIPWAY_CONFIG", missing, 1);
	assert_int_equal(config_load(&cfg, conf), 0);
	assert_string_equal(cfg.branch, "from-env");
	real = realpath(conf, NULL);
	assert_string_equal(cfg.path, real);
	free(real);
	config_dispose(&cfg);
	unsetenv("SLIPWAY_CONFIG");

	/* A relative path is stored absolute. */
	assert_int_equal(chdir(tmpdir), 0);
	assert_int_equal(config_load(&cfg, "slipway.conf"), 0);
	real = realpath(conf, NULL);
	assert_string_equal(cfg.path, real);
	free(real);
	config_dispose(&cfg);
	assert_int_equal(chdir(cwd), 0);
	free(missing);
}

static void
test_default_missing(void **state)
{
	struct config cfg;

	if (path_exists(CONFIG_DEFAULT_PATH))
		skip();
	assert_int_equal(config_load(&cfg, NULL), 0);
	assert_null(cfg.path);
	assert_defaults(&cfg);
	config_dispose(&cfg);
}

static void
test_notify(void **state)
{
	struct config cfg;
	const struct config_app *a;

	if (load_text(&cfg, "[notify]\nurl = https://hooks.example/a\n"
	    "url = http://127.0.0.1:9/b?t=1\nsecret = s3\ntimeout = 7\n"
	    "retries = 0\n[app \"web\"]\nnotify_url = https://x.example/\n"
	    "notify_url = https://y.example/\nnotify_secret = app\n") != 0)
		fail_msg("%s", error_last());
	assert_int_equal(cfg.notify_urls.n, 2);
	assert_string_equal(cfg.notify_urls.v[0], "https://hooks.example/a");
	assert_string_equal(cfg.notify_urls.v[1], "http://127.0.0.1:9/b?t=1");
	assert_string_equal(cfg.notify_secret, "s3");
	assert_int_equal(cfg.notify_timeout, 7);
	assert_int_equal(cfg.notify_retries, 0);
	assert_non_null(a = config_app(&cfg, "web"));
	assert_null(config_app(&cfg, "api"));
	assert_int_equal(a->notify_urls.n, 2);
	assert_string_equal(a->notify_urls.v[1], "https://y.example/");
	assert_string_equal(a->notify_secret, "app");
	config_dispose(&cfg);
	/* Defaults: nothing to notify, 5 s, 3 retries. */
	assert_int_equal(load_text(&cfg, "[deploy]\nbranch = main\n"), 0);
	assert_int_equal(cfg.notify_urls.n, 0);
	assert_null(cfg.notify_secret);
	assert_int_equal(cfg.notify_timeout, 5);
	assert_int_equal(cfg.notify_retries, 3);
	config_dispose(&cfg);
}

static void
test_registry(void **state)
{
	const struct config_registry *r;
	struct config cfg;
	char *pwfile = path_join(tmpdir, "pw"), *pw = NULL, *text;

	text = xasprintf("[registry]\npush = 127.0.0.1:5000/ci/apps\n"
	    "push_required = no\n[registry \"127.0.0.1:5000\"]\n"
	    "username = ci\npassword_file = %s\n[app \"api\"]\n"
	    "push = registry.example.com/team\n", pwfile);
	assert_int_equal(load_text(&cfg, text), 0);
	assert_int_equal(cfg.push_required, 0);
	assert_string_equal(config_app_push(&cfg, "web"), "127.0.0.1:5000/ci/apps");
	assert_string_equal(config_app_push(&cfg, "api"),
	    "registry.example.com/team");
	assert_null(config_registry_find(&cfg, "registry.example.com"));
	r = config_registry_find(&cfg, "127.0.0.1:5000");
	assert_non_null(r);
	assert_string_equal(r->username, "ci");

	/* The password file: missing, too open, empty, then right. */
	assert_int_equal(config_registry_password(r, &pw), -1);
	assert_non_null(strstr(error_last(), "cannot open password_file"));
	assert_int_equal(write_file_atomic(pwfile, "s3cret\n", 7, 0640), 0);
	assert_int_equal(config_registry_password(r, &pw), -1);
	assert_non_null(strstr(error_last(), "is accessible to group or others "
	    "(mode 0640)"));
	assert_null(pw);
	assert_int_equal(write_file_atomic(pwfile, "\n", 1, 0600), 0);
	assert_int_equal(config_registry_password(r, &pw), -1);
	assert_non_null(strstr(error_last(), "is empty"));
	assert_int_equal(write_file_atomic(pwfile, "s3cret\r\n", 8, 0600), 0);
	assert_int_equal(config_registry_password(r, &pw), 0);
	assert_string_equal(pw, "s3cret");
	free(pw);
	config_dispose(&cfg);
	free(text);

	/* Defaults: no push, a failed push fails. */
	assert_int_equal(load_text(&cfg, "[registry]\n"), 0);
	assert_null(config_app_push(&cfg, "web"));
	assert_int_equal(cfg.push_required, 1);
	assert_null(cfg.registries);
	config_dispose(&cfg);
	free(pwfile);
}

static void
test_example_file(void **state)
{
	struct config cfg;

	/* The shipped example documents the defaults and changes nothing. */
	if (config_load(&cfg, "../../etc/slipway.conf") != 0)
		fail_msg("%s", error_last());
	assert_defaults(&cfg);
	assert_non_null(cfg.path);
	config_dispose(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_apps),
		cmocka_unit_test(test_target),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_docker_host),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_notify),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_default_missing),
		cmocka_unit_test(test_which_file),
		cmocka_unit_test(test_tls),
	};

	if (getcwd(cwd, sizeof cwd) == NULL)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
