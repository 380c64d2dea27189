/*
 * plan.c - the convergence planner: compose's mustRecreate rule, scaling by
 * container number, orphans. Pure: no engine, no output.
 */
#include <stdlib.h>
#include <string.h>

#include "reconcile/plan.h"

static void
plan_add(struct plan *plan, enum plan_action action, const char *service,
    int number, const struct observed *old, const char *reason)
{
	struct plan_step *s;

	plan->steps = xgrow(plan->steps, &plan->alloc, plan->nsteps + 1,
	    sizeof *plan->steps);
	s = &plan->steps[plan->nsteps++];
	s->action = action;
	s->service = service;
	s->number = number;
	s->old = old;
	s->reason = reason;
	if (action != PLAN_KEEP)
		plan->changes++;
}

/* Why o must be replaced to match d, or NULL when it need not be. */
static const char *
must_recreate(const struct desired *d, const struct observed *o)
{
	size_t i;

	/* "<12 hex>_name": a replace that did not end (kill -9 between the
	 * start and the rename); nothing finds it by its name (nginx, logs) */
	if (o->name != NULL && strlen(o->name) > 13 && o->name[12] == '_' &&
	    strspn(o->name, "0123456789abcdef") == 12)
		return "left under a temporary name";
	if (o->hash == NULL || strcmp(o->hash, d->hash) != 0)
		return "configuration changed";
	if (o->image_id == NULL || d->image_id == NULL ||
	    strcmp(o->image_id, d->image_id) != 0)
		return "image changed";
	for (i = 0; i < d->networks.n; i++) {
		if (!strv_contains(&o->networks, d->networks.v[i]))
			return "network missing";
	}
	for (i = 0; i < d->volumes.n; i++) {
		if (!strv_contains(&o->volumes, d->volumes.v[i]))
			return "volume missing";
	}
	return NULL;
}

static const struct desired *
find_desired(const struct desired *desired, size_t n, const char *service)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(desired[i].service, service) == 0)
			return &desired[i];
	}
	return NULL;
}

void
plan_compute(struct plan *plan, const struct desired *desired,
    size_t ndesired, const struct observed *observed, size_t nobserved)
{
	char *claimed = xcalloc(nobserved + 1, 1);
	size_t i, j;

	memset(plan, 0, sizeof *plan);
	for (i = 0; i < ndesired; i++) {
		const struct desired *d = &desired[i];
		int n, replicas = d->fixed_name && d->replicas > 1 ? 1 :
		    d->replicas;

		for (n = 1; n <= replicas; n++) {
			const struct observed *o = NULL;
			const char *why;

			for (j = 0; j < nobserved; j++) {
				if (!claimed[j] && observed[j].service != NULL &&
				    strcmp(observed[j].service, d->service) == 0 &&
				    observed[j].number == n) {
					o = &observed[j];
					claimed[j] = 1;
					break;
				}
			}
			if (o == NULL)
				plan_add(plan, PLAN_CREATE, d->service, n, NULL, NULL);
			else if ((why = must_recreate(d, o)) != NULL)
				plan_add(plan, PLAN_RECREATE, d->service, n, o, why);
			else if (o->state == NULL || strcmp(o->state, "running") != 0)
				plan_add(plan, PLAN_START, d->service, n, o, NULL);
			else
				plan_add(plan, PLAN_KEEP, d->service, n, o, NULL);
		}
	}
	/* Whatever nothing claimed: orphans, scale-in, duplicates. */
	for (j = 0; j < nobserved; j++) {
		const struct observed *o = &observed[j];
		const struct desired *d;

		if (claimed[j])
			continue;
		d = o->service ? find_desired(desired, ndesired, o->service) : NULL;
		plan_add(plan, PLAN_REMOVE, d ? d->service : NULL, o->number, o,
		    d ? "scaled in" : "orphan");
	}
	free(claimed);
}

void
plan_networks(struct plan *plan, const struct net_state *desired,
    size_t ndesired, const struct net_state *observed, size_t nobserved)
{
	size_t i, j;

	for (i = 0; i < ndesired; i++) {
		const struct net_state *d = &desired[i];

		for (j = 0; j < nobserved; j++) {
			const struct net_state *o = &observed[j];

			if (strcmp(o->name, d->name) != 0)
				continue;
			if (o->hash != NULL && *o->hash != '\0' &&
			    d->hash != NULL && strcmp(o->hash, d->hash) != 0 &&
			    !strv_contains(&plan->networks, d->name)) {
				strv_push(&plan->networks, d->name);
				plan->changes++;
			}
			break;
		}
	}
	for (i = 0; i < plan->nsteps; i++) {
		struct plan_step *st = &plan->steps[i];

		if (st->action != PLAN_KEEP || st->old == NULL)
			continue;
		for (j = 0; j < plan->networks.n; j++) {
			if (strv_contains(&st->old->networks, plan->networks.v[j])) {
				st->action = PLAN_START;
				st->reason = "network recreated";
				plan->changes++;
				break;
			}
		}
	}
}

void
plan_dispose(struct plan *plan)
{
	strv_clear(&plan->networks);
	free(plan->steps);
	memset(plan, 0, sizeof *plan);
}

const char *
plan_action_name(enum plan_action a)
{
	switch (a) {
	case PLAN_KEEP:
		return "keep";
	case PLAN_START:
		return "start";
	case PLAN_CREATE:
		return "create";
	case PLAN_RECREATE:
		return "recreate";
	case PLAN_REMOVE:
		return "remove";
	}
	return "?";
}

void
observed_dispose(struct observed *o)
{
	free(o->id);
	free(o->name);
	free(o->service);
	free(o->hash);
	free(o->image_id);
	free(o->commit);
	free(o->state);
	strv_clear(&o->networks);
	strv_clear(&o->volumes);
	strv_clear(&o->anon_targets);
	strv_clear(&o->anon_names);
	memset(o, 0, sizeof *o);
}
