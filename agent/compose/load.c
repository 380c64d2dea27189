/*
 * load.c - the compose file loader's entry points. libyaml's document API
 * gives the nodes (aliases resolved); load() reads the top level and hands
 * each service, volume and network to its reader, then compose_free() and
 * the lookups by name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compose/loader.h"
#include "compose/dotenv.h"

#define COMPOSE_MAX_SIZE (4 << 20)
/*
 * Nesting deeper than this is refused as the parser's events arrive:
 * libyaml's scanner pays for every open flow level at every token, so a
 * deep file costs the square of its depth before a document exists.
 */
#define COMPOSE_MAX_DEPTH 64

const char *const compose_file_names[] = {
	"compose.yaml", "compose.yml", "docker-compose.yaml",
	"docker-compose.yml", NULL
};

/*
 * COMPOSE_PROFILES (from .env or the app's config): the services of those
 * profiles ("*": all) start with the others, as `docker compose up` does.
 * COMPOSE_PROJECT_NAME cannot rename the app: a warning says so.
 */
static void
enable_profiles(struct loader *ld)
{
	struct compose_project *p = ld->p;
	const struct kv *kv = kvlist_find(&ld->vars, "COMPOSE_PROFILES");
	const struct kv *pn = kvlist_find(&ld->vars, "COMPOSE_PROJECT_NAME");
	size_t i, j;

	if (pn != NULL && pn->value != NULL && *pn->value != '\0' &&
	    strcmp(pn->value, p->name) != 0)
		strv_push_owned(&p->warnings, xasprintf("COMPOSE_PROJECT_NAME "
		    "\"%s\" is ignored: the app is \"%s\"", pn->value,
		    p->name));
	if (kv == NULL || kv->value == NULL || *kv->value == '\0')
		return;
	for (i = 0; i < p->nservices; i++) {
		struct compose_service *s = &p->services[i];

		for (j = 0; j < s->profiles.n; j++) {
			const char *v = kv->value, *prof = s->profiles.v[j];
			size_t n = strlen(prof);

			/* a comma-separated list */
			for (; *v != '\0'; v += strcspn(v, ",") + (v[strcspn(v,
			    ",")] == ',')) {
				size_t len = strcspn(v, ",");

				if ((len == 1 && *v == '*') ||
				    (len == n && strncmp(v, prof, n) == 0))
					break;
			}
			if (*v != '\0') {
				strv_clear(&s->profiles);
				break;
			}
		}
	}
}

/* Two services cannot have one container_name (compose-go refuses it). */
static int
unique_container_names(struct loader *ld)
{
	const struct compose_project *p = ld->p;
	size_t i, j;

	for (i = 0; i < p->nservices; i++) {
		const char *c = p->services[i].container_name;

		for (j = 0; c != NULL && j < i; j++) {
			if (p->services[j].container_name != NULL &&
			    strcmp(p->services[j].container_name, c) == 0)
				return error_set("%s:%d: service \"%s\": container "
				    "name \"%s\" is already in use by service "
				    "\"%s\"", ld->file, p->services[i].line,
				    p->services[i].name, c,
				    p->services[j].name);
		}
	}
	return 0;
}

