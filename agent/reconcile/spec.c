/*
 * spec.c - the Engine API bodies for a compose project: containers/create the
 * way docker compose v2 builds it (pkg/compose/create.go getCreateConfigs),
 * networks/create and volumes/create with compose's labels, and slipway's
 * canonical config hash: the create body without its per-container and
 * per-release parts, dumped with sorted keys and hashed like a git blob.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "reconcile/spec.h"

/* The API version that gets every feature; the config hash is built for it. */
#define API_LATEST 10000

/* One network a service joins, in compose's order. */
struct svc_net {
	const char *key;
	const char *name;  /* engine name */
	const struct compose_service_network *cfg; /* NULL: implicit default */
};

/*
 * A JSON string for s. The loader hands over UTF-8 only (libyaml checks the
 * compose file, dotenv_parse the env files, appvars_save the app's
 * variables). Should anything else slip through, its non-ASCII bytes become
 * '?', and a warning says so, rather than the value being dropped.
 */
static json_t *
jstr(const char *s)
{
	json_t *j = json_string(s != NULL ? s : "");
	char *copy, *c;

	if (j != NULL)
		return j;
	out_warn("warning: a value that is not valid UTF-8 was sent with '?' "
	    "in place of its non-ASCII bytes");
	copy = xstrdup(s);
	for (c = copy; *c != '\0'; c++) {
		if ((unsigned char)*c >= 0x80)
			*c = '?';
	}
	j = json_string(copy);
	free(copy);
	return j;
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

/* Set key to the list when it is not empty. */
static void
set_strv(json_t *obj, const char *key, const struct strv *v)
{
	if (v->n > 0)
		json_object_set_new(obj, key, strv_json(v));
}

/* A map of strings; a key without value maps to "". */
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
set_kvlist(json_t *obj, const char *key, const struct kvlist *l)
{
	if (l->n > 0)
		json_object_set_new(obj, key, kvlist_json(l));
}

char *
spec_container_name(const struct compose_project *p,
    const struct compose_service *s, int number)
{
	if (s->container_name != NULL)
		return xstrdup(s->container_name);
	return xasprintf("%s-%s-%d", p->name, s->name, number);
}

/* The repository part of an image reference: no digest, no tag. */
static char *
image_repository(const char *image)
{
	const char *at = strchr(image, '@');
	size_t len = at != NULL ? (size_t)(at - image) : strlen(image);
	const char *slash = memrchr(image, '/', len);
	const char *colon = memrchr(image, ':', len);

	/* A colon before the last slash is a registry port, not a tag. */
	if (colon != NULL && (slash == NULL || colon > slash))
		len = (size_t)(colon - image);
	return xstrndup(image, len);
}

char *
spec_image_ref(const struct compose_project *p,
    const struct compose_service *s, const char *commit)
{
	char *repo, *ref;

	if (s->build == NULL && s->image != NULL) {
		const struct compose_service *b = spec_image_builder(p, s);

		return b != NULL ? spec_image_ref(p, b, commit) :
		    xstrdup(s->image);
	}
	if (s->image != NULL)
		repo = image_repository(s->image);
	else {
		char *c;

		/* Image names are lowercase; service names need not be. */
		repo = xasprintf("%s-%s", p->name, s->name);
		for (c = repo; *c != '\0'; c++) {
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		}
	}
	if (commit == NULL)
		return repo;
	ref = xasprintf("%s:%s", repo, commit);
	free(repo);
	return ref;
}

/* name with ":latest" when it names no tag and no digest (allocated). */
static char *
image_with_tag(const char *name)
{
	char *repo = image_repository(name);
	char *ref = strlen(repo) == strlen(name) ?
	    xasprintf("%s:latest", name) : xstrdup(name);

	free(repo);
	return ref;
}

char *
spec_image_name(const struct compose_project *p,
    const struct compose_service *s)
{
	char *repo, *ref;

	if (s->build == NULL)
		return NULL;
	if (s->image != NULL)
		return image_with_tag(s->image);
	repo = spec_image_ref(p, s, NULL);
	ref = xasprintf("%s:latest", repo);
	free(repo);
	return ref;
}

/* Does image reference ref name what builder builds? */
int
spec_image_builds(const struct compose_project *p,
    const struct compose_service *builder, const char *ref)
{
	char *name = spec_image_name(p, builder), *want;
	int same;

	if (name == NULL)
		return 0;
	want = image_with_tag(ref);
	same = strcmp(name, want) == 0;
	free(want);
	free(name);
	return same;
}

const struct compose_service *
spec_image_builder(const struct compose_project *p,
    const struct compose_service *s)
{
	size_t i;

	if (s->build != NULL || s->image == NULL)
		return NULL;
	for (i = 0; i < p->nservices; i++) {
		const struct compose_service *b = &p->services[i];

		if (b != s && compose_service_active(b) &&
		    spec_image_builds(p, b, s->image))
			return b;
	}
	return NULL;
}

static int
net_cmp(const void *a, const void *b)
{
	const struct svc_net *x = a, *y = b;
	int px = x->cfg != NULL ? x->cfg->priority : 0;
	int py = y->cfg != NULL ? y->cfg->priority : 0;

	if (px != py)
		return px > py ? -1 : 1;
	return strcmp(x->key, y->key);
}

/*
 * The networks service s joins, highest priority first, then by key
 * (compose-go NetworksByPriority); none with network_mode. Keys the project
 * does not define are skipped. Returns an array the caller frees.
 */
static struct svc_net *
service_nets(const struct compose_project *p, const struct compose_service *s,
    size_t *count)
{
	struct svc_net *nets = xcalloc(s->nnetworks + 1, sizeof *nets);
	const struct compose_network *n;
	size_t i, k = 0;

	if (s->network_mode != NULL) {
		*count = 0;
		return nets;
	}
	if (s->nnetworks == 0) {
		if ((n = compose_network(p, "default")) != NULL)
			nets[k++] = (struct svc_net){ n->key, n->name, NULL };
	}
	for (i = 0; i < s->nnetworks; i++) {
		if ((n = compose_network(p, s->networks[i].name)) != NULL)
			nets[k++] = (struct svc_net){ s->networks[i].name,
			    n->name, &s->networks[i] };
	}
	qsort(nets, k, sizeof *nets, net_cmp);
	*count = k;
	return nets;
}

size_t
spec_service_networks(const struct compose_project *p,
    const struct compose_service *s, struct strv *out)
{
	size_t n, i;
	struct svc_net *nets = service_nets(p, s, &n);

	strv_clear(out);
	for (i = 0; i < n; i++)
		strv_push(out, nets[i].name);
	free(nets);
	return out->n;
}

/*
 * links: "service[:alias]" -> "<container>:<alias>" for every container of
 * the service (the engine makes them aliases on user-defined networks).
 */
static json_t *
links_json(const struct compose_project *p, const struct compose_service *s)
{
	json_t *a = json_array();
	size_t i;
	int n;

	for (i = 0; i < s->links.n; i++) {
		const char *l = s->links.v[i], *colon = strchr(l, ':');
		char *svc = xstrndup(l, colon ? (size_t)(colon - l) : strlen(l));
		const struct compose_service *dep = compose_service(p, svc);

		for (n = 1; dep != NULL &&
		    n <= (dep->container_name ? 1 : dep->replicas); n++) {
			char *c = spec_container_name(p, dep, n);
			char *link = xasprintf("%s:%s", c, colon ? colon + 1 : svc);

			json_array_append_new(a, jstr(link));
			free(link);
			free(c);
		}
		free(svc);
	}
	return a;
}

/*
 * EndpointSettings: aliases [container name, service, aliases...] and the
 * static address. The canonical form leaves out a generated container name.
 */
static json_t *
endpoint_json(const struct compose_project *p, const struct compose_service *s,
    int number, const struct svc_net *n, int canonical)
{
	json_t *ep = json_object(), *aliases = json_array();
	size_t i;

	if (!canonical || s->container_name != NULL) {
		char *name = spec_container_name(p, s, number);

		json_array_append_new(aliases, jstr(name));
		free(name);
	}
	json_array_append_new(aliases, jstr(s->name));
	/* on the app's own networks only: a shared one is others' names too */
	if (s->container_alias != NULL &&
	    compose_network_own(p, compose_network(p, n->key)))
		json_array_append_new(aliases, jstr(s->container_alias));
	if (n->cfg != NULL) {
		for (i = 0; i < n->cfg->aliases.n; i++)
			json_array_append_new(aliases,
			    jstr(n->cfg->aliases.v[i]));
	}
	json_object_set_new(ep, "Aliases", aliases);
	if (s->links.n > 0)
		json_object_set_new(ep, "Links", links_json(p, s));
	if (n->cfg != NULL && n->cfg->ipv4_address != NULL) {
		json_t *ipam = json_object();

		set_str(ipam, "IPv4Address", n->cfg->ipv4_address);
		json_object_set_new(ep, "IPAMConfig", ipam);
	}
	return ep;
}

json_t *
spec_endpoint(const struct compose_project *p, const struct compose_service *s,
    int number, size_t i)
{
	size_t n;
	struct svc_net *nets = service_nets(p, s, &n);
	json_t *ep = NULL;

	if (i < n)
		ep = endpoint_json(p, s, number, &nets[i], 0);
	free(nets);
	return ep;
}

/* The engine name of volume key (the key itself when the project has none). */
static const char *
volume_name(const struct compose_project *p, const char *key)
{
	const struct compose_volume *v = compose_volume(p, key);

	return v != NULL ? v->name : key;
}

size_t
spec_service_volumes(const struct compose_project *p,
    const struct compose_service *s, struct strv *out)
{
	size_t i;

	strv_clear(out);
	for (i = 0; i < s->nmounts; i++) {
		const struct compose_mount *m = &s->mounts[i];
		const char *name;

		if (m->type != MOUNT_VOLUME || m->source == NULL)
			continue;
		name = volume_name(p, m->source);
		if (!strv_contains(out, name))
			strv_push(out, name);
	}
	return out->n;
}

/* "service:x" (network_mode, pid, ipc) names x's first container. */
static void
set_mode(json_t *obj, const char *key, const struct compose_project *p,
    const char *mode)
{
	const struct compose_service *dep;
	char *name, *value;

	if (mode == NULL)
		return;
	if (!starts_with(mode, "service:") ||
	    (dep = compose_service(p, mode + strlen("service:"))) == NULL) {
		set_str(obj, key, mode);
		return;
	}
	name = spec_container_name(p, dep, 1);
	value = xasprintf("container:%s", name);
	set_str(obj, key, value);
	free(value);
	free(name);
}

/* expose: "80", "80/udp" or "8000-8010/tcp", one "port/proto" key each. */
static void
add_expose(json_t *exposed, const char *spec)
{
	const char *slash = strchr(spec, '/');
	const char *proto = slash != NULL ? slash + 1 : "tcp";
	char *lo_s = xstrndup(spec, slash != NULL ? (size_t)(slash - spec) :
	    strlen(spec));
	char *dash = strchr(lo_s, '-'), *key;
	long lo, hi;

	if (dash != NULL)
		*dash++ = '\0';
	if (parse_long(lo_s, &lo) < 0 || lo > 65535 || (dash != NULL &&
	    (parse_long(dash, &hi) < 0 || hi < lo || hi > 65535))) {
		/* Not ours to judge: the engine reports it. */
		json_object_set_new(exposed, spec, json_object());
		free(lo_s);
		return;
	}
	if (dash == NULL)
		hi = lo;
	for (; lo <= hi; lo++) {
		key = xasprintf("%ld/%s", lo, proto);
		json_object_set_new(exposed, key, json_object());
		free(key);
	}
	free(lo_s);
}

static char *
port_key(const struct compose_port *pt)
{
	return xasprintf("%u/%s", pt->target,
	    pt->protocol != NULL ? pt->protocol : "tcp");
}

static void
add_ports(const struct compose_service *s, json_t *config, json_t *host)
{
	json_t *exposed = json_object(), *bindings = json_object();
	size_t i;

	for (i = 0; i < s->expose.n; i++)
		add_expose(exposed, s->expose.v[i]);
	for (i = 0; i < s->nports; i++) {
		const struct compose_port *pt = &s->ports[i];
		char *key = port_key(pt);
		json_t *list = json_object_get(bindings, key);
		json_t *b = json_object();

		json_object_set_new(exposed, key, json_object());
		if (list == NULL) {
			list = json_array();
			json_object_set_new(bindings, key, list);
		}
		json_object_set_new(b, "HostIp", jstr(pt->host_ip));
		json_object_set_new(b, "HostPort", jstr(pt->published));
		json_array_append_new(list, b);
		free(key);
	}
	/* x-slipway.http: nginx reaches the container on an ephemeral loopback
	 * port, so old and new containers can serve side by side. */
	if (s->http.set) {
		char *key = xasprintf("%u/tcp", s->http.port);
		json_t *list = json_object_get(bindings, key);

		json_object_set_new(exposed, key, json_object());
		if (list == NULL) {
			list = json_array();
			json_object_set_new(bindings, key, list);
		}
		json_array_append_new(list, json_pack("{s:s, s:s}", "HostIp",
		    "127.0.0.1", "HostPort", ""));
		free(key);
	}
	if (json_object_size(exposed) > 0)
		json_object_set_new(config, "ExposedPorts", exposed);
	else
		json_decref(exposed);
	if (json_object_size(bindings) > 0)
		json_object_set_new(host, "PortBindings", bindings);
	else
		json_decref(bindings);
}

/*
 * Short-syntax volumes go to Binds as "src:dst:rw|ro[,z|Z][,nocopy]"
 * (docker-compose 1.29 does the same; the container's mounts only differ in
 * Mode); so do binds that may create their host path, which the mount API
 * cannot, unless they set a propagation (compose v2 bindRequiresMountAPI).
 * The rest, anonymous volumes and tmpfs go to Mounts.
 */
static void
add_mount(const struct compose_project *p, const struct compose_mount *m,
    json_t *binds, json_t *mounts)
{
	static const char *const types[] = {
		[MOUNT_VOLUME] = "volume",
		[MOUNT_BIND] = "bind",
		[MOUNT_TMPFS] = "tmpfs",
	};
	const char *src = m->source, *opt = NULL;
	json_t *o, *opts;

	if (m->type == MOUNT_VOLUME && src != NULL)
		src = volume_name(p, src);
	if (m->type == MOUNT_VOLUME && m->nocopy)
		opt = "nocopy";
	if (m->type == MOUNT_BIND)
		opt = m->bind_propagation;
	if (src != NULL && ((m->type == MOUNT_VOLUME && !m->long_syntax) ||
	    (m->type == MOUNT_BIND && m->bind_create_host_path &&
	    m->bind_propagation == NULL))) {
		const char *se = m->bind_selinux;
		char *b = xasprintf("%s:%s:%s%s%s%s%s", src, m->target,
		    m->read_only ? "ro" : "rw", se != NULL ? "," : "",
		    se != NULL ? se : "", opt != NULL ? "," : "",
		    opt != NULL ? opt : "");

		json_array_append_new(binds, jstr(b));
		free(b);
		return;
	}
	o = json_object();
	set_str(o, "Type", types[m->type]);
	set_str(o, "Source", src);
	set_str(o, "Target", m->target);
	if (m->read_only)
		json_object_set_new(o, "ReadOnly", json_true());
	if (m->type == MOUNT_BIND && opt != NULL) {
		opts = json_object();
		set_str(opts, "Propagation", opt);
		json_object_set_new(o, "BindOptions", opts);
	}
	if (m->type == MOUNT_VOLUME && m->nocopy) {
		opts = json_object();
		json_object_set_new(opts, "NoCopy", json_true());
		json_object_set_new(o, "VolumeOptions", opts);
	}
	if (m->type == MOUNT_TMPFS &&
	    (m->tmpfs_size > 0 || m->tmpfs_mode > 0)) {
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

static void
add_volumes(const struct compose_project *p, const struct compose_service *s,
    json_t *host)
{
	json_t *binds = json_array(), *mounts = json_array(), *tmpfs;
	size_t i;

	for (i = 0; i < s->nmounts; i++)
		add_mount(p, &s->mounts[i], binds, mounts);
	if (json_array_size(binds) > 0)
		json_object_set_new(host, "Binds", binds);
	else
		json_decref(binds);
	if (json_array_size(mounts) > 0)
		json_object_set_new(host, "Mounts", mounts);
	else
		json_decref(mounts);
	if (s->tmpfs.n == 0)
		return;
	tmpfs = json_object();
	for (i = 0; i < s->tmpfs.n; i++) {
		const char *t = s->tmpfs.v[i], *colon = strchr(t, ':');
		char *path = xstrndup(t, colon != NULL ? (size_t)(colon - t) :
		    strlen(t));

		json_object_set_new(tmpfs, path, jstr(colon != NULL ?
		    colon + 1 : ""));
		free(path);
	}
	json_object_set_new(host, "Tmpfs", tmpfs);
}

/* restart: no, always, unless-stopped, on-failure[:n]; deploy's none, any. */
static void
add_restart(const char *restart, json_t *host)
{
	const char *colon;
	char *name;
	json_t *o;
	long count = 0;

	if (restart == NULL)
		return;
	colon = strchr(restart, ':');
	name = xstrndup(restart, colon != NULL ? (size_t)(colon - restart) :
	    strlen(restart));
	if (colon != NULL && parse_long(colon + 1, &count) < 0)
		count = 0;
	o = json_object();
	if (strcmp(name, "none") == 0)
		set_str(o, "Name", "no");
	else if (strcmp(name, "any") == 0)
		set_str(o, "Name", "always");
	else
		set_str(o, "Name", name);
	json_object_set_new(o, "MaximumRetryCount", json_integer(count));
	json_object_set_new(host, "RestartPolicy", o);
	free(name);
}

/* devices: "src[:dst][:perms]" as the docker CLI reads them. */
static json_t *
device_json(const char *spec)
{
	json_t *o = json_object();
	const char *c1 = strchr(spec, ':');
	const char *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
	char *src = xstrndup(spec, c1 ? (size_t)(c1 - spec) : strlen(spec));
	char *dst = NULL;
	const char *perms = "rwm";

	if (c1 != NULL && c2 != NULL) {
		dst = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
		perms = c2 + 1;
	} else if (c1 != NULL && c1[1] != '\0' &&
	    strspn(c1 + 1, "rwm") == strlen(c1 + 1))
		perms = c1 + 1;
	else if (c1 != NULL)
		dst = xstrdup(c1 + 1);
	set_str(o, "PathOnHost", src);
	set_str(o, "PathInContainer", dst != NULL ? dst : src);
	set_str(o, "CgroupPermissions", perms);
	free(src);
	free(dst);
	return o;
}

static void
add_resources(const struct compose_service *s, json_t *host)
{
	json_t *a;
	size_t i;

	if (s->shm_size > 0)
		json_object_set_new(host, "ShmSize", json_integer(s->shm_size));
	if (s->mem_limit > 0)
		json_object_set_new(host, "Memory", json_integer(s->mem_limit));
	if (s->mem_reservation > 0)
		json_object_set_new(host, "MemoryReservation",
		    json_integer(s->mem_reservation));
	if (s->cpus > 0)
		json_object_set_new(host, "NanoCpus",
		    json_integer((long long)(s->cpus * 1e9 + 0.5)));
	if (s->pids_limit != 0)
		json_object_set_new(host, "PidsLimit",
		    json_integer(s->pids_limit));
	if (s->nulimits > 0) {
		a = json_array();
		for (i = 0; i < s->nulimits; i++) {
			json_t *u = json_object();

			set_str(u, "Name", s->ulimits[i].name);
			json_object_set_new(u, "Soft",
			    json_integer(s->ulimits[i].soft));
			json_object_set_new(u, "Hard",
			    json_integer(s->ulimits[i].hard));
			json_array_append_new(a, u);
		}
		json_object_set_new(host, "Ulimits", a);
	}
	if (s->devices.n > 0) {
		a = json_array();
		for (i = 0; i < s->devices.n; i++)
			json_array_append_new(a, device_json(s->devices.v[i]));
		json_object_set_new(host, "Devices", a);
	}
}

void
spec_add_healthcheck(const struct compose_healthcheck *h, int api,
    json_t *config)
{
	json_t *o;

	if (!h->set && !h->disable)
		return;
	o = json_object();
	if (h->disable) {
		json_object_set_new(o, "Test", json_pack("[s]", "NONE"));
		json_object_set_new(config, "Healthcheck", o);
		return;
	}
	set_strv(o, "Test", &h->test);
	if (h->interval > 0)
		json_object_set_new(o, "Interval", json_integer(h->interval));
	if (h->timeout > 0)
		json_object_set_new(o, "Timeout", json_integer(h->timeout));
	if (h->start_period > 0)
		json_object_set_new(o, "StartPeriod",
		    json_integer(h->start_period));
	if (h->start_interval > 0 && api >= 144)
		json_object_set_new(o, "StartInterval",
		    json_integer(h->start_interval));
	if (h->retries > 0)
		json_object_set_new(o, "Retries", json_integer(h->retries));
	if (json_object_size(o) > 0)
		json_object_set_new(config, "Healthcheck", o);
	else
		json_decref(o);
}

static int
kv_cmp(const void *a, const void *b)
{
	const struct kv *const *x = a, *const *y = b;

	return strcmp((*x)->key, (*y)->key);
}

void
spec_add_env(const struct kvlist *env, json_t *config)
{
	const struct kv **v;
	json_t *a;
	size_t i;

	if (env->n == 0)
		return;
	v = xcalloc(env->n, sizeof *v);
	for (i = 0; i < env->n; i++)
		v[i] = &env->v[i];
	qsort(v, env->n, sizeof *v, kv_cmp);
	a = json_array();
	for (i = 0; i < env->n; i++) {
		char *e = v[i]->value != NULL ?
		    xasprintf("%s=%s", v[i]->key, v[i]->value) :
		    xstrdup(v[i]->key);

		json_array_append_new(a, jstr(e));
		free(e);
	}
	json_object_set_new(config, "Env", a);
	free(v);
}

static const char *
condition_name(enum compose_condition c)
{
	switch (c) {
	case COND_HEALTHY:
		return "service_healthy";
	case COND_COMPLETED:
		return "service_completed_successfully";
	case COND_STARTED:
		break;
	}
	return "service_started";
}

/*
 * The user's labels, then compose's. The canonical form keeps only those
 * that do not vary per container, per release or per slipway version.
 */
static json_t *
labels_json(const struct compose_project *p, const struct compose_service *s,
    int number, const char *image_id, const char *commit, const char *hash,
    int canonical)
{
	json_t *l = kvlist_json(&s->labels);
	struct buf deps = BUF_INIT;
	char num[32];
	size_t i;

	set_str(l, LABEL_PROJECT, p->name);
	set_str(l, LABEL_SERVICE, s->name);
	set_str(l, LABEL_ONEOFF, "False");
	if (canonical)
		return l;
	snprintf(num, sizeof num, "%d", number);
	set_str(l, LABEL_NUMBER, num);
	set_str(l, LABEL_VERSION, SPEC_COMPOSE_VERSION);
	set_str(l, LABEL_HASH, hash);
	set_str(l, LABEL_WORKDIR, p->dir);
	set_str(l, LABEL_FILES, p->file);
	set_str(l, LABEL_IMAGE, image_id);
	for (i = 0; i < s->ndepends; i++)
		buf_addf(&deps, "%s%s:%s:%s", i > 0 ? "," : "",
		    s->depends[i].service,
		    condition_name(s->depends[i].condition),
		    s->depends[i].restart ? "true" : "false");
	set_str(l, LABEL_DEPENDS, deps.buf);
	buf_release(&deps);
	set_str(l, LABEL_COMMIT, commit);
	return l;
}

static void
add_networks(const struct compose_project *p, const struct compose_service *s,
    int number, int api, int canonical, json_t *body, json_t *host)
{
	json_t *eps;
	size_t n, i;
	struct svc_net *nets;

	if (s->network_mode != NULL) {
		set_mode(host, "NetworkMode", p, s->network_mode);
		return;
	}
	nets = service_nets(p, s, &n);
	if (n == 0) {
		set_str(host, "NetworkMode", "none");
		free(nets);
		return;
	}
	set_str(host, "NetworkMode", nets[0].name);
	eps = json_object();
	for (i = 0; i < n && (i == 0 || api >= 144); i++)
		json_object_set_new(eps, nets[i].name,
		    endpoint_json(p, s, number, &nets[i], canonical));
	json_object_set_new(body, "NetworkingConfig",
	    json_pack("{s:o}", "EndpointsConfig", eps));
	free(nets);
}

static char *hash_json(json_t *body);

/* A digest of text, for the canonical form (allocated). */
static char *
hash_text(const char *text)
{
	json_t *j = json_array();
	char *hex;

	json_array_append_new(j, json_stringn_nocheck(text, strlen(text)));
	hex = hash_json(j);

	json_decref(j);
	return hex;
}

/*
 * secrets and configs: files are bind-mounted read-only (compose outside
 * swarm does the same); values are copied in before start
 * (spec_copies()), so only their digest goes into the canonical form.
 */
static void
add_files(const struct compose_project *p, const struct compose_service *s,
    json_t *body, json_t *host, int canonical)
{
	json_t *mounts = json_object_get(host, "Mounts"), *copies = NULL;
	int c;
	size_t i;

	for (c = 0; c <= 1; c++) {
		const struct compose_fileref *r = c ? s->configs : s->secrets;
		size_t n = c ? s->nconfigs : s->nsecrets;

		for (i = 0; i < n; i++) {
			const struct compose_fileobj *o = compose_fileobj(p, c,
			    r[i].source);
			json_t *m;

			if (o == NULL)
				continue;
			if (o->file == NULL) {
				char *digest;

				if (!canonical)
					continue;
				m = json_object();
				set_str(m, "Target", r[i].target);
				set_str(m, "Uid", r[i].uid);
				set_str(m, "Gid", r[i].gid);
				json_object_set_new(m, "Mode",
				    json_integer(r[i].mode));
				digest = hash_text(o->content);
				set_str(m, "Content", digest);
				free(digest);
				if (copies == NULL)
					copies = json_array();
				json_array_append_new(copies, m);
				continue;
			}
			if (mounts == NULL) {
				mounts = json_array();
				json_object_set_new(host, "Mounts", mounts);
			}
			json_array_append_new(mounts, json_pack("{s:s,s:s,s:s,s:b}",
			    "Type", "bind", "Source", o->file, "Target",
			    r[i].target, "ReadOnly", 1));
		}
	}
	if (copies != NULL)
		json_object_set_new(body, "x-copies", copies);
}

size_t
spec_copies(const struct compose_project *p, const struct compose_service *s,
    struct spec_copy *out, size_t max)
{
	size_t i, k = 0;
	int c;

	for (c = 0; c <= 1; c++) {
		const struct compose_fileref *r = c ? s->configs : s->secrets;
		size_t n = c ? s->nconfigs : s->nsecrets;

		for (i = 0; i < n && k < max; i++) {
			const struct compose_fileobj *o = compose_fileobj(p, c,
			    r[i].source);

			if (o == NULL || o->file != NULL)
				continue;
			out[k].target = r[i].target;
			out[k].content = o->content;
			out[k].uid = r[i].uid;
			out[k].gid = r[i].gid;
			out[k++].mode = r[i].mode;
		}
	}
	return k;
}

json_t *
spec_hook(const struct compose_hook *h)
{
	json_t *o = json_object();

	json_object_set_new(o, "Cmd", strv_json(&h->command));
	set_str(o, "User", h->user);
	set_str(o, "WorkingDir", h->working_dir);
	spec_add_env(&h->environment, o);
	json_object_set_new(o, "AttachStdout", json_false());
	json_object_set_new(o, "AttachStderr", json_false());
	return o;
}

/* The hooks belong to the configuration: a change recreates. */
static void
add_hooks(const struct compose_service *s, json_t *body)
{
	json_t *post = json_array(), *pre = json_array();
	size_t i;

	for (i = 0; i < s->npost_start; i++)
		json_array_append_new(post, spec_hook(&s->post_start[i]));
	for (i = 0; i < s->npre_stop; i++)
		json_array_append_new(pre, spec_hook(&s->pre_stop[i]));
	if (s->npost_start + s->npre_stop > 0)
		json_object_set_new(body, "x-hooks", json_pack("{s:o,s:o}",
		    "post_start", post, "pre_stop", pre));
	else {
		json_decref(post);
		json_decref(pre);
	}
}

/*
 * cpu_shares, group_add, oom_score_adj, mac_address, runtime, volumes_from,
 * links.
 */
static void
add_compat(const struct compose_project *p, const struct compose_service *s,
    json_t *body, json_t *host)
{
	json_t *a;
	size_t i;

	if (s->cpu_shares > 0)
		json_object_set_new(host, "CpuShares",
		    json_integer(s->cpu_shares));
	set_strv(host, "GroupAdd", &s->group_add);
	if (s->oom_score_adj != 0)
		json_object_set_new(host, "OomScoreAdj",
		    json_integer(s->oom_score_adj));
	set_str(body, "MacAddress", s->mac_address);
	set_str(host, "Runtime", s->runtime);
	if (s->volumes_from.n > 0) {
		a = json_array();
		for (i = 0; i < s->volumes_from.n; i++) {
			const char *v = s->volumes_from.v[i];
			const char *colon = strchr(v, ':');
			char *svc = xstrndup(v, colon ? (size_t)(colon - v) :
			    strlen(v));
			const struct compose_service *dep = compose_service(p,
			    svc);
			char *c = dep ? spec_container_name(p, dep, 1) : NULL;
			char *e = c ? xasprintf("%s%s", c, colon ? colon : "") :
			    NULL;

			if (e != NULL)
				json_array_append_new(a, jstr(e));
			free(e);
			free(c);
			free(svc);
		}
		json_object_set_new(host, "VolumesFrom", a);
	}
	if (s->links.n > 0)
		json_object_set_new(host, "Links", links_json(p, s));
}

static json_t *
build(const struct compose_project *p, const struct compose_service *s,
    int number, const char *image_ref, const char *image_id,
    const char *commit, const char *hash, int api, int canonical)
{
	json_t *body = json_object(), *host = json_object(), *log;

	set_str(body, "Hostname", s->hostname);
	set_str(body, "Domainname", s->domainname);
	set_str(body, "User", s->user);
	json_object_set_new(body, "Tty", json_boolean(s->tty));
	json_object_set_new(body, "OpenStdin", json_boolean(s->stdin_open));
	json_object_set_new(body, "StdinOnce", json_false());
	spec_add_env(&s->environment, body);
	if (s->command_set)
		json_object_set_new(body, "Cmd", strv_json(&s->command));
	if (s->entrypoint_set)
		json_object_set_new(body, "Entrypoint",
		    strv_json(&s->entrypoint));
	if (!canonical)
		set_str(body, "Image", image_ref);
	json_object_set_new(body, "Labels", labels_json(p, s, number, image_id,
	    commit, hash, canonical));
	set_str(body, "WorkingDir", s->working_dir);
	set_str(body, "StopSignal", s->stop_signal);
	if (s->stop_grace_period >= 0)
		json_object_set_new(body, "StopTimeout",
		    json_integer(s->stop_grace_period / 1000000000LL));
	spec_add_healthcheck(&s->healthcheck, api, body);
	add_ports(s, body, host);

	add_volumes(p, s, host);
	add_restart(s->restart, host);
	add_networks(p, s, number, api, canonical, body, host);
	if (s->init >= 0)
		json_object_set_new(host, "Init", json_boolean(s->init));
	if (s->read_only)
		json_object_set_new(host, "ReadonlyRootfs", json_true());
	if (s->privileged)
		json_object_set_new(host, "Privileged", json_true());
	set_strv(host, "CapAdd", &s->cap_add);
	set_strv(host, "CapDrop", &s->cap_drop);
	set_strv(host, "SecurityOpt", &s->security_opt);
	add_resources(s, host);
	if (s->logging_driver != NULL || s->logging_options.n > 0) {
		log = json_object();
		json_object_set_new(log, "Type", jstr(s->logging_driver));
		set_kvlist(log, "Config", &s->logging_options);
		json_object_set_new(host, "LogConfig", log);
	}
	set_kvlist(host, "Sysctls", &s->sysctls);
	set_strv(host, "Dns", &s->dns);
	set_strv(host, "DnsSearch", &s->dns_search);
	set_strv(host, "DnsOptions", &s->dns_opt);
	set_strv(host, "ExtraHosts", &s->extra_hosts);
	set_mode(host, "PidMode", p, s->pid);
	set_mode(host, "IpcMode", p, s->ipc);
	set_str(host, "UsernsMode", s->userns_mode);
	add_compat(p, s, body, host);
	add_files(p, s, body, host, canonical);
	if (canonical)
		add_hooks(s, body);
	json_object_set_new(body, "HostConfig", host);
	return body;
}

json_t *
spec_container(const struct compose_project *p,
    const struct compose_service *s, int number, const char *image_ref,
    const char *image_id, const char *commit, const char *hash, int api)
{
	return build(p, s, number, image_ref, image_id, commit, hash, api, 0);
}

/* The canonical hash of a JSON body: 40 hex chars (allocated). */
static char *
hash_json(json_t *body)
{
	return spec_hash_json(body);
}

char *
spec_hash_json(json_t *body)
{
	static int initialised;
	char *text = json_dumps(body, JSON_SORT_KEYS | JSON_COMPACT);
	char hex[GIT_OID_HEXSZ + 1];
	git_oid oid;

	/* json_dumps fails only when out of memory, like xmalloc. */
	if (text == NULL)
		abort();
	if (!initialised) {
		git_libgit2_init();
		initialised = 1;
	}
	if (git_odb_hash(&oid, text, strlen(text), GIT_OBJECT_BLOB) < 0)
		abort();
	git_oid_tostr(hex, sizeof hex, &oid);
	free(text);
	return xstrdup(hex);
}

char *
spec_config_hash(const struct compose_project *p,
    const struct compose_service *s)
{
	json_t *body = build(p, s, 0, NULL, NULL, NULL, NULL, API_LATEST, 1);
	char *hex = hash_json(body);

	json_decref(body);
	return hex;
}

/* The network create body without its config-hash label. */
static json_t *
network_body(const struct compose_project *p, const struct compose_network *n)
{
	json_t *o = json_object(), *labels = kvlist_json(&n->labels);

	set_str(o, "Name", n->name);
	set_str(o, "Driver", n->driver);
	set_kvlist(o, "Options", &n->driver_opts);
	set_str(labels, LABEL_NETWORK, n->key);
	set_str(labels, LABEL_PROJECT, p->name);
	set_str(labels, LABEL_VERSION, SPEC_COMPOSE_VERSION);
	json_object_set_new(o, "Labels", labels);
	json_object_set_new(o, "Internal", json_boolean(n->internal));
	json_object_set_new(o, "Attachable", json_boolean(n->attachable));
	json_object_set_new(o, "EnableIPv6", json_boolean(n->enable_ipv6));
	json_object_set_new(o, "CheckDuplicate", json_true());
	if (n->ipam_set) {
		json_t *ipam = json_object(), *cfg = json_array();
		size_t i;

		set_str(ipam, "Driver", n->ipam_driver);
		set_kvlist(ipam, "Options", &n->ipam_options);
		for (i = 0; i < n->nipam_config; i++) {
			const struct compose_ipam_config *c = &n->ipam_config[i];
			json_t *e = json_object();

			set_str(e, "Subnet", c->subnet);
			set_str(e, "IPRange", c->ip_range);
			set_str(e, "Gateway", c->gateway);
			set_kvlist(e, "AuxiliaryAddresses", &c->aux_addresses);
			json_array_append_new(cfg, e);
		}
		json_object_set_new(ipam, "Config", cfg);
		json_object_set_new(o, "IPAM", ipam);
	}
	return o;
}

char *
spec_network_hash(const struct compose_project *p,
    const struct compose_network *n)
{
	json_t *body = network_body(p, n);
	char *hex = hash_json(body);

	json_decref(body);
	return hex;
}

json_t *
spec_network(const struct compose_project *p, const struct compose_network *n)
{
	json_t *o = network_body(p, n);
	char *hex = spec_network_hash(p, n);

	set_str(json_object_get(o, "Labels"), LABEL_HASH, hex);
	free(hex);
	return o;
}

json_t *
spec_volume(const struct compose_project *p, const struct compose_volume *v)
{
	json_t *o = json_object(), *labels = kvlist_json(&v->labels);

	set_str(o, "Name", v->name);
	set_str(o, "Driver", v->driver);
	set_kvlist(o, "DriverOpts", &v->driver_opts);
	set_str(labels, LABEL_VOLUME, v->key);
	set_str(labels, LABEL_PROJECT, p->name);
	set_str(labels, LABEL_VERSION, SPEC_COMPOSE_VERSION);
	json_object_set_new(o, "Labels", labels);
	return o;
}
