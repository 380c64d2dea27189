/*
 * cmd-run.c - `slipway run APP SERVICE [CMD...]` (a one-off container of the
 * live release: a console, a migration, a backup) and `slipway exec APP
 * SERVICE CMD...` (in a running container). Output is streamed, the exit
 * status is the command's, and slipway's own failures exit 125 as docker
 * run's do. When standard input and output are terminals (locally, or over
 * `ssh -t`), the container gets a TTY and the terminal goes raw meanwhile.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "cmd/cmd-ops.h"
#include "lib/names.h"
#include "pipeline/oneoff.h"

#define EXIT_RUN_FAILED 125

static volatile int interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int
oneoff(struct cmd_ctx *ctx, const struct cmd_args *args, int is_exec)
{
	const char *app = args->app, *service = cmd_arg(args, "SERVICE");
	char **words;
	int nwords;
	struct oneoff_opts o;
	struct strv cmd = STRV_INIT;
	struct termios saved, raw;
	struct winsize ws;
	struct sigaction sa, old_int, old_term, old_hup;
	int restore = 0, k, rc;
	long code = 0;

	if (cmd_check_services(ctx, app, 1, (char **)&service) < 0) {
		cmd_fail();
		return EXIT_RUN_FAILED;
	}
	words = cmd_arg_list(args, "ARG", &nwords);
	for (k = 0; k < nwords; k++)
		strv_push(&cmd, words[k]);
	memset(&o, 0, sizeof o);
	o.service = service;
	o.cmd = &cmd;
	o.tty = isatty(0) && isatty(1);
	o.in_fd = 0;
	o.out_fd = 1;
	o.err_fd = 2;
	o.stop = &interrupted;
	if (o.tty && ioctl(1, TIOCGWINSZ, &ws) == 0) {
		o.rows = ws.ws_row;
		o.cols = ws.ws_col;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	if (o.tty && tcgetattr(0, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		restore = tcsetattr(0, TCSANOW, &raw) == 0;
	}
	rc = is_exec ? oneoff_exec(&ctx->cfg, app, &o, &code) :
	    oneoff_run(&ctx->cfg, app, &o, &code);
	if (restore)
		tcsetattr(0, TCSANOW, &saved);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	strv_clear(&cmd);
	if (rc < 0) {
		cmd_fail();
		return EXIT_RUN_FAILED;
	}
	return code < 0 || code > 255 ? EXIT_RUN_FAILED : (int)code;
}

int
cmd_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return oneoff(ctx, args, 0);
}

int
cmd_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return oneoff(ctx, args, 1);
}
