/*
 * stack.c - the compose project as Swarm ServiceSpecs and overlay networks,
 * field by field as docker/cli's cli/compose/convert does it (service.go,
 * volume.go, compose.go). What Swarm has no place for is left out with one
 * warning line each, as `docker stack deploy` does; what the single-host
 * policy refused never reaches this file.
 */
#include <stdlib.h>
#include <string.h>

#include "reconcile/spec.h"
#include "reconcile/stack.h"

static json_t *
jstr(const char *s)
{
	json_t *j = json_string(s != NULL ? s : "");

	return j != NULL ? j : json_string("?");
}

static void
set_str(json_t *obj, const char *key, const char *value)
{
	if (value != NULL)
		json_object_set_new(obj, key, jstr(value));
}

static json_t *
strv_json(const struct strv *v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < v->n; i++)
		json_array_append_new(a, jstr(v->v[i]));
	return a;
}

static void
set_strv(json_t *obj, const char *key, const struct strv *v)
{
	if (v->n > 0)
		json_object_set_new(obj, key, strv_json(v));
}

static json_t *
kvlist_json(const struct kvlist *l)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < l->n; i++)
		json_object_set_new(o, l->v[i].key, jstr(l->v[i].value));
	return o;
}

static void
set_ns(json_t *obj, const char *key, long long ns)
{
	if (ns >= 0)
		json_object_set_new(obj, key, json_integer(ns));
}

char *
stack_service_name(const struct compose_project *p,
    const struct compose_service *s)
{
	return xasprintf("%s_%s", p->name, s->name);
}

static void
warn_ignored(struct strv *w, const struct compose_service *s, const char *key,
    const char *why)
{
	if (w != NULL)
		strv_push_owned(w, xasprintf("service \"%s\": \"%s\" is "
		    "ignored in a Swarm stack (%s)", s->name, key, why));
}

/* What docker stack deploy ignores, one line each. */
static void
ignored_keys(const struct compose_service *s, struct strv *w)
{
	if (s->container_name != NULL)
		warn_ignored(w, s, "container_name", "Swarm names the tasks");
	if (s->ndepends > 0)
		warn_ignored(w, s, "depends_on", "Swarm starts services in "
		    "any order");
	if (s->links.n > 0)
		warn_ignored(w, s, "links", "use the service name");
	if (s->network_mode != NULL)
		warn_ignored(w, s, "network_mode", "services join networks");
	if (s->pid != NULL)
		warn_ignored(w, s, "pid", "not a Swarm option");
	if (s->ipc != NULL)
		warn_ignored(w, s, "ipc", "not a Swarm option");
	if (s->userns_mode != NULL)
		warn_ignored(w, s, "userns_mode", "not a Swarm option");
	if (s->privileged)
		warn_ignored(w, s, "privileged", "not a Swarm option");
	if (s->devices.n > 0)
		warn_ignored(w, s, "devices", "not a Swarm option");
	if (s->security_opt.n > 0)
		warn_ignored(w, s, "security_opt", "not a Swarm option");
	if (s->shm_size > 0)
		warn_ignored(w, s, "shm_size", "not a Swarm option");
	if (s->volumes_from.n > 0)
		warn_ignored(w, s, "volumes_from", "not a Swarm option");
	if (s->mac_address != NULL)
		warn_ignored(w, s, "mac_address", "not a Swarm option");
	if (s->runtime != NULL)
		warn_ignored(w, s, "runtime", "not a Swarm option");
	if (s->cpu_shares > 0)
		warn_ignored(w, s, "cpu_shares", "use deploy.resources");
	if (s->oom_score_adj != 0)
		warn_ignored(w, s, "oom_score_adj", "not a Swarm option");
	if (s->domainname != NULL)
		warn_ignored(w, s, "domainname", "not a Swarm option");
	if (s->npost_start > 0 || s->npre_stop > 0)
		warn_ignored(w, s, "post_start/pre_stop", "not a Swarm option");
	if (s->http.set)
		warn_ignored(w, s, "x-slipway.http", "the proxy routes to one "
		    "host's containers; publish a port");
}

