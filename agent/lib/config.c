/*
 * config.c - read the server configuration with inih.
 *
 * inih is fed one line at a time through a reader of our own, which counts
 * lines (the handler has no line number), strips leading blanks (so an
 * indented key is a key, not a continuation of the previous value) and reads
 * the [section] headers itself: inih truncates long section names and never
 * tells the handler about a section without keys, and both matter here.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "lib/config.h"
#include "lib/names.h"
#include "lib/util.h"

#define CONFIG_MAX (1u << 20)

enum section {
	SEC_NONE,
	SEC_SERVER,
	SEC_DEPLOY,
	SEC_PROXY,
	SEC_SSH,
	SEC_NOTIFY,
	SEC_TLS,
	SEC_REGISTRY,
	SEC_APP,
	SEC_REGHOST,	/* [registry "HOST"] */
};

static const char *section_names[] = {
	[SEC_SERVER] = "server",
	[SEC_DEPLOY] = "deploy",
	[SEC_PROXY] = "proxy",
	[SEC_SSH] = "ssh",
	[SEC_NOTIFY] = "notify",
	[SEC_TLS] = "tls",
	[SEC_REGISTRY] = "registry",
};

enum type {
	T_PATH,   /* an absolute path */
	T_STRING, /* anything not empty */
	T_HOST,   /* unix:///path or tcp://host:port */
	T_BRANCH, /* a branch name */
	T_LONG,   /* an integer from min to max */
	T_MODE,   /* post-receive | atomic */
	T_ALLOW,  /* comma-separated ALLOW_* words */
	T_LISTEN, /* PORT or IPv4:PORT */
	T_APP,    /* an app name */
	T_URL,    /* http(s)://...; repeatable, each line adds one */
	T_APP_URL,    /* the same for the current [app] */
	T_APP_SECRET, /* a string of the current [app] */
	T_RESTART, /* no | always | unless-stopped | on-failure */
	T_BOOL,   /* yes | no */
	T_ONE_URL, /* https://... or http://..., no blanks */
	T_PUSH,   /* HOST[:PORT]/PREFIX */
	T_TARGET, /* engine | swarm */
};

struct key {
	enum section section;
	const char *name;
	enum type type;
	size_t off;     /* of the char * or long in struct config */
	long min, max;
};

