/*
 * swarm.c - a compose project as a Swarm stack, through one manager's
 * Engine API: the specs come from stack.c; here they are sent, only when
 * they differ from what runs, and held to a gate. Swarm itself replaces the
 * tasks (UpdateConfig: order, parallelism, failure_action) and rolls a
 * service back (rollback=previous).
 */
#include <stdlib.h>
#include <string.h>

#include "reconcile/claims.h"
#include "reconcile/converge.h"
#include "reconcile/spec.h"
#include "reconcile/stack.h"
#include "reconcile/swarm.h"

#define POLL_MS 500
/* How long an update may show no UpdateStatus before the tasks decide:
 * a change that replaces no task (replicas only) never gets one. */
#define STATUS_GRACE_MS 3000
/* How long app destroy waits for the tasks' containers to go. */
#define DOWN_WAIT_MS 60000

int
swarm_require_manager(struct engine *e)
{
	char *state = NULL;
	int manager, rc;

	if (engine_swarm_manager(e, &manager, &state) < 0)
		return -1;
	if (manager)
		rc = 0;
	else if (strcmp(state, "active") == 0)
		rc = error_set("target = swarm, but the engine at docker_host is "
		    "a Swarm worker, not a manager: point docker_host at a "
		    "manager (or `docker node promote` this node)");
	else
		rc = error_set("target = swarm, but the engine at docker_host is "
		    "not part of a Swarm (state \"%s\"): run `docker swarm init` "
		    "there (or `docker swarm join` it as a manager), or set "
		    "target = engine", state);
	free(state);
	return rc;
}

void
swarm_changes_dispose(struct swarm_changes *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].id);
		free(c->v[i].name);
	}
	free(c->v);
	memset(c, 0, sizeof *c);
}

static void
change_add(struct swarm_changes *c, const char *id, const char *name,
    int created, long long version)
{
	struct swarm_change *x;

	c->v = xgrow(c->v, &c->alloc, c->n + 1, sizeof *c->v);
	x = &c->v[c->n++];
	x->id = xstrdup(id);
	x->name = xstrdup(name);
	x->created = created;
	x->version = version;
}

int
swarm_services(struct engine *e, const char *app, json_t **out)
{
	char *label = xasprintf(STACK_LABEL_NAMESPACE "=%s", app);
	const char *labels[] = { label };
	int rc = engine_service_list(e, labels, 1, out);

	free(label);
	return rc;
}

static const char *
label_of(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(json_object_get(
	    json_object_get(obj, "Spec"), "Labels"), key));
}

int
swarm_other_form(struct engine *e, const char *app, int swarm,
    struct neighbours *nb)
{
	char *label = xasprintf(LABEL_PROJECT "=%s", app);
	char *ns = xasprintf(STACK_LABEL_NAMESPACE "=%s", app);
	const char *labels[] = { label }, *nslabels[] = { ns };
	json_t *list = NULL, *c;
	size_t i, n = 0;
	int rc = -1, r = 0;

	if (swarm) {
		if (nb != NULL ? neighbours_read(e, nb, 1, 0) < 0 :
		    engine_container_list(e, labels, 1, &list) < 0)
			goto done;
		json_array_foreach(nb != NULL ? nb->containers : list, i, c) {
			json_t *l = json_object_get(c, "Labels");
			const char *st = json_string_value(json_object_get(c,
			    "State"));
			const char *o = json_string_value(json_object_get(l,
			    LABEL_PROJECT));

			if (o != NULL && strcmp(o, app) == 0 &&
			    json_object_get(l, "com.docker.swarm.service.id") ==
			    NULL && st != NULL && strcmp(st, "running") == 0)
				n++;
		}
		if (n > 0) {
			error_set("app \"%s\" still runs %zu container%s as "
			    "target = engine: remove them first (docker rm -f "
			    "$(docker ps -q --filter label=%s)), then deploy "
			    "with target = swarm", app, n, n == 1 ? "" : "s",
			    label);
			goto done;
		}
	} else {
		/* 1: not a manager, so no services (and no GET /info on every
		 * deploy: it costs several milliseconds) */
		if (nb != NULL)
			r = neighbours_read(e, nb, 0, 1);
		else
			r = engine_service_list_any(e, nslabels, 1, &list);
		if (r < 0)
			goto done;
		json_array_foreach(nb != NULL ? nb->services : list, i, c) {
			const char *o = label_of(c, STACK_LABEL_NAMESPACE);

			if (o != NULL && strcmp(o, app) == 0)
				n++;
		}
		if (n > 0) {
			error_set("app \"%s\" still runs %zu Swarm service%s as "
			    "target = swarm: remove them first (docker stack rm "
			    "%s), then deploy with target = engine", app, n,
			    n == 1 ? "" : "s", app);
			goto done;
		}
	}
	rc = 0;
done:
	json_decref(list);
	free(label);
	free(ns);
	return rc;
}

