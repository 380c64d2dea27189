/*
 * policy.c - the rules that keep push access to one app from reaching the
 * host, another app or anyone else's objects on the engine. Each rule names
 * the ALLOW_* flag that lifts it (some have none: they protect other apps);
 * the first rule broken is reported with the file, the service (or volume,
 * network) and the key, and the `allow = ...` word an operator would set.
 *
 * Values are allow-listed, not deny-listed: a key slipway does not
 * recognise the value of (a security_opt, a sysctl, a namespace mode, a log
 * driver) needs the allow word, so that engines and kernels that accept more
 * than this one does are no way around the policy.
 *
 * Paths are compared component-wise after lexical cleaning, then again after
 * following the symlinks that exist (a release may carry a symlink that
 * points out of it). The Docker socket, or a directory holding it, needs
 * allow = privileged even with host-binds: it is root on the host. Binds of
 * the release tree must be read-only and binds never nest inside a writable
 * one: no container may change a path the engine resolves for another bind
 * (see binds.c and the README's "Security model").
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "lib/config.h"
#include "compose/loader.h"
#include "compose/policy.h"

const char *const policy_default_caps[] = {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
	"MKNOD", "NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP",
	"SETUID", "SYS_CHROOT", NULL
};

/* The flags in the order the message lists them. */
static const unsigned all_flags[] = {
	ALLOW_HOST_BINDS, ALLOW_PRIVILEGED, ALLOW_HOST_NETWORK, ALLOW_CAPS,
	ALLOW_SECURITY_OPT, ALLOW_HOST_VOLUMES, ALLOW_EXTERNAL_NETWORKS,
	ALLOW_NETWORK_DRIVERS, ALLOW_SYSCTLS, ALLOW_ULIMITS, ALLOW_LOGGING,
	ALLOW_LOW_PORTS, ALLOW_RUNTIME,
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

/*
 * "FILE:LINE" of the subject (where the service, volume or network starts),
 * else "FILE": the message names the line to look at.
 */
static char *
where(const struct check *c, const char *what, const char *name)
{
	const struct compose_project *p = c->p;
	int line = 0;
	size_t i;

	if (strcmp(what, "service") == 0) {
		for (i = 0; i < p->nservices; i++) {
			if (strcmp(p->services[i].name, name) == 0)
				line = p->services[i].line;
		}
	} else if (strcmp(what, "volume") == 0) {
		for (i = 0; i < p->nvolumes; i++) {
			if (strcmp(p->volumes[i].key, name) == 0)
				line = p->volumes[i].line;
		}
	} else if (strcmp(what, "network") == 0) {
		for (i = 0; i < p->nnetworks; i++) {
			if (strcmp(p->networks[i].key, name) == 0)
				line = p->networks[i].line;
		}
	}
	if (line > 0)
		return xasprintf("%s:%d", c->file, line);
	return xstrdup(c->file);
}

/* what is the subject ("service \"web\""), detail the key and value. */
static int
refuse(struct check *c, const char *what, const char *name, unsigned need,
    const char *detail)
{
	struct buf words = BUF_INIT;
	char *at;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_flags); i++) {
		if ((need & all_flags[i]) == 0)
			continue;
		if (words.len > 0)
			buf_adds(&words, ", ");
		buf_adds(&words, config_allow_word(all_flags[i]));
	}
	at = where(c, what, name);
	error_set("%s: %s \"%s\": %s is not allowed here (an operator can set "
	    "allow = %s for this app)", at, what, name, detail, words.buf);
	free(at);
	buf_release(&words);
	return -1;
}

