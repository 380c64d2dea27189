/*
 * config.h - the server configuration (inih): where repositories and state
 * live, how to reach the engine, deploy policy, per-app permissions.
 */
#ifndef SLIPWAY_CONFIG_H
#define SLIPWAY_CONFIG_H

#include "lib/util.h"

#define CONFIG_DEFAULT_PATH "/etc/slipway/slipway.conf"

/* What a pushed compose file may use beyond the safe default (issue 3). */
enum {
	ALLOW_PRIVILEGED = 1 << 0,   /* privileged, devices */
	ALLOW_HOST_BINDS = 1 << 1,   /* bind mounts outside the release */
	ALLOW_HOST_NETWORK = 1 << 2, /* network_mode/pid/ipc/userns_mode: host */
	ALLOW_CAPS = 1 << 3,         /* cap_add beyond the allow-list */
	ALLOW_SECURITY_OPT = 1 << 4, /* security_opt that lifts confinement */
	ALLOW_HOST_VOLUMES = 1 << 5, /* volume drivers and driver_opts beyond tmpfs */
	ALLOW_EXTERNAL_NETWORKS = 1 << 6, /* networks not the app's own, bridge */
	ALLOW_NETWORK_DRIVERS = 1 << 7,   /* network driver/driver_opts */
	ALLOW_SYSCTLS = 1 << 8,      /* sysctls outside docker's namespaced set */
	ALLOW_ULIMITS = 1 << 9,      /* ulimits above the server's own limits */
	ALLOW_LOGGING = 1 << 10,     /* log drivers other than json-file/local/none */
	ALLOW_LOW_PORTS = 1 << 11,   /* published host ports below 1024 */
	ALLOW_RUNTIME = 1 << 12,     /* runtime: other than the engine's default */
};

/* The `allow =` word of one ALLOW_* flag, or NULL. */
const char *config_allow_word(unsigned flag);
/* All the words, comma-separated, in flag order (static storage). */
const char *config_allow_words(void);

struct config_app {
	char *name;
	unsigned allow;
	struct strv notify_urls;   /* notify_url = ..., in order */
	char *notify_secret;       /* or NULL: the [notify] secret */
	int tls;           /* [app] tls: 1 yes, 0 no, -1 as [tls] enabled */
	char *push;        /* overrides [registry] push, or NULL */
	int swarm;         /* target: 1 swarm, 0 engine, -1 as [deploy] */
	struct config_app *next;
};

/* [registry "HOST"]: credentials of one registry. */
struct config_registry {
	char *host;          /* "registry.example.com" or "127.0.0.1:5000" */
	char *username;
	char *password_file; /* mode 0600 or stricter, owned by root or us */
	struct config_registry *next;
};

struct config {
	char *path;        /* absolute path of the file read, or NULL */
	/* [server] */
	char *repos_dir;
	char *state_dir;
	char *docker_host;
	/* [deploy] */
	char *branch;
	long health_timeout; /* seconds */
	long min_uptime;     /* seconds */
	long keep_releases;
	int atomic;          /* mode = atomic */
	long deploy_timeout; /* seconds of wall time per deploy (30 min); 0 none */
	long engine_retry;   /* seconds an unreachable engine is retried */
	char *default_restart; /* restart policy where compose sets none */
	long swarm;          /* target = swarm: apps are Swarm stacks */
	/* [proxy] */
	char *sites_dir;
	char *listen;        /* PORT or ADDRESS:PORT of the server blocks */
	char *reload;        /* command line, split on blanks, no shell */
	char *check;         /* validation command line ("nginx -t") */
	char *default_app;   /* the one app that may be the default server */
	/* [tls] */
	long tls_enabled;    /* yes: HTTPS for every http host */
	char *acme_directory; /* the ACME server's directory URL */
	char *acme_email;    /* the account's contact, or NULL */
	char *tls_listen;    /* PORT or ADDRESS:PORT of the HTTPS listeners */
	char *acme_client;   /* the uacme program */
	long acme_timeout;   /* seconds per issuance */
	long acme_wait;      /* seconds a push waits for it (it goes on) */
	/* [ssh] */
	char *authorized_keys; /* as set; see config_authorized_keys() */
	int authorized_keys_looked_up;
	/* [notify] */
	struct strv notify_urls; /* url = ..., one per line */
	char *notify_secret;     /* HMAC-SHA256 key of the signature, or NULL */
	long notify_timeout;     /* seconds per attempt */
	long notify_retries;     /* attempts after the first */
	/* [registry] */
	char *push;          /* HOST[:PORT]/PREFIX, or NULL */
	long push_required;  /* a failed push fails the deploy (default yes) */
	/* [registry "HOST"] */
	struct config_registry *registries;
	/* [app "NAME"] */
	struct config_app *apps;
};

/*
 * Fill cfg with defaults, then read path (NULL: CONFIG_DEFAULT_PATH; main()
 * passes $SLIPWAY_CONFIG). A missing default file is fine, a missing named one is
 * not. Errors name file, line and key: `slipway.conf:7: [deploy] unknown key "brnch"`.
 */
MUST_CHECK int config_load(struct config *cfg, const char *path);
void config_dispose(struct config *cfg);
/* The [app] section of app, or NULL. */
const struct config_app *config_app(const struct config *cfg, const char *app);
/* The allow flags for app (0 when no section names it). */
unsigned config_app_allow(const struct config *cfg, const char *app);
/* Does app get certificates and HTTPS ([tls] enabled, [app] tls)? */
int config_app_tls(const struct config *cfg, const char *app);

/* The home of the git account pushes run as (allocated), or NULL. */
char *config_git_home(void);

/*
 * The authorized_keys file: [ssh] authorized_keys, else the git user's
 * ~/.ssh/authorized_keys, looked up on the first call only (getpwnam reads
 * nsswitch and userdb: only the commands that use the file pay for it).
 * NULL when neither exists. The string belongs to cfg.
 */
const char *config_authorized_keys(struct config *cfg);

/* The push target of app ([app] push, else [registry] push), or NULL. */
const char *config_app_push(const struct config *cfg, const char *app);
/* Is app deployed as a Swarm stack (target = swarm)? */
int config_app_swarm(const struct config *cfg, const char *app);
/* The [registry "HOST"] section for host, or NULL. */
const struct config_registry *config_registry_find(const struct config *cfg,
    const char *host);
/*
 * Read r's password_file (refused when group/world-accessible or owned by
 * someone else) into *out, its trailing newline removed.
 */
MUST_CHECK int config_registry_password(const struct config_registry *r,
    char **out);
/* host is HOST or HOST:PORT as a registry name (lowercase). */
MUST_CHECK int config_check_registry_host(const char *host);

#endif
