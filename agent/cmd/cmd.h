/*
 * cmd.h - the command table and what main() sets up for every command (tmux
 * cmd_entry, git's commands[] with RUN_SETUP). The table in cmd.c is slipway's
 * whole command grammar: main() runs from it, `ssh-command` checks what an SSH
 * client asked for against it, and `help` lists it. Each verb's words are
 * parsed once, by cmd_args_parse() and the entry's argument template, for
 * both paths; the exec function gets the parsed words.
 *
 * Adding a verb: one entry in cmd_table[] (cmd.c), its exec prototype below,
 * and its file cmd-<verb>.c.
 */
#ifndef SLIPWAY_CMD_H
#define SLIPWAY_CMD_H

#include <stdio.h>

#include "gateway/gateway.h"
#include "lib/config.h"
#include "lib/util.h"

#define EXIT_USAGE 129

/* cmd_entry and cmd_form flags. */
#define CMD_SSH 0x1         /* may be run through the SSH gateway */
#define CMD_ADMIN 0x2       /* through the gateway, an --admin key only */
#define CMD_NEEDS_APP 0x4   /* main checks that APP exists before exec */
#define CMD_NEEDS_ENGINE 0x8 /* main opens the engine into ctx->engine */
#define CMD_LOCKS 0x10      /* runs under the app lock (deploy_app takes it) */
#define CMD_NO_CONFIG 0x20  /* main does not load the configuration */
#define CMD_ANY_KEY 0x40    /* without an APP, any key may run it: it shows
                               only the key's apps (SLIPWAY_APPS) */

#define CMD_FORMS_MAX 6
#define CMD_SLOTS_MAX 16

/*
 * One way to call a verb: the words after the verb, as a template.
 *   list          a literal word (lowercase, or an unbracketed --option)
 *   APP           a word of a type (cmd-args.c: APP, APPS, SERVICE, REV,
 *                 COUNT, ID, NAME, KEY=VALUE, KEY, REMOTE, VERB, ARG)
 *   APP...        one or more of them
 *   [SERVICE]     an optional word
 *   [--json]      an option without a value, at most once
 *   [-n COUNT]    an option with a value of a type, at most once
 * The words up to the first [bracket] come first, in order; the options and
 * optional words after them may come in any order. A word that is not an
 * option of the form is a word of the next type (whose check then refuses a
 * leading "-"), and once ARG... starts it takes every word left.
 */
struct cmd_form {
	const char *args;
	int flags;      /* added to the entry's flags for this form */
};

struct cmd_args;
struct cmd_ctx;
struct engine;

struct cmd_entry {
	const char *name;
	const char *usage;      /* "status APP [--json]", shown after "usage: " */
	const char *summary;    /* one line for `help` */
	struct cmd_form forms[CMD_FORMS_MAX]; /* the first that fits is used */
	int flags;
	int (*exec)(struct cmd_ctx *ctx, const struct cmd_args *args);
};

/* The words of one command line once parsed (pointers into argv). */
struct cmd_slot {
	char *name;     /* the template word: "APP", "--json", "-n", "list" */
	char *type;     /* the type its words must have ("COUNT" for -n), or
	                   NULL for a literal or an option without a value */
	char **v;       /* its words (for an option, the value), not owned */
	int n;
};

struct cmd_args {
	const struct cmd_entry *entry;
	int form;       /* index in entry->forms */
	int flags;      /* entry->flags | the form's flags */
	const char *app; /* the APP word, or NULL */
	int nslots;
	struct cmd_slot slot[CMD_SLOTS_MAX];
};
#define CMD_ARGS_USAGE (-2)

/*
 * Parse argv (argv[0] is the verb, entry's name) against entry's forms.
 * 0 with args filled; CMD_ARGS_USAGE with error_set("usage: <usage>") when
 * no form fits; -1 with error_set naming the word when a form fits but a word
 * is not of its type. Dispose args either way.
 */
MUST_CHECK int cmd_args_parse(const struct cmd_entry *entry, int argc, char **argv,
    struct cmd_args *args);