#define S(f) offsetof(struct config, f)
static const struct key keys[] = {
	{ SEC_SERVER, "repos_dir", T_PATH, S(repos_dir), 0, 0 },
	{ SEC_SERVER, "state_dir", T_PATH, S(state_dir), 0, 0 },
	{ SEC_SERVER, "docker_host", T_HOST, S(docker_host), 0, 0 },
	{ SEC_DEPLOY, "branch", T_BRANCH, S(branch), 0, 0 },
	{ SEC_DEPLOY, "health_timeout", T_LONG, S(health_timeout), 1, 3600 },
	{ SEC_DEPLOY, "min_uptime", T_LONG, S(min_uptime), 0, 600 },
	{ SEC_DEPLOY, "keep_releases", T_LONG, S(keep_releases), 1, 1000 },
	{ SEC_DEPLOY, "mode", T_MODE, S(atomic), 0, 0 },
	{ SEC_DEPLOY, "engine_retry", T_LONG, S(engine_retry), 0, 3600 },
	{ SEC_DEPLOY, "default_restart", T_RESTART, S(default_restart), 0, 0 },
	{ SEC_PROXY, "sites_dir", T_PATH, S(sites_dir), 0, 0 },
	{ SEC_PROXY, "listen", T_LISTEN, S(listen), 0, 0 },
	{ SEC_PROXY, "reload", T_STRING, S(reload), 0, 0 },
	{ SEC_PROXY, "check", T_STRING, S(check), 0, 0 },
	{ SEC_PROXY, "default_app", T_APP, S(default_app), 0, 0 },
	{ SEC_DEPLOY, "timeout", T_LONG, S(deploy_timeout), 10, 86400 },
	{ SEC_SSH, "authorized_keys", T_PATH, S(authorized_keys), 0, 0 },
	{ SEC_NOTIFY, "url", T_URL, S(notify_urls), 0, 0 },
	{ SEC_NOTIFY, "secret", T_STRING, S(notify_secret), 0, 0 },
	{ SEC_NOTIFY, "timeout", T_LONG, S(notify_timeout), 1, 120 },
	{ SEC_NOTIFY, "retries", T_LONG, S(notify_retries), 0, 10 },
	{ SEC_APP, "allow", T_ALLOW, 0, 0, 0 },
	{ SEC_APP, "notify_url", T_APP_URL, 0, 0, 0 },
	{ SEC_APP, "notify_secret", T_APP_SECRET, 0, 0, 0 },
	{ SEC_TLS, "enabled", T_BOOL, S(tls_enabled), 0, 0 },
	{ SEC_TLS, "acme_directory", T_ONE_URL, S(acme_directory), 0, 0 },
	{ SEC_TLS, "email", T_STRING, S(acme_email), 0, 0 },
	{ SEC_TLS, "listen", T_LISTEN, S(tls_listen), 0, 0 },
	{ SEC_TLS, "client", T_STRING, S(acme_client), 0, 0 },
	{ SEC_TLS, "timeout", T_LONG, S(acme_timeout), 5, 3600 },
	{ SEC_TLS, "wait", T_LONG, S(acme_wait), 0, 3600 },
	{ SEC_APP, "tls", T_BOOL, 0, 0, 0 },
	{ SEC_REGISTRY, "push", T_PUSH, S(push), 0, 0 },
	{ SEC_REGISTRY, "push_required", T_BOOL, S(push_required), 0, 0 },
	{ SEC_APP, "push", T_PUSH, 0, 0, 0 },
	{ SEC_DEPLOY, "target", T_TARGET, S(swarm), 0, 0 },
	{ SEC_APP, "target", T_TARGET, 0, 0, 0 },
	{ SEC_REGHOST, "username", T_STRING, 0, 0, 0 },
	{ SEC_REGHOST, "password_file", T_PATH, 0, 0, 0 },
};
#undef S
_Static_assert(sizeof keys / sizeof keys[0] <= 64, "seen is a 64-bit mask");

static const struct {
	const char *word;
	unsigned flag;
} allow_words[] = {
	{ "privileged", ALLOW_PRIVILEGED },
	{ "host-binds", ALLOW_HOST_BINDS },
	{ "host-network", ALLOW_HOST_NETWORK },
	{ "caps", ALLOW_CAPS },
	{ "security-opt", ALLOW_SECURITY_OPT },
	{ "host-volumes", ALLOW_HOST_VOLUMES },
	{ "external-networks", ALLOW_EXTERNAL_NETWORKS },
	{ "network-drivers", ALLOW_NETWORK_DRIVERS },
	{ "sysctls", ALLOW_SYSCTLS },
	{ "ulimits", ALLOW_ULIMITS },
	{ "logging", ALLOW_LOGGING },
	{ "low-ports", ALLOW_LOW_PORTS },
	{ "runtime", ALLOW_RUNTIME },
};

const char *
config_allow_word(unsigned flag)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(allow_words); i++) {
		if (allow_words[i].flag == flag)
			return allow_words[i].word;
	}
	return NULL;
}

const char *
config_allow_words(void)
{
	static char all[256];
	size_t i, len = 0;

	if (all[0] == '\0') {
		for (i = 0; i < ARRAY_SIZE(allow_words) && len < sizeof all; i++)
			len += (size_t)snprintf(all + len, sizeof all - len,
			    "%s%s", i > 0 ? ", " : "", allow_words[i].word);
	}
	return all;
}

struct parse {
	struct config *cfg;
	const char *file;       /* as named, for messages */
	const char *next;       /* the next line of the text */
	int line;               /* of the line last handed to inih */
	int err_line;           /* of the first error, or 0 */
	enum section section;
	struct config_app *app; /* the current [app "NAME"] */
	struct config_registry *reg; /* the current [registry "HOST"] */
	unsigned long long seen; /* bit i: keys[i] was set (apps: app_seen) */
	unsigned long long app_seen;
};