static void
add_mounts(const struct compose_project *p, const struct compose_service *s,
    json_t *cs)
{
	json_t *mounts = json_array();
	size_t i;

	for (i = 0; i < s->nmounts; i++) {
		const struct compose_mount *m = &s->mounts[i];
		json_t *o = json_object(), *opts;
		const struct compose_volume *v = NULL;

		json_object_set_new(o, "Type", jstr(m->type == MOUNT_BIND ?
		    "bind" : m->type == MOUNT_TMPFS ? "tmpfs" : "volume"));
		set_str(o, "Target", m->target);
		if (m->read_only)
			json_object_set_new(o, "ReadOnly", json_true());
		if (m->type == MOUNT_VOLUME && m->source != NULL)
			v = compose_volume(p, m->source);
		if (m->type == MOUNT_BIND) {
			set_str(o, "Source", m->source);
			if (m->bind_propagation != NULL)
				json_object_set_new(o, "BindOptions", json_pack(
				    "{s:o}", "Propagation",
				    jstr(m->bind_propagation)));
		} else if (m->type == MOUNT_VOLUME) {
			opts = json_object();
			set_str(o, "Source", v != NULL ? v->name : NULL);
			if (m->nocopy)
				json_object_set_new(opts, "NoCopy", json_true());
			/* Each node creates it: with the stack's label and
			 * the file's driver (docker/cli convertVolumeToMount). */
			if (v != NULL && !v->external) {
				json_t *labels = kvlist_json(&v->labels);

				set_str(labels, STACK_LABEL_NAMESPACE, p->name);
				json_object_set_new(opts, "Labels", labels);
				if (v->driver != NULL || v->driver_opts.n > 0) {
					json_t *dc = json_object();

					set_str(dc, "Name", v->driver != NULL ?
					    v->driver : "local");
					if (v->driver_opts.n > 0)
						json_object_set_new(dc, "Options",
						    kvlist_json(&v->driver_opts));
					json_object_set_new(opts, "DriverConfig",
					    dc);
				}
			}
			if (json_object_size(opts) > 0)
				json_object_set_new(o, "VolumeOptions", opts);
			else
				json_decref(opts);
		} else if (m->tmpfs_size > 0 || m->tmpfs_mode > 0) {
			opts = json_object();
			if (m->tmpfs_size > 0)
				json_object_set_new(opts, "SizeBytes",
				    json_integer(m->tmpfs_size));
			if (m->tmpfs_mode > 0)
				json_object_set_new(opts, "Mode",
				    json_integer(m->tmpfs_mode));
			json_object_set_new(o, "TmpfsOptions", opts);
		}
		json_array_append_new(mounts, o);
	}
	for (i = 0; i < s->tmpfs.n; i++) {
		const char *t = s->tmpfs.v[i];
		char *path = xstrndup(t, strcspn(t, ":"));

		json_array_append_new(mounts, json_pack("{s:s, s:o}", "Type",
		    "tmpfs", "Target", jstr(path)));
		free(path);
	}
	if (json_array_size(mounts) > 0)
		json_object_set_new(cs, "Mounts", mounts);
	else
		json_decref(mounts);
}

static json_t *
container_spec(const struct compose_project *p,
    const struct compose_service *s, const char *image_ref)
{
	json_t *cs = json_object(), *labels = kvlist_json(&s->labels), *a;
	size_t i;

	set_str(cs, "Image", image_ref);
	set_str(labels, STACK_LABEL_NAMESPACE, p->name);
	json_object_set_new(cs, "Labels", labels);
	/* compose's entrypoint is Swarm's Command, its command the Args. */
	if (s->entrypoint_set)
		json_object_set_new(cs, "Command", strv_json(&s->entrypoint));
	if (s->command_set)
		json_object_set_new(cs, "Args", strv_json(&s->command));
	set_str(cs, "Hostname", s->hostname);
	spec_add_env(&s->environment, cs);
	set_str(cs, "Dir", s->working_dir);
	set_str(cs, "User", s->user);
	set_strv(cs, "Groups", &s->group_add);
	if (s->tty)
		json_object_set_new(cs, "TTY", json_true());
	if (s->stdin_open)
		json_object_set_new(cs, "OpenStdin", json_true());
	if (s->read_only)
		json_object_set_new(cs, "ReadOnly", json_true());
	add_mounts(p, s, cs);
	set_str(cs, "StopSignal", s->stop_signal);
	set_ns(cs, "StopGracePeriod", s->stop_grace_period);
	/* api 0: no StartInterval (Swarm takes it from 1.44 too) */
	spec_add_healthcheck(&s->healthcheck, 0, cs);
	if (s->extra_hosts.n > 0) {
		/* "host:ip" becomes "ip host" (docker/cli convertExtraHosts). */
		a = json_array();
		for (i = 0; i < s->extra_hosts.n; i++) {
			const char *h = s->extra_hosts.v[i];
			const char *c = strchr(h, ':');
			char *e = c != NULL ? xasprintf("%s %.*s", c + 1,
			    (int)(c - h), h) : xstrdup(h);

			json_array_append_new(a, jstr(e));
			free(e);
		}
		json_object_set_new(cs, "Hosts", a);
	}
	if (s->dns.n > 0 || s->dns_search.n > 0 || s->dns_opt.n > 0) {
		json_t *d = json_object();

		set_strv(d, "Nameservers", &s->dns);
		set_strv(d, "Search", &s->dns_search);
		set_strv(d, "Options", &s->dns_opt);
		json_object_set_new(cs, "DNSConfig", d);
	}
	if (s->init >= 0)
		json_object_set_new(cs, "Init", json_boolean(s->init));
	if (s->sysctls.n > 0)
		json_object_set_new(cs, "Sysctls", kvlist_json(&s->sysctls));
	set_strv(cs, "CapabilityAdd", &s->cap_add);
	set_strv(cs, "CapabilityDrop", &s->cap_drop);
	if (s->nulimits > 0) {
		a = json_array();
		for (i = 0; i < s->nulimits; i++)
			json_array_append_new(a, json_pack("{s:s, s:I, s:I}",
			    "Name", s->ulimits[i].name, "Soft",
			    (json_int_t)s->ulimits[i].soft, "Hard",
			    (json_int_t)s->ulimits[i].hard));
		json_object_set_new(cs, "Ulimits", a);
	}
	return cs;
}

