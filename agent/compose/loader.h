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

#include <yaml.h>

#include "compose/compose.h"

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

/* paths.c */
char *absolute_dir(const char *dir);
char *resolve_path(const char *dir, const char *p);

/* nodes.c */
int lerr(struct loader *ld, const yaml_node_t *n, const char *fmt,
    ...) PRINTF_LIKE(3, 4);
void set_where(struct loader *ld, const char *what, const char *name);
int serr(struct loader *ld, const yaml_node_t *n, const char *fmt,
    ...) PRINTF_LIKE(3, 4);
int spend(struct loader *ld, const yaml_node_t *n);
int is_null(const yaml_node_t *n);
const struct pair *pairs_find(const struct pairs *ps, const char *key);
void pairs_free(struct pairs *ps);
int collect(struct loader *ld, yaml_node_t *n, struct pairs *out, int depth);
int get_map(struct loader *ld, yaml_node_t *n, const char *key,
    struct pairs *out);
int bad_key(struct loader *ld, const struct pair *pr, const char *prefix,
    const char *const *unsupported);
int get_scalar(struct loader *ld, yaml_node_t *n, const char *key,
    const char *type, char **out);
int get_str(struct loader *ld, yaml_node_t *n, const char *key, char **dst);
int get_str_req(struct loader *ld, yaml_node_t *n, const char *key,
    char **dst);
int get_bool(struct loader *ld, yaml_node_t *n, const char *key, int *dst);
int get_ll(struct loader *ld, yaml_node_t *n, const char *key, long long lo,
    long long hi, long long *dst);
int get_long(struct loader *ld, yaml_node_t *n, const char *key, long lo,
    long hi, long *dst);
int get_double(struct loader *ld, yaml_node_t *n, const char *key,
    double *dst);
int get_duration(struct loader *ld, yaml_node_t *n, const char *key,
    long long *dst);
int get_bytes(struct loader *ld, yaml_node_t *n, const char *key,
    long long *dst);
int get_list(struct loader *ld, yaml_node_t *n, const char *key, int scalar_ok,
    struct strv *dst);
int get_kv(struct loader *ld, yaml_node_t *n, const char *key,
    int empty_for_null, struct kvlist *dst);

/* words.c */
int get_command(struct loader *ld, yaml_node_t *n, const char *key,
    struct strv *dst, int *set);

/* ports.c */
int valid_ip(const char *s);
int svc_ports(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
int svc_expose(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);

/* service.c */
int load_service(struct loader *ld, const struct pair *pr,
    struct compose_service *s);

/* env.c */
int svc_env_file(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
int resolve_environment(struct loader *ld, struct svc *sv);
int load_dotenv(struct loader *ld, const struct kvlist *vars);

/* mounts.c */
int svc_volumes(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);

/* networks.c */
int svc_networks(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);

/* depends.c */
int svc_depends_on(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
int mode_depends(struct loader *ld, struct svc *sv, const char *key,
    const char *mode);

/* resources.c */
int svc_deploy(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
int svc_scale(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
int svc_cpus(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
int svc_pids_limit(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
int svc_logging(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
int svc_ulimits(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);
int svc_devices(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);

/* xslipway.c */
int svc_x_slipway(struct loader *ld, struct svc *sv, yaml_node_t *n,
    const char *key);

/* toplevel.c */
int load_volumes(struct loader *ld, yaml_node_t *n);
int load_networks(struct loader *ld, yaml_node_t *n);
void free_network(struct compose_network *n);
void settle_default_network(struct compose_project *p);

#endif
