/*
 * plan.h - convergence as data. The planner compares what the compose file
 * wants (desired) with what the engine runs (observed) and decides, per
 * container, create / recreate / start / keep / remove, and per network and
 * volume, create / keep. It calls nothing: a unit test checks a plan without
 * an engine, and converge.c carries it out.
 */
#ifndef SLIPWAY_PLAN_H
#define SLIPWAY_PLAN_H

#include <stddef.h>

#include "lib/util.h"

/* One container the engine reports for the project. */
struct observed {
	char *id;
	char *name;
	char *service;
	int number;
	char *hash;        /* com.docker.compose.config-hash */
	char *image_id;    /* ImageID */
	char *commit;      /* slipway.commit */
	char *state;       /* running, exited, created, ... */
	struct strv networks; /* engine network names it is attached to */
	struct strv volumes;  /* named volumes it mounts */
	/* Its anonymous volumes: anon_names[i] is mounted at anon_targets[i]. */
	struct strv anon_targets, anon_names;
};

/* One service as the compose file wants it. */
struct desired {
	const char *service;
	int replicas;
	const char *hash;
	const char *image_id;
	struct strv networks; /* engine names it must be attached to */
	struct strv volumes;  /* named volumes it must mount */
	int fixed_name;       /* container_name: at most one replica */
};

enum plan_action {
	PLAN_KEEP,      /* up to date and running */
	PLAN_START,     /* up to date, not running */
	PLAN_CREATE,    /* no container with that number */
	PLAN_RECREATE,  /* differs: replace */
	PLAN_REMOVE,    /* orphan or beyond the replica count */
};

struct plan_step {
	enum plan_action action;
	const char *service;    /* NULL for orphans of unknown services */
	int number;
	const struct observed *old; /* the existing container, if any */
	const char *reason;     /* why a recreate: "configuration", "image", ... */
};

/* A network by engine name and config hash (NULL: none recorded). */
struct net_state {
	const char *name;
	const char *hash;
};

struct plan {
	struct plan_step *steps; /* desired services in the given order, then removals */
	size_t nsteps, alloc;
	size_t changes;          /* steps that are not PLAN_KEEP, networks to recreate */
	struct strv networks;    /* networks to recreate (engine names) */
};

/*
 * Compute the plan. desired[] is in dependency order; observed[] in any
 * order. Steps come per service in desired order, numbers ascending, then the
 * removals. The plan points into desired and observed, which must outlive it.
 */
void plan_compute(struct plan *plan, const struct desired *desired,
    size_t ndesired, const struct observed *observed, size_t nobserved);
void plan_dispose(struct plan *plan);

/*
 * Add the networks whose configuration diverged (compose v2's
 * reconcileNetworks): those observed under a desired name with a recorded
 * hash that differs from the desired one. An observed network with no hash
 * (created before it was recorded) is left as it is, as compose does. The
 * containers attached to a recreated network are stopped and reconnected:
 * their KEEP steps become START ("network recreated"). Call after
 * plan_compute.
 */
void plan_networks(struct plan *plan, const struct net_state *desired,
    size_t ndesired, const struct net_state *observed, size_t nobserved);
const char *plan_action_name(enum plan_action a);

void observed_dispose(struct observed *o);

#endif