static long long
version_of(json_t *svc)
{
	return json_integer_value(json_object_get(json_object_get(svc,
	    "Version"), "Index"));
}

/* Create the project's own overlay networks that do not exist yet. */
static int
ensure_networks(struct engine *e, const struct compose_project *p)
{
	size_t i;

	for (i = 0; i < p->nnetworks; i++) {
		const struct compose_network *n = &p->networks[i];
		json_t *info = NULL, *body;
		const char *ns;
		int found;

		if ((found = engine_network_inspect(e, n->name, &info)) < 0)
			return -1;
		if (found == 0) {
			ns = json_string_value(json_object_get(json_object_get(
			    info, "Labels"), STACK_LABEL_NAMESPACE));
			if (!n->external && (ns == NULL ||
			    strcmp(ns, p->name) != 0)) {
				json_decref(info);
				return error_set("network \"%s\" exists but is "
				    "not the Swarm network of \"%s\" (remove it, "
				    "or name the network differently)", n->name,
				    p->name);
			}
			json_decref(info);
			continue;
		}
		if (n->external)
			return error_set("external network \"%s\" does not "
			    "exist", n->name);
		body = stack_network_spec(p, n);
		out_info("-----> Creating network %s (overlay)", n->name);
		found = engine_network_create(e, body);
		json_decref(body);
		if (found < 0)
			return error_set("network \"%s\": %s", n->name,
			    error_last());
	}
	return 0;
}

int
swarm_deploy(struct engine *e, const struct compose_project *p,
    const struct swarm_image *images, size_t nimages, const char *commit,
    struct swarm_changes *ch)
{
	struct strv warnings = STRV_INIT;
	size_t i, j;
	int rc = -1;

	if (stack_check(p) < 0 || ensure_networks(e, p) < 0)
		goto done;
	for (i = 0; i < p->nservices; i++) {
		const struct compose_service *s = &p->services[i];
		const struct swarm_image *img = NULL;
		json_t *spec, *cur = NULL;
		char *name, *id = NULL;
		const char *want, *have, *ns;
		int found, r;

		if (!compose_service_active(s))
			continue;
		for (j = 0; j < nimages && img == NULL; j++) {
			if (strcmp(images[j].service, s->name) == 0)
				img = &images[j];
		}
		if (img == NULL) {
			error_set("service \"%s\" has no image", s->name);
			goto done;
		}
		strv_clear(&warnings);
		spec = stack_service_spec(p, s, img->ref, img->label, commit,
		    &warnings);
		for (j = 0; j < warnings.n; j++)
			out_warn("warning: %s", warnings.v[j]);
		name = stack_service_name(p, s);
		want = json_string_value(json_object_get(json_object_get(spec,
		    "Labels"), STACK_LABEL_HASH));
		found = engine_service_inspect(e, name, &cur);
		r = -1;
		if (found < 0)
			r = -1;
		else if (found == ENGINE_MISSING) {
			out_info("-----> Creating service %s", name);
			if ((r = engine_service_create(e, spec, img->auth,
			    &id)) == 0)
				change_add(ch, id, name, 1, 0);
		} else if ((ns = label_of(cur, STACK_LABEL_NAMESPACE)) == NULL ||
		    strcmp(ns, p->name) != 0)
			error_set("service \"%s\" exists but is not part of the "
			    "stack \"%s\"", name, p->name);
		else if ((have = label_of(cur, STACK_LABEL_HASH)) != NULL &&
		    strcmp(have, want) == 0) {
			out_info("-----> Service %s is unchanged", name);
			r = 0;
		} else {
			const char *sid = json_string_value(json_object_get(cur,
			    "ID"));
			json_t *after = NULL;

			out_info("-----> Updating service %s", name);
			if (sid == NULL)
				r = error_set("the engine's service \"%s\" has "
				    "no ID", name);
			else if ((r = engine_service_update(e, sid, version_of(cur),
			    spec, img->auth, 0)) == 0) {
				long long v = version_of(cur) + 1;

				if (engine_service_inspect(e, sid, &after) == 0)
					v = version_of(after);
				change_add(ch, sid, name, 0, v);
			}
			json_decref(after);
		}
		if (r < 0)
			error_set("service \"%s\": %s", name, error_last());
		json_decref(cur);
		json_decref(spec);
		free(name);
		free(id);
		if (r < 0)
			goto done;
	}
	rc = 0;
done:
	strv_clear(&warnings);
	return rc;
}

