/*
 * include.c - compose files other than the one deployed: include (each
 * file loaded as a project of its own, then its services, volumes,
 * networks, secrets and configs merged in, a name defined twice refused)
 * and the files extends.file names (their nodes copied into the loader's
 * document so that their services merge like the file's own). Every file
 * is read through read_compose_file() and must be inside the release,
 * symlinks followed, as binds must.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compose/loader.h"

#define INCLUDE_MAX_DEPTH 16
#define EXTFILES_MAX 16

/*
 * path (relative to dir) resolved, symlinks followed, inside the release
 * and a regular file; what names it in messages. Allocated, or NULL.
 */
static char *
release_file(struct loader *ld, const yaml_node_t *at, const char *what,
    const char *dir, const char *path)
{
	char *abs = resolve_path(dir, path), *real = NULL;
	struct stat st;

	if (*path == '~') {
		lerr(ld, at, "%s \"%s\": home-relative paths are not "
		    "supported", what, path);
		goto fail;
	}
	/* the release holds what the loader asks for (compose_need) */
	if (compose_path_within(abs, ld->root) && compose_need(abs) < 0) {
		lerr(ld, at, "%s \"%s\": %s", what, path, error_last());
		goto fail;
	}
	real = compose_path_resolve(abs);
	if (!compose_path_within(abs, ld->root) ||
	    !compose_path_within(real, ld->root)) {
		lerr(ld, at, "%s \"%s\" is outside the release", what, path);
		goto fail;
	}
	if (stat(real, &st) < 0 || !S_ISREG(st.st_mode)) {
		lerr(ld, at, "%s \"%s\" %s", what, path, errno == ENOENT ?
		    "not found" : "is not a file");
		goto fail;
	}
	free(abs);
	return real;
fail:
	free(abs);
	free(real);
	return NULL;
}

/* A string or a list of strings, each resolved against dir (if any). */
static int
path_list(struct loader *ld, yaml_node_t *n, const char *key, const char *dir,
    struct strv *out)
{
	struct strv v = STRV_INIT;
	size_t i;

	if (get_list(ld, n, key, 1, &v) < 0)
		return -1;
	for (i = 0; i < v.n; i++)
		strv_push_owned(out, dir != NULL ? resolve_path(dir, v.v[i]) :
		    xstrdup(v.v[i]));
	strv_clear(&v);
	return 0;
}

/* One entry of include: a path, or {path, project_directory, env_file}. */
static int
load_include(struct loader *ld, yaml_node_t *item, struct included *inc)
{
	struct pairs ps = { 0 };
	struct strv paths = STRV_INIT, env_files = STRV_INIT;
	char *projdir = NULL, *dir = NULL, *file = NULL;
	int have_env = 0, rc = -1;
	size_t i;

	if (item->type == YAML_SCALAR_NODE) {
		if (path_list(ld, item, "include", NULL, &paths) < 0)
			goto done;
	} else if (item->type == YAML_MAPPING_NODE) {
		if (collect(ld, item, &ps, 0) < 0)
			goto done;
		for (i = 0; i < ps.n; i++) {
			const char *k = ps.v[i].key;
			yaml_node_t *v = ps.v[i].value;
			int r;

			if (strcmp(k, "path") == 0)
				r = path_list(ld, v, "include.path", NULL,
				    &paths);
			else if (strcmp(k, "project_directory") == 0)
				r = get_str_req(ld, v,
				    "include.project_directory", &projdir);
			else if (strcmp(k, "env_file") == 0)
				r = path_list(ld, v, "include.env_file",
				    ld->base, &env_files), have_env = 1;
			else
				r = bad_key(ld, &ps.v[i], "include", NULL);
			if (r < 0)
				goto done;
		}
	} else {
		lerr(ld, item, "\"include\" entries must be paths or mappings");
		goto done;
	}
	if (paths.n == 0) {
		lerr(ld, item, "\"include\": \"path\" is required");
		goto done;
	}
	if (paths.n > 1) {
		lerr(ld, item, "\"include\": several files in one entry are "
		    "merged by compose, which slipway does not do: include "
		    "them one by one");
		goto done;
	}
	if ((file = release_file(ld, item, "include", ld->base,
	    paths.v[0])) == NULL)
		goto done;
	inc->display = release_path(ld, file);
	inc->line = (int)item->start_mark.line + 1;
	for (i = 0; i < ld->chain->n; i++) {
		if (strcmp(ld->chain->v[i], file) == 0) {
			struct buf b = BUF_INIT;
			size_t j;

			for (j = i; j < ld->chain->n; j++) {
				char *r = release_path(ld, ld->chain->v[j]);

				buf_addf(&b, "%s -> ", r);
				free(r);
			}
			buf_adds(&b, inc->display);
			lerr(ld, item, "include cycle: %s", b.buf);
			buf_release(&b);
			goto done;
		}
	}
	if (ld->chain->n >= INCLUDE_MAX_DEPTH) {
		lerr(ld, item, "includes nested deeper than %d files",
		    INCLUDE_MAX_DEPTH);
		goto done;
	}
	if (projdir != NULL) {
		char *abs = resolve_path(ld->base, projdir);

		if (compose_path_within(abs, ld->root) &&
		    compose_need(abs) < 0) {
			lerr(ld, item, "\"include.project_directory\": \"%s\": "
			    "%s", projdir, error_last());
			free(abs);
			goto done;
		}
		dir = compose_path_resolve(abs);
		free(abs);
		if (!compose_path_within(dir, ld->root) || !is_dir(dir)) {
			lerr(ld, item, "\"include.project_directory\": \"%s\" "
			    "%s", projdir, compose_path_within(dir, ld->root) ?
			    "is not a directory" : "is outside the release");
			goto done;
		}
	} else {
		char *slash;

		dir = xstrdup(file);
		slash = strrchr(dir, '/');
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	if (load_included(ld, item, file, dir, have_env ? &env_files : NULL,
	    &inc->p) < 0)
		goto done;
	rc = 0;
done:
	free(file);
	free(dir);
	free(projdir);
	strv_clear(&paths);
	strv_clear(&env_files);
	pairs_free(&ps);
	return rc;
}

int
load_includes(struct loader *ld, yaml_node_t *n, struct included **inc,
    size_t *ninc)
{
	yaml_node_item_t *it;
	size_t len, i;

	*inc = NULL;
	*ninc = 0;
	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return lerr(ld, n, "\"include\" must be a list");
	len = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	*inc = xcalloc(len + 1, sizeof **inc);
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	    it++) {
		yaml_node_t *item = NODE(ld, *it);

		if (spend(ld, item) < 0 ||
		    load_include(ld, item, &(*inc)[(*ninc)++]) < 0)
			return -1;
		for (i = 0; i < (*inc)[*ninc - 1].p->nservices; i++)
			strv_push(&ld->imported,
			    (*inc)[*ninc - 1].p->services[i].name);
	}
	return 0;
}