/* Record the first error at the current line; returns 0 for inih. */
static int PRINTF_LIKE(2, 3)
parse_error(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (p->err_line != 0)
		return 0;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	error_set("%s:%d: %s", p->file, p->line, msg);
	free(msg);
	p->err_line = p->line;
	return 0;
}

/* "[deploy]" or "[app "web"]" for messages. */
static char *
section_label(const struct parse *p)
{
	if (p->section == SEC_APP)
		return xasprintf("[app \"%s\"]", p->app->name);
	if (p->section == SEC_REGHOST)
		return xasprintf("[registry \"%s\"]", p->reg->host);
	return xasprintf("[%s]", section_names[p->section]);
}

int
config_check_registry_host(const char *host)
{
	const char *colon = strchr(host, ':');
	size_t n = strspn(host, "abcdefghijklmnopqrstuvwxyz0123456789.-");
	long port;

	if (n == 0 || *host == '.' || *host == '-' ||
	    (host[n] != '\0' && host + n != colon) ||
	    (colon != NULL && (parse_long(colon + 1, &port) < 0 || port < 1 ||
	    port > 65535)))
		return error_set("\"%s\" is not a registry host (HOST or "
		    "HOST:PORT, lowercase)", host);
	return 0;
}

/* HOST[:PORT]/PREFIX: a registry host, then lowercase path components. */
static int
check_push(const char *v)
{
	const char *slash = strchr(v, '/'), *c;
	char *host;
	int rc;

	if (slash == NULL || slash[1] == '\0')
		return -1;
	host = xstrndup(v, (size_t)(slash - v));
	rc = config_check_registry_host(host);
	free(host);
	if (rc < 0)
		return -1;
	for (c = slash + 1; *c != '\0'; c++) {
		if (*c == '/' && (c[-1] == '/' || c[1] == '\0'))
			return -1;
		if (strchr("abcdefghijklmnopqrstuvwxyz0123456789._-/", *c) == NULL)
			return -1;
	}
	return 0;
}

/* [registry "HOST"]: text is the whole header text. */
static int
parse_registry_section(struct parse *p, const char *text)
{
	struct config_registry *r;
	const char *name = text + 8, *end;
	char *host;

	while (isblank((unsigned char)*name))
		name++;
	end = name + strlen(name);
	if (end - name < 2 || *name != '"' || end[-1] != '"')
		return parse_error(p, "expected [registry \"HOST\"], not [%s]",
		    text), -1;
	host = xstrndup(name + 1, (size_t)(end - name - 2));
	if (config_check_registry_host(host) < 0) {
		parse_error(p, "%s", error_last());
		free(host);
		return -1;
	}
	for (r = p->cfg->registries; r != NULL; r = r->next) {
		if (strcmp(r->host, host) == 0) {
			parse_error(p, "duplicate section [registry \"%s\"]",
			    host);
			free(host);
			return -1;
		}
	}
	r = xcalloc(1, sizeof *r);
	r->host = host;
	r->next = p->cfg->registries;
	p->cfg->registries = r;
	p->reg = r;
	p->app_seen = 0;
	p->section = SEC_REGHOST;
	return 0;
}

