/*
 * nodes.c - reading libyaml nodes: errors naming file, line and key, the
 * work budget against alias bombs, mappings with "<<" merge keys applied,
 * and typed getters that interpolate every scalar value as it is read
 * (keys never are).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compose/loader.h"
#include "compose/interp.h"

#define MERGE_MAX_DEPTH 16
#define MAX_WORK 1000000      /* pairs and items visited: alias bombs */

/* The file node n came from: an extends.file's nodes name theirs. */
static const char *
node_file(const struct loader *ld, const yaml_node_t *n)
{
	long idx;
	size_t i;

	if (ld->doc.nodes.start == NULL || n < ld->doc.nodes.start ||
	    n >= ld->doc.nodes.top)
		return ld->file;
	idx = (long)(n - ld->doc.nodes.start) + 1;
	for (i = 0; i < ld->next; i++) {
		if (idx >= ld->ext[i].first && idx <= ld->ext[i].last)
			return ld->ext[i].display;
	}
	return ld->file;
}

/* "FILE:LINE: <where>MSG" for node n (NULL: the file), allocated. */
static char *
located(struct loader *ld, const yaml_node_t *n, const char *fmt, va_list ap)
{
	char *msg = xvasprintf(fmt, ap), *s;

	if (n != NULL)
		s = xasprintf("%s:%lu: %s%s", node_file(ld, n),
		    (unsigned long)n->start_mark.line + 1, ld->where, msg);
	else
		s = xasprintf("%s: %s%s", ld->file, ld->where, msg);
	free(msg);
	return s;
}

int
lerr(struct loader *ld, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = located(ld, n, fmt, ap);
	va_end(ap);
	error_set("%s", s);
	free(s);
	return -1;
}

void
lwarn(struct loader *ld, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strv_push_owned(&ld->p->warnings, located(ld, n, fmt, ap));
	va_end(ap);
}

void
set_where(struct loader *ld, const char *what, const char *name)
{
	free(ld->wherebuf);
	ld->wherebuf = NULL;
	ld->where = "";
	if (what != NULL) {
		ld->wherebuf = xasprintf("%s \"%s\": ", what, name);
		ld->where = ld->wherebuf;
	}
}

/* A message whose subject is the current service: `service "web" ...`. */
int
serr(struct loader *ld, const yaml_node_t *n, const char *fmt, ...)
{
	const char *where = ld->where;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	ld->where = "";
	lerr(ld, n, "service \"%s\" %s", ld->service, msg);
	ld->where = where;
	free(msg);
	return -1;
}

int
spend(struct loader *ld, const yaml_node_t *n)
{
	if (++ld->work > MAX_WORK)
		return lerr(ld, n, "document too complex (aliases expand too "
		    "far)");
	return 0;
}

static const char *
sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/*
 * The whole document as the aliases would expand it, extension keys
 * included, must stay within the work budget: compose-go refuses such a
 * document even where slipway would never read the expanded part. Sizes
 * are memoised per node, so this is linear in the document.
 */
static long long
expanded(struct loader *ld, int idx, long long *memo, int depth)
{
	yaml_node_t *n = NODE(ld, idx);
	long long sum = 1;
	yaml_node_item_t *it;
	yaml_node_pair_t *pr;

	if (n == NULL || depth > 10000)
		return MAX_WORK + 1;
	if (memo[idx] < 0)
		return 1;       /* a node inside itself: collect() refuses it */
	if (memo[idx] != 0)
		return memo[idx];
	memo[idx] = -1;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top && sum <= MAX_WORK; it++)
			sum += expanded(ld, *it, memo, depth + 1);
	} else if (n->type == YAML_MAPPING_NODE) {
		for (pr = n->data.mapping.pairs.start;
		    pr < n->data.mapping.pairs.top && sum <= MAX_WORK; pr++)
			sum += expanded(ld, pr->key, memo, depth + 1) +
			    expanded(ld, pr->value, memo, depth + 1);
	}
	memo[idx] = sum;
	return sum;
}

int
check_expansion(struct loader *ld)
{
	size_t count = (size_t)(ld->doc.nodes.top - ld->doc.nodes.start);
	long long *memo;
	int rc = 0;

	if (count == 0)
		return 0;
	memo = xcalloc(count + 1, sizeof *memo);
	if (expanded(ld, 1, memo, 0) > MAX_WORK)
		rc = lerr(ld, NULL, "document too complex (aliases expand too "
		    "far)");
	free(memo);
	return rc;
}

int
is_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = sval(n);
	return *v == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	    strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

