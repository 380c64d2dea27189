/*
 * policy.c - the rules that keep push access from becoming root on the host.
 * Each rule names the ALLOW_* flag that lifts it; the first rule broken is
 * reported with the file, the service (or volume) and the key, and the
 * `allow = ...` word an operator would set.
 *
 * Paths are compared component-wise after lexical cleaning, then again after
 * following the symlinks that exist (a release may carry a symlink that
 * points out of it). The Docker socket, or a directory holding it, needs
 * allow = privileged even with host-binds: it is root on the host. (Env
 * files outside the release are refused by the loader, which must not read
 * them at all.)
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/config.h"
#include "compose/policy.h"

const char *const policy_default_caps[] = {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
	"MKNOD", "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP",
	"SETUID", "SYS_CHROOT", NULL
};

/* The same words config.c accepts for `allow = ...`. */
static const struct {
	unsigned flag;
	const char *word;
} allow_words[] = {
	{ ALLOW_HOST_BINDS, "host-binds" },
	{ ALLOW_PRIVILEGED, "privileged" },
	{ ALLOW_HOST_NETWORK, "host-network" },
	{ ALLOW_CAPS, "caps" },
	{ ALLOW_SECURITY_OPT, "security-opt" },
	{ ALLOW_HOST_VOLUMES, "host-volumes" },
};

static const char *const docker_sockets[] = {
	"/var/run/docker.sock", "/run/docker.sock", NULL
};

struct check {
	const struct compose_project *p;
	unsigned allow;
	char *realdir;             /* the project directory, resolved */
	const char *file;          /* base name of the compose file */
};

/* what is the subject ("service \"web\""), detail the key and value. */
static int
refuse(struct check *c, const char *what, const char *name, unsigned need,
    const char *detail)
{
	struct buf words = BUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(allow_words); i++) {
		if ((need & allow_words[i].flag) == 0)
			continue;
		if (words.len > 0)
			buf_adds(&words, ", ");
		buf_adds(&words, allow_words[i].word);
	}
	error_set("%s: %s \"%s\": %s is not allowed here (an operator can set "
	    "allow = %s for this app)", c->file, what, name, detail, words.buf);
	buf_release(&words);
	return -1;
}

/* Is path inside the project directory, lexically and once resolved? */
static int
inside(struct check *c, const char *path)
{
	char *r;
	int ok;

	if (!compose_path_within(path, c->p->dir))
		return 0;
	r = compose_path_resolve(path);
	ok = compose_path_within(r, c->realdir);
	free(r);
	return ok;
}

/* Does a bind of path expose the Docker socket (it, or a parent of it)? */
static int
reaches_socket(const char *path)
{
	char *r = compose_path_resolve(path), *sock;
	size_t i;
	int hit = 0;

	for (i = 0; docker_sockets[i] != NULL && !hit; i++) {
		hit = compose_path_within(docker_sockets[i], path) ||
		    compose_path_within(docker_sockets[i], r);
		sock = compose_path_resolve(docker_sockets[i]);
		hit = hit || compose_path_within(sock, r);
		free(sock);
	}
	free(r);
	return hit;
}

static int
check_path(struct check *c, const struct compose_service *s, const char *key,
    const char *path)
{
	char *detail;
	int rc;

	if ((c->allow & ALLOW_HOST_BINDS) || inside(c, path))
		return 0;
	detail = xasprintf("\"%s\" \"%s\" (outside the release)", key, path);
	rc = refuse(c, "service", s->name, ALLOW_HOST_BINDS, detail);
	free(detail);
	return rc;
}

static int
check_mounts(struct check *c, const struct compose_service *s)
{
	size_t i;

	for (i = 0; i < s->nmounts; i++) {
		const struct compose_mount *m = &s->mounts[i];
		unsigned need = 0;
		char *detail;
		int rc;

		if (m->type != MOUNT_BIND)
			continue;
		if (!inside(c, m->source))
			need |= ALLOW_HOST_BINDS;
		if (reaches_socket(m->source))
			need |= ALLOW_HOST_BINDS | ALLOW_PRIVILEGED;
		if ((need & c->allow) == need)
			continue;
		detail = xasprintf("\"volumes\" bind of \"%s\"%s", m->source,
		    (need & ALLOW_PRIVILEGED) ? " (the Docker socket)" :
		    " (outside the release)");
		rc = refuse(c, "service", s->name, need, detail);
		free(detail);
		return rc;
	}
	return 0;
}

static int
check_namespaces(struct check *c, const struct compose_service *s)
{
	const struct {
		const char *key;
		const char *value;
		int container_too;  /* container:<other> reaches another app */
	} modes[] = {
		{ "network_mode", s->network_mode, 1 },
		{ "pid", s->pid, 1 },
		{ "ipc", s->ipc, 1 },
		{ "userns_mode", s->userns_mode, 0 },
	};
	size_t i;

	if (c->allow & ALLOW_HOST_NETWORK)
		return 0;
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		char *detail;
		int rc;

		const char *v = modes[i].value;

		if (v == NULL || (strcmp(v, "host") != 0 &&
		    !(modes[i].container_too && starts_with(v, "container:"))))
			continue;
		detail = xasprintf("\"%s: %s\"", modes[i].key, modes[i].value);
		rc = refuse(c, "service", s->name, ALLOW_HOST_NETWORK, detail);
		free(detail);
		return rc;
	}
	return 0;
}