/*
 * What a failed task said: the task named id (the one UpdateStatus blames;
 * may be NULL), else the newest task with an error. "task 2 failed: ERR"
 * (allocated), or NULL.
 */
static char *
task_failure(json_t *tasks, const char *id)
{
	json_t *t, *best = NULL, *st;
	const char *best_ts = "", *err, *state, *msg;
	size_t i;

	json_array_foreach(tasks, i, t) {
		const char *tid = json_string_value(json_object_get(t, "ID"));
		const char *ts;

		st = json_object_get(t, "Status");
		err = json_string_value(json_object_get(st, "Err"));
		ts = json_string_value(json_object_get(st, "Timestamp"));
		if (id != NULL && tid != NULL && strcmp(tid, id) == 0) {
			best = t;
			break;
		}
		if (err == NULL || *err == '\0')
			continue;
		if (ts == NULL)
			ts = "";
		if (best == NULL || strcmp(ts, best_ts) > 0) {
			best = t;
			best_ts = ts;
		}
	}
	if (best == NULL)
		return NULL;
	st = json_object_get(best, "Status");
	err = json_string_value(json_object_get(st, "Err"));
	state = json_string_value(json_object_get(st, "State"));
	msg = json_string_value(json_object_get(st, "Message"));
	if (err == NULL || *err == '\0')
		return xasprintf("task %lld %s (exit code %lld, %s)",
		    (long long)json_integer_value(json_object_get(best, "Slot")),
		    state != NULL ? state : "?",
		    (long long)json_integer_value(json_object_get(
		    json_object_get(st, "ContainerStatus"), "ExitCode")),
		    msg != NULL ? msg : "no message");
	return xasprintf("task %lld %s: %s",
	    (long long)json_integer_value(json_object_get(best, "Slot")),
	    state != NULL ? state : "?", err);
}

/* The task ID an UpdateStatus message blames ("... of task ID"), or NULL. */
static char *
blamed_task(const char *message)
{
	const char *t = message != NULL ? strstr(message, "task ") : NULL;
	size_t n;

	if (t == NULL)
		return NULL;
	t += 5;
	n = strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789");
	return n > 0 ? xstrndup(t, n) : NULL;
}

/*
 * A Swarm timestamp ("2026-11-28T10:59:55.46Z") as a key that sorts as
 * the time does: the fraction padded to nine digits.
 */
static void
time_key(const char *ts, char key[32])
{
	const char *frac;
	size_t n;

	memset(key, '0', 29);
	key[29] = '\0';
	if (ts == NULL || strlen(ts) < 19)
		return;
	memcpy(key, ts, 19);
	key[19] = '.';
	if (ts[19] == '.') {
		frac = ts + 20;
		n = strspn(frac, "0123456789");
		memcpy(key + 20, frac, n > 9 ? 9 : n);
	}
}

/*
 * Are the tasks of svc what it wants: every task meant to run running, and
 * at least Replicas of them (global: at least one)? A one-shot service's
 * (restart condition none or on-failure) task that completed with exit 0
 * since the change began (any task of a service created now) has done its
 * job and counts as ready, as on one
 * host; one that failed since then fails the gate at once (Swarm does
 * not judge: FailureAction continue). A task still running an older
 * ContainerSpec is not ready (the update has not reached it, even when no
 * UpdateStatus shows yet). *tasks_out keeps the list for messages.
 */
