/*
 * engine.h - a Docker Engine API client: libcurl over a unix socket or TCP,
 * the API version negotiated from /_ping, JSON through jansson, every response
 * capped. Functions return 0 (or an HTTP status, where said) and -1 with the
 * engine's own message in error_last().
 */
#ifndef SLIPWAY_ENGINE_H
#define SLIPWAY_ENGINE_H

#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>
#include "lib/kvlist.h"
#include "lib/util.h"

#include "lib/util.h"

#define ENGINE_API_MAX "1.47"
#define ENGINE_RESPONSE_MAX (16u << 20) /* any one JSON answer */
#define ENGINE_LINE_MAX (1u << 20) /* one line of build output or logs */

struct engine;

/*
 * Initialise libcurl now (it reads OpenSSL's configuration, about a
 * millisecond), for a caller with a thread of its own to overlap it with;
 * engine_open does it otherwise. Reports nothing: engine_open does.
 */
void engine_preload(void);

/*
 * Connect to docker_host ("unix:///path" or "tcp://host:port") and negotiate
 * the API version. When nothing answers, the error names docker_host.
 */
MUST_CHECK int engine_open(struct engine **out, const char *docker_host);
/*
 * engine_open, then engine_set_retry(seconds); the first /_ping is retried
 * for that long too.
 */
MUST_CHECK int engine_open_retry(struct engine **out, const char *docker_host,
    long seconds);
/*
 * When the engine cannot be reached, retry for up to seconds (0: never) the
 * idempotent calls (GET, start, stop, remove, wait, tag, volume create) that
 * got no answer. A create or rename that got no answer is never sent again
 * blindly: what exists is looked at first (a container this very create made
 * is removed; a rename found done is done); a build is never retried. Warns
 * once per outage through out_warn().
 */
void engine_set_retry(struct engine *e, long seconds);
void engine_free(struct engine *e);
/* Negotiated version as "1.41"; and as a comparable number (141). */
const char *engine_version(const struct engine *e);
int engine_version_num(const struct engine *e);

/*
 * One request. path is relative to the version prefix ("/containers/json?all=1").
 * body may be NULL. On transport success returns the HTTP status and, when the
 * answer is JSON and the status < 400, stores it in *out (may be NULL to
 * ignore; otherwise *out is NULL). A status >= 400 instead sets error_last()
 * to the engine's "message". -1 on transport failure.
 */
MUST_CHECK int engine_call(struct engine *e, const char *method, const char *path,
    json_t *body, json_t **out);

/* URL-encode s for a query string; returns a new string. */
char *engine_urlencode(const char *s);
/* `filters=` value for label filters: labels is "k=v" strings, n of them. */
char *engine_label_filter(const char *const *labels, size_t n);

/* Containers. */
MUST_CHECK int engine_container_list(struct engine *e, const char *const *labels,
    size_t nlabels, json_t **out); /* all=1, array */
/* Every running container of the engine (no filter, all=0), array. */
MUST_CHECK int engine_container_list_running(struct engine *e, json_t **out);
MUST_CHECK int engine_container_inspect(struct engine *e, const char *id, json_t **out);
/* Create with name; *id_out is the new container's id (allocated). */
MUST_CHECK int engine_container_create(struct engine *e, const char *name, json_t *body,
    char **id_out);
MUST_CHECK int engine_container_start(struct engine *e, const char *id);
/* timeout_s < 0: engine default. */
MUST_CHECK int engine_container_stop(struct engine *e, const char *id, long timeout_s);
MUST_CHECK int engine_container_remove(struct engine *e, const char *id, int volumes);
MUST_CHECK int engine_container_rename(struct engine *e, const char *id, const char *name);
/* Give container id the restart policy name ("unless-stopped", ...). */
MUST_CHECK int engine_container_set_restart(struct engine *e, const char *id,
    const char *policy);
