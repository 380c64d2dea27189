/*
 * env.c - a service's environment (env_file, then environment over it) and
 * the project's .env file read into the interpolation variables.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compose/loader.h"
#include "compose/dotenv.h"

#define ENVFILE_MAX_SIZE (1 << 20)

static int
add_env_file(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *path, int required, int raw)
{
	char *abs;

	if (*path == '~')
		return lerr(ld, n, "\"env_file\": home-relative path \"%s\" "
		    "is not supported", path);
	abs = resolve_path(ld->base, path);
	if (!required)
		strv_push(&sv->optional_env, abs);
	if (raw)
		strv_push(&sv->raw_env, abs);
	strv_push_owned(&sv->env_files, abs);
	return 0;
}

/* env_file format: compose knows "raw" besides the default, ".env". */
static int
env_format(struct loader *ld, yaml_node_t *n, int *raw)
{
	char *format = NULL;
	int rc = -1;

	if (get_str_req(ld, n, "env_file.format", &format) < 0)
		return -1;
	if (strcmp(format, "raw") == 0)
		*raw = 1, rc = 0;
	else if (strcmp(format, ".env") == 0)
		*raw = 0, rc = 0;
	else
		lerr(ld, n, "unsupported env_file format \"%s\" (compose "
		    "knows \".env\" and \"raw\")", format);
	free(format);
	return rc;
}

int
svc_env_file(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	yaml_node_item_t *it;
	struct pairs ps = { 0 };
	char *path = NULL;
	int rc = -1;

	if (n->type == YAML_SCALAR_NODE) {
		if (get_str_req(ld, n, key, &path) < 0)
			return -1;
		rc = add_env_file(ld, sv, n, path, 1, 0);
		free(path);
		return rc;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return lerr(ld, n, "\"%s\" must be a string or a list", key);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		yaml_node_t *item = NODE(ld, *it);
		int required = 1, raw = 0;
		size_t i;

		if (spend(ld, item) < 0)
			goto done;
		if (item->type == YAML_MAPPING_NODE) {
			if (collect(ld, item, &ps, 0) < 0)
				goto done;
			for (i = 0; i < ps.n; i++) {
				const char *k = ps.v[i].key;
				int r;

				if (strcmp(k, "path") == 0)
					r = get_str_req(ld, ps.v[i].value,
					    "env_file.path", &path);
				else if (strcmp(k, "required") == 0)
					r = get_bool(ld, ps.v[i].value,
					    "env_file.required", &required);
				else if (strcmp(k, "format") == 0)
					r = env_format(ld, ps.v[i].value, &raw);
				else
					r = bad_key(ld, &ps.v[i], "env_file",
					    NULL);
				if (r < 0)
					goto done;
			}
			ps.n = 0;
			if (path == NULL) {
				lerr(ld, item, "\"env_file\": \"path\" is "
				    "required");
				goto done;
			}
		} else if (get_str_req(ld, item, key, &path) < 0)
			goto done;
		if (add_env_file(ld, sv, item, path, required, raw) < 0)
			goto done;
		free(path);
		path = NULL;
	}
	rc = 0;
done:
	free(path);
	pairs_free(&ps);
	return rc;
}

/*
 * Read one env file into the service's environment. Only files inside the
 * release are read, symlinks followed: an error quoting a line of a host
 * file would hand it to the pusher.
 */