/* Parse the text inside [ ] into p->section (and a new p->app). */
static int
parse_section(struct parse *p, const char *s, size_t len)
{
	struct config_app *a;
	char *text, *name = NULL, *end;
	size_t i;
	int rc = -1;

	while (len > 0 && isblank((unsigned char)*s))
		s++, len--;
	while (len > 0 && isblank((unsigned char)s[len - 1]))
		len--;
	text = xstrndup(s, len);
	for (i = 1; i < ARRAY_SIZE(section_names); i++) {
		if (strcmp(text, section_names[i]) == 0) {
			p->section = (enum section)i;
			rc = 0;
			goto done;
		}
	}
	if (strncmp(text, "registry", 8) == 0 &&
	    isblank((unsigned char)text[8])) {
		rc = parse_registry_section(p, text);
		goto done;
	}
	if (strncmp(text, "app", 3) != 0 || (text[3] != '\0' &&
	    !isblank((unsigned char)text[3]))) {
		parse_error(p, "unknown section [%s]", text);
		goto done;
	}
	name = text + 3;
	while (isblank((unsigned char)*name))
		name++;
	end = name + strlen(name);
	while (end > name && isblank((unsigned char)end[-1]))
		end--;
	if (end - name < 2 || *name != '"' || end[-1] != '"') {
		parse_error(p, "expected [app \"NAME\"], not [%s]", text);
		goto done;
	}
	*--end = '\0';
	name++;
	if (name_check_app(name) < 0) {
		parse_error(p, "%s", error_last());
		goto done;
	}
	for (a = p->cfg->apps; a != NULL; a = a->next) {
		if (strcmp(a->name, name) == 0) {
			parse_error(p, "duplicate section [app \"%s\"]", name);
			goto done;
		}
	}
	a = xcalloc(1, sizeof *a);
	a->name = xstrdup(name);
	a->tls = -1;
	a->swarm = -1;
	a->next = p->cfg->apps;
	p->cfg->apps = a;
	p->app = a;
	p->app_seen = 0;
	p->section = SEC_APP;
	rc = 0;
done:
	free(text);
	return rc;
}

/*
 * The ini_reader: copy the next line, without leading blanks and newline,
 * into str. Section headers are parsed here and handed to inih as blank
 * lines. After an error, stop.
 */
static char *
reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	const char *s = p->next, *nl, *close, *rest;
	size_t len;

	if (p->err_line != 0 || *s == '\0')
		return NULL;
	p->line++;
	nl = strchr(s, '\n');
	len = nl != NULL ? (size_t)(nl - s) : strlen(s);
	p->next = s + len + (nl != NULL);
	if (p->line == 1 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3, len -= 3; /* a UTF-8 byte order mark */
	while (len > 0 && isspace((unsigned char)*s))
		s++, len--;
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	str[0] = '\0';
	if (len + 1 > (size_t)num) {
		parse_error(p, "line longer than %d characters", num - 1);
		return str;
	}
	if (len > 0 && *s == '[') {
		if ((close = memchr(s, ']', len)) == NULL)
			return parse_error(p, "expected \"[section]\""), str;
		for (rest = close + 1; rest < s + len; rest++) {
			if (!isblank((unsigned char)*rest))
				break;
		}
		if (rest < s + len && *rest != ';' && *rest != '#')
			parse_error(p, "unexpected text after \"[section]\"");
		else	/* parse_error() records a failure in p */
			ignore_status(parse_section(p, s + 1,
			    (size_t)(close - s - 1)));
		return str;
	}
	memcpy(str, s, len);
	str[len] = '\0';
	return str;
}