/* A rule no allow word lifts: it protects other apps, not the host. */
static int PRINTF_LIKE(4, 5)
forbid(struct check *c, const char *what, const char *name,
    const char *fmt, ...)
{
	va_list ap;
	char *msg, *at = where(c, what, name);

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	error_set("%s: %s \"%s\": %s", at, what, name, msg);
	free(msg);
	free(at);
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

/*
 * path as the pusher can read it: relative to the project directory when
 * it lies there lexically (the server's own paths are not theirs to see).
 */
static const char *
shown_path(const struct check *c, const char *path)
{
	size_t n = strlen(c->p->dir);

	if (strncmp(path, c->p->dir, n) == 0 && path[n] == '/' &&
	    path[n + 1] != '\0')
		return path + n + 1;
	if (strcmp(path, c->p->dir) == 0)
		return ".";
	return path;
}

static int
check_path(struct check *c, const struct compose_service *s, const char *key,
    const char *path)
{
	char *detail;
	int rc;

	if ((c->allow & ALLOW_HOST_BINDS) || inside(c, path))
		return 0;
	detail = xasprintf("\"%s\" \"%s\" (outside the release)", key,
	    shown_path(c, path));
	rc = refuse(c, "service", s->name, ALLOW_HOST_BINDS, detail);
	free(detail);
	return rc;
}

/* The source as the pusher wrote it, when the loader made it absolute. */
static const char *
bind_shown(const struct compose_mount *m)
{
	return m->rel != NULL ? m->rel : m->source;
}

/*
 * Where the engine will look for a bind source: its resolved path, the
 * shared directory's entry as it is.
 */
static char *
physical(const struct compose_mount *m)
{
	return m->shared ? xstrdup(m->source) :
	    compose_path_resolve(m->source);
}

/*
 * No bind source may lie strictly inside another bind's source that some
 * container mounts writable: that container could swap a path component
 * for a symlink before the engine resolves the inner source again (at a
 * create, a restart or a rollback).
 */
static int
check_nesting(struct check *c)
{
	const struct compose_project *p = c->p;
	size_t i, j, k, l;
	int rc = 0;

	for (i = 0; i < p->nservices && rc == 0; i++) {
		const struct compose_service *s = &p->services[i];

		for (j = 0; j < s->nmounts && rc == 0; j++) {
			const struct compose_mount *w = &s->mounts[j];
			char *wp;

			if (w->type != MOUNT_BIND || w->read_only)
				continue;
			wp = physical(w);
			for (k = 0; k < p->nservices && rc == 0; k++) {
				const struct compose_service *t = &p->services[k];

				for (l = 0; l < t->nmounts && rc == 0; l++) {
					const struct compose_mount *m = &t->mounts[l];
					char *mp;

					if (m->type != MOUNT_BIND)
						continue;
					mp = physical(m);
					if (strcmp(mp, wp) != 0 &&
					    compose_path_within(mp, wp))
						rc = forbid(c, "service", t->name,
						    "\"volumes\" bind of \"%s\" lies "
						    "inside \"%s\", which service "
						    "\"%s\" mounts writable (a "
						    "container could redirect it)",
						    bind_shown(m), bind_shown(w), s->name);
					free(mp);
				}
			}
			free(wp);
		}
	}
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
		if (m->shared) {
			/* binds_share() made it: one entry of the shared dir. */
			const char *sd = c->p->shared_dir;
			size_t n = sd != NULL ? strlen(sd) : 0;

			if (sd == NULL || strncmp(m->source, sd, n) != 0 ||
			    m->source[n] != '/' || m->source[n + 1] == '\0' ||
			    strchr(m->source + n + 1, '/') != NULL)
				return forbid(c, "service", s->name, "\"volumes\" "
				    "bind of \"%s\" is not in the shared "
				    "directory", bind_shown(m));
			continue;
		}
		if (!inside(c, m->source))
			need |= ALLOW_HOST_BINDS;
		if (reaches_socket(m->source))
			need |= ALLOW_HOST_BINDS | ALLOW_PRIVILEGED;
		if ((need & c->allow) != need) {
			detail = xasprintf("\"volumes\" bind of \"%s\"%s",
			    bind_shown(m), (need & ALLOW_PRIVILEGED) ?
			    " (the Docker socket)" : " (outside the release)");
			rc = refuse(c, "service", s->name, need, detail);
			free(detail);
			return rc;
		}
		/* The release tree stays as the commit made it. */
		if (!m->read_only && inside(c, m->source))
			return forbid(c, "service", s->name, "\"volumes\" bind of "
			    "\"%s\" must be read-only (\":ro\"): it is in the "
			    "commit, and the release tree is not writable by "
			    "containers (a path not in the commit gets a "
			    "persistent writable directory instead)", bind_shown(m));
	}
	return 0;
}

/* "service:x" of this project: resolved to x's container at create. */
static int
is_service_ref(const struct compose_project *p, const char *v)
{
	return starts_with(v, "service:") &&
	    compose_service(p, v + strlen("service:")) != NULL;
}

static int
check_namespaces(struct check *c, const struct compose_service *s)
{
	static const char *const ipc_fine[] = {
		"private", "shareable", "none", NULL
	};
	static const char *const build_fine[] = { "none", NULL };
	const struct {
		const char *key;
		const char *value;
		int refs;            /* service:x allowed */
		const char *const *fine;
	} modes[] = {
		{ "network_mode", s->network_mode, 1, NULL },
		{ "pid", s->pid, 1, NULL },
		{ "ipc", s->ipc, 1, ipc_fine },
		{ "userns_mode", s->userns_mode, 0, NULL },
		/* the loader leaves none or host (NULL: the default) */
		{ "build.network", s->build ? s->build->network : NULL, 0,
		  build_fine },
	};
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		const char *v = modes[i].value;
		unsigned need = ALLOW_HOST_NETWORK;
		char *detail;
		int rc;

		if (v == NULL || (modes[i].refs && is_service_ref(c->p, v)))
			continue;
		for (j = 0; modes[i].fine != NULL && modes[i].fine[j]; j++) {
			if (strcmp(v, modes[i].fine[j]) == 0)
				break;
		}
		if (modes[i].fine != NULL && modes[i].fine[j] != NULL)
			continue;
		if (i == 0 && strcmp(v, "none") == 0)
			continue;
		/* Another network by name or ID (bridge included). */
		if (i == 0 && strcmp(v, "host") != 0 &&
		    !starts_with(v, "container:"))
			need = ALLOW_EXTERNAL_NETWORKS;
		if (c->allow & need)
			continue;
		detail = xasprintf("\"%s: %s\"", modes[i].key, v);
		rc = refuse(c, "service", s->name, need, detail);
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

/*
 * The security options that only tighten confinement: no-new-privileges
 * (":false" would undo the engine's own default). Anything else needs
 * security-opt: an SELinux label of any kind (a level across every
 * category, an unconfined user or role, a type, disable) can loosen the
 * separation between containers, and so can blanks and unknown spellings.
 */
static int
tightens(const char *opt)
{
	size_t n = strcspn(opt, "=:");
	const char *v = opt[n] ? opt + n + 1 : NULL;

	if (n == 17 && strncmp(opt, "no-new-privileges", n) == 0)
		return v == NULL || strcmp(v, "true") == 0;
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

		if (tightens(s->security_opt.v[i]))
			continue;
		detail = xasprintf("\"security_opt: %s\"",
		    s->security_opt.v[i]);
		rc = refuse(c, "service", s->name, ALLOW_SECURITY_OPT, detail);
		free(detail);
		return rc;
	}
	return 0;
}

