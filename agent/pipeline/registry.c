/*
 * registry.c - registries for the deploy pipeline: credentials from the
 * server configuration (never from the compose file), pulls by pull_policy,
 * pushes of built images, and the record of the digests a release ran.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compose/compose.h"
#include "lib/json.h"
#include "lib/state.h"
#include "pipeline/registry.h"

#define STATE_MAX (1u << 20)

char *
registry_host_of(const char *ref)
{
	const char *slash = strchr(ref, '/');
	char *first;

	if (slash == NULL)
		return xstrdup("docker.io");
	first = xstrndup(ref, (size_t)(slash - ref));
	if (strchr(first, '.') != NULL || strchr(first, ':') != NULL ||
	    strcmp(first, "localhost") == 0)
		return first;
	free(first);
	return xstrdup("docker.io");
}

int
registry_auth(const struct config *cfg, const char *host, char **auth)
{
	const struct config_registry *r = config_registry_find(cfg, host);
	char *password = NULL;

	*auth = NULL;
	if (r == NULL)
		return 0;
	if (r->username == NULL)
		return error_set("[registry \"%s\"] has no username", host);
	if (config_registry_password(r, &password) < 0)
		return -1;
	out_redact(password);
	*auth = engine_registry_auth(r->username, password, host);
	explicit_bzero(password, strlen(password));
	free(password);
	if (*auth == NULL)
		return -1;
	out_redact(*auth);
	return 0;
}

/*
 * name ("HOST/PATH" or a Docker Hub "PATH") spelled one way for the push
 * namespace check: the host lowercase, Docker Hub's names as "docker.io",
 * and every loopback spelling (localhost, 127.x.x.x, [::1]) as one. Docker
 * itself keeps "localhost:5000" and "127.0.0.1:5000" apart (credentials
 * and image names are matched as strings), and so do the credentials here;
 * but the same registry must not be reachable past the check by spelling
 * its host another way. Allocated.
 */
static char *
canon_name(const char *name)
{
	char *host = registry_host_of(name), *port, *out, *c;
	const char *rest = name;
	size_t hl = strlen(host);

	if (strncmp(name, host, hl) == 0 && name[hl] == '/')
		rest = name + hl + 1;
	for (c = host; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	if (strcmp(host, "index.docker.io") == 0 ||
	    strcmp(host, "registry-1.docker.io") == 0) {
		free(host);
		host = xstrdup("docker.io");
	}
	port = host[0] == '[' ? strstr(host, "]:") : strrchr(host, ':');
	if (port != NULL && host[0] == '[')
		port++;
	if (port != NULL)
		*port++ = '\0';
	if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0 ||
	    (starts_with(host, "127.") &&
	    strspn(host, "0123456789.") == strlen(host)))
		out = xasprintf("loopback%s%s/%s", port ? ":" : "",
		    port ? port : "", rest);
	else
		out = xasprintf("%s%s%s/%s", host, port ? ":" : "",
		    port ? port : "", rest);
	free(host);
	return out;
}

/*
 * The part of canonical name c that is compared: all of it, or only its
 * port and path (":5000/slipway/web-db") when loopback is set: a registry on
 * this host answers to any name that resolves to 127.0.0.1
 * (localtest.me:5000 included), which no spelling rule can list.
 */
static const char *
compared(const char *c, int loopback)
{
	const char *slash = strchr(c, '/'), *colon;

	if (!loopback || slash == NULL)
		return c;
	colon = memchr(c, ':', (size_t)(slash - c));
	return colon != NULL ? colon : slash;
}

/* Whether canonical push target ct is on this host. */
static int
on_loopback(const char *ct)
{
	return starts_with(ct, "loopback/") || starts_with(ct, "loopback:");
}

/* Whether name lies under push target t ("HOST/PREFIX"), name canonical. */
static int
under(const char *name, const char *t)
{
	char *ct = canon_name(t);
	int lo = on_loopback(ct);
	const char *a = compared(name, lo), *b = compared(ct, lo);
	size_t n = strlen(b);
	int in = strncmp(a, b, n) == 0 && a[n] == '/';

	free(ct);
	return in;
}

