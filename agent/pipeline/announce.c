/*
 * announce.c - notifications from a detached grandchild (double fork,
 * setsid, every inherited descriptor closed: the app's lock, the pusher's
 * SSH channel), so that a receiver that hangs keeps nobody waiting.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "history/history.h"
#include "notify/notify.h"
#include "pipeline/announce.h"

static void
close_inherited(void)
{
	int fd, null = open("/dev/null", O_RDWR);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	for (fd = 3; fd < 1024; fd++)
		close(fd);
}

/*
 * In the grandchild: deliver to the server's URLs (signed with the server's
 * secret) and the app's (with the app's secret, else the server's), record a
 * failure, exit.
 */
static void __attribute__((noreturn))
deliver(const struct config *cfg, const struct config_app *a, const char *body,
    long long row)
{
	struct history *h = NULL;
	struct buf failures = BUF_INIT;

	if (notify_deliver(&cfg->notify_urls, cfg->notify_secret, body,
	    cfg->notify_timeout, cfg->notify_retries) < 0)
		buf_adds(&failures, error_last());
	if (a != NULL && notify_deliver(&a->notify_urls, a->notify_secret ?
	    a->notify_secret : cfg->notify_secret, body, cfg->notify_timeout,
	    cfg->notify_retries) < 0)
		buf_addf(&failures, "%s%s", failures.len ? "; " : "", error_last());
	/* Nobody is left to tell when even the history cannot be written:
	 * the exit status says it, for whoever traces the process. */
	if (failures.len > 0 && (history_open(&h, cfg->state_dir) < 0 ||
	    history_set_notify(h, row, failures.buf) < 0)) {
		history_close(h);
		_exit(1);
	}
	history_close(h);
	_exit(0);
}

void
announce(const struct config *cfg, const char *app, long long row,
    json_t *event)
{
	const struct config_app *a = config_app(cfg, app);
	char *body = NULL;
	pid_t pid;

	if (cfg->notify_urls.n == 0 && (a == NULL || a->notify_urls.n == 0))
		return;
	if ((body = json_dumps(event, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		return;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		out_warn("warning: cannot send the notification: fork failed");
		goto done;
	}
	if (pid == 0) {
		setsid();
		signal(SIGHUP, SIG_IGN);
		if (fork() == 0) {
			close_inherited();
			deliver(cfg, a, body, row);
		}
		_exit(0);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
done:
	free(body);
}