static int
check_host(const char *v)
{
	const char *host, *colon;
	size_t n;
	long port;

	if (starts_with(v, "unix://"))
		return v[7] == '/' && v[8] != '\0' ? 0 : -1;
	if (!starts_with(v, "tcp://"))
		return -1;
	host = v + 6;
	if (*host == '[') {
		n = strspn(host + 1, "0123456789abcdefABCDEF:.");
		if (n == 0 || host[n + 1] != ']')
			return -1;
		colon = host + n + 2;
	} else {
		n = strspn(host, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
		if (n == 0)
			return -1;
		colon = host + n;
	}
	if (*colon != ':' || parse_long(colon + 1, &port) < 0 || port < 1 ||
	    port > 65535)
		return -1;
	return 0;
}

static int
set_allow(struct parse *p, const char *label, const char *value)
{
	char *copy = xstrdup(value), *word, *next, *end;
	unsigned allow = 0;
	size_t i;
	int rc = 0;

	for (word = copy; word != NULL && rc == 0; word = next) {
		if ((next = strchr(word, ',')) != NULL)
			*next++ = '\0';
		while (isblank((unsigned char)*word))
			word++;
		end = word + strlen(word);
		while (end > word && isblank((unsigned char)end[-1]))
			*--end = '\0';
		if (*word == '\0' && next == NULL && word == copy)
			break; /* allow = (nothing) */
		for (i = 0; i < ARRAY_SIZE(allow_words); i++) {
			if (strcmp(word, allow_words[i].word) == 0)
				break;
		}
		if (i == ARRAY_SIZE(allow_words))
			rc = parse_error(p, "%s unknown \"allow\" value \"%s\" "
			    "(expected one of %s)", label, word,
			    config_allow_words());
		else
			allow |= allow_words[i].flag;
	}
	if (rc == 0)
		p->app->allow = allow;
	free(copy);
	return rc;
}

/* "80" or "127.0.0.1:8080": what nginx's listen takes, digits and dots only. */
static int
check_listen(const char *v)
{
	const char *colon = strrchr(v, ':');
	long port;

	if (colon != NULL) {
		struct in_addr a;
		char *ip = xstrndup(v, (size_t)(colon - v));
		int ok = inet_pton(AF_INET, ip, &a) == 1;

		free(ip);
		if (!ok)
			return -1;
		v = colon + 1;
	}
	if (parse_long(v, &port) < 0 || port < 1 || port > 65535)
		return -1;
	return 0;
}

static int
check_url(const char *v)
{
	const char *s;

	if (!starts_with(v, "http://") && !starts_with(v, "https://"))
		return -1;
	for (s = v; *s != '\0'; s++) {
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return -1;
	}
	return strlen(v) > 2048 ? -1 : 0;
}

/* Validate value for k and store it; 1, or 0 after parse_error(). */
static int
set_value(struct parse *p, const struct key *k, const char *label,
    const char *value)
{
	char **str = (char **)((char *)p->cfg + k->off);
	long *num = (long *)((char *)p->cfg + k->off);
	long n;

	switch (k->type) {
	case T_PATH:
		if (value[0] != '/')
			return parse_error(p, "%s \"%s\" must be an absolute "
			    "path", label, k->name);
		if (p->section == SEC_REGHOST)
			str = &p->reg->password_file;
		break;
	case T_STRING:
		if (value[0] == '\0')
			return parse_error(p, "%s \"%s\" must not be empty",
			    label, k->name);
		if (p->section == SEC_REGHOST)
			str = &p->reg->username;
		break;
	case T_HOST:
		if (check_host(value) < 0)
			return parse_error(p, "%s \"%s\" must be unix:///path "
			    "or tcp://host:port, not \"%s\"", label, k->name,
			    value);
		break;
	case T_APP:
		if (name_check_app(value) < 0)
			return parse_error(p, "%s \"%s\": %s", label, k->name,
			    error_last());
		break;
	case T_BRANCH:
		if (name_check_rev(value) < 0)
			return parse_error(p, "%s \"%s\": %s", label, k->name,
			    error_last());
		if (starts_with(value, "refs/") || strcmp(value, "HEAD") == 0)
			return parse_error(p, "%s \"%s\" must be a branch name "
			    "such as \"main\", not \"%s\"", label, k->name,
			    value);
		break;
	case T_LONG:
		if (parse_long(value, &n) < 0 || n < k->min || n > k->max)
			return parse_error(p, "%s \"%s\" must be a number from "
			    "%ld to %ld", label, k->name, k->min, k->max);
		*num = n;
		return 1;
	case T_MODE:
		if (strcmp(value, "post-receive") != 0 &&
		    strcmp(value, "atomic") != 0)
			return parse_error(p, "%s \"%s\" must be \"post-receive\" "
			    "or \"atomic\"", label, k->name);
		p->cfg->atomic = strcmp(value, "atomic") == 0;
		return 1;
	case T_ALLOW:
		return set_allow(p, label, value) == 0;
	case T_RESTART:
		if (strcmp(value, "no") != 0 && strcmp(value, "always") != 0 &&
		    strcmp(value, "unless-stopped") != 0 &&
		    strcmp(value, "on-failure") != 0)
			return parse_error(p, "%s \"%s\" must be \"no\", "
			    "\"always\", \"unless-stopped\" or \"on-failure\"",
			    label, k->name);
		break;
	case T_BOOL:
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return parse_error(p, "%s \"%s\" must be \"yes\" or "
			    "\"no\"", label, k->name);
		if (p->section == SEC_APP)
			p->app->tls = strcmp(value, "yes") == 0;
		else
			*num = strcmp(value, "yes") == 0;
		return 1;
	case T_ONE_URL:
		if ((!starts_with(value, "https://") &&
		    !starts_with(value, "http://")) ||
		    strcspn(value, " \t\"'\\") != strlen(value))
			return parse_error(p, "%s \"%s\" must be an http(s) URL",
			    label, k->name);
		break;
	case T_PUSH:
		if (check_push(value) < 0)
			return parse_error(p, "%s \"%s\" must be "
			    "HOST[:PORT]/PREFIX (lowercase), not \"%s\"", label,
			    k->name, value);
		if (p->section == SEC_APP)
			str = &p->app->push;
		break;
	case T_TARGET:
		if (strcmp(value, "engine") != 0 && strcmp(value, "swarm") != 0)
			return parse_error(p, "%s \"%s\" must be \"engine\" or "
			    "\"swarm\"", label, k->name);
		if (p->section == SEC_APP)
			p->app->swarm = strcmp(value, "swarm") == 0;
		else
			*num = strcmp(value, "swarm") == 0;
		return 1;
	case T_LISTEN:
		if (check_listen(value) < 0)
			return parse_error(p, "%s \"%s\" must be PORT or "
			    "ADDRESS:PORT, not \"%s\"", label, k->name, value);
		break;
	case T_URL:
	case T_APP_URL:
		if (check_url(value) < 0)
			return parse_error(p, "%s \"%s\" must be an http:// or "
			    "https:// URL without blanks", label, k->name);
		strv_push(k->type == T_URL ? &p->cfg->notify_urls :
		    &p->app->notify_urls, value);
		return 1;
	case T_APP_SECRET:
		if (value[0] == '\0')
			return parse_error(p, "%s \"%s\" must not be empty",
			    label, k->name);
		free(p->app->notify_secret);
		p->app->notify_secret = xstrdup(value);
		return 1;
	}
	free(*str);
	*str = xstrdup(value);
	return 1;
}

/* The ini_handler: one "name = value" line of the current section. */
static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	unsigned long long *seen = p->section == SEC_APP ||
	    p->section == SEC_REGHOST ? &p->app_seen : &p->seen;
	char *label;
	size_t i;
	int rc;

	(void)section; /* inih's copy may be truncated: we track our own */
	if (p->err_line != 0)
		return 0;
	if (p->section == SEC_NONE)
		return parse_error(p, "key \"%s\" outside of any section", name);
	label = section_label(p);
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		if (keys[i].section == p->section &&
		    strcmp(keys[i].name, name) == 0)
			break;
	}
	if (i == ARRAY_SIZE(keys))
		rc = parse_error(p, "%s unknown key \"%s\"", label, name);
	else if ((*seen & (1ull << i)) && keys[i].type != T_URL &&
	    keys[i].type != T_APP_URL)
		rc = parse_error(p, "%s duplicate key \"%s\"", label, name);
	else {
		*seen |= 1ull << i;
		rc = set_value(p, &keys[i], label, value);
	}
	free(label);
	return rc;
}