static int
tasks_ready(struct engine *e, json_t *svc, int created, json_t **tasks_out)
{
	const char *id = json_string_value(json_object_get(svc, "ID"));
	json_t *spec = json_object_get(svc, "Spec");
	json_t *mode = json_object_get(spec, "Mode");
	json_t *rep = json_object_get(mode, "Replicated"), *tasks = NULL, *t;
	const char *cond = json_string_value(json_object_get(json_object_get(
	    json_object_get(spec, "TaskTemplate"), "RestartPolicy"),
	    "Condition"));
	const char *since = json_string_value(json_object_get(json_object_get(
	    svc, "UpdateStatus"), "StartedAt"));
	long long want = rep != NULL ? json_integer_value(json_object_get(rep,
	    "Replicas")) : 1;
	long long running = 0, other = 0, done = 0;
	int oneshot = cond != NULL && strcmp(cond, "any") != 0;
	char since_key[32], key[32];
	size_t i;

	if (since == NULL)
		since = json_string_value(json_object_get(svc, "UpdatedAt"));
	/* A service this deploy created has no older task. */
	time_key(created ? NULL : since, since_key);
	*tasks_out = NULL;
	if (id == NULL)
		return error_set("the engine's service has no ID");
	if (engine_task_list(e, "service", id, &tasks) < 0)
		return -1;
	json_array_foreach(tasks, i, t) {
		const char *desired = json_string_value(json_object_get(t,
		    "DesiredState"));
		json_t *st = json_object_get(t, "Status");
		/* Swarm copies the service's task template into each task it
		 * makes: one of an older spec is not this deploy's. */
		int current = created || json_equal(json_object_get(
		    json_object_get(t, "Spec"), "ContainerSpec"),
		    json_object_get(json_object_get(spec, "TaskTemplate"),
		    "ContainerSpec"));
		const char *state = json_string_value(json_object_get(st,
		    "State"));

		time_key(json_string_value(json_object_get(t, "CreatedAt")),
		    key);
		if (oneshot && state != NULL && strcmp(key, since_key) >= 0 &&
		    (strcmp(state, "failed") == 0 ||
		    strcmp(state, "rejected") == 0)) {
			char *why = task_failure(tasks, json_string_value(
			    json_object_get(t, "ID")));

			error_set("service \"%s\": %s", json_string_value(
			    json_object_get(spec, "Name")), why);
			free(why);
			json_decref(tasks);
			return -1;
		}
		if (oneshot && state != NULL && strcmp(state, "complete") == 0 &&
		    json_integer_value(json_object_get(json_object_get(st,
		    "ContainerStatus"), "ExitCode")) == 0) {
			if (strcmp(key, since_key) >= 0)
				done++;
			continue;
		}
		if (desired == NULL || strcmp(desired, "running") != 0)
			continue;
		if (current && state != NULL && strcmp(state, "running") == 0)
			running++;
		else
			other++;
	}
	*tasks_out = tasks;
	return running + done >= want && other == 0;
}

/* Wait for one change; 0 ready, -1 failed (error set). */
static int
gate_one(struct engine *e, const struct swarm_change *c, long long deadline)
{
	long long started = now_ms();
	json_t *svc = NULL, *tasks = NULL;
	const char *state = NULL;
	char *why = NULL;
	int rc = -1, r;

	for (;;) {
		json_decref(svc);
		json_decref(tasks);
		svc = tasks = NULL;
		if (engine_service_inspect(e, c->id, &svc) != 0) {
			error_set("service \"%s\" is gone", c->name);
			goto done;
		}
		state = json_string_value(json_object_get(json_object_get(svc,
		    "UpdateStatus"), "State"));
		if (state != NULL && strcmp(state, "completed") != 0 &&
		    strcmp(state, "updating") != 0) {
			const char *m = json_string_value(json_object_get(
			    json_object_get(svc, "UpdateStatus"), "Message"));
			char *blamed = blamed_task(m);

			if (engine_task_list(e, "service", c->id, &tasks) == 0)
				why = task_failure(tasks, blamed);
			free(blamed);
			if (m != NULL)
				error_set("service \"%s\": update %s (%s)",
				    c->name, state, m);
			else
				error_set("service \"%s\": update %s", c->name,
				    state);
			if (why != NULL) {
				char *msg = xstrdup(error_last());

				error_set("%s; %s", msg, why);
				free(msg);
			}
			goto done;
		}
		if (c->created || (state != NULL &&
		    strcmp(state, "completed") == 0) || (state == NULL &&
		    now_ms() - started > STATUS_GRACE_MS)) {
			if ((r = tasks_ready(e, svc, c->created, &tasks)) < 0)
				goto done;
			if (r == 1) {
				rc = 0;
				goto done;
			}
		}
		if (now_ms() >= deadline) {
			if (tasks == NULL &&
			    engine_task_list(e, "service", c->id, &tasks) < 0)
				error_clear();
			why = tasks != NULL ? task_failure(tasks, NULL) : NULL;
			error_set("service \"%s\" did not become ready within "
			    "the health timeout (%s)%s%s", c->name,
			    state != NULL ? state : "tasks starting",
			    why != NULL ? "; " : "", why != NULL ? why : "");
			goto done;
		}
		sleep_ms(POLL_MS);
	}
done:
	json_decref(svc);
	json_decref(tasks);
	free(why);
	return rc;
}

