/*
 * sshconfig.c - read ~/.ssh/config for one host as OpenSSH does: Host blocks
 * whose patterns match, first value wins, IdentityFile accumulates. Only the
 * keywords `slipway remote` uses are kept; the rest are skipped unread.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "gateway/sshconfig.h"

#define SSH_CONFIG_MAX (1u << 20)

/* `*` and `?` wildcards, case-insensitive, as OpenSSH's match_pattern(). */
static int
wildcard(const char *p, const char *s)
{
	for (; *p != '\0'; p++, s++) {
		if (*p == '*') {
			while (p[1] == '*')
				p++;
			if (p[1] == '\0')
				return 1;
			for (; *s != '\0'; s++) {
				if (wildcard(p + 1, s))
					return 1;
			}
			return 0;
		}
		if (*s == '\0')
			return 0;
		if (*p != '?' && tolower((unsigned char)*p) !=
		    tolower((unsigned char)*s))
			return 0;
	}
	return *s == '\0';
}

int
sshconfig_host_matches(const char *patterns, const char *host)
{
	char *list = xstrdup(patterns), *p = list, *pat;
	int matched = 0, negated = 0;

	while (*p != '\0') {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		pat = p;
		p += strcspn(p, " \t");
		if (*p != '\0')
			*p++ = '\0';
		if (pat[0] == '!') {
			if (wildcard(pat + 1, host))
				negated = 1;
		} else if (wildcard(pat, host))
			matched = 1;
	}
	free(list);
	return matched && !negated;
}

/* Expand ~ at the start and the %-tokens of value into *out (allocated). */
static int
expand(const char *value, const char *home, const char *local_user,
    const char *host, const char *ruser, char **out)
{
	struct buf b = BUF_INIT;
	const char *p = value;

	*out = NULL;
	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
		buf_adds(&b, home);
		p++;
	}
	for (; *p != '\0'; p++) {
		if (*p != '%') {
			buf_addch(&b, *p);
			continue;
		}
		switch (*++p) {
		case '%': buf_addch(&b, '%'); break;
		case 'd': buf_adds(&b, home); break;
		case 'u': buf_adds(&b, local_user); break;
		case 'h': buf_adds(&b, host); break;
		case 'r': buf_adds(&b, ruser); break;
		default:
			buf_release(&b);
			return error_set("\"%s\": unknown token %%%c", value,
			    *p ? *p : ' ');
		}
	}
	*out = buf_detach(&b, NULL);
	return 0;
}

/* One value: surrounding double quotes dropped. */
static char *
unquote(const char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
		return xstrndup(v + 1, n - 2);
	return xstrdup(v);
}

int
sshconfig_parse(const char *text, const char *file, const char *host,
    const char *home, const char *local_user, struct ssh_host *out)
{
	struct strv raw = STRV_INIT;
	char *copy = xstrdup(text), *line, *next, *final_host = NULL;
	int active = 1, lineno = 0, rc = -1;
	size_t i;

	for (line = copy; line != NULL; line = next) {
		char *kw, *val, *end;
		size_t n;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line += strspn(line, " \t\r");
		if (*line == '\0' || *line == '#')
			continue;
		kw = line;
		n = strcspn(kw, " \t=");
		val = kw + n;
		val += strspn(val, " \t");
		if (*val == '=')
			val++;
		val += strspn(val, " \t");
		kw[n] = '\0';
		end = val + strlen(val);
		while (end > val && strchr(" \t\r", end[-1]) != NULL)
			*--end = '\0';
		if (*val == '\0') {
			error_set("%s:%d: \"%s\" has no value", file, lineno, kw);
			goto done;
		}
		if (strcasecmp(kw, "Host") == 0) {
			active = sshconfig_host_matches(val, host);
			continue;
		}
		if (strcasecmp(kw, "Match") == 0) {
			active = 0;   /* not supported: its settings are skipped */
			continue;
		}
		if (!active)
			continue;
		if (strcasecmp(kw, "HostName") == 0 && out->hostname == NULL)
			out->hostname = unquote(val);
		else if (strcasecmp(kw, "User") == 0 && out->user == NULL)
			out->user = unquote(val);
		else if (strcasecmp(kw, "Port") == 0 && out->port == 0) {
			long port;

			if (parse_long(val, &port) < 0 || port < 1 || port > 65535) {
				error_set("%s:%d: bad Port \"%s\"", file, lineno,
				    val);
				goto done;
			}
			out->port = (int)port;
		} else if (strcasecmp(kw, "IdentityFile") == 0)
			strv_push_owned(&raw, unquote(val));
	}
	/* Tokens are expanded once every value is known, as OpenSSH does. */
	if (out->hostname != NULL) {
		if (expand(out->hostname, home, local_user, host, "",
		    &final_host) < 0) {
			error_set("%s: HostName %s", file, error_last());
			goto done;
		}
		free(out->hostname);
		out->hostname = final_host;
	}
	for (i = 0; i < raw.n; i++) {
		char *path;

		if (expand(raw.v[i], home, local_user, out->hostname ?
		    out->hostname : host, out->user ? out->user : local_user,
		    &path) < 0) {
			error_set("%s: IdentityFile %s", file, error_last());
			goto done;
		}
		strv_push_owned(&out->identities, path);
	}
	rc = 0;
done:
	strv_clear(&raw);
	free(copy);
	return rc;
}

int
sshconfig_load(const char *file, const char *host, const char *home,
    const char *local_user, struct ssh_host *out)
{
	struct buf text = BUF_INIT;
	int rc;

	if (!path_exists(file))
		return 0;
	if (read_file(file, &text, SSH_CONFIG_MAX) < 0)
		return -1;
	rc = sshconfig_parse(text.buf, file, host, home, local_user, out);
	buf_release(&text);
	return rc;
}

void
ssh_host_dispose(struct ssh_host *h)
{
	free(h->hostname);
	free(h->user);
	strv_clear(&h->identities);
	h->hostname = h->user = NULL;
	h->port = 0;
}