static int
conflict(struct loader *ld, const struct included *inc, const char *kind,
    const char *key)
{
	return error_set("%s:%d: %s.%s conflicts with imported resource "
	    "(include \"%s\")", ld->file, inc->line, kind, key, inc->display);
}

int
merge_included(struct loader *ld, struct included *inc, size_t ninc,
    enum include_what what)
{
	struct compose_project *p = ld->p;
	size_t i, j;

	for (i = 0; i < ninc; i++) {
		struct compose_project *s = inc[i].p;

		switch (what) {
		case INCLUDE_VOLUMES:
			for (j = 0; j < s->nvolumes; j++) {
				if (compose_volume(p, s->volumes[j].key) != NULL)
					return conflict(ld, &inc[i], "volumes",
					    s->volumes[j].key);
				p->volumes = xrealloc(p->volumes,
				    (p->nvolumes + 1) * sizeof *p->volumes);
				p->volumes[p->nvolumes++] = s->volumes[j];
				memset(&s->volumes[j], 0, sizeof s->volumes[j]);
			}
			break;
		case INCLUDE_NETWORKS:
			for (j = 0; j < s->nnetworks; j++) {
				const char *k = s->networks[j].key;

				if (compose_network(p, k) != NULL) {
					if (strcmp(k, "default") == 0)
						continue;
					return conflict(ld, &inc[i], "networks",
					    k);
				}
				p->networks = xrealloc(p->networks,
				    (p->nnetworks + 2) * sizeof *p->networks);
				p->networks[p->nnetworks++] = s->networks[j];
				memset(&s->networks[j], 0, sizeof s->networks[j]);
			}
			break;
		case INCLUDE_SECRETS:
		case INCLUDE_CONFIGS: {
			int configs = what == INCLUDE_CONFIGS;
			struct compose_fileobj **v = configs ? &p->configs :
			    &p->secrets, *sv = configs ? s->configs :
			    s->secrets;
			size_t *n = configs ? &p->nconfigs : &p->nsecrets;
			size_t sn = configs ? s->nconfigs : s->nsecrets;

			for (j = 0; j < sn; j++) {
				if (compose_fileobj(p, configs, sv[j].key) !=
				    NULL)
					return conflict(ld, &inc[i], configs ?
					    "configs" : "secrets", sv[j].key);
				*v = xrealloc(*v, (*n + 2) * sizeof **v);
				(*v)[(*n)++] = sv[j];
				memset(&sv[j], 0, sizeof sv[j]);
			}
			break;
		}
		case INCLUDE_SERVICES:
			/* load_top made room for every imported service */
			for (j = 0; j < s->nservices; j++) {
				if (compose_service(p, s->services[j].name) !=
				    NULL)
					return conflict(ld, &inc[i], "services",
					    s->services[j].name);
				p->services[p->nservices++] = s->services[j];
				memset(&s->services[j], 0,
				    sizeof s->services[j]);
			}
			s->nservices = 0;
			break;
		}
		for (j = 0; j < s->warnings.n; j++)
			if (what == INCLUDE_SERVICES)
				strv_push(&p->warnings, s->warnings.v[j]);
	}
	return 0;
}