int
swarm_gate(struct engine *e, const struct swarm_changes *ch, long timeout_ms,
    char **failed)
{
	long long deadline = now_ms() + timeout_ms;
	size_t i;

	*failed = NULL;
	for (i = 0; i < ch->n; i++) {
		out_info("-----> Waiting for %s", ch->v[i].name);
		if (gate_one(e, &ch->v[i], deadline) < 0) {
			*failed = xstrdup(ch->v[i].id);
			return -1;
		}
	}
	return 0;
}

/* Roll service c back through Swarm and wait for it; 0 or -1. */
static int
roll_back_one(struct engine *e, const struct swarm_change *c,
    long long deadline)
{
	long long asked = now_ms();
	json_t *svc = NULL, *tasks = NULL;
	const char *state;
	int rc = -1, sent = 0, r;

	for (;;) {
		json_decref(svc);
		json_decref(tasks);
		svc = tasks = NULL;
		if (engine_service_inspect(e, c->id, &svc) != 0) {
			error_set("service \"%s\" is gone", c->name);
			goto done;
		}
		state = json_string_value(json_object_get(json_object_get(svc,
		    "UpdateStatus"), "State"));
		if (!sent && (state == NULL || strncmp(state, "rollback_", 9)
		    != 0)) {
			out_info("-----> Rolling back service %s", c->name);
			if (engine_service_update(e, c->id, version_of(svc),
			    json_object_get(svc, "Spec"), NULL, 1) < 0)
				goto done;
			sent = 1;
			asked = now_ms();
			continue;
		}
		if (!sent) {
			out_info("-----> Swarm is rolling back service %s",
			    c->name);
			sent = 1;
		}
		if (state != NULL && strcmp(state, "rollback_paused") == 0) {
			error_set("service \"%s\": the rollback paused", c->name);
			goto done;
		}
		if ((state != NULL && strcmp(state, "rollback_completed") == 0) ||
		    (state == NULL && now_ms() - asked > STATUS_GRACE_MS)) {
			if ((r = tasks_ready(e, svc, c->created, &tasks)) < 0)
				goto done;
			if (r == 1) {
				rc = 0;
				goto done;
			}
		}
		if (now_ms() >= deadline) {
			error_set("service \"%s\": the rollback did not end in "
			    "time (%s)", c->name, state != NULL ? state : "");
			goto done;
		}
		sleep_ms(POLL_MS);
	}
done:
	json_decref(svc);
	json_decref(tasks);
	return rc;
}

int
swarm_undo(struct engine *e, const struct swarm_changes *ch, long timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	size_t i;
	int rc = 0;

	for (i = ch->n; i-- > 0;) {
		const struct swarm_change *c = &ch->v[i];

		if (c->created) {
			out_info("-----> Removing service %s", c->name);
			if (engine_service_remove(e, c->id) < 0)
				rc = -1;
		} else if (roll_back_one(e, c, deadline) < 0)
			rc = -1;
		if (rc < 0)
			out_warn("warning: %s", error_last());
	}
	if (rc < 0)
		error_set("some services could not be rolled back (see above)");
	return rc;
}

