/*
 * gateway.c - the SSH gateway's pure parts: split and quote the command an
 * SSH client sent, check git's commands, decide whether a key's grant allows
 * a request, and parse remote URLs.
 * Everything parsed here comes from a pusher or an operator's file: no shell
 * ever sees it, and messages quote it only through shown().
 */
#include <stdlib.h>
#include <string.h>

#include "gateway/gateway.h"
#include "lib/names.h"
#include "lib/util.h"

static int
is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Characters a word may hold outside quotes: none means anything to sh. */
static int
is_bare(int c)
{
	return is_alnum(c) || (c != '\0' && strchr("_-.,/:=@+%", c) != NULL);
}

int
gateway_split(const char *s, struct strv *words)
{
	struct buf w = BUF_INIT;
	char tmp[SHOWN_MAX + 4];
	const char *p, *q;
	size_t n = 0;
	int in_word = 0, rc = -1;

	if (strlen(s) > GATEWAY_COMMAND_MAX)
		return error_set("command longer than %d bytes",
		    GATEWAY_COMMAND_MAX);
	for (p = s; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return error_set("control character in command \"%s\"",
			    shown(s, tmp));
	}
	for (p = s; *p != '\0';) {
		unsigned char c = (unsigned char)*p;

		if (c == ' ' || c == '\t') {
			if (in_word) {
				strv_push(words, w.buf);
				buf_reset(&w);
				in_word = 0;
			}
			p++;
			continue;
		}
		if (!in_word && ++n > GATEWAY_WORDS_MAX) {
			error_set("command has more than %d words",
			    GATEWAY_WORDS_MAX);
			goto done;
		}
		in_word = 1;
		if (c == '\'') {
			if ((q = strchr(p + 1, '\'')) == NULL) {
				error_set("unterminated quote in command \"%s\"",
				    shown(s, tmp));
				goto done;
			}
			buf_add(&w, p + 1, (size_t)(q - p - 1));
			p = q + 1;
		} else if (c == '\\') {
			if (p[1] < ' ' || p[1] >= 0x7f) {
				error_set("backslash before %s in command",
				    p[1] == '\0' ? "the end" : "a tab");
				goto done;
			}
			buf_addch(&w, p[1]);
			p += 2;
		} else if (is_bare(c)) {
			buf_addch(&w, c);
			p++;
		} else if (c >= 0x80) {
			error_set("non-ASCII character outside quotes in "
			    "command \"%s\"", shown(s, tmp));
			goto done;
		} else {
			error_set(c == '"' ? "unexpected '%c' in command \"%s\"" :
			    "unexpected \"%c\" in command \"%s\"", c,
			    shown(s, tmp));
			goto done;
		}
	}
	if (in_word)
		strv_push(words, w.buf);
	rc = 0;
done:
	buf_release(&w);
	return rc;
}

void
gateway_quote(struct buf *out, const char *word)
{
	const char *p;
	int bare = *word != '\0';

	for (p = word; *p != '\0' && bare; p++)
		bare = is_bare((unsigned char)*p);
	if (bare) {
		buf_adds(out, word);
		return;
	}
	buf_addch(out, '\'');
	for (p = word; *p != '\0'; p++) {
		if (*p == '\'')
			buf_adds(out, "'\\''");
		else
			buf_addch(out, *p);
	}
	buf_addch(out, '\'');
}

/* The commands. */

/* The app a git command's repository argument names, or -1. */
static int
repo_app(const char *arg, const char *repos_dir, char **app)
{
	char tmp[SHOWN_MAX + 4];
	size_t rlen = strlen(repos_dir), len;
	const char *p = arg;
	char *name;

	while (rlen > 1 && repos_dir[rlen - 1] == '/')
		rlen--;
	if (rlen > 1 && strncmp(p, repos_dir, rlen) == 0 && p[rlen] == '/')
		p += rlen + 1;
	else if (p[0] == '~' && p[1] == '/')
		p += 2;
	else if (p[0] == '/')
		p++;
	len = strlen(p);
	if (len > 4 && strcmp(p + len - 4, ".git") == 0)
		len -= 4;
	name = xstrndup(p, len);
	if (name_check_app(name) < 0) {
		free(name);
		return error_set("repository \"%s\" is not an app in repos_dir",
		    shown(arg, tmp));
	}
	*app = name;
	return 0;
}

int
gateway_is_git(const char *verb)
{
	return strcmp(verb, "git-receive-pack") == 0 ||
	    strcmp(verb, "git-upload-pack") == 0;
}

int
gateway_parse_git(char **w, size_t n, const char *repos_dir,
    struct gateway_cmd *cmd)
{
	size_t rlen = strlen(repos_dir);

	if (n != 2)
		return error_set("usage: %s 'APP.git'", w[0]);
	if (repo_app(w[1], repos_dir, &cmd->app) < 0)
		return -1;
	while (rlen > 1 && repos_dir[rlen - 1] == '/')
		rlen--;
	cmd->kind = GATEWAY_GIT;
	strv_push(&cmd->argv, w[0]);
	strv_push_owned(&cmd->argv, xasprintf("%.*s/%s.git", (int)rlen,
	    repos_dir, cmd->app));
	return 0;
}

void
gateway_cmd_dispose(struct gateway_cmd *cmd)
{
	free(cmd->app);
	strv_clear(&cmd->argv);
	memset(cmd, 0, sizeof *cmd);
}