/* Wait until not running; *exit_code gets the status code. */
MUST_CHECK int engine_container_wait(struct engine *e, const char *id, long *exit_code);
MUST_CHECK int engine_network_connect(struct engine *e, const char *network,
    const char *container, json_t *endpoint_config);
/*
 * Run a command in running container id (config: the exec create body,
 * {Cmd, User, WorkingDir, Env}), detached, and wait up to timeout_ms for it
 * to end; *exit_code gets its status.
 */
MUST_CHECK int engine_exec(struct engine *e, const char *id, json_t *config,
    long timeout_ms, long *exit_code);
/* Extract the tar archive (len bytes) into dir of the container. */
MUST_CHECK int engine_container_put_archive(struct engine *e, const char *id,
    const char *dir, const void *tar, size_t len);
/* Disconnect container from network (forced: it may be stopped). */
MUST_CHECK int engine_network_disconnect(struct engine *e, const char *network,
    const char *container);

/* An inspect's answer when the object does not exist (not an error). */
#define ENGINE_MISSING 1

/* Images. Inspect: found 0, ENGINE_MISSING, failure -1. */
MUST_CHECK int engine_image_inspect(struct engine *e, const char *ref, json_t **out);
MUST_CHECK int engine_image_tag(struct engine *e, const char *image, const char *repo,
    const char *tag);
MUST_CHECK int engine_image_remove(struct engine *e, const char *ref);
MUST_CHECK int engine_image_list(struct engine *e, const char *const *labels,
    size_t nlabels, json_t **out);
/* The dangling images carrying every label (at least one): see engine.c. */
MUST_CHECK int engine_image_list_dangling(struct engine *e,
    const char *const *labels, size_t nlabels, json_t **out);

/*
 * No request starts after deadline_ms (now_ms() time; 0: none), and none
 * runs past it: the wall-time limit of a deploy.
 */
void engine_set_deadline(struct engine *e, long long deadline_ms);

/* Networks and volumes. Inspect: found 0, ENGINE_MISSING, failure -1. */
MUST_CHECK int engine_network_inspect(struct engine *e, const char *name, json_t **out);
MUST_CHECK int engine_network_create(struct engine *e, json_t *body);
MUST_CHECK int engine_network_remove(struct engine *e, const char *name);
MUST_CHECK int engine_network_list(struct engine *e, const char *const *labels,
    size_t nlabels, json_t **out);
MUST_CHECK int engine_volume_inspect(struct engine *e, const char *name, json_t **out);
MUST_CHECK int engine_volume_create(struct engine *e, json_t *body);
MUST_CHECK int engine_volume_remove(struct engine *e, const char *name);
MUST_CHECK int engine_volume_list(struct engine *e, const char *const *labels,
    size_t nlabels, json_t **out); /* the answer's "Volumes" array */

/*
 * Build. The tar body comes from read_fn, pulled by libcurl as it sends
 * (chunked); read_fn returns bytes written into buf, 0 at the end, -1 on error
 * (with error_set). Every line of the engine's progress is handed to line_fn
 * as it arrives: "stream" text without its newline, or a status line. An
 * errorDetail line fails the build with the engine's message; the image id
 * from the aux line is stored in *image_id (allocated).
 */
typedef ssize_t (*engine_read_fn)(void *ctx, char *buf, size_t len);
typedef void (*engine_line_fn)(void *ctx, const char *line);
/* Called about once a second while a long call runs (build progress). */
typedef void (*engine_tick_fn)(void *ctx);

struct engine_build_opts {
	const char *dockerfile;   /* path inside the context, NULL = Dockerfile */
	const char *target;       /* NULL = last stage */
	json_t *buildargs;        /* object or NULL */
	json_t *labels;           /* object or NULL */
	const char *const *tags;  /* NULL-terminated, "repo:tag" */
	const char *const *extra_hosts; /* NULL-terminated "host:ip", or NULL */
	const char *network;      /* RUN steps' network mode, NULL = default */
	long long shm_size;       /* bytes, 0 = the engine's */
	int nocache;
	engine_tick_fn tick;      /* NULL, or called about once a second */
	void *tick_ctx;
	int buildkit;             /* version=2: BuildKit, its progress decoded */
	const char *registry_config; /* X-Registry-Config value, or NULL */
};