static void
set_defaults(struct config *cfg)
{
	cfg->repos_dir = xstrdup("/srv/slipway/repos");
	cfg->state_dir = xstrdup("/var/lib/slipway");
	cfg->docker_host = xstrdup("unix:///var/run/docker.sock");
	cfg->branch = xstrdup("main");
	cfg->health_timeout = 60;
	cfg->min_uptime = 3;
	cfg->keep_releases = 5;
	cfg->atomic = 1;
	cfg->engine_retry = 60;
	cfg->default_restart = xstrdup("unless-stopped");
	cfg->sites_dir = xstrdup("/etc/nginx/conf.d");
	cfg->listen = xstrdup("80");
	cfg->reload = xstrdup("nginx -s reload");
	cfg->check = xstrdup("nginx -t");
	cfg->deploy_timeout = 1800;
	cfg->notify_timeout = 5;
	cfg->notify_retries = 3;
	cfg->tls_enabled = 1;
	cfg->acme_directory = xstrdup("https://acme-v02.api.letsencrypt.org/"
	    "directory");
	cfg->tls_listen = xstrdup("443");
	cfg->acme_client = xstrdup("uacme");
	cfg->acme_timeout = 60;
	cfg->acme_wait = 10;
	cfg->push_required = 1;
}

char *
config_git_home(void)
{
	const struct passwd *pw = getpwnam("git");

	return pw != NULL && pw->pw_dir[0] == '/' ? xstrdup(pw->pw_dir) : NULL;
}

