/*
 * converge.c - observe, plan, apply. The only place that turns a plan into
 * Engine API calls; compose's recreate sequence (create under a temporary
 * name, stop the old, start the new while the old is removed, rename the
 * new), dependency conditions.
 * Services that do not depend on each other are brought up at the same time,
 * each on its own engine connection (like compose): dependency levels run one
 * after the other, the services of a level in parallel.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "compose/binds.h"
#include "reconcile/converge.h"
#include "reconcile/cutover.h"
#include "reconcile/spec.h"

static const char *
json_str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static int
observed_from_json(json_t *c, struct observed *o)
{
	json_t *labels = json_object_get(c, "Labels");
	json_t *names = json_object_get(c, "Names");
	json_t *nets, *mounts, *v;
	const char *s, *key;
	size_t i;
	long num = 0;

	memset(o, 0, sizeof *o);
	if ((s = json_str(c, "Id")) == NULL)
		return -1;
	o->id = xstrdup(s);
	s = json_string_value(json_array_get(names, 0));
	o->name = xstrdup(s ? (s[0] == '/' ? s + 1 : s) : o->id);
	if ((s = json_str(labels, LABEL_SERVICE)) != NULL)
		o->service = xstrdup(s);
	if ((s = json_str(labels, LABEL_NUMBER)) != NULL && parse_long(s, &num) == 0)
		o->number = (int)num;
	if ((s = json_str(labels, LABEL_HASH)) != NULL)
		o->hash = xstrdup(s);
	if ((s = json_str(labels, LABEL_COMMIT)) != NULL)
		o->commit = xstrdup(s);
	if ((s = json_str(c, "ImageID")) != NULL)
		o->image_id = xstrdup(s);
	if ((s = json_str(c, "State")) != NULL)
		o->state = xstrdup(s);
	nets = json_object_get(json_object_get(c, "NetworkSettings"), "Networks");
	json_object_foreach(nets, key, v)
		strv_push(&o->networks, key);
	mounts = json_object_get(c, "Mounts");
	json_array_foreach(mounts, i, v) {
		const char *dst = json_str(v, "Destination");

		if ((s = json_str(v, "Type")) == NULL || strcmp(s, "volume") != 0 ||
		    (s = json_str(v, "Name")) == NULL)
			continue;
		strv_push(&o->volumes, s);
		if (container_anonymous_volume(s) && dst != NULL &&
		    dst[0] == '/') {
			strv_push(&o->anon_targets, dst);
			strv_push(&o->anon_names, s);
		}
	}
	return 0;
}

/* By service, then container number: the order status and logs show. */
static int
cmp_observed(const void *a, const void *b)
{
	const struct observed *x = a, *y = b;
	int c = strcmp(x->service ? x->service : "", y->service ? y->service : "");

	return c ? c : x->number - y->number;
}

int
converge_observe(struct engine *e, const char *project, struct observed **out,
    size_t *n)
{
	char *label = xasprintf(LABEL_PROJECT "=%s", project);
	const char *labels[] = { label, LABEL_ONEOFF "=False" };
	json_t *list = NULL, *c;
	struct observed *o = NULL;
	size_t i, count = 0;
	int rc = -1;

	if (engine_container_list(e, labels, 2, &list) < 0)
		goto done;
	o = xcalloc(json_array_size(list) + 1, sizeof *o);
	json_array_foreach(list, i, c) {
		if (observed_from_json(c, &o[count]) == 0)
			count++;
	}
	if (count > 1)
		qsort(o, count, sizeof *o, cmp_observed);
	rc = 0;
done:
	json_decref(list);
	free(label);
	if (rc < 0) {
		free(o);
		o = NULL;
	}
	*out = o;
	*n = count;
	return rc;
}

void
observed_list_free(struct observed *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		observed_dispose(&o[i]);
	free(o);
}

/*
 * An existing network or volume is adopted only when its labels say it is
 * this app's: one of the same name made by anyone else is left alone.
 */
static int
owned(json_t *info, const char *app, const char *kind, const char *name)
{
	const char *proj = json_str(json_object_get(info, "Labels"),
	    LABEL_PROJECT);

	if (proj != NULL && strcmp(proj, app) == 0)
		return 0;
	return error_set("%s \"%s\" exists but is not this app's (its label %s "
	    "is \"%s\"): remove or rename it, slipway will not use it", kind,
	    name, LABEL_PROJECT, proj != NULL ? proj : "");
}