int
registry_check_ref(const struct config *cfg, const char *app, const char *ref)
{
	const struct config_app *a;
	const char *own = config_app_push(cfg, app), *hit = NULL;
	char *name = NULL, *tag = NULL, *prefix = NULL, *cname;
	int rc = 0;

	ignore_status(engine_ref_split(ref, &name, &tag));
	cname = canon_name(name);
	if (cfg->push != NULL && under(cname, cfg->push))
		hit = cfg->push;
	for (a = cfg->apps; a != NULL && hit == NULL; a = a->next) {
		if (a->push != NULL && under(cname, a->push))
			hit = a->push;
	}
	if (hit != NULL) {
		char *mine = own != NULL ? xasprintf("%s/%s-", own, app) : NULL;

		prefix = mine != NULL ? canon_name(mine) : NULL;
		if (prefix == NULL || !starts_with(compared(cname,
		    on_loopback(prefix)), compared(prefix, on_loopback(prefix))))
			rc = error_set("image \"%s\" is in the space where slipway "
			    "pushes its builds (\"%s/\") but not under \"%s\": "
			    "an app may only pull its own builds", ref, hit,
			    mine != NULL ? mine : "(no push target)");
		free(mine);
	}
	free(prefix);
	free(cname);
	free(name);
	free(tag);
	return rc;
}

int
registry_pull_policy(const char *service, const char *value, int buildable,
    enum pull_policy *policy, long long *interval_s)
{
	long long ns;

	*interval_s = 0;
	*policy = PULL_MISSING;
	if (value == NULL || strcmp(value, "missing") == 0 ||
	    strcmp(value, "if_not_present") == 0)
		*policy = PULL_MISSING;
	else if (strcmp(value, "always") == 0)
		*policy = PULL_ALWAYS;
	else if (strcmp(value, "never") == 0)
		*policy = PULL_NEVER;
	else if (strcmp(value, "daily") == 0)
		*policy = PULL_EVERY, *interval_s = 86400;
	else if (strcmp(value, "weekly") == 0)
		*policy = PULL_EVERY, *interval_s = 7 * 86400;
	else if (starts_with(value, "every_") &&
	    compose_parse_duration(value + 6, &ns) == 0 && ns >= 1000000000LL)
		*policy = PULL_EVERY, *interval_s = ns / 1000000000LL;
	else if (strcmp(value, "build") == 0 && buildable)
		*policy = PULL_BUILD;
	else if (strcmp(value, "build") == 0)
		return error_set("service \"%s\": pull_policy \"build\" needs a "
		    "build section", service);
	else
		return error_set("service \"%s\": unknown pull_policy \"%s\" "
		    "(expected always, missing, never, build, daily, weekly or "
		    "every_<duration> of at least 1s)", service, value);
	return 0;
}

static void
progress_line(void *ctx, const char *line)
{
	(void)ctx;
	out_info("       %s", line);
}

int
registry_pull(struct engine *e, const struct config *cfg, const char *ref,
    char **digest)
{
	char *host = registry_host_of(ref), *auth = NULL;
	int rc = -1;

	if (registry_auth(cfg, host, &auth) < 0) {
		error_set("cannot pull image \"%s\" from registry \"%s\": %s",
		    ref, host, error_last());
		goto done;
	}
	out_info("-----> Pulling %s", ref);
	if (engine_image_pull(e, ref, auth, progress_line, NULL, digest) < 0) {
		error_set("cannot pull image \"%s\" from registry \"%s\": %s",
		    ref, host, error_last());
		goto done;
	}
	rc = 0;
done:
	free(auth);
	free(host);
	return rc;
}

/* <app_dir>/pulled.json: image -> time of its last pull. */
static json_t *
pulled_load(const char *app_dir)
{
	char *path = path_join(app_dir, "pulled.json");
	struct buf b = BUF_INIT;
	json_t *j = NULL;

	if (path_exists(path) && read_file(path, &b, STATE_MAX) == 0)
		j = json_loadb(b.buf, b.len, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		j = json_object();
	}
	error_clear();
	buf_release(&b);
	free(path);
	return j;
}

