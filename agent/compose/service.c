/*
 * service.c - one service: the table of its keys and their handlers, the
 * simple handlers (build, command, environment, healthcheck, restart,
 * extra_hosts), and the checks that need the whole service.
 */
#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "compose/loader.h"
#include "lib/names.h"

typedef int (*svc_fn)(struct loader *, struct svc *, yaml_node_t *,
    const char *);

/* extra_hosts, a list of "host:ip" (or "host=ip") or a map, into dst. */
static int
get_extra_hosts(struct loader *ld, yaml_node_t *n, const char *key,
    struct strv *dst)
{
	struct pairs ps = { 0 };
	struct strv tmp = STRV_INIT;
	size_t i, j, first = dst->n;
	int rc = -1;

	if (n->type == YAML_MAPPING_NODE) {
		if (collect(ld, n, &ps, 0) < 0)
			goto done;
		for (i = 0; i < ps.n; i++) {
			strv_clear(&tmp);
			if (get_list(ld, ps.v[i].value, key, 1, &tmp) < 0)
				goto done;
			for (j = 0; j < tmp.n; j++)
				strv_push_owned(dst, xasprintf("%s:%s",
				    ps.v[i].key, tmp.v[j]));
		}
	} else {
		if (get_list(ld, n, key, 0, dst) < 0)
			goto done;
		for (i = first; i < dst->n; i++) {
			char *eq = strchr(dst->v[i], '=');

			if (eq != NULL)
				*eq = ':';
		}
	}
	for (i = first; i < dst->n; i++) {
		const char *h = dst->v[i], *colon = strchr(h, ':');

		if (colon == NULL || colon == h || colon[1] == '\0') {
			lerr(ld, n, "\"%s\": \"%s\" is not host:ip", key, h);
			goto done;
		}
	}
	rc = 0;
done:
	strv_clear(&tmp);
	pairs_free(&ps);
	return rc;
}

static int
svc_extra_hosts(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	return get_extra_hosts(ld, n, key, &sv->s->extra_hosts);
}

/*
 * develop: {watch: [{action, path, ...}]}, checked as compose-go's schema
 * does (each rule needs an action it knows and a path), then ignored.
 */
static int
check_develop(struct loader *ld, yaml_node_t *n)
{
	static const char *const actions[] = {
		"rebuild", "restart", "sync", "sync+exec", "sync+restart", NULL
	};
	struct pairs ps = { 0 }, rule = { 0 };
	const struct pair *w, *a;
	yaml_node_item_t *it;
	size_t k = 0;
	int rc = -1;

	if (get_map(ld, n, "develop", &ps) < 0)
		goto done;
	if ((w = pairs_find(&ps, "watch")) == NULL || is_null(w->value)) {
		rc = 0;
		goto done;
	}
	if (w->value->type != YAML_SEQUENCE_NODE) {
		lerr(ld, w->value, "\"develop.watch\" must be a list");
		goto done;
	}
	for (it = w->value->data.sequence.items.start;
	    it < w->value->data.sequence.items.top; it++, k++) {
		yaml_node_t *item = NODE(ld, *it);
		char *action = NULL;

		pairs_free(&rule);
		if (get_map(ld, item, "develop.watch", &rule) < 0)
			goto done;
		if ((a = pairs_find(&rule, "action")) == NULL) {
			lerr(ld, item, "\"develop.watch\" rule %zu: \"action\" is "
			    "required", k + 1);
			goto done;
		}
		if (pairs_find(&rule, "path") == NULL) {
			lerr(ld, item, "\"develop.watch\" rule %zu: \"path\" is "
			    "required", k + 1);
			goto done;
		}
		if (get_str_req(ld, a->value, "develop.watch.action",
		    &action) < 0)
			goto done;
		if (!in_words(actions, action)) {
			lerr(ld, a->value, "\"develop.watch.action\": unknown "
			    "action \"%s\"", action);
			free(action);
			goto done;
		}
		free(action);
	}
	rc = 0;
done:
	pairs_free(&rule);
	pairs_free(&ps);
	return rc;
}

/*
 * build.network: the network the build's RUN steps join. The engine's
 * default (its bridge, where builds run anyway), none, or the host's (the
 * policy asks for host-network); a network of the app does not exist yet
 * when it builds, and another's is not its own.
 */