static int
load_top(struct loader *ld, const char *name)
{
	static const char *const unsupported[] = {
		"models", NULL
	};
	struct compose_project *p = ld->p;
	yaml_node_t *root = yaml_document_get_root_node(&ld->doc);
	const struct pair *services, *volumes, *networks, *pn;
	struct included *subs = NULL;
	struct pairs top = { 0 };
	char *fname = NULL;
	size_t i, nsubs = 0, nimported = 0;
	int rc = -1;

	if (root == NULL || is_null(root)) {
		error_set("%s:1: empty compose file", ld->file);
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
		    strcmp(k, "networks") == 0 || strcmp(k, "secrets") == 0 ||
		    strcmp(k, "configs") == 0 || strcmp(k, "include") == 0)
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
	/* include: each file a project of its own, merged in (include.c) */
	if ((pn = pairs_find(&top, "include")) != NULL &&
	    load_includes(ld, pn->value, &subs, &nsubs) < 0)
		goto done;
	for (i = 0; i < nsubs; i++)
		nimported += subs[i].p->nservices;
	if ((volumes = pairs_find(&top, "volumes")) != NULL &&
	    load_volumes(ld, volumes->value) < 0)
		goto done;
	if (merge_included(ld, subs, nsubs, INCLUDE_VOLUMES) < 0)
		goto done;
	if ((networks = pairs_find(&top, "networks")) != NULL &&
	    load_networks(ld, networks->value) < 0)
		goto done;
	if (p->networks == NULL)
		p->networks = xcalloc(1, sizeof *p->networks);
	if (merge_included(ld, subs, nsubs, INCLUDE_NETWORKS) < 0)
		goto done;
	if ((pn = pairs_find(&top, "secrets")) != NULL &&
	    load_fileobjs(ld, pn->value, 0) < 0)
		goto done;
	if ((pn = pairs_find(&top, "configs")) != NULL &&
	    load_fileobjs(ld, pn->value, 1) < 0)
		goto done;
	if (merge_included(ld, subs, nsubs, INCLUDE_SECRETS) < 0 ||
	    merge_included(ld, subs, nsubs, INCLUDE_CONFIGS) < 0)
		goto done;
	services = pairs_find(&top, "services");
	/*
	 * A file of volumes and networks only is a deploy of those (compose:
	 * `up --all-resources`; docker-compose 1.29 creates them too). A file
	 * with nothing to deploy at all is a mistake, not an order to remove
	 * every service.
	 */
	if ((services == NULL || is_null(services->value)) && nimported == 0 &&
	    p->nvolumes == 0 && p->nnetworks == 0) {
		lerr(ld, services ? services->knode : root,
		    "no services defined");
		goto done;
	}
	if (services != NULL &&
	    get_map(ld, services->value, "services", &ld->services) < 0)
		goto done;
	p->services = xcalloc(ld->services.n + nimported + 1,
	    sizeof *p->services);
	for (i = 0; i < ld->services.n; i++) {
		p->nservices++;
		if (load_service(ld, &ld->services.v[i], &p->services[i]) < 0)
			goto done;
	}
	if (merge_included(ld, subs, nsubs, INCLUDE_SERVICES) < 0)
		goto done;
	if (unique_container_names(ld) < 0)
		goto done;
	enable_profiles(ld);
	settle_default_network(p, 1);
	rc = 0;
done:
	free_included(subs, nsubs);
	free(fname);
	pairs_free(&top);
	return rc;
}

/*
 * A first pass over the events only: stop at the first collection deeper
 * than COMPOSE_MAX_DEPTH (the cost so far is linear). Syntax errors are
 * left to yaml_parser_load(), which reports them.
 */
