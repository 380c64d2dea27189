/*
 * cmd.h - the command table's entry type and what main() sets up for every
 * command (tmux cmd_entry, git's commands[]).
 */
#ifndef SLIPWAY_CMD_H
#define SLIPWAY_CMD_H

#include <stdio.h>

#include "lib/config.h"

#define EXIT_USAGE 129

struct cmd_ctx {
	struct config cfg;
	const char *self;     /* absolute path of this binary */
	const char *name;     /* the command's name, for messages */
	const char *usage;
};

struct cmd_entry {
	const char *name;
	const char *usage;
	int (*exec)(struct cmd_ctx *ctx, int argc, char **argv);
};

/* The entry named name, or NULL. */
const struct cmd_entry *cmd_find(const char *name);
/* The usage of every command, for --help and mistakes. */
void cmd_usage_all(FILE *f);
/* Print "usage: slipway <usage>" and return EXIT_USAGE. */
int cmd_usage(const struct cmd_ctx *ctx);
/* Print "error: <error_last()>" and return 1. */
int cmd_fail(void);
/* 0 when app is a valid name with a repository, else -1 with error_set. */
int cmd_check_app(const struct cmd_ctx *ctx, const char *app);

int cmd_app(struct cmd_ctx *, int, char **);
int cmd_hook(struct cmd_ctx *, int, char **);
int cmd_deploy(struct cmd_ctx *, int, char **);
int cmd_status(struct cmd_ctx *, int, char **);
int cmd_config(struct cmd_ctx *, int, char **);
int cmd_history(struct cmd_ctx *, int, char **);
int cmd_rollback(struct cmd_ctx *, int, char **);
int cmd_key(struct cmd_ctx *, int, char **);
int cmd_logs(struct cmd_ctx *, int, char **);
int cmd_remote(struct cmd_ctx *, int, char **);
int cmd_ssh_command(struct cmd_ctx *, int, char **);

/* Where the hook and nginx templates are installed (or the source tree). */
char *cmd_share_path(const struct cmd_ctx *ctx, const char *what);
/* The nginx site template (allocated). */
char *cmd_site_template(const struct cmd_ctx *ctx);

#endif