void
free_included(struct included *inc, size_t ninc)
{
	size_t i;

	for (i = 0; i < ninc; i++) {
		compose_free(inc[i].p);
		free(inc[i].display);
	}
	free(inc);
}

/* The node of key in mapping node idx (plain keys, no merges), or 0. */
static int
map_get(struct loader *ld, int idx, const char *key)
{
	yaml_node_t *n = NODE(ld, idx);
	yaml_node_pair_t *pr;

	if (n == NULL || n->type != YAML_MAPPING_NODE)
		return 0;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
	    pr++) {
		yaml_node_t *k = NODE(ld, pr->key);

		if (k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return pr->value;
	}
	return 0;
}

/* Copy every node of src into ld->doc (indexes shift by what is there). */
static int
copy_nodes(struct loader *ld, yaml_document_t *src, int *first, int *last)
{
	int off = (int)(ld->doc.nodes.top - ld->doc.nodes.start);
	int n = (int)(src->nodes.top - src->nodes.start), i, id;

	for (i = 0; i < n; i++) {
		yaml_node_t *s = &src->nodes.start[i], *d;

		if (s->type == YAML_SCALAR_NODE)
			id = yaml_document_add_scalar(&ld->doc, s->tag,
			    s->data.scalar.value, (int)s->data.scalar.length,
			    s->data.scalar.style);
		else if (s->type == YAML_SEQUENCE_NODE)
			id = yaml_document_add_sequence(&ld->doc, s->tag,
			    s->data.sequence.style);
		else
			id = yaml_document_add_mapping(&ld->doc, s->tag,
			    s->data.mapping.style);
		if (id != off + i + 1)
			return error_set("cannot copy yaml nodes");
		d = NODE(ld, id);
		d->start_mark = s->start_mark;
		d->end_mark = s->end_mark;
	}
	for (i = 0; i < n; i++) {
		yaml_node_t *s = &src->nodes.start[i];
		yaml_node_item_t *it;
		yaml_node_pair_t *pr;

		if (s->type == YAML_SEQUENCE_NODE) {
			for (it = s->data.sequence.items.start;
			    it < s->data.sequence.items.top; it++) {
				if (!yaml_document_append_sequence_item(&ld->doc,
				    off + i + 1, *it + off))
					return error_set("cannot copy yaml "
					    "nodes");
			}
		} else if (s->type == YAML_MAPPING_NODE) {
			for (pr = s->data.mapping.pairs.start;
			    pr < s->data.mapping.pairs.top; pr++) {
				if (!yaml_document_append_mapping_pair(&ld->doc,
				    off + i + 1, pr->key + off, pr->value + off))
					return error_set("cannot copy yaml "
					    "nodes");
			}
		}
	}
	*first = off + 1;
	*last = off + n;
	return 0;
}

