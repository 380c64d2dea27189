/*
 * files.c - secrets and configs: the top-level objects (a file inside the
 * release, an environment variable, or inline content) and the services'
 * uses of them. As with docker compose outside swarm, a file is
 * bind-mounted read-only and a value is copied into the container; secrets
 * land in /run/secrets/<name>, configs in /<name>.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compose/loader.h"

#define FILEOBJ_MAX_SIZE (1 << 20)

static const char *
kind(int configs)
{
	return configs ? "config" : "secret";
}

/* The file of an object: inside the release, symlinks followed, a file. */
static int
fileobj_file(struct loader *ld, yaml_node_t *n, int configs,
    struct compose_fileobj *o, const char *path)
{
	char *abs = resolve_path(ld->base, path);
	char *real = NULL;
	struct stat st;
	int rc = -1;

	if (compose_path_within(abs, ld->root) && compose_need(abs) < 0) {
		lerr(ld, n, "file \"%s\": %s", path, error_last());
		goto done;
	}
	real = compose_path_resolve(abs);
	if (!compose_path_within(abs, ld->root) ||
	    !compose_path_within(real, ld->root)) {
		lerr(ld, n, "file \"%s\" is outside the release", path);
		goto done;
	}
	if (stat(real, &st) < 0 || !S_ISREG(st.st_mode)) {
		lerr(ld, n, "file \"%s\" %s", path,
		    errno == ENOENT ? "not found" : "is not a file");
		goto done;
	}
	o->file = real;
	real = NULL;
	rc = 0;
done:
	free(real);
	free(abs);
	return rc;
}

static int
load_fileobj(struct loader *ld, const struct pair *pr, int configs,
    struct compose_fileobj *o)
{
	struct pairs ps = { 0 };
	char *file = NULL, *var = NULL;
	const struct kv *kv;
	int external = 0, sources = 0, rc = -1;
	size_t i;

	o->key = xstrdup(pr->key);
	set_where(ld, kind(configs), o->key);
	if (get_map(ld, pr->value, kind(configs), &ps) < 0)
		goto done;
	for (i = 0; i < ps.n; i++) {
		const char *k = ps.v[i].key;
		yaml_node_t *n = ps.v[i].value;
		int r;

		if (strcmp(k, "file") == 0)
			r = get_str_req(ld, n, "file", &file), sources++;
		else if (strcmp(k, "environment") == 0)
			r = get_str_req(ld, n, "environment", &var), sources++;
		else if (configs && strcmp(k, "content") == 0)
			r = get_str_req(ld, n, "content", &o->content),
			    sources++;
		else if (strcmp(k, "external") == 0)
			r = n->type == YAML_MAPPING_NODE ? (external = 1, 0) :
			    get_bool(ld, n, "external", &external);
		else if (strcmp(k, "name") == 0 || strcmp(k, "labels") == 0)
			r = spend(ld, n);   /* swarm's object name and labels */
		else if (strcmp(k, "driver") == 0 ||
		    strcmp(k, "template_driver") == 0 ||
		    strcmp(k, "driver_opts") == 0)
			r = lerr(ld, ps.v[i].knode, "\"%s\" needs swarm, which "
			    "slipway does not use", k);
		else
			r = bad_key(ld, &ps.v[i], NULL, NULL);
		if (r < 0)
			goto done;
	}
	if (external) {
		lerr(ld, pr->knode, "external %ss live in swarm, which "
		    "slipway does not use", kind(configs));
		goto done;
	}
	if (sources != 1) {
		lerr(ld, pr->knode, "needs exactly one of \"file\", "
		    "\"environment\"%s", configs ? " or \"content\"" : "");
		goto done;
	}
	if (file != NULL && fileobj_file(ld, pr->knode, configs, o, file) < 0)
		goto done;
	if (var != NULL) {
		if ((kv = kvlist_find(&ld->vars, var)) == NULL ||
		    kv->value == NULL) {
			lerr(ld, pr->knode, "variable \"%s\" is not set", var);
			goto done;
		}
		o->content = xstrdup(kv->value);
	}
	if (o->content != NULL && strlen(o->content) > FILEOBJ_MAX_SIZE) {
		lerr(ld, pr->knode, "larger than %d bytes", FILEOBJ_MAX_SIZE);
		goto done;
	}
	rc = 0;
done:
	set_where(ld, NULL, NULL);
	free(file);
	free(var);
	pairs_free(&ps);
	return rc;
}

