/*
 * container.c - create one container of a service, attached to every network
 * it names (engines below API 1.44 take one network at create: the others are
 * connected before start).
 */
#include <stdlib.h>
#include <string.h>

#include "compose/binds.h"
#include "engine/tarctx.h"
#include "reconcile/container.h"
#include "reconcile/spec.h"

int
container_copy_files(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, const char *id)
{
	struct spec_copy c[64];
	struct tar_member m[64];
	struct buf tar = BUF_INIT;
	size_t n = spec_copies(p, s, c, ARRAY_SIZE(c)), i;
	int rc = -1;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		long uid = 0, gid = 0;

		if ((c[i].uid && parse_long(c[i].uid, &uid) < 0) ||
		    (c[i].gid && parse_long(c[i].gid, &gid) < 0))
			uid = gid = 0;
		m[i].path = c[i].target + 1;
		m[i].data = c[i].content;
		m[i].len = strlen(c[i].content);
		m[i].mode = c[i].mode >= 0 ? (unsigned)c[i].mode : 0444;
		m[i].uid = uid;
		m[i].gid = gid;
	}
	if (tar_memory(m, n, &tar) < 0 ||
	    engine_container_put_archive(e, id, "/", tar.buf, tar.len) < 0)
		goto done;
	rc = 0;
done:
	buf_release(&tar);
	return rc;
}

int
container_hooks(struct engine *e, const struct compose_service *s,
    const char *id, const char *name, int post_start)
{
	const struct compose_hook *h = post_start ? s->post_start : s->pre_stop;
	size_t i, n = post_start ? s->npost_start : s->npre_stop;
	const char *what = post_start ? "post_start" : "pre_stop";

	for (i = 0; i < n; i++) {
		json_t *body = spec_hook(&h[i]);
		long code = -1;
		int rc;

		out_info("-----> Running the %s hook of %s", what, name);
		rc = engine_exec(e, id, body, 60 * 1000, &code);
		json_decref(body);
		if (rc < 0)
			return error_set("%s hook of \"%s\": %s", what, name,
			    error_last());
		if (code != 0)
			return error_set("%s hook of \"%s\" exited with code %ld",
			    what, name, code);
	}
	return 0;
}

void
container_pre_stop(struct engine *e, const struct compose_service *s,
    const char *id, const char *name, const char *state)
{
	if (s == NULL || s->npre_stop == 0 || state == NULL ||
	    strcmp(state, "running") != 0)
		return;
	if (container_hooks(e, s, id, name, 0) < 0) {
		out_warn("warning: %s", error_last());
		error_clear();
	}
}

long
container_stop_timeout(const struct compose_service *s)
{
	return s != NULL && s->stop_grace_period >= 0 ?
	    (long)(s->stop_grace_period / 1000000000LL) : -1;
}

void
container_discard(struct engine *e, const char *id)
{
	char *saved = error_save();

	/* Its own anonymous volumes go with it, not those it took over. */
	if (engine_container_remove(e, id, 1) < 0)
		out_warn("warning: %s", error_last());
	error_restore(saved);
}

/*
 * "service:x" in network_mode, pid or ipc: the engine would take any
 * container by that name, so name the container by ID once its labels say
 * it is x's of this project.
 */
