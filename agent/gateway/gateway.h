/*
 * gateway.h - what stands between an SSH key and the server: the splitting
 * and quoting of the command a pusher sent (SSH_ORIGINAL_COMMAND) and the
 * check of git's commands (the slipway verbs are checked against the command
 * table, cmd.h), the permission each key carries, public-key validation and
 * the authorized_keys file whose lines force every login through `slipway
 * ssh-command` (keys.c), and the SSH client of `slipway remote` (client.c).
 * gateway.c is pure: no I/O.
 *
 * A key's permission lives in its authorized_keys line, as the arguments of
 * the forced command, so that one atomic file holds both the key and what it
 * may do, and `ssh-command` trusts only what sshd passes it:
 *
 *   command="/usr/local/bin/slipway -c /etc/slipway/slipway.conf ssh-command
 *   alice --apps web,api",no-port-forwarding,no-X11-forwarding,
 *   no-agent-forwarding,no-user-rc ssh-ed25519 AAAA... alice@laptop
 *
 * (one line). The grant is "--apps a,b" (those apps) or "--admin" (every app,
 * and `app create|list|destroy`, `key add|list|remove` and
 * `config NAME list --values`).
 */
#ifndef SLIPWAY_GATEWAY_H
#define SLIPWAY_GATEWAY_H

#include <stddef.h>

#include "lib/util.h"

#define GATEWAY_COMMAND_MAX 8192 /* bytes of SSH_ORIGINAL_COMMAND */
#define GATEWAY_WORDS_MAX 128
#define GATEWAY_KEY_NAME_MAX 64
#define GATEWAY_KEY_LINE_MAX 16384

/*
 * Split s into words the way a POSIX shell would for the few forms allowed:
 * blanks (space, tab) between words, 'single-quoted' text taken literally, a
 * backslash quoting the next printable character, and outside quotes only
 * letters, digits and _ - . , / : = @ + %. Everything else outside quotes
 * (; | & $ ` ( ) < > " * ? [ ] { } ~ # ! and the like), an unclosed quote, a
 * control character anywhere, and more than GATEWAY_COMMAND_MAX bytes or
 * GATEWAY_WORDS_MAX words are refused: -1 with error_set. words is appended to.
 */
MUST_CHECK int gateway_split(const char *s, struct strv *words);

/* Append word to out quoted so that gateway_split() gives it back. */
void gateway_quote(struct buf *out, const char *word);

enum gateway_kind {
	GATEWAY_GIT,  /* git-receive-pack / git-upload-pack: exec argv */
	GATEWAY_VERB, /* a slipway command: run `slipway argv...` */
	GATEWAY_HELP, /* the list of what the key may run */
};

/*
 * A request an SSH client made, once checked. The gateway checks the git
 * commands; the slipway verbs are checked against the command table by the
 * command layer (cmd_ssh_parse), which fills the same struct.
 */
struct gateway_cmd {
	enum gateway_kind kind;
	int admin_only;   /* app ..., key ..., config list --values */
	char *app;        /* the app the command touches; NULL for `app list`
	                     and `key ...` */
	struct strv argv; /* GIT: { "git-receive-pack", "<repos_dir>/<app>.git" };
	                     VERB: { "status", "<app>", ... } */
	int any_key;      /* no app, and any key may run it: it shows only the
	                     key's apps itself (`ps`) */
};

/* Is verb git-receive-pack or git-upload-pack? */
int gateway_is_git(const char *verb);

/*
 * Check a git command's words w[0..n) (w[0] a gateway_is_git() verb): one
 * repository argument, one of 'app', 'app.git', '/app.git', '~/app.git',
 * '<repos_dir>/app.git', naming a valid app. repos_dir is absolute. 0 with
 * cmd filled (kind GATEWAY_GIT), or -1 with a one-line error_set that quotes
 * at most a short, printable excerpt. Dispose cmd either way.
 */
MUST_CHECK int gateway_parse_git(char **w, size_t n, const char *repos_dir,
    struct gateway_cmd *cmd);
void gateway_cmd_dispose(struct gateway_cmd *cmd);

/* What a key may do. */
struct gateway_grant {
	int admin;
	struct strv apps;
};
#define GATEWAY_GRANT_INIT { 0, STRV_INIT }

/*
 * Parse a grant from arguments: { "--admin" } or { "--apps", "a,b" } (app
 * names, at least one, duplicates dropped). 0 or -1 with error_set.
 */
MUST_CHECK int gateway_grant_parse(struct gateway_grant *g, int argc, char **argv);
/* "--admin" or "--apps a,b" (allocated). */
char *gateway_grant_format(const struct gateway_grant *g);
void gateway_grant_dispose(struct gateway_grant *g);

/*
 * May a key with grant g run cmd? 0, or -1 with error_set saying what is
 * missing (`no access to app "x"`, `"app create" needs an --admin key`).
 */
MUST_CHECK int gateway_permit(const struct gateway_grant *g, const struct gateway_cmd *cmd);

/* Key names (SLIPWAY_USER): [A-Za-z0-9][A-Za-z0-9._@-]{0,63}. 0 or -1. */
MUST_CHECK int gateway_check_key_name(const char *name);

