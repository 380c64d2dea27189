/*
 * loader.h - what the pieces of the compose file loader share (private to
 * agent/compose; compose.h is the interface). libyaml's document API gives
 * the nodes (aliases resolved, "<<" merge keys applied in nodes.c); one
 * handler per key then turns each short and long syntax into compose.h's
 * structures, interpolating every scalar value as it is read (keys never
 * are). Errors are one line naming file, line and key.
 */
#ifndef SLIPWAY_COMPOSE_LOADER_H
#define SLIPWAY_COMPOSE_LOADER_H

#include <stddef.h>

/*
 * Entries (mapping keys, sequence items) one collection may have, merges
 * included: each key is looked up among the others, a cost that grows
 * with the square of a collection's size. No compose file needs more.
 */
#define COMPOSE_MAX_ENTRIES 1000

#include <yaml.h>

#include "compose/compose.h"
#include "lib/util.h"

struct pair {
	const char *key;
	yaml_node_t *knode;
	yaml_node_t *value;
	int file;          /* 0: the file being loaded; n: ld->ext[n - 1] */
};

struct pairs {
	struct pair *v;
	size_t n;
	size_t alloc;
};

/*
 * A file that extends.file names: its nodes are copied into the loader's
 * document (indexes first..last), so that its services merge like the
 * file's own; its relative paths resolve against its directory.
 */
struct extfile {
	char *path;                /* absolute, symlinks resolved */
	char *display;             /* relative to the release, for messages */
	char *dir;
	int first, last;           /* node indexes in the document */
	struct pairs services;
};

struct loader {
	yaml_document_t doc;
	const char *file;          /* as messages name it */
	struct compose_project *p;
	const char *root;          /* the release: nothing is read outside */
	const char *base;          /* relative paths resolve here (p->dir) */
	const struct strv *chain;  /* files including this one, for cycles */
	const struct kvlist *appvars; /* the app's variables */
	struct strv imported;      /* service names that include brought */
	struct extfile *ext;
	size_t next;
	struct kvlist vars;        /* .env, then the app's vars over it */
	struct strv unset;         /* variables already warned about */
	struct pairs services;     /* the services mapping */
	const char *where;         /* "service \"web\": " or "" */
	char *wherebuf;
	const char *service;       /* the service being read, or NULL */
	long work;
	int swarm;                 /* target = swarm: read Swarm's deploy keys */
};

/* Per-service state while its keys are read. */
struct svc {
	struct compose_service *s;
	yaml_node_t *knode;
	struct kvlist env;         /* environment as written */
	struct strv env_files;     /* env_file paths, absolute */
	struct strv optional_env;  /* those with required: false */
	struct strv raw_env;       /* those with format: raw */
	long scale, replicas;      /* -1 unset */
	double d_cpus;             /* deploy.resources; < 0 unset */
	long long d_mem, d_memres, d_pids;
	char *d_restart;           /* deploy.restart_policy as a restart: */
};

#define NODE(ld, i) yaml_document_get_node(&(ld)->doc, (i))

/* paths.c */
char *absolute_dir(const char *dir);
char *resolve_path(const char *dir, const char *p);
/* path relative to the release when inside it (allocated). */
char *release_path(const struct loader *ld, const char *path);

/* load.c */
/* Every compose file the loader reads (compose, include, extends.file). */
MUST_CHECK int read_compose_file(const char *path, struct buf *b);
/*
 * Load the file at path (inside the release) as a project of its own with
 * dir as its directory, for include; env_files (may be NULL: dir/.env)
 * add variables that parent's do not set.
 */
MUST_CHECK int load_included(struct loader *parent, const yaml_node_t *at,
    const char *path, const char *dir, const struct strv *env_files,
    struct compose_project **out);

/* include.c */
enum include_what {
	INCLUDE_VOLUMES, INCLUDE_NETWORKS, INCLUDE_SECRETS, INCLUDE_CONFIGS,
	INCLUDE_SERVICES,
};
struct included {
	struct compose_project *p;
	char *display;             /* its file, relative to the release */
	int line;                  /* of its include entry */
};
MUST_CHECK int load_includes(struct loader *ld, yaml_node_t *n,
    struct included **inc, size_t *ninc);
MUST_CHECK int merge_included(struct loader *ld, struct included *inc,
    size_t ninc, enum include_what what);
void free_included(struct included *inc, size_t ninc);
MUST_CHECK int load_extends_files(struct loader *ld);
int extfile_find(struct loader *ld, int from, yaml_node_t *at,
    const char *file);
void free_extfiles(struct loader *ld);

/* nodes.c */
int lerr(struct loader *ld, const yaml_node_t *n, const char *fmt,
    ...) PRINTF_LIKE(3, 4);