/* Read, parse and copy the file real in as ld->ext[ld->next]. */
static int
extfile_read(struct loader *ld, const char *real)
{
	struct extfile *e;
	struct buf b = BUF_INIT;
	yaml_parser_t parser;
	yaml_document_t src;
	int parser_ok = 0, have_doc = 0, rc = -1;
	char *display = release_path(ld, real), *slash;

	if (read_compose_file(real, &b) < 0) {
		error_set("%s: %s", display, error_last());
		goto done;
	}
	if (memchr(b.buf, '\0', b.len) != NULL) {
		error_set("%s: not a text file", display);
		goto done;
	}
	if (!yaml_parser_initialize(&parser)) {
		error_set("%s: cannot initialise the yaml parser", display);
		goto done;
	}
	parser_ok = 1;
	yaml_parser_set_input_string(&parser, (const unsigned char *)b.buf,
	    b.len);
	if (!yaml_parser_load(&parser, &src)) {
		error_set("%s:%lu: yaml syntax error: %s", display,
		    (unsigned long)parser.problem_mark.line + 1,
		    parser.problem ? parser.problem : "unknown");
		goto done;
	}
	have_doc = 1;
	ld->ext = xrealloc(ld->ext, (ld->next + 1) * sizeof *ld->ext);
	e = &ld->ext[ld->next];
	memset(e, 0, sizeof *e);
	e->path = xstrdup(real);
	e->display = display;
	display = NULL;
	e->dir = xstrdup(real);
	slash = strrchr(e->dir, '/');
	if (slash == e->dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	ld->next++;
	if (copy_nodes(ld, &src, &e->first, &e->last) < 0)
		goto done;
	rc = 0;
done:
	if (have_doc)
		yaml_document_delete(&src);
	if (parser_ok)
		yaml_parser_delete(&parser);
	buf_release(&b);
	free(display);
	return rc;
}

/*
 * The file extends.file names from file from (0: this one): its index in
 * ld->ext plus one, 0 for this file, or -1. With load, a file not read yet
 * is read.
 */
static int
extfile_get(struct loader *ld, int from, yaml_node_t *at, const char *file,
    int load)
{
	const char *dir = from == 0 ? ld->p->dir : ld->ext[from - 1].dir;
	char *real = resolve_path(dir, file);
	size_t i;
	int rc = -1;

	if (strcmp(real, ld->p->file) == 0) {
		rc = 0;         /* this file (as a unit test loads it) */
		goto done;
	}
	free(real);
	real = release_file(ld, at, "\"extends.file\":", dir, file);
	if (real == NULL)
		return -1;
	if (strcmp(real, ld->p->file) == 0) {
		rc = 0;
		goto done;
	}
	for (i = 0; i < ld->next; i++) {
		if (strcmp(ld->ext[i].path, real) == 0) {
			rc = (int)i + 1;
			goto done;
		}
	}
	if (!load)
		rc = lerr(ld, at, "\"extends.file\": \"%s\" was not read", file);
	else if (ld->next >= EXTFILES_MAX)
		rc = lerr(ld, at, "\"extends\": more than %d files",
		    EXTFILES_MAX);
	else if (extfile_read(ld, real) == 0)
		rc = (int)ld->next;
done:
	free(real);
	return rc;
}

int
extfile_find(struct loader *ld, int from, yaml_node_t *at, const char *file)
{
	return extfile_get(ld, from, at, file, 0);
}

/*
 * The extends.file values of the services of the document whose root is
 * node idx, from file from: each file read (copying nodes moves them, so
 * node pointers are not kept across a read).
 */
static int
scan_extends(struct loader *ld, int idx, int from)
{
	int services = map_get(ld, idx, "services"), nsvc, i;

	if (services == 0 || NODE(ld, services)->type != YAML_MAPPING_NODE)
		return 0;
	nsvc = (int)(NODE(ld, services)->data.mapping.pairs.top -
	    NODE(ld, services)->data.mapping.pairs.start);
	for (i = 0; i < nsvc; i++) {
		yaml_node_pair_t *pr =
		    &NODE(ld, services)->data.mapping.pairs.start[i];
		yaml_node_t *k = NODE(ld, pr->key);
		int ext = map_get(ld, pr->value, "extends"), f, rc;
		char *file = NULL;

		if (ext == 0 || (f = map_get(ld, ext, "file")) == 0 ||
		    k->type != YAML_SCALAR_NODE)
			continue;
		set_where(ld, "service", (const char *)k->data.scalar.value);
		rc = get_str(ld, NODE(ld, f), "extends.file", &file);
		if (rc == 0 && file != NULL)
			rc = extfile_get(ld, from, NODE(ld, f), file, 1);
		set_where(ld, NULL, NULL);
		free(file);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int
load_extends_files(struct loader *ld)
{
	size_t i;

	if (yaml_document_get_root_node(&ld->doc) == NULL)
		return 0;
	if (scan_extends(ld, 1, 0) < 0)
		return -1;
	/* ld->next grows as files are read */
	for (i = 0; i < ld->next; i++) {
		if (scan_extends(ld, ld->ext[i].first, (int)i + 1) < 0)
			return -1;
	}
	for (i = 0; i < ld->next; i++) {
		int s = map_get(ld, ld->ext[i].first, "services");

		if (s != 0 && get_map(ld, NODE(ld, s), "services",
		    &ld->ext[i].services) < 0)
			return -1;
	}
	return 0;
}

void
free_extfiles(struct loader *ld)
{
	size_t i;

	for (i = 0; i < ld->next; i++) {
		free(ld->ext[i].path);
		free(ld->ext[i].display);
		free(ld->ext[i].dir);
		pairs_free(&ld->ext[i].services);
	}
	free(ld->ext);
	ld->ext = NULL;
	ld->next = 0;
}