MUST_CHECK int engine_build(struct engine *e, const struct engine_build_opts *opts,
    engine_read_fn read_fn, void *read_ctx, engine_line_fn line_fn,
    void *line_ctx, char **image_id);

/*
 * Parse one line of build progress (a JSON object). Calls line_fn for text to
 * show; returns 0, or -1 with the engine's message when the line carries an
 * error. An aux ID is stored in *image_id (replacing what was there).
 * Exposed for unit tests and for the streaming parser.
 */
MUST_CHECK int engine_build_parse_line(const char *line, size_t len, engine_line_fn line_fn,
    void *line_ctx, char **image_id);

/*
 * Logs: GET /containers/{id}/logs with stdout+stderr, tail (<0 = all) and
 * follow. Each decoded line (multiplexed stream or raw tty) goes to line_fn.
 */
MUST_CHECK int engine_container_logs(struct engine *e, const char *id, long tail,
    int follow, int tty, engine_line_fn line_fn, void *ctx);
/* The same with the engine's since (unix seconds, 0: all) and timestamps. */
struct engine_logs_opts {
	long tail;       /* < 0: all */
	int follow, tty;
	long long since;
	int timestamps;  /* each line starts with an RFC 3339 time */
};
MUST_CHECK int engine_container_logs_opts(struct engine *e, const char *id,
    const struct engine_logs_opts *o, engine_line_fn line_fn, void *ctx);

/* GET /services/{id}/logs: the same for every task of a Swarm service. */
MUST_CHECK int engine_service_logs(struct engine *e, const char *id,
    const struct engine_logs_opts *o, engine_line_fn line_fn, void *ctx);

/*
 * Swarm. engine_swarm_manager() reads GET /info: *manager is 1 when the
 * engine is a Swarm manager (Swarm.ControlAvailable); *state (may be NULL)
 * gets Swarm.LocalNodeState ("inactive", "active", ...), allocated.
 */
MUST_CHECK int engine_swarm_manager(struct engine *e, int *manager,
    char **state);
/*
 * GET /services with label filters ("k=v"); an array. engine_service_list_any
 * returns 1 (and *out NULL) when the engine is no Swarm manager, which it
 * says at once (HTTP 503), where GET /info costs several milliseconds.
 */
MUST_CHECK int engine_service_list_any(struct engine *e,
    const char *const *labels, size_t nlabels, json_t **out);
MUST_CHECK int engine_service_list(struct engine *e, const char *const *labels,
    size_t nlabels, json_t **out);
/* GET /services/{id or name}: found 0, ENGINE_MISSING, failure -1. */
MUST_CHECK int engine_service_inspect(struct engine *e, const char *id,
    json_t **out);
/*
 * POST /services/create with spec (a ServiceSpec) and auth (X-Registry-Auth
 * or NULL); *id_out gets the new service's ID (allocated).
 */
MUST_CHECK int engine_service_create(struct engine *e, json_t *spec,
    const char *auth, char **id_out);
/*
 * POST /services/{id}/update?version=N with spec; rollback asks Swarm for
 * rollback=previous instead (spec is then the current one). Warnings of the
 * answer go through out_warn().
 */
MUST_CHECK int engine_service_update(struct engine *e, const char *id,
    long long version, json_t *spec, const char *auth, int rollback);
/* DELETE /services/{id}; a missing one is not an error. */
MUST_CHECK int engine_service_remove(struct engine *e, const char *id);
/* GET /tasks?filters={key:[value]} ("service", ID or "label", "k=v"). */
MUST_CHECK int engine_task_list(struct engine *e, const char *key,
    const char *value, json_t **out);