const struct pair *
pairs_find(const struct pairs *ps, const char *key)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		if (strcmp(ps->v[i].key, key) == 0)
			return &ps->v[i];
	}
	return NULL;
}

static void
pairs_add(struct pairs *ps, const char *key, yaml_node_t *k, yaml_node_t *v)
{
	ps->v = xgrow(ps->v, &ps->alloc, ps->n + 1, sizeof *ps->v);
	ps->v[ps->n].key = key;
	ps->v[ps->n].knode = k;
	ps->v[ps->n].value = v;
	ps->v[ps->n].file = 0;
	ps->n++;
}

void
pairs_free(struct pairs *ps)
{
	free(ps->v);
	ps->v = NULL;
	ps->n = ps->alloc = 0;
}

/* Add the keys of merge source m that out does not have yet; at is the
 * "<<" key, which messages name (m may be an anchor far away). */
static int
merge_from(struct loader *ld, const yaml_node_t *at, yaml_node_t *m,
    struct pairs *out, int depth)
{
	struct pairs tmp = { 0 };
	size_t i;

	if (m->type != YAML_MAPPING_NODE)
		return lerr(ld, at, "\"<<\" must be a mapping or a list of "
		    "mappings");
	if (collect(ld, m, &tmp, depth + 1) < 0) {
		pairs_free(&tmp);
		return -1;
	}
	for (i = 0; i < tmp.n; i++) {
		if (pairs_find(out, tmp.v[i].key) != NULL)
			continue;
		if (out->n >= COMPOSE_MAX_ENTRIES) {
			pairs_free(&tmp);
			return lerr(ld, m, "more than %d keys (merges included)",
			    COMPOSE_MAX_ENTRIES);
		}
		pairs_add(out, tmp.v[i].key, tmp.v[i].knode, tmp.v[i].value);
	}
	pairs_free(&tmp);
	return 0;
}

/*
 * A plain key that YAML types as a number, a boolean or null is not a
 * string: compose-go refuses it ("non-string key"), e.g. a service 123.
 */
static int
string_key(const yaml_node_t *k)
{
	const char *v = sval(k);
	char *end;

	if (k->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 1;
	if (is_null(k) || strcmp(v, "true") == 0 || strcmp(v, "True") == 0 ||
	    strcmp(v, "TRUE") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "False") == 0 || strcmp(v, "FALSE") == 0 ||
	    strcmp(v, ".inf") == 0 || strcmp(v, "-.inf") == 0 ||
	    strcmp(v, ".nan") == 0 || strcmp(v, ".NaN") == 0)
		return 0;
	if (strncmp(v, "0o", 2) == 0 || strncmp(v, "0x", 2) == 0) {
		if (v[2] != '\0' && strspn(v + 2, "0123456789abcdefABCDEF") ==
		    strlen(v + 2))
			return 0;
		return 1;
	}
	if (strchr("+-.0123456789", *v) == NULL)
		return 1;
	(void)strtod(v, &end);
	return *end != '\0';
}

/*
 * The keys of mapping n in file order with "<<" merges applied: explicit
 * keys win over merged ones, earlier merge sources over later ones.
 */
int
collect(struct loader *ld, yaml_node_t *n, struct pairs *out, int depth)
{
	yaml_node_pair_t *pr, *start = n->data.mapping.pairs.start;
	yaml_node_pair_t *top = n->data.mapping.pairs.top;

	if (depth > MERGE_MAX_DEPTH)
		return lerr(ld, n, "merge keys nested too deeply");
	for (pr = start; pr < top; pr++) {
		yaml_node_t *k = NODE(ld, pr->key), *v = NODE(ld, pr->value);

		if (spend(ld, k) < 0)
			return -1;
		if (k->type != YAML_SCALAR_NODE)
			return lerr(ld, k, "mapping keys must be strings");
		if (strlen(sval(k)) != k->data.scalar.length)
			return lerr(ld, k, "key contains a NUL byte");
		if (k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    strcmp(sval(k), "<<") == 0)
			continue;
		if (!string_key(k))
			return lerr(ld, k, "non-string key %s: quote it to make "
			    "it a string", *sval(k) ? sval(k) : "(empty)");
		if (pairs_find(out, sval(k)) != NULL)
			return lerr(ld, k, "duplicate key \"%s\"", sval(k));
		if (out->n >= COMPOSE_MAX_ENTRIES)
			return lerr(ld, k, "more than %d keys (merges included)",
			    COMPOSE_MAX_ENTRIES);
		pairs_add(out, sval(k), k, v);
	}
	for (pr = start; pr < top; pr++) {
		yaml_node_t *k = NODE(ld, pr->key), *v = NODE(ld, pr->value);
		yaml_node_item_t *it;

		if (k->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
		    strcmp(sval(k), "<<") != 0)
			continue;
		if (v->type != YAML_SEQUENCE_NODE) {
			if (merge_from(ld, k, v, out, depth) < 0)
				return -1;
			continue;
		}
		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			if (merge_from(ld, k, NODE(ld, *it), out, depth) < 0)
				return -1;
		}
	}
	return 0;
}