/* One public key: "type base64 [comment]". */
struct gateway_key {
	char *type;    /* "ssh-ed25519", ... */
	char *blob;    /* the base64 text */
	char *comment; /* or NULL */
};

/*
 * Parse and validate a public key as in a .pub file (surrounding blanks and a
 * final newline allowed, no options). The type must be ssh-ed25519, ssh-rsa,
 * ecdsa-sha2-nistp256/384/521, sk-ssh-ed25519@openssh.com or
 * sk-ecdsa-sha2-nistp256@openssh.com; the blob must be canonical base64 whose
 * decoded fields match the type (the embedded type name, sizes, and nothing
 * after the last field). The comment must be printable. 0 or -1.
 */
MUST_CHECK int gateway_key_parse(const char *text, struct gateway_key *key);
void gateway_key_dispose(struct gateway_key *key);

/*
 * The authorized_keys line for key name (no newline):
 *   command="<slipway> [-c <config>] ssh-command <name> <grant>",
 *   no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-user-rc <key>
 * config may be NULL. Paths must be absolute and consist of characters that
 * need no quoting for sh or sshd (letters, digits, / . _ - + , : @ =);
 * otherwise NULL with error_set.
 */
char *gateway_key_line(const char *slipway, const char *config,
    const char *name, const struct gateway_grant *g,
    const struct gateway_key *key);

/* One line of an authorized_keys file, as far as slipway cares. */
struct gateway_entry {
	char *name;                 /* slipway's key name; NULL for other lines */
	struct gateway_grant grant; /* when name is set */
	struct gateway_key key;     /* type and blob (comment may be NULL) */
};

/*
 * Parse one authorized_keys line (with or without options). 0 when it holds
 * a key (entry->name set when its forced command is `... ssh-command NAME
 * GRANT`), 1 for a blank or comment line or one without a key type slipway
 * knows (entry left empty), never -1. Dispose either way.
 */
MUST_CHECK int gateway_entry_parse(const char *line, struct gateway_entry *entry);
void gateway_entry_dispose(struct gateway_entry *entry);

/*
 * Read one public key from fd (a .pub file's text: one line, blank lines
 * around it allowed; at most GATEWAY_KEY_LINE_MAX bytes) and parse it with
 * gateway_key_parse(). 0 or -1 with error_set.
 */
MUST_CHECK int gateway_key_read(int fd, struct gateway_key *key);

/*
 * The authorized_keys file at path, rewritten atomically (mode 0600) under a
 * lock on its directory, which is created (0700) when missing; run as root,
 * the file keeps its owner, or gets its directory's. A missing file is empty.
 * Lines slipway did not write are kept as they are. Each returns 0 or -1
 * with error_set.
 *
 * gateway_keys_add appends line (from gateway_key_line) for key name,
 * refusing a second key of that name or the same key again.
 */
MUST_CHECK int gateway_keys_add(const char *path, const char *name,
    const struct gateway_key *key, const char *line);
/* The slipway keys (entries with a name) of the file, in file order. */
MUST_CHECK int gateway_keys_list(const char *path, struct gateway_entry **entries,
    size_t *n);
void gateway_entries_free(struct gateway_entry *entries, size_t n);
/* Remove key name's line; -1 when there is none. */
MUST_CHECK int gateway_keys_remove(const char *path, const char *name);

/* The parts of a git remote URL that `slipway remote` needs. */
struct gateway_url {
	char *user;    /* NULL when the URL names none */
	char *host;    /* without brackets */
	int port;      /* 22 unless given */
	int port_set;  /* the URL gave the port */
	char *app;     /* from the path's last component, ".git" dropped */
};

/*
 * Parse ssh://[user@]host[:port]/path and [user@]host:path (scp-like; an
 * IPv6 host in [brackets]). The path's last component, less ".git", must be
 * a valid app name. 0 or -1 with error_set.
 */
MUST_CHECK int gateway_url_parse(const char *url, struct gateway_url *u);
void gateway_url_dispose(struct gateway_url *u);

/* How `slipway remote` trusts a server and logs in. */
struct gateway_client_opts {
	const char *known_hosts;     /* the server's key must be in it */
	const char *const *identities; /* private key files to try, NULL-ended */
	const char *tried;           /* for the message when none worked */
	const char *user;            /* when the URL names none */
	int agent;                   /* try ssh-agent first */
	int in_fd;                   /* relay this to the command's stdin, or
	                                -1: its stdin ends at once */
	const char *term;            /* ask for a pseudo-terminal of this type
	                                (NULL: none), of rows x cols */
	unsigned rows, cols;
};

/*
 * Connect to u, check its host key against o->known_hosts (an unknown,
 * changed or @revoked key is refused), log in, run command, copy its stdout
 * and stderr to ours. Its exit status, or -1 with error_set.
 */
MUST_CHECK int gateway_client_run(const struct gateway_url *u,
    const struct gateway_client_opts *o, const char *command);

/* Strict base64 (padding required). Decoded bytes into out; 0 or -1. */
MUST_CHECK int gateway_base64_decode(const char *s, size_t len, struct buf *out);
void gateway_base64_encode(struct buf *out, const unsigned char *data,
    size_t len);

#endif