/* Remove the namespace's networks that keep is NULL or does not name. */
static int
prune_networks(struct engine *e, const char *app,
    const struct compose_project *keep)
{
	char *label = xasprintf(STACK_LABEL_NAMESPACE "=%s", app);
	const char *labels[] = { label };
	json_t *list = NULL, *n;
	size_t i, j;
	int rc = 0;

	if (engine_network_list(e, labels, 1, &list) < 0) {
		free(label);
		return -1;
	}
	json_array_foreach(list, i, n) {
		const char *name = json_string_value(json_object_get(n, "Name"));
		int used = 0;

		for (j = 0; keep != NULL && j < keep->nnetworks; j++)
			used |= name != NULL &&
			    strcmp(keep->networks[j].name, name) == 0;
		if (used || name == NULL)
			continue;
		out_info("-----> Removing network %s", name);
		/* Tasks of a removed service may still hold it for a while. */
		if (engine_network_remove(e, name) < 0) {
			out_warn("warning: network \"%s\": %s (the next deploy "
			    "removes it)", name, error_last());
			rc = 0;
		}
	}
	json_decref(list);
	free(label);
	return rc;
}

/* Remove the namespace's services that keep (NULL: none) does not run. */
static int
prune_services(struct engine *e, const char *app,
    const struct compose_project *keep)
{
	json_t *list = NULL, *svc;
	size_t i, j;
	int rc = 0;

	if (swarm_services(e, app, &list) < 0)
		return -1;
	json_array_foreach(list, i, svc) {
		const char *name = json_string_value(json_object_get(
		    json_object_get(svc, "Spec"), "Name"));
		const char *id = json_string_value(json_object_get(svc, "ID"));
		int used = 0;

		for (j = 0; keep != NULL && j < keep->nservices; j++) {
			char *want;

			if (!compose_service_active(&keep->services[j]))
				continue;
			want = stack_service_name(keep, &keep->services[j]);
			used |= name != NULL && strcmp(want, name) == 0;
			free(want);
		}
		if (used || id == NULL)
			continue;
		out_info("-----> Removing service %s", name != NULL ? name : id);
		if (engine_service_remove(e, id) < 0)
			rc = -1;
	}
	json_decref(list);
	return rc;
}

int
swarm_prune(struct engine *e, const struct compose_project *p)
{
	if (prune_services(e, p->name, p) < 0)
		return -1;
	return prune_networks(e, p->name, p);
}

int
swarm_down(struct engine *e, const char *app, int volumes)
{
	char *label = xasprintf(STACK_LABEL_NAMESPACE "=%s", app);
	const char *labels[] = { label };
	long long deadline = now_ms() + DOWN_WAIT_MS;
	json_t *list = NULL;
	int rc = -1;

	if (prune_services(e, app, NULL) < 0)
		goto done;
	/* Swarm stops the tasks after the services are gone: wait for this
	 * node's containers, whose images and networks are removed next. */
	for (;;) {
		json_decref(list);
		list = NULL;
		if (engine_container_list(e, labels, 1, &list) < 0)
			goto done;
		if (json_array_size(list) == 0 || now_ms() >= deadline)
			break;
		sleep_ms(POLL_MS);
	}
	if (prune_networks(e, app, NULL) < 0)
		goto done;
	if (volumes && converge_remove_volumes(e, label) < 0)
		goto done;
	rc = 0;
done:
	json_decref(list);
	free(label);
	return rc;
}

char *
swarm_task_error(struct engine *e, const char *id)
{
	json_t *tasks = NULL, *svc = NULL;
	char *why = NULL, *blamed = NULL;

	if (engine_service_inspect(e, id, &svc) == 0)
		blamed = blamed_task(json_string_value(json_object_get(
		    json_object_get(svc, "UpdateStatus"), "Message")));
	if (engine_task_list(e, "service", id, &tasks) == 0)
		why = task_failure(tasks, blamed);
	error_clear();
	json_decref(tasks);
	json_decref(svc);
	free(blamed);
	return why;
}

void
swarm_service_tail(struct engine *e, const char *id, long lines,
    engine_line_fn line_fn, void *ctx)
{
	struct engine_logs_opts o = { 0 };

	o.tail = lines;
	if (engine_service_logs(e, id, &o, line_fn, ctx) < 0)
		error_clear();
}