/* The pairs of mapping n (null: none); key names n in messages. */
int
get_map(struct loader *ld, yaml_node_t *n, const char *key, struct pairs *out)
{
	out->n = 0;
	if (is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return lerr(ld, n, "\"%s\" must be a mapping", key);
	return collect(ld, n, out, 0);
}

/* Why a compose key slipway knows is refused: full dotted name, then key. */
static const struct {
	const char *key, *why;
} refused_why[] = {
	{ "annotations", "the engine takes annotations from API 1.43 on" },
	{ "attach", "slipway runs every service detached" },
	{ "blkio_config", "it tunes the host's block devices" },
	{ "cgroup", "it reaches into the host's cgroups" },
	{ "cgroup_parent", "it reaches into the host's cgroups" },
	{ "cpu_count", "Windows containers only" },
	{ "cpu_percent", "Windows containers only" },
	{ "cpu_period", "use cpus instead" },
	{ "cpu_quota", "use cpus instead" },
	{ "cpu_rt_period", "real-time scheduling is the host's" },
	{ "cpu_rt_runtime", "real-time scheduling is the host's" },
	{ "cpuset", "pinning CPUs is the host's decision" },
	{ "credential_spec", "Windows containers only" },
	{ "device_cgroup_rules", "it grants host devices" },
	{ "external_links", "it links containers outside the app" },
	{ "gpus", "GPU devices are the host's" },
	{ "isolation", "Windows containers only" },
	{ "label_file", "not implemented yet: use labels" },
	{ "memswap_limit", "swap is the host's" },
	{ "mem_swappiness", "swap is the host's" },
	{ "models", "AI models need a model runner" },
	{ "oom_kill_disable", "it would let the app starve the host" },
	{ "pre_start", "not implemented yet (init containers): use a "
	  "one-shot service and depends_on with "
	  "service_completed_successfully" },
	{ "provider", "compose providers run host programs" },
	{ "storage_opt", "storage options are the host's" },
	{ "use_api_socket", "it hands the container the engine's socket" },
	{ "uts", "it shares the host's UTS namespace" },
	{ "enable_ipv4", "the engine takes it from API 1.47 on" },
	{ "deploy.mode", "swarm only" },
	{ "deploy.endpoint_mode", "swarm only" },
	{ "deploy.labels", "swarm only" },
	{ "deploy.placement", "swarm only" },
	{ "deploy.rollback_config", "swarm only: slipway rolls back itself" },
	{ "deploy.update_config", "swarm only: see x-slipway.http" },
	{ "build.ssh", "SSH forwarding needs a BuildKit client session" },
	{ "build.secrets", "build secrets need a BuildKit client session" },
	{ "build.additional_contexts", "more build contexts need a BuildKit "
	  "client session" },
	{ "volumes.image", "the engine takes image mounts from API 1.48 on" },
	{ "networks.interface_name", "the engine takes it from API 1.49 on" },
	{ "networks.gw_priority", "the engine takes it from API 1.48 on" },
	{ "build.entitlements", "it grants the build host rights" },
	{ "build.privileged", "it grants the build host rights" },
};

static const char *
why_refused(const char *prefix, const char *key)
{
	char *full = prefix != NULL ? xasprintf("%s.%s", prefix, key) : NULL;
	const char *why = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(refused_why) && why == NULL; i++) {
		if (full != NULL && strcmp(refused_why[i].key, full) == 0)
			why = refused_why[i].why;
	}
	for (i = 0; i < ARRAY_SIZE(refused_why) && why == NULL; i++) {
		if (prefix == NULL && strcmp(refused_why[i].key, key) == 0)
			why = refused_why[i].why;
	}
	free(full);
	return why != NULL ? why : "not implemented yet";
}

/*
 * A key no handler took: x-* is ignored, a compose key slipway does not
 * support (with why, in the same line) and an unknown key are errors.
 * prefix is the dotted path shown.
 */
