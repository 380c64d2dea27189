/*
 * compose.c - the compose file loader. libyaml's document API gives the
 * nodes (aliases resolved, "<<" merge keys applied here); one handler per
 * key then turns each short and long syntax into compose.h's structures,
 * interpolating every scalar value as it is read (keys never are). Errors
 * are one line naming file, line and key.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <yaml.h>

#include "compose/compose.h"
#include "compose/dotenv.h"
#include "compose/interp.h"
#include "lib/names.h"

#define COMPOSE_MAX_SIZE (4 << 20)
#define ENVFILE_MAX_SIZE (1 << 20)
#define MERGE_MAX_DEPTH 16
#define MAX_WORK 1000000      /* pairs and items visited: alias bombs */

const char *const compose_file_names[] = {
	"compose.yaml", "compose.yml", "docker-compose.yaml",
	"docker-compose.yml", NULL
};

/* Paths. */

char *
compose_path_clean(const char *path)
{
	struct strv parts = STRV_INIT;
	struct buf b = BUF_INIT;
	const char *p = path, *e;
	int abs = *path == '/';
	size_t i;

	while (*p != '\0') {
		while (*p == '/')
			p++;
		for (e = p; *e != '\0' && *e != '/'; e++)
			;
		if (e == p || (e - p == 1 && *p == '.')) {
			/* empty or "." */
		} else if (e - p == 2 && p[0] == '.' && p[1] == '.') {
			if (parts.n > 0 &&
			    strcmp(parts.v[parts.n - 1], "..") != 0) {
				free(parts.v[--parts.n]);
				parts.v[parts.n] = NULL;
			} else if (!abs)
				strv_push(&parts, "..");
		} else
			strv_push_owned(&parts, xstrndup(p, (size_t)(e - p)));
		p = e;
	}
	if (abs)
		buf_addch(&b, '/');
	for (i = 0; i < parts.n; i++) {
		if (i > 0)
			buf_addch(&b, '/');
		buf_adds(&b, parts.v[i]);
	}
	if (b.len == 0)
		buf_addch(&b, '.');
	strv_clear(&parts);
	return buf_detach(&b, NULL);
}

int
compose_path_within(const char *path, const char *dir)
{
	char *p = compose_path_clean(path), *d = compose_path_clean(dir);
	size_t n = strlen(d);
	int r;

	if (strcmp(d, "/") == 0)
		r = *p == '/';
	else
		r = strncmp(p, d, n) == 0 && (p[n] == '\0' || p[n] == '/');
	free(p);
	free(d);
	return r;
}

char *
compose_path_resolve(const char *path)
{
	struct buf out = BUF_INIT;      /* resolved so far; "" is "/" */
	char *todo = compose_path_clean(path), *p = todo, *r;
	int links = 0;

	while (*p != '\0') {
		char target[PATH_MAX], *cand, *next, *slash;
		struct stat st;
		size_t n;
		ssize_t tl;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.')) {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if ((slash = strrchr(out.buf, '/')) != NULL) {
				out.len = (size_t)(slash - out.buf);
				*slash = '\0';
			}
			p += n;
			continue;
		}
		cand = xasprintf("%s/%.*s", out.buf, (int)n, p);
		if (lstat(cand, &st) < 0) {
			buf_addf(&out, "/%s", p);       /* the missing rest */
			free(cand);
			break;
		}
		tl = S_ISLNK(st.st_mode) && links < 40 ?
		    readlink(cand, target, sizeof target - 1) : -1;
		free(cand);
		if (tl < 0) {
			buf_addf(&out, "/%.*s", (int)n, p);
			p += n;
			continue;
		}
		target[tl] = '\0';
		links++;
		if (target[0] == '/')
			buf_reset(&out);
		next = xasprintf("%s/%s", target, p + n);
		free(todo);
		p = todo = next;
	}
	r = compose_path_clean(out.len > 0 ? out.buf : "/");
	buf_release(&out);
	free(todo);
	return r;
}

/* An absolute, clean path: realpath when it exists, else lexical. */
static char *
absolute_dir(const char *dir)
{
	char *r = realpath(dir, NULL), *cwd, *j;

	if (r != NULL)
		return r;
	if (*dir == '/')
		return compose_path_clean(dir);
	cwd = getcwd(NULL, 0);
	j = path_join(cwd ? cwd : "/", dir);
	r = compose_path_clean(j);
	free(cwd);
	free(j);
	return r;
}

/* p relative to dir (or absolute), cleaned. */
static char *
resolve_path(const char *dir, const char *p)
{
	char *j, *r;

	if (*p == '/')
		return compose_path_clean(p);
	j = path_join(dir, p);
	r = compose_path_clean(j);
	free(j);
	return r;
}

/* Durations and sizes. */

int
compose_parse_duration(const char *s, long long *ns)
{
	static const struct {
		const char *name;
		long long mult;
	} units[] = {
		{ "ns", 1LL }, { "us", 1000LL }, { "\xc2\xb5s", 1000LL },
		{ "\xce\xbcs", 1000LL }, { "ms", 1000000LL },
		{ "s", 1000000000LL }, { "m", 60000000000LL },
		{ "h", 3600000000000LL },
	};
	long long total = 0;
	const char *p = s;
	int bare = 1;

	if (s == NULL || *s == '\0')
		return -1;
	while (*p != '\0') {
		long long whole = 0, frac = 0, scale = 1, v, mult = 0;
		size_t i, ulen = 0;
		int digits = 0;

		while (*p >= '0' && *p <= '9') {
			if (__builtin_mul_overflow(whole, 10, &whole) ||
			    __builtin_add_overflow(whole, *p - '0', &whole))
				return -1;
			p++;
			digits++;
		}
		if (*p == '.') {
			p++;
			while (*p >= '0' && *p <= '9') {
				if (scale < 1000000000000000LL) {
					frac = frac * 10 + (*p - '0');
					scale *= 10;
				}
				p++;
				digits++;
			}
		}
		if (digits == 0)
			return -1;
		if (*p == '\0' && bare && p - s == (ptrdiff_t)strlen(s)) {
			mult = 1000000000LL;    /* a plain number: seconds */
		} else {
			for (i = 0; i < ARRAY_SIZE(units); i++) {
				size_t n = strlen(units[i].name);

				if (n > ulen &&
				    strncmp(p, units[i].name, n) == 0) {
					ulen = n;
					mult = units[i].mult;
				}
			}
			if (ulen == 0)
				return -1;
			p += ulen;
		}
		bare = 0;
		if (__builtin_mul_overflow(whole, mult, &v) ||
		    __builtin_add_overflow(v,
		    (long long)((long double)frac * mult / scale), &v) ||
		    __builtin_add_overflow(total, v, &total))
			return -1;
	}
	*ns = total;
	return 0;
}

int
compose_parse_bytes(const char *s, long long *bytes)
{
	const char *p = s;
	long double v = 0, f = 0.1L, mult = 1;
	int digits = 0;

	if (s == NULL)
		return -1;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p++ - '0');
		digits++;
	}
	if (digits == 0)
		return -1;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9') {
			v += f * (*p++ - '0');
			f /= 10;
		}
	}
	if (*p == ' ')
		p++;
	if (*p != '\0') {
		static const char units[] = "kmgtp";
		const char *u = strchr(units, *p | 0x20);

		if (u != NULL) {
			ptrdiff_t n = u - units + 1;

			while (n-- > 0)
				mult *= 1024;
			p++;
			if (*p == 'i' || *p == 'I')
				p++;
		}
		if (*p == 'b' || *p == 'B')
			p++;
	}
	if (*p != '\0' || v * mult >= (long double)LLONG_MAX)
		return -1;
	*bytes = (long long)(v * mult);
	return 0;
}

/* The loader. */

struct pair {
	const char *key;
	yaml_node_t *knode;
	yaml_node_t *value;
};

struct pairs {
	struct pair *v;
	size_t n;
	size_t alloc;
};

struct loader {
	yaml_document_t doc;
	const char *file;          /* as messages name it */
	struct compose_project *p;
	struct kvlist vars;        /* .env, then the app's vars over it */
	struct strv unset;         /* variables already warned about */
	struct pairs services;     /* the services mapping */
	const char *where;         /* "service \"web\": " or "" */
	char *wherebuf;
	const char *service;       /* the service being read, or NULL */
	long work;
};

/* Per-service state while its keys are read. */
struct svc {
	struct compose_service *s;
	yaml_node_t *knode;
	struct kvlist env;         /* environment as written */
	struct strv env_files;     /* env_file paths, absolute */
	struct strv optional_env;  /* those with required: false */
	long scale, replicas;      /* -1 unset */
	double d_cpus;             /* deploy.resources; < 0 unset */
	long long d_mem, d_memres, d_pids;
};

#define NODE(ld, i) yaml_document_get_node(&(ld)->doc, (i))

static int lerr(struct loader *, const yaml_node_t *, const char *, ...)
    PRINTF_LIKE(3, 4);

static int
lerr(struct loader *ld, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (n != NULL)
		error_set("%s:%lu: %s%s", ld->file,
		    (unsigned long)n->start_mark.line + 1, ld->where, msg);
	else
		error_set("%s: %s%s", ld->file, ld->where, msg);
	free(msg);
	return -1;
}

static void
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

static int serr(struct loader *, const yaml_node_t *, const char *, ...)
    PRINTF_LIKE(3, 4);

/* A message whose subject is the current service: `service "web" ...`. */
static int
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

static int
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

static int
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

static const struct pair *
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
	ps->n++;
}

static void
pairs_free(struct pairs *ps)
{
	free(ps->v);
	ps->v = NULL;
	ps->n = ps->alloc = 0;
}

static int collect(struct loader *, yaml_node_t *, struct pairs *, int);

