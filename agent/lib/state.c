/*
 * state.c - paths under state_dir, the app's config variables and its deploy
 * lock.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/json.h"
#include "lib/names.h"
#include "lib/state.h"

#define APPVARS_MAX (1u << 20)

char *
state_app_dir(const struct config *cfg, const char *app)
{
	return xasprintf("%s/apps/%s", cfg->state_dir, app);
}

char *
state_release_dir(const struct config *cfg, const char *app,
    const char *commit)
{
	return xasprintf("%s/apps/%s/releases/%s", cfg->state_dir, app, commit);
}

char *
state_repo_path(const struct config *cfg, const char *app)
{
	return xasprintf("%s/%s.git", cfg->repos_dir, app);
}

int
appvars_check_key(const char *key)
{
	const char *p = key;

	if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_'))
		goto bad;
	for (p++; *p != '\0'; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '_'))
			goto bad;
	}
	if (p - key > 255)
		goto bad;
	return 0;
bad:
	return error_set("invalid variable name \"%.64s\": use letters, digits and _, not starting with a digit",
	    key);
}

int
appvars_load(const struct config *cfg, const char *app, struct kvlist *out)
{
	char *dir = state_app_dir(cfg, app), *path = path_join(dir, "env.json");
	struct buf b = BUF_INIT;
	json_t *obj = NULL, *v;
	json_error_t jerr;
	const char *key;
	int rc = -1;

	if (!path_exists(path)) {
		rc = 0;
		goto done;
	}
	if (read_file(path, &b, APPVARS_MAX) < 0)
		goto done;
	obj = json_loadb(b.buf, b.len, 0, &jerr);
	if (!json_is_object(obj)) {
		error_set("%s:%d: %s", path, jerr.line, jerr.text);
		goto done;
	}
	json_object_foreach(obj, key, v) {
		if (json_is_string(v))
			kvlist_set(out, key, json_string_value(v));
	}
	rc = 0;
done:
	json_decref(obj);
	buf_release(&b);
	free(path);
	free(dir);
	return rc;
}

int
appvars_save(const struct config *cfg, const char *app,
    const struct kvlist *vars)
{
	char *dir = state_app_dir(cfg, app), *path = path_join(dir, "env.json");
	json_t *obj = json_object();
	char *text = NULL;
	size_t i;
	int rc = -1;

	for (i = 0; i < vars->n; i++) {
		char *what = xasprintf("the value of \"%s\"", vars->v[i].key);
		json_t *v = jsonx_string(what,
		    vars->v[i].value ? vars->v[i].value : "");

		free(what);
		if (v == NULL || json_object_set_new(obj, vars->v[i].key, v) < 0) {
			if (v != NULL)
				error_set("cannot encode \"%s\"", vars->v[i].key);
			goto done;
		}
	}
	text = json_dumps(obj, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (text == NULL) {
		error_set("cannot encode the variables of \"%s\"", app);
		goto done;
	}
	if (mkdir_p(dir, 0700) < 0)
		goto done;
	rc = write_file_atomic(path, text, strlen(text), 0600);
done:
	free(text);
	json_decref(obj);
	free(path);
	free(dir);
	return rc;
}

static int
open_lock(const struct config *cfg, const char *app)
{
	char *dir = state_app_dir(cfg, app), *path = path_join(dir, "lock");
	int fd = -1;

	if (mkdir_p(dir, 0700) == 0) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			error_set("cannot open \"%s\": %s", path, strerror(errno));
	}
	free(path);
	free(dir);
	return fd;
}

int
state_trylock(const struct config *cfg, const char *app)
{
	int fd = open_lock(cfg, app);

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	close(fd);
	if (errno == EWOULDBLOCK)
		return STATE_LOCK_HELD;
	return error_set("cannot lock \"%s\": %s", app, strerror(errno));
}

int
state_lock(const struct config *cfg, const char *app,
    void (*waiting)(void *ctx), void *ctx)
{
	int fd = open_lock(cfg, app);

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	if (errno != EWOULDBLOCK)
		goto fail;
	if (waiting != NULL)
		waiting(ctx);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR)
			goto fail;
	}
	return fd;
fail:
	error_set("cannot lock \"%s\": %s", app, strerror(errno));
	close(fd);
	return -1;
}

/*
 * Host claims: <state_dir>/hosts.json maps each http host (lowercase) to the
 * app that serves it, changed only under an exclusive flock of
 * <state_dir>/hosts.lock so that two deploys cannot both take a name.
 */
#define HOSTS_MAX (4u << 20)