static int
read_env_file(struct loader *ld, struct svc *sv, const char *path)
{
	struct compose_service *s = sv->s;
	struct buf b = BUF_INIT;
	char *name = release_path(ld, path), *real = NULL;
	struct stat st;
	int rc = -1;

	if (!compose_path_within(path, ld->root)) {
		lerr(ld, sv->knode, "env file \"%s\" is outside the release",
		    name);
		goto done;
	}
	if (compose_need(path) < 0) {
		lerr(ld, sv->knode, "env file \"%s\": %s", name, error_last());
		goto done;
	}
	real = compose_path_resolve(path);
	if (!compose_path_within(real, ld->root)) {
		lerr(ld, sv->knode, "env file \"%s\" is outside the release",
		    name);
		goto done;
	}
	if (stat(real, &st) < 0) {
		if (errno == ENOENT && strv_contains(&sv->optional_env, path))
			rc = 0;
		else
			lerr(ld, sv->knode, "env file \"%s\": %s", name,
			    errno == ENOENT ? "not found" : strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		lerr(ld, sv->knode, "env file \"%s\" is not a file", name);
		goto done;
	}
	if (read_file(real, &b, ENVFILE_MAX_SIZE) < 0) {
		lerr(ld, sv->knode, "%s", error_last());
		goto done;
	}
	if (strv_contains(&sv->raw_env, path) ?
	    dotenv_parse_raw(b.buf, b.len, name, &ld->vars,
	    &s->environment) < 0 :
	    dotenv_parse(b.buf, b.len, name, &ld->vars, &s->environment) < 0) {
		lerr(ld, sv->knode, "env_file: %s", error_last());
		goto done;
	}
	rc = 0;
done:
	buf_release(&b);
	free(real);
	free(name);
	return rc;
}

/* The environment: env_file entries in order, then environment over them. */
int
resolve_environment(struct loader *ld, struct svc *sv)
{
	struct compose_service *s = sv->s;
	size_t i;

	for (i = 0; i < sv->env_files.n; i++) {
		if (read_env_file(ld, sv, sv->env_files.v[i]) < 0)
			return -1;
	}
	for (i = 0; i < sv->env.n; i++) {
		const struct kv *kv = &sv->env.v[i];

		/* A bare name takes its value from the variables; unset, it
		 * goes to the engine bare, which removes it from the image's
		 * environment (compose-go's MappingWithEquals.Resolve). */
		if (kv->value == NULL)
			kv = kvlist_find(&ld->vars, kv->key);
		kvlist_set(&s->environment, sv->env.v[i].key,
		    kv != NULL ? kv->value : NULL);
	}
	return 0;
}

/* dir/.env into ld->vars, then the app's vars over it. */
int
load_dotenv(struct loader *ld, const struct kvlist *vars)
{
	char *path = path_join(ld->p->dir, ".env"), *real = NULL;
	struct buf b = BUF_INIT;
	struct stat st;
	size_t i;
	int rc = -1;

	if (compose_need(path) < 0)
		goto done;
	if (lstat(path, &st) == 0) {
		real = realpath(path, NULL);
		if (real == NULL || !compose_path_within(real, ld->p->dir)) {
			error_set(".env: points outside the project directory");
			goto done;
		}
		if (stat(real, &st) < 0 || !S_ISREG(st.st_mode)) {
			error_set(".env: not a file");
			goto done;
		}
		if (read_file(real, &b, ENVFILE_MAX_SIZE) < 0)
			goto done;
		if (dotenv_parse(b.buf, b.len, ".env", vars, &ld->vars) < 0)
			goto done;
	}
	for (i = 0; vars != NULL && i < vars->n; i++) {
		if (vars->v[i].value != NULL)
			kvlist_set(&ld->vars, vars->v[i].key, vars->v[i].value);
	}
	rc = 0;
done:
	buf_release(&b);
	free(real);
	free(path);
	return rc;
}

/*
 * An included file's variables: the including file's, then those of its
 * env_file list (dir/.env without one) where not already set, as
 * compose-go's include does. The files must be inside the release.
 */
int
include_dotenv(struct loader *ld, const struct loader *parent,
    const struct strv *env_files)
{
	struct kvlist file_vars = KVLIST_INIT;
	struct strv dflt = STRV_INIT;
	const struct strv *files = env_files;
	struct buf b = BUF_INIT;
	char *real = NULL, *name = NULL;
	size_t i;
	int rc = -1;

	for (i = 0; i < parent->vars.n; i++)
		kvlist_set(&ld->vars, parent->vars.v[i].key,
		    parent->vars.v[i].value);
	if (files == NULL) {
		char *path = path_join(ld->p->dir, ".env");

		if (compose_need(path) < 0) {
			free(path);
			goto done;
		}
		if (path_exists(path))
			strv_push(&dflt, path);
		free(path);
		files = &dflt;
	}
	for (i = 0; i < files->n; i++) {
		struct stat st;

		free(name);
		free(real);
		name = release_path(ld, files->v[i]);
		if (compose_path_within(files->v[i], ld->root) &&
		    compose_need(files->v[i]) < 0) {
			real = NULL;
			goto done;
		}
		real = compose_path_resolve(files->v[i]);
		if (!compose_path_within(files->v[i], ld->root) ||
		    !compose_path_within(real, ld->root)) {
			error_set("%s: env file \"%s\" is outside the release",
			    ld->file, name);
			goto done;
		}
		if (stat(real, &st) < 0 || !S_ISREG(st.st_mode)) {
			error_set("%s: env file \"%s\" %s", ld->file, name,
			    errno == ENOENT ? "not found" : "is not a file");
			goto done;
		}
		buf_reset(&b);
		if (read_file(real, &b, ENVFILE_MAX_SIZE) < 0 ||
		    dotenv_parse(b.buf, b.len, name, &ld->vars,
		    &file_vars) < 0)
			goto done;
	}
	for (i = 0; i < file_vars.n; i++) {
		if (kvlist_find(&ld->vars, file_vars.v[i].key) == NULL)
			kvlist_set(&ld->vars, file_vars.v[i].key,
			    file_vars.v[i].value);
	}
	rc = 0;
done:
	buf_release(&b);
	free(real);
	free(name);
	strv_clear(&dflt);
	kvlist_clear(&file_vars);
	return rc;
}
