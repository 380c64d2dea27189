/*
 * cmd-remote.c - `slipway remote [-r REMOTE] VERB [ARGS...]`, run inside an
 * app's checkout: read the URL of git remote REMOTE (default "production"),
 * run "VERB APP ARGS..." on that server over SSH (gateway/client.c: the host
 * key must be in ~/.ssh/known_hosts; ssh-agent, ~/.ssh/id_ed25519 or
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
#include "repo/repo.h"

#define REMOTE_FAIL 255

int
cmd_remote(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct gateway_client_opts o;
	struct gateway_url u = { NULL, NULL, 0, NULL };
	struct buf command = BUF_INIT;
	struct passwd *pw = getpwuid(getuid());
	const char *remote = cmd_arg(args, "REMOTE");
	const char *verb = cmd_arg(args, "VERB"), *home = getenv("HOME");
	char **rest, *url = NULL, *known = NULL, *ed = NULL, *rsa = NULL;
	struct termios saved, raw;
	struct winsize ws;
	int n, i, status = -1, restore = 0;

	if ((home == NULL || *home == '\0') && pw != NULL)
		home = pw->pw_dir;
	if (home == NULL)
		home = "/";
	if ((url = repo_remote_url(remote ? remote : "production")) == NULL ||
	    gateway_url_parse(url, &u) < 0)
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
	o.identities[0] = ed = path_join(home, ".ssh/id_ed25519");
	o.identities[1] = rsa = path_join(home, ".ssh/id_rsa");
	o.tried = "ssh-agent, ~/.ssh/id_ed25519 and ~/.ssh/id_rsa";
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
	free(ed);
	free(rsa);
	if (status < 0) {
		cmd_fail();
		return REMOTE_FAIL;
	}
	return status;
}