int
converge_resources(struct engine *e, const struct compose_project *p)
{
	json_t *info = NULL;
	size_t i;
	int r;

	for (i = 0; i < p->nnetworks; i++) {
		const struct compose_network *n = &p->networks[i];
		json_t *body;

		if ((r = engine_network_inspect(e, n->name, &info)) < 0)
			return -1;
		if (r == 0) {
			r = n->external ? 0 : owned(info, p->name, "network",
			    n->name);
			json_decref(info);
			info = NULL;
			if (r < 0)
				return -1;
			continue;
		}
		if (n->external)
			return error_set("external network \"%s\" not found",
			    n->name);
		out_info("-----> Creating network %s", n->name);
		body = spec_network(p, n);
		r = engine_network_create(e, body);
		json_decref(body);
		if (r < 0)
			return error_set("cannot create network \"%s\": %s",
			    n->name, error_last());
	}
	for (i = 0; i < p->nvolumes; i++) {
		const struct compose_volume *v = &p->volumes[i];
		json_t *body;

		if ((r = engine_volume_inspect(e, v->name, &info)) < 0)
			return -1;
		if (r == 0) {
			r = v->external ? 0 : owned(info, p->name, "volume",
			    v->name);
			json_decref(info);
			info = NULL;
			if (r < 0)
				return -1;
			continue;
		}
		if (v->external)
			return error_set("external volume \"%s\" not found",
			    v->name);
		out_info("-----> Creating volume %s", v->name);
		body = spec_volume(p, v);
		r = engine_volume_create(e, body);
		json_decref(body);
		if (r < 0)
			return error_set("cannot create volume \"%s\": %s",
			    v->name, error_last());
	}
	return 0;
}

/* The plan step that keeps or starts container o, or NULL. */
static const struct plan_step *
step_for(const struct plan *plan, const struct observed *o)
{
	size_t i;

	for (i = 0; i < plan->nsteps; i++) {
		if (plan->steps[i].old == o)
			return &plan->steps[i];
	}
	return NULL;
}

/*
 * Recreate each network of plan->networks the way compose v2 does: stop and
 * disconnect the containers attached to it, remove it, create it anew, and
 * reconnect the containers that are kept (their START step starts them
 * again; the ones being replaced or removed are not reconnected).
 */
static int
recreate_networks(struct engine *e, const struct compose_project *p,
    const struct plan *plan, const struct observed *obs, size_t nobs)
{
	size_t i, j, k;

	for (i = 0; i < plan->networks.n; i++) {
		const char *name = plan->networks.v[i];
		const struct compose_network *n = NULL;
		json_t *body;
		int r;

		for (k = 0; k < p->nnetworks; k++) {
			if (strcmp(p->networks[k].name, name) == 0)
				n = &p->networks[k];
		}
		if (n == NULL)
			continue;
		out_info("-----> Recreating network %s (configuration changed)",
		    name);
		for (j = 0; j < nobs; j++) {
			const struct observed *o = &obs[j];
			const struct compose_service *s = o->service ?
			    compose_service(p, o->service) : NULL;

			if (!strv_contains(&o->networks, name))
				continue;
			if (engine_container_stop(e, o->id,
			    container_stop_timeout(s)) < 0 ||
			    engine_network_disconnect(e, name, o->id) < 0)
				return error_set("cannot detach \"%s\" from network \"%s\": %s",
				    o->name, name, error_last());
		}
		if (engine_network_remove(e, name) < 0)
			return error_set("cannot remove network \"%s\": %s", name,
			    error_last());
		body = spec_network(p, n);
		r = engine_network_create(e, body);
		json_decref(body);
		if (r < 0)
			return error_set("cannot create network \"%s\": %s", name,
			    error_last());
		for (j = 0; j < nobs; j++) {
			const struct observed *o = &obs[j];
			const struct plan_step *st = step_for(plan, o);
			const struct compose_service *s;
			struct strv names = STRV_INIT;

			if (!strv_contains(&o->networks, name) || st == NULL ||
			    (st->action != PLAN_KEEP && st->action != PLAN_START) ||
			    (s = compose_service(p, o->service)) == NULL)
				continue;
			spec_service_networks(p, s, &names);
			for (k = 0, r = 0; k < names.n && r == 0; k++) {
				json_t *ep;

				if (strcmp(names.v[k], name) != 0)
					continue;
				ep = spec_endpoint(p, s, o->number, k);
				r = engine_network_connect(e, name, o->id, ep);
				json_decref(ep);
			}
			strv_clear(&names);
			if (r < 0)
				return error_set("cannot connect \"%s\" to network \"%s\": %s",
				    o->name, name, error_last());
		}
	}
	return 0;
}

/*
 * The project's networks as the file wants them (hashes allocated into
 * hashes, parallel to p->networks) and as the engine has them (pointing
 * into *list). External networks are not ours to change.
 */
