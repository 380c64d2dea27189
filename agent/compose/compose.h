/*
 * compose.h - the compose file as typed data. compose_load() reads the file
 * with libyaml, interpolates values, applies env_file/.env and normalises every
 * short and long syntax into the structures below, so that nothing after it
 * needs to know YAML. Errors name file, line and key:
 *   compose.yaml:14: service "web": unknown key "prots"
 */
#ifndef SLIPWAY_COMPOSE_H
#define SLIPWAY_COMPOSE_H

#include <stddef.h>

#include "lib/kvlist.h"
#include "lib/util.h"


struct compose_build {
	char *context;     /* absolute (resolved against the project dir) */
	char *dockerfile;  /* relative to context; NULL = "Dockerfile" */
	struct kvlist args;
	char *target;
	struct strv tags;  /* build.tags: more names for the image */
	char *dockerfile_inline;
	struct kvlist labels;     /* build.labels (slipway.app is slipway's) */
	struct strv extra_hosts;  /* build.extra_hosts: "host:ip" */
	char *network;            /* build.network: none, host; NULL = default */
	char *platform;           /* build.platforms' one entry: the engine's */
	long long shm_size;       /* bytes, 0 = the engine's */
	int no_cache;             /* build every push: no build key reuse */
	int pull;                 /* the same, the FROM images pulled first */
};

/* One container port (ranges are expanded, one entry per target port). */
struct compose_port {
	char *host_ip;     /* NULL = all */
	char *published;   /* NULL = none/ephemeral; "8000" or "8000-8010" */
	unsigned target;
	char *protocol;    /* "tcp" (default), "udp", "sctp" */
	int host_mode;     /* mode: host (a Swarm stack's; else ingress) */
};

enum compose_mount_type {
	MOUNT_VOLUME,      /* named (source set) or anonymous (source NULL) */
	MOUNT_BIND,
	MOUNT_TMPFS,
};

struct compose_mount {
	enum compose_mount_type type;
	char *source;      /* volume key, or absolute host path for binds */
	char *target;
	int read_only;
	int nocopy;                /* volume.nocopy */
	char *bind_propagation;    /* bind.propagation, or NULL */
	/* bind.create_host_path: 1 unless the long syntax sets it false
	 * (compose-go's default; v2 binds without a bind: mapping through
	 * the Bind API, which creates the path too) */
	int bind_create_host_path;
	char *bind_selinux;        /* "z" or "Z" (:z, bind.selinux), or NULL */
	long long tmpfs_size;      /* bytes, 0 = unset */
	long tmpfs_mode;           /* 0 = unset */
	int long_syntax;           /* came from the long form (-> Mounts, not Binds) */
	/* The source was not in the commit: binds_share() moved it to the
	 * app's shared directory; rel is the path as written, for messages. */
	int shared;
	char *rel;
};

struct compose_service_network {
	char *name;        /* key in the top-level networks */
	struct strv aliases;
	char *ipv4_address;
	int priority;
};

enum compose_condition {
	COND_STARTED,
	COND_HEALTHY,
	COND_COMPLETED,
};

struct compose_depends {
	char *service;
	enum compose_condition condition;
	int required;      /* default 1 */
	int restart;
};

/* Durations are nanoseconds; -1 = not set. */
struct compose_healthcheck {
	int set;           /* a healthcheck key was present */
	int disable;       /* disable: true, or test: ["NONE"] */
	struct strv test;  /* as the engine wants it: ["CMD", ...], ["CMD-SHELL", s], ["NONE"] */
	long long interval, timeout, start_period, start_interval;
	long retries;      /* -1 = not set */
};

struct compose_ulimit {
	char *name;
	long long soft, hard;
};

/* A post_start or pre_stop hook: a command run in the container. */
struct compose_hook {
	struct strv command;
	char *user, *working_dir;
	struct kvlist environment;
};

struct compose_http {      /* x-slipway.http (issue 5) */
	int set;
	unsigned port;
	struct strv hosts;
	char *healthcheck; /* path, NULL = "/" */
};

/* A service's use of a secret or config: read-only at target. */
struct compose_fileref {
	char *source;      /* key of the top-level secrets:/configs: entry */
	char *target;      /* absolute path in the container */
	char *uid, *gid;   /* NULL = unset */
	long mode;         /* -1 = unset */
};

/* deploy.update_config or deploy.rollback_config (Swarm stacks only). */
struct compose_update {
	int set;
	long parallelism;          /* -1 unset */
	long long delay, monitor;  /* ns, -1 unset */
	char *failure_action;      /* pause | continue | rollback, or NULL */
	double max_failure_ratio;  /* -1 unset */
	char *order;               /* stop-first | start-first, or NULL */
};

