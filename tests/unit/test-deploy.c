/*
 * test-deploy.c - the deploy pipeline (deploy_app) end to end against the
 * fake engine's simulator and a real bare git repository: a push deploys
 * and records current and the history; a push of what is live does nothing;
 * a release whose container cannot start rolls back to the live one, which
 * stays current, and the history says why.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "fake-engine.h"
#include "history/history.h"
#include "lib/config.h"
#include "lib/state.h"
#include "pipeline/deploy.h"

static char tmpdir[64];
static struct config cfg;
static struct deploy_opts opts;

/* Run a git command line (no shell); fail the test when it fails. */
static void PRINTF_LIKE(1, 2)
git(const char *fmt, ...)
{
	struct buf out = BUF_INIT;
	va_list ap;
	char *cmd;

	va_start(ap, fmt);
	cmd = xvasprintf(fmt, ap);
	va_end(ap);

	if (run_command(cmd, &out) != 0)
		fail_msg("%s: %s%s", cmd, out.buf, error_last());
	buf_release(&out);
	free(cmd);
}

/* Commit compose.yaml with text on main and push it; its id in commit. */
static void
push(const char *text, char commit[41])
{
	char *work = xasprintf("%s/work", tmpdir), *file;
	struct buf out = BUF_INIT;
	char *cmd;

	file = xasprintf("%s/compose.yaml", work);
	assert_int_equal(write_file_atomic(file, text, strlen(text), 0644), 0);
	git("git -C %s add compose.yaml", work);
	git("git -C %s -c user.name=t -c user.email=t@example.com commit -q "
	    "-m release", work);
	git("git -C %s push -q origin main", work);
	cmd = xasprintf("git -C %s rev-parse HEAD", work);
	assert_int_equal(run_command(cmd, &out), 0);
	buf_rtrim(&out);
	assert_int_equal(out.len, 40);
	memcpy(commit, out.buf, 41);
	buf_release(&out);
	free(cmd);
	free(file);
	free(work);
}

static int
setup(void **state)
{
	char *repo, *work;

	if (fake_setup(state) < 0)
		return -1;
	fake_sim_start();
	fake_sim_add_image("busybox:1", "sha256:1111");
	fake_sim_add_image("busybox:2", "sha256:2222");
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test-deploy.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	memset(&cfg, 0, sizeof cfg);
	cfg.repos_dir = xasprintf("%s/repos", tmpdir);
	cfg.state_dir = xasprintf("%s/state", tmpdir);
	cfg.docker_host = xstrdup(fk.host);
	cfg.branch = xstrdup("main");
	cfg.health_timeout = 5;
	cfg.min_uptime = 0;
	cfg.keep_releases = 5;
	memset(&opts, 0, sizeof opts);
	opts.kind = "push";
	repo = state_repo_path(&cfg, "dep");
	work = xasprintf("%s/work", tmpdir);
	git("git init -q --bare -b main %s", repo);
	git("git init -q -b main %s", work);
	git("git -C %s remote add origin %s", work, repo);
	free(work);
	free(repo);
	return 0;
}

static int
teardown(void **state)
{
	int rc = remove_tree(tmpdir);

	free(cfg.repos_dir);
	free(cfg.state_dir);
	free(cfg.docker_host);
	free(cfg.branch);
	return rc < 0 ? -1 : fake_teardown(state);
}

static char *
current(void)
{
	char *path = xasprintf("%s/apps/dep/current", cfg.state_dir);
	struct buf b = BUF_INIT;

	if (read_file(path, &b, 100) < 0) {
		free(path);
		return NULL;
	}
	free(path);
	buf_rtrim(&b);
	return buf_detach(&b, NULL);
}

static void
assert_history(size_t n, const char *status, const char *message_part)
{
	struct history *h = NULL;
	struct history_row *rows = NULL;
	size_t nrows = 0;

	assert_int_equal(history_open(&h, cfg.state_dir), 0);
	assert_int_equal(history_list(h, "dep", 0, &rows, &nrows), 0);
	assert_int_equal(nrows, n);
	assert_string_equal(rows[0].status, status);
	assert_non_null(rows[0].message);
	assert_non_null(strstr(rows[0].message, message_part));
	history_rows_free(rows, nrows);
	history_close(h);
}

static const char *v1 = "services:\n  web:\n    image: busybox:1\n";
static const char *v2 = "services:\n  web:\n    image: busybox:2\n";

/* A push deploys; the same push again does nothing. */
static void
test_deploy_and_skip(void **state)
{
	char c1[41], *cur;
	struct sim_container *c;
	size_t creates;

	push(v1, c1);
	assert_int_equal(deploy_app(&cfg, "dep", &opts), 0);
	c = fake_sim_container("dep-web-1");
	assert_non_null(c);
	assert_string_equal(c->state, "running");
	assert_string_equal(c->image, "sha256:1111");
	assert_string_equal(json_string_value(json_object_get(c->labels,
	    "slipway.commit")), c1);
	cur = current();
	assert_non_null(cur);
	assert_string_equal(cur, c1);
	free(cur);
	assert_history(1, "succeeded", "deployed");

	creates = fake_count("POST /containers/create");
	opts.skip_if_live = 1;
	assert_int_equal(deploy_app(&cfg, "dep", &opts), 0);
	opts.skip_if_live = 0;
	assert_int_equal(fake_count("POST /containers/create"), creates);
	assert_history(2, "succeeded", "already live");
}

/* A release that cannot start rolls back; current stays the live one. */
static void
test_failure_rolls_back(void **state)
{
	char c1[41], c2[41], *cur, *prev_path, *tmp;
	struct sim_container *c;

	push(v1, c1);
	assert_int_equal(deploy_app(&cfg, "dep", &opts), 0);
	push(v2, c2);
	/* The new container starts under its temporary name, the old one's
	 * ID prefix and its own; it is renamed once started. */
	c = fake_sim_container("dep-web-1");
	assert_non_null(c);
	tmp = xasprintf("POST /containers/%.12s_dep-web-1/start", c->id);
	fake_sim_fail(tmp, 1, 500, "port is already allocated");
	free(tmp);
	assert_int_equal(deploy_app(&cfg, "dep", &opts), -1);
	assert_non_null(strstr(error_last(), "port is already allocated"));
	assert_non_null(strstr(error_last(), "rolled back to"));
	c = fake_sim_container("dep-web-1");
	assert_non_null(c);
	assert_string_equal(c->image, "sha256:1111");
	assert_string_equal(c->state, "running");
	assert_int_equal(fake_sim_ncontainers(), 1);
	cur = current();
	assert_string_equal(cur, c1);
	free(cur);
	prev_path = xasprintf("%s/apps/dep/deploying", cfg.state_dir);
	assert_false(path_exists(prev_path));	/* the marker is gone */
	free(prev_path);
	assert_history(2, "failed", "rolled back to");

	/* The next good push goes live and c1 becomes previous. */
	assert_int_equal(deploy_app(&cfg, "dep", &opts), 0);
	cur = current();
	assert_string_equal(cur, c2);
	free(cur);
	assert_string_equal(fake_sim_container("dep-web-1")->image,
	    "sha256:2222");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deploy_and_skip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_failure_rolls_back, setup,
		    teardown),
	};
	int rc = cmocka_run_group_tests_name("deploy", tests, NULL, NULL);

	error_clear();
	return rc;
}