int
bad_key(struct loader *ld, const struct pair *pr, const char *prefix,
    const char *const *unsupported)
{
	size_t i;

	if (starts_with(pr->key, "x-"))
		return 0;
	for (i = 0; unsupported != NULL && unsupported[i] != NULL; i++) {
		if (strcmp(unsupported[i], pr->key) == 0)
			return lerr(ld, pr->knode, "key \"%s%s%s\" is not "
			    "supported: %s", prefix ? prefix : "",
			    prefix ? "." : "", pr->key,
			    why_refused(prefix, pr->key));
	}
	return lerr(ld, pr->knode, "unknown key \"%s%s%s\"",
	    prefix ? prefix : "", prefix ? "." : "", pr->key);
}

/* Scalars. */

/* The interpolated text of scalar n (allocated), or NULL for a null. */
int
get_scalar(struct loader *ld, yaml_node_t *n, const char *key,
    const char *type, char **out)
{
	size_t seen = ld->unset.n;
	char *s;

	*out = NULL;
	if (n->type != YAML_SCALAR_NODE)
		return lerr(ld, n, "\"%s\" must be %s", key, type);
	if (is_null(n))
		return 0;
	if (strlen(sval(n)) != n->data.scalar.length)
		return lerr(ld, n, "\"%s\" contains a NUL byte", key);
	s = interp_string(sval(n), &ld->vars, &ld->unset);
	if (s == NULL)
		return lerr(ld, n, "\"%s\": %s", key, error_last());
	/* what interpolation makes counts too: ${BIG} a million times */
	ld->work += (long)(strlen(s) / 64);
	if (ld->work > MAX_WORK) {
		free(s);
		return lerr(ld, n, "document too complex (variables expand "
		    "too far)");
	}
	for (; seen < ld->unset.n; seen++)
		strv_push_owned(&ld->p->warnings, xasprintf("variable \"%s\" "
		    "is not set, using an empty string", ld->unset.v[seen]));
	*out = s;
	return 0;
}

/* A string; null leaves *dst NULL. */
int
get_str(struct loader *ld, yaml_node_t *n, const char *key, char **dst)
{
	free(*dst);
	return get_scalar(ld, n, key, "a string", dst);
}

int
get_str_req(struct loader *ld, yaml_node_t *n, const char *key, char **dst)
{
	if (get_str(ld, n, key, dst) < 0)
		return -1;
	if (*dst == NULL)
		return lerr(ld, n, "\"%s\" must be a string", key);
	return 0;
}

int
get_bool(struct loader *ld, yaml_node_t *n, const char *key, int *dst)
{
	static const char *const yes[] = { "true", "yes", "y", "on" };
	static const char *const no[] = { "false", "no", "n", "off" };
	char *s;
	size_t i;
	int rc = -1;

	if (get_scalar(ld, n, key, "a boolean", &s) < 0)
		return -1;
	for (i = 0; s != NULL && i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0 || strcasecmp(s, no[i]) == 0) {
			*dst = strcasecmp(s, yes[i]) == 0;
			rc = 0;
		}
	}
	if (rc < 0)
		lerr(ld, n, "\"%s\" must be a boolean, not \"%s\"", key,
		    s ? s : "null");
	free(s);
	return rc;
}

int
get_ll(struct loader *ld, yaml_node_t *n, const char *key, long long lo,
    long long hi, long long *dst)
{
	char *s, *end;
	long long v = 0;
	int rc = -1;

	if (get_scalar(ld, n, key, "an integer", &s) < 0)
		return -1;
	if (s != NULL && *s != '\0') {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (errno == 0 && *end == '\0' && v >= lo && v <= hi) {
			*dst = v;
			rc = 0;
		}
	}
	if (rc < 0)
		lerr(ld, n, "\"%s\" must be an integer between %lld and %lld, "
		    "not \"%s\"", key, lo, hi, s ? s : "null");
	free(s);
	return rc;
}

int
get_long(struct loader *ld, yaml_node_t *n, const char *key, long lo, long hi,
    long *dst)
{
	long long v;

	if (get_ll(ld, n, key, lo, hi, &v) < 0)
		return -1;
	*dst = (long)v;
	return 0;
}

int
get_double(struct loader *ld, yaml_node_t *n, const char *key, double *dst)
{
	char *s, *end;
	double v = 0;
	int rc = -1;

	if (get_scalar(ld, n, key, "a number", &s) < 0)
		return -1;
	if (s != NULL && *s != '\0') {
		errno = 0;
		v = strtod(s, &end);
		if (errno == 0 && *end == '\0' && isfinite(v) && v >= 0) {
			*dst = v;
			rc = 0;
		}
	}
	if (rc < 0)
		lerr(ld, n, "\"%s\" must be a non-negative number, not "
		    "\"%s\"", key, s ? s : "null");
	free(s);
	return rc;
}