static int
resolve_mode(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, const char *key, const char *mode,
    json_t *host)
{
	const struct compose_service *dep;
	json_t *info = NULL, *labels;
	const char *proj, *svc, *id;
	char *name, *value;
	int rc = -1;

	if (mode == NULL || !starts_with(mode, "service:"))
		return 0;
	if ((dep = compose_service(p, mode + strlen("service:"))) == NULL)
		return error_set("service \"%s\": \"%s: %s\" names no service",
		    s->name, key, mode);
	name = spec_container_name(p, dep, 1);
	if (engine_container_inspect(e, name, &info) < 0) {
		error_set("service \"%s\": \"%s: %s\": %s", s->name, key, mode,
		    error_last());
		goto done;
	}
	labels = json_object_get(json_object_get(info, "Config"), "Labels");
	proj = json_string_value(json_object_get(labels, LABEL_PROJECT));
	svc = json_string_value(json_object_get(labels, LABEL_SERVICE));
	id = json_string_value(json_object_get(info, "Id"));
	if (proj == NULL || svc == NULL || id == NULL ||
	    strcmp(proj, p->name) != 0 || strcmp(svc, dep->name) != 0) {
		error_set("service \"%s\": \"%s: %s\": container \"%s\" is "
		    "not this app's (refused)", s->name, key, mode, name);
		goto done;
	}
	value = xasprintf("container:%s", id);
	json_object_set_new(host, key[0] == 'n' ? "NetworkMode" :
	    key[0] == 'p' ? "PidMode" : "IpcMode", json_string(value));
	free(value);
	rc = 0;
done:
	json_decref(info);
	free(name);
	return rc;
}

int
container_vet(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, json_t *body)
{
	json_t *host = json_object_get(body, "HostConfig");

	if (binds_verify(p, s) < 0 ||
	    resolve_mode(e, p, s, "network_mode", s->network_mode, host) < 0 ||
	    resolve_mode(e, p, s, "pid", s->pid, host) < 0 ||
	    resolve_mode(e, p, s, "ipc", s->ipc, host) < 0)
		return -1;
	return 0;
}

/* The engine's grace period when neither compose nor the image sets one. */
#define ENGINE_STOP_TIMEOUT_S 10

int
container_stop(struct engine *e, const struct compose_service *s,
    const char *id, const char *name)
{
	long timeout = container_stop_timeout(s), code;
	long long t0 = now_ms(), took;
	json_t *info = NULL, *state;

	if (engine_container_stop(e, id, timeout) < 0)
		return -1;
	took = now_ms() - t0;
	if (timeout < 0)
		timeout = ENGINE_STOP_TIMEOUT_S;
	/* SIGKILL after the whole grace period: exit code 128 + 9. */
	if (took + 250 < timeout * 1000 ||
	    engine_container_inspect(e, id, &info) != 0) {
		json_decref(info);
		error_clear();
		return 0;
	}
	state = json_object_get(info, "State");
	code = (long)json_integer_value(json_object_get(state, "ExitCode"));
	if (code == 137)
		out_warn("warning: %s ignored SIGTERM and was killed after its "
		    "%lds grace period: its main process does not handle the "
		    "signal (a shell as PID 1?); add \"init: true\" to service "
		    "\"%s\", or set stop_signal or stop_grace_period", name,
		    timeout, s != NULL ? s->name : "?");
	json_decref(info);
	return 0;
}

int
container_anonymous_volume(const char *name)
{
	size_t n = strspn(name, "0123456789abcdef");

	return n == 64 && name[n] == '\0';
}

/* Is a and b the same container path, but for trailing slashes? */
static int
same_target(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	return la == lb && memcmp(a, b, la) == 0;
}

/* Does a "src:dst[:mode]" bind or any mount of host put something at t? */
static int
mounts_at(json_t *host, const char *t)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(host, "Binds"), i, v) {
		const char *b = json_string_value(v), *dst, *end;
		char *d;
		int same;

		if (b == NULL || (dst = strchr(b, ':')) == NULL)
			continue;
		dst++;
		end = strchr(dst, ':');
		d = end ? xstrndup(dst, (size_t)(end - dst)) : xstrdup(dst);
		same = same_target(d, t);
		free(d);
		if (same)
			return 1;
	}
	json_array_foreach(json_object_get(host, "Mounts"), i, v) {
		const char *mt = json_string_value(json_object_get(v, "Target"));

		if (mt != NULL && same_target(mt, t))
			return 1;
	}
	return 0;
}

