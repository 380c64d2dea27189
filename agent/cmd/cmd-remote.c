/*
 * cmd-remote.c - `slipway remote [-r REMOTE] VERB [ARGS...]`, run inside an
 * app's checkout: read the URL of git remote REMOTE (default "production"),
 * apply ~/.ssh/config to its host as ssh does (HostName, Port, User,
 * IdentityFile; the URL's own user and port win), run "VERB APP ARGS..." on
 * that server over SSH (gateway/client.c: the host key must be in
 * ~/.ssh/known_hosts; ssh-agent, the IdentityFile keys, ~/.ssh/id_ed25519 or
 * ~/.ssh/id_rsa log in), and exit with its exit status; the server's
 * `ssh-command` parses it. When slipway itself fails it exits 255, like ssh.
 * `app` is sent without the app: `slipway remote app list`. run and exec
 * also send our stdin, and ask for a terminal when ours is one.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "gateway/gateway.h"
#include "gateway/sshconfig.h"
#include "repo/repo.h"

#define REMOTE_FAIL 255

/*
 * What ~/.ssh/config says about u's host, as ssh applies it: HostName
 * replaces the host (known_hosts is checked under it), Port and User fill in
 * what the URL left out. The IdentityFile keys go in *sh.
 */
static int
apply_ssh_config(struct gateway_url *u, const char *home, const char *user,
    struct ssh_host *sh)
{
	char *file = path_join(home, ".ssh/config");
	int rc = sshconfig_load(file, u->host, home, user ? user : "", sh);

	free(file);
	if (rc < 0)
		return -1;
	if (sh->hostname != NULL) {
		free(u->host);
		u->host = xstrdup(sh->hostname);
	}
	if (!u->port_set && sh->port != 0)
		u->port = sh->port;
	if (u->user == NULL && sh->user != NULL)
		u->user = xstrdup(sh->user);
	return 0;
}

int
cmd_remote(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct gateway_client_opts o;
	struct gateway_url u = { 0 };
	struct ssh_host sh = SSH_HOST_INIT;
	struct strv ids = STRV_INIT;
	struct buf command = BUF_INIT;
	struct passwd *pw = getpwuid(getuid());
	const char *remote = cmd_arg(args, "REMOTE");
	const char *verb = cmd_arg(args, "VERB"), *home = getenv("HOME");
	char **rest, *url = NULL, *known = NULL;
	struct termios saved, raw;
	struct winsize ws;
	int n, i, status = -1, restore = 0;

	if ((home == NULL || *home == '\0') && pw != NULL)
		home = pw->pw_dir;
	if (home == NULL)
		home = "/";
	if ((url = repo_remote_url(remote ? remote : "production")) == NULL ||
	    gateway_url_parse(url, &u) < 0 ||
	    apply_ssh_config(&u, home, pw != NULL ? pw->pw_name : NULL, &sh) < 0)
		goto done;
	gateway_quote(&command, verb);
	if (strcmp(verb, "app") != 0) {
		buf_addch(&command, ' ');
		gateway_quote(&command, u.app);
	}
	rest = cmd_arg_list(args, "ARG", &n);
	for (i = 0; i < n; i++) {
		buf_addch(&command, ' ');
		gateway_quote(&command, rest[i]);
	}
	memset(&o, 0, sizeof o);
	o.known_hosts = known = path_join(home, ".ssh/known_hosts");
	for (i = 0; i < (int)sh.identities.n; i++)
		strv_push(&ids, sh.identities.v[i]);
	strv_push_owned(&ids, path_join(home, ".ssh/id_ed25519"));
	strv_push_owned(&ids, path_join(home, ".ssh/id_rsa"));
	o.identities = (const char *const *)ids.v;   /* NULL-ended */
	o.tried = sh.identities.n ? "ssh-agent, the IdentityFile keys of "
	    "~/.ssh/config, ~/.ssh/id_ed25519 and ~/.ssh/id_rsa" :
	    "ssh-agent, ~/.ssh/id_ed25519 and ~/.ssh/id_rsa";
	o.user = pw != NULL ? pw->pw_name : NULL;
	o.agent = getenv("SSH_AUTH_SOCK") != NULL;
	o.in_fd = -1;
	if (strcmp(verb, "run") == 0 || strcmp(verb, "exec") == 0) {
		const char *term = getenv("TERM");

		o.in_fd = STDIN_FILENO;
		if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
			o.term = term != NULL && *term != '\0' &&
			    strlen(term) < 64 ? term : "xterm";
			if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
				o.rows = ws.ws_row;
				o.cols = ws.ws_col;
			}
			if (tcgetattr(STDIN_FILENO, &saved) == 0) {
				raw = saved;
				cfmakeraw(&raw);
				restore = tcsetattr(STDIN_FILENO, TCSANOW,
				    &raw) == 0;
			}
		}
	}
	status = gateway_client_run(&u, &o, command.buf);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
done:
	buf_release(&command);
	gateway_url_dispose(&u);
	free(url);
	free(known);
	strv_clear(&ids);
	ssh_host_dispose(&sh);
	if (status < 0) {
		cmd_fail();
		return REMOTE_FAIL;
	}
	return status;
}
