/*
 * sshconfig.h - what ~/.ssh/config (ssh_config(5)) says about one host, for
 * `slipway remote`: HostName, Port, User and IdentityFile, read as OpenSSH
 * reads them, so that a remote URL that works for git works for slipway.
 */
#ifndef SLIPWAY_SSHCONFIG_H
#define SLIPWAY_SSHCONFIG_H

#include "lib/util.h"

struct ssh_host {
	char *hostname;         /* HostName, or NULL */
	char *user;             /* User, or NULL */
	int port;               /* Port, or 0 */
	struct strv identities; /* IdentityFile values, ~ and %-tokens expanded */
};
#define SSH_HOST_INIT { NULL, NULL, 0, STRV_INIT }

/*
 * Apply the configuration text (named file in messages) to host, the name as
 * the user wrote it: every Host block with a pattern matching host (`*`, `?`,
 * `!` negation) counts, and the first value of each keyword wins, as in
 * OpenSSH; IdentityFile values accumulate. Match blocks are skipped, and so
 * are keywords slipway does not use. home and local_user expand `~`, `%d`,
 * `%u`; `%h` is the host name, `%r` the remote user, `%%` a percent sign.
 * A bad Port or a line without a value is an error naming file and line.
 * 0 or -1 with error_set; out is filled on success (release it with
 * ssh_host_dispose either way).
 */
MUST_CHECK int sshconfig_parse(const char *text, const char *file, const char *host,
    const char *home, const char *local_user, struct ssh_host *out);

/* sshconfig_parse() of file; a missing file is an empty configuration. */
MUST_CHECK int sshconfig_load(const char *file, const char *host, const char *home,
    const char *local_user, struct ssh_host *out);

/* Does host match the pattern list of a Host line ("a b !c")? */
int sshconfig_host_matches(const char *patterns, const char *host);

void ssh_host_dispose(struct ssh_host *h);

#endif
