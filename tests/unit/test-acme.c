/*
 * test-acme.c - certificate requests and imports against a fake uacme (a
 * script that records every run it overlaps, every account it creates, and
 * sleeps like a slow ACME server): two apps' first requests at once make one
 * account and two certificates, one after the other; an import waits for a
 * request in progress; a uacme that hangs after closing its output is
 * killed at [tls] timeout and leaves the lock free; a failed validation
 * names the ACME server's reason.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "proxy/acme.h"

/*
 * uacme's argv as acme.c passes it; `new` writes the account key, then
 * makes the account on the server (tls/server-account), or says it exists;
 * `issue` needs that account and writes a certificate for its first host. A
 * run that meets another run appends to tls/overlaps; each account made, to
 * tls/accounts; each issue run, to tls/issues.
 * FAKE_HANG: close the output and hang. FAKE_NEW_FAIL: `new` fails after
 * writing the key. FAKE_BADNONCE=N: the first N issue runs fail on a
 * refused nonce, as uacme says it after its own retries.
 */
static const char fake_uacme[] =
    "#!/bin/sh\n"
    "dir=\n"
    "while [ $# -gt 0 ]; do case $1 in\n"
    "  -c) dir=$2; shift 2;; -a|-h|-t) shift 2;; -*) shift;; *) break;;\n"
    "esac; done\n"
    "tls=$dir/..\n"
    "if [ -n \"${FAKE_HANG-}\" ]; then exec >/dev/null 2>&1; sleep 30; fi\n"
    "mkdir \"$tls/busy\" 2>/dev/null || echo overlap >>\"$tls/overlaps\"\n"
    "sleep 0.3\n"
    "case $1 in\n"
    "new) mkdir -p \"$dir/private\"; echo key >\"$dir/private/key.pem\"\n"
    "  if [ -n \"${FAKE_NEW_FAIL-}\" ]; then rmdir \"$tls/busy\"\n"
    "    echo 'uacme: failed to fetch directory' >&2; exit 2; fi\n"
    "  if [ -e \"$tls/server-account\" ]; then rmdir \"$tls/busy\"\n"
    "    echo 'uacme: Account already exists at https://acme.invalid/a/1' >&2\n"
    "    exit 2; fi\n"
    "  : >\"$tls/server-account\"; echo account >>\"$tls/accounts\";;\n"
    "issue) echo run >>\"$tls/issues\"\n"
    "  [ -e \"$tls/server-account\" ] || { echo \"uacme: no account "
    "associated with $dir/private/key.pem found at https://acme.invalid/dir."
    " Consider trying 'new'\" >&2; rmdir \"$tls/busy\"; exit 2; }\n"
    "  if [ \"$(wc -l <\"$tls/issues\")\" -le \"${FAKE_BADNONCE:-0}\" ]; then\n"
    "    rmdir \"$tls/busy\"; cat <<'EOF' >&2\n"
    "uacme: acme_post: server rejected nonce, retrying\n"
    "uacme: the server reported the following error:\n"
    "{\n"
    "    \"type\": \"urn:ietf:params:acme:error:badNonce\",\n"
    "    \"detail\": \"JWS has an invalid anti-replay nonce: x\",\n"
    "    \"status\": 400\n"
    "}\n"
    "uacme: failed to create new order at https://acme.invalid/order\n"
    "EOF\n"
    "  exit 2; fi\n"
    "  if [ -n \"${FAKE_FAIL-}\" ]; then rmdir \"$tls/busy\"; cat <<'EOF' >&2\n"
    "uacme: challenge https://acme.invalid/chal/1 failed with status invalid\n"
    "uacme: the server reported the following error:\n"
    "{\n"
    "    \"type\": \"urn:ietf:params:acme:error:unauthorized\",\n"
    "    \"detail\": \"http://h.test/t returned \\\"403\\\"\",\n"
    "    \"status\": 403\n"
    "}\n"
    "uacme: failed to authorize order at https://acme.invalid/order/1\n"
    "EOF\n"
    "  exit 2; fi\n"
    "  mkdir -p \"$dir/$2\" \"$dir/private/$2\"\n"
    "  echo cert >\"$dir/$2/cert.pem\"; echo key >\"$dir/private/$2/key.pem\";;\n"
    "esac\n"
    "rmdir \"$tls/busy\" 2>/dev/null\n"
    "exit 0\n";