/*
 * The sysctls docker allows in a container's own namespaces (moby
 * daemon/oci_linux.go, runc validate): IPC ones, fs.mqueue.*, and net.*
 * when the container has its own network namespace.
 */
static int
sysctl_namespaced(const struct compose_service *s, const char *name)
{
	static const char *const ipc[] = {
		"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
		"kernel.shmall", "kernel.shmmax", "kernel.shmmni",
		"kernel.shm_rmid_forced", NULL
	};
	char *k = xstrdup(name), *q;
	size_t i;
	int ok = 0;

	for (q = k; *q != '\0'; q++) {
		if (*q == '/')
			*q = '.';
	}
	if (strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != strlen(k) ||
	    strstr(k, "..") != NULL)
		goto done;
	for (i = 0; ipc[i] != NULL && !ok; i++)
		ok = strcmp(k, ipc[i]) == 0;
	if (!ok && starts_with(k, "fs.mqueue.") && k[10] != '\0')
		ok = 1;
	if (!ok && starts_with(k, "net.") && k[4] != '\0')
		ok = s->network_mode == NULL;
done:
	free(k);
	return ok;
}

static int
check_sysctls(struct check *c, const struct compose_service *s)
{
	size_t i;

	if (c->allow & ALLOW_SYSCTLS)
		return 0;
	for (i = 0; i < s->sysctls.n; i++) {
		char *detail;
		int rc;

		if (sysctl_namespaced(s, s->sysctls.v[i].key))
			continue;
		detail = xasprintf("\"sysctls: %s\"", s->sysctls.v[i].key);
		rc = refuse(c, "service", s->name, ALLOW_SYSCTLS, detail);
		free(detail);
		return rc;
	}
	return 0;
}