/* Add the keys of merge source m that out does not have yet. */
static int
merge_from(struct loader *ld, yaml_node_t *m, struct pairs *out, int depth)
{
	struct pairs tmp = { 0 };
	size_t i;

	if (m->type != YAML_MAPPING_NODE)
		return lerr(ld, m, "\"<<\" must be a mapping or a list of "
		    "mappings");
	if (collect(ld, m, &tmp, depth + 1) < 0) {
		pairs_free(&tmp);
		return -1;
	}
	for (i = 0; i < tmp.n; i++) {
		if (pairs_find(out, tmp.v[i].key) == NULL)
			pairs_add(out, tmp.v[i].key, tmp.v[i].knode,
			    tmp.v[i].value);
	}
	pairs_free(&tmp);
	return 0;
}

/*
 * The keys of mapping n in file order with "<<" merges applied: explicit
 * keys win over merged ones, earlier merge sources over later ones.
 */
static int
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
		if (pairs_find(out, sval(k)) != NULL)
			return lerr(ld, k, "duplicate key \"%s\"", sval(k));
		pairs_add(out, sval(k), k, v);
	}
	for (pr = start; pr < top; pr++) {
		yaml_node_t *k = NODE(ld, pr->key), *v = NODE(ld, pr->value);
		yaml_node_item_t *it;

		if (k->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
		    strcmp(sval(k), "<<") != 0)
			continue;
		if (v->type != YAML_SEQUENCE_NODE) {
			if (merge_from(ld, v, out, depth) < 0)
				return -1;
			continue;
		}
		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			if (merge_from(ld, NODE(ld, *it), out, depth) < 0)
				return -1;
		}
	}
	return 0;
}

/* The pairs of mapping n (null: none); key names n in messages. */
static int
get_map(struct loader *ld, yaml_node_t *n, const char *key, struct pairs *out)
{
	out->n = 0;
	if (is_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return lerr(ld, n, "\"%s\" must be a mapping", key);
	return collect(ld, n, out, 0);
}

/*
 * A key no handler took: x-* is ignored, a compose key slipway does not
 * support and an unknown key are errors. prefix is the dotted path shown.
 */
static int
bad_key(struct loader *ld, const struct pair *pr, const char *prefix,
    const char *const *unsupported)
{
	size_t i;

	if (starts_with(pr->key, "x-"))
		return 0;
	for (i = 0; unsupported != NULL && unsupported[i] != NULL; i++) {
		if (strcmp(unsupported[i], pr->key) == 0)
			return lerr(ld, pr->knode, "key \"%s%s%s\" is not "
			    "supported", prefix ? prefix : "",
			    prefix ? "." : "", pr->key);
	}
	return lerr(ld, pr->knode, "unknown key \"%s%s%s\"",
	    prefix ? prefix : "", prefix ? "." : "", pr->key);
}

/* Scalars. */

/* The interpolated text of scalar n (allocated), or NULL for a null. */
static int
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
	for (; seen < ld->unset.n; seen++)
		strv_push_owned(&ld->p->warnings, xasprintf("variable \"%s\" "
		    "is not set, using an empty string", ld->unset.v[seen]));
	*out = s;
	return 0;
}

/* A string; null leaves *dst NULL. */
static int
get_str(struct loader *ld, yaml_node_t *n, const char *key, char **dst)
{
	free(*dst);
	return get_scalar(ld, n, key, "a string", dst);
}

static int
get_str_req(struct loader *ld, yaml_node_t *n, const char *key, char **dst)
{
	if (get_str(ld, n, key, dst) < 0)
		return -1;
	if (*dst == NULL)
		return lerr(ld, n, "\"%s\" must be a string", key);
	return 0;
}

static int
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

static int
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

static int
get_long(struct loader *ld, yaml_node_t *n, const char *key, long lo, long hi,
    long *dst)
{
	long long v;

	if (get_ll(ld, n, key, lo, hi, &v) < 0)
		return -1;
	*dst = (long)v;
	return 0;
}

static int
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

static int
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

static int
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
static int
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
static int
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
		if (get_scalar(ld, item, key, "a string", &s) < 0)
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

/* Shell words, as go-shellwords splits compose's string commands. */
static int
shell_split(const char *line, struct strv *out, const char **why)
{
	struct buf w = BUF_INIT;
	int esc = 0, dq = 0, sq = 0, bq = 0, dollar = 0, got = 0;
	const char *p;

	for (p = line; *p != '\0'; p++) {
		char c = *p;

		if (esc) {
			c = c == 't' ? '\t' : c == 'n' ? '\n' : c;
			buf_addch(&w, c);
			esc = 0;
			got = 1;
			continue;
		}
		if (c == '\\') {
			if (sq)
				buf_addch(&w, c);
			else
				esc = 1;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			if (sq || dq || bq || dollar)
				buf_addch(&w, c);
			else if (got) {
				strv_push_owned(out, buf_detach(&w, NULL));
				got = 0;
			}
			continue;
		}
		switch (c) {
		case '`':
			if (!sq && !dq && !dollar)
				bq = !bq;
			break;
		case ')':
			if (!sq && !dq && !bq) {
				if (!dollar)
					goto syntax;
				dollar = 0;
			}
			break;
		case '(':
			if (!sq && !dq && !bq) {
				if (dollar || w.len == 0 ||
				    w.buf[w.len - 1] != '$')
					goto syntax;
				dollar = 1;
			}
			break;
		case '"':
			if (!sq && !dollar) {
				if (dq)
					got = 1;
				dq = !dq;
				continue;
			}
			break;
		case '\'':
			if (!dq && !dollar) {
				if (sq)
					got = 1;
				sq = !sq;
				continue;
			}
			break;
		case ';': case '&': case '|': case '<': case '>':
			if (!sq && !dq && !bq && !dollar) {
				*why = "an unquoted shell operator (;, &, |, "
				    "<, >) needs a shell: use the list form "
				    "with sh -c";
				goto fail;
			}
			break;
		}
		got = 1;
		buf_addch(&w, c);
	}
	if (esc || sq || dq || bq || dollar) {
		*why = "unterminated quote or escape";
		goto fail;
	}
	if (got)
		strv_push_owned(out, buf_detach(&w, NULL));
	buf_release(&w);
	return 0;
syntax:
	*why = "unbalanced parenthesis";
fail:
	buf_release(&w);
	return -1;
}

/* command / entrypoint: a string (shell words) or a list; null unsets. */
static int
get_command(struct loader *ld, yaml_node_t *n, const char *key,
    struct strv *dst, int *set)
{
	const char *why;
	char *s;
	int rc;

	strv_clear(dst);
	*set = 0;
	if (is_null(n))
		return 0;
	*set = 1;
	if (n->type == YAML_SEQUENCE_NODE)
		return get_list(ld, n, key, 0, dst);
	if (get_scalar(ld, n, key, "a string or a list", &s) < 0)
		return -1;
	rc = shell_split(s, dst, &why);
	if (rc < 0)
		lerr(ld, n, "\"%s\": %s in \"%s\"", key, why, s);
	free(s);
	return rc;
}

/* Ports: docker/go-connections nat.ParsePortSpec, one entry per target. */

static int
port_range(const char *s, unsigned *lo, unsigned *hi)
{
	char *end;
	unsigned long a, b;

	if (*s < '0' || *s > '9')
		return -1;
	a = strtoul(s, &end, 10);
	b = a;
	if (*end == '-') {
		s = end + 1;
		if (*s < '0' || *s > '9')
			return -1;
		b = strtoul(s, &end, 10);
	}
	if (*end != '\0' || a > 65535 || b > 65535 || b < a)
		return -1;
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	return 0;
}

