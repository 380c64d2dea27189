/*
 * oneoff.h - `run` and `exec`: a command in a one-off container of the live
 * release's image, with the service's environment, networks and volumes
 * (removed afterwards), or in a running container of the service. Standard
 * input, output and error are streamed through the engine's hijacked
 * connection; with tty, the container gets a terminal and output is raw.
 */
#ifndef SLIPWAY_ONEOFF_H
#define SLIPWAY_ONEOFF_H

#include "lib/config.h"
#include "lib/util.h"

struct oneoff_opts {
	const char *service;
	const struct strv *cmd;    /* empty: the service's own command (run) */
	int tty;
	unsigned rows, cols;       /* the terminal's size, 0 unknown */
	int in_fd, out_fd, err_fd;
	volatile int *stop;        /* set by a signal handler: give up */
};

/* Run; the command's exit status in *exit_code. 0, or -1 with error_set. */
MUST_CHECK int oneoff_run(const struct config *cfg, const char *app,
    const struct oneoff_opts *o, long *exit_code);
/* Exec in the first running container of the service; likewise. */
MUST_CHECK int oneoff_exec(const struct config *cfg, const char *app,
    const struct oneoff_opts *o, long *exit_code);

#endif
