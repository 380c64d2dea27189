/*
 * mounts.c - the volumes key of a service: short and long syntax of bind,
 * volume and tmpfs mounts, and their checks.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/config.h"
#include "compose/loader.h"

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

/*
 * What ~ is in a bind. compose: the home of the user it runs as; here one
 * account for every deploy, whoever starts it: the git account pushes run
 * as (if any), else this process's. Allocated, or NULL.
 */
static char *
bind_home(void)
{
	const struct passwd *pw;
	char *home = config_git_home();

	if (home == NULL && (pw = getpwuid(geteuid())) != NULL &&
	    pw->pw_dir[0] == '/')
		home = xstrdup(pw->pw_dir);
	return home;
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
		char *abs, *j, *home;

		if (m->source == NULL || *m->source == '\0')
			return lerr(ld, n, "\"volumes\": a bind mount needs a "
			    "source");
		if (*m->source == '~') {
			if ((home = bind_home()) == NULL ||
			    (m->source[1] != '\0' && m->source[1] != '/')) {
				free(home);
				return lerr(ld, n, "\"volumes\": home-relative "
				    "bind \"%s\" is not supported (only ~ and "
				    "~/path: the git account's home)",
				    m->source);
			}
			j = xasprintf("%s/%s", home, m->source + 1);
			abs = compose_path_clean(j);
			free(j);
			free(home);
		} else
			abs = resolve_path(ld->base, m->source);
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
		else if (tmpfs && strcmp(k, "size") == 0 &&
		    v->type == YAML_SCALAR_NODE &&
		    v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    strchr((const char *)v->data.scalar.value, '.') != NULL &&
		    strspn((const char *)v->data.scalar.value, "0123456789.") ==
		    v->data.scalar.length)
			r = lerr(ld, v, "\"volumes.tmpfs.size\" must be an "
			    "integer or a size such as 64m");
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

	static const char *const image_key[] = { "image", NULL };

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
			r = bad_key(ld, &ps.v[i], "volumes", image_key);
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

int
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
