/*
 * fake-engine.h - an Engine API served from a thread on a private unix
 * socket, for the unit tests of everything that talks to the engine.
 *
 * Two ways to answer, which mix: canned responses (fake_add(), one per
 * request, in order: the engine client's own tests), then, once they run
 * out, the simulator (fake_sim_start()): a small in-memory engine that keeps
 * containers, networks, volumes and images, so that converge, cutover and the
 * deploy pipeline run against it unchanged. Every request is recorded.
 */
#ifndef SLIPWAY_FAKE_ENGINE_H
#define SLIPWAY_FAKE_ENGINE_H

#include <pthread.h>
#include <stddef.h>

#include <jansson.h>

#include "lib/util.h"

struct fake {
	char dir[64];
	char *sock;
	char *host;		/* "unix:///tmp/.../docker.sock" */
	int lfd;
	int stop[2];
	pthread_t thread;
	pthread_t conns[32];	/* one thread per connection, as the engine */
	int nconns;
	pthread_mutex_t mu;
	struct buf *script;	/* canned responses, binary-safe */
	size_t nscript, ascript, next;
	struct strv reqs;	/* "GET /v1.41/containers/json" */
	struct strv heads;
	struct strv bodies;
	int accepts;
	int sim;		/* the simulator answers after the script */
};

extern struct fake fk;

/* cmocka setup / teardown: start and stop the fake (state unused). */
int fake_setup(void **state);
int fake_teardown(void **state);

/* Queue a canned response (a whole HTTP answer). */
void fake_add_bin(const void *response, size_t len);
void fake_add(const char *response);
void fake_add_owned(char *response);
/* An HTTP answer with a JSON body; a new string. */
char *fake_http(int status, const char *reason, const char *headers,
    const char *body);
/* A /_ping answer announcing version (NULL: no Api-Version header). */
void fake_ping(const char *version);

/* Copies of what the fake saw: request i ("GET /v1.41/..."), NULL past the end. */
char *fake_req(size_t i);
size_t fake_nreqs(void);
int fake_accepts(void);
/* How many requests so far start with "METHOD /path" (the version left out). */
size_t fake_count(const char *prefix);

#define assert_req(i, s) do {				\
	char *r_ = fake_req(i);				\
	assert_non_null(r_);				\
	assert_string_equal(r_, s);			\
	free(r_);					\
} while (0)

/* The simulator. */
struct sim_container {
	char *id;
	char *name;
	char *image;
	char *state;		/* "created", "running", "exited" */
	char *health;		/* NULL, or "starting", "healthy", ... */
	long exit_code;
	json_t *labels;
	json_t *ports;		/* HostConfig.PortBindings of the create */
	struct strv networks;
	struct strv volumes;
};

/* Answer with the simulator once the canned responses run out (API 1.41). */
void fake_sim_start(void);
/* The container named name (or with that id), NULL when there is none. */
struct sim_container *fake_sim_container(const char *name);
size_t fake_sim_ncontainers(void);
int fake_sim_has_network(const char *name);
int fake_sim_has_volume(const char *name);
/* An image the engine knows (for image inspect and build answers). */
void fake_sim_add_image(const char *ref, const char *id);
/*
 * The next count requests that start with prefix ("POST /containers/x/start",
 * the version left out; a container called by id matches its name as well)
 * fail with status and message.
 */
void fake_sim_fail(const char *prefix, int count, int status,
    const char *message);
/* Host port every published container port reports (0: none). */
void fake_sim_set_port(unsigned port);

#endif