/* Grants. */

int
gateway_grant_parse(struct gateway_grant *g, int argc, char **argv)
{
	char *list, *name, *next;
	int rc = 0;

	memset(g, 0, sizeof *g);
	if (argc == 1 && strcmp(argv[0], "--admin") == 0) {
		g->admin = 1;
		return 0;
	}
	if (argc != 2 || strcmp(argv[0], "--apps") != 0)
		return error_set("expected --apps APP[,APP...] or --admin");
	list = xstrdup(argv[1]);
	for (name = list; name != NULL && rc == 0; name = next) {
		if ((next = strchr(name, ',')) != NULL)
			*next++ = '\0';
		if ((rc = name_check_app(name)) == 0 &&
		    !strv_contains(&g->apps, name))
			strv_push(&g->apps, name);
	}
	free(list);
	if (rc < 0)
		gateway_grant_dispose(g);
	return rc;
}

char *
gateway_grant_format(const struct gateway_grant *g)
{
	struct buf b = BUF_INIT;
	size_t i;

	if (g->admin)
		return xstrdup("--admin");
	buf_adds(&b, "--apps ");
	for (i = 0; i < g->apps.n; i++)
		buf_addf(&b, "%s%s", i ? "," : "", g->apps.v[i]);
	return buf_detach(&b, NULL);
}

void
gateway_grant_dispose(struct gateway_grant *g)
{
	strv_clear(&g->apps);
	g->admin = 0;
}

int
gateway_permit(const struct gateway_grant *g, const struct gateway_cmd *cmd)
{
	if (g->admin || cmd->kind == GATEWAY_HELP ||
	    (cmd->any_key && cmd->app == NULL))
		return 0;
	if (cmd->admin_only)
		return error_set("\"%s %s\" needs an --admin key",
		    cmd->argv.v[0], strcmp(cmd->argv.v[0], "config") == 0 ?
		    "list --values" : cmd->argv.v[1]);
	if (cmd->app != NULL && strv_contains(&g->apps, cmd->app))
		return 0;
	return error_set("no access to app \"%s\"", cmd->app ? cmd->app : "");
}

/* Remote URLs. */

int
gateway_url_parse(const char *url, struct gateway_url *u)
{
	char tmp[SHOWN_MAX + 4];
	const char *p = url, *at, *host, *host_end, *path, *slash;
	char *last = NULL;
	long port = 22;
	size_t len;
	int scp = 0;

	memset(u, 0, sizeof *u);
	if (starts_with(p, "ssh://"))
		p += 6;
	else if (starts_with(p, "git+ssh://") || starts_with(p, "ssh+git://"))
		p += 10;
	else if (strstr(p, "://") == NULL && strchr(p, ':') != NULL &&
	    (strchr(p, '/') == NULL || strchr(p, ':') < strchr(p, '/')))
		scp = 1;
	else
		goto bad;
	for (path = p; *path != '\0'; path++) {
		if ((unsigned char)*path <= ' ' || *path == 0x7f)
			goto bad;
	}
	/* [user@]host */
	at = strchr(p, '@');
	slash = strchr(p, '/');
	if (at != NULL && (slash == NULL || at < slash) &&
	    (!scp || at < strchr(p, ':'))) {
		if (at == p)
			goto bad;
		u->user = xstrndup(p, (size_t)(at - p));
		p = at + 1;
	}
	if (*p == '[') {
		host = p + 1;
		if ((host_end = strchr(host, ']')) == NULL || host_end == host)
			goto bad;
		p = host_end + 1;
	} else {
		host = p;
		host_end = p + strcspn(p, scp ? ":" : ":/");
		p = host_end;
	}
	if (host_end == host)
		goto bad;
	u->host = xstrndup(host, (size_t)(host_end - host));
	if (strspn(u->host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-:_") != strlen(u->host))
		goto bad;
	if (scp) {
		if (*p != ':')
			goto bad;
		path = p + 1;
	} else {
		if (*p == ':') {
			char *digits = xstrndup(p + 1, strcspn(p + 1, "/"));
			int ok = parse_long(digits, &port) == 0 && port >= 1 &&
			    port <= 65535;

			free(digits);
			if (!ok)
				goto bad;
			u->port_set = 1;
			p += 1 + strcspn(p + 1, "/");
		}
		if (*p != '/')
			goto bad;
		path = p;
	}
	u->port = (int)port;
	/* The last path component, less "/" and ".git" at the end. */
	len = strlen(path);
	while (len > 0 && path[len - 1] == '/')
		len--;
	for (p = path + len; p > path && p[-1] != '/'; p--)
		;
	last = xstrndup(p, (size_t)(path + len - p));
	if (ends_with(last, ".git"))
		last[strlen(last) - 4] = '\0';
	if (name_check_app(last) < 0) {
		error_set("remote URL \"%s\" does not name an app: %s",
		    shown(url, tmp), error_last());
		free(last);
		gateway_url_dispose(u);
		return -1;
	}
	u->app = last;
	return 0;
bad:
	gateway_url_dispose(u);
	return error_set("\"%s\" is not an SSH URL (ssh://user@host[:port]/"
	    "app.git or user@host:app.git)", shown(url, tmp));
}

void
gateway_url_dispose(struct gateway_url *u)
{
	free(u->user);
	free(u->host);
	free(u->app);
	memset(u, 0, sizeof *u);
}