static int
network_states(struct engine *e, const struct compose_project *p,
    struct net_state **des, char ***hashes, size_t *ndes,
    struct net_state **obs, size_t *nobs, json_t **list)
{
	char *label = xasprintf(LABEL_PROJECT "=%s", p->name);
	const char *labels[] = { label };
	json_t *v;
	size_t i;
	int rc;

	*des = xcalloc(p->nnetworks + 1, sizeof **des);
	*hashes = xcalloc(p->nnetworks + 1, sizeof **hashes);
	*ndes = 0;
	for (i = 0; i < p->nnetworks; i++) {
		if (p->networks[i].external)
			continue;
		(*hashes)[i] = spec_network_hash(p, &p->networks[i]);
		(*des)[*ndes].name = p->networks[i].name;
		(*des)[(*ndes)++].hash = (*hashes)[i];
	}
	*obs = NULL;
	*nobs = 0;
	rc = engine_network_list(e, labels, 1, list);
	free(label);
	if (rc < 0)
		return -1;
	*obs = xcalloc(json_array_size(*list) + 1, sizeof **obs);
	json_array_foreach(*list, i, v) {
		const char *name = json_str(v, "Name");

		if (name == NULL)
			continue;
		(*obs)[*nobs].name = name;
		(*obs)[(*nobs)++].hash = json_str(json_object_get(v, "Labels"),
		    LABEL_HASH);
	}
	return 0;
}

static const struct service_image *
image_for(const struct service_image *images, size_t n, const char *service)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(images[i].service, service) == 0)
			return &images[i];
	}
	return NULL;
}