static int
check_caps(struct check *c, const struct compose_service *s)
{
	size_t i, j;

	if (c->allow & ALLOW_CAPS)
		return 0;
	for (i = 0; i < s->cap_add.n; i++) {
		const char *cap = s->cap_add.v[i];
		char *detail;
		int rc;

		if (strncasecmp(cap, "CAP_", 4) == 0)
			cap += 4;
		for (j = 0; policy_default_caps[j] != NULL; j++) {
			if (strcasecmp(cap, policy_default_caps[j]) == 0)
				break;
		}
		if (policy_default_caps[j] != NULL)
			continue;
		detail = xasprintf("\"cap_add: %s\"", s->cap_add.v[i]);
		rc = refuse(c, "service", s->name, ALLOW_CAPS, detail);
		free(detail);
		return rc;
	}
	return 0;
}

/* A security_opt that loosens confinement: seccomp or apparmor profiles
 * of the pusher's choosing, SELinux disabled or a chosen type, systempaths. */
static int
loosens(const char *opt)
{
	size_t n = strcspn(opt, "=:");
	const char *v = opt[n] ? opt + n + 1 : "";

	if (n == 7 && strncmp(opt, "seccomp", n) == 0)
		return 1;
	if (n == 8 && strncmp(opt, "apparmor", n) == 0)
		return 1;
	if (n == 5 && strncmp(opt, "label", n) == 0)
		return strcmp(v, "disable") == 0 || starts_with(v, "type:");
	if (n == 11 && strncmp(opt, "systempaths", n) == 0)
		return strcmp(v, "unconfined") == 0;
	return 0;
}

static int
check_security_opt(struct check *c, const struct compose_service *s)
{
	size_t i;

	if (c->allow & ALLOW_SECURITY_OPT)
		return 0;
	for (i = 0; i < s->security_opt.n; i++) {
		char *detail;
		int rc;

		if (!loosens(s->security_opt.v[i]))
			continue;
		detail = xasprintf("\"security_opt: %s\"",
		    s->security_opt.v[i]);
		rc = refuse(c, "service", s->name, ALLOW_SECURITY_OPT, detail);
		free(detail);
		return rc;
	}
	return 0;
}

static int
check_service(struct check *c, const struct compose_service *s)
{
	if (s->privileged && !(c->allow & ALLOW_PRIVILEGED))
		return refuse(c, "service", s->name, ALLOW_PRIVILEGED,
		    "\"privileged\"");
	if (s->devices.n > 0 && !(c->allow & ALLOW_PRIVILEGED)) {
		char *detail = xasprintf("\"devices: %s\"", s->devices.v[0]);
		int rc = refuse(c, "service", s->name, ALLOW_PRIVILEGED,
		    detail);

		free(detail);
		return rc;
	}
	if (check_namespaces(c, s) < 0 || check_caps(c, s) < 0 ||
	    check_security_opt(c, s) < 0 || check_mounts(c, s) < 0)
		return -1;
	if (s->build != NULL) {
		const char *f = s->build->dockerfile;
		char *df;
		int rc;

		if (check_path(c, s, "build.context", s->build->context) < 0)
			return -1;
		df = f == NULL ? NULL : *f == '/' ? compose_path_clean(f) :
		    path_join(s->build->context, f);
		rc = df ? check_path(c, s, "build.dockerfile", df) : 0;
		free(df);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Is word one of the comma-separated options in list? */
static int
has_option(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	for (;;) {
		size_t len = strcspn(p, ",");

		if (len == n && strncmp(p, word, n) == 0)
			return 1;
		if (p[len] == '\0')
			return 0;
		p += len + 1;
	}
}

/*
 * A volume whose driver options mount a host path, a device or a network
 * share (anything but tmpfs), or whose engine name is not the app's own
 * (another app's data).
 */
static int
check_volume(struct check *c, const struct compose_volume *v)
{
	const struct kv *dev = kvlist_find(&v->driver_opts, "device");
	const struct kv *o = kvlist_find(&v->driver_opts, "o");
	const struct kv *type = kvlist_find(&v->driver_opts, "type");
	char *prefix, *detail = NULL;
	int rc = 0;

	if (c->allow & ALLOW_HOST_VOLUMES)
		return 0;
	prefix = xasprintf("%s_", c->p->name);
	if (dev != NULL && !(type != NULL && type->value != NULL &&
	    strcmp(type->value, "tmpfs") == 0))
		detail = xasprintf("\"driver_opts.device: %s\"",
		    dev->value ? dev->value : "");
	else if (o != NULL && o->value != NULL &&
	    (has_option(o->value, "bind") || has_option(o->value, "rbind")))
		detail = xasprintf("\"driver_opts.o: %s\"", o->value);
	else if (type != NULL && type->value != NULL &&
	    strcmp(type->value, "none") == 0)
		detail = xstrdup("\"driver_opts.type: none\"");
	else if (!starts_with(v->name, prefix))
		detail = xasprintf("the volume name \"%s\" (not this app's)",
		    v->name);
	if (detail != NULL)
		rc = refuse(c, "volume", v->key, ALLOW_HOST_VOLUMES, detail);
	free(detail);
	free(prefix);
	return rc;
}

int
policy_check(const struct compose_project *p, unsigned allow)
{
	struct check c = { p, allow, NULL, NULL };
	const char *base = strrchr(p->file, '/');
	size_t i;
	int rc = -1;

	c.file = base ? base + 1 : p->file;
	c.realdir = realpath(p->dir, NULL);
	if (c.realdir == NULL)
		c.realdir = compose_path_clean(p->dir);
	for (i = 0; i < p->nservices; i++) {
		if (check_service(&c, &p->services[i]) < 0)
			goto done;
	}
	for (i = 0; i < p->nvolumes; i++) {
		if (check_volume(&c, &p->volumes[i]) < 0)
			goto done;
	}
	rc = 0;
done:
	free(c.realdir);
	return rc;
}
