/*
 * resources.c - resources and limits of a service: deploy (replicas,
 * resources), scale, cpus, pids_limit, logging, ulimits, devices.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "compose/loader.h"

/* deploy.resources.limits or .reservations. */
static int
deploy_resource(struct loader *ld, struct svc *sv, const struct pair *pr)
{
	static const char *const reservations_unsupported[] = {
		"cpus", "devices", "generic_resources", "pids", NULL
	};
	int limits = strcmp(pr->key, "limits") == 0;
	const char *path = limits ? "deploy.resources.limits" :
	    "deploy.resources.reservations";
	struct pairs ps = { 0 };
	size_t i;
	int rc = -1;

	if (!limits && strcmp(pr->key, "reservations") != 0)
		return bad_key(ld, pr, "deploy.resources", NULL);
	if (get_map(ld, pr->value, path, &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *v = ps.v[i].value;
		int r;

		if (limits && strcmp(k, "cpus") == 0)
			r = get_double(ld, v, "deploy.resources.limits.cpus",
			    &sv->d_cpus);
		else if (limits && strcmp(k, "memory") == 0)
			r = get_bytes(ld, v, "deploy.resources.limits.memory",
			    &sv->d_mem);
		else if (limits && strcmp(k, "pids") == 0)
			r = get_ll(ld, v, "deploy.resources.limits.pids", -1,
			    LLONG_MAX, &sv->d_pids);
		else if (!limits && strcmp(k, "memory") == 0)
			r = get_bytes(ld, v,
			    "deploy.resources.reservations.memory",
			    &sv->d_memres);
		else if (!limits && ld->swarm && strcmp(k, "cpus") == 0)
			r = get_double(ld, v,
			    "deploy.resources.reservations.cpus",
			    &sv->s->swarm.cpus_reserved);
		else
			r = bad_key(ld, &ps.v[i], path,
			    limits ? NULL : reservations_unsupported);
		if (r < 0)
			goto done;
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

/*
 * deploy.restart_policy as compose v2 maps it outside swarm: condition none,
 * on-failure (with max_attempts) or any (the default); delay and window
 * have no engine equivalent and are ignored, as compose does.
 */
static int
deploy_restart(struct loader *ld, struct svc *sv, yaml_node_t *n)
{
	struct pairs ps = { 0 };
	char *cond = NULL;
	long attempts = 0;
	size_t i;
	int rc = -1;

	if (get_map(ld, n, "deploy.restart_policy", &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		int r;

		if (strcmp(k, "condition") == 0)
			r = get_str_req(ld, ps.v[i].value,
			    "deploy.restart_policy.condition", &cond);
		else if (strcmp(k, "max_attempts") == 0)
			r = get_long(ld, ps.v[i].value,
			    "deploy.restart_policy.max_attempts", 0, 1000000,
			    &attempts);
		else if (strcmp(k, "delay") == 0)
			r = get_duration(ld, ps.v[i].value,
			    "deploy.restart_policy.delay",
			    &sv->s->swarm.restart_delay);
		else if (strcmp(k, "window") == 0)
			r = get_duration(ld, ps.v[i].value,
			    "deploy.restart_policy.window",
			    &sv->s->swarm.restart_window);
		else
			r = bad_key(ld, &ps.v[i], "deploy.restart_policy", NULL);
		if (r < 0)
			goto done;
	}
	if (cond != NULL && strcmp(cond, "none") != 0 &&
	    strcmp(cond, "on-failure") != 0 && strcmp(cond, "any") != 0) {
		lerr(ld, n, "\"deploy.restart_policy.condition\": invalid "
		    "condition \"%s\" (none, on-failure or any)", cond);
		goto done;
	}
	free(sv->s->swarm.restart_condition);
	sv->s->swarm.restart_condition = xstrdup(cond != NULL ? cond : "any");
	sv->s->swarm.restart_attempts = attempts > 0 ? attempts : -1;
	free(sv->d_restart);
	if (cond != NULL && strcmp(cond, "on-failure") == 0 && attempts > 0)
		sv->d_restart = xasprintf("on-failure:%ld", attempts);
	else
		sv->d_restart = xstrdup(cond != NULL ? cond : "any");
	rc = 0;
done:
	free(cond);
	pairs_free(&ps);
	return rc;
}

int
in_words(const char *const *words, const char *key)
{
	for (; *words != NULL; words++) {
		if (strcmp(*words, key) == 0)
			return 1;
	}
	return 0;
}

/* deploy.update_config or deploy.rollback_config into u. */
static int
deploy_update(struct loader *ld, yaml_node_t *n, const char *path,
    struct compose_update *u)
{
	struct pairs ps = { 0 };
	char *key = NULL;
	size_t i;
	int rc = -1;

	if (get_map(ld, n, path, &ps) < 0)
		goto done;
	u->set = 1;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *v = ps.v[i].value;
		char **str = NULL;
		int r;

		free(key);
		key = xasprintf("%s.%s", path, k);
		if (strcmp(k, "parallelism") == 0)
			r = get_long(ld, v, key, 0, 100000, &u->parallelism);
		else if (strcmp(k, "delay") == 0)
			r = get_duration(ld, v, key, &u->delay);
		else if (strcmp(k, "monitor") == 0)
			r = get_duration(ld, v, key, &u->monitor);
		else if (strcmp(k, "max_failure_ratio") == 0)
			r = get_double(ld, v, key, &u->max_failure_ratio);
		else if (strcmp(k, "failure_action") == 0)
			r = get_str_req(ld, v, key, str = &u->failure_action);
		else if (strcmp(k, "order") == 0)
			r = get_str_req(ld, v, key, str = &u->order);
		else
			r = bad_key(ld, &ps.v[i], path, NULL);
		if (r < 0)
			goto done;
		if (str == &u->failure_action &&
		    strcmp(*str, "pause") != 0 &&
		    strcmp(*str, "continue") != 0 &&
		    strcmp(*str, "rollback") != 0) {
			lerr(ld, v, "\"%s\": invalid action \"%s\" (pause, "
			    "continue or rollback)", key, *str);
			goto done;
		}
		if (str == &u->order && strcmp(*str, "stop-first") != 0 &&
		    strcmp(*str, "start-first") != 0) {
			lerr(ld, v, "\"%s\": invalid order \"%s\" (stop-first "
			    "or start-first)", key, *str);
			goto done;
		}
		if (u->max_failure_ratio > 1) {
			lerr(ld, v, "\"%s\": must be from 0 to 1", key);
			goto done;
		}
	}
	rc = 0;
done:
	free(key);
	pairs_free(&ps);
	return rc;
}

/* deploy.placement: constraints, preferences (spread), max_replicas_per_node. */
static int
deploy_placement(struct loader *ld, struct svc *sv, yaml_node_t *n)
{
	struct compose_swarm *sw = &sv->s->swarm;
	struct pairs ps = { 0 }, pref = { 0 };
	size_t i, j;
	int rc = -1;

	if (get_map(ld, n, "deploy.placement", &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *v = ps.v[i].value;
		int r;

		if (strcmp(k, "constraints") == 0)
			r = get_list(ld, v, "deploy.placement.constraints", 0,
			    &sw->constraints);
		else if (strcmp(k, "max_replicas_per_node") == 0)
			r = get_long(ld, v,
			    "deploy.placement.max_replicas_per_node", 0, 100000,
			    &sw->max_replicas);
		else if (strcmp(k, "preferences") == 0 &&
		    v->type == YAML_SEQUENCE_NODE) {
			yaml_node_item_t *it;

			r = 0;
			for (it = v->data.sequence.items.start; r == 0 &&
			    it < v->data.sequence.items.top; it++) {
				pairs_free(&pref);
				r = get_map(ld, NODE(ld, *it),
				    "deploy.placement.preferences", &pref);
				for (j = 0; r == 0 && j < pref.n; j++) {
					char *spread = NULL;

					if (strcmp(pref.v[j].key, "spread") != 0) {
						r = bad_key(ld, &pref.v[j],
						    "deploy.placement.preferences",
						    NULL);
						break;
					}
					r = get_str_req(ld, pref.v[j].value,
					    "deploy.placement.preferences.spread",
					    &spread);
					if (r == 0)
						strv_push(&sw->preferences, spread);
					free(spread);
				}
			}
		} else if (strcmp(k, "preferences") == 0)
			r = lerr(ld, v, "\"deploy.placement.preferences\" must "
			    "be a list");
		else
			r = bad_key(ld, &ps.v[i], "deploy.placement", NULL);
		if (r < 0)
			goto done;
	}
	rc = 0;
done:
	pairs_free(&pref);
	pairs_free(&ps);
	return rc;
}

/* A deploy: key only a Swarm stack has. */
static int
deploy_swarm_key(struct loader *ld, struct svc *sv, const struct pair *pr)
{
	struct compose_swarm *sw = &sv->s->swarm;
	yaml_node_t *v = pr->value;
	char *mode = NULL;
	int r;

	if (strcmp(pr->key, "mode") == 0) {
		if ((r = get_str_req(ld, v, "deploy.mode", &mode)) == 0 &&
		    strcmp(mode, "replicated") != 0 &&
		    strcmp(mode, "global") != 0)
			r = lerr(ld, v, "\"deploy.mode\": invalid mode \"%s\" "
			    "(replicated or global)", mode);
		sw->global = r == 0 && strcmp(mode, "global") == 0;
		free(mode);
		return r;
	}
	if (strcmp(pr->key, "endpoint_mode") == 0) {
		if ((r = get_str_req(ld, v, "deploy.endpoint_mode",
		    &sw->endpoint_mode)) == 0 &&
		    strcmp(sw->endpoint_mode, "vip") != 0 &&
		    strcmp(sw->endpoint_mode, "dnsrr") != 0)
			r = lerr(ld, v, "\"deploy.endpoint_mode\": invalid mode "
			    "\"%s\" (vip or dnsrr)", sw->endpoint_mode);
		return r;
	}
	if (strcmp(pr->key, "labels") == 0)
		return get_kv(ld, v, "deploy.labels", 1, &sw->labels);
	if (strcmp(pr->key, "placement") == 0)
		return deploy_placement(ld, sv, v);
	if (strcmp(pr->key, "update_config") == 0)
		return deploy_update(ld, v, "deploy.update_config", &sw->update);
	return deploy_update(ld, v, "deploy.rollback_config", &sw->rollback);
}

int
svc_deploy(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	static const char *const unsupported[] = {
		"mode", "endpoint_mode", "labels", "placement",
		"rollback_config", "update_config", NULL
	};
	struct pairs ps = { 0 }, res = { 0 };
	size_t i, j;
	int rc = -1;

	if (get_map(ld, n, key, &ps) < 0)
		goto done;
	sv->s->swarm.line = (int)n->start_mark.line + 1;
	for (i = 0; i < ps.n; i++) {
		yaml_node_t *v = ps.v[i].value;
		int r;

		if (strcmp(ps.v[i].key, "replicas") == 0)
			r = get_long(ld, v, "deploy.replicas", 0, 1000,
			    &sv->replicas);
		else if (strcmp(ps.v[i].key, "restart_policy") == 0)
			r = deploy_restart(ld, sv, v);
		else if (strcmp(ps.v[i].key, "resources") == 0) {
			r = get_map(ld, v, "deploy.resources", &res);
			for (j = 0; r == 0 && j < res.n; j++)
				r = deploy_resource(ld, sv, &res.v[j]);
		} else if (ld->swarm && in_words(unsupported, ps.v[i].key))
			r = deploy_swarm_key(ld, sv, &ps.v[i]);
		else
			r = bad_key(ld, &ps.v[i], "deploy", unsupported);
		if (r < 0)
			goto done;
	}
	rc = 0;
done:
	pairs_free(&ps);
	pairs_free(&res);
	return rc;
}

int
svc_scale(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	return get_long(ld, n, key, 0, 1000, &sv->scale);
}

int
svc_cpus(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	return get_double(ld, n, key, &sv->s->cpus);
}

int
svc_pids_limit(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	return get_ll(ld, n, key, -1, LLONG_MAX, &sv->s->pids_limit);
}

int
svc_logging(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	struct pairs ps = { 0 };
	size_t i;
	int rc = -1;

	if (get_map(ld, n, key, &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		yaml_node_t *v = ps.v[i].value;
		int r;

		if (strcmp(ps.v[i].key, "driver") == 0)
			r = get_str(ld, v, "logging.driver",
			    &sv->s->logging_driver);
		else if (strcmp(ps.v[i].key, "options") == 0) {
			if (v->type != YAML_MAPPING_NODE && !is_null(v))
				r = lerr(ld, v, "\"logging.options\" must be a "
				    "mapping");
			else
				r = get_kv(ld, v, "logging.options", 1,
				    &sv->s->logging_options);
		} else
			r = bad_key(ld, &ps.v[i], "logging", NULL);
		if (r < 0)
			goto done;
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

int
svc_ulimits(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	struct compose_service *s = sv->s;
	struct pairs ps = { 0 }, sub = { 0 };
	size_t i, j, alloc = s->nulimits;
	int rc = -1;

	if (get_map(ld, n, key, &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		struct compose_ulimit *u;
		yaml_node_t *v = ps.v[i].value;
		int have_soft = 0, have_hard = 0;

		s->ulimits = xgrow(s->ulimits, &alloc, s->nulimits + 1,
		    sizeof *s->ulimits);
		u = &s->ulimits[s->nulimits++];
		u->name = xstrdup(ps.v[i].key);
		u->soft = u->hard = 0;
		if (v->type != YAML_MAPPING_NODE) {
			if (get_ll(ld, v, "ulimits", -1, LLONG_MAX,
			    &u->soft) < 0)
				goto done;
			u->hard = u->soft;
			continue;
		}
		if (get_map(ld, v, "ulimits", &sub) < 0)
			goto done;
		for (j = 0; j < sub.n; j++) {
			int r;

			if (strcmp(sub.v[j].key, "soft") == 0) {
				r = get_ll(ld, sub.v[j].value, "ulimits.soft",
				    -1, LLONG_MAX, &u->soft);
				have_soft = 1;
			} else if (strcmp(sub.v[j].key, "hard") == 0) {
				r = get_ll(ld, sub.v[j].value, "ulimits.hard",
				    -1, LLONG_MAX, &u->hard);
				have_hard = 1;
			} else
				r = bad_key(ld, &sub.v[j], "ulimits", NULL);
			if (r < 0)
				goto done;
		}
		if (!have_soft || !have_hard) {
			lerr(ld, v, "\"ulimits.%s\" needs both \"soft\" and "
			    "\"hard\"", u->name);
			goto done;
		}
	}
	rc = 0;
done:
	pairs_free(&ps);
	pairs_free(&sub);
	return rc;
}

int
svc_devices(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	struct pairs ps = { 0 };
	yaml_node_item_t *it;
	char *src = NULL, *dst = NULL, *perm = NULL;
	int rc = -1;

	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return lerr(ld, n, "\"%s\" must be a list", key);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		yaml_node_t *item = NODE(ld, *it);
		size_t i;

		if (spend(ld, item) < 0)
			goto done;
		if (item->type != YAML_MAPPING_NODE) {
			if (get_str_req(ld, item, key, &src) < 0)
				goto done;
			strv_push_owned(&sv->s->devices, src);
			src = NULL;
			continue;
		}
		if (collect(ld, item, &ps, 0) < 0)
			goto done;
		for (i = 0; i < ps.n; i++) {
			const char *k = ps.v[i].key;
			yaml_node_t *v = ps.v[i].value;
			int r;

			if (strcmp(k, "source") == 0)
				r = get_str_req(ld, v, "devices.source", &src);
			else if (strcmp(k, "target") == 0)
				r = get_str(ld, v, "devices.target", &dst);
			else if (strcmp(k, "permissions") == 0)
				r = get_str(ld, v, "devices.permissions",
				    &perm);
			else
				r = bad_key(ld, &ps.v[i], "devices", NULL);
			if (r < 0)
				goto done;
		}
		ps.n = 0;
		if (src == NULL) {
			lerr(ld, item, "\"devices\": \"source\" is required");
			goto done;
		}
		strv_push_owned(&sv->s->devices, xasprintf("%s:%s%s%s", src,
		    dst ? dst : src, perm ? ":" : "", perm ? perm : ""));
		free(src);
		free(dst);
		free(perm);
		src = dst = perm = NULL;
	}
	rc = 0;
done:
	free(src);
	free(dst);
	free(perm);
	pairs_free(&ps);
	return rc;
}