static int
hosts_lock(const struct config *cfg)
{
	char *path = xasprintf("%s/hosts.lock", cfg->state_dir);
	int fd;

	if (mkdir_p(cfg->state_dir, 0755) < 0) {
		free(path);
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		error_set("cannot open \"%s\": %s", path, strerror(errno));
	else if (flock(fd, LOCK_EX) < 0) {
		error_set("cannot lock \"%s\": %s", path, strerror(errno));
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

static json_t *
hosts_read(const struct config *cfg)
{
	char *path = xasprintf("%s/hosts.json", cfg->state_dir);
	struct buf b = BUF_INIT;
	json_t *j = NULL;
	json_error_t err;

	if (!path_exists(path))
		j = json_object();
	else if (read_file(path, &b, HOSTS_MAX) == 0) {
		j = json_loadb(b.buf, b.len, 0, &err);
		if (!json_is_object(j)) {
			json_decref(j);
			j = NULL;
			error_set("\"%s\" is not a JSON object: %s", path, err.text);
		}
	}
	buf_release(&b);
	free(path);
	return j;
}

static int
hosts_write(const struct config *cfg, json_t *j)
{
	char *path = xasprintf("%s/hosts.json", cfg->state_dir);
	char *text = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS);
	int rc;

	if (text == NULL)
		abort(); /* out of memory */
	rc = write_file_atomic(path, text, strlen(text), 0644);
	free(text);
	free(path);
	return rc;
}

static char *
lower(const char *s)
{
	char *l = xstrdup(s), *c;

	for (c = l; *c != '\0'; c++) {
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	}
	return l;
}

int
state_host_covers(const char *claim, const char *host)
{
	size_t c = strlen(claim), h = strlen(host);

	if (strcmp(claim, host) == 0)
		return 1;
	if (claim[0] == '.')          /* .example.com: it and below */
		return strcmp(claim + 1, host) == 0 || (h > c &&
		    strcmp(host + h - c, claim) == 0);
	if (starts_with(claim, "*."))  /* *.example.com */
		return h > c - 1 && strcmp(host + h - (c - 1), claim + 1) == 0;
	if (c >= 2 && strcmp(claim + c - 2, ".*") == 0) /* www.example.* */
		return h > c - 1 && strncmp(host, claim, c - 1) == 0;
	return 0;
}

int
state_claim_hosts(const struct config *cfg, const char *app,
    const struct strv *hosts, int replace)
{
	json_t *j = NULL;
	const char *key;
	json_t *v, *tmp;
	size_t i;
	int fd, rc = -1;

	if ((fd = hosts_lock(cfg)) < 0)
		return -1;
	if ((j = hosts_read(cfg)) == NULL)
		goto done;
	for (i = 0; i < hosts->n; i++) {
		char *h = lower(hosts->v[i]);
		const char *owner = NULL;

		json_object_foreach(j, key, v) {
			const char *o = json_string_value(v);

			if (o != NULL && strcmp(o, app) != 0 &&
			    (state_host_covers(key, h) ||
			    state_host_covers(h, key))) {
				owner = o;
				break;
			}
		}
		if (owner != NULL) {
			error_set("http host \"%s\" belongs to app \"%s\" (%s): "
			    "an app may only serve the hosts no other app "
			    "claimed", hosts->v[i], owner, key);
			free(h);
			goto done;
		}
		free(h);
	}
	if (replace) {
		json_object_foreach_safe(j, tmp, key, v) {
			const char *o = json_string_value(v);

			if (o != NULL && strcmp(o, app) == 0)
				json_object_del(j, key);
		}
	}
	for (i = 0; i < hosts->n; i++) {
		char *h = lower(hosts->v[i]);

		json_object_set_new(j, h, json_string(app));
		free(h);
	}
	rc = hosts_write(cfg, j);
done:
	json_decref(j);
	close(fd);
	return rc;
}


void
state_app_names(const struct config *cfg, struct strv *out)
{
	struct dirent *de;
	DIR *d;

	if ((d = opendir(cfg->repos_dir)) == NULL)
		return; /* no apps yet */
	while ((de = readdir(d)) != NULL) {
		char *name;

		if (!ends_with(de->d_name, ".git"))
			continue;
		name = xstrndup(de->d_name, strlen(de->d_name) - 4);
		if (name_check_app(name) == 0)
			strv_push_owned(out, name);
		else
			free(name);
	}
	closedir(d);
	error_clear();
	strv_sort(out);
}

int
state_no_space(const char *dir, int err)
{
	struct statvfs sv;
	unsigned long long avail;

	if (statvfs(dir, &sv) < 0)
		return 0;
	avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	if (err != ENOSPC && avail >= 256u * 1024)
		return 0;
	error_set("no space left on the device of state_dir (%s, %llu KiB free)",
	    dir, avail / 1024);
	return 1;
}