static void
pulled_save(const char *app_dir, const char *ref)
{
	json_t *j = pulled_load(app_dir);
	char *path = path_join(app_dir, "pulled.json"), *text;

	json_object_set_new(j, ref, json_integer((json_int_t)time(NULL)));
	text = json_dumps(j, JSON_COMPACT);
	if (text == NULL || write_file_atomic(path, text, strlen(text),
	    0644) < 0)
		out_warn("warning: cannot record the pull time of %s: %s", ref,
		    text == NULL ? "cannot encode" : error_last());
	free(text);
	free(path);
	json_decref(j);
}

int
registry_ensure(struct engine *e, const struct config *cfg, const char *app,
    const char *app_dir, const char *service, const char *pull_policy,
    const char *ref, json_t **out)
{
	enum pull_policy policy;
	long long interval;
	json_t *info = NULL, *pulled = NULL;
	int found, pull, rc = -1;

	*out = NULL;
	if (registry_pull_policy(service, pull_policy, 0, &policy,
	    &interval) < 0 || registry_check_ref(cfg, app, ref) < 0)
		return -1;
	if ((found = engine_image_inspect(e, ref, &info)) < 0)
		goto done;
	pull = policy == PULL_ALWAYS || (found == ENGINE_MISSING &&
	    policy != PULL_NEVER);
	if (found == ENGINE_MISSING && policy == PULL_NEVER) {
		error_set("service \"%s\": image \"%s\" is not on this host and "
		    "its pull_policy is \"never\"", service, ref);
		goto done;
	}
	if (!pull && policy == PULL_EVERY) {
		json_int_t last;

		pulled = pulled_load(app_dir);
		last = json_integer_value(json_object_get(pulled, ref));
		pull = (long long)time(NULL) - (long long)last >= interval;
	}
	if (pull) {
		if (registry_pull(e, cfg, ref, NULL) < 0)
			goto done;
		pulled_save(app_dir, ref);
		json_decref(info);
		info = NULL;
		if ((found = engine_image_inspect(e, ref, &info)) != 0) {
			if (found > 0)
				error_set("image \"%s\" is not on this host "
				    "after its pull", ref);
			goto done;
		}
	}
	*out = info;
	info = NULL;
	rc = 0;
done:
	json_decref(pulled);
	json_decref(info);
	return rc;
}

int
registry_build_config(const struct config *cfg, char **out)
{
	const struct config_registry *r;
	json_t *config = NULL;
	char *password = NULL;
	int rc = -1;

	*out = NULL;
	for (r = cfg->registries; r != NULL; r = r->next) {
		/* A section the build may not need is no reason to fail it:
		 * a FROM that does need it fails on its own pull, clearly. */
		if (r->username == NULL ||
		    config_registry_password(r, &password) < 0) {
			out_warn("warning: the build gets no credentials for "
			    "registry \"%s\": %s", r->host, r->username == NULL ?
			    "its section has no username" : error_last());
			error_clear();
			continue;
		}
		out_redact(password);
		rc = engine_registry_config_add(&config, r->username, password,
		    r->host);
		explicit_bzero(password, strlen(password));
		free(password);
		password = NULL;
		if (rc < 0)
			goto done;
		rc = -1;
	}
	if (config == NULL) {
		rc = 0;
		goto done;
	}
	if ((*out = engine_registry_config(config)) == NULL)
		goto done;
	out_redact(*out);
	rc = 0;
done:
	json_decref(config);
	return rc;
}

int
registry_pull_for_build(struct engine *e, const struct config *cfg,
    const char *app, const char *app_dir, const char *service,
    enum pull_policy policy, long long interval, const char *image,
    json_t **out)
{
	json_t *pulled = NULL;
	int rc = 0;

	*out = NULL;
	if (image == NULL || (policy != PULL_ALWAYS && policy != PULL_EVERY))
		return 0;
	if (registry_check_ref(cfg, app, image) < 0)
		return -1;
	if (policy == PULL_EVERY) {
		json_int_t last;

		pulled = pulled_load(app_dir);
		last = json_integer_value(json_object_get(pulled, image));
		json_decref(pulled);
		if ((long long)time(NULL) - (long long)last < interval)
			return 0;
	}
	if (registry_pull(e, cfg, image, NULL) < 0) {
		/* compose builds what it cannot pull. */
		out_warn("warning: service \"%s\": %s: building it", service,
		    error_last());
		error_clear();
		return 0;
	}
	pulled_save(app_dir, image);
	if ((rc = engine_image_inspect(e, image, out)) != 0) {
		if (rc > 0)
			error_set("image \"%s\" is not on this host after its "
			    "pull", image);
		return -1;
	}
	return 1;
}