static int
check_depth(struct loader *ld, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, rc = 0, done = 0;
	/* nodes read in each open collection, and whether it is a mapping */
	size_t count[COMPOSE_MAX_DEPTH + 2] = { 0 };
	char mapping[COMPOSE_MAX_DEPTH + 2] = { 0 };
	unsigned long line[COMPOSE_MAX_DEPTH + 2] = { 0 };

	if (!yaml_parser_initialize(&parser))
		return lerr(ld, NULL, "cannot initialise the yaml parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&parser, &ev))
			break;
		/* one more node in the enclosing collection */
		if (depth > 0 && (ev.type == YAML_SCALAR_EVENT ||
		    ev.type == YAML_ALIAS_EVENT ||
		    ev.type == YAML_SEQUENCE_START_EVENT ||
		    ev.type == YAML_MAPPING_START_EVENT) &&
		    ++count[depth] > (mapping[depth] ? 2 : 1) *
		    (size_t)COMPOSE_MAX_ENTRIES) {
			rc = error_set("%s:%lu: a %s of more than %d entries",
			    ld->file, line[depth], mapping[depth] ? "mapping" :
			    "sequence", COMPOSE_MAX_ENTRIES);
			yaml_event_delete(&ev);
			break;
		}
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > COMPOSE_MAX_DEPTH) {
				rc = error_set("%s:%lu: nested deeper than %d "
				    "levels", ld->file,
				    (unsigned long)ev.start_mark.line + 1,
				    COMPOSE_MAX_DEPTH);
				break;
			}
			count[depth] = 0;
			mapping[depth] = ev.type == YAML_MAPPING_START_EVENT;
			line[depth] = (unsigned long)ev.start_mark.line + 1;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

/*
 * compose_order's error with the line of the service it names first
 * ("service \"a\" depends on ...", "dependency cycle: a -> b -> a").
 */
static void
order_error(struct loader *ld)
{
	char *msg = xstrdup(error_last()), *name = NULL;
	const struct compose_service *s;
	size_t n;

	if (starts_with(msg, "service \"")) {
		n = strcspn(msg + 9, "\"");
		name = xstrndup(msg + 9, n);
	} else if (starts_with(msg, "dependency cycle: ")) {
		n = strcspn(msg + 18, " ");
		name = xstrndup(msg + 18, n);
	}
	s = name != NULL ? compose_service(ld->p, name) : NULL;
	if (s != NULL)
		error_set("%s:%d: %s", ld->file, s->line, msg);
	else
		error_set("%s: %s", ld->file, msg);
	free(name);
	free(msg);
}

/*
 * Load text as project name's file (display names it in messages) with dir
 * as its directory. parent is the including loader (include), or NULL;
 * env_files are then include's env_file, NULL for dir/.env.
 */
static int
load(struct compose_project **out, struct loader *parent, const char *text,
    size_t len, const char *display, const char *file, const char *dir,
    const char *name, const struct kvlist *vars,
    const struct strv *env_files, int swarm)
{
	struct loader ld = { 0 };
	struct compose_project *p;
	struct strv chain = STRV_INIT;
	yaml_parser_t parser;
	yaml_document_t extra;
	int parser_ok = 0, have_doc = 0, rc = -1;
	size_t *order = NULL, i;

	*out = NULL;
	p = xcalloc(1, sizeof *p);
	p->name = xstrdup(name);
	p->dir = absolute_dir(dir);
	p->file = *file == '/' ? compose_path_clean(file) :
	    resolve_path(p->dir, file);
	ld.p = p;
	ld.swarm = swarm;
	ld.file = display;
	ld.where = "";
	ld.root = parent != NULL ? parent->root : p->dir;
	ld.base = p->dir;
	ld.appvars = vars;
	for (i = 0; parent != NULL && i < parent->chain->n; i++)
		strv_push(&chain, parent->chain->v[i]);
	strv_push(&chain, p->file);
	ld.chain = &chain;
	if (len > COMPOSE_MAX_SIZE) {
		lerr(&ld, NULL, "larger than %d bytes", COMPOSE_MAX_SIZE);
		goto done;
	}
	if (memchr(text, '\0', len) != NULL) {
		lerr(&ld, NULL, "not a text file");
		goto done;
	}
	if (check_depth(&ld, text, len) < 0)
		goto done;
	if (parent == NULL ? load_dotenv(&ld, vars) < 0 :
	    include_dotenv(&ld, parent, env_files) < 0)
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
	if (check_expansion(&ld) < 0 || load_extends_files(&ld) < 0 ||
	    load_top(&ld, name) < 0)
		goto done;
	order = xcalloc(p->nservices + 1, sizeof *order);
	if (compose_order(p, order) < 0) {
		order_error(&ld);
		goto done;
	}
	*out = p;
	p = NULL;
	rc = 0;
done:
	free(order);
	free_extfiles(&ld);
	if (have_doc)
		yaml_document_delete(&ld.doc);
	if (parser_ok)
		yaml_parser_delete(&parser);
	kvlist_clear(&ld.vars);
	strv_clear(&ld.unset);
	strv_clear(&ld.imported);
	strv_clear(&chain);
	pairs_free(&ld.services);
	free(ld.wherebuf);
	compose_free(p);
	return rc;
}

int
read_compose_file(const char *path, struct buf *b)
{
	if (compose_need(path) < 0)
		return -1;
	return read_file(path, b, COMPOSE_MAX_SIZE);
}

int
load_included(struct loader *parent, const yaml_node_t *at, const char *path,
    const char *dir, const struct strv *env_files,
    struct compose_project **out)
{
	struct buf b = BUF_INIT;
	char *display = release_path(parent, path);
	int rc = -1;

	*out = NULL;
	if (read_compose_file(path, &b) < 0) {
		lerr(parent, at, "include \"%s\": %s", display, error_last());
		goto done;
	}
	rc = load(out, parent, b.buf, b.len, display, path, dir,
	    parent->p->name, parent->appvars, env_files, parent->swarm);
done:
	buf_release(&b);
	free(display);
	return rc;
}

int
compose_load_string_target(struct compose_project **out, const char *text,
    size_t len, const char *filename, const char *dir, const char *name,
    const struct kvlist *vars, int swarm)
{
	const char *base = strrchr(filename, '/');

	return load(out, NULL, text, len, base ? base + 1 : filename,
	    filename, dir, name, vars, NULL, swarm);
}

int
compose_load_string(struct compose_project **out, const char *text,
    size_t len, const char *filename, const char *dir, const char *name,
    const struct kvlist *vars)
{
	return compose_load_string_target(out, text, len, filename, dir, name,
	    vars, 0);
}

int
compose_load(struct compose_project **out, const char *path, const char *dir,
    const char *name, const struct kvlist *vars)
{
	return compose_load_target(out, path, dir, name, vars, 0);
}

int
compose_load_target(struct compose_project **out, const char *path,
    const char *dir, const char *name, const struct kvlist *vars, int swarm)
{
	struct buf b = BUF_INIT;
	const char *base = strrchr(path, '/');
	char *abs;
	int rc;

	*out = NULL;
	if (read_compose_file(path, &b) < 0)
		return -1;
	abs = absolute_dir(path);
	rc = load(out, NULL, b.buf, b.len, base ? base + 1 : path, abs, dir,
	    name, vars, NULL, swarm);
	free(abs);
	buf_release(&b);
	return rc;
}

/*
 * COMPOSE_FILE in dir/.env names the compose file (inside the release). One
 * file only: slipway does not merge several. *path stays NULL without it.
 */
static int
compose_file_setting(const char *dir, char **path)
{
	char *env = path_join(dir, ".env"), *real = NULL;
	struct kvlist vars = KVLIST_INIT;
	const struct kv *kv;
	int rc = 0;

	*path = NULL;
	if (compose_need(env) < 0) {
		rc = -1;
		goto done;
	}
	real = realpath(env, NULL);
	if (real == NULL || !compose_path_within(real, dir) ||
	    dotenv_read(real, NULL, &vars) < 0)
		goto done;      /* compose_load reports a bad .env */
	kv = kvlist_find(&vars, "COMPOSE_FILE");
	if (kv == NULL || kv->value == NULL || *kv->value == '\0')
		goto done;
	if (strchr(kv->value, ':') != NULL) {
		rc = error_set(".env: COMPOSE_FILE names several files: slipway "
		    "loads one compose file (it does not merge them)");
		goto done;
	}
	*path = resolve_path(dir, kv->value);
	if (compose_path_within(*path, dir) && compose_need(*path) < 0) {
		rc = -1;
		free(*path);
		*path = NULL;
		goto done;
	}
	if (!compose_path_within(*path, dir) || !path_exists(*path)) {
		rc = error_set(".env: COMPOSE_FILE \"%s\" %s", kv->value,
		    compose_path_within(*path, dir) ? "not found" :
		    "is outside the release");
		free(*path);
		*path = NULL;
	}
done:
	if (rc == 0)
		error_clear();
	kvlist_clear(&vars);
	free(real);
	free(env);
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
	if (compose_file_setting(real, &path) < 0) {
		free(real);
		return NULL;
	}
	for (i = 0; path == NULL && compose_file_names[i] != NULL; i++) {
		path = path_join(real, compose_file_names[i]);
		if (compose_need(path) < 0) {
			free(path);
			free(real);
			return NULL;
		}
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
		    path + strlen(real) + 1);
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
		strv_clear(&s->build->tags);
		free(s->build->dockerfile_inline);
		kvlist_clear(&s->build->labels);
		strv_clear(&s->build->extra_hosts);
		free(s->build->network);
		free(s->build->platform);
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
		free(s->mounts[i].rel);
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
	free(s->container_alias);
	strv_clear(&s->profiles);
	strv_clear(&s->devices);
	free(s->network_mode);
	free(s->pid);
	free(s->ipc);
	free(s->userns_mode);
	strv_clear(&s->security_opt);
	free(s->platform);
	free(s->pull_policy);
	strv_clear(&s->group_add);
	free(s->mac_address);
	free(s->runtime);
	strv_clear(&s->volumes_from);
	strv_clear(&s->links);
	for (i = 0; i < s->npost_start + s->npre_stop; i++) {
		struct compose_hook *h = i < s->npost_start ?
		    &s->post_start[i] : &s->pre_stop[i - s->npost_start];

		strv_clear(&h->command);
		free(h->user);
		free(h->working_dir);
		kvlist_clear(&h->environment);
	}
	free(s->post_start);
	free(s->pre_stop);
	free_filerefs(s->secrets, s->nsecrets);
	free_filerefs(s->configs, s->nconfigs);
	free(s->release);
	free(s->swarm.endpoint_mode);
	kvlist_clear(&s->swarm.labels);
	strv_clear(&s->swarm.constraints);
	strv_clear(&s->swarm.preferences);
	free(s->swarm.update.failure_action);
	free(s->swarm.update.order);
	free(s->swarm.rollback.failure_action);
	free(s->swarm.rollback.order);
	free(s->swarm.restart_condition);
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
	free_fileobjs(p->secrets, p->nsecrets);
	free_fileobjs(p->configs, p->nconfigs);
	strv_clear(&p->warnings);
	free(p->name);
	free(p->dir);
	free(p->file);
	free(p->shared_dir);
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
compose_network_own(const struct compose_project *p,
    const struct compose_network *n)
{
	size_t len = strlen(p->name);

	return n != NULL && !n->external && strncmp(n->name, p->name, len) == 0 &&
	    n->name[len] == '_' && n->name[len + 1] != '\0';
}

int
compose_service_active(const struct compose_service *s)
{
	return s->profiles.n == 0;
}

int
compose_service_awaited(const struct compose_project *p, const char *service)
{
	size_t i, j;

	for (i = 0; i < p->nservices; i++) {
		for (j = 0; j < p->services[i].ndepends; j++) {
			if (p->services[i].depends[j].condition == COND_COMPLETED &&
			    strcmp(p->services[i].depends[j].service, service) == 0)
				return 1;
		}
	}
	return 0;
}