static int
build_network(struct loader *ld, yaml_node_t *n, char **dst)
{
	if (get_str(ld, n, "build.network", dst) < 0)
		return -1;
	/* The engine's own: "bridge" is its name (BuildKit takes only
	 * "default"), "" an unset variable, as compose reads it. */
	if (*dst != NULL && (**dst == '\0' || strcmp(*dst, "default") == 0 ||
	    strcmp(*dst, "bridge") == 0)) {
		free(*dst);
		*dst = NULL;
	}
	if (*dst == NULL || strcmp(*dst, "none") == 0 ||
	    strcmp(*dst, "host") == 0)
		return 0;
	return lerr(ld, n, "\"build.network\": \"%s\" is not supported: "
	    "a build runs on default, none or host", *dst);
}

/* "os/arch" or "os/arch/variant": lowercase letters, digits, '_'. */
static int
valid_platform(const char *s)
{
	const char *set = "abcdefghijklmnopqrstuvwxyz0123456789_";
	size_t n;
	int parts = 0;

	for (;;) {
		if ((n = strspn(s, set)) == 0)
			return 0;
		parts++;
		s += n;
		if (*s == '\0')
			return parts >= 2;
		if (*s != '/' || parts == 3)
			return 0;
		s++;
	}
}

/* build.platforms: one platform (the engine builds one image per tag). */
static int
build_platform(struct loader *ld, yaml_node_t *n, char **dst)
{
	struct strv v = STRV_INIT;
	int rc = 0;

	if (get_list(ld, n, "build.platforms", 0, &v) < 0)
		return -1;
	if (v.n > 1)
		rc = lerr(ld, n, "\"build.platforms\": %zu platforms: slipway "
		    "builds one image, for one platform", v.n);
	else if (v.n == 1 && !valid_platform(v.v[0]))
		rc = lerr(ld, n, "\"build.platforms\": \"%s\" is not "
		    "os/arch[/variant]", v.v[0]);
	else if (v.n == 1)
		*dst = xstrdup(v.v[0]);
	strv_clear(&v);
	return rc;
}

static int
svc_build(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	static const char *const unsupported[] = {
		"ssh", "isolation", "privileged", "secrets",
		"additional_contexts", "ulimits", "entitlements", NULL
	};
	/* Hints for the build's cache and attestations: the image is the
	 * same without them. */
	static const char *const ignored[] = {
		"cache_from", "cache_to", "provenance", "sbom", NULL
	};
	struct compose_build *b;
	struct pairs ps = { 0 };
	yaml_node_t *at = n;
	char *ctx = NULL;
	size_t i;
	int rc = -1;

	b = sv->s->build = xcalloc(1, sizeof *b);
	if (n->type == YAML_SCALAR_NODE) {
		if (get_str_req(ld, n, key, &ctx) < 0)
			goto done;
	} else {
		if (get_map(ld, n, key, &ps) < 0)
			goto done;
		for (i = 0; i < ps.n; i++) {
			const char *k = ps.v[i].key;
			yaml_node_t *v = ps.v[i].value;
			int r;

			if (strcmp(k, "context") == 0) {
				r = get_str(ld, v, "build.context", &ctx);
				at = v;
			} else if (strcmp(k, "dockerfile") == 0)
				r = get_str(ld, v, "build.dockerfile",
				    &b->dockerfile);
			else if (strcmp(k, "args") == 0)
				r = get_kv(ld, v, "build.args", 0, &b->args);
			else if (strcmp(k, "target") == 0)
				r = get_str(ld, v, "build.target", &b->target);
			else if (strcmp(k, "tags") == 0)
				r = get_list(ld, v, "build.tags", 0, &b->tags);
			else if (strcmp(k, "dockerfile_inline") == 0)
				r = get_str(ld, v, "build.dockerfile_inline",
				    &b->dockerfile_inline);
			else if (strcmp(k, "labels") == 0)
				r = get_kv(ld, v, "build.labels", 1, &b->labels);
			else if (strcmp(k, "extra_hosts") == 0)
				r = get_extra_hosts(ld, v, "build.extra_hosts",
				    &b->extra_hosts);
			else if (strcmp(k, "network") == 0)
				r = build_network(ld, v, &b->network);
			else if (strcmp(k, "platforms") == 0)
				r = build_platform(ld, v, &b->platform);
			else if (strcmp(k, "shm_size") == 0)
				r = get_bytes(ld, v, "build.shm_size",
				    &b->shm_size);
			else if (strcmp(k, "no_cache") == 0)
				r = get_bool(ld, v, "build.no_cache",
				    &b->no_cache);
			else if (strcmp(k, "pull") == 0)
				r = get_bool(ld, v, "build.pull", &b->pull);
			else if (in_words(ignored, k)) {
				lwarn(ld, ps.v[i].knode, "\"build.%s\" is "
				    "ignored: slipway builds without it", k);
				r = 0;
			} else
				r = bad_key(ld, &ps.v[i], "build", unsupported);
			if (r < 0)
				goto done;
		}
	}
	if (ctx == NULL || *ctx == '\0') {
		free(ctx);
		ctx = xstrdup(".");
	}
	if (strstr(ctx, "://") != NULL || starts_with(ctx, "git@") ||
	    starts_with(ctx, "service:")) {
		lerr(ld, at, "\"build.context\": remote context \"%s\" is not "
		    "supported", ctx);
		goto done;
	}
	if (*ctx == '~') {
		lerr(ld, at, "\"build.context\": home-relative path \"%s\" "
		    "is not supported", ctx);
		goto done;
	}
	if (b->dockerfile_inline != NULL && b->dockerfile != NULL) {
		lerr(ld, at, "\"build\": \"dockerfile\" and "
		    "\"dockerfile_inline\" exclude each other");
		goto done;
	}
	b->context = resolve_path(ld->base, ctx);
	/* Build args without a value take it from the variables, if set. */
	for (i = 0; i < b->args.n; i++) {
		const struct kv *kv;

		if (b->args.v[i].value == NULL &&
		    (kv = kvlist_find(&ld->vars, b->args.v[i].key)) != NULL)
			b->args.v[i].value = xstrdup(kv->value ? kv->value :
			    "");
	}
	rc = 0;
done:
	free(ctx);
	pairs_free(&ps);
	return rc;
}