int
get_duration(struct loader *ld, yaml_node_t *n, const char *key, long long *dst)
{
	char *s;
	int rc = 0;

	if (get_scalar(ld, n, key, "a duration", &s) < 0)
		return -1;
	if (s == NULL || compose_parse_duration(s, dst) < 0)
		rc = lerr(ld, n, "\"%s\": invalid duration \"%s\"", key,
		    s ? s : "null");
	free(s);
	return rc;
}

int
get_bytes(struct loader *ld, yaml_node_t *n, const char *key, long long *dst)
{
	char *s;
	int rc = 0;

	if (get_scalar(ld, n, key, "a size", &s) < 0)
		return -1;
	if (s == NULL || compose_parse_bytes(s, dst) < 0)
		rc = lerr(ld, n, "\"%s\": invalid size \"%s\"", key,
		    s ? s : "null");
	free(s);
	return rc;
}

/* A list of strings; with scalar_ok a single string is a list of one. */
int
get_list(struct loader *ld, yaml_node_t *n, const char *key, int scalar_ok,
    struct strv *dst)
{
	yaml_node_item_t *it;
	char *s;

	if (is_null(n))
		return 0;
	if (n->type == YAML_SCALAR_NODE && scalar_ok) {
		if (get_scalar(ld, n, key, "a string", &s) < 0)
			return -1;
		strv_push_owned(dst, s);
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return lerr(ld, n, "\"%s\" must be %s", key,
		    scalar_ok ? "a string or a list" : "a list");
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		yaml_node_t *item = NODE(ld, *it);

		if (spend(ld, item) < 0)
			return -1;
		if (item->type != YAML_SCALAR_NODE || is_null(item))
			return lerr(ld, item, "\"%s\" entries must be strings",
			    key);
		if (get_scalar(ld, item, key, "a string", &s) < 0)
			return -1;
		strv_push_owned(dst, s);
	}
	return 0;
}

/*
 * A mapping of strings, or a list of "K=V" / "K" strings. A missing value
 * (null, or "K" without '=') is kept as NULL unless empty_for_null.
 */
int
get_kv(struct loader *ld, yaml_node_t *n, const char *key, int empty_for_null,
    struct kvlist *dst)
{
	struct pairs ps = { 0 };
	yaml_node_item_t *it;
	char *s = NULL, *sub = NULL;
	size_t i;
	int rc = -1;

	if (is_null(n))
		return 0;
	if (n->type == YAML_MAPPING_NODE) {
		if (collect(ld, n, &ps, 0) < 0)
			goto done;
		for (i = 0; i < ps.n; i++) {
			free(sub);
			sub = xasprintf("%s.%s", key, ps.v[i].key);
			if (ps.v[i].value->type != YAML_SCALAR_NODE) {
				lerr(ld, ps.v[i].value, "\"%s\" must be a "
				    "string", sub);
				goto done;
			}
			if (get_scalar(ld, ps.v[i].value, sub, "a string",
			    &s) < 0)
				goto done;
			if (s == NULL && empty_for_null)
				s = xstrdup("");
			kvlist_set(dst, ps.v[i].key, s);
			free(s);
			s = NULL;
		}
		rc = 0;
		goto done;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		lerr(ld, n, "\"%s\" must be a mapping or a list", key);
		goto done;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		yaml_node_t *item = NODE(ld, *it);
		char *eq;

		if (spend(ld, item) < 0)
			goto done;
		if (item->type != YAML_SCALAR_NODE || is_null(item)) {
			lerr(ld, item, "\"%s\" entries must be strings", key);
			goto done;
		}
		/* s == NULL only for a null item, refused above (for scan-build) */
		if (get_scalar(ld, item, key, "a string", &s) < 0 || s == NULL)
			goto done;
		eq = strchr(s, '=');
		if (eq == s || *s == '\0') {
			lerr(ld, item, "\"%s\": \"%s\" has no name", key, s);
			goto done;
		}
		if (eq != NULL)
			*eq++ = '\0';
		kvlist_set(dst, s, eq ? eq : empty_for_null ? "" : NULL);
		free(s);
		s = NULL;
	}
	rc = 0;
done:
	free(s);
	free(sub);
	pairs_free(&ps);
	return rc;
}
