/*
 * certs.c - certificates requested beside deploys, never inside one: the
 * deploy that needs one starts `slipway certs APP issue` once its lock is
 * free and waits for it only [tls] wait seconds; that process asks uacme
 * (holding no app lock: acme.c lets one request at a time run on the
 * server), then redeploys the live release so that its site serves the new
 * certificate. The daily `certs renew` asks again for the ones still
 * missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/appops.h"
#include "lib/state.h"
#include "pipeline/certs.h"
#include "pipeline/deploy.h"
#include "proxy/acme.h"
#include "repo/repo.h"

#define CERTS_LOG "certs.log"
#define CERTS_LOG_MAX (64u << 10)
/* How long the live commit may take to leave a push's quarantine. */
#define CERTS_COMMIT_WAIT_MS (10 * 60 * 1000)

/*
 * Wait until the live commit is in app's repository: in atomic mode the
 * deploy that started this request runs in git's pre-receive hook, and the
 * pushed objects reach the repository only once that hook has returned.
 */
static int
wait_live_commit(const struct config *cfg, const char *app)
{
	char *repo = state_repo_path(cfg, app);
	char *commit = app_live_commit(cfg, app), oid[41];
	long long deadline = now_ms() + CERTS_COMMIT_WAIT_MS;
	int rc = -1;

	if (commit == NULL) {
		error_set("\"%s\" has no live release", app);
		goto done;
	}
	/* An app destroyed meanwhile has no repository to wait for. */
	while ((rc = repo_resolve(repo, commit, 0, oid)) < 0 &&
	    now_ms() < deadline && is_dir(repo))
		sleep_ms(500);
	if (rc < 0)
		error_set("commit %.7s of \"%s\" never reached its repository "
		    "(was the push refused?)", commit, app);
done:
	free(commit);
	free(repo);
	return rc;
}

int
certs_issue_missing(const struct config *cfg, const char *app,
    const char *hook, const char *site_template)
{
	char *app_dir = state_app_dir(cfg, app), *lock_path = NULL;
	json_t *live = NULL, *svc;
	const char *name;
	int lock = -1, issued = 0, failed = 0, rc = -1;

	if (!config_app_tls(cfg, app))
		goto ok;
	lock_path = path_join(app_dir, "certs.lock");
	if ((lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) < 0) {
		error_set("cannot open \"%s\": %s", lock_path, strerror(errno));
		goto done;
	}
	if (flock(lock, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			error_set("cannot lock \"%s\": %s", lock_path,
			    strerror(errno));
			goto done;
		}
		out_info("-----> A certificate request for %s is already "
		    "running", app);
		goto ok;
	}
	if ((live = app_live_load(cfg, app)) == NULL)
		goto ok;
	json_object_foreach(json_object_get(live, "services"), name, svc) {
		json_t *hosts = json_object_get(svc, "hosts"), *h;
		struct strv set = STRV_INIT;
		struct buf shown = BUF_INIT;
		struct acme_cert c;
		size_t i;

		json_array_foreach(hosts, i, h) {
			if (json_is_string(h)) {
				strv_push(&set, json_string_value(h));
				buf_addf(&shown, "%s%s", i ? ", " : "",
				    json_string_value(h));
			}
		}
		if (set.n == 0 || acme_cert_find(cfg, &set, &c) == 1) {
			if (set.n > 0)
				acme_cert_dispose(&c);
			strv_clear(&set);
			buf_release(&shown);
			continue;
		}
		/* Between two requests of this run, a turn for the other apps
		 * waiting on the server's ACME lock (they poll it). */
		if (issued + failed > 0)
			sleep_ms(ACME_TURN_MS);
		out_info("-----> Requesting a certificate for %s", shown.buf);
		if (acme_issue(cfg, hook, app, &set, 0) < 0) {
			out_warn("warning: no certificate for %s, serving it over "
			    "plain HTTP: %s", shown.buf, error_last());
			error_clear();
			failed++;
		} else {
			out_info("-----> Issued a certificate for %s", shown.buf);
			issued++;
		}
		strv_clear(&set);
		buf_release(&shown);
	}
	if (issued > 0) {
		struct deploy_opts opts = { 0 };

		opts.live = 1;
		opts.no_build = 1;
		opts.kind = "certs";
		opts.user = "slipway";
		opts.site_template = site_template;
		if (wait_live_commit(cfg, app) < 0 ||
		    deploy_app(cfg, app, &opts) < 0) {
			error_set("the certificate is issued but the site of %s "
			    "was not redeployed with it: %s (the next deploy "
			    "serves it)", app, error_last());
			goto done;
		}
		out_info("-----> %s is served over HTTPS", app);
	}
	if (failed > 0) {
		error_set("%d certificate request%s of %s failed", failed,
		    failed == 1 ? "" : "s", app);
		goto done;
	}
ok:
	rc = 0;
done:
	if (lock >= 0)
		close(lock);
	json_decref(live);
	free(lock_path);
	free(app_dir);
	return rc;
}