const char *
config_authorized_keys(struct config *cfg)
{
	char *home;

	if (cfg->authorized_keys == NULL && !cfg->authorized_keys_looked_up &&
	    (home = config_git_home()) != NULL) {
		cfg->authorized_keys = path_join(home, ".ssh/authorized_keys");
		free(home);
	}
	cfg->authorized_keys_looked_up = 1;
	return cfg->authorized_keys;
}

int
config_load(struct config *cfg, const char *path)
{
	struct parse p;
	struct buf text = BUF_INIT;
	int rc = -1, line;

	memset(cfg, 0, sizeof *cfg);
	set_defaults(cfg);
	if (path == NULL) {
		if (!path_exists(CONFIG_DEFAULT_PATH))
			return 0;
		path = CONFIG_DEFAULT_PATH;
	}
	if (read_file(path, &text, CONFIG_MAX) < 0)
		goto done;
	if (strlen(text.buf) != text.len) {
		error_set("%s: contains a NUL byte", path);
		goto done;
	}
	memset(&p, 0, sizeof p);
	p.cfg = cfg;
	p.file = path;
	p.next = text.buf;
	line = ini_parse_stream(reader, &p, handler, &p);
	if (line > 0 && (p.err_line == 0 || line < p.err_line)) {
		error_set("%s:%d: syntax error: expected \"[section]\" or "
		    "\"key = value\"", path, line);
		goto done;
	}
	if (line < 0) {
		error_set("%s: cannot parse", path);
		goto done;
	}
	if (p.err_line != 0)
		goto done;
	if ((cfg->path = path_absolute(path)) == NULL)
		goto done;
	rc = 0;
done:
	buf_release(&text);
	return rc;
}

void
config_dispose(struct config *cfg)
{
	struct config_app *a, *next;
	struct config_registry *r, *rnext;

	free(cfg->path);
	free(cfg->repos_dir);
	free(cfg->state_dir);
	free(cfg->docker_host);
	free(cfg->branch);
	free(cfg->default_restart);
	free(cfg->sites_dir);
	free(cfg->reload);
	free(cfg->check);
	free(cfg->default_app);
	free(cfg->listen);
	free(cfg->authorized_keys);
	strv_clear(&cfg->notify_urls);
	free(cfg->notify_secret);
	free(cfg->acme_directory);
	free(cfg->acme_email);
	free(cfg->tls_listen);
	free(cfg->acme_client);
	free(cfg->push);
	for (a = cfg->apps; a != NULL; a = next) {
		next = a->next;
		strv_clear(&a->notify_urls);
		free(a->notify_secret);
		free(a->name);
		free(a->push);
		free(a);
	}
	for (r = cfg->registries; r != NULL; r = rnext) {
		rnext = r->next;
		free(r->host);
		free(r->username);
		free(r->password_file);
		free(r);
	}
	memset(cfg, 0, sizeof *cfg);
}