/* The deploy: keys only a Swarm stack uses (target = swarm). */
struct compose_swarm {
	int global;                /* deploy.mode: global */
	char *endpoint_mode;       /* vip | dnsrr, or NULL */
	struct kvlist labels;      /* deploy.labels: on the service */
	struct strv constraints;   /* deploy.placement.constraints */
	struct strv preferences;   /* placement.preferences spread: values */
	long max_replicas;         /* placement.max_replicas_per_node, 0 unset */
	struct compose_update update, rollback;
	/* deploy.restart_policy as written (Swarm's own RestartPolicy) */
	char *restart_condition;   /* none | on-failure | any, or NULL */
	long restart_attempts;     /* -1 unset */
	long long restart_delay, restart_window; /* ns, -1 unset */
	double cpus_reserved;      /* deploy.resources.reservations.cpus, 0 unset */
	int line;                  /* where deploy: is, for warnings */
};

struct compose_service {
	char *name;
	int line;          /* where the service starts, for messages */
	char *image;       /* NULL when only build */
	struct compose_build *build; /* NULL when none */
	struct strv command;    /* exec form; command_set tells empty from unset */
	int command_set;
	struct strv entrypoint;
	int entrypoint_set;
	struct kvlist environment; /* final: env_file, then environment; resolved */
	struct compose_port *ports;
	size_t nports;
	struct strv expose;        /* "80" or "80/udp" */
	struct compose_mount *mounts;
	size_t nmounts;
	/* empty = [default]; sorted by priority (high first), then name */
	struct compose_service_network *networks;
	size_t nnetworks;
	int networks_set;
	struct compose_depends *depends;
	size_t ndepends;
	struct compose_healthcheck healthcheck;
	char *restart;             /* NULL = "no" */
	struct kvlist labels;
	char *working_dir, *user, *hostname, *domainname;
	struct strv extra_hosts;   /* "host:ip" */
	char *stop_signal;
	long long stop_grace_period; /* ns, -1 unset */
	int init;                  /* -1 unset, 0, 1 */
	struct strv tmpfs;         /* "/path" or "/path:opts" */
	struct strv cap_add, cap_drop;
	int read_only;
	int privileged;
	int tty, stdin_open;
	long long shm_size;        /* bytes, 0 unset */
	long long mem_limit;       /* bytes, 0 unset (also deploy.resources.limits.memory) */
	long long mem_reservation;
	double cpus;               /* 0 unset (also deploy...limits.cpus) */
	long long pids_limit;      /* 0 unset */
	int replicas;              /* deploy.replicas / scale, default 1 */
	char *logging_driver;
	struct kvlist logging_options;
	struct compose_ulimit *ulimits;
	size_t nulimits;
	struct kvlist sysctls;
	struct strv dns, dns_search, dns_opt;
	char *container_name;
	char *container_alias;     /* the container_name asked for, when
	                            * policy_own_names put it under the app */
	struct strv profiles;
	struct strv devices;       /* "src:dst[:perm]" */
	char *network_mode, *pid, *ipc, *userns_mode;
	struct strv security_opt;
	char *platform;
	char *pull_policy;
	long long cpu_shares;      /* 0 unset */
	struct strv group_add;
	long oom_score_adj;        /* 0 unset */
	char *mac_address;
	char *runtime;             /* NULL = the engine's default */
	struct strv volumes_from;  /* "service" or "service:ro" (this app's) */
	struct strv links;         /* "service" or "service:alias" */
	struct compose_fileref *secrets, *configs;
	size_t nsecrets, nconfigs;
	struct compose_hook *post_start, *pre_stop;
	size_t npost_start, npre_stop;
	struct compose_swarm swarm;
	/* x-slipway */
	char *release;             /* release command (shell form) or NULL */
	struct compose_http http;
};

struct compose_volume {
	char *key;
	char *name;        /* engine name: <project>_<key> unless name:/external */
	char *driver;
	struct kvlist driver_opts;
	struct kvlist labels;
	int external;
	int line;          /* where its key is in the file, 0 for none */
};

struct compose_ipam_config {
	char *subnet, *ip_range, *gateway;
	struct kvlist aux_addresses;
};

struct compose_network {
	char *key;
	char *name;        /* engine name: <project>_<key> unless name:/external */
	char *driver;
	struct kvlist driver_opts;
	struct kvlist labels;
	int line;          /* where its key is in the file, 0 for none */
	int external;
	int internal;
	int attachable;
	int enable_ipv6;
	int ipam_set;
	char *ipam_driver;
	struct kvlist ipam_options;
	struct compose_ipam_config *ipam_config;
	size_t nipam_config;
};

/*
 * A top-level secrets: or configs: entry: a file inside the release
 * (bind-mounted read-only, as compose does) or a value (environment: or
 * content:, copied into the container before it starts).
 */
struct compose_fileobj {
	char *key;
	char *file;        /* absolute path inside the release, or NULL */
	char *content;     /* when file is NULL */
};