void cmd_args_dispose(struct cmd_args *args);
/* The first word of slot name ("APP", "-n", "list"), or NULL when absent. */
const char *cmd_arg(const struct cmd_args *args, const char *name);
/* Is slot name present (a literal, an option, a word)? */
int cmd_has(const struct cmd_args *args, const char *name);
/* The words of slot name ("KEY=VALUE...") and their number (0 if absent). */
char **cmd_arg_list(const struct cmd_args *args, const char *name, int *n);
/* Does word s fit template type name? 0, or -1 with error_set. */
MUST_CHECK int cmd_check_word(const char *type, const char *s);
/* Is t a well-formed template? 0, or -1 with error_set. */
MUST_CHECK int cmd_template_check(const char *t);
/* Is name a word type a template may use? */
int cmd_is_word_type(const char *name);

struct cmd_ctx {
	struct config cfg;
	const char *self;     /* absolute path of this binary */
	const char *name;     /* the command's name, for messages */
	const char *usage;
	const char *user;     /* $SLIPWAY_USER: who runs it, for the history */
	struct engine *engine; /* when the entry has CMD_NEEDS_ENGINE */
};

/* The entry named name, or NULL. */
const struct cmd_entry *cmd_find(const char *name);
/* The table, for help and the tests. */
const struct cmd_entry *cmd_entries(size_t *n);
/* The usage of every command, for --help and mistakes. */
void cmd_usage_all(FILE *f);
/* Print "usage: slipway <usage>" and return EXIT_USAGE. */
int cmd_usage(const struct cmd_ctx *ctx);
/* Print "error: <error_last()>" and return 1. */
int cmd_fail(void);
/* 0 when app is a valid name with a repository, else -1 with error_set. */
MUST_CHECK int cmd_check_app(const struct cmd_ctx *ctx, const char *app);

int cmd_app(struct cmd_ctx *, const struct cmd_args *);
int cmd_certs(struct cmd_ctx *, const struct cmd_args *);
int cmd_config(struct cmd_ctx *, const struct cmd_args *);
int cmd_deploy(struct cmd_ctx *, const struct cmd_args *);
int cmd_help(struct cmd_ctx *, const struct cmd_args *);
int cmd_history(struct cmd_ctx *, const struct cmd_args *);
int cmd_hook(struct cmd_ctx *, const struct cmd_args *);
int cmd_key(struct cmd_ctx *, const struct cmd_args *);
int cmd_logs(struct cmd_ctx *, const struct cmd_args *);
int cmd_recover(struct cmd_ctx *, const struct cmd_args *);
int cmd_remote(struct cmd_ctx *, const struct cmd_args *);
int cmd_pull(struct cmd_ctx *, const struct cmd_args *);
int cmd_rollback(struct cmd_ctx *, const struct cmd_args *);
int cmd_ssh_command(struct cmd_ctx *, const struct cmd_args *);
int cmd_status(struct cmd_ctx *, const struct cmd_args *);

/*
 * The request of an SSH client (SSH_ORIGINAL_COMMAND): split and quoted by
 * gateway_split(), git-receive-pack / git-upload-pack checked by the gateway,
 * and a slipway verb checked against the command table (a CMD_SSH entry, its
 * words by cmd_args_parse()). "help" is GATEWAY_HELP. 0 with cmd filled, or
 * -1 with a one-line error_set; dispose cmd either way.
 */
MUST_CHECK int cmd_ssh_parse(const char *line, const char *repos_dir,
    struct gateway_cmd *cmd);
/* The commands a key with grant g may run, one a line, for `help`. */
void cmd_ssh_help(FILE *f, const struct gateway_grant *g);

/* Where the hook and nginx templates are installed (or the source tree). */
char *cmd_share_path(const struct cmd_ctx *ctx, const char *what);
/* The repository hook the deploy mode runs nothing in: post-receive in
 * atomic mode (pre-receive is always there: it installs the other). */
const char *cmd_unused_hook(const struct cmd_ctx *ctx);
/* The nginx site template (allocated). */
char *cmd_site_template(const struct cmd_ctx *ctx);

#endif