/* In the detached grandchild: exec `slipway [-c CONF] certs APP issue`. */
static void __attribute__((noreturn))
exec_issue(char **argv, int log, int done_fd)
{
	int null = open("/dev/null", O_RDONLY), fd;

	signals_reset();
	if (null < 0 || dup2(null, 0) < 0 || dup2(log, 1) < 0 ||
	    dup2(log, 2) < 0 || dup2(done_fd, 3) < 0)
		_exit(127);
	/* Nothing else: not the app's lock, not the pusher's channel. fd 3
	 * stays open (no close-on-exec) until the request ends. */
	for (fd = 4; fd < 1024; fd++)
		close(fd);
	execv("/proc/self/exe", argv);
	_exit(127);
}

/*
 * Has every certificate asked for in the log at path an outcome yet? 0 no,
 * 1 yes and none was issued, 2 yes and one was.
 */
static int
log_settled(const char *path)
{
	struct buf b = BUF_INIT;
	const char *line;
	int asked = 0, answered = 0, issued = 0;

	if (read_file(path, &b, CERTS_LOG_MAX) == 0 && b.buf != NULL) {
		for (line = b.buf; line != NULL; line = strchr(line, '\n')) {
			if (*line == '\n')
				line++;
			if (starts_with(line, "-----> Requesting"))
				asked++;
			else if (starts_with(line, "-----> Issued a certificate"))
				answered++, issued++;
			else if (starts_with(line, "warning: no certificate"))
				answered++;
		}
	}
	error_clear();
	buf_release(&b);
	if (asked == 0 || answered < asked)
		return 0;
	return issued > 0 ? 2 : 1;
}

/* Show the lines of the request's log that say how it went. */
static void
show_log(const char *path)
{
	struct buf b = BUF_INIT;
	char *line, *next;

	if (read_file(path, &b, CERTS_LOG_MAX) < 0 || b.buf == NULL) {
		error_clear();
		buf_release(&b);
		return;
	}
	for (line = b.buf; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (starts_with(line, "warning: ") || starts_with(line, "error: "))
			out_warn("%s", line);
		else if (starts_with(line, "-----> Requesting") ||
		    starts_with(line, "-----> Issued a certificate") ||
		    strstr(line, " is served over HTTPS") != NULL ||
		    strstr(line, "already running") != NULL)
			out_info("%s", line);
	}
	buf_release(&b);
}

void
certs_request(const struct config *cfg, const char *app)
{
	char *app_dir = state_app_dir(cfg, app);
	char *log_path = path_join(app_dir, CERTS_LOG);
	char *argv[8];
	int fds[2] = { -1, -1 }, log = -1, n = 0, status, ended = 0;
	int settled = 0;
	long long deadline = now_ms() + cfg->acme_wait * 1000;
	pid_t pid;

	argv[n++] = (char *)"slipway";
	if (cfg->path != NULL) {
		argv[n++] = (char *)"-c";
		argv[n++] = cfg->path;
	}
	argv[n++] = (char *)"certs";
	argv[n++] = (char *)app;
	argv[n++] = (char *)"issue";
	argv[n] = NULL;
	if ((log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) < 0 || pipe2(fds, O_CLOEXEC) < 0) {
		out_warn("warning: cannot request a certificate for %s: %s: "
		    "`slipway certs renew` requests it", app, strerror(errno));
		goto done;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		out_warn("warning: cannot request a certificate for %s: fork "
		    "failed: `slipway certs renew` requests it", app);
		goto done;
	}
	if (pid == 0) {
		setsid();
		if (fork() == 0)
			exec_issue(argv, log, fds[1]);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	close(fds[1]);
	fds[1] = -1;
	for (;;) {
		struct pollfd p = { fds[0], POLLIN, 0 };
		long long left = deadline - now_ms();
		char c;
		int r;

		if (left <= 0)
			break;
		r = poll(&p, 1, (int)(left > 250 ? 250 : left));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (r > 0 && read(fds[0], &c, 1) <= 0)) {
			ended = 1;
			break;
		}
		/* The answers are in; the redeploy that serves a new
		 * certificate may wait for this push to end (atomic mode). */
		if ((settled = log_settled(log_path)) != 0)
			break;
	}
	show_log(log_path);
	if (settled == 2 && !ended)
		out_info("-----> %s serves it over HTTPS once a redeploy in the "
		    "background is done (log: %s)", app, log_path);
	else if (!ended)
		out_info("-----> The certificate request for %s goes on in the "
		    "background (log: %s); `slipway certs %s` shows when it "
		    "is served", app, log_path, app);
done:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (log >= 0)
		close(log);
	free(log_path);
	free(app_dir);
}