struct compose_project {
	char *name;        /* the project (= app) name */
	char *dir;         /* absolute project directory (the release dir) */
	char *file;        /* absolute path of the compose file */
	struct compose_service *services; /* in file order */
	size_t nservices;
	struct compose_volume *volumes;
	size_t nvolumes;
	struct compose_network *networks; /* includes "default" when used */
	size_t nnetworks;
	struct compose_fileobj *secrets, *configs;
	size_t nsecrets, nconfigs;
	struct strv warnings;      /* e.g. unset variables */
	char *shared_dir;  /* binds_share(): the app's shared directory, or NULL */
};

/*
 * Files on demand. Before the loader looks on disk at a file or directory of
 * the project (compose files, .env, env_file, extends and include files,
 * secrets and configs files, bind sources), it calls compose_need() with the
 * path's absolute form; a hook set with compose_set_need() may write it there
 * (slipway's release directories hold only what the loader asked for, written
 * from git's objects). The hook's failure fails the load. Without a hook the
 * files are expected on disk already. Any new read of a project file must go
 * through compose_need() first.
 */
typedef int (*compose_need_fn)(void *ctx, const char *path);
void compose_set_need(compose_need_fn fn, void *ctx);
MUST_CHECK int compose_need(const char *path);

/* compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml. */
extern const char *const compose_file_names[];

/*
 * Find the compose file in dir; returns its absolute path (allocated) or NULL
 * with error_set ("no compose file in ...").
 */
char *compose_find(const char *dir);

/*
 * Load the compose file at path for project name, with dir as the project
 * directory. Variables for interpolation and for bare environment keys come
 * from vars (the app's config, may be NULL), which beat dir/.env. The process
 * environment is never consulted. 0, or -1 with error_set.
 */
MUST_CHECK int compose_load(struct compose_project **out, const char *path,
    const char *dir, const char *name, const struct kvlist *vars);

/* Same, from a string (for unit tests; bind paths resolve against dir). */
MUST_CHECK int compose_load_string(struct compose_project **out, const char *text,
    size_t len, const char *filename, const char *dir, const char *name,
    const struct kvlist *vars);

/*
 * compose_load and compose_load_string for a target: swarm 1 reads the
 * deploy: keys only a Swarm stack has (mode, placement, update_config,
 * rollback_config, labels, endpoint_mode) into service->swarm; swarm 0
 * refuses them, as compose_load does.
 */
MUST_CHECK int compose_load_target(struct compose_project **out,
    const char *path, const char *dir, const char *name,
    const struct kvlist *vars, int swarm);
MUST_CHECK int compose_load_string_target(struct compose_project **out,
    const char *text, size_t len, const char *filename, const char *dir,
    const char *name, const struct kvlist *vars, int swarm);

void compose_free(struct compose_project *p);

const struct compose_service *compose_service(const struct compose_project *p,
    const char *name);
const struct compose_volume *compose_volume(const struct compose_project *p,
    const char *key);
const struct compose_network *compose_network(const struct compose_project *p,
    const char *key);
/* Is n the app's own ("<app>_...", not external), names no other app sees? */
int compose_network_own(const struct compose_project *p,
    const struct compose_network *n);
/* The secrets: (configs 0) or configs: (configs 1) entry key, or NULL. */
const struct compose_fileobj *compose_fileobj(const struct compose_project *p,
    int configs, const char *key);
/* Is the service started by a plain deploy (no profiles)? */
int compose_service_active(const struct compose_service *s);
/* Does another service wait for service to complete (a one-shot)? */
int compose_service_awaited(const struct compose_project *p,
    const char *service);

/*
 * Order the active services so that dependencies come first. Fills order
 * (nservices entries, indexes into p->services) and returns how many; -1 with
 * error_set on a cycle or an unknown dependency.
 */
MUST_CHECK int compose_order(const struct compose_project *p, size_t *order);

/* Durations: "1m30s", "10s", "1h", "500ms", "1.5s", plain number = seconds. */
MUST_CHECK int compose_parse_duration(const char *s, long long *ns);
/* Byte sizes: "512m", "1g", "64k", "100" (bytes), "1.5gb". */
MUST_CHECK int compose_parse_bytes(const char *s, long long *bytes);
/* A port or a range of ports: "8000", "8000-8010" (0 included). */
MUST_CHECK int compose_port_range(const char *s, unsigned *lo, unsigned *hi);

/* Lexically clean path like Go's filepath.Clean (no file system access). */
char *compose_path_clean(const char *path);
/* Is path dir itself or below it, comparing cleaned paths component-wise? */
int compose_path_within(const char *path, const char *dir);
/*
 * Where the kernel would land for absolute path: symlinks followed one
 * component at a time (dangling ones too), ".." applied to what they
 * resolved to, the missing rest kept as written. Allocated.
 */
char *compose_path_resolve(const char *path);

#endif