/*
 * Decode the engine's multiplexed stdout/stderr stream: feed raw bytes in,
 * complete lines come out through line_fn (a trailing \r removed, lines over
 * ENGINE_LINE_MAX split). Start from a zeroed struct; finish hands over the
 * last partial line and frees the state. Exposed for unit tests.
 */
struct engine_demux {
	unsigned char hdr[8];
	size_t hdr_len;
	size_t frame_left;
	char *line;
	size_t line_len, line_alloc;
	int stream;	/* stream byte of the current frame */
};
void engine_demux_feed(struct engine_demux *d, const char *data, size_t len,
    engine_line_fn line_fn, void *ctx);
void engine_demux_finish(struct engine_demux *d, engine_line_fn line_fn,
    void *ctx);

/*
 * POST path (relative to the version prefix) with body on a connection of its
 * own and take the connection over once the engine answers 101/200 (attach,
 * exec start). *fd_out is the raw stream; bytes that came with the answer's
 * head are appended to early. 0, or -1 with the engine's message.
 */
MUST_CHECK int engine_hijack(struct engine *e, const char *path, json_t *body,
    int *fd_out, struct buf *early);

/*
 * Copy in_fd (may be -1) to sock, and sock to out_fd/err_fd (tty: raw to
 * out_fd; else the multiplexed stream split by stream), starting with the
 * bytes in early, until the engine closes the stream or *stop is set. End
 * of input shuts the socket's write side (the container's stdin closes). 0,
 * or -1 with error_set.
 */
MUST_CHECK int engine_stream_pump(int sock, const struct buf *early, int in_fd,
    int out_fd, int err_fd, int tty, volatile int *stop);

/*
 * Registries. engine_registry_auth() returns the X-Registry-Auth value for
 * the credentials (base64url of {"username","password","serveraddress"}), a
 * new string, or NULL with error_set.
 */
char *engine_registry_auth(const char *username, const char *password,
    const char *serveraddress);
/*
 * The X-Registry-Config of a build: engine_registry_config_add() adds one
 * registry's credentials to *config (created when NULL), keyed by its host
 * (Docker Hub's by its index URL); engine_registry_config() encodes it
 * (base64url of {"HOST": {"username","password","serveraddress"}, ...}), a
 * new string. Both fail with error_set (credentials that are not UTF-8).
 */
MUST_CHECK int engine_registry_config_add(json_t **config,
    const char *username,
    const char *password, const char *serveraddress);
char *engine_registry_config(json_t *config);

/*
 * Decoder of pull/push progress (one JSON object per line): one line to
 * line_fn per change of a layer's state ("a1b2c3: Pull complete"), the
 * others as they are; an error member fails it with the engine's message.
 * The last digest seen (aux.Digest, "Digest: sha256:...") is kept.
 */
#define ENGINE_PROGRESS_LAYERS 512
struct engine_progress {
	struct kvlist layers;	/* id -> last status shown */
	char *digest;
};
#define ENGINE_PROGRESS_INIT { KVLIST_INIT, NULL }
MUST_CHECK int engine_progress_parse_line(struct engine_progress *p,
    const char *line, size_t len, engine_line_fn line_fn, void *line_ctx);
void engine_progress_dispose(struct engine_progress *p);

/* Split "name:tag", "name@sha256:..." or "name" (tag "latest"); allocated. */
MUST_CHECK int engine_ref_split(const char *ref, char **name, char **tag);

/*
 * POST /images/create for ref with auth (X-Registry-Auth or NULL); progress
 * to line_fn; *digest (may be NULL) gets the digest pulled, or NULL.
 */
MUST_CHECK int engine_image_pull(struct engine *e, const char *ref,
    const char *auth, engine_line_fn line_fn, void *line_ctx, char **digest);
/* POST /images/NAME/push?tag=TAG; *digest gets the manifest digest. */
MUST_CHECK int engine_image_push(struct engine *e, const char *name,
    const char *tag, const char *auth, engine_line_fn line_fn, void *line_ctx,
    char **digest);

#endif