static int
svc_command(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	return get_command(ld, n, key, &sv->s->command, &sv->s->command_set);
}

static int
svc_entrypoint(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	return get_command(ld, n, key, &sv->s->entrypoint,
	    &sv->s->entrypoint_set);
}

/*
 * post_start / pre_stop: [{command, user, working_dir, environment}]. A
 * privileged hook is refused: it would hold more than the container.
 */
static int
svc_hooks(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	struct compose_service *s = sv->s;
	int post = strcmp(key, "post_start") == 0;
	struct compose_hook **v = post ? &s->post_start : &s->pre_stop;
	size_t *count = post ? &s->npost_start : &s->npre_stop, len, i;
	yaml_node_item_t *it;
	struct pairs ps = { 0 };
	int rc = -1, set;

	if (n->type != YAML_SEQUENCE_NODE)
		return lerr(ld, n, "\"%s\" must be a list", key);
	len = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	*v = xcalloc(len + 1, sizeof **v);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		struct compose_hook *h = &(*v)[(*count)++];
		yaml_node_t *item = NODE(ld, *it);

		if (get_map(ld, item, key, &ps) < 0)
			goto done;
		for (i = 0; i < ps.n; i++) {
			const char *k = ps.v[i].key;
			yaml_node_t *hv = ps.v[i].value;
			int r, priv = 0;

			if (strcmp(k, "command") == 0)
				r = get_command(ld, hv, "command", &h->command,
				    &set);
			else if (strcmp(k, "user") == 0)
				r = get_str(ld, hv, "user", &h->user);
			else if (strcmp(k, "working_dir") == 0)
				r = get_str(ld, hv, "working_dir",
				    &h->working_dir);
			else if (strcmp(k, "environment") == 0)
				r = get_kv(ld, hv, "environment", 0,
				    &h->environment);
			else if (strcmp(k, "privileged") == 0) {
				r = get_bool(ld, hv, "privileged", &priv);
				if (r == 0 && priv)
					r = lerr(ld, hv, "\"%s\": a privileged "
					    "hook is refused: it would have more "
					    "rights than its container", key);
			} else
				r = bad_key(ld, &ps.v[i], key, NULL);
			if (r < 0)
				goto done;
		}
		pairs_free(&ps);
		if (h->command.n == 0) {
			lerr(ld, item, "\"%s\": \"command\" is required", key);
			goto done;
		}
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

/* the engine's rule for a container name: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
static int
svc_container_name(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	const char *c;

	if (get_str(ld, n, key, &sv->s->container_name) < 0)
		return -1;
	c = sv->s->container_name;
	if (c != NULL && (!isalnum((unsigned char)c[0]) || c[1] == '\0' ||
	    strspn(c, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_.-") != strlen(c)))
		return lerr(ld, n, "\"container_name: %s\" is not a valid "
		    "container name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)", c);
	return 0;
}

static int
svc_cpu_shares(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	return get_ll(ld, n, key, 0, 262144, &sv->s->cpu_shares);
}

static int
svc_oom_score_adj(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	return get_long(ld, n, key, -1000, 1000, &sv->s->oom_score_adj);
}

static int
svc_environment(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	return get_kv(ld, n, key, 0, &sv->env);
}

/* healthcheck.test: a string is ["CMD-SHELL", s]; a list as it is. */
static int
get_health_test(struct loader *ld, yaml_node_t *n, struct strv *test)
{
	char *s = NULL;

	strv_clear(test);
	if (n->type != YAML_SEQUENCE_NODE) {
		if (get_str(ld, n, "healthcheck.test", &s) < 0)
			return -1;
		if (s != NULL) {
			strv_push(test, "CMD-SHELL");
			strv_push_owned(test, s);
		}
		return 0;
	}
	if (get_list(ld, n, "healthcheck.test", 0, test) < 0)
		return -1;
	if (test->n > 0 && strcmp(test->v[0], "CMD") != 0 &&
	    strcmp(test->v[0], "CMD-SHELL") != 0 &&
	    strcmp(test->v[0], "NONE") != 0)
		return lerr(ld, n, "\"healthcheck.test\" must start with "
		    "\"CMD\", \"CMD-SHELL\" or \"NONE\"");
	return 0;
}

static int
svc_healthcheck(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	struct compose_healthcheck *h = &sv->s->healthcheck;
	struct pairs ps = { 0 };
	size_t i;
	int rc = -1, disable = 0;

	if (get_map(ld, n, key, &ps) < 0)
		goto done;
	h->set = 1;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *v = ps.v[i].value;
		int r;

		if (strcmp(k, "test") == 0)
			r = get_health_test(ld, v, &h->test);
		else if (strcmp(k, "interval") == 0)
			r = get_duration(ld, v, "healthcheck.interval",
			    &h->interval);
		else if (strcmp(k, "timeout") == 0)
			r = get_duration(ld, v, "healthcheck.timeout",
			    &h->timeout);
		else if (strcmp(k, "start_period") == 0)
			r = get_duration(ld, v, "healthcheck.start_period",
			    &h->start_period);
		else if (strcmp(k, "start_interval") == 0)
			r = get_duration(ld, v, "healthcheck.start_interval",
			    &h->start_interval);
		else if (strcmp(k, "retries") == 0)
			r = get_long(ld, v, "healthcheck.retries", 0, INT_MAX,
			    &h->retries);
		else if (strcmp(k, "disable") == 0)
			r = get_bool(ld, v, "healthcheck.disable", &disable);
		else
			r = bad_key(ld, &ps.v[i], "healthcheck", NULL);
		if (r < 0)
			goto done;
	}
	if (h->test.n > 0 && strcmp(h->test.v[0], "NONE") == 0)
		disable = 1;
	if (disable) {
		h->disable = 1;
		strv_clear(&h->test);
		strv_push(&h->test, "NONE");
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

static int
svc_restart(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	char **r = &sv->s->restart;
	long count;

	if (get_str(ld, n, key, r) < 0)
		return -1;
	if (*r == NULL || strcmp(*r, "no") == 0 || strcmp(*r, "always") == 0 ||
	    strcmp(*r, "unless-stopped") == 0 || strcmp(*r, "on-failure") == 0)
		return 0;
	if (starts_with(*r, "on-failure:") &&
	    parse_long(*r + strlen("on-failure:"), &count) == 0)
		return 0;
	return lerr(ld, n, "\"%s\": invalid policy \"%s\" (no, always, "
	    "on-failure[:N] or unless-stopped)", key, *r);
}


enum field_type {
	F_STR,          /* char * */
	F_BOOL,         /* int */
	F_TRI,          /* int, -1 unset */
	F_LIST,         /* struct strv, list only */
	F_STRLIST,      /* struct strv, a string or a list */
	F_KV,           /* struct kvlist, mapping or "K=V" list, null -> "" */
	F_BYTES,        /* long long */
	F_DURATION,     /* long long */
	F_FN,
};

struct field {
	const char *key;
	enum field_type type;
	size_t off;
	svc_fn fn;
};

#define FIELD(k, t, m) { k, t, offsetof(struct compose_service, m), NULL }
#define HANDLER(k, f) { k, F_FN, 0, f }

static const struct field service_fields[] = {
	HANDLER("build", svc_build),
	FIELD("cap_add", F_LIST, cap_add),
	FIELD("cap_drop", F_LIST, cap_drop),
	HANDLER("command", svc_command),
	HANDLER("configs", svc_configs),
	HANDLER("container_name", svc_container_name),
	HANDLER("cpu_shares", svc_cpu_shares),
	HANDLER("cpus", svc_cpus),
	HANDLER("depends_on", svc_depends_on),
	HANDLER("deploy", svc_deploy),
	HANDLER("devices", svc_devices),
	FIELD("dns", F_STRLIST, dns),
	FIELD("dns_opt", F_LIST, dns_opt),
	FIELD("dns_search", F_STRLIST, dns_search),
	FIELD("domainname", F_STR, domainname),
	HANDLER("entrypoint", svc_entrypoint),
	HANDLER("env_file", svc_env_file),
	HANDLER("environment", svc_environment),
	HANDLER("expose", svc_expose),
	HANDLER("extra_hosts", svc_extra_hosts),
	FIELD("group_add", F_STRLIST, group_add),
	HANDLER("healthcheck", svc_healthcheck),
	FIELD("hostname", F_STR, hostname),
	FIELD("image", F_STR, image),
	FIELD("init", F_TRI, init),
	FIELD("ipc", F_STR, ipc),
	FIELD("labels", F_KV, labels),
	FIELD("links", F_LIST, links),
	HANDLER("logging", svc_logging),
	FIELD("mac_address", F_STR, mac_address),
	FIELD("runtime", F_STR, runtime),
	FIELD("mem_limit", F_BYTES, mem_limit),
	FIELD("mem_reservation", F_BYTES, mem_reservation),
	FIELD("network_mode", F_STR, network_mode),
	HANDLER("networks", svc_networks),
	HANDLER("oom_score_adj", svc_oom_score_adj),
	FIELD("pid", F_STR, pid),
	HANDLER("post_start", svc_hooks),
	HANDLER("pids_limit", svc_pids_limit),
	FIELD("platform", F_STR, platform),
	HANDLER("pre_stop", svc_hooks),
	HANDLER("ports", svc_ports),
	FIELD("privileged", F_BOOL, privileged),
	FIELD("profiles", F_LIST, profiles),
	FIELD("pull_policy", F_STR, pull_policy),
	FIELD("read_only", F_BOOL, read_only),
	HANDLER("restart", svc_restart),
	HANDLER("scale", svc_scale),
	HANDLER("secrets", svc_secrets),
	FIELD("security_opt", F_LIST, security_opt),
	FIELD("shm_size", F_BYTES, shm_size),
	FIELD("stdin_open", F_BOOL, stdin_open),
	FIELD("stop_grace_period", F_DURATION, stop_grace_period),
	FIELD("stop_signal", F_STR, stop_signal),
	FIELD("sysctls", F_KV, sysctls),
	FIELD("tmpfs", F_STRLIST, tmpfs),
	FIELD("tty", F_BOOL, tty),
	HANDLER("ulimits", svc_ulimits),
	FIELD("user", F_STR, user),
	FIELD("userns_mode", F_STR, userns_mode),
	HANDLER("volumes", svc_volumes),
	FIELD("volumes_from", F_LIST, volumes_from),
	FIELD("working_dir", F_STR, working_dir),
	HANDLER("x-slipway", svc_x_slipway),
};

/* Compose keys slipway knows and refuses, rather than calling unknown. */
static const char *const service_unsupported[] = {
	"annotations", "attach", "blkio_config", "cgroup", "cgroup_parent",
	"cpu_count", "cpu_percent", "cpu_period", "cpu_quota",
	"cpu_rt_period", "cpu_rt_runtime", "cpuset",
	"credential_spec", "device_cgroup_rules",
	"external_links", "gpus", "isolation", "label_file",
	"memswap_limit", "mem_swappiness", "models",
	"oom_kill_disable", "pre_start",
	"provider", "storage_opt", "use_api_socket",
	"uts", NULL
};

static int
apply_field(struct loader *ld, struct svc *sv, const struct field *f,
    yaml_node_t *v)
{
	void *at = (char *)sv->s + f->off;
	int b;

	switch (f->type) {
	case F_STR:
		return get_str(ld, v, f->key, at);
	case F_BOOL:
		return get_bool(ld, v, f->key, at);
	case F_TRI:
		if (get_bool(ld, v, f->key, &b) < 0)
			return -1;
		*(int *)at = b;
		return 0;
	case F_LIST:
		return get_list(ld, v, f->key, 0, at);
	case F_STRLIST:
		return get_list(ld, v, f->key, 1, at);
	case F_KV:
		return get_kv(ld, v, f->key, 1, at);
	case F_BYTES:
		return get_bytes(ld, v, f->key, at);
	case F_DURATION:
		return get_duration(ld, v, f->key, at);
	case F_FN:
		return f->fn(ld, sv, v, f->key);
	}
	return -1;
}

/*
 * volumes_from and links name services of this app ("service[:mode]" or
 * "service[:alias]"), which then start first. A container is refused: it is
 * the host's or another app's.
 */
static int
service_refs(struct loader *ld, struct svc *sv, const char *key,
    const struct strv *refs)
{
	size_t i;

	for (i = 0; i < refs->n; i++) {
		const char *r = refs->v[i], *colon = strchr(r, ':');
		char *mode;
		int rc;

		if (starts_with(r, "container:"))
			return lerr(ld, sv->knode, "\"%s\": \"%s\": only this "
			    "app's services can be named, not a container",
			    key, r);
		if (colon != NULL && strcmp(key, "volumes_from") == 0 &&
		    strcmp(colon, ":ro") != 0 && strcmp(colon, ":rw") != 0)
			return lerr(ld, sv->knode, "\"%s\": \"%s\": the mode "
			    "must be ro or rw", key, r);
		mode = xasprintf("service:%.*s", colon ? (int)(colon - r) :
		    (int)strlen(r), r);
		rc = mode_depends(ld, sv, key, mode);
		free(mode);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Checks that need the whole service. */
static int
finish_service(struct loader *ld, struct svc *sv)
{
	struct compose_service *s = sv->s;
	size_t i, j;

	if (s->image != NULL && *s->image == '\0') {
		free(s->image);         /* compose-go: "" is no image */
		s->image = NULL;
	}
	if (s->image == NULL && s->build == NULL)
		return serr(ld, sv->knode, "has neither an image nor a build "
		    "context");
	if (resolve_environment(ld, sv) < 0)
		return -1;
	if (sv->scale >= 0 && sv->replicas >= 0 && sv->scale != sv->replicas)
		return lerr(ld, sv->knode, "\"scale\" and \"deploy.replicas\" "
		    "differ");
	s->replicas = sv->scale >= 0 ? (int)sv->scale :
	    sv->replicas >= 0 ? (int)sv->replicas : 1;
	if (sv->d_cpus >= 0) {
		if (s->cpus != 0 && s->cpus != sv->d_cpus)
			return lerr(ld, sv->knode, "\"cpus\" and "
			    "\"deploy.resources.limits.cpus\" differ");
		s->cpus = sv->d_cpus;
	}
	if (sv->d_mem >= 0) {
		if (s->mem_limit != 0 && s->mem_limit != sv->d_mem)
			return lerr(ld, sv->knode, "\"mem_limit\" and "
			    "\"deploy.resources.limits.memory\" differ");
		s->mem_limit = sv->d_mem;
	}
	if (sv->d_memres >= 0) {
		if (s->mem_reservation != 0 &&
		    s->mem_reservation != sv->d_memres)
			return lerr(ld, sv->knode, "\"mem_reservation\" and "
			    "\"deploy.resources.reservations.memory\" differ");
		s->mem_reservation = sv->d_memres;
	}
	if (sv->d_pids != LLONG_MIN) {
		if (s->pids_limit != 0 && s->pids_limit != sv->d_pids)
			return lerr(ld, sv->knode, "\"pids_limit\" and "
			    "\"deploy.resources.limits.pids\" differ");
		s->pids_limit = sv->d_pids;
	}
	if (s->container_name != NULL && s->replicas > 1)
		return lerr(ld, sv->knode, "\"container_name\" needs a single "
		    "replica");
	if (s->network_mode != NULL && s->networks_set)
		return lerr(ld, sv->knode, "\"network_mode\" and \"networks\" "
		    "exclude each other");
	if (service_refs(ld, sv, "volumes_from", &s->volumes_from) < 0 ||
	    service_refs(ld, sv, "links", &s->links) < 0)
		return -1;
	if (sv->d_restart != NULL) {
		free(s->restart);       /* compose: deploy's policy wins */
		s->restart = sv->d_restart;
		sv->d_restart = NULL;
	}
	if (mode_depends(ld, sv, "network_mode", s->network_mode) < 0 ||
	    mode_depends(ld, sv, "pid", s->pid) < 0 ||
	    mode_depends(ld, sv, "ipc", s->ipc) < 0)
		return -1;
	for (i = 0; i < s->nmounts; i++) {
		const char *t = s->mounts[i].target;

		for (j = 0; j < i; j++) {
			if (strcmp(t, s->mounts[j].target) == 0)
				return lerr(ld, sv->knode, "\"volumes\": "
				    "target \"%s\" is mounted twice", t);
		}
		for (j = 0; j < s->tmpfs.n; j++) {
			size_t n = strcspn(s->tmpfs.v[j], ":");

			if (strlen(t) == n && strncmp(t, s->tmpfs.v[j], n) == 0)
				return lerr(ld, sv->knode, "\"volumes\": "
				    "target \"%s\" is also a tmpfs", t);
		}
	}
	return 0;
}

/*
 * The service extends names and the file it is in: *file 0 for the file
 * being loaded, n for ld->ext[n - 1]; from is the file of the extends key.
 */
static int
extends_target(struct loader *ld, const struct pair *ext, char **name,
    int *file)
{
	struct pairs ps = { 0 };
	yaml_node_t *fnode = NULL;
	char *fname = NULL;
	size_t i;
	int rc = -1;

	*name = NULL;
	*file = ext->file;
	if (ext->value->type == YAML_SCALAR_NODE)
		return get_str_req(ld, ext->value, "extends", name);
	if (get_map(ld, ext->value, "extends", &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		int r;

		if (strcmp(ps.v[i].key, "service") == 0)
			r = get_str_req(ld, ps.v[i].value, "extends.service",
			    name);
		else if (strcmp(ps.v[i].key, "file") == 0) {
			fnode = ps.v[i].value;
			r = get_str_req(ld, fnode, "extends.file", &fname);
		} else
			r = bad_key(ld, &ps.v[i], "extends", NULL);
		if (r < 0)
			goto done;
	}
	if (*name == NULL) {
		lerr(ld, ext->value, "\"extends\": \"service\" is required");
		goto done;
	}
	if (fname != NULL &&
	    (*file = extfile_find(ld, ext->file, fnode, fname)) < 0)
		goto done;
	rc = 0;
done:
	if (rc < 0) {
		free(*name);
		*name = NULL;
	}
	free(fname);
	pairs_free(&ps);
	return rc;
}

/* The services of file (0: this one, n: ld->ext[n - 1]). */
static const struct pairs *
file_services(struct loader *ld, int file)
{
	return file == 0 ? &ld->services : &ld->ext[file - 1].services;
}

/*
 * extends (a service of this file or of another inside the release,
 * itself possibly extending another): the base's keys fill in what the
 * service does not set, each keeping the file it came from so that its
 * relative paths resolve against that file's directory, as in compose. A
 * scalar, a command or an entrypoint the service sets wins; another list
 * or mapping set in both would be merged by compose, which slipway does
 * not do yet: that is refused, naming the key.
 */
static int
apply_extends(struct loader *ld, struct pairs *ps)
{
	const struct pair *ext;
	struct pairs base = { 0 };
	struct strv seen = STRV_INIT;
	char *name = NULL;
	size_t i;
	int rc = -1, depth, file;

	if (ld->service != NULL)
		strv_push_owned(&seen, xasprintf("0:%s", ld->service));
	for (depth = 0; (ext = pairs_find(ps, "extends")) != NULL; depth++) {
		const struct pair *b;
		yaml_node_t *ev = ext->value;
		char *id;
		int known;

		if (extends_target(ld, ext, &name, &file) < 0)
			goto done;
		id = xasprintf("%d:%s", file, name);
		known = strv_contains(&seen, id);
		strv_push_owned(&seen, id);
		if (depth > 16 || known) {
			lerr(ld, ev, "\"extends\": service \"%s\" extends "
			    "itself", name);
			goto done;
		}
		if ((b = pairs_find(file_services(ld, file), name)) == NULL) {
			if (file == 0)
				lerr(ld, ev, "\"extends\": undefined service "
				    "\"%s\"", name);
			else
				lerr(ld, ev, "\"extends\": undefined service "
				    "\"%s\" in \"%s\"", name,
				    ld->ext[file - 1].display);
			goto done;
		}
		if (b->value->type != YAML_MAPPING_NODE ||
		    collect(ld, b->value, &base, 0) < 0) {
			if (b->value->type != YAML_MAPPING_NODE)
				lerr(ld, b->value, "the service must be a "
				    "mapping");
			goto done;
		}
		/* this extends is spent: the base's own one, if any, is next */
		for (i = 0; i < ps->n; i++) {
			if (ps->v[i].value == ev)
				ps->v[i].key = "extends-done";
		}
		for (i = 0; i < base.n; i++) {
			const struct pair *mine = pairs_find(ps, base.v[i].key);

			if (mine == NULL) {
				ps->v = xgrow(ps->v, &ps->alloc, ps->n + 1,
				    sizeof *ps->v);
				ps->v[ps->n] = base.v[i];
				ps->v[ps->n++].file = file;
			} else if (mine->value->type != YAML_SCALAR_NODE &&
			    base.v[i].value->type != YAML_SCALAR_NODE &&
			    strcmp(mine->key, "command") != 0 &&
			    strcmp(mine->key, "entrypoint") != 0) {
				lerr(ld, mine->knode, "\"extends\": \"%s\" is "
				    "set here and in \"%s\": merging them is "
				    "not implemented yet", mine->key, name);
				goto done;
			}
		}
		pairs_free(&base);
		free(name);
		name = NULL;
	}
	for (i = 0; i < ps->n; i++) {
		if (strcmp(ps->v[i].key, "extends-done") == 0)
			ps->v[i].key = "extends";
	}
	rc = 0;
done:
	pairs_free(&base);
	strv_clear(&seen);
	free(name);
	return rc;
}

int
load_service(struct loader *ld, const struct pair *pr,
    struct compose_service *s)
{
	struct svc sv = { 0 };
	struct pairs ps = { 0 };
	size_t i, j;
	int rc = -1, r;

	s->name = xstrdup(pr->key);
	s->line = (int)pr->knode->start_mark.line + 1;
	s->init = -1;
	s->stop_grace_period = -1;
	s->replicas = 1;
	s->swarm.update.parallelism = s->swarm.rollback.parallelism = -1;
	s->swarm.update.delay = s->swarm.rollback.delay = -1;
	s->swarm.update.monitor = s->swarm.rollback.monitor = -1;
	s->swarm.update.max_failure_ratio = -1;
	s->swarm.rollback.max_failure_ratio = -1;
	s->swarm.restart_attempts = -1;
	s->swarm.restart_delay = s->swarm.restart_window = -1;
	s->healthcheck.interval = s->healthcheck.timeout = -1;
	s->healthcheck.start_period = s->healthcheck.start_interval = -1;
	s->healthcheck.retries = -1;
	sv.s = s;
	sv.knode = pr->knode;
	sv.scale = sv.replicas = -1;
	sv.d_cpus = -1;
	sv.d_mem = sv.d_memres = -1;
	sv.d_pids = LLONG_MIN;

	if (name_check_service(s->name) < 0) {
		lerr(ld, pr->knode, "%s", error_last());
		goto done;
	}
	set_where(ld, "service", s->name);
	ld->service = s->name;
	if (pr->value->type != YAML_MAPPING_NODE) {
		lerr(ld, pr->value, "the service must be a mapping");
		goto done;
	}
	if (collect(ld, pr->value, &ps, 0) < 0 || apply_extends(ld, &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		if (strcmp(ps.v[i].key, "extends") == 0)
			continue;
		/* compose watch's settings: `up` does not read them either,
		 * but a file compose would refuse is refused. */
		if (strcmp(ps.v[i].key, "develop") == 0) {
			if (check_develop(ld, ps.v[i].value) < 0)
				goto done;
			lwarn(ld, ps.v[i].knode, "\"develop\" is ignored: it "
			    "configures compose watch, a development tool");
			continue;
		}
		for (j = 0; j < ARRAY_SIZE(service_fields); j++) {
			if (strcmp(service_fields[j].key, ps.v[i].key) == 0)
				break;
		}
		if (j < ARRAY_SIZE(service_fields)) {
			ld->base = ps.v[i].file == 0 ? ld->p->dir :
			    ld->ext[ps.v[i].file - 1].dir;
			r = apply_field(ld, &sv, &service_fields[j],
			    ps.v[i].value);
			ld->base = ld->p->dir;
			if (r < 0)
				goto done;
		} else if (bad_key(ld, &ps.v[i], NULL, service_unsupported) < 0)
			goto done;
	}
	rc = finish_service(ld, &sv);
done:
	set_where(ld, NULL, NULL);
	ld->service = NULL;
	kvlist_clear(&sv.env);
	free(sv.d_restart);
	strv_clear(&sv.env_files);
	strv_clear(&sv.optional_env);
	strv_clear(&sv.raw_env);
	pairs_free(&ps);
	return rc;
}
