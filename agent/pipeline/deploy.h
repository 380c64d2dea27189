/*
 * deploy.h - one deploy of one app: check out the commit, load and vet its
 * compose file, build or reuse its images, converge. Every push, `deploy` and
 * `rollback` goes through deploy_app().
 */
#ifndef SLIPWAY_DEPLOY_H
#define SLIPWAY_DEPLOY_H

#include "lib/appops.h"
#include "lib/config.h"
#include "lib/kvlist.h"
#include "lib/util.h"

struct deploy_opts {
	const char *rev;   /* NULL: the tip of the deploy branch */
	int from_env;      /* open the repository from git's environment */
	int no_build;      /* every image must exist already (rollback) */
	/* rollback without a REV: the newest succeeded release before the
	 * live one, chosen under the app's lock from the history */
	int previous;
	int skip_if_live;  /* a push of what is already live does nothing */
	const char *kind;  /* "push", "deploy", "rollback" */
	const char *site_template; /* nginx site template, for x-slipway.http */
	const char *user;  /* who asked (the SSH key's name), for the history */
	/* Redeploy the live commit (config, scale, restart, stop, start): no
	 * build; with nothing live, only edit() runs and its result is saved. */
	int live;
	/*
	 * Called under the app's lock with copies of the app's variables and
	 * ops: the release deploys with what it leaves there, and they are saved
	 * when it succeeds. A rollback restores the stored ones. 0 or -1.
	 */
	int (*edit)(void *ctx, struct kvlist *vars, struct app_ops *ops);
	void *edit_ctx;
};

/* Deploy app; 0, or -1 with error_set. Progress goes through out_info(). */
MUST_CHECK int deploy_app(const struct config *cfg, const char *app,
    const struct deploy_opts *opts);

/*
 * Finish what a deploy of app that did not end left in its journal: record a
 * release that had passed its health gate, or restore the previous one (every
 * deploy does this first, under the lock). wait: block for the app's lock;
 * otherwise a held lock (a deploy running) means there is nothing to do.
 * 0, or -1 with error_set when a restore failed (it stays pending).
 */
int deploy_recover(const struct config *cfg, const char *app,
    const char *site_template, int wait);

#endif