static json_t *
resources(const struct compose_service *s)
{
	json_t *r = json_object(), *lim = json_object(), *res = json_object();

	if (s->cpus > 0)
		json_object_set_new(lim, "NanoCPUs",
		    json_integer((long long)(s->cpus * 1e9 + 0.5)));
	if (s->mem_limit > 0)
		json_object_set_new(lim, "MemoryBytes",
		    json_integer(s->mem_limit));
	if (s->pids_limit > 0)
		json_object_set_new(lim, "Pids", json_integer(s->pids_limit));
	if (s->swarm.cpus_reserved > 0)
		json_object_set_new(res, "NanoCPUs", json_integer(
		    (long long)(s->swarm.cpus_reserved * 1e9 + 0.5)));
	if (s->mem_reservation > 0)
		json_object_set_new(res, "MemoryBytes",
		    json_integer(s->mem_reservation));
	if (json_object_size(lim) > 0)
		json_object_set_new(r, "Limits", lim);
	else
		json_decref(lim);
	if (json_object_size(res) > 0)
		json_object_set_new(r, "Reservations", res);
	else
		json_decref(res);
	return r;
}

/*
 * deploy.restart_policy as written, else restart: as docker/cli maps it
 * (no → none, always and unless-stopped → any, on-failure[:n]); neither:
 * Swarm's default (any).
 */
static json_t *
restart_policy(const struct compose_service *s)
{
	const struct compose_swarm *sw = &s->swarm;
	json_t *o = json_object();
	long attempts = sw->restart_attempts;
	const char *cond = sw->restart_condition;
	char *name = NULL;

	if (cond == NULL && s->restart != NULL) {
		const char *colon = strchr(s->restart, ':');

		name = xstrndup(s->restart, strcspn(s->restart, ":"));
		if (strcmp(name, "no") == 0 || strcmp(name, "none") == 0)
			cond = "none";
		else if (strcmp(name, "on-failure") == 0) {
			cond = "on-failure";
			if (colon != NULL && parse_long(colon + 1, &attempts) < 0)
				attempts = -1;
		} else
			cond = "any";
	}
	set_str(o, "Condition", cond);
	set_ns(o, "Delay", sw->restart_delay);
	set_ns(o, "Window", sw->restart_window);
	if (attempts > 0)
		json_object_set_new(o, "MaxAttempts", json_integer(attempts));
	free(name);
	return o;
}

/*
 * UpdateConfig or RollbackConfig: what the file says; by default one task
 * at a time, start-first for web services (x-slipway.http) and for
 * services with no host-mode port (a second task cannot bind it), and a
 * failed update rolls back. A one-shot service (restart condition none or
 * on-failure) continues: Swarm's updater calls a task that exits, even with
 * 0, a failure, so the gate judges its tasks instead (swarm.c).
 */