unsigned
config_app_allow(const struct config *cfg, const char *app)
{
	const struct config_app *a;

	for (a = cfg->apps; a != NULL; a = a->next) {
		if (strcmp(a->name, app) == 0)
			return a->allow;
	}
	return 0;
}

const struct config_app *
config_app(const struct config *cfg, const char *app)
{
	const struct config_app *a;

	for (a = cfg->apps; a != NULL; a = a->next) {
		if (strcmp(a->name, app) == 0)
			return a;
	}
	return NULL;
}

int
config_app_tls(const struct config *cfg, const char *app)
{
	const struct config_app *a;

	if (!cfg->tls_enabled)
		return 0;
	for (a = cfg->apps; a != NULL; a = a->next) {
		if (strcmp(a->name, app) == 0 && a->tls >= 0)
			return a->tls;
	}
	return 1;
}

const char *
config_app_push(const struct config *cfg, const char *app)
{
	const struct config_app *a;

	for (a = cfg->apps; a != NULL; a = a->next) {
		if (strcmp(a->name, app) == 0 && a->push != NULL)
			return a->push;
	}
	return cfg->push;
}

int
config_app_swarm(const struct config *cfg, const char *app)
{
	const struct config_app *a;

	for (a = cfg->apps; a != NULL; a = a->next) {
		if (strcmp(a->name, app) == 0 && a->swarm >= 0)
			return a->swarm;
	}
	return cfg->swarm != 0;
}

const struct config_registry *
config_registry_find(const struct config *cfg, const char *host)
{
	const struct config_registry *r;

	for (r = cfg->registries; r != NULL; r = r->next) {
		if (strcmp(r->host, host) == 0)
			return r;
	}
	return NULL;
}

int
config_registry_password(const struct config_registry *r, char **out)
{
	struct buf b = BUF_INIT;
	struct stat st;
	int fd, rc = -1;

	*out = NULL;
	if (r->password_file == NULL)
		return error_set("[registry \"%s\"] has a username but no "
		    "password_file", r->host);
	if ((fd = open(r->password_file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return error_set("[registry \"%s\"] cannot open password_file "
		    "\"%s\": %s", r->host, r->password_file, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		error_set("[registry \"%s\"] password_file \"%s\" is not a "
		    "regular file", r->host, r->password_file);
		goto done;
	}
	if ((st.st_mode & 077) != 0) {
		error_set("[registry \"%s\"] password_file \"%s\" is accessible "
		    "to group or others (mode %04o): chmod 600 it", r->host,
		    r->password_file, (unsigned)(st.st_mode & 07777));
		goto done;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		error_set("[registry \"%s\"] password_file \"%s\" must belong "
		    "to root or to the user slipway runs as", r->host,
		    r->password_file);
		goto done;
	}
	b.max = 4096;
	for (;;) {
		char chunk[512];
		ssize_t n = read(fd, chunk, sizeof chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error_set("[registry \"%s\"] cannot read password_file "
			    "\"%s\": %s", r->host, r->password_file,
			    strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		buf_add(&b, chunk, (size_t)n);
		explicit_bzero(chunk, sizeof chunk);
	}
	if (b.overflow || strlen(b.buf) != b.len) {
		error_set("[registry \"%s\"] password_file \"%s\" is not one "
		    "line of text", r->host, r->password_file);
		goto done;
	}
	while (b.len > 0 && (b.buf[b.len - 1] == '\n' || b.buf[b.len - 1] == '\r'))
		b.buf[--b.len] = '\0';
	if (b.len == 0) {
		error_set("[registry \"%s\"] password_file \"%s\" is empty",
		    r->host, r->password_file);
		goto done;
	}
	*out = buf_detach(&b, NULL);
	rc = 0;
done:
	if (b.buf != NULL && b.len > 0)
		explicit_bzero(b.buf, b.len);
	buf_release(&b);
	close(fd);
	return rc;
}