/* Wait until every container of dependency d satisfies cond. */
static int
wait_dependency(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, const struct compose_depends *d,
    long timeout_ms)
{
	const struct compose_service *dep = compose_service(p, d->service);
	long long deadline = now_ms() + timeout_ms;
	int n;

	if (dep == NULL || d->condition == COND_STARTED)
		return 0;
	for (n = 1; n <= (dep->container_name ? 1 : dep->replicas); n++) {
		char *name = spec_container_name(p, dep, n);
		int rc = 0;

		out_info("-----> Waiting for %s (%s)", name,
		    d->condition == COND_HEALTHY ? "healthy" : "completed");
		for (;;) {
			json_t *info = NULL, *state;
			const char *status, *health;
			long code;

			if (engine_container_inspect(e, name, &info) < 0) {
				rc = error_set("service \"%s\" depends on \"%s\": %s",
				    s->name, d->service, error_last());
				json_decref(info);
				break;
			}
			state = json_object_get(info, "State");
			status = json_str(state, "Status");
			health = json_str(json_object_get(state, "Health"), "Status");
			code = (long)json_integer_value(json_object_get(state, "ExitCode"));
			if (d->condition == COND_HEALTHY) {
				if (health != NULL && strcmp(health, "healthy") == 0) {
					json_decref(info);
					break;
				}
				if (health == NULL)
					rc = error_set("service \"%s\" waits for \"%s\" to be healthy, but it has no healthcheck",
					    s->name, d->service);
				else if (strcmp(health, "unhealthy") == 0)
					rc = error_set("dependency \"%s\" of service \"%s\" is unhealthy",
					    d->service, s->name);
				else if (status && strcmp(status, "exited") == 0)
					rc = error_set("dependency \"%s\" of service \"%s\" exited with code %ld",
					    d->service, s->name, code);
			} else if (status && strcmp(status, "exited") == 0) {
				if (code != 0)
					rc = error_set("dependency \"%s\" of service \"%s\" exited with code %ld",
					    d->service, s->name, code);
				json_decref(info);
				break;
			}
			json_decref(info);
			if (rc < 0)
				break;
			if (now_ms() > deadline) {
				rc = error_set("timed out waiting for \"%s\", a dependency of \"%s\"",
				    d->service, s->name);
				break;
			}
			sleep_ms(200);
		}
		free(name);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int
converge_wait_dependencies(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, long timeout_ms)
{
	size_t j;

	for (j = 0; j < s->ndepends; j++) {
		const struct compose_service *dep = compose_service(p,
		    s->depends[j].service);

		if (dep == NULL || !compose_service_active(dep))
			continue;
		if (wait_dependency(e, p, s, &s->depends[j], timeout_ms) < 0)
			return -1;
	}
	return 0;
}

static int
wanted(const struct converge_opts *opts, const char *service)
{
	size_t i;

	if (opts->only == NULL)
		return 1;
	for (i = 0; i < opts->only->n; i++) {
		if (strcmp(opts->only->v[i], service) == 0)
			return 1;
	}
	return 0;
}

/* The pre_stop hooks of o (of service s, NULL for an orphan). */
static void
pre_stop(struct engine *e, const struct compose_service *s,
    const struct observed *o)
{
	container_pre_stop(e, s, o->id, o->name, o->state);
}

struct remover {
	const char *docker_host;
	const char *id;
	char *error;
	int rc;
};

static void *
remover_main(void *arg)
{
	struct remover *r = arg;
	struct engine *e = NULL;

	r->rc = engine_open(&e, r->docker_host);
	if (r->rc == 0)
		r->rc = engine_container_remove(e, r->id, 0);
	if (r->rc < 0)
		r->error = xstrdup(error_last());
	engine_free(e);
	error_clear();
	return NULL;
}

/*
 * The old container old_id is stopped (its ports are free): start the new
 * one, id, under its temporary name while the old one is removed on a
 * connection of its own (removing takes the engine ~100 ms that the start
 * need not wait for), then give the new one its canonical name. Every state
 * a kill -9 can leave between these calls (the old one stopped or gone, the
 * new one created or running under the temporary name) is one the plain
 * sequence (remove, rename, start) could leave too, or converges the same
 * way: the old one is in the way of nothing, the next deploy replaces both.
 */
static int
replace_stopped(struct engine *e, const struct converge_opts *opts,
    const char *old_id, const char *id, const char *name)
{
	struct remover r = { NULL, old_id, NULL, 0 };
	pthread_t thread;
	int started = 0, rc_start;

	if (opts->cfg != NULL) {
		r.docker_host = opts->cfg->docker_host;
		started = pthread_create(&thread, NULL, remover_main, &r) == 0;
	}
	if (!started && engine_container_remove(e, old_id, 0) < 0) {
		error_set("cannot replace \"%s\": %s", name, error_last());
		container_discard(e, id);
		return -1;
	}
	rc_start = engine_container_start(e, id);
	if (started) {
		char *saved = rc_start < 0 ? error_save() : NULL;

		pthread_join(thread, NULL);
		if (rc_start < 0)
			error_restore(saved);
		/* the remover's own connection failed: once more on ours */
		if (r.rc < 0) {
			char *start_error = error_save();

			if (engine_container_remove(e, old_id, 0) == 0)
				r.rc = 0;
			error_restore(start_error);
		}
		if (r.rc < 0) {
			error_set("cannot replace \"%s\": %s", name, r.error);
			free(r.error);
			container_discard(e, id);
			return -1;
		}
		free(r.error);
	}
	if (rc_start < 0) {
		/* Leave it as the plain sequence would: under its own name,
		 * not started (the rollback replaces it). */
		char *saved = error_save();

		if (engine_container_rename(e, id, name) < 0)
			out_warn("warning: %s", error_last());
		error_restore(saved);
	}
	if (rc_start < 0 || engine_container_rename(e, id, name) < 0)
		return error_set("cannot start \"%s\": %s", name,
		    error_last());
	return 0;
}

/* Carry out one step for service s. */
static int
apply_step(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, const struct plan_step *st,
    const struct service_image *img, const char *hash,
    const struct converge_opts *opts)
{
	char *name = spec_container_name(p, s, st->number), *tmp = NULL;
	char *id = NULL;
	int rc = -1;

	switch (st->action) {
	case PLAN_KEEP:
	case PLAN_REMOVE:
		rc = 0;
		break;
	case PLAN_START:
		out_info("-----> Starting %s", name);
		/* The engine resolves the bind sources again at start. */
		if (binds_verify(p, s) < 0)
			break;
		if (engine_container_start(e, st->old->id) < 0) {
			error_set("cannot start \"%s\": %s", name, error_last());
			break;
		}
		if (container_hooks(e, s, st->old->id, name, 1) < 0)
			break;
		rc = 0;
		break;
	case PLAN_CREATE:
		out_info("-----> Creating %s", name);
		if (container_create(e, p, s, st->number, name, img, hash, opts,
		    NULL, &id) < 0)
			break;
		if (engine_container_start(e, id) < 0) {
			error_set("cannot start \"%s\": %s", name, error_last());
			break;
		}
		if (container_hooks(e, s, id, name, 1) < 0)
			break;
		rc = 0;
		break;
	case PLAN_RECREATE:
		out_info("-----> Recreating %s (%s)", name, st->reason);
		tmp = xasprintf("%.12s_%s", st->old->id, name);
		if (container_create(e, p, s, st->number, tmp, img, hash, opts,
		    st->old, &id) < 0)
			break;
		pre_stop(e, compose_service(p, st->old->service ?
		    st->old->service : ""), st->old);
		if (container_stop(e, s, st->old->id, name) < 0) {
			error_set("cannot replace \"%s\": %s", name, error_last());
			container_discard(e, id);
			break;
		}
		if (replace_stopped(e, opts, st->old->id, id, name) < 0)
			break;
		if (container_hooks(e, s, id, name, 1) < 0)
			break;
		rc = 0;
		break;
	}
	if (rc == 0 && st->action != PLAN_KEEP && st->action != PLAN_REMOVE &&
	    opts->changed != NULL)
		strv_push(opts->changed, name);
	free(id);
	free(tmp);
	free(name);
	return rc;
}

/* Wait for the dependencies of s, then carry out its steps. */
static int
converge_service(struct engine *e, const struct compose_project *p,
    const struct compose_service *s, const struct plan *plan,
    const struct service_image *img, const char *hash,
    const struct converge_opts *opts)
{
	size_t j;

	if (converge_wait_dependencies(e, p, s, opts->wait_timeout_ms) < 0)
		return -1;
	if (s->http.set && opts->site_template != NULL)
		return cutover_service(e, p, s, plan, img, hash, opts);
	for (j = 0; j < plan->nsteps; j++) {
		const struct plan_step *st = &plan->steps[j];

		if (st->service == NULL || st->action == PLAN_REMOVE ||
		    strcmp(st->service, s->name) != 0)
			continue;
		if (apply_step(e, p, s, st, img, hash, opts) < 0)
			return -1;
	}
	return 0;
}

/* Does the plan change anything of service s? */
static int
service_changes(const struct plan *plan, const char *service)
{
	size_t j;

	for (j = 0; j < plan->nsteps; j++) {
		const struct plan_step *st = &plan->steps[j];

		if (st->service != NULL && strcmp(st->service, service) == 0 &&
		    st->action != PLAN_KEEP && st->action != PLAN_REMOVE)
			return 1;
	}
	return 0;
}

#define PARALLEL_MAX 16

/* One service brought up by a thread of its own. */
struct worker {
	pthread_t thread;
	int started;
	const struct compose_project *p;
	const struct compose_service *s;
	const struct plan *plan;
	const struct service_image *img;
	const char *hash;
	struct converge_opts opts;	/* changed: the worker's own list */
	struct strv changed;
	char *error;
	int rc;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct engine *e = NULL;

	w->opts.changed = &w->changed;
	w->rc = engine_open(&e, w->opts.cfg->docker_host);
	if (w->rc == 0)
		w->rc = converge_service(e, w->p, w->s, w->plan, w->img,
		    w->hash, &w->opts);
	if (w->rc < 0)
		w->error = xstrdup(error_last());
	engine_free(e);
	error_clear();
	return NULL;
}

/*
 * Apply the plan service by service in dependency levels: a service's level
 * is one more than its dependencies' highest, so the services of one level
 * never wait for each other and run in parallel (web services that go
 * through nginx, one at a time, by the caller's thread).
 */
static int
apply_levels(struct engine *e, const struct compose_project *p,
    const size_t *order, size_t nact, const struct plan *plan,
    const struct service_image *images, size_t nimages, char **hashes,
    const struct converge_opts *opts)
{
	int *level = xcalloc(nact + 1, sizeof *level);
	struct worker *w = xcalloc(nact + 1, sizeof *w);
	size_t i, j, k, nw;
	int lvl, top = 0, rc = 0;

	for (i = 0; i < nact; i++) {
		const struct compose_service *s = &p->services[order[i]];

		for (j = 0; j < s->ndepends; j++) {
			for (k = 0; k < i; k++) {
				if (strcmp(p->services[order[k]].name,
				    s->depends[j].service) == 0 &&
				    level[k] + 1 > level[i])
					level[i] = level[k] + 1;
			}
		}
		if (level[i] > top)
			top = level[i];
	}
	for (lvl = 0; lvl <= top && rc == 0; lvl++) {
		/* The services of this level that change, for threads. */
		nw = 0;
		for (i = 0; i < nact; i++) {
			const struct compose_service *s = &p->services[order[i]];

			if (level[i] != lvl || !wanted(opts, s->name) ||
			    (s->http.set && opts->site_template != NULL) ||
			    !service_changes(plan, s->name))
				continue;
			w[nw].p = p;
			w[nw].s = s;
			w[nw].plan = plan;
			w[nw].img = image_for(images, nimages, s->name);
			w[nw].hash = hashes[i];
			w[nw].opts = *opts;
			nw++;
		}
		if (nw < 2 || opts->cfg == NULL)
			nw = 0;		/* nothing to gain: the loop below */
		for (k = 0; k < nw; k += PARALLEL_MAX) {
			for (j = k; j < nw && j < k + PARALLEL_MAX; j++)
				w[j].started = pthread_create(&w[j].thread,
				    NULL, worker_main, &w[j]) == 0;
			for (j = k; j < nw && j < k + PARALLEL_MAX; j++) {
				if (w[j].started)
					pthread_join(w[j].thread, NULL);
				else
					worker_main(&w[j]);
			}
		}
		for (j = 0; j < nw; j++) {
			if (opts->changed != NULL)
				for (k = 0; k < w[j].changed.n; k++)
					strv_push(opts->changed,
					    w[j].changed.v[k]);
			if (w[j].rc < 0 && rc == 0)
				rc = error_set("%s", w[j].error);
		}
		for (i = 0; i < nact && rc == 0; i++) {
			const struct compose_service *s = &p->services[order[i]];

			if (level[i] != lvl || !wanted(opts, s->name))
				continue;
			for (j = 0; j < nw && w[j].s != s; j++)
				;
			if (j < nw)
				continue;	/* done by a thread */
			rc = converge_service(e, p, s, plan,
			    image_for(images, nimages, s->name), hashes[i],
			    opts);
		}
		for (j = 0; j < nw; j++) {
			strv_clear(&w[j].changed);
			free(w[j].error);
		}
		memset(w, 0, (nact + 1) * sizeof *w);
	}
	free(w);
	free(level);
	return rc;
}

static void
desired_dispose(struct desired *d)
{
	strv_clear(&d->networks);
	strv_clear(&d->volumes);
}

/*
 * Whether the file declares a network or volume of its own that no service
 * uses: a deploy creates it all the same (a file of volumes and networks
 * only is deployed for them), even when no container changes.
 */
static int
unused_resources(const struct compose_project *p, const struct desired *des,
    size_t ndes)
{
	size_t i, j;
	int used;

	for (i = 0; i < p->nnetworks; i++) {
		if (p->networks[i].external)
			continue;
		for (j = 0, used = 0; j < ndes && !used; j++)
			used = strv_contains(&des[j].networks,
			    p->networks[i].name);
		if (!used)
			return 1;
	}
	for (i = 0; i < p->nvolumes; i++) {
		if (p->volumes[i].external)
			continue;
		for (j = 0, used = 0; j < ndes && !used; j++)
			used = strv_contains(&des[j].volumes,
			    p->volumes[i].name);
		if (!used)
			return 1;
	}
	return 0;
}

int
converge_project(struct engine *e, const struct compose_project *p,
    const struct service_image *images, size_t nimages,
    const struct converge_opts *opts)
{
	struct observed *obs = NULL;
	struct desired *des = NULL;
	char **hashes = NULL;
	size_t *order = NULL, nobs = 0, nact = 0, i;
	struct plan plan = { 0 };
	struct net_state *netdes = NULL, *netobs = NULL;
	char **nethashes = NULL;
	size_t nnetdes = 0, nnetobs = 0;
	json_t *netlist = NULL;
	int rc = -1, ord;

	order = xcalloc(p->nservices + 1, sizeof *order);
	if ((ord = compose_order(p, order)) < 0)
		goto done;
	nact = (size_t)ord;
	des = xcalloc(nact + 1, sizeof *des);
	hashes = xcalloc(nact + 1, sizeof *hashes);
	for (i = 0; i < nact; i++) {
		const struct compose_service *s = &p->services[order[i]];
		const struct service_image *img = image_for(images, nimages, s->name);
		if (img == NULL) {
			error_set("no image for service \"%s\"", s->name);
			goto done;
		}
		hashes[i] = spec_config_hash(p, s);
		des[i].service = s->name;
		des[i].replicas = s->replicas;
		des[i].hash = hashes[i];
		des[i].image_id = img->id;
		des[i].fixed_name = s->container_name != NULL;
		if (s->network_mode == NULL)
			spec_service_networks(p, s, &des[i].networks);
		spec_service_volumes(p, s, &des[i].volumes);
	}
	if (converge_observe(e, p->name, &obs, &nobs) < 0)
		goto done;
	if (network_states(e, p, &netdes, &nethashes, &nnetdes, &netobs,
	    &nnetobs, &netlist) < 0)
		goto done;
	plan_compute(&plan, des, nact, obs, nobs);
	plan_networks(&plan, netdes, nnetdes, netobs, nnetobs);
	if (opts->dry_run) {
		for (i = 0; i < plan.networks.n; i++)
			out_info("recreate network %s: configuration changed",
			    plan.networks.v[i]);
		for (i = 0; i < plan.nsteps; i++)
			out_info("%s %s-%d%s%s", plan_action_name(plan.steps[i].action),
			    plan.steps[i].service ? plan.steps[i].service : "?",
			    plan.steps[i].number,
			    plan.steps[i].reason ? ": " : "",
			    plan.steps[i].reason ? plan.steps[i].reason : "");
		rc = 0;
		goto done;
	}
	/* Up-to-date containers are attached to every network and volume they
	 * need (the planner checks), so a no-op deploy inspects nothing else. */
	if (plan.changes == 0) {
		if (opts->only != NULL) {
			rc = 0;
			goto done;
		}
		if (unused_resources(p, des, nact) &&
		    converge_resources(e, p) < 0)
			goto done;
		out_info("-----> Nothing to change: %zu container%s up to date", plan.nsteps,
		    plan.nsteps == 1 ? "" : "s");
		rc = cutover_site(e, p, opts);
		goto done;
	}
	if (opts->before_change != NULL &&
	    opts->before_change(opts->before_ctx) < 0)
		goto done;
	if (converge_resources(e, p) < 0 ||
	    recreate_networks(e, p, &plan, obs, nobs) < 0)
		goto done;
	/* Removals first: they may hold ports or names the new ones need. */
	for (i = 0; i < plan.nsteps; i++) {
		const struct plan_step *st = &plan.steps[i];

		if (st->action != PLAN_REMOVE || opts->only != NULL)
			continue;
		/* A web service scales in after nginx stopped routing to it. */
		if (st->service != NULL && opts->site_template != NULL &&
		    compose_service(p, st->service)->http.set)
			continue;
		out_info("-----> Removing %s (%s)", st->old->name, st->reason);
		pre_stop(e, st->service ? compose_service(p, st->service) :
		    NULL, st->old);
		if (container_stop(e, st->service ? compose_service(p,
		    st->service) : NULL, st->old->id, st->old->name) < 0 ||
		    engine_container_remove(e, st->old->id, 0) < 0) {
			error_set("cannot remove \"%s\": %s", st->old->name,
			    error_last());
			goto done;
		}
	}
	if (apply_levels(e, p, order, nact, &plan, images, nimages, hashes,
	    opts) < 0)
		goto done;
	rc = opts->only != NULL ? 0 : cutover_site(e, p, opts);
done:
	plan_dispose(&plan);
	observed_list_free(obs, nobs);
	for (i = 0; nethashes != NULL && i < p->nnetworks; i++)
		free(nethashes[i]);
	free(nethashes);
	free(netdes);
	free(netobs);
	json_decref(netlist);
	for (i = 0; i < nact; i++) {
		desired_dispose(&des[i]);
		free(hashes[i]);
	}
	free(des);
	free(hashes);
	free(order);
	return rc;
}

/*
 * Remove network name. A container just removed may hold its endpoint for a
 * moment on a loaded engine ("has active endpoints"): try again for up to
 * 5 s before giving up.
 */
static int
network_remove_settled(struct engine *e, const char *name)
{
	int tries;

	for (tries = 0;; tries++) {
		if (engine_network_remove(e, name) == 0)
			return 0;
		if (tries >= 25 || strstr(error_last(), "active endpoints") == NULL)
			return -1;
		error_clear();
		sleep_ms(200);
	}
}

int
converge_remove_volumes(struct engine *e, const char *label)
{
	const char *labels[] = { label };
	json_t *list = NULL, *v;
	size_t i;
	int rc = -1;

	if (engine_volume_list(e, labels, 1, &list) < 0)
		return -1;
	json_array_foreach(list, i, v) {
		const char *name = json_str(v, "Name");

		if (name == NULL)
			continue;
		out_info("-----> Removing volume %s", name);
		if (engine_volume_remove(e, name) < 0)
			goto done;
	}
	rc = 0;
done:
	json_decref(list);
	return rc;
}

int
converge_down(struct engine *e, const char *project, int how)
{
	char *label = xasprintf(LABEL_PROJECT "=%s", project);
	const char *labels[] = { label };
	const char *oneoff[] = { label, LABEL_ONEOFF "=True" };
	struct observed *obs = NULL;
	json_t *list = NULL, *v;
	size_t nobs = 0, i, j;
	int rc = -1;

	/* One-off containers (run, release commands) first, with the
	 * anonymous volumes the engine made for them: those they share with
	 * a service (volumes_from) are still in use, and stay. They hold the
	 * networks too. */
	if (engine_container_list(e, oneoff, 2, &list) < 0)
		goto done;
	json_array_foreach(list, i, v) {
		const char *id = json_str(v, "Id");

		if (id != NULL && engine_container_remove(e, id, 1) < 0)
			goto done;
	}
	json_decref(list);
	list = NULL;
	if (converge_observe(e, project, &obs, &nobs) < 0)
		goto done;
	for (i = 0; i < nobs; i++) {
		out_info("-----> Removing %s", obs[i].name);
		if (engine_container_remove(e, obs[i].id,
		    how == CONVERGE_DOWN_FRESH) < 0)
			goto done;
	}
	/* Anonymous volumes carry no label: known by the containers only. */
	for (i = 0; how != CONVERGE_DOWN_FRESH && i < nobs; i++) {
		for (j = 0; j < obs[i].anon_names.n; j++) {
			const char *name = obs[i].anon_names.v[j];

			if (how == CONVERGE_DOWN_KEEP) {
				out_info("-----> Keeping volume %s (anonymous, %s "
				    "of %s)", name, obs[i].anon_targets.v[j],
				    obs[i].name);
				continue;
			}
			out_info("-----> Removing volume %.12s (anonymous, %s of "
			    "%s)", name, obs[i].anon_targets.v[j], obs[i].name);
			if (engine_volume_remove(e, name) < 0)
				goto done;
		}
	}
	if (engine_network_list(e, labels, 1, &list) < 0)
		goto done;
	json_array_foreach(list, i, v) {
		const char *name = json_str(v, "Name");

		out_info("-----> Removing network %s", name);
		if (network_remove_settled(e, name) < 0)
			goto done;
	}
	json_decref(list);
	list = NULL;
	if (how == CONVERGE_DOWN_VOLUMES &&
	    converge_remove_volumes(e, label) < 0)
		goto done;
	rc = 0;
done:
	json_decref(list);
	observed_list_free(obs, nobs);
	free(label);
	return rc;
}

int
converge_remove_dangling(struct engine *e, const char *app)
{
	char *label = xasprintf("slipway.app=%s", app);
	const char *labels[] = { label };
	json_t *list = NULL, *img;
	size_t i;
	int rc = -1;

	if (engine_image_list_dangling(e, labels, 1, &list) < 0)
		goto done;
	json_array_foreach(list, i, img) {
		const char *id = json_str(img, "Id");

		/* Still used by a container: left for a later retention. */
		if (id != NULL && engine_image_remove(e, id) < 0)
			out_warn("warning: cannot remove image %.19s: %s", id,
			    error_last());
	}
	rc = 0;
done:
	json_decref(list);
	free(label);
	return rc;
}

/* One restart policy update by a thread of its own. */
struct restart_job {
	pthread_t thread;
	int started;
	const char *docker_host, *policy;
	const struct observed *o;
	char *error;
};

static void *
restart_main(void *arg)
{
	struct restart_job *j = arg;
	struct engine *e = NULL;

	if (engine_open(&e, j->docker_host) < 0 ||
	    engine_container_set_restart(e, j->o->id, j->policy) < 0)
		j->error = xasprintf("cannot give \"%s\" the restart policy "
		    "\"%s\": %s", j->o->name, j->policy, error_last());
	engine_free(e);
	error_clear();
	return NULL;
}

int
converge_default_restart(struct engine *e, const char *docker_host,
    const struct compose_project *p, const char *policy,
    const struct strv *names)
{
	struct observed *o = NULL;
	struct restart_job *jobs;
	size_t n = 0, nj = 0, i, k;
	int rc = 0;

	if (policy == NULL || strcmp(policy, "no") == 0 || names == NULL ||
	    names->n == 0)
		return 0;
	if (converge_observe(e, p->name, &o, &n) < 0)
		return -1;
	jobs = xcalloc(n + 1, sizeof *jobs);
	for (i = 0; i < n; i++) {
		const struct compose_service *s = o[i].service != NULL ?
		    compose_service(p, o[i].service) : NULL;

		if (s == NULL || s->restart != NULL ||
		    compose_service_awaited(p, s->name) ||
		    o[i].state == NULL || strcmp(o[i].state, "running") != 0 ||
		    !strv_contains(names, o[i].name))
			continue;
		jobs[nj].docker_host = docker_host;
		jobs[nj].policy = policy;
		jobs[nj++].o = &o[i];
	}
	/* Each update is a write of the container's config by the engine:
	 * several at once (on connections of their own) when there is a
	 * docker_host to open them. */
	for (k = 0; k < nj; k += PARALLEL_MAX) {
		for (i = k; i < nj && i < k + PARALLEL_MAX; i++)
			jobs[i].started = nj > 1 && docker_host != NULL &&
			    pthread_create(&jobs[i].thread, NULL,
			    restart_main, &jobs[i]) == 0;
		for (i = k; i < nj && i < k + PARALLEL_MAX; i++) {
			if (jobs[i].started)
				pthread_join(jobs[i].thread, NULL);
			else if (engine_container_set_restart(e, jobs[i].o->id,
			    policy) < 0)
				jobs[i].error = xasprintf("cannot give \"%s\" "
				    "the restart policy \"%s\": %s",
				    jobs[i].o->name, policy, error_last());
		}
	}
	for (i = 0; i < nj; i++) {
		if (jobs[i].error != NULL && rc == 0)
			rc = error_set("%s", jobs[i].error);
		free(jobs[i].error);
	}
	free(jobs);
	observed_list_free(o, n);
	return rc;
}