/* Is key one of the NULL-terminated words? (resources.c) */
int in_words(const char *const *words, const char *key);
/* A warning at n's line, as lerr words it, into the project's warnings. */
void lwarn(struct loader *ld, const yaml_node_t *n, const char *fmt,
    ...) PRINTF_LIKE(3, 4);
void set_where(struct loader *ld, const char *what, const char *name);
int serr(struct loader *ld, const yaml_node_t *n, const char *fmt,
    ...) PRINTF_LIKE(3, 4);
MUST_CHECK int spend(struct loader *ld, const yaml_node_t *n);
MUST_CHECK int check_expansion(struct loader *ld);
int is_null(const yaml_node_t *n);
const struct pair *pairs_find(const struct pairs *ps, const char *key);
void pairs_free(struct pairs *ps);
MUST_CHECK int collect(struct loader *ld, yaml_node_t *n, struct pairs *out, int depth);
MUST_CHECK int get_map(struct loader *ld, yaml_node_t *n, const char *key,
    struct pairs *out);
MUST_CHECK int bad_key(struct loader *ld, const struct pair *pr, const char *prefix,
    const char *const *unsupported);
MUST_CHECK int get_scalar(struct loader *ld, yaml_node_t *n, const char *key,
    const char *type, char **out);
MUST_CHECK int get_str(struct loader *ld, yaml_node_t *n, const char *key, char **dst);
MUST_CHECK int get_str_req(struct loader *ld, yaml_node_t *n, const char *key,
    char **dst);
MUST_CHECK int get_bool(struct loader *ld, yaml_node_t *n, const char *key, int *dst);
MUST_CHECK int get_ll(struct loader *ld, yaml_node_t *n, const char *key, long long lo,
    long long hi, long long *dst);
MUST_CHECK int get_long(struct loader *ld, yaml_node_t *n, const char *key, long lo,
    long hi, long *dst);
MUST_CHECK int get_double(struct loader *ld, yaml_node_t *n, const char *key,
    double *dst);
MUST_CHECK int get_duration(struct loader *ld, yaml_node_t *n, const char *key,
    long long *dst);
MUST_CHECK int get_bytes(struct loader *ld, yaml_node_t *n, const char *key,
    long long *dst);
MUST_CHECK int get_list(struct loader *ld, yaml_node_t *n, const char *key, int scalar_ok,
    struct strv *dst);
MUST_CHECK int get_kv(struct loader *ld, yaml_node_t *n, const char *key,
    int empty_for_null, struct kvlist *dst);

/* words.c */
MUST_CHECK int get_command(struct loader *ld, yaml_node_t *n, const char *key,
    struct strv *dst, int *set);

/* ports.c */
int valid_ip(const char *s);
MUST_CHECK int svc_ports(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
MUST_CHECK int svc_expose(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);

/* service.c */
MUST_CHECK int load_service(struct loader *ld, const struct pair *pr,
    struct compose_service *s);

/* env.c */
MUST_CHECK int svc_env_file(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
MUST_CHECK int resolve_environment(struct loader *ld, struct svc *sv);
MUST_CHECK int load_dotenv(struct loader *ld, const struct kvlist *vars);
MUST_CHECK int include_dotenv(struct loader *ld, const struct loader *parent,
    const struct strv *env_files);

/* mounts.c */
MUST_CHECK int svc_volumes(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);

/* networks.c */
MUST_CHECK int svc_networks(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);

/* depends.c */
MUST_CHECK int svc_depends_on(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
MUST_CHECK int mode_depends(struct loader *ld, struct svc *sv, const char *key,
    const char *mode);

/* resources.c */
MUST_CHECK int svc_deploy(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
MUST_CHECK int svc_scale(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
MUST_CHECK int svc_cpus(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
MUST_CHECK int svc_pids_limit(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
MUST_CHECK int svc_logging(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
MUST_CHECK int svc_ulimits(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
MUST_CHECK int svc_devices(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);

/* files.c */
int load_fileobjs(struct loader *ld, yaml_node_t *n, int configs);
int svc_secrets(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
int svc_configs(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
void free_fileobjs(struct compose_fileobj *o, size_t n);
void free_filerefs(struct compose_fileref *r, size_t n);

/* xslipway.c */
MUST_CHECK int svc_x_slipway(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);

/* toplevel.c */
MUST_CHECK int load_volumes(struct loader *ld, yaml_node_t *n);
MUST_CHECK int load_networks(struct loader *ld, yaml_node_t *n);
void free_network(struct compose_network *n);
void settle_default_network(struct compose_project *p, int bridge);

#endif