static json_t *
update_config(const struct compose_service *s, const struct compose_update *u,
    int rollback, int oneshot)
{
	json_t *o = json_object();
	const char *order = u->order;
	size_t i;
	int host_port = 0;

	for (i = 0; i < s->nports; i++)
		host_port |= s->ports[i].host_mode && s->ports[i].published;
	if (order == NULL)
		order = s->http.set && !host_port ? "start-first" : "stop-first";
	json_object_set_new(o, "Parallelism", json_integer(u->parallelism >= 0 ?
	    u->parallelism : 1));
	set_ns(o, "Delay", u->delay);
	set_ns(o, "Monitor", u->monitor);
	set_str(o, "FailureAction", u->failure_action != NULL ?
	    u->failure_action : oneshot ? "continue" : rollback ? "pause" :
	    "rollback");
	if (u->max_failure_ratio >= 0)
		json_object_set_new(o, "MaxFailureRatio",
		    json_real(u->max_failure_ratio));
	set_str(o, "Order", order);
	return o;
}

static json_t *
networks(const struct compose_project *p, const struct compose_service *s)
{
	json_t *a = json_array();
	const struct compose_network *n;
	size_t i, j;

	if (s->network_mode != NULL)
		return a;
	if (s->nnetworks == 0) {
		if ((n = compose_network(p, "default")) != NULL) {
			json_t *aliases = json_pack("[s]", s->name);

			/* a container_name moved under the app's names */
			if (s->container_alias != NULL &&
			    compose_network_own(p, n))
				json_array_append_new(aliases,
				    jstr(s->container_alias));
			json_array_append_new(a, json_pack("{s:s, s:o}",
			    "Target", n->name, "Aliases", aliases));
		}
		return a;
	}
	for (i = 0; i < s->nnetworks; i++) {
		json_t *aliases = json_pack("[s]", s->name);

		if ((n = compose_network(p, s->networks[i].name)) == NULL) {
			json_decref(aliases);
			continue;
		}
		if (s->container_alias != NULL && compose_network_own(p, n))
			json_array_append_new(aliases,
			    jstr(s->container_alias));
		for (j = 0; j < s->networks[i].aliases.n; j++)
			json_array_append_new(aliases,
			    jstr(s->networks[i].aliases.v[j]));
		json_array_append_new(a, json_pack("{s:s, s:o}", "Target",
		    n->name, "Aliases", aliases));
	}
	return a;
}

static json_t *
endpoint_spec(const struct compose_service *s)
{
	json_t *o = json_object(), *ports = json_array();
	size_t i;

	set_str(o, "Mode", s->swarm.endpoint_mode != NULL ?
	    s->swarm.endpoint_mode : "vip");
	for (i = 0; i < s->nports; i++) {
		const struct compose_port *pt = &s->ports[i];
		json_t *e = json_object();
		long pub;

		set_str(e, "Protocol", pt->protocol);
		json_object_set_new(e, "TargetPort", json_integer(pt->target));
		if (pt->published != NULL &&
		    parse_long(pt->published, &pub) == 0)
			json_object_set_new(e, "PublishedPort",
			    json_integer(pub));
		set_str(e, "PublishMode", pt->host_mode ? "host" : "ingress");
		json_array_append_new(ports, e);
	}
	if (json_array_size(ports) > 0)
		json_object_set_new(o, "Ports", ports);
	else
		json_decref(ports);
	return o;
}