static int
valid_ip(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

static int
valid_proto(const char *s)
{
	return strcmp(s, "tcp") == 0 || strcmp(s, "udp") == 0 ||
	    strcmp(s, "sctp") == 0;
}

static void
add_port(struct compose_service *s, size_t *alloc, const char *ip,
    const char *published, unsigned target, const char *proto)
{
	struct compose_port *pt;

	s->ports = xgrow(s->ports, alloc, s->nports + 1, sizeof *s->ports);
	pt = &s->ports[s->nports++];
	pt->host_ip = ip && *ip ? xstrdup(ip) : NULL;
	pt->published = published && *published ? xstrdup(published) : NULL;
	pt->target = target;
	pt->protocol = xstrdup(proto && *proto ? proto : "tcp");
}

static int
parse_port(struct compose_service *s, size_t *alloc, const char *spec,
    const char **why)
{
	char *str = xstrdup(spec), *ip = NULL, *host = NULL, *ctr, *proto, *c;
	unsigned clo, chi, hlo = 0, hhi = 0, i;
	int rc = -1;

	ctr = strrchr(str, ':');
	if (ctr != NULL) {
		*ctr++ = '\0';
		host = strrchr(str, ':');
		if (host != NULL) {
			*host++ = '\0';
			ip = str;
		} else
			host = str;
	} else
		ctr = str;
	proto = NULL;
	if ((c = strchr(ctr, '/')) != NULL) {
		*c++ = '\0';
		if (*c != '\0')
			proto = c;
	}
	for (c = proto; c != NULL && *c != '\0'; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	if (proto == NULL)
		proto = "tcp";
	if (ip != NULL && *ip == '[') {
		size_t n = strlen(ip);

		if (n < 2 || ip[n - 1] != ']') {
			*why = "invalid IP address";
			goto done;
		}
		ip[n - 1] = '\0';
		ip++;
	}
	if (ip != NULL && *ip != '\0' && !valid_ip(ip)) {
		*why = "invalid IP address";
		goto done;
	}
	if (*ctr == '\0') {
		*why = "no container port";
		goto done;
	}
	if (port_range(ctr, &clo, &chi) < 0) {
		*why = "invalid container port";
		goto done;
	}
	if (host != NULL && *host != '\0' && port_range(host, &hlo, &hhi) < 0) {
		*why = "invalid host port";
		goto done;
	}
	if (host != NULL && *host != '\0' && chi - clo != hhi - hlo &&
	    chi != clo) {
		*why = "host and container port ranges differ in size";
		goto done;
	}
	if (!valid_proto(proto)) {
		*why = "invalid protocol";
		goto done;
	}
	for (i = 0; i <= chi - clo; i++) {
		char *pub = NULL;

		if (host != NULL && *host != '\0') {
			if (clo == chi && hlo != hhi)
				pub = xasprintf("%u-%u", hlo, hhi);
			else
				pub = xasprintf("%u", hlo + i);
		}
		add_port(s, alloc, ip, pub, clo + i, proto);
		free(pub);
	}
	rc = 0;
done:
	free(str);
	return rc;
}

static int
port_long(struct loader *ld, struct compose_service *s, size_t *alloc,
    yaml_node_t *n)
{
	struct pairs ps = { 0 };
	char *ip = NULL, *pub = NULL, *proto = NULL, *mode = NULL, *name = NULL;
	long target = -1;
	unsigned lo, hi;
	size_t i;
	int rc = -1;

	if (collect(ld, n, &ps, 0) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *v = ps.v[i].value;
		int r;

		if (strcmp(k, "target") == 0)
			r = get_long(ld, v, "ports.target", 1, 65535, &target);
		else if (strcmp(k, "published") == 0)
			r = get_str(ld, v, "ports.published", &pub);
		else if (strcmp(k, "host_ip") == 0)
			r = get_str(ld, v, "ports.host_ip", &ip);
		else if (strcmp(k, "protocol") == 0)
			r = get_str(ld, v, "ports.protocol", &proto);
		else if (strcmp(k, "mode") == 0)
			r = get_str(ld, v, "ports.mode", &mode);
		else if (strcmp(k, "name") == 0 ||
		    strcmp(k, "app_protocol") == 0)     /* metadata only */
			r = get_str(ld, v, "ports.name", &name);
		else
			r = bad_key(ld, &ps.v[i], "ports", NULL);
		if (r < 0)
			goto done;
	}
	if (target < 0) {
		lerr(ld, n, "\"ports\": \"target\" is required");
		goto done;
	}
	if (pub != NULL && port_range(pub, &lo, &hi) < 0) {
		lerr(ld, n, "\"ports.published\": invalid port \"%s\"", pub);
		goto done;
	}
	if (ip != NULL && !valid_ip(ip)) {
		lerr(ld, n, "\"ports.host_ip\": invalid IP address \"%s\"", ip);
		goto done;
	}
	if (proto != NULL && !valid_proto(proto)) {
		lerr(ld, n, "\"ports.protocol\": invalid protocol \"%s\"",
		    proto);
		goto done;
	}
	if (mode != NULL && strcmp(mode, "ingress") != 0 &&
	    strcmp(mode, "host") != 0) {
		lerr(ld, n, "\"ports.mode\": invalid mode \"%s\"", mode);
		goto done;
	}
	add_port(s, alloc, ip, pub, (unsigned)target, proto);
	rc = 0;
done:
	free(ip);
	free(pub);
	free(proto);
	free(mode);
	free(name);
	pairs_free(&ps);
	return rc;
}

/* Service keys. */

typedef int (*svc_fn)(struct loader *, struct svc *, yaml_node_t *,
    const char *);

static int
svc_build(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	static const char *const unsupported[] = {
		"ssh", "cache_from", "cache_to", "labels", "network",
		"shm_size", "extra_hosts", "isolation", "privileged", "secrets",
		"tags",
		"platforms", "dockerfile_inline", "additional_contexts",
		"no_cache", "pull", "ulimits", "entitlements", "provenance",
		"sbom", NULL
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
			else
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
	b->context = resolve_path(ld->p->dir, ctx);
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

static int
svc_environment(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	return get_kv(ld, n, key, 0, &sv->env);
}

static int
add_env_file(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *path, int required)
{
	char *abs;

	if (*path == '~')
		return lerr(ld, n, "\"env_file\": home-relative path \"%s\" "
		    "is not supported", path);
	abs = resolve_path(ld->p->dir, path);
	if (!required)
		strv_push(&sv->optional_env, abs);
	strv_push_owned(&sv->env_files, abs);
	return 0;
}

static int
svc_env_file(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	yaml_node_item_t *it;
	struct pairs ps = { 0 };
	char *path = NULL;
	int rc = -1;

	if (n->type == YAML_SCALAR_NODE) {
		if (get_str_req(ld, n, key, &path) < 0)
			return -1;
		rc = add_env_file(ld, sv, n, path, 1);
		free(path);
		return rc;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return lerr(ld, n, "\"%s\" must be a string or a list", key);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		yaml_node_t *item = NODE(ld, *it);
		int required = 1;
		size_t i;

		if (spend(ld, item) < 0)
			goto done;
		if (item->type == YAML_MAPPING_NODE) {
			if (collect(ld, item, &ps, 0) < 0)
				goto done;
			for (i = 0; i < ps.n; i++) {
				static const char *const unsupported[] = {
					"format", NULL
				};
				const char *k = ps.v[i].key;
				int r;

				if (strcmp(k, "path") == 0)
					r = get_str_req(ld, ps.v[i].value,
					    "env_file.path", &path);
				else if (strcmp(k, "required") == 0)
					r = get_bool(ld, ps.v[i].value,
					    "env_file.required", &required);
				else
					r = bad_key(ld, &ps.v[i], "env_file",
					    unsupported);
				if (r < 0)
					goto done;
			}
			ps.n = 0;
			if (path == NULL) {
				lerr(ld, item, "\"env_file\": \"path\" is "
				    "required");
				goto done;
			}
		} else if (get_str_req(ld, item, key, &path) < 0)
			goto done;
		if (add_env_file(ld, sv, item, path, required) < 0)
			goto done;
		free(path);
		path = NULL;
	}
	rc = 0;
done:
	free(path);
	pairs_free(&ps);
	return rc;
}

static int
svc_ports(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	size_t alloc = sv->s->nports;
	yaml_node_item_t *it;

	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return lerr(ld, n, "\"%s\" must be a list", key);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		yaml_node_t *item = NODE(ld, *it);
		const char *why;
		char *s;
		int r;

		if (spend(ld, item) < 0)
			return -1;
		if (item->type == YAML_MAPPING_NODE) {
			if (port_long(ld, sv->s, &alloc, item) < 0)
				return -1;
			continue;
		}
		if (get_scalar(ld, item, key, "a string or a mapping", &s) < 0)
			return -1;
		if (s == NULL)
			return lerr(ld, item, "\"%s\" entries must not be "
			    "null", key);
		r = parse_port(sv->s, &alloc, s, &why);
		if (r < 0)
			lerr(ld, item, "\"%s\": invalid port \"%s\": %s", key,
			    s, why);
		free(s);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int
svc_expose(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	struct strv *e = &sv->s->expose;
	size_t i = e->n;
	yaml_node_item_t *it;

	if (get_list(ld, n, key, 0, e) < 0)
		return -1;
	it = n->type == YAML_SEQUENCE_NODE ? n->data.sequence.items.start :
	    NULL;
	for (; i < e->n; i++, it++) {
		char *port = xstrdup(e->v[i]), *proto = strchr(port, '/');
		unsigned lo, hi;
		int bad;

		if (proto != NULL)
			*proto++ = '\0';
		bad = port_range(port, &lo, &hi) < 0 ||
		    (proto != NULL && !valid_proto(proto));
		free(port);
		if (bad)
			return lerr(ld, NODE(ld, *it), "\"%s\": invalid port "
			    "\"%s\"", key, e->v[i]);
	}
	return 0;
}

static const char *const propagations[] = {
	"rprivate", "private", "rshared", "shared", "rslave", "slave", NULL
};

static int
in_list(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++) {
		if (strcmp(list[i], s) == 0)
			return 1;
	}
	return 0;
}

static struct compose_mount *
add_mount(struct compose_service *s, size_t *alloc)
{
	struct compose_mount *m;

	s->mounts = xgrow(s->mounts, alloc, s->nmounts + 1, sizeof *s->mounts);
	m = &s->mounts[s->nmounts++];
	memset(m, 0, sizeof *m);
	m->bind_create_host_path = 1;
	return m;
}

/* Check a mount's source and target once its syntax is read. */
static int
finish_mount(struct loader *ld, yaml_node_t *n, struct compose_mount *m)
{
	char *t;

	if (m->target == NULL || *m->target != '/')
		return lerr(ld, n, "\"volumes\": target \"%s\" is not an "
		    "absolute path", m->target ? m->target : "");
	t = compose_path_clean(m->target);
	free(m->target);
	m->target = t;
	if (m->type == MOUNT_VOLUME && m->source != NULL &&
	    compose_volume(ld->p, m->source) == NULL)
		return serr(ld, n, "refers to undefined volume \"%s\"",
		    m->source);
	if (m->type == MOUNT_BIND) {
		char *abs;

		if (m->source == NULL || *m->source == '\0')
			return lerr(ld, n, "\"volumes\": a bind mount needs a "
			    "source");
		if (*m->source == '~')
			return lerr(ld, n, "\"volumes\": home-relative bind "
			    "\"%s\" is not supported", m->source);
		abs = resolve_path(ld->p->dir, m->source);
		free(m->source);
		m->source = abs;
	}
	if (m->type != MOUNT_BIND && m->bind_propagation != NULL)
		return lerr(ld, n, "\"volumes\": propagation \"%s\" applies to "
		    "bind mounts only", m->bind_propagation);
	if (m->type != MOUNT_VOLUME && m->nocopy)
		return lerr(ld, n, "\"volumes\": nocopy applies to volumes "
		    "only");
	return 0;
}

/* "src:dst:opts", "dst" (anonymous): compose-go format/volume.go. */
static int
volume_short(struct loader *ld, struct compose_service *s, size_t *alloc,
    yaml_node_t *n, const char *spec)
{
	struct compose_mount *m = add_mount(s, alloc);
	char *parts[3] = { NULL, NULL, NULL }, *copy, *p, *opt, *save;
	size_t np = 0;
	int rc = -1;

	if (*spec == '\0')
		return lerr(ld, n, "\"volumes\": empty volume");
	copy = xstrdup(spec);
	for (p = copy;;) {
		char *c = strchr(p, ':');

		if (np == 3) {
			lerr(ld, n, "\"volumes\": too many colons in \"%s\"",
			    spec);
			goto done;
		}
		if (c != NULL)
			*c = '\0';
		if (*p == '\0') {
			lerr(ld, n, "\"volumes\": empty section between "
			    "colons in \"%s\"", spec);
			goto done;
		}
		parts[np++] = p;
		if (c == NULL)
			break;
		p = c + 1;
	}
	if (np == 1) {
		m->type = MOUNT_VOLUME;
		m->target = xstrdup(parts[0]);
	} else {
		m->source = xstrdup(parts[0]);
		m->target = xstrdup(parts[1]);
		m->type = strchr("./~", *parts[0]) != NULL ? MOUNT_BIND :
		    MOUNT_VOLUME;
	}
	for (opt = np == 3 ? strtok_r(parts[2], ",", &save) : NULL; opt != NULL;
	    opt = strtok_r(NULL, ",", &save)) {
		if (strcmp(opt, "ro") == 0)
			m->read_only = 1;
		else if (strcmp(opt, "rw") == 0)
			m->read_only = 0;
		else if (strcmp(opt, "nocopy") == 0)
			m->nocopy = 1;
		else if (strcmp(opt, "z") == 0 || strcmp(opt, "Z") == 0) {
			free(m->bind_selinux);
			m->bind_selinux = xstrdup(opt);
		} else if (in_list(propagations, opt)) {
			free(m->bind_propagation);
			m->bind_propagation = xstrdup(opt);
		} else {
			lerr(ld, n, "\"volumes\": unknown option \"%s\" in "
			    "\"%s\"", opt, spec);
			goto done;
		}
	}
	rc = finish_mount(ld, n, m);
done:
	free(copy);
	return rc;
}

/* The volume:, bind: or tmpfs: options of a long-syntax mount. */
static int
mount_options(struct loader *ld, struct compose_mount *m, const char *kind,
    yaml_node_t *n)
{
	static const char *const volume_unsupported[] = {
		"subpath", "labels", NULL
	};
	struct pairs ps = { 0 };
	char *path = xasprintf("volumes.%s", kind), *mode = NULL, *end;
	size_t i;
	int rc = -1;

	if (get_map(ld, n, path, &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *v = ps.v[i].value;
		int r, vol = strcmp(kind, "volume") == 0;
		int bind = strcmp(kind, "bind") == 0;
		int tmpfs = strcmp(kind, "tmpfs") == 0;

		if (vol && strcmp(k, "nocopy") == 0)
			r = get_bool(ld, v, "volumes.volume.nocopy",
			    &m->nocopy);
		else if (bind && strcmp(k, "propagation") == 0)
			r = get_str(ld, v, "volumes.bind.propagation",
			    &m->bind_propagation);
		else if (bind && strcmp(k, "create_host_path") == 0)
			r = get_bool(ld, v, "volumes.bind.create_host_path",
			    &m->bind_create_host_path);
		else if (bind && strcmp(k, "selinux") == 0)
			r = get_str(ld, v, "volumes.bind.selinux",
			    &m->bind_selinux);
		else if (tmpfs && strcmp(k, "size") == 0)
			r = get_bytes(ld, v, "volumes.tmpfs.size",
			    &m->tmpfs_size);
		else if (tmpfs && strcmp(k, "mode") == 0) {
			r = get_str_req(ld, v, "volumes.tmpfs.mode", &mode);
			if (r == 0)
				m->tmpfs_mode = strtol(mode, &end, 8);
			if (r == 0 && (*mode == '\0' || *end != '\0' ||
			    m->tmpfs_mode < 0 || m->tmpfs_mode > 07777))
				r = lerr(ld, v, "\"volumes.tmpfs.mode\": "
				    "invalid mode \"%s\"", mode);
		} else
			r = bad_key(ld, &ps.v[i], path,
			    vol ? volume_unsupported : NULL);
		if (r < 0)
			goto done;
	}
	rc = 0;
done:
	free(mode);
	free(path);
	pairs_free(&ps);
	return rc;
}

/* Check what the long syntax said once all its keys are read. */
static int
finish_long_mount(struct loader *ld, yaml_node_t *n, struct compose_mount *m,
    const char *type)
{
	if (type == NULL)
		return lerr(ld, n, "\"volumes\": \"type\" is required");
	if (strcmp(type, "volume") == 0)
		m->type = MOUNT_VOLUME;
	else if (strcmp(type, "bind") == 0)
		m->type = MOUNT_BIND;
	else if (strcmp(type, "tmpfs") == 0)
		m->type = MOUNT_TMPFS;
	else
		return lerr(ld, n, "\"volumes\": type \"%s\" is not supported",
		    type);
	/* A bind option: long-syntax volumes and tmpfs do not carry it. */
	if (m->type != MOUNT_BIND)
		m->bind_create_host_path = 0;
	if (m->bind_propagation != NULL &&
	    !in_list(propagations, m->bind_propagation))
		return lerr(ld, n, "\"volumes.bind.propagation\": invalid "
		    "value \"%s\"", m->bind_propagation);
	if (m->bind_selinux != NULL && strcmp(m->bind_selinux, "z") != 0 &&
	    strcmp(m->bind_selinux, "Z") != 0)
		return lerr(ld, n, "\"volumes.bind.selinux\": invalid value "
		    "\"%s\"", m->bind_selinux);
	if (m->type == MOUNT_TMPFS && m->source != NULL)
		return lerr(ld, n, "\"volumes\": a tmpfs mount has no source");
	if (m->type == MOUNT_VOLUME && m->source != NULL &&
	    *m->source == '\0') {
		free(m->source);
		m->source = NULL;
	}
	return finish_mount(ld, n, m);
}

static int
volume_long(struct loader *ld, struct compose_service *s, size_t *alloc,
    yaml_node_t *n)
{
	struct compose_mount *m = add_mount(s, alloc);
	struct pairs ps = { 0 };
	char *type = NULL, *ignored = NULL;
	size_t i;
	int rc = -1;

	m->long_syntax = 1;
	if (collect(ld, n, &ps, 0) < 0)
		goto done;
	/* create_host_path stays 1 unless bind: says otherwise: compose-go
	 * defaults it to true in a bind: mapping, and compose v2 binds through
	 * the Bind API (which creates the path) when there is no mapping. */
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *v = ps.v[i].value;
		int r;

		if (strcmp(k, "type") == 0)
			r = get_str_req(ld, v, "volumes.type", &type);
		else if (strcmp(k, "source") == 0)
			r = get_str(ld, v, "volumes.source", &m->source);
		else if (strcmp(k, "target") == 0)
			r = get_str_req(ld, v, "volumes.target", &m->target);
		else if (strcmp(k, "read_only") == 0)
			r = get_bool(ld, v, "volumes.read_only", &m->read_only);
		else if (strcmp(k, "consistency") == 0)  /* macOS only */
			r = get_str(ld, v, "volumes.consistency", &ignored);
		else if (strcmp(k, "volume") == 0 || strcmp(k, "bind") == 0 ||
		    strcmp(k, "tmpfs") == 0)
			r = mount_options(ld, m, k, v);
		else
			r = bad_key(ld, &ps.v[i], "volumes", NULL);
		if (r < 0)
			goto done;
	}
	rc = finish_long_mount(ld, n, m, type);
done:
	free(type);
	free(ignored);
	pairs_free(&ps);
	return rc;
}

static int
svc_volumes(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	size_t alloc = sv->s->nmounts;
	yaml_node_item_t *it;

	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return lerr(ld, n, "\"%s\" must be a list", key);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		yaml_node_t *item = NODE(ld, *it);
		char *s;
		int r;

		if (spend(ld, item) < 0)
			return -1;
		if (item->type == YAML_MAPPING_NODE) {
			if (volume_long(ld, sv->s, &alloc, item) < 0)
				return -1;
			continue;
		}
		if (get_scalar(ld, item, key, "a string or a mapping", &s) < 0)
			return -1;
		r = volume_short(ld, sv->s, &alloc, item, s ? s : "");
		free(s);
		if (r < 0)
			return -1;
	}
	return 0;
}

static int
cmp_network(const void *a, const void *b)
{
	const struct compose_service_network *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority > y->priority ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* aliases, ipv4_address and priority of one of the service's networks. */
static int
network_options(struct loader *ld, struct compose_service_network *sn,
    yaml_node_t *n)
{
	static const char *const unsupported[] = {
		"ipv6_address", "link_local_ips", "mac_address", "driver_opts",
		"gw_priority", "interface_name", NULL
	};
	struct pairs ps = { 0 };
	size_t i;
	long prio = 0;
	int rc = -1;

	if (get_map(ld, n, "networks", &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *v = ps.v[i].value;
		int r;

		if (strcmp(k, "aliases") == 0)
			r = get_list(ld, v, "networks.aliases", 0,
			    &sn->aliases);
		else if (strcmp(k, "ipv4_address") == 0) {
			r = get_str(ld, v, "networks.ipv4_address",
			    &sn->ipv4_address);
			if (r == 0 && sn->ipv4_address != NULL &&
			    !valid_ip(sn->ipv4_address))
				r = lerr(ld, v, "\"networks.ipv4_address\": "
				    "invalid address \"%s\"", sn->ipv4_address);
		} else if (strcmp(k, "priority") == 0) {
			r = get_long(ld, v, "networks.priority", INT_MIN,
			    INT_MAX, &prio);
			sn->priority = (int)prio;
		} else
			r = bad_key(ld, &ps.v[i], "networks", unsupported);
		if (r < 0)
			goto done;
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

static int
svc_networks(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	struct compose_service *s = sv->s;
	struct pairs ps = { 0 };
	struct strv names = STRV_INIT;
	yaml_node_t **at = NULL;
	size_t i, j, alloc = 0;
	int rc = -1;

	s->networks_set = 1;
	if (n->type == YAML_SEQUENCE_NODE) {
		if (get_list(ld, n, key, 0, &names) < 0)
			goto done;
		at = xcalloc(names.n, sizeof *at);
		for (i = 0; i < names.n; i++)
			at[i] = NODE(ld, n->data.sequence.items.start[i]);
	} else {
		if (get_map(ld, n, key, &ps) < 0)
			goto done;
		at = xcalloc(ps.n, sizeof *at);
		for (i = 0; i < ps.n; i++) {
			strv_push(&names, ps.v[i].key);
			at[i] = ps.v[i].knode;
		}
	}
	for (i = 0; i < names.n; i++) {
		struct compose_service_network *sn;

		for (j = 0; j < s->nnetworks; j++) {
			if (strcmp(s->networks[j].name, names.v[i]) == 0) {
				lerr(ld, at[i], "\"%s\": network \"%s\" is "
				    "listed twice", key, names.v[i]);
				goto done;
			}
		}
		if (strcmp(names.v[i], "default") != 0 &&
		    compose_network(ld->p, names.v[i]) == NULL) {
			serr(ld, at[i], "refers to undefined network \"%s\"",
			    names.v[i]);
			goto done;
		}
		s->networks = xgrow(s->networks, &alloc, s->nnetworks + 1,
		    sizeof *s->networks);
		sn = &s->networks[s->nnetworks++];
		memset(sn, 0, sizeof *sn);
		sn->name = xstrdup(names.v[i]);
		/* ps is empty for the list form */
		if (ps.n > 0 && network_options(ld, sn, ps.v[i].value) < 0)
			goto done;
	}
	qsort(s->networks, s->nnetworks, sizeof *s->networks, cmp_network);
	rc = 0;
done:
	free(at);
	strv_clear(&names);
	pairs_free(&ps);
	return rc;
}

static int
known_service(struct loader *ld, const char *name)
{
	return pairs_find(&ld->services, name) != NULL;
}

static struct compose_depends *
add_depends(struct compose_service *s, size_t *alloc, const char *name)
{
	struct compose_depends *d;

	s->depends = xgrow(s->depends, alloc, s->ndepends + 1,
	    sizeof *s->depends);
	d = &s->depends[s->ndepends++];
	d->service = xstrdup(name);
	d->condition = COND_STARTED;
	d->required = 1;
	d->restart = 0;
	return d;
}

static int
get_condition(struct loader *ld, yaml_node_t *n, enum compose_condition *dst)
{
	static const struct {
		const char *name;
		enum compose_condition cond;
	} conds[] = {
		{ "service_started", COND_STARTED },
		{ "service_healthy", COND_HEALTHY },
		{ "service_completed_successfully", COND_COMPLETED },
	};
	char *c = NULL;
	size_t i;
	int rc = -1;

	if (get_str_req(ld, n, "depends_on.condition", &c) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(conds); i++) {
		if (strcmp(c, conds[i].name) == 0) {
			*dst = conds[i].cond;
			rc = 0;
		}
	}
	if (rc < 0)
		lerr(ld, n, "\"depends_on.condition\": unknown condition "
		    "\"%s\"", c);
	free(c);
	return rc;
}

/* condition, required and restart of one dependency (long syntax). */
static int
depends_options(struct loader *ld, struct compose_depends *d, const char *key,
    yaml_node_t *n)
{
	struct pairs ps = { 0 };
	size_t i;
	int rc = -1;

	if (n->type != YAML_MAPPING_NODE)
		return lerr(ld, n, "\"%s.%s\" must be a mapping", key,
		    d->service);
	if (get_map(ld, n, key, &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *v = ps.v[i].value;
		int r;

		if (strcmp(k, "condition") == 0)
			r = get_condition(ld, v, &d->condition);
		else if (strcmp(k, "required") == 0)
			r = get_bool(ld, v, "depends_on.required",
			    &d->required);
		else if (strcmp(k, "restart") == 0)
			r = get_bool(ld, v, "depends_on.restart", &d->restart);
		else
			r = bad_key(ld, &ps.v[i], "depends_on", NULL);
		if (r < 0)
			goto done;
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

static int
svc_depends_on(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	struct compose_service *s = sv->s;
	struct pairs ps = { 0 };
	struct strv names = STRV_INIT;
	size_t i, alloc = s->ndepends;
	int rc = -1;

	if (n->type == YAML_SEQUENCE_NODE) {
		if (get_list(ld, n, key, 0, &names) < 0)
			goto done;
		for (i = 0; i < names.n; i++) {
			yaml_node_t *item = NODE(ld,
			    n->data.sequence.items.start[i]);

			if (!known_service(ld, names.v[i])) {
				serr(ld, item, "depends on undefined service "
				    "\"%s\"", names.v[i]);
				goto done;
			}
			add_depends(s, &alloc, names.v[i]);
		}
		rc = 0;
		goto done;
	}
	if (get_map(ld, n, key, &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		struct compose_depends *d = add_depends(s, &alloc, ps.v[i].key);

		if (depends_options(ld, d, key, ps.v[i].value) < 0)
			goto done;
		if (d->required && !known_service(ld, d->service)) {
			serr(ld, ps.v[i].knode, "depends on undefined service "
			    "\"%s\"", d->service);
			goto done;
		}
	}
	rc = 0;
done:
	strv_clear(&names);
	pairs_free(&ps);
	return rc;
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

static int
svc_extra_hosts(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	struct strv *dst = &sv->s->extra_hosts;
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
			else if (strchr(dst->v[i], ':') == NULL) {
				lerr(ld, n, "\"%s\": \"%s\" is not host:ip",
				    key, dst->v[i]);
				goto done;
			}
		}
	}
	rc = 0;
done:
	strv_clear(&tmp);
	pairs_free(&ps);
	return rc;
}

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

static int
svc_deploy(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	static const char *const unsupported[] = {
		"mode", "endpoint_mode", "labels", "placement",
		"restart_policy", "rollback_config", "update_config", NULL
	};
	struct pairs ps = { 0 }, res = { 0 };
	size_t i, j;
	int rc = -1;

	if (get_map(ld, n, key, &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		yaml_node_t *v = ps.v[i].value;
		int r;

		if (strcmp(ps.v[i].key, "replicas") == 0)
			r = get_long(ld, v, "deploy.replicas", 0, 1000,
			    &sv->replicas);
		else if (strcmp(ps.v[i].key, "resources") == 0) {
			r = get_map(ld, v, "deploy.resources", &res);
			for (j = 0; r == 0 && j < res.n; j++)
				r = deploy_resource(ld, sv, &res.v[j]);
		} else
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

static int
svc_scale(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	return get_long(ld, n, key, 0, 1000, &sv->scale);
}

static int
svc_cpus(struct loader *ld, struct svc *sv, yaml_node_t *n, const char *key)
{
	return get_double(ld, n, key, &sv->s->cpus);
}

static int
svc_pids_limit(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	return get_ll(ld, n, key, -1, LLONG_MAX, &sv->s->pids_limit);
}

static int
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

static int
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

static int
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

static int
valid_host(const char *h)
{
	const char *p = h;

	if (starts_with(p, "*."))
		p += 2;
	if (*p == '\0' || *p == '.' || *p == '-' || strlen(h) > 253)
		return 0;
	for (; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return 0;
	}
	return 1;
}

static int
valid_http_path(const char *s)
{
	const char *p;

	if (*s != '/')
		return 0;
	for (p = s; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._~%-?=&+,:@!", *p)))
			return 0;
	}
	return 1;
}

/* x-slipway.http: port, hosts, healthcheck. */
static int
slipway_http(struct loader *ld, struct compose_http *h, yaml_node_t *n)
{
	struct pairs ps = { 0 };
	size_t i, j;
	long port = 0;
	int rc = -1;

	h->set = 1;
	if (get_map(ld, n, "x-slipway.http", &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *v = ps.v[i].value;
		size_t first = h->hosts.n;
		int r;

		if (strcmp(k, "port") == 0) {
			r = get_long(ld, v, "x-slipway.http.port", 1, 65535,
			    &port);
			h->port = (unsigned)port;
		} else if (strcmp(k, "hosts") == 0) {
			r = get_list(ld, v, "x-slipway.http.hosts", 1,
			    &h->hosts);
			for (j = first; r == 0 && j < h->hosts.n; j++) {
				if (!valid_host(h->hosts.v[j]))
					r = lerr(ld, v, "\"x-slipway.http.hosts"
					    "\": invalid host name \"%s\"",
					    h->hosts.v[j]);
			}
		} else if (strcmp(k, "healthcheck") == 0) {
			r = get_str(ld, v, "x-slipway.http.healthcheck",
			    &h->healthcheck);
			if (r == 0 && h->healthcheck != NULL &&
			    !valid_http_path(h->healthcheck))
				r = lerr(ld, v, "\"x-slipway.http.healthcheck"
				    "\": invalid path \"%s\"", h->healthcheck);
		} else
			r = bad_key(ld, &ps.v[i], "x-slipway.http", NULL);
		if (r < 0)
			goto done;
	}
	if (h->port == 0) {
		lerr(ld, n, "\"x-slipway.http\": \"port\" is required");
		goto done;
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

/* x-slipway: release, http. */
static int
svc_x_slipway(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	struct pairs ps = { 0 };
	size_t i;
	int rc = -1;

	if (get_map(ld, n, key, &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		yaml_node_t *v = ps.v[i].value;
		int r;

		if (strcmp(ps.v[i].key, "release") == 0)
			r = get_str(ld, v, "x-slipway.release",
			    &sv->s->release);
		else if (strcmp(ps.v[i].key, "http") == 0)
			r = slipway_http(ld, &sv->s->http, v);
		else
			r = lerr(ld, ps.v[i].knode, "unknown key "
			    "\"x-slipway.%s\"", ps.v[i].key);
		if (r < 0)
			goto done;
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
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
	FIELD("container_name", F_STR, container_name),
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
	HANDLER("healthcheck", svc_healthcheck),
	FIELD("hostname", F_STR, hostname),
	FIELD("image", F_STR, image),
	FIELD("init", F_TRI, init),
	FIELD("ipc", F_STR, ipc),
	FIELD("labels", F_KV, labels),
	HANDLER("logging", svc_logging),
	FIELD("mem_limit", F_BYTES, mem_limit),
	FIELD("mem_reservation", F_BYTES, mem_reservation),
	FIELD("network_mode", F_STR, network_mode),
	HANDLER("networks", svc_networks),
	FIELD("pid", F_STR, pid),
	HANDLER("pids_limit", svc_pids_limit),
	FIELD("platform", F_STR, platform),
	HANDLER("ports", svc_ports),
	FIELD("privileged", F_BOOL, privileged),
	FIELD("profiles", F_LIST, profiles),
	FIELD("pull_policy", F_STR, pull_policy),
	FIELD("read_only", F_BOOL, read_only),
	HANDLER("restart", svc_restart),
	HANDLER("scale", svc_scale),
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
	FIELD("working_dir", F_STR, working_dir),
	HANDLER("x-slipway", svc_x_slipway),
};

/* Compose keys slipway knows and refuses, rather than calling unknown. */
static const char *const service_unsupported[] = {
	"annotations", "attach", "blkio_config", "cgroup", "cgroup_parent",
	"configs", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota",
	"cpu_rt_period", "cpu_rt_runtime", "cpu_shares", "cpuset",
	"credential_spec", "develop", "device_cgroup_rules", "extends",
	"external_links", "gpus", "group_add", "isolation", "label_file",
	"links", "mac_address", "memswap_limit", "mem_swappiness", "models",
	"oom_kill_disable", "oom_score_adj", "post_start", "pre_stop",
	"provider", "runtime", "secrets", "storage_opt", "use_api_socket",
	"uts", "volumes_from", NULL
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

/* path relative to the project directory when it is inside (allocated). */
static char *
shown_path(struct loader *ld, const char *path)
{
	const char *dir = ld->p->dir;

	if (!compose_path_within(path, dir) || strcmp(path, dir) == 0)
		return xstrdup(path);
	return xstrdup(path + strlen(dir) + (strcmp(dir, "/") != 0));
}

/*
 * Read one env file into the service's environment. Only files inside the
 * release are read, symlinks followed: an error quoting a line of a host
 * file would hand it to the pusher.
 */
static int
read_env_file(struct loader *ld, struct svc *sv, const char *path)
{
	struct compose_service *s = sv->s;
	struct buf b = BUF_INIT;
	char *name = shown_path(ld, path), *real = NULL;
	struct stat st;
	int rc = -1;

	if (!compose_path_within(path, ld->p->dir)) {
		lerr(ld, sv->knode, "env file \"%s\" is outside the release",
		    name);
		goto done;
	}
	real = compose_path_resolve(path);
	if (!compose_path_within(real, ld->p->dir)) {
		lerr(ld, sv->knode, "env file \"%s\" is outside the release",
		    name);
		goto done;
	}
	if (stat(real, &st) < 0) {
		if (errno == ENOENT && strv_contains(&sv->optional_env, path))
			rc = 0;
		else
			lerr(ld, sv->knode, "env file \"%s\": %s", name,
			    errno == ENOENT ? "not found" : strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		lerr(ld, sv->knode, "env file \"%s\" is not a file", name);
		goto done;
	}
	if (read_file(real, &b, ENVFILE_MAX_SIZE) < 0) {
		lerr(ld, sv->knode, "%s", error_last());
		goto done;
	}
	if (dotenv_parse(b.buf, b.len, name, &ld->vars, &s->environment) < 0) {
		lerr(ld, sv->knode, "env_file: %s", error_last());
		goto done;
	}
	rc = 0;
done:
	buf_release(&b);
	free(real);
	free(name);
	return rc;
}

/* The environment: env_file entries in order, then environment over them. */
static int
resolve_environment(struct loader *ld, struct svc *sv)
{
	struct compose_service *s = sv->s;
	size_t i;

	for (i = 0; i < sv->env_files.n; i++) {
		if (read_env_file(ld, sv, sv->env_files.v[i]) < 0)
			return -1;
	}
	for (i = 0; i < sv->env.n; i++) {
		const struct kv *kv = &sv->env.v[i];

		if (kv->value == NULL)
			kv = kvlist_find(&ld->vars, kv->key);
		if (kv != NULL && kv->value != NULL)
			kvlist_set(&s->environment, sv->env.v[i].key,
			    kv->value);
	}
	return 0;
}

/* network_mode, pid, ipc "service:x": x must exist and starts first. */
static int
mode_depends(struct loader *ld, struct svc *sv, const char *key,
    const char *mode)
{
	struct compose_service *s = sv->s;
	const char *dep;
	size_t i, alloc = s->ndepends;

	if (mode == NULL || !starts_with(mode, "service:"))
		return 0;
	dep = mode + strlen("service:");
	if (!known_service(ld, dep))
		return lerr(ld, sv->knode, "\"%s\" refers to undefined service "
		    "\"%s\"", key, dep);
	for (i = 0; i < s->ndepends; i++) {
		if (strcmp(s->depends[i].service, dep) == 0)
			return 0;
	}
	add_depends(s, &alloc, dep);
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

static int
load_service(struct loader *ld, const struct pair *pr,
    struct compose_service *s)
{
	struct svc sv = { 0 };
	struct pairs ps = { 0 };
	size_t i, j;
	int rc = -1;

	s->name = xstrdup(pr->key);
	s->line = (int)pr->knode->start_mark.line + 1;
	s->init = -1;
	s->stop_grace_period = -1;
	s->replicas = 1;
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
	if (collect(ld, pr->value, &ps, 0) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		for (j = 0; j < ARRAY_SIZE(service_fields); j++) {
			if (strcmp(service_fields[j].key, ps.v[i].key) == 0)
				break;
		}
		if (j < ARRAY_SIZE(service_fields)) {
			if (apply_field(ld, &sv, &service_fields[j],
			    ps.v[i].value) < 0)
				goto done;
		} else if (bad_key(ld, &ps.v[i], NULL, service_unsupported) < 0)
			goto done;
	}
	rc = finish_service(ld, &sv);
done:
	set_where(ld, NULL, NULL);
	ld->service = NULL;
	kvlist_clear(&sv.env);
	strv_clear(&sv.env_files);
	strv_clear(&sv.optional_env);
	pairs_free(&ps);
	return rc;
}

/* Top-level volumes and networks. */

static char *
engine_name(struct loader *ld, const char *key, char *name, int external)
{
	if (name != NULL)
		return name;
	if (external)
		return xstrdup(key);
	return xasprintf("%s_%s", ld->p->name, key);
}

/* compose-go: a local bind device is relative to the project directory. */
static void
absolute_bind_device(struct loader *ld, struct compose_volume *v)
{
	const struct kv *o = kvlist_find(&v->driver_opts, "o");
	const struct kv *dev = kvlist_find(&v->driver_opts, "device");
	char *abs;

	if (o == NULL || o->value == NULL || strcmp(o->value, "bind") != 0 ||
	    dev == NULL || dev->value == NULL || *dev->value == '/' ||
	    (v->driver != NULL && strcmp(v->driver, "local") != 0))
		return;
	abs = resolve_path(ld->p->dir, dev->value);
	kvlist_set(&v->driver_opts, "device", abs);
	free(abs);
}

static int
load_volume(struct loader *ld, const struct pair *pr, struct compose_volume *v)
{
	struct pairs ps = { 0 };
	char *name = NULL;
	size_t i;
	int rc = -1;

	v->key = xstrdup(pr->key);
	set_where(ld, "volume", v->key);
	if (get_map(ld, pr->value, "volume", &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *n = ps.v[i].value;
		int r;

		if (strcmp(k, "driver") == 0)
			r = get_str(ld, n, "driver", &v->driver);
		else if (strcmp(k, "driver_opts") == 0)
			r = get_kv(ld, n, "driver_opts", 1, &v->driver_opts);
		else if (strcmp(k, "external") == 0)
			r = get_bool(ld, n, "external", &v->external);
		else if (strcmp(k, "name") == 0)
			r = get_str(ld, n, "name", &name);
		else if (strcmp(k, "labels") == 0)
			r = get_kv(ld, n, "labels", 1, &v->labels);
		else
			r = bad_key(ld, &ps.v[i], NULL, NULL);
		if (r < 0)
			goto done;
	}
	v->name = engine_name(ld, v->key, name, v->external);
	name = NULL;
	absolute_bind_device(ld, v);
	rc = 0;
done:
	set_where(ld, NULL, NULL);
	free(name);
	pairs_free(&ps);
	return rc;
}

static int
load_volumes(struct loader *ld, yaml_node_t *n)
{
	struct compose_project *p = ld->p;
	struct pairs ps = { 0 };
	size_t i;
	int rc = -1;

	if (get_map(ld, n, "volumes", &ps) < 0)
		goto done;
	p->volumes = xcalloc(ps.n, sizeof *p->volumes);
	for (i = 0; i < ps.n; i++) {
		if (load_volume(ld, &ps.v[i], &p->volumes[p->nvolumes++]) < 0)
			goto done;
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

static int
load_network(struct loader *ld, const struct pair *pr,
    struct compose_network *nw)
{
	static const char *const unsupported[] = {
		"ipam", "enable_ipv4", NULL
	};
	struct pairs ps = { 0 };
	char *name = NULL;
	size_t i;
	int rc = -1;

	nw->key = xstrdup(pr->key);
	set_where(ld, "network", nw->key);
	if (get_map(ld, pr->value, "network", &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *n = ps.v[i].value;
		int r;

		if (strcmp(k, "driver") == 0)
			r = get_str(ld, n, "driver", &nw->driver);
		else if (strcmp(k, "driver_opts") == 0)
			r = get_kv(ld, n, "driver_opts", 1, &nw->driver_opts);
		else if (strcmp(k, "external") == 0)
			r = get_bool(ld, n, "external", &nw->external);
		else if (strcmp(k, "name") == 0)
			r = get_str(ld, n, "name", &name);
		else if (strcmp(k, "internal") == 0)
			r = get_bool(ld, n, "internal", &nw->internal);
		else if (strcmp(k, "attachable") == 0)
			r = get_bool(ld, n, "attachable", &nw->attachable);
		else if (strcmp(k, "enable_ipv6") == 0)
			r = get_bool(ld, n, "enable_ipv6", &nw->enable_ipv6);
		else if (strcmp(k, "labels") == 0)
			r = get_kv(ld, n, "labels", 1, &nw->labels);
		else
			r = bad_key(ld, &ps.v[i], NULL, unsupported);
		if (r < 0)
			goto done;
	}
	nw->name = engine_name(ld, nw->key, name, nw->external);
	name = NULL;
	rc = 0;
done:
	set_where(ld, NULL, NULL);
	free(name);
	pairs_free(&ps);
	return rc;
}

/* Room is left for a "default" network settle_default_network() may add. */
static int
load_networks(struct loader *ld, yaml_node_t *n)
{
	struct compose_project *p = ld->p;
	struct pairs ps = { 0 };
	size_t i;
	int rc = -1;

	if (get_map(ld, n, "networks", &ps) < 0)
		goto done;
	p->networks = xcalloc(ps.n + 1, sizeof *p->networks);
	for (i = 0; i < ps.n; i++) {
		if (load_network(ld, &ps.v[i],
		    &p->networks[p->nnetworks++]) < 0)
			goto done;
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

static void
free_network(struct compose_network *n)
{
	free(n->key);
	free(n->name);
	free(n->driver);
	kvlist_clear(&n->driver_opts);
	kvlist_clear(&n->labels);
}

/* "default" is in p->networks exactly when an active service uses it. */
static void
settle_default_network(struct compose_project *p)
{
	size_t i, j;
	int used = 0;

	for (i = 0; i < p->nservices && !used; i++) {
		const struct compose_service *s = &p->services[i];

		if (!compose_service_active(s))
			continue;
		if (!s->networks_set && s->network_mode == NULL)
			used = 1;
		for (j = 0; j < s->nnetworks; j++) {
			if (strcmp(s->networks[j].name, "default") == 0)
				used = 1;
		}
	}
	for (i = 0; i < p->nnetworks; i++) {
		if (strcmp(p->networks[i].key, "default") == 0)
			break;
	}
	if (used && i == p->nnetworks) {
		struct compose_network *nw = &p->networks[p->nnetworks++];

		memset(nw, 0, sizeof *nw);
		nw->key = xstrdup("default");
		nw->name = xasprintf("%s_default", p->name);
	} else if (!used && i < p->nnetworks) {
		free_network(&p->networks[i]);
		memmove(&p->networks[i], &p->networks[i + 1],
		    (p->nnetworks - i - 1) * sizeof *p->networks);
		p->nnetworks--;
	}
}

/* dir/.env into ld->vars, then the app's vars over it. */
static int
load_dotenv(struct loader *ld, const struct kvlist *vars)
{
	char *path = path_join(ld->p->dir, ".env"), *real = NULL;
	struct buf b = BUF_INIT;
	struct stat st;
	size_t i;
	int rc = -1;

	if (lstat(path, &st) == 0) {
		real = realpath(path, NULL);
		if (real == NULL || !compose_path_within(real, ld->p->dir)) {
			error_set(".env: points outside the project directory");
			goto done;
		}
		if (stat(real, &st) < 0 || !S_ISREG(st.st_mode)) {
			error_set(".env: not a file");
			goto done;
		}
		if (read_file(real, &b, ENVFILE_MAX_SIZE) < 0)
			goto done;
		if (dotenv_parse(b.buf, b.len, ".env", vars, &ld->vars) < 0)
			goto done;
	}
	for (i = 0; vars != NULL && i < vars->n; i++) {
		if (vars->v[i].value != NULL)
			kvlist_set(&ld->vars, vars->v[i].key, vars->v[i].value);
	}
	rc = 0;
done:
	buf_release(&b);
	free(real);
	free(path);
	return rc;
}

static int
load_top(struct loader *ld, const char *name)
{
	static const char *const unsupported[] = {
		"secrets", "configs", "include", "models", NULL
	};
	struct compose_project *p = ld->p;
	yaml_node_t *root = yaml_document_get_root_node(&ld->doc);
	const struct pair *services, *volumes, *networks, *pn;
	struct pairs top = { 0 };
	char *fname = NULL;
	size_t i;
	int rc = -1;

	if (root == NULL || is_null(root)) {
		lerr(ld, NULL, "empty compose file");
		goto done;
	}
	if (root->type != YAML_MAPPING_NODE) {
		lerr(ld, root, "the compose file must be a mapping");
		goto done;
	}
	if (collect(ld, root, &top, 0) < 0)
		goto done;
	for (i = 0; i < top.n; i++) {
		const char *k = top.v[i].key;

		if (strcmp(k, "version") == 0 || strcmp(k, "name") == 0 ||
		    strcmp(k, "services") == 0 || strcmp(k, "volumes") == 0 ||
		    strcmp(k, "networks") == 0)
			continue;
		if (bad_key(ld, &top.v[i], NULL, unsupported) < 0)
			goto done;
	}
	if ((pn = pairs_find(&top, "name")) != NULL) {
		if (get_str(ld, pn->value, "name", &fname) < 0)
			goto done;
		if (fname != NULL && strcmp(fname, name) != 0)
			strv_push_owned(&p->warnings, xasprintf("%s: project "
			    "name \"%s\" is ignored: the app is \"%s\"",
			    ld->file, fname, name));
	}
	if ((volumes = pairs_find(&top, "volumes")) != NULL &&
	    load_volumes(ld, volumes->value) < 0)
		goto done;
	if ((networks = pairs_find(&top, "networks")) != NULL &&
	    load_networks(ld, networks->value) < 0)
		goto done;
	if (p->networks == NULL)
		p->networks = xcalloc(1, sizeof *p->networks);
	services = pairs_find(&top, "services");
	if (services == NULL || is_null(services->value)) {
		lerr(ld, services ? services->knode : NULL,
		    "no services defined");
		goto done;
	}
	if (get_map(ld, services->value, "services", &ld->services) < 0)
		goto done;
	p->services = xcalloc(ld->services.n, sizeof *p->services);
	for (i = 0; i < ld->services.n; i++) {
		p->nservices++;
		if (load_service(ld, &ld->services.v[i], &p->services[i]) < 0)
			goto done;
	}
	settle_default_network(p);
	rc = 0;
done:
	free(fname);
	pairs_free(&top);
	return rc;
}

static int
load(struct compose_project **out, const char *text, size_t len,
    const char *display, const char *file, const char *dir, const char *name,
    const struct kvlist *vars)
{
	struct loader ld = { 0 };
	struct compose_project *p;
	yaml_parser_t parser;
	yaml_document_t extra;
	int parser_ok = 0, have_doc = 0, rc = -1;
	size_t *order = NULL;

	*out = NULL;
	p = xcalloc(1, sizeof *p);
	p->name = xstrdup(name);
	p->dir = absolute_dir(dir);
	p->file = *file == '/' ? compose_path_clean(file) :
	    resolve_path(p->dir, file);
	ld.p = p;
	ld.file = display;
	ld.where = "";
	if (len > COMPOSE_MAX_SIZE) {
		lerr(&ld, NULL, "larger than %d bytes", COMPOSE_MAX_SIZE);
		goto done;
	}
	if (memchr(text, '\0', len) != NULL) {
		lerr(&ld, NULL, "not a text file");
		goto done;
	}
	if (load_dotenv(&ld, vars) < 0)
		goto done;
	if (!yaml_parser_initialize(&parser)) {
		lerr(&ld, NULL, "cannot initialise the yaml parser");
		goto done;
	}
	parser_ok = 1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &ld.doc)) {
		error_set("%s:%lu: yaml syntax error: %s", display,
		    (unsigned long)parser.problem_mark.line + 1,
		    parser.problem ? parser.problem : "unknown");
		goto done;
	}
	have_doc = 1;
	if (yaml_document_get_root_node(&ld.doc) != NULL) {
		if (!yaml_parser_load(&parser, &extra)) {
			error_set("%s:%lu: yaml syntax error: %s", display,
			    (unsigned long)parser.problem_mark.line + 1,
			    parser.problem ? parser.problem : "unknown");
			goto done;
		}
		if (yaml_document_get_root_node(&extra) != NULL) {
			lerr(&ld, yaml_document_get_root_node(&extra),
			    "more than one yaml document");
			yaml_document_delete(&extra);
			goto done;
		}
		yaml_document_delete(&extra);
	}
	if (load_top(&ld, name) < 0)
		goto done;
	order = xcalloc(p->nservices + 1, sizeof *order);
	if (compose_order(p, order) < 0) {
		lerr(&ld, NULL, "%s", error_last());
		goto done;
	}
	*out = p;
	p = NULL;
	rc = 0;
done:
	free(order);
	if (have_doc)
		yaml_document_delete(&ld.doc);
	if (parser_ok)
		yaml_parser_delete(&parser);
	kvlist_clear(&ld.vars);
	strv_clear(&ld.unset);
	pairs_free(&ld.services);
	free(ld.wherebuf);
	compose_free(p);
	return rc;
}

int
compose_load_string(struct compose_project **out, const char *text,
    size_t len, const char *filename, const char *dir, const char *name,
    const struct kvlist *vars)
{
	const char *base = strrchr(filename, '/');

	return load(out, text, len, base ? base + 1 : filename, filename, dir,
	    name, vars);
}

int
compose_load(struct compose_project **out, const char *path, const char *dir,
    const char *name, const struct kvlist *vars)
{
	struct buf b = BUF_INIT;
	const char *base = strrchr(path, '/');
	char *abs;
	int rc;

	*out = NULL;
	if (read_file(path, &b, COMPOSE_MAX_SIZE) < 0)
		return -1;
	abs = absolute_dir(path);
	rc = load(out, b.buf, b.len, base ? base + 1 : path, abs, dir, name,
	    vars);
	free(abs);
	buf_release(&b);
	return rc;
}

char *
compose_find(const char *dir)
{
	char *real = realpath(dir, NULL), *path = NULL, *target;
	size_t i;

	if (real == NULL) {
		error_set("cannot resolve \"%s\": %s", dir, strerror(errno));
		return NULL;
	}
	for (i = 0; compose_file_names[i] != NULL; i++) {
		path = path_join(real, compose_file_names[i]);
		if (path_exists(path))
			break;
		free(path);
		path = NULL;
	}
	if (path == NULL)
		error_set("no compose file in \"%s\" (compose.yaml, "
		    "compose.yml, docker-compose.yaml or docker-compose.yml)",
		    dir);
	else if ((target = realpath(path, NULL)) == NULL ||
	    !compose_path_within(target, real)) {
		error_set("\"%s\" points outside the project directory",
		    compose_file_names[i]);
		free(path);
		path = NULL;
		free(target);
	} else
		free(target);
	free(real);
	return path;
}

static void
free_service(struct compose_service *s)
{
	size_t i;

	free(s->name);
	free(s->image);
	if (s->build != NULL) {
		free(s->build->context);
		free(s->build->dockerfile);
		kvlist_clear(&s->build->args);
		free(s->build->target);
		free(s->build);
	}
	strv_clear(&s->command);
	strv_clear(&s->entrypoint);
	kvlist_clear(&s->environment);
	for (i = 0; i < s->nports; i++) {
		free(s->ports[i].host_ip);
		free(s->ports[i].published);
		free(s->ports[i].protocol);
	}
	free(s->ports);
	strv_clear(&s->expose);
	for (i = 0; i < s->nmounts; i++) {
		free(s->mounts[i].source);
		free(s->mounts[i].target);
		free(s->mounts[i].bind_propagation);
		free(s->mounts[i].bind_selinux);
	}
	free(s->mounts);
	for (i = 0; i < s->nnetworks; i++) {
		free(s->networks[i].name);
		strv_clear(&s->networks[i].aliases);
		free(s->networks[i].ipv4_address);
	}
	free(s->networks);
	for (i = 0; i < s->ndepends; i++)
		free(s->depends[i].service);
	free(s->depends);
	strv_clear(&s->healthcheck.test);
	free(s->restart);
	kvlist_clear(&s->labels);
	free(s->working_dir);
	free(s->user);
	free(s->hostname);
	free(s->domainname);
	strv_clear(&s->extra_hosts);
	free(s->stop_signal);
	strv_clear(&s->tmpfs);
	strv_clear(&s->cap_add);
	strv_clear(&s->cap_drop);
	free(s->logging_driver);
	kvlist_clear(&s->logging_options);
	for (i = 0; i < s->nulimits; i++)
		free(s->ulimits[i].name);
	free(s->ulimits);
	kvlist_clear(&s->sysctls);
	strv_clear(&s->dns);
	strv_clear(&s->dns_search);
	strv_clear(&s->dns_opt);
	free(s->container_name);
	strv_clear(&s->profiles);
	strv_clear(&s->devices);
	free(s->network_mode);
	free(s->pid);
	free(s->ipc);
	free(s->userns_mode);
	strv_clear(&s->security_opt);
	free(s->platform);
	free(s->pull_policy);
	free(s->release);
	strv_clear(&s->http.hosts);
	free(s->http.healthcheck);
}

void
compose_free(struct compose_project *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nservices; i++)
		free_service(&p->services[i]);
	free(p->services);
	for (i = 0; i < p->nvolumes; i++) {
		free(p->volumes[i].key);
		free(p->volumes[i].name);
		free(p->volumes[i].driver);
		kvlist_clear(&p->volumes[i].driver_opts);
		kvlist_clear(&p->volumes[i].labels);
	}
	free(p->volumes);
	for (i = 0; i < p->nnetworks; i++)
		free_network(&p->networks[i]);
	free(p->networks);
	strv_clear(&p->warnings);
	free(p->name);
	free(p->dir);
	free(p->file);
	free(p);
}

const struct compose_service *
compose_service(const struct compose_project *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nservices; i++) {
		if (strcmp(p->services[i].name, name) == 0)
			return &p->services[i];
	}
	return NULL;
}

const struct compose_volume *
compose_volume(const struct compose_project *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->nvolumes; i++) {
		if (strcmp(p->volumes[i].key, key) == 0)
			return &p->volumes[i];
	}
	return NULL;
}

const struct compose_network *
compose_network(const struct compose_project *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->nnetworks; i++) {
		if (strcmp(p->networks[i].key, key) == 0)
			return &p->networks[i];
	}
	return NULL;
}

int
compose_service_active(const struct compose_service *s)
{
	return s->profiles.n == 0;
}

/* Index of the service a dependency names when it orders anything, else -1. */
static ssize_t
dep_index(const struct compose_project *p, const struct compose_depends *d)
{
	const struct compose_service *t = compose_service(p, d->service);

	if (t == NULL || !compose_service_active(t))
		return -1;
	return t - p->services;
}

/* Every required dependency of an active service is there and active. */
static int
check_depends(const struct compose_project *p)
{
	size_t i, j;

	for (i = 0; i < p->nservices; i++) {
		const struct compose_service *s = &p->services[i];

		for (j = 0; compose_service_active(s) && j < s->ndepends; j++) {
			const struct compose_depends *d = &s->depends[j];
			const struct compose_service *t;

			t = compose_service(p, d->service);
			if (!d->required ||
			    (t != NULL && compose_service_active(t)))
				continue;
			if (t == NULL)
				return error_set("service \"%s\" depends on "
				    "undefined service \"%s\"", s->name,
				    d->service);
			return error_set("service \"%s\" depends on service "
			    "\"%s\", which is not enabled (profiles)", s->name,
			    d->service);
		}
	}
	return 0;
}

/* The first active service not placed yet whose dependencies are; or -1. */
static ssize_t
next_ready(const struct compose_project *p, const unsigned char *placed)
{
	size_t i, j;

	for (i = 0; i < p->nservices; i++) {
		const struct compose_service *s = &p->services[i];

		if (placed[i] || !compose_service_active(s))
			continue;
		for (j = 0; j < s->ndepends; j++) {
			ssize_t t = dep_index(p, &s->depends[j]);

			if (t >= 0 && !placed[t])
				break;
		}
		if (j == s->ndepends)
			return (ssize_t)i;
	}
	return -1;
}

/*
 * Every active service left waits on another one left: walk from the first
 * along unplaced dependencies until a service comes back; report that loop.
 */
static int
cycle_error(const struct compose_project *p, const unsigned char *placed)
{
	size_t *path = xcalloc(p->nservices + 1, sizeof *path);
	unsigned char *seen = xcalloc(p->nservices + 1, 1);
	struct buf b = BUF_INIT;
	size_t i = 0, j, k, len = 0;

	while (placed[i] || !compose_service_active(&p->services[i]))
		i++;
	while (!seen[i]) {
		const struct compose_service *s = &p->services[i];

		seen[i] = 1;
		path[len++] = i;
		for (j = 0; j < s->ndepends; j++) {
			ssize_t t = dep_index(p, &s->depends[j]);

			if (t >= 0 && !placed[t]) {
				i = (size_t)t;
				break;
			}
		}
	}
	for (k = 0; path[k] != i; k++)
		;
	for (; k < len; k++)
		buf_addf(&b, "%s -> ", p->services[path[k]].name);
	buf_adds(&b, p->services[i].name);
	error_set("dependency cycle: %s", b.buf);
	buf_release(&b);
	free(path);
	free(seen);
	return -1;
}

int
compose_order(const struct compose_project *p, size_t *order)
{
	unsigned char *placed;
	size_t i, n = 0, active = 0;
	ssize_t next;
	int rc;

	if (check_depends(p) < 0)
		return -1;
	for (i = 0; i < p->nservices; i++)
		active += compose_service_active(&p->services[i]) != 0;
	placed = xcalloc(p->nservices + 1, 1);
	while (n < active && (next = next_ready(p, placed)) >= 0) {
		placed[next] = 1;
		order[n++] = (size_t)next;
	}
	rc = n < active ? cycle_error(p, placed) : (int)n;
	free(placed);
	return rc;
}