char *
registry_push_name(const struct config *cfg, const char *app,
    const char *service)
{
	const char *t = config_app_push(cfg, app);
	char *name, *c;

	if (t == NULL)
		return NULL;
	name = xasprintf("%s/%s-%s", t, app, service);
	for (c = name + strlen(t); *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	return name;
}

int
registry_push(struct engine *e, const struct config *cfg, const char *app,
    const char *service, const char *id, const char *tag, char **digest)
{
	char *name = registry_push_name(cfg, app, service);
	char *host = NULL, *auth = NULL, *ref = NULL;
	int rc = -1;

	*digest = NULL;
	if (name == NULL)
		return 0;
	host = registry_host_of(name);
	ref = xasprintf("%s:%s", name, tag);
	if (registry_auth(cfg, host, &auth) < 0 ||
	    engine_image_tag(e, id, name, tag) < 0) {
		error_set("cannot push image \"%s\" to registry \"%s\": %s", ref,
		    host, error_last());
		goto done;
	}
	out_info("-----> Pushing %s", ref);
	rc = engine_image_push(e, name, tag, auth, progress_line, NULL, digest);
	if (rc < 0)
		error_set("cannot push image \"%s\" to registry \"%s\": %s", ref,
		    host, error_last());
	/* The local copy keeps its own tag only: retention owns it. */
	if (engine_image_remove(e, ref) < 0)
		out_warn("warning: cannot untag %s: %s", ref, error_last());
	if (rc == 0)
		out_info("-----> Pushed %s@%s", name, *digest);
done:
	free(auth);
	free(ref);
	free(host);
	free(name);
	return rc;
}

static char *
digests_path(const char *app_dir, const char *commit)
{
	char *name = xasprintf("digests/%s.json", commit);
	char *path = path_join(app_dir, name);

	free(name);
	return path;
}

int
registry_digests_save(const char *app_dir, const char *commit,
    const struct kvlist *digests)
{
	char *dir = path_join(app_dir, "digests"), *path = NULL, *text = NULL;
	json_t *j = json_object();
	size_t i;
	int rc = -1;

	for (i = 0; i < digests->n; i++) {
		if (digests->v[i].value != NULL)
			json_object_set_new(j, digests->v[i].key,
			    json_string(digests->v[i].value));
	}
	if (mkdir_p(dir, 0755) < 0)
		goto done;
	path = digests_path(app_dir, commit);
	if ((text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		error_set("cannot encode the digests of %.7s", commit);
		goto done;
	}
	rc = write_file_atomic(path, text, strlen(text), 0644);
done:
	free(text);
	free(path);
	free(dir);
	json_decref(j);
	return rc;
}

int
registry_digests_load(const char *app_dir, const char *commit,
    struct kvlist *digests)
{
	char *path = digests_path(app_dir, commit);
	struct buf b = BUF_INIT;
	json_t *j = NULL, *v;
	const char *k;
	int rc = -1;

	if (!path_exists(path)) {
		rc = 0;
		goto done;
	}
	if (read_file(path, &b, STATE_MAX) < 0)
		goto done;
	j = json_loadb(b.buf, b.len, 0, NULL);
	if (!json_is_object(j)) {
		error_set("\"%s\" is not a JSON object", path);
		goto done;
	}
	json_object_foreach(j, k, v) {
		if (json_is_string(v))
			kvlist_set(digests, k, json_string_value(v));
	}
	rc = 0;
done:
	json_decref(j);
	buf_release(&b);
	free(path);
	return rc;
}

char *
registry_repo_digest(struct engine *e, const char *ref)
{
	json_t *info = NULL, *v;
	char *name = NULL, *tag = NULL, *out = NULL;
	const char *first = NULL, *s;
	size_t i, n;

	if (engine_image_inspect(e, ref, &info) != 0) {
		error_clear();
		goto done;
	}
	ignore_status(engine_ref_split(ref, &name, &tag));
	n = strlen(name);
	json_array_foreach(json_object_get(info, "RepoDigests"), i, v) {
		if ((s = json_string_value(v)) == NULL)
			continue;
		if (first == NULL)
			first = s;
		if (strncmp(s, name, n) == 0 && s[n] == '@') {
			first = s;
			break;
		}
	}
	if (first != NULL)
		out = xstrdup(first);
done:
	free(name);
	free(tag);
	json_decref(info);
	return out;
}

int
registry_restore(struct engine *e, const struct config *cfg, const char *app,
    const char *service, const char *local_ref, const char *commit,
    const char *digest, char **id)
{
	char *name = registry_push_name(cfg, app, service);
	char *ref = NULL, *lname = NULL, *ltag = NULL;
	json_t *info = NULL;
	int rc = -1;

	*id = NULL;
	if (digest != NULL && strstr(digest, "@sha256:") != NULL) {
		/* The bytes the release ran: a tag pushed again since then
		 * cannot change them. */
		if (registry_check_ref(cfg, app, digest) < 0)
			goto done;
		ref = xstrdup(digest);
	} else if (name == NULL) {
		rc = error_set("the images of %.7s are gone and no [registry] "
		    "push keeps them: push it again to rebuild it", commit);
		goto done;
	} else
		ref = xasprintf("%s:%s", name, commit);
	if (registry_pull(e, cfg, ref, NULL) < 0)
		goto done;
	ignore_status(engine_ref_split(local_ref, &lname, &ltag));
	if (engine_image_tag(e, ref, lname, ltag) < 0 ||
	    engine_image_inspect(e, local_ref, &info) != 0) {
		error_set("cannot tag %s as %s: %s", ref, local_ref,
		    error_last());
		goto done;
	}
	if (strchr(ref, '@') == NULL && engine_image_remove(e, ref) < 0)
		out_warn("warning: cannot untag %s: %s", ref, error_last());
	*id = xstrdup(json_string_value(json_object_get(info, "Id")));
	rc = 0;
done:
	json_decref(info);
	free(lname);
	free(ltag);
	free(ref);
	free(name);
	return rc;
}

int
registry_pull_app(const struct config *cfg, const char *app)
{
	struct compose_project *p = NULL;
	struct engine *e = NULL;
	struct kvlist vars = KVLIST_INIT;
	struct buf b = BUF_INIT;
	char *app_dir = state_app_dir(cfg, app), *cur = NULL, *dir = NULL;
	char *file = NULL;
	size_t i, pulled = 0;
	int rc = -1;

	cur = path_join(app_dir, "current");
	if (!path_exists(cur) || read_file(cur, &b, 128) < 0) {
		error_set("\"%s\" has no live release to pull the images of", app);
		goto done;
	}
	buf_rtrim(&b);
	dir = state_release_dir(cfg, app, b.buf);
	if (appvars_load(cfg, app, &vars) < 0)
		goto done;
	for (i = 0; i < vars.n; i++)
		out_redact(vars.v[i].value);
	if ((file = compose_find(dir)) == NULL ||
	    compose_load(&p, file, dir, app, &vars) < 0 ||
	    engine_open(&e, cfg->docker_host) < 0)
		goto done;
	for (i = 0; i < p->nservices; i++) {
		const struct compose_service *s = &p->services[i];
		enum pull_policy policy = PULL_MISSING;
		long long interval;

		if (s->build != NULL || s->image == NULL)
			continue;
		if (registry_pull_policy(s->name, s->pull_policy, 0, &policy,
		    &interval) < 0 || registry_check_ref(cfg, app, s->image) < 0)
			goto done;
		if (policy == PULL_NEVER) {
			out_info("-----> %s: pull_policy is \"never\"", s->image);
			continue;
		}
		if (registry_pull(e, cfg, s->image, NULL) < 0)
			goto done;
		pulled_save(app_dir, s->image);
		pulled++;
	}
	out_info("-----> Pulled %zu image%s of %s %.7s; deploy to run them",
	    pulled, pulled == 1 ? "" : "s", app, b.buf);
	rc = 0;
done:
	engine_free(e);
	compose_free(p);
	kvlist_clear(&vars);
	buf_release(&b);
	free(file);
	free(dir);
	free(cur);
	free(app_dir);
	return rc;
}
