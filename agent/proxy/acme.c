/*
 * acme.c - certificates for http hosts: uacme (the ACME client from the
 * distribution) runs as an argv, never through a shell, in its own process
 * group, killed when [tls] timeout passes; openssl reads certificates. One
 * request or import at a time on the server (tls/acme/.lock).
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "proxy/acme.h"

#define OUTPUT_MAX (64u << 10)

extern char **environ;

/*
 * Run argv (argv[0] a path or a name in PATH) with env_add ("NAME=VALUE" or
 * NULL) added to the environment, output capped; kill its process group
 * after timeout_ms. The exit status, or -1 with error_set.
 */
static int
run_argv(char *const *argv, const char *env_add, long timeout_ms,
    struct buf *output)
{
	int fds[2], null, status = 0, rc = -1;
	long long deadline = now_ms() + timeout_ms;
	char chunk[4096];
	pid_t pid;

	if (output->max == 0)
		output->max = OUTPUT_MAX;
	if ((null = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		return error_set("cannot open \"/dev/null\": %s", strerror(errno));
	if (pipe2(fds, O_CLOEXEC) < 0) {
		close(null);
		return error_set("cannot run \"%s\": %s", argv[0], strerror(errno));
	}
	if ((pid = fork()) < 0) {
		close(null), close(fds[0]), close(fds[1]);
		return error_set("cannot run \"%s\": %s", argv[0], strerror(errno));
	}
	if (pid == 0) {
		signals_reset();
		setpgid(0, 0);
		if (dup2(null, 0) < 0 || dup2(fds[1], 1) < 0 ||
		    dup2(fds[1], 2) < 0)
			_exit(127);
		if (env_add != NULL)
			putenv((char *)env_add);
		execvp(argv[0], argv);
		_exit(127);
	}
	setpgid(pid, pid);
	close(null);
	close(fds[1]);
	for (;;) {
		struct pollfd pfd = { fds[0], POLLIN, 0 };
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			error_set("\"%s\" timed out after %ld s", argv[0],
			    timeout_ms / 1000);
			status = -1;
			break;
		}
		if (poll(&pfd, 1, (int)(left > 1000 ? 1000 : left)) < 0 &&
		    errno != EINTR)
			break;
		if (!(pfd.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(fds[0], chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf_add(output, chunk, (size_t)n);
	}
	close(fds[0]);
	/* Its output closed is not its end: the deadline holds until then. */
	while (status == 0) {
		pid_t r = waitpid(pid, &rc, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return error_set("cannot wait for \"%s\": %s", argv[0],
			    strerror(errno));
		if (r == 0 && now_ms() >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			error_set("\"%s\" timed out after %ld s", argv[0],
			    timeout_ms / 1000);
			status = -1;
		} else if (r == 0)
			sleep_ms(50);
	}
	if (status < 0)
		while (waitpid(pid, &rc, 0) < 0 && errno == EINTR)
			;
	if (status < 0)
		return -1;
	if (WIFEXITED(rc))
		return WEXITSTATUS(rc);
	return error_set("\"%s\" died of signal %d", argv[0], WTERMSIG(rc));
}

static char *
tls_path(const struct config *cfg, const char *rest)
{
	return xasprintf("%s/tls/%s", cfg->state_dir, rest);
}

char *
acme_challenge_dir(const struct config *cfg)
{
	return tls_path(cfg, "challenges");
}


/* The hosts a certificate can be issued for: lowercase, sorted, unique. */
static void
cert_set(const struct strv *hosts, struct strv *out)
{
	size_t i;

	for (i = 0; i < hosts->n; i++) {
		char *h = xstrdup(hosts->v[i]), *p;

		for (p = h; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		if (strchr(h, '*') != NULL || h[0] == '.' ||
		    strv_contains(out, h) ||
		    strspn(h, "abcdefghijklmnopqrstuvwxyz0123456789.-") !=
		    strlen(h))
			free(h);
		else
			strv_push_owned(out, h);
	}
	strv_sort(out);
}

/* Read lines of path into out; missing file: nothing. */
static void
read_lines(const char *path, struct strv *out)
{
	struct buf b = BUF_INIT;
	char *p, *nl;

	if (read_file(path, &b, 1 << 16) < 0) {
		error_clear();
		return;
	}
	for (p = b.buf; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p) - 1;
		else
			*nl = '\0';
		if (*p != '\0')
			strv_push(out, p);
		if (nl[1] == '\0')
			break;
	}
	buf_release(&b);
}

static void
cert_load(const struct config *cfg, const char *name, struct acme_cert *c)
{
	char *dir = tls_path(cfg, "acme"), *p;
	struct strv app = STRV_INIT;

	memset(c, 0, sizeof *c);
	c->name = xstrdup(name);
	c->cert = xasprintf("%s/%s/cert.pem", dir, name);
	c->key = xasprintf("%s/private/%s/key.pem", dir, name);
	p = xasprintf("%s/%s/hosts", dir, name);
	read_lines(p, &c->hosts);
	free(p);
	p = xasprintf("%s/%s/app", dir, name);
	read_lines(p, &app);
	c->app = xstrdup(app.n ? app.v[0] : "");
	free(p);
	p = xasprintf("%s/%s/imported", dir, name);
	c->imported = path_exists(p);
	free(p);
	strv_clear(&app);
	free(dir);
}

void
acme_cert_dispose(struct acme_cert *c)
{
	free(c->name);
	free(c->app);
	strv_clear(&c->hosts);
	free(c->cert);
	free(c->key);
	memset(c, 0, sizeof *c);
}

static int
same_set(const struct strv *a, const struct strv *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

int
acme_cert_find(const struct config *cfg, const struct strv *hosts,
    struct acme_cert *c)
{
	struct strv set = STRV_INIT;
	int found = 0;

	memset(c, 0, sizeof *c);
	cert_set(hosts, &set);
	if (set.n == 0)
		goto done;
	cert_load(cfg, set.v[0], c);
	found = same_set(&set, &c->hosts) && path_exists(c->cert) &&
	    path_exists(c->key);
	if (!found)
		acme_cert_dispose(c);
done:
	strv_clear(&set);
	return found;
}

/*
 * The line of uacme's output that says what failed (its last error), and
 * the ACME server's reason when it gave one (the last "detail" of the
 * problem documents uacme prints): "failed to authorize order" alone does
 * not tell a name that does not resolve from a challenge answered 404.
 */
static void
error_from(const char *what, struct buf *out, int status)
{
	char *line = NULL, *detail = NULL, *p, *nl;

	buf_rtrim(out);
	for (p = out->buf; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		p += strspn(p, " \t");
		if (starts_with(p, "\"detail\": \"")) {
			char *q;

			detail = p + strlen("\"detail\": \"");
			for (q = detail; *q != '\0' && (*q != '"' ||
			    (q > detail && q[-1] == '\\')); q++)
				;
			*q = '\0';
		} else if (strstr(p, "failed") != NULL ||
		    strstr(p, "rror") != NULL || line == NULL)
			line = p;
		if (nl == NULL)
			break;
	}
	error_set("%s failed (exit %d): %.300s%s%.300s", what, status,
	    line && *line ? line : "no output", detail ? ": " : "",
	    detail ? detail : "");
}

/*
 * Run the ACME client until it ends other than on a rejected nonce, at most
 * ACME_RUNS times within timeout_ms in all. uacme retries one request
 * whose nonce the server refused (RFC 8555 6.5) twice; a server that
 * refuses three in a row (pebble refuses 5% of nonces at random by default)
 * fails the whole order, and a new order is then the client's next step.
 * The exit status, or -1 with error_set.
 */
#define ACME_RUNS 3
static int
run_client(const char *what, char *const *argv, const char *env,
    long timeout_ms, struct buf *out)
{
	long long deadline = now_ms() + timeout_ms;
	int run, status = -1;

	for (run = 1; run <= ACME_RUNS; run++) {
		long long left = deadline - now_ms();

		if (run > 1 && left < 1000)
			break;
		buf_reset(out);
		status = run_argv(argv, env, run == 1 ? timeout_ms : (long)left,
		    out);
		if (status <= 0 || status == 1 || out->buf == NULL ||
		    strstr(out->buf, "urn:ietf:params:acme:error:badNonce") ==
		    NULL || run == ACME_RUNS)
			break;
		out_info("       %s: the ACME server refused a nonce, trying "
		    "again", what);
	}
	return status;
}

/* Write text to dir/name with mode; 0 or -1. */
static int
put(const char *dir, const char *name, const char *text, mode_t mode)
{
	char *p = path_join(dir, name);
	int rc = write_file_atomic(p, text, strlen(text), mode);

	free(p);
	return rc;
}

/* Record the set and its owner next to the certificate. */
static int
record(const struct config *cfg, const char *app, const struct strv *set,
    int imported)
{
	char *acme = tls_path(cfg, "acme");
	char *dir = path_join(acme, set->v[0]);
	struct buf b = BUF_INIT;
	size_t i;
	int rc = -1;

	for (i = 0; i < set->n; i++)
		buf_addf(&b, "%s\n", set->v[i]);
	if (mkdir_p(dir, 0755) < 0 || put(dir, "hosts", b.buf, 0644) < 0)
		goto done;
	buf_reset(&b);
	buf_addf(&b, "%s\n", app);
	if (put(dir, "app", b.buf, 0644) < 0)
		goto done;
	if (imported)
		rc = put(dir, "imported", "", 0644);
	else {
		char *p = path_join(dir, "imported");

		rc = unlink(p) < 0 && errno != ENOENT ? error_set("cannot "
		    "remove \"%s\": %s", p, strerror(errno)) : 0;
		free(p);
	}
done:
	buf_release(&b);
	free(dir);
	free(acme);
	return rc;
}

/*
 * Whether the account exists on the server at directory: acme/.account
 * names the directory its `uacme new` succeeded with, and its key is there.
 * The key alone does not say it: uacme writes it before it asks the server,
 * and a `new` that failed then would leave every later request refused for
 * want of an account. A server changed in the config needs an account of
 * its own; a key removed to start again, a new one.
 */
static int
account_made(const char *acme, const char *path, const char *directory)
{
	struct buf b = BUF_INIT;
	char *key = xasprintf("%s/private/key.pem", acme);
	int made = 0;

	if (path_exists(key) && read_file(path, &b, 4096) == 0) {
		buf_rtrim(&b);
		made = b.buf != NULL && strcmp(b.buf, directory) == 0;
	}
	error_clear();
	buf_release(&b);
	free(key);
	return made;
}

static int
issue_locked(const struct config *cfg, const char *hook, const char *app,
    const struct strv *hosts, int force)
{
	struct strv set = STRV_INIT, argv = STRV_INIT;
	struct acme_cert cur;
	char *acme = tls_path(cfg, "acme"), *challenges = acme_challenge_dir(cfg);
	char *account = NULL, *env = NULL;
	struct buf out = BUF_INIT;
	long timeout_ms = cfg->acme_timeout * 1000;
	size_t i;
	int status, rc = -1;

	cert_set(hosts, &set);
	if (set.n == 0) {
		rc = 1;
		goto done;
	}
	/* tls/ and challenges/ readable by nginx's workers, acme/ not. */
	if (mkdir_p(challenges, 0755) < 0 || mkdir_p(acme, 0700) < 0 ||
	    chmod(acme, 0700) < 0)
		goto done;
	env = xasprintf("SLIPWAY_ACME_CHALLENGE_DIR=%s", challenges);
	account = path_join(acme, ".account");
	if (!account_made(acme, account, cfg->acme_directory)) {
		strv_push(&argv, cfg->acme_client);
		strv_push(&argv, "-c"), strv_push(&argv, acme);
		strv_push(&argv, "-a"), strv_push(&argv, cfg->acme_directory);
		strv_push(&argv, "-y"), strv_push(&argv, "new");
		if (cfg->acme_email != NULL)
			strv_push(&argv, cfg->acme_email);
		status = run_client("uacme new", argv.v, env, timeout_ms, &out);
		if (status < 0)
			goto done;
		/* The key made before, its account too: nothing to do. */
		if (status != 0 && (out.buf == NULL ||
		    strstr(out.buf, "Account already exists") == NULL)) {
			error_from("uacme new", &out, status);
			goto done;
		}
		buf_reset(&out);
		buf_addf(&out, "%s\n", cfg->acme_directory);
		if (write_file_atomic(account, out.buf, out.len, 0600) < 0)
			goto done;
		strv_clear(&argv);
		buf_reset(&out);
	}
	cert_load(cfg, set.v[0], &cur);
	if (!same_set(&set, &cur.hosts) || cur.imported)
		force = 1;
	acme_cert_dispose(&cur);
	strv_push(&argv, cfg->acme_client);
	strv_push(&argv, "-c"), strv_push(&argv, acme);
	strv_push(&argv, "-a"), strv_push(&argv, cfg->acme_directory);
	strv_push(&argv, "-h"), strv_push(&argv, hook);
	strv_push(&argv, "-y"), strv_push(&argv, "-o");
	strv_push(&argv, "-t"), strv_push(&argv, "EC");
	if (force)
		strv_push(&argv, "-f");
	strv_push(&argv, "issue");
	for (i = 0; i < set.n; i++)
		strv_push(&argv, set.v[i]);
	status = run_client("uacme issue", argv.v, env, timeout_ms, &out);
	if (status < 0)
		goto done;
	if (status != 0 && status != 1) {
		/* The server forgot the account (reset, another server at
		 * the same URL): the next request makes it again. uacme
		 * words accountDoesNotExist so. */
		if (out.buf != NULL && strstr(out.buf,
		    "no account associated with") != NULL &&
		    unlink(account) < 0 && errno != ENOENT)
			out_warn("warning: cannot remove \"%s\": %s", account,
			    strerror(errno));
		error_from("uacme issue", &out, status);
		goto done;
	}
	if (record(cfg, app, &set, 0) < 0)
		goto done;
	rc = status;
done:
	strv_clear(&set);
	strv_clear(&argv);
	buf_release(&out);
	free(acme);
	free(challenges);
	free(account);
	free(env);
	return rc;
}

void
acme_cert_list(const struct config *cfg, const char *app,
    struct acme_cert **out, size_t *n)
{
	char *acme = tls_path(cfg, "acme");
	DIR *d = opendir(acme);
	struct dirent *e;
	size_t alloc = 0;

	*out = NULL;
	*n = 0;
	while (d != NULL && (e = readdir(d)) != NULL) {
		struct acme_cert c;

		if (e->d_name[0] == '.' || strcmp(e->d_name, "private") == 0)
			continue;
		cert_load(cfg, e->d_name, &c);
		if (c.hosts.n == 0 || !path_exists(c.cert) ||
		    (app != NULL && strcmp(c.app, app) != 0)) {
			acme_cert_dispose(&c);
			continue;
		}
		*out = xgrow(*out, &alloc, *n + 1, sizeof **out);
		(*out)[(*n)++] = c;
	}
	if (d != NULL)
		closedir(d);
	free(acme);
}

static int acme_lock(const struct config *cfg);

/*
 * Under the server's ACME lock when ACME was ever used here: a request of
 * app's still running ends first, instead of writing its certificate after
 * the removal.
 */
int
acme_remove_app(const struct config *cfg, const char *app)
{
	char *acme = tls_path(cfg, "acme");
	struct acme_cert *c;
	size_t n, i;
	int rc = 0, lock = -1;

	if (path_exists(acme) && (lock = acme_lock(cfg)) < 0) {
		free(acme);
		return -1;
	}
	free(acme);
	acme_cert_list(cfg, app, &c, &n);
	for (i = 0; i < n; i++) {
		char *dir = xasprintf("%s/tls/acme/%s", cfg->state_dir,
		    c[i].name);
		char *priv = xasprintf("%s/tls/acme/private/%s",
		    cfg->state_dir, c[i].name);

		if (rc == 0 && (remove_tree(priv) < 0 || remove_tree(dir) < 0))
			rc = -1;
		free(dir);
		free(priv);
		acme_cert_dispose(&c[i]);
	}
	free(c);
	if (lock >= 0)
		close(lock);
	return rc;
}

int
acme_cert_info(const char *cert, char **issuer, long long *not_after)
{
	char *argv[] = { "openssl", "x509", "-noout", "-issuer", "-enddate",
	    "-in", (char *)cert, NULL };
	struct buf out = BUF_INIT;
	char *p, *nl;
	struct tm tm;
	int status;

	*issuer = NULL;
	*not_after = 0;
	status = run_argv(argv, NULL, 10000, &out);
	if (status != 0) {
		if (status > 0)
			error_from("openssl x509", &out, status);
		buf_release(&out);
		return -1;
	}
	for (p = out.buf; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		if (starts_with(p, "issuer=")) {
			free(*issuer);
			*issuer = xstrdup(p + strlen("issuer="));
		} else if (starts_with(p, "notAfter=")) {
			memset(&tm, 0, sizeof tm);
			if (strptime(p + strlen("notAfter="),
			    "%b %d %H:%M:%S %Y", &tm) != NULL)
				*not_after = (long long)timegm(&tm);
		}
		if (nl == NULL)
			break;
	}
	buf_release(&out);
	if (*issuer == NULL || *not_after == 0) {
		free(*issuer);
		*issuer = NULL;
		return error_set("cannot read certificate \"%s\"", cert);
	}
	return 0;
}

/* Does `openssl ARGS...` exit 0 with output containing want (NULL: any)? */
static int
openssl_ok(char *const *argv, const char *want, struct buf *out)
{
	int status = run_argv(argv, NULL, 10000, out);

	if (status < 0)
		return -1;
	if (status != 0) {
		error_from(argv[1], out, status);
		return -1;
	}
	return want == NULL || strstr(out->buf, want) != NULL ? 0 : 1;
}

int
acme_hosts_check(const struct strv *hosts)
{
	struct strv set = STRV_INIT;
	size_t i, j;
	int rc = 0;

	cert_set(hosts, &set);
	for (i = 0; i < hosts->n && rc == 0; i++) {
		for (j = 0; j < set.n; j++)
			if (strcasecmp(set.v[j], hosts->v[i]) == 0)
				break;
		if (j == set.n)
			rc = error_set("invalid host \"%.64s\": a certificate "
			    "is for domain names such as app.example.com",
			    hosts->v[i]);
	}
	strv_clear(&set);
	return rc;
}

static int
import_locked(const struct config *cfg, const char *app,
    const struct strv *hosts, const char *cert_pem, const char *key_pem)
{
	struct strv set = STRV_INIT;
	struct buf pub1 = BUF_INIT, pub2 = BUF_INIT, out = BUF_INIT;
	char *acme = tls_path(cfg, "acme"), *dir = NULL, *priv = NULL;
	char *tmp_cert = NULL, *tmp_key = NULL;
	size_t i;
	int rc = -1;

	if (acme_hosts_check(hosts) < 0)
		goto done;
	cert_set(hosts, &set);
	if (set.n == 0) {
		error_set("no host to import a certificate for");
		goto done;
	}
	dir = path_join(acme, set.v[0]);
	priv = xasprintf("%s/private/%s", acme, set.v[0]);
	if (mkdir_p(acme, 0700) < 0 || chmod(acme, 0700) < 0 ||
	    mkdir_p(dir, 0755) < 0 || mkdir_p(priv, 0700) < 0)
		goto done;
	tmp_cert = xasprintf("%s/.import-cert.pem", dir);
	tmp_key = xasprintf("%s/.import-key.pem", priv);
	if (write_file_atomic(tmp_cert, cert_pem, strlen(cert_pem), 0644) < 0 ||
	    write_file_atomic(tmp_key, key_pem, strlen(key_pem), 0600) < 0)
		goto done;
	{
		char *a[] = { "openssl", "x509", "-noout", "-pubkey", "-in",
		    tmp_cert, NULL };
		char *b[] = { "openssl", "pkey", "-pubout", "-in", tmp_key,
		    NULL };

		if (openssl_ok(a, NULL, &pub1) < 0 ||
		    openssl_ok(b, NULL, &pub2) < 0)
			goto done;
		if (strcmp(pub1.buf, pub2.buf) != 0) {
			error_set("the key does not match the certificate");
			goto done;
		}
	}
	for (i = 0; i < set.n; i++) {
		char *a[] = { "openssl", "x509", "-noout", "-checkhost",
		    set.v[i], "-in", tmp_cert, NULL };
		int r;

		buf_reset(&out);
		if ((r = openssl_ok(a, "does match", &out)) < 0)
			goto done;
		if (r > 0 || strstr(out.buf, "NOT match") != NULL) {
			error_set("the certificate does not name host \"%s\"",
			    set.v[i]);
			goto done;
		}
	}
	{
		char *c = path_join(dir, "cert.pem"), *k = path_join(priv,
		    "key.pem");
		int r = rename(tmp_key, k) < 0 || rename(tmp_cert, c) < 0;

		if (r)
			error_set("cannot install certificate: %s",
			    strerror(errno));
		free(c);
		free(k);
		if (r)
			goto done;
	}
	rc = record(cfg, app, &set, 1);
done:
	if (tmp_cert != NULL)
		unlink(tmp_cert);
	if (tmp_key != NULL)
		unlink(tmp_key);
	strv_clear(&set);
	buf_release(&pub1);
	buf_release(&pub2);
	buf_release(&out);
	free(acme);
	free(dir);
	free(priv);
	free(tmp_cert);
	free(tmp_key);
	return rc;
}

/*
 * One request or import at a time on this server: they share the ACME
 * account (created by the first request) and the certificate directories,
 * and a request detached from a push may meet an operator's import or
 * another app's request. Only `certs` commands and their detached requests
 * take it, never a deploy. A request holds it at most twice [tls] timeout
 * (uacme new, uacme issue: killed then), an import for its openssl checks
 * (10 s each at most): the wait is bounded by twice [tls] timeout and a
 * minute more. A run of one app's requests pauses ACME_TURN_MS between two
 * (certs.c), longer than a waiter's poll, so that it cannot keep the lock.
 * The fd to close (O_CLOEXEC: uacme and its hook never hold it), or -1
 * with error_set.
 */
static int
acme_lock(const struct config *cfg)
{
	char *tls = xasprintf("%s/tls", cfg->state_dir);
	char *dir = tls_path(cfg, "acme"), *path = path_join(dir, ".lock");
	long long deadline = now_ms() + (2 * cfg->acme_timeout + 60) * 1000;
	int fd = -1, said = 0;

	/* tls/ stays searchable by nginx's workers (challenges/), acme/ not. */
	if (mkdir_p(tls, 0755) < 0 || mkdir_p(dir, 0700) < 0)
		goto done;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) < 0) {
		error_set("cannot open \"%s\": %s", path, strerror(errno));
		goto done;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			error_set("cannot lock \"%s\": %s", path,
			    strerror(errno));
		} else if (now_ms() < deadline) {
			if (!said++)
				out_info("-----> Waiting for another certificate "
				    "request or import to end");
			sleep_ms(ACME_LOCK_POLL_MS);
			continue;
		} else
			error_set("another certificate request or import held "
			    "\"%s\" for %ld s", path, 2 * cfg->acme_timeout + 60);
		close(fd);
		fd = -1;
		break;
	}
done:
	free(path);
	free(dir);
	free(tls);
	return fd;
}

int
acme_issue(const struct config *cfg, const char *hook, const char *app,
    const struct strv *hosts, int force)
{
	int lock = acme_lock(cfg), rc;

	if (lock < 0)
		return -1;
	rc = issue_locked(cfg, hook, app, hosts, force);
	close(lock);
	return rc;
}

int
acme_import(const struct config *cfg, const char *app,
    const struct strv *hosts, const char *cert_pem, const char *key_pem)
{
	int lock = acme_lock(cfg), rc;

	if (lock < 0)
		return -1;
	rc = import_locked(cfg, app, hosts, cert_pem, key_pem);
	close(lock);
	return rc;
}