int
load_fileobjs(struct loader *ld, yaml_node_t *n, int configs)
{
	struct compose_project *p = ld->p;
	struct compose_fileobj **v = configs ? &p->configs : &p->secrets;
	size_t *count = configs ? &p->nconfigs : &p->nsecrets;
	struct pairs ps = { 0 };
	size_t i;
	int rc = -1;

	if (get_map(ld, n, configs ? "configs" : "secrets", &ps) < 0)
		goto done;
	*v = xcalloc(ps.n + 1, sizeof **v);
	for (i = 0; i < ps.n; i++) {
		if (load_fileobj(ld, &ps.v[i], configs, &(*v)[(*count)++]) < 0)
			goto done;
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

/* mode: an octal string ("0440") or a number (YAML 0440 is octal too). */
static int
get_mode(struct loader *ld, yaml_node_t *n, const char *key, long *dst)
{
	char *s = NULL, *end;
	long v;

	if (get_str_req(ld, n, key, &s) < 0)
		return -1;
	errno = 0;
	v = strtol(s, &end, s[0] == '0' && s[1] != '\0' &&
	    s[1] != 'x' ? 8 : 0);
	if (errno != 0 || *end != '\0' || end == s || v < 0 || v > 07777) {
		free(s);
		return lerr(ld, n, "\"%s\" must be a file mode such as 0440",
		    key);
	}
	free(s);
	*dst = v;
	return 0;
}

static int
load_fileref(struct loader *ld, yaml_node_t *item, int configs,
    struct compose_fileref *r)
{
	const char *key = configs ? "configs" : "secrets";
	struct pairs ps = { 0 };
	size_t i;
	int rc = -1;

	r->mode = -1;
	if (item->type == YAML_SCALAR_NODE)
		rc = get_str_req(ld, item, key, &r->source);
	else if (item->type == YAML_MAPPING_NODE) {
		if (collect(ld, item, &ps, 0) < 0)
			goto done;
		for (i = 0; i < ps.n; i++) {
			const char *k = ps.v[i].key;
			yaml_node_t *v = ps.v[i].value;
			int e;

			if (strcmp(k, "source") == 0)
				e = get_str_req(ld, v, "source", &r->source);
			else if (strcmp(k, "target") == 0)
				e = get_str_req(ld, v, "target", &r->target);
			else if (strcmp(k, "uid") == 0)
				e = get_str_req(ld, v, "uid", &r->uid);
			else if (strcmp(k, "gid") == 0)
				e = get_str_req(ld, v, "gid", &r->gid);
			else if (strcmp(k, "mode") == 0)
				e = get_mode(ld, v, "mode", &r->mode);
			else
				e = bad_key(ld, &ps.v[i], key, NULL);
			if (e < 0)
				goto done;
		}
		if (r->source == NULL) {
			lerr(ld, item, "\"%s\": \"source\" is required", key);
			goto done;
		}
		rc = 0;
	} else
		rc = lerr(ld, item, "\"%s\" entries must be names or mappings",
		    key);
	if (rc < 0)
		goto done;
	rc = -1;
	if (compose_fileobj(ld->p, configs, r->source) == NULL) {
		lerr(ld, item, "%s \"%s\" is not defined at the top level",
		    kind(configs), r->source);
		goto done;
	}
	/* compose: secrets under /run/secrets, configs under /. */
	if (r->target == NULL)
		r->target = configs ? xasprintf("/%s", r->source) :
		    xasprintf("/run/secrets/%s", r->source);
	else if (r->target[0] != '/') {
		char *t = configs ? xasprintf("/%s", r->target) :
		    xasprintf("/run/secrets/%s", r->target);

		free(r->target);
		r->target = t;
	}
	rc = 0;
done:
	pairs_free(&ps);
	return rc;
}

static int
svc_filerefs(struct loader *ld, struct svc *sv, yaml_node_t *n, int configs)
{
	struct compose_service *s = sv->s;
	struct compose_fileref **v = configs ? &s->configs : &s->secrets;
	size_t *count = configs ? &s->nconfigs : &s->nsecrets;
	yaml_node_item_t *it;
	size_t len;

	if (n->type != YAML_SEQUENCE_NODE)
		return lerr(ld, n, "\"%s\" must be a list",
		    configs ? "configs" : "secrets");
	len = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	free_filerefs(*v, *count);
	*v = xcalloc(len + 1, sizeof **v);
	*count = 0;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		yaml_node_t *item = NODE(ld, *it);

		if (spend(ld, item) < 0 ||
		    load_fileref(ld, item, configs, &(*v)[(*count)++]) < 0)
			return -1;
	}
	return 0;
}

int
svc_secrets(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	return svc_filerefs(ld, sv, n, 0);
}

int
svc_configs(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key)
{
	return svc_filerefs(ld, sv, n, 1);
}

void
free_fileobjs(struct compose_fileobj *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(o[i].key);
		free(o[i].file);
		free(o[i].content);
	}
	free(o);
}

void
free_filerefs(struct compose_fileref *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].source);
		free(r[i].target);
		free(r[i].uid);
		free(r[i].gid);
	}
	free(r);
}

const struct compose_fileobj *
compose_fileobj(const struct compose_project *p, int configs, const char *key)
{
	const struct compose_fileobj *v = configs ? p->configs : p->secrets;
	size_t i, n = configs ? p->nconfigs : p->nsecrets;

	for (i = 0; i < n; i++) {
		if (strcmp(v[i].key, key) == 0)
			return &v[i];
	}
	return NULL;
}