size_t
container_inherit_volumes(json_t *body, const struct observed *old,
    json_t *image_volumes)
{
	json_t *host = json_object_get(body, "HostConfig"), *mounts;
	size_t i, j, n = 0;

	if (old == NULL || host == NULL)
		return 0;
	for (i = 0; i < old->anon_targets.n; i++) {
		const char *t = old->anon_targets.v[i];
		const char *name = old->anon_names.v[i];
		const char *key;
		json_t *m, *iv;
		int done = 0;

		mounts = json_object_get(host, "Mounts");
		json_array_foreach(mounts, j, m) {
			const char *type = json_string_value(json_object_get(m,
			    "Type"));
			const char *mt = json_string_value(json_object_get(m,
			    "Target"));

			if (type != NULL && strcmp(type, "volume") == 0 &&
			    json_object_get(m, "Source") == NULL && mt != NULL &&
			    same_target(mt, t)) {
				json_object_set_new(m, "Source", json_string(name));
				done = 1;
				break;
			}
		}
		if (done) {
			n++;
			continue;
		}
		if (mounts_at(host, t))
			continue;
		json_object_foreach(image_volumes, key, iv) {
			(void)iv;
			if (!same_target(key, t))
				continue;
			if (mounts == NULL) {
				mounts = json_array();
				json_object_set_new(host, "Mounts", mounts);
			}
			json_array_append_new(mounts, json_pack("{s:s, s:s, s:s}",
			    "Type", "volume", "Source", name, "Target", key));
			n++;
			break;
		}
	}
	return n;
}

/*
 * The anonymous volumes of old that body takes over: the image's VOLUMEs
 * are only asked for when the body leaves one of old's targets free.
 */
static int
inherit(struct engine *e, json_t *body, const struct observed *old,
    const struct service_image *img)
{
	json_t *info = NULL, *vols = NULL;
	json_t *host = json_object_get(body, "HostConfig");
	size_t i;
	int need = 0, found;

	if (old == NULL || old->anon_targets.n == 0)
		return 0;
	for (i = 0; i < old->anon_targets.n; i++)
		need |= !mounts_at(host, old->anon_targets.v[i]);
	if (need) {
		found = engine_image_inspect(e, img->id ? img->id : img->ref,
		    &info);
		if (found < 0)
			return -1;
		vols = json_object_get(json_object_get(info, "Config"),
		    "Volumes");
	}
	container_inherit_volumes(body, old, vols);
	json_decref(info);
	return 0;
}

int
container_create(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, int number, const char *name,
    const struct service_image *img, const char *hash,
    const struct converge_opts *opts, const struct observed *old,
    char **id_out)
{
	struct strv nets = STRV_INIT;
	size_t i;
	int api = engine_version_num(e);
	json_t *body;
	char *id = NULL;
	int rc;

	body = spec_container(p, s, number, img->ref, img->id, opts->commit,
	    hash, api);
	if (inherit(e, body, old, img) < 0 || container_vet(e, p, s, body) < 0) {
		json_decref(body);
		return -1;
	}
	rc = engine_container_create(e, name, body, &id);
	json_decref(body);
	if (rc < 0)
		return error_set("cannot create container \"%s\": %s", name,
		    error_last());
	if (api < 144 && s->network_mode == NULL) {
		spec_service_networks(p, s, &nets);
		for (i = 1; i < nets.n; i++) {
			json_t *ep = spec_endpoint(p, s, number, i);

			rc = engine_network_connect(e, nets.v[i], id, ep);
			json_decref(ep);
			if (rc < 0) {
				error_set("cannot connect \"%s\" to network \"%s\": %s",
				    name, nets.v[i], error_last());
				strv_clear(&nets);
				container_discard(e, id);
				free(id);
				return -1;
			}
		}
		strv_clear(&nets);
	}
	if (container_copy_files(e, p, s, id) < 0) {
		error_set("cannot copy the secrets and configs of \"%s\": %s",
		    name, error_last());
		container_discard(e, id);
		free(id);
		return -1;
	}
	*id_out = id;
	return 0;
}