struct world {
	char dir[64];
	struct config cfg;
};

static int
world_setup(void **state)
{
	struct world *w = xcalloc(1, sizeof *w);
	char *client;

	snprintf(w->dir, sizeof w->dir, "/tmp/slipway-acme-XXXXXX");
	if (mkdtemp(w->dir) == NULL)
		return -1;
	client = xasprintf("%s/uacme", w->dir);
	if (write_file_atomic(client, fake_uacme, strlen(fake_uacme),
	    0755) < 0)
		return -1;
	w->cfg.state_dir = xasprintf("%s/state", w->dir);
	w->cfg.acme_client = client;
	w->cfg.acme_directory = xstrdup("https://acme.invalid/dir");
	w->cfg.acme_timeout = 10;
	*state = w;
	return 0;
}

static int
world_teardown(void **state)
{
	struct world *w = *state;

	if (remove_tree(w->dir) < 0)
		error_clear();
	free(w->cfg.state_dir);
	free(w->cfg.acme_client);
	free(w->cfg.acme_directory);
	free(w);
	return 0;
}

static char *
world_path(struct world *w, const char *rest)
{
	return xasprintf("%s/state/tls/%s", w->dir, rest);
}

/* Count the lines of the world's file rest (0 when missing). */
static int
lines(struct world *w, const char *rest)
{
	char *p = world_path(w, rest);
	struct buf b = BUF_INIT;
	int n = 0;
	size_t i;

	if (read_file(p, &b, 1 << 16) == 0)
		for (i = 0; i < b.len; i++)
			n += b.buf[i] == '\n';
	error_clear();
	buf_release(&b);
	free(p);
	return n;
}

static void
remove_file(struct world *w, const char *rest)
{
	char *p = world_path(w, rest);

	assert_int_equal(unlink(p), 0);
	free(p);
}

static int
exists(struct world *w, const char *rest)
{
	char *p = world_path(w, rest);
	int r = path_exists(p);

	free(p);
	return r;
}

/* In a child: request a certificate for host of app; exit 0 on success. */
static pid_t
issue_in_child(struct world *w, const char *app, const char *host)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct strv hosts = STRV_INIT;

		strv_push(&hosts, host);
		_exit(acme_issue(&w->cfg, "/bin/true", app, &hosts, 0) == 0 ?
		    0 : 1);
	}
	return pid;
}

