/*
 * appops.c - the operator's per-app decisions (ops.json) and the live
 * release's summary (live.json), both under <state_dir>/apps/<app>/.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/appops.h"
#include "lib/names.h"
#include "lib/state.h"

#define APPOPS_MAX (256u << 10)

static char *
app_path(const struct config *cfg, const char *app, const char *file)
{
	char *dir = state_app_dir(cfg, app), *path = path_join(dir, file);

	free(dir);
	return path;
}

static json_t *
load_json(const char *path)
{
	struct buf b = BUF_INIT;
	json_t *doc = NULL;
	json_error_t jerr;

	if (!path_exists(path)) {
		doc = json_object();
		goto done;
	}
	if (read_file(path, &b, APPOPS_MAX) < 0)
		goto done;
	doc = json_loadb(b.buf, b.len, 0, &jerr);
	if (!json_is_object(doc)) {
		json_decref(doc);
		doc = NULL;
		error_set("%s:%d: %s", path, jerr.line, jerr.text);
	}
done:
	buf_release(&b);
	return doc;
}

static int
save_json(const struct config *cfg, const char *app, const char *file,
    json_t *doc, int mode)
{
	char *dir = state_app_dir(cfg, app), *path = path_join(dir, file);
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	int rc = -1;

	if (text == NULL) {
		error_set("cannot encode \"%s\"", path);
		goto done;
	}
	if (mkdir_p(dir, 0700) < 0)
		goto done;
	rc = write_file_atomic(path, text, strlen(text), mode);
done:
	free(text);
	free(path);
	free(dir);
	return rc;
}

int
app_ops_load(const struct config *cfg, const char *app, struct app_ops *out)
{
	char *path = app_path(cfg, app, "ops.json");
	json_t *doc = load_json(path), *v;
	const char *key;
	size_t i;
	int rc = -1;

	if (doc == NULL)
		goto done;
	json_object_foreach(json_object_get(doc, "scale"), key, v) {
		if (json_is_integer(v) && json_integer_value(v) >= 0 &&
		    json_integer_value(v) <= APP_OPS_SCALE_MAX) {
			char *n = xasprintf("%lld", (long long)json_integer_value(v));

			kvlist_set(&out->scale, key, n);
			free(n);
		}
	}
	json_array_foreach(json_object_get(doc, "stopped"), i, v) {
		if (json_is_string(v))
			strv_push(&out->stopped, json_string_value(v));
	}
	out->stopped_all = json_is_true(json_object_get(doc, "stopped_all"));
	json_object_foreach(json_object_get(doc, "restart"), key, v) {
		if (json_is_string(v))
			kvlist_set(&out->restart, key, json_string_value(v));
	}
	rc = 0;
done:
	json_decref(doc);
	free(path);
	return rc;
}

int
app_ops_save(const struct config *cfg, const char *app,
    const struct app_ops *ops)
{
	json_t *doc = json_object(), *scale = json_object(), *restart = json_object();
	json_t *stopped = json_array();
	size_t i;
	long n;
	int rc;

	for (i = 0; i < ops->scale.n; i++) {
		if (parse_long(ops->scale.v[i].value, &n) == 0)
			json_object_set_new(scale, ops->scale.v[i].key,
			    json_integer(n));
	}
	for (i = 0; i < ops->stopped.n; i++)
		json_array_append_new(stopped, json_string(ops->stopped.v[i]));
	for (i = 0; i < ops->restart.n; i++)
		json_object_set_new(restart, ops->restart.v[i].key,
		    json_string(ops->restart.v[i].value));
	json_object_set_new(doc, "scale", scale);
	json_object_set_new(doc, "stopped", stopped);
	json_object_set_new(doc, "stopped_all", json_boolean(ops->stopped_all));
	json_object_set_new(doc, "restart", restart);
	rc = save_json(cfg, app, "ops.json", doc, 0644);
	json_decref(doc);
	return rc;
}

void
app_ops_copy(struct app_ops *dst, const struct app_ops *src)
{
	size_t i;

	for (i = 0; i < src->scale.n; i++)
		kvlist_set(&dst->scale, src->scale.v[i].key, src->scale.v[i].value);
	for (i = 0; i < src->stopped.n; i++)
		strv_push(&dst->stopped, src->stopped.v[i]);
	dst->stopped_all = src->stopped_all;
	for (i = 0; i < src->restart.n; i++)
		kvlist_set(&dst->restart, src->restart.v[i].key,
		    src->restart.v[i].value);
}

void
app_ops_dispose(struct app_ops *ops)
{
	kvlist_clear(&ops->scale);
	strv_clear(&ops->stopped);
	kvlist_clear(&ops->restart);
	ops->stopped_all = 0;
}

int
app_ops_is_stopped(const struct app_ops *ops, const char *service)
{
	return ops->stopped_all || strv_contains(&ops->stopped, service);
}

long
app_ops_scale(const struct app_ops *ops, const char *service)
{
	const struct kv *kv = kvlist_find(&ops->scale, service);
	long n;

	if (kv == NULL || kv->value == NULL || parse_long(kv->value, &n) < 0)
		return -1;
	return n;
}

int
app_ops_parse_scale(const char *arg, char **service, long *n)
{
	const char *eq = strchr(arg, '=');
	char *name;

	*service = NULL;
	if (eq == NULL || eq == arg)
		return error_set("expected SERVICE=N, got \"%.64s\"", arg);
	name = xstrndup(arg, (size_t)(eq - arg));
	if (name_check_service(name) < 0) {
		free(name);
		return -1;
	}
	if (parse_long(eq + 1, n) < 0 || *n < 0 || *n > APP_OPS_SCALE_MAX) {
		free(name);
		return error_set("\"%.64s\": the count must be a number from 0 to %d",
		    arg, APP_OPS_SCALE_MAX);
	}
	*service = name;
	return 0;
}

int
app_live_save(const struct config *cfg, const char *app, json_t *doc)
{
	return save_json(cfg, app, "live.json", doc, 0644);
}

json_t *
app_live_load(const struct config *cfg, const char *app)
{
	char *path = app_path(cfg, app, "live.json");
	json_t *doc = path_exists(path) ? load_json(path) : NULL;

	free(path);
	error_clear();
	return doc;
}

char *
app_live_commit(const struct config *cfg, const char *app)
{
	char *path = app_path(cfg, app, "current"), *s = NULL;
	struct buf b = BUF_INIT;

	if (path_exists(path) && read_file(path, &b, 128) == 0) {
		buf_rtrim(&b);
		if (b.len == 40 && strspn(b.buf, "0123456789abcdef") == 40)
			s = buf_detach(&b, NULL);
	}
	buf_release(&b);
	free(path);
	error_clear();
	return s;
}