/* The RLIMIT_* of a ulimit name as docker spells them, or -1. */
static int
ulimit_resource(const char *name)
{
	static const struct {
		const char *name;
		int res;
	} names[] = {
		{ "core", RLIMIT_CORE }, { "cpu", RLIMIT_CPU },
		{ "data", RLIMIT_DATA }, { "fsize", RLIMIT_FSIZE },
		{ "locks", RLIMIT_LOCKS }, { "memlock", RLIMIT_MEMLOCK },
		{ "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
		{ "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC },
		{ "rss", RLIMIT_RSS }, { "rtprio", RLIMIT_RTPRIO },
		{ "rttime", RLIMIT_RTTIME }, { "sigpending", RLIMIT_SIGPENDING },
		{ "stack", RLIMIT_STACK }, { "as", RLIMIT_AS },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (strcmp(name, names[i].name) == 0)
			return names[i].res;
	}
	return -1;
}

/* A ulimit up to the hard limit the server itself runs with is fine. */
static int
check_ulimits(struct check *c, const struct compose_service *s)
{
	size_t i;

	if (c->allow & ALLOW_ULIMITS)
		return 0;
	for (i = 0; i < s->nulimits; i++) {
		const struct compose_ulimit *u = &s->ulimits[i];
		int res = ulimit_resource(u->name);
		struct rlimit rl;
		char *detail;
		int rc;

		if (res >= 0 && getrlimit(res, &rl) == 0 && u->soft >= 0 &&
		    u->hard >= 0 && (rl.rlim_max == RLIM_INFINITY ||
		    ((unsigned long long)u->soft <= rl.rlim_max &&
		    (unsigned long long)u->hard <= rl.rlim_max)))
			continue;
		detail = xasprintf("\"ulimits: %s\" (%lld:%lld, above the "
		    "server's limit)", u->name, u->soft, u->hard);
		rc = refuse(c, "service", s->name, ALLOW_ULIMITS, detail);
		free(detail);
		return rc;
	}
	return 0;
}

/*
 * Log drivers that write to the engine's own files; drivers with addresses
 * (syslog, gelf, fluentd, splunk, ...) send to hosts and sockets the pusher
 * names. Options are limited to the files' own.
 */
static int
check_logging(struct check *c, const struct compose_service *s)
{
	static const char *const drivers[] = {
		"json-file", "local", "none", NULL
	};
	static const char *const options[] = {
		"max-size", "max-file", "compress", "labels", "labels-regex",
		"env", "env-regex", "tag", "mode", "max-buffer-size", NULL
	};
	const char *d = s->logging_driver;
	size_t i, j;
	char *detail = NULL;
	int rc;

	if (c->allow & ALLOW_LOGGING)
		return 0;
	if (d != NULL) {
		for (i = 0; drivers[i] != NULL && strcmp(d, drivers[i]); i++)
			;
		if (drivers[i] == NULL)
			detail = xasprintf("\"logging.driver: %s\"", d);
	}
	for (i = 0; detail == NULL && i < s->logging_options.n; i++) {
		const char *k = s->logging_options.v[i].key;

		for (j = 0; options[j] != NULL && strcmp(k, options[j]); j++)
			;
		if (options[j] == NULL)
			detail = xasprintf("\"logging.options.%s\"", k);
	}
	if (detail == NULL)
		return 0;
	rc = refuse(c, "service", s->name, ALLOW_LOGGING, detail);
	free(detail);
	return rc;
}

/*
 * Host ports below 1024 are the server's own (nginx's 80 and 443, sshd):
 * an app holding one at boot would take every app's traffic.
 */
static int
check_ports(struct check *c, const struct compose_service *s)
{
	size_t i;

	if (c->allow & ALLOW_LOW_PORTS)
		return 0;
	for (i = 0; i < s->nports; i++) {
		const char *pub = s->ports[i].published;
		long lo;
		char *detail, *first;
		int rc;

		if (pub == NULL)
			continue;
		first = xstrndup(pub, strcspn(pub, "-"));
		rc = parse_long(first, &lo);
		free(first);
		/* 0 alone is an ephemeral port; a range from 0 holds low ones */
		if (rc == 0 && ((lo == 0 && strchr(pub, '-') == NULL) ||
		    lo >= 1024))
			continue;
		detail = xasprintf("\"ports: %s:%u\" (a host port below 1024)",
		    pub, s->ports[i].target);
		rc = refuse(c, "service", s->name, ALLOW_LOW_PORTS, detail);
		free(detail);
		return rc;
	}
	return 0;
}

/* Labels slipway and compose read to tell what belongs to which app. */
static int
reserved_label(const char *key)
{
	/* com.docker.stack.namespace is what marks a Swarm app's networks
	 * and volumes as its own (prune, destroy) */
	return strncasecmp(key, "com.docker.compose.", 19) == 0 ||
	    strncasecmp(key, "com.docker.stack.", 17) == 0 ||
	    strncasecmp(key, "com.docker.swarm.", 17) == 0 ||
	    strncasecmp(key, "slipway.", 8) == 0;
}

/* labels (the field named field) of what name: none of the reserved ones */
static int
check_labels(struct check *c, const char *what, const char *name,
    const char *field, const struct kvlist *labels)
{
	size_t i;

	for (i = 0; i < labels->n; i++) {
		if (reserved_label(labels->v[i].key))
			return forbid(c, what, name, "\"%s: %s\": the label "
			    "is reserved (slipway sets it)", field,
			    labels->v[i].key);
	}
	return 0;
}

/* "<app>-<svc>-REST": REST (non-empty), else NULL */
static const char *
generated_rest(const char *app, const char *svc, const char *n)
{
	size_t al = strlen(app), sl = strlen(svc);

	if (strncmp(n, app, al) != 0 || n[al] != '-' ||
	    strncmp(n + al + 1, svc, sl) != 0 || n[al + 1 + sl] != '-' ||
	    n[al + 2 + sl] == '\0')
		return NULL;
	return n + al + 2 + sl;
}

/*
 * container_name: only names under "<app>-", as the generated ones
 * (policy_own_names put them there), and none of those.
 */
static int
check_container_name(struct check *c, const struct compose_service *s)
{
	const char *n = s->container_name, *app = c->p->name;
	size_t len = strlen(app), i;

	if (n == NULL)
		return 0;
	/*
	 * Not a name slipway gives: "<app>-<svc>-<N>" (a service's
	 * containers), "<app>-<svc>-run-..." and "<app>-<svc>-release-..."
	 * (one-off containers); nor another service's container_name.
	 */
	for (i = 0; i < c->p->nservices; i++) {
		const struct compose_service *t = &c->p->services[i];
		const char *rest = generated_rest(app, t->name, n);

		if (rest != NULL && ((t != s && t->container_name == NULL &&
		    strspn(rest, "0123456789") == strlen(rest)) ||
		    starts_with(rest, "run-") || starts_with(rest, "release-")))
			return forbid(c, "service", s->name, "\"container_name: "
			    "%s\" is a name slipway gives containers of service "
			    "\"%s\"", n, t->name);
		if (t != s && t->container_name != NULL &&
		    strcmp(t->container_name, n) == 0)
			return forbid(c, "service", s->name, "\"container_name: "
			    "%s\" is service \"%s\"'s too", n, t->name);
	}
	/* its characters are the loader's to check (svc_container_name) */
	if (strncmp(n, app, len) == 0 && n[len] == '-' && n[len + 1] != '\0')
		return 0;
	return forbid(c, "service", s->name, "\"container_name: %s\": container "
	    "names of this app must start with \"%s-\"", n, app);
}

static const char *local_image_name(const char *name);
static int tmpfs_options(const char *o);

/* tmpfs: ["/path:opts"]: the options a tmpfs volume may have, no others. */
static int
check_tmpfs(struct check *c, const struct compose_service *s)
{
	size_t i;

	for (i = 0; i < s->tmpfs.n; i++) {
		const char *o = strchr(s->tmpfs.v[i], ':');

		if (o != NULL && !tmpfs_options(o + 1))
			return forbid(c, "service", s->name, "\"tmpfs: %s\": "
			    "tmpfs options are size, mode, uid, gid, nr_inodes "
			    "and the exec, suid, dev and ro flags",
			    s->tmpfs.v[i]);
	}
	return 0;
}

/*
 * A build tagged as Docker's Dockerfile frontend (image: or build.tags in
 * docker/dockerfile or docker/dockerfile-upstream): BuildKit looks for the
 * frontend a "# syntax=docker/dockerfile:1" asks for on the engine first,
 * and would run this app's image inside every other app's build.
 */
static int
frontend_name(const char *name)
{
	const char *l = local_image_name(name);
	size_t len = strcspn(l, ":@");

	return (len == 17 && strncasecmp(l, "docker/dockerfile", 17) == 0) ||
	    (len == 26 && strncasecmp(l, "docker/dockerfile-upstream", 26) == 0);
}

static int
check_frontend_names(struct check *c, const struct compose_service *s)
{
	const char *bad = NULL;
	size_t i;

	if (s->build == NULL)
		return 0;
	if (s->image != NULL && frontend_name(s->image))
		bad = s->image;
	for (i = 0; bad == NULL && i < s->build->tags.n; i++) {
		if (frontend_name(s->build->tags.v[i]))
			bad = s->build->tags.v[i];
	}
	if (bad == NULL)
		return 0;
	return forbid(c, "service", s->name, "\"%s\" would tag a build as "
	    "Docker's Dockerfile frontend, which the builds of every app may "
	    "run", bad);
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
	if (s->oom_score_adj < 0 && !(c->allow & ALLOW_ULIMITS)) {
		char *detail = xasprintf("\"oom_score_adj: %ld\" (the kernel "
		    "would kill the host's processes first)", s->oom_score_adj);
		int rc = refuse(c, "service", s->name, ALLOW_ULIMITS, detail);

		free(detail);
		return rc;
	}
	if (check_tmpfs(c, s) < 0)
		return -1;
	if (check_container_name(c, s) < 0 || check_frontend_names(c, s) < 0 ||
	    check_labels(c, "service", s->name, "labels", &s->labels) < 0 ||
	    (s->build != NULL && check_labels(c, "service", s->name,
	    "build.labels", &s->build->labels) < 0) ||
	    check_namespaces(c, s) < 0 || check_caps(c, s) < 0 ||
	    check_security_opt(c, s) < 0 || check_mounts(c, s) < 0 ||
	    check_sysctls(c, s) < 0 || check_ulimits(c, s) < 0 ||
	    check_logging(c, s) < 0 || check_ports(c, s) < 0)
		return -1;
	/* another OCI runtime (gVisor, WasmEdge...) is the host's program */
	if (s->runtime != NULL && strcmp(s->runtime, "runc") != 0 &&
	    !(c->allow & ALLOW_RUNTIME)) {
		char *detail = xasprintf("\"runtime: %s\"", s->runtime);
		int rc = refuse(c, "service", s->name, ALLOW_RUNTIME, detail);

		free(detail);
		return rc;
	}
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

/* tmpfs mount options ("size=64m,mode=1777,uid=1000"), nothing else. */
static int
tmpfs_options(const char *o)
{
	static const char *const fine[] = {
		"size=", "mode=", "uid=", "gid=", "nr_inodes=", "noexec",
		"nosuid", "nodev", "exec", "suid", "dev", "ro", "rw", NULL
	};
	const char *p = o;
	size_t i;

	for (;;) {
		size_t len = strcspn(p, ",");

		for (i = 0; fine[i] != NULL; i++) {
			size_t n = strlen(fine[i]);

			if (fine[i][n - 1] == '=' ? (len > n &&
			    strncmp(p, fine[i], n) == 0 &&
			    strspn(p + n, "0123456789kmgKMG%") == len - n) :
			    (len == n && strncmp(p, fine[i], n) == 0))
				break;
		}
		if (fine[i] == NULL)
			return 0;
		if (p[len] == '\0')
			return 1;
		p += len + 1;
	}
}

/*
 * A volume of the local driver, with no driver_opts or tmpfs ones only
 * (others mount a host path, a device or a network share), named as the
 * app's own (not another app's data).
 */
static int
check_volume(struct check *c, const struct compose_volume *v)
{
	const struct kv *dev = kvlist_find(&v->driver_opts, "device");
	const struct kv *o = kvlist_find(&v->driver_opts, "o");
	const struct kv *type = kvlist_find(&v->driver_opts, "type");
	char *prefix, *detail = NULL;
	size_t i;
	int rc = 0;

	if (check_labels(c, "volume", v->key, "labels", &v->labels) < 0)
		return -1;
	if (c->allow & ALLOW_HOST_VOLUMES)
		return 0;
	prefix = xasprintf("%s_", c->p->name);
	for (i = 0; i < v->driver_opts.n && detail == NULL; i++) {
		const char *k = v->driver_opts.v[i].key;

		if (strcmp(k, "type") != 0 && strcmp(k, "device") != 0 &&
		    strcmp(k, "o") != 0)
			detail = xasprintf("\"driver_opts.%s\"", k);
	}
	if (detail != NULL)
		;
	else if (v->driver != NULL && strcmp(v->driver, "local") != 0)
		detail = xasprintf("\"driver: %s\"", v->driver);
	else if (dev != NULL && !(dev->value != NULL &&
	    strcmp(dev->value, "tmpfs") == 0 && type != NULL &&
	    type->value != NULL && strcmp(type->value, "tmpfs") == 0))
		detail = xasprintf("\"driver_opts.device: %s\"",
		    dev->value ? dev->value : "");
	else if (o != NULL && o->value != NULL &&
	    (has_option(o->value, "bind") || has_option(o->value, "rbind")))
		detail = xasprintf("\"driver_opts.o: %s\"", o->value);
	else if (type != NULL && type->value != NULL &&
	    strcmp(type->value, "none") == 0)
		detail = xstrdup("\"driver_opts.type: none\"");
	else if (type != NULL && (type->value == NULL ||
	    strcmp(type->value, "tmpfs") != 0))
		detail = xasprintf("\"driver_opts.type: %s\"",
		    type->value ? type->value : "");
	else if (o != NULL && (o->value == NULL || !tmpfs_options(o->value)))
		detail = xasprintf("\"driver_opts.o: %s\"",
		    o->value ? o->value : "");
	else if (!starts_with(v->name, prefix))
		detail = xasprintf("the volume name \"%s\" (not this app's)",
		    v->name);
	if (detail != NULL)
		rc = refuse(c, "volume", v->key, ALLOW_HOST_VOLUMES, detail);
	free(detail);
	free(prefix);
	return rc;
}

/*
 * Is text an address ("a.b.c.d", "x::y") or a prefix ("/n") inside the
 * private ranges (10/8, 172.16/12, 192.168/16, fc00::/7)? A bridge network
 * on any other prefix puts a route to it on the host: its traffic to that
 * address (a DNS server, the cloud's metadata service) would reach the
 * app's containers.
 */
static int
private_prefix(const char *text)
{
	static const struct { unsigned char net[4]; int bits; } v4[] = {
		{ { 10, 0, 0, 0 }, 8 }, { { 172, 16, 0, 0 }, 12 },
		{ { 192, 168, 0, 0 }, 16 },
	};
	char *a = xstrndup(text, strcspn(text, "/"));
	const char *slash = strchr(text, '/');
	unsigned char b[16];
	long len = -1;
	size_t i;
	int ok = 0;

	if (slash != NULL && parse_long(slash + 1, &len) < 0)
		len = -2;
	if (len != -2 && inet_pton(AF_INET, a, b) == 1) {
		for (i = 0; i < ARRAY_SIZE(v4) && !ok; i++) {
			int bits = v4[i].bits;
			unsigned mask = 0xffu << (8 - (bits % 8)) & 0xffu;

			ok = (slash == NULL || (len >= bits && len <= 32)) &&
			    memcmp(b, v4[i].net, (size_t)(bits / 8)) == 0 &&
			    (bits % 8 == 0 || (b[bits / 8] & mask) ==
			    v4[i].net[bits / 8]);
		}
	} else if (len != -2 && inet_pton(AF_INET6, a, b) == 1)
		ok = (slash == NULL || (len >= 7 && len <= 128)) &&
		    (b[0] & 0xfe) == 0xfc;
	free(a);
	return ok;
}

/* What of n's ipam reaches beyond the app (NULL: nothing), allocated. */
static char *
ipam_detail(const struct compose_network *n)
{
	size_t i;

	if (n->ipam_driver != NULL && strcmp(n->ipam_driver, "default") != 0)
		return xasprintf("\"ipam.driver: %s\"", n->ipam_driver);
	if (n->ipam_options.n > 0)
		return xasprintf("\"ipam.options.%s\"", n->ipam_options.v[0].key);
	for (i = 0; i < n->nipam_config; i++) {
		const struct compose_ipam_config *ic = &n->ipam_config[i];
		const char *v[] = { ic->subnet, ic->ip_range, ic->gateway };
		const char *k[] = { "subnet", "ip_range", "gateway" };
		size_t j;

		if (ic->aux_addresses.n > 0)
			return xstrdup("\"ipam.config.aux_addresses\"");
		for (j = 0; j < ARRAY_SIZE(v); j++) {
			if (v[j] != NULL && !private_prefix(v[j]))
				return xasprintf("\"ipam.config.%s: %s\" (not "
				    "a private address range)", k[j], v[j]);
		}
	}
	return NULL;
}

/*
 * A network of the app's own: named "<app>_...", not external, the default
 * bridge driver with no options and private address ranges. "host" (by any
 * route) needs host-network.
 */
static int
check_network(struct check *c, const struct compose_network *n)
{
	char *prefix = xasprintf("%s_", c->p->name), *detail = NULL;
	unsigned need = 0;
	int rc = 0;

	if (check_labels(c, "network", n->key, "labels", &n->labels) < 0) {
		free(prefix);
		return -1;
	}
	if (strcmp(n->name, "host") == 0) {
		need = ALLOW_HOST_NETWORK | ALLOW_EXTERNAL_NETWORKS;
		detail = xstrdup("the host network");
	} else if (n->external) {
		need = ALLOW_EXTERNAL_NETWORKS;
		detail = xasprintf("the external network \"%s\"", n->name);
	} else if (!starts_with(n->name, prefix) || n->name[strlen(prefix)] ==
	    '\0') {
		need = ALLOW_EXTERNAL_NETWORKS;
		detail = xasprintf("the network name \"%s\" (not this app's)",
		    n->name);
	} else if (n->driver != NULL && strcmp(n->driver, "bridge") != 0) {
		need = ALLOW_NETWORK_DRIVERS;
		detail = xasprintf("\"driver: %s\"", n->driver);
	} else if (n->driver_opts.n > 0) {
		need = ALLOW_NETWORK_DRIVERS;
		detail = xasprintf("\"driver_opts.%s\"", n->driver_opts.v[0].key);
	} else if ((detail = ipam_detail(n)) != NULL)
		need = ALLOW_NETWORK_DRIVERS;
	if (detail != NULL && (c->allow & need) != need)
		rc = refuse(c, "network", n->key, need, detail);
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
	if (check_nesting(&c) < 0)
		goto done;
	for (i = 0; i < p->nvolumes; i++) {
		if (check_volume(&c, &p->volumes[i]) < 0)
			goto done;
	}
	for (i = 0; i < p->nnetworks; i++) {
		if (check_network(&c, &p->networks[i]) < 0)
			goto done;
	}
	rc = 0;
done:
	free(c.realdir);
	return rc;
}

/* name under the app's: "<app><sep>name", or NULL when it is already so */
static char *
own_name(const char *app, char sep, const char *name)
{
	size_t n = strlen(app);

	if (strncmp(name, app, n) == 0 && name[n] == sep)
		return NULL;
	return xasprintf("%s%c%s", app, sep, name);
}

/* A volume's or network's engine name, for own_object_names. */
struct named {
	char **name;
	const char *key;
	int keep;               /* external, or the engine's own network */
};

/*
 * The names of n volumes or networks (what) under the app's prefix. Two
 * that ask for one name share it, as in compose; one placed on another's
 * name is refused.
 */
static int
own_object_names(struct check *c, const char *what, const struct named *o,
    size_t n)
{
	struct compose_project *p = (struct compose_project *)c->p;
	char **asked = xcalloc(n + 1, sizeof *asked);
	size_t i, j;
	int rc = -1;

	for (i = 0; i < n; i++)
		asked[i] = xstrdup(*o[i].name);
	for (i = 0; i < n; i++) {
		char *mine;

		if (o[i].keep ||
		    (mine = own_name(p->name, '_', asked[i])) == NULL)
			continue;
		for (j = 0; j < n; j++) {
			if (j != i && strcmp(asked[j], asked[i]) != 0 &&
			    strcmp(asked[j], mine) == 0)
				break;
		}
		if (j < n) {
			forbid(c, what, o[i].key, "\"name: %s\" would be "
			    "\"%s\", the name of %s \"%s\"", asked[i], mine,
			    what, o[j].key);
			free(mine);
			goto done;
		}
		strv_push_owned(&p->warnings, xasprintf("%s: %s \"%s\": "
		    "\"name: %s\" is created as \"%s\" (an app's %ss are "
		    "named after it)", c->file, what, o[i].key, asked[i], mine,
		    what));
		free(*o[i].name);
		*o[i].name = mine;
	}
	rc = 0;
done:
	for (i = 0; i < n; i++)
		free(asked[i]);
	free(asked);
	return rc;
}

int
policy_own_names(struct compose_project *p, unsigned allow)
{
	struct check c = { p, allow, NULL, NULL };
	const char *base = strrchr(p->file, '/');
	struct named *o;
	size_t i;
	int rc = -1;

	c.file = base ? base + 1 : p->file;
	for (i = 0; i < p->nservices; i++) {
		struct compose_service *s = &p->services[i];
		char *mine;

		if (s->container_name == NULL ||
		    (mine = own_name(p->name, '-', s->container_name)) == NULL)
			continue;
		strv_push_owned(&p->warnings, xasprintf("%s: service \"%s\": "
		    "\"container_name: %s\" is created as \"%s\" (an app's "
		    "containers are named after it); \"%s\" still resolves "
		    "on the app's networks", c.file, s->name, s->container_name,
		    mine, s->container_name));
		free(s->container_alias);
		s->container_alias = s->container_name;
		s->container_name = mine;
	}
	/* the engine's bridge is every container's: the app's own instead */
	for (i = 0; i < p->nservices && !(allow & ALLOW_EXTERNAL_NETWORKS);
	    i++) {
		struct compose_service *s = &p->services[i];

		if (s->network_mode == NULL ||
		    strcmp(s->network_mode, "bridge") != 0)
			continue;
		strv_push_owned(&p->warnings, xasprintf("%s: service \"%s\": "
		    "\"network_mode: bridge\" joins the app's default network "
		    "instead (the engine's bridge is shared with every "
		    "container)", c.file, s->name));
		free(s->network_mode);
		s->network_mode = NULL;
	}
	settle_default_network(p, 0);   /* the loader kept it for bridge */
	o = xcalloc((p->nvolumes > p->nnetworks ? p->nvolumes : p->nnetworks) +
	    1, sizeof *o);
	for (i = 0; i < p->nvolumes && !(allow & ALLOW_HOST_VOLUMES); i++) {
		o[i].name = &p->volumes[i].name;
		o[i].key = p->volumes[i].key;
		o[i].keep = p->volumes[i].external;
	}
	if (i > 0 && own_object_names(&c, "volume", o, i) < 0)
		goto done;
	for (i = 0; i < p->nnetworks && !(allow & ALLOW_EXTERNAL_NETWORKS);
	    i++) {
		const char *n = p->networks[i].name;

		o[i].name = &p->networks[i].name;
		o[i].key = p->networks[i].key;
		o[i].keep = p->networks[i].external ||
		    strcmp(n, "host") == 0 || strcmp(n, "bridge") == 0 ||
		    strcmp(n, "none") == 0;
	}
	if (i > 0 && own_object_names(&c, "network", o, i) < 0)
		goto done;
	rc = 0;
done:
	free(o);
	return rc;
}

/* Does name fall in app o's namespace ("o" itself or "o-...")? */
static int
in_namespace(const char *name, const char *o)
{
	size_t n = strlen(o);

	return strncasecmp(name, o, n) == 0 &&
	    (name[n] == '\0' || name[n] == '-');
}

/*
 * name without the prefixes the engine drops when it stores a local image
 * name (Docker Hub's host and "library/"): "docker.io/library/b-web" is
 * "b-web".
 */
static const char *
local_image_name(const char *name)
{
	static const char *const hosts[] = {
		"docker.io/", "index.docker.io/", "registry-1.docker.io/", NULL
	};
	size_t i;

	for (i = 0; hosts[i] != NULL; i++) {
		if (strncasecmp(name, hosts[i], strlen(hosts[i])) == 0) {
			name += strlen(hosts[i]);
			break;
		}
	}
	if (strncmp(name, "library/", 8) == 0)
		name += 8;
	return name;
}

/*
 * A build of s tagged (image:, build.tags) in app o's names, or an image
 * of s that is not built here named "o-..." (B's own, or to be pulled under
 * B's name).
 */
static int
tags_in_namespace(struct check *c, const struct compose_service *s,
    const char *o)
{
	size_t i;

	if (s->build == NULL) {
		const char *n = s->image ? local_image_name(s->image) : NULL;

		/* a pull would put a name of o's on the host */
		if (n != NULL && in_namespace(n, o) && n[strlen(o)] == '-')
			return forbid(c, "service", s->name, "\"image: %s\" is "
			    "in app \"%s\"'s names (an app runs only its own "
			    "images, or ones no app names)", s->image, o);
		return 0;
	}
	if (s->image != NULL && in_namespace(local_image_name(s->image), o))
		return forbid(c, "service", s->name, "\"image: %s\" would tag "
		    "a build in app \"%s\"'s names", s->image, o);
	for (i = 0; i < s->build->tags.n; i++) {
		const char *t = s->build->tags.v[i];

		if (in_namespace(local_image_name(t), o))
			return forbid(c, "service", s->name, "\"build.tags: "
			    "%s\" would tag a build in app \"%s\"'s names",
			    t, o);
	}
	return 0;
}

int
policy_check_neighbours(const struct compose_project *p,
    const struct strv *apps)
{
	struct check c = { p, 0, NULL, NULL };
	const char *base = strrchr(p->file, '/');
	size_t i, j;

	c.file = base ? base + 1 : p->file;
	for (i = 0; i < p->nservices; i++) {
		const struct compose_service *s = &p->services[i];
		char *gen = xasprintf("%s-%s", p->name, s->name);
		int rc = 0;

		for (j = 0; j < apps->n && rc == 0; j++) {
			const char *o = apps->v[j];

			if (strcmp(o, p->name) == 0)
				continue;
			/* Any app: a build tagged in its repositories. */
			if ((rc = tags_in_namespace(&c, s, o)) < 0)
				break;
			if (!in_namespace(o, p->name))
				continue;
			if (in_namespace(gen, o))
				rc = forbid(&c, "service", s->name, "its containers "
				    "and images would be named \"%s-...\", like "
				    "those of app \"%s\" (rename the service)",
				    gen, o);
			else if (s->container_name != NULL &&
			    in_namespace(s->container_name, o))
				rc = forbid(&c, "service", s->name,
				    "\"container_name: %s\" is in app \"%s\"'s "
				    "names", s->container_name, o);
		}
		free(gen);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/*
 * An address as 16 bytes, IPv4 as IPv4-mapped IPv6 (::ffff:a.b.c.d), which
 * is how the engine binds one written that way; 0 when it is no address.
 */
static int
address_bytes(const char *ip, unsigned char a[16])
{
	unsigned char v4[4];

	if (inet_pton(AF_INET, ip, v4) == 1) {
		memset(a, 0, 10);
		a[10] = a[11] = 0xff;
		memcpy(a + 12, v4, 4);
		return 1;
	}
	return inet_pton(AF_INET6, ip, a) == 1;
}

/* Every address: unset, empty, 0.0.0.0, ::ffff:0.0.0.0 or :: (and a Swarm
 * ingress port). */
static int
any_address(const char *ip)
{
	static const unsigned char zero[16], zero4[16] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0
	};
	unsigned char a[16];

	if (ip == NULL || *ip == '\0')
		return 1;
	return address_bytes(ip, a) && (memcmp(a, zero, 16) == 0 ||
	    memcmp(a, zero4, 16) == 0);
}

/* The same address, however written ("::1" and "0::1", "10.0.0.1" and
 * "::ffff:10.0.0.1"). */
static int
same_address(const char *x, const char *y)
{
	unsigned char a[16], b[16];

	if (address_bytes(x, a) && address_bytes(y, b))
		return memcmp(a, b, 16) == 0;
	return strcmp(x, y) == 0;
}

int
policy_claims_overlap(const struct port_claim *a, const struct port_claim *b)
{
	if (strcasecmp(a->protocol, b->protocol) != 0 || a->hi < b->lo ||
	    b->hi < a->lo)
		return 0;
	return any_address(a->ip) || any_address(b->ip) ||
	    same_address(a->ip, b->ip);
}

/* The refusal of pt, whose host port port owner publishes. */
static int
port_taken(struct check *c, const struct compose_service *s,
    const struct compose_port *pt, unsigned port, const char *owner)
{
	struct buf spec = BUF_INIT;
	int rc;

	if (pt->host_ip != NULL)
		buf_addf(&spec, strchr(pt->host_ip, ':') ? "[%s]:" : "%s:",
		    pt->host_ip);
	buf_addf(&spec, "%s:%u", pt->published, pt->target);
	if (strcmp(pt->protocol, "tcp") != 0)
		buf_addf(&spec, "/%s", pt->protocol);
	rc = forbid(c, "service", s->name, "\"ports: %s\": host port %u/%s "
	    "is already published by %s", spec.buf, port, pt->protocol, owner);
	buf_release(&spec);
	return rc;
}

int
policy_check_port_claims(const struct compose_project *p,
    const struct port_claim *claims, size_t n)
{
	struct check c = { p, 0, NULL, NULL };
	const char *base = strrchr(p->file, '/');
	size_t i, j, k;

	c.file = base ? base + 1 : p->file;
	for (i = 0; i < p->nservices; i++) {
		const struct compose_service *s = &p->services[i];

		for (j = 0; j < s->nports; j++) {
			const struct compose_port *pt = &s->ports[j];
			struct port_claim mine = { pt->protocol, pt->host_ip,
			    0, 0, NULL };

			/* 0: the engine picks a free port */
			if (pt->published == NULL || compose_port_range(
			    pt->published, &mine.lo, &mine.hi) < 0 ||
			    mine.lo == 0)
				continue;
			for (k = 0; k < n; k++) {
				if (policy_claims_overlap(&mine, &claims[k]))
					return port_taken(&c, s, pt, mine.lo >
					    claims[k].lo ? mine.lo : claims[k].lo,
					    claims[k].owner);
			}
		}
	}
	return 0;
}