static int
child_status(pid_t pid)
{
	int st = -1;

	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void
test_two_first_requests_one_account(void **state)
{
	struct world *w = *state;
	pid_t a, b;

	a = issue_in_child(w, "shop", "shop.example.com");
	b = issue_in_child(w, "blog", "blog.example.com");
	assert_true(a > 0 && b > 0);
	assert_int_equal(child_status(a), 0);
	assert_int_equal(child_status(b), 0);
	assert_int_equal(lines(w, "overlaps"), 0);
	assert_int_equal(lines(w, "accounts"), 1);
	assert_true(exists(w, "acme/shop.example.com/cert.pem"));
	assert_true(exists(w, "acme/private/blog.example.com/key.pem"));
	assert_int_equal(lines(w, "acme/shop.example.com/app"), 1);
	assert_int_equal(lines(w, "acme/blog.example.com/hosts"), 1);
}

/* A self-signed certificate and its key for host, in PEM. */
static void
make_cert(struct world *w, const char *host, struct buf *cert,
    struct buf *key)
{
	char *cmd = xasprintf("openssl req -x509 -newkey ec -pkeyopt "
	    "ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=%s "
	    "-addext subjectAltName=DNS:%s -keyout %s/k.pem -out %s/c.pem",
	    host, host, w->dir, w->dir);
	char *c = xasprintf("%s/c.pem", w->dir), *k = xasprintf("%s/k.pem",
	    w->dir);
	struct buf out = BUF_INIT;

	assert_int_equal(run_command(cmd, &out), 0);
	buf_release(&out);
	assert_int_equal(read_file(c, cert, 1 << 16), 0);
	assert_int_equal(read_file(k, key, 1 << 16), 0);
	free(cmd);
	free(c);
	free(k);
}

static void
test_import_waits_for_request(void **state)
{
	struct world *w = *state;
	struct buf cert = BUF_INIT, key = BUF_INIT;
	struct strv hosts = STRV_INIT;
	pid_t a;
	int n;

	make_cert(w, "static.example.com", &cert, &key);
	strv_push(&hosts, "static.example.com");
	a = issue_in_child(w, "shop", "shop.example.com");
	assert_true(a > 0);
	/* The request has begun (its uacme new sleeps 0.3 s, issue too). */
	for (n = 0; !exists(w, "busy") && n < 500; n++)
		sleep_ms(10);
	assert_true(exists(w, "busy"));
	assert_int_equal(acme_import(&w->cfg, "static", &hosts, cert.buf,
	    key.buf), 0);
	/* Without the lock the import ends first, in a few milliseconds. */
	assert_true(exists(w, "acme/shop.example.com/app"));
	assert_int_equal(child_status(a), 0);
	assert_true(exists(w, "acme/static.example.com/imported"));
	assert_true(exists(w, "acme/private/static.example.com/key.pem"));
	assert_int_equal(lines(w, "overlaps"), 0);
	strv_clear(&hosts);
	buf_release(&cert);
	buf_release(&key);
}

/* app destroy's removal waits for the app's request in progress: no
 * certificate written after it. */
static void
test_remove_waits_for_request(void **state)
{
	struct world *w = *state;
	pid_t a;
	int n;

	a = issue_in_child(w, "shop", "shop.example.com");
	assert_true(a > 0);
	for (n = 0; !exists(w, "busy") && n < 500; n++)
		sleep_ms(10);
	assert_true(exists(w, "busy"));
	assert_int_equal(acme_remove_app(&w->cfg, "shop"), 0);
	assert_int_equal(child_status(a), 0);
	/* Without the lock the removal finds nothing yet and the request
	 * writes its certificate afterwards. */
	assert_false(exists(w, "acme/shop.example.com/app"));
	assert_false(exists(w, "acme/private/shop.example.com/key.pem"));
}

static void
test_hung_client_killed_lock_freed(void **state)
{
	struct world *w = *state;
	struct strv hosts = STRV_INIT;
	long long t0 = now_ms();

	/* A uacme that closes its output and hangs: the old code waited for
	 * it without a deadline once the output was closed. */
	alarm(20);
	w->cfg.acme_timeout = 1;
	strv_push(&hosts, "shop.example.com");
	setenv("FAKE_HANG", "1", 1);
	assert_int_equal(acme_issue(&w->cfg, "/bin/true", "shop", &hosts, 0),
	    -1);
	unsetenv("FAKE_HANG");
	assert_non_null(strstr(error_last(), "timed out after 1 s"));
	error_clear();
	assert_true(now_ms() - t0 < 5000);
	/* The lock went with it: the next request goes through at once. */
	w->cfg.acme_timeout = 10;
	assert_int_equal(acme_issue(&w->cfg, "/bin/true", "shop", &hosts, 0),
	    0);
	assert_true(exists(w, "acme/shop.example.com/cert.pem"));
	alarm(0);
	strv_clear(&hosts);
}

static void
test_failure_names_server_reason(void **state)
{
	struct world *w = *state;
	struct strv hosts = STRV_INIT;

	strv_push(&hosts, "h.test");
	setenv("FAKE_FAIL", "1", 1);
	assert_int_equal(acme_issue(&w->cfg, "/bin/true", "shop", &hosts, 0),
	    -1);
	unsetenv("FAKE_FAIL");
	assert_string_equal(error_last(), "uacme issue failed (exit 2): uacme: "
	    "failed to authorize order at https://acme.invalid/order/1: "
	    "http://h.test/t returned \\\"403\\\"");
	error_clear();
	assert_false(exists(w, "acme/h.test"));
	strv_clear(&hosts);
}

/* A refused nonce is tried again as a new order, three runs at most. */
static void
test_refused_nonce_tried_again(void **state)
{
	struct world *w = *state;
	struct strv hosts = STRV_INIT;

	strv_push(&hosts, "n.test");
	setenv("FAKE_BADNONCE", "2", 1);
	assert_int_equal(acme_issue(&w->cfg, "/bin/true", "shop", &hosts, 0),
	    0);
	assert_int_equal(lines(w, "issues"), 3);
	assert_true(exists(w, "acme/n.test/cert.pem"));

	setenv("FAKE_BADNONCE", "10", 1);
	assert_int_equal(acme_issue(&w->cfg, "/bin/true", "shop", &hosts, 1),
	    -1);
	unsetenv("FAKE_BADNONCE");
	assert_string_equal(error_last(), "uacme issue failed (exit 2): uacme: "
	    "failed to create new order at https://acme.invalid/order: "
	    "JWS has an invalid anti-replay nonce: x");
	error_clear();
	assert_int_equal(lines(w, "issues"), 6);
	strv_clear(&hosts);
}

/*
 * A `new` that failed after writing the key does not leave the server
 * without an account for good: the next request makes it. A key whose
 * account exists (made before .account was kept) is taken as it is.
 */
static void
test_account_made_after_failed_new(void **state)
{
	struct world *w = *state;
	struct strv hosts = STRV_INIT;

	strv_push(&hosts, "k.test");
	setenv("FAKE_NEW_FAIL", "1", 1);
	assert_int_equal(acme_issue(&w->cfg, "/bin/true", "shop", &hosts, 0),
	    -1);
	unsetenv("FAKE_NEW_FAIL");
	error_clear();
	assert_true(exists(w, "acme/private/key.pem"));
	assert_false(exists(w, "acme/.account"));
	assert_int_equal(lines(w, "issues"), 0);

	assert_int_equal(acme_issue(&w->cfg, "/bin/true", "shop", &hosts, 0),
	    0);
	assert_int_equal(lines(w, "accounts"), 1);
	assert_true(exists(w, "acme/k.test/cert.pem"));

	/* An install from before .account: the account is found, not made. */
	remove_file(w, "acme/.account");
	assert_int_equal(acme_issue(&w->cfg, "/bin/true", "shop", &hosts, 1),
	    0);
	assert_int_equal(lines(w, "accounts"), 1);
	assert_true(exists(w, "acme/.account"));

	/* The server forgets it: that request fails, the next makes it. */
	remove_file(w, "server-account");
	assert_int_equal(acme_issue(&w->cfg, "/bin/true", "shop", &hosts, 1),
	    -1);
	assert_non_null(strstr(error_last(), "no account associated with"));
	error_clear();
	assert_false(exists(w, "acme/.account"));
	assert_int_equal(acme_issue(&w->cfg, "/bin/true", "shop", &hosts, 1),
	    0);
	assert_int_equal(lines(w, "accounts"), 2);

	/* Another server in the config: an account there too. */
	free(w->cfg.acme_directory);
	w->cfg.acme_directory = xstrdup("https://other.invalid/dir");
	remove_file(w, "server-account");
	assert_int_equal(acme_issue(&w->cfg, "/bin/true", "shop", &hosts, 1),
	    0);
	assert_int_equal(lines(w, "accounts"), 3);
	{
		char *p = world_path(w, "acme/.account");
		struct buf b = BUF_INIT;

		assert_int_equal(read_file(p, &b, 4096), 0);
		assert_string_equal(b.buf, "https://other.invalid/dir\n");
		buf_release(&b);
		free(p);
	}
	strv_clear(&hosts);
}

/* The runs after a refused nonce fit in [tls] timeout: none starts late. */
static void
test_refused_nonce_within_timeout(void **state)
{
	struct world *w = *state;
	struct strv hosts = STRV_INIT;

	strv_push(&hosts, "t.test");
	w->cfg.acme_timeout = 1;    /* each fake run takes 0.3 s */
	setenv("FAKE_BADNONCE", "10", 1);
	assert_int_equal(acme_issue(&w->cfg, "/bin/true", "shop", &hosts, 0),
	    -1);
	unsetenv("FAKE_BADNONCE");
	error_clear();
	assert_int_equal(lines(w, "issues"), 1);
	strv_clear(&hosts);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define WORLD(t) cmocka_unit_test_setup_teardown(t, world_setup, world_teardown)
		WORLD(test_two_first_requests_one_account),
		WORLD(test_remove_waits_for_request),
		WORLD(test_import_waits_for_request),
		WORLD(test_hung_client_killed_lock_freed),
		WORLD(test_failure_names_server_reason),
		WORLD(test_refused_nonce_tried_again),
		WORLD(test_account_made_after_failed_new),
		WORLD(test_refused_nonce_within_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