json_t *
stack_service_spec(const struct compose_project *p,
    const struct compose_service *s, const char *image,
    const char *image_label, const char *commit, struct strv *warnings)
{
	const struct compose_swarm *sw = &s->swarm;
	json_t *spec = json_object(), *tt = json_object(), *labels, *pl, *copy;
	json_t *restart = restart_policy(s);
	char *name = stack_service_name(p, s), *hash;
	const char *cond;
	size_t i;
	int oneshot;

	ignored_keys(s, warnings);
	set_str(spec, "Name", name);
	labels = kvlist_json(&sw->labels);
	set_str(labels, STACK_LABEL_NAMESPACE, p->name);
	set_str(labels, STACK_LABEL_IMAGE, image_label != NULL ? image_label :
	    image);
	set_str(labels, "slipway.commit", commit);
	json_object_set_new(spec, "Labels", labels);
	json_object_set_new(tt, "ContainerSpec", container_spec(p, s, image));
	json_object_set_new(tt, "Resources", resources(s));
	cond = json_string_value(json_object_get(restart, "Condition"));
	oneshot = cond != NULL && strcmp(cond, "any") != 0;
	json_object_set_new(tt, "RestartPolicy", restart);
	pl = json_object();
	set_strv(pl, "Constraints", &sw->constraints);
	if (sw->preferences.n > 0) {
		json_t *prefs = json_array();

		for (i = 0; i < sw->preferences.n; i++)
			json_array_append_new(prefs, json_pack("{s:{s:s}}",
			    "Spread", "SpreadDescriptor", sw->preferences.v[i]));
		json_object_set_new(pl, "Preferences", prefs);
	}
	if (sw->max_replicas > 0)
		json_object_set_new(pl, "MaxReplicas",
		    json_integer(sw->max_replicas));
	json_object_set_new(tt, "Placement", pl);
	json_object_set_new(tt, "Networks", networks(p, s));
	if (s->logging_driver != NULL || s->logging_options.n > 0) {
		json_t *log = json_object();

		set_str(log, "Name", s->logging_driver != NULL ?
		    s->logging_driver : "json-file");
		if (s->logging_options.n > 0)
			json_object_set_new(log, "Options",
			    kvlist_json(&s->logging_options));
		json_object_set_new(tt, "LogDriver", log);
	}
	json_object_set_new(spec, "TaskTemplate", tt);
	if (sw->global)
		json_object_set_new(spec, "Mode", json_pack("{s:{}}", "Global"));
	else
		json_object_set_new(spec, "Mode", json_pack("{s:{s:i}}",
		    "Replicated", "Replicas", s->replicas));
	json_object_set_new(spec, "UpdateConfig", update_config(s,
	    &sw->update, 0, oneshot));
	json_object_set_new(spec, "RollbackConfig", update_config(s,
	    sw->rollback.set ? &sw->rollback : &sw->update, 1, oneshot));
	json_object_set_new(spec, "EndpointSpec", endpoint_spec(s));
	/* The hash: nothing that changes with every release. */
	copy = json_deep_copy(spec);
	json_object_del(json_object_get(copy, "Labels"), "slipway.commit");
	json_object_del(json_object_get(copy, "Labels"), STACK_LABEL_IMAGE);
	hash = spec_hash_json(copy);
	json_decref(copy);
	set_str(labels, STACK_LABEL_HASH, hash);
	free(hash);
	free(name);
	return spec;
}

int
stack_check(const struct compose_project *p)
{
	size_t i, j;

	for (i = 0; i < p->nservices; i++) {
		const struct compose_service *s = &p->services[i];
		const char *f = p->file != NULL && strrchr(p->file, '/') ?
		    strrchr(p->file, '/') + 1 : "compose.yaml";

		if (!compose_service_active(s))
			continue;
		if (s->nsecrets > 0 || s->nconfigs > 0)
			return error_set("%s:%d: service \"%s\": \"%s\" are not "
			    "supported with target = swarm yet", f, s->line,
			    s->name, s->nsecrets > 0 ? "secrets" : "configs");
		if (s->release != NULL)
			return error_set("%s:%d: service \"%s\": "
			    "\"x-slipway.release\" does not run with target = "
			    "swarm yet: remove it and run the command yourself "
			    "before this deploy", f, s->line, s->name);
		for (j = 0; j < s->nports; j++) {
			if (s->ports[j].host_ip != NULL)
				return error_set("%s:%d: service \"%s\": "
				    "\"ports\": a Swarm stack publishes on "
				    "every address; host_ip \"%s\" cannot be "
				    "kept", f, s->line, s->name,
				    s->ports[j].host_ip);
			if (s->ports[j].published != NULL &&
			    strchr(s->ports[j].published, '-') != NULL)
				return error_set("%s:%d: service \"%s\": "
				    "\"ports\": a Swarm stack publishes one "
				    "port per target, not the range \"%s\"", f,
				    s->line, s->name, s->ports[j].published);
		}
	}
	for (i = 0; i < p->nnetworks; i++) {
		const struct compose_network *n = &p->networks[i];

		if (!n->external && n->driver != NULL &&
		    strcmp(n->driver, "overlay") != 0)
			return error_set("%s: network \"%s\": driver \"%s\" "
			    "cannot reach a Swarm service; leave driver unset "
			    "(overlay)", strrchr(p->file, '/') ?
			    strrchr(p->file, '/') + 1 : p->file, n->key,
			    n->driver);
	}
	return 0;
}

json_t *
stack_network_spec(const struct compose_project *p,
    const struct compose_network *n)
{
	json_t *o = json_object(), *labels = kvlist_json(&n->labels);

	set_str(o, "Name", n->name);
	set_str(o, "Driver", "overlay");
	if (n->driver_opts.n > 0)
		json_object_set_new(o, "Options", kvlist_json(&n->driver_opts));
	set_str(labels, STACK_LABEL_NAMESPACE, p->name);
	json_object_set_new(o, "Labels", labels);
	json_object_set_new(o, "Internal", json_boolean(n->internal));
	json_object_set_new(o, "Attachable", json_boolean(n->attachable));
	json_object_set_new(o, "CheckDuplicate", json_true());
	json_object_set_new(o, "Scope", jstr("swarm"));
	return o;
}
