/*
 * history.h - every deploy attempt, in SQLite under state_dir: who pushed
 * what, when, how it ended and its full output.
 */
#ifndef SLIPWAY_HISTORY_H
#define SLIPWAY_HISTORY_H

#include <jansson.h>
#include "lib/util.h"

struct history;

struct history_row {
	long long id;       /* numbered per app from 1 (what users see) */
	char *app, *kind, *commit, *ref, *user, *status, *message;
	char *notify;      /* what failed delivering its notifications, or NULL */
	long long started, finished; /* unix seconds; finished 0 = not yet */
	long long duration_ms;
};

/*
 * Open (creating) state_dir/history.db. A file that is not a usable database
 * (garbage, corruption, or 0 bytes while apps exist) is moved aside as
 * history.db.corrupt-<time> with one out_warn() line, and a fresh one is
 * started. A full disk reads "no space left on the device of state_dir". 0 or -1.
 */
MUST_CHECK int history_open(struct history **out, const char *state_dir);
void history_close(struct history *h);

/*
 * Deploys left "running" by a process that died: those of commit live (the
 * release the containers run; may be NULL) succeeded, the others failed.
 * Called with the app's lock held, so any running row of the app is stale.
 */
MUST_CHECK int history_reap(struct history *h, const char *app,
    const char *live);
/* The distinct commits of app's rows still "running", into out. 0 or -1. */
MUST_CHECK int history_running_commits(struct history *h, const char *app,
    struct strv *out);
/* End row id with status and message, if it is still running; its log stays. */
MUST_CHECK int history_mark(struct history *h, long long id, const char *status,
    const char *message);
/* Start a row; its handle in *row. commit may be NULL until resolved. */
MUST_CHECK int history_begin(struct history *h, const char *app, const char *kind,
    const char *ref, const char *user, long long *row);
MUST_CHECK int history_set_commit(struct history *h, long long row, const char *commit);
/* End a row: status "succeeded" or "failed", message, and the full log. */
MUST_CHECK int history_finish(struct history *h, long long row, const char *status,
    const char *message, const char *log, long long duration_ms);

/* Record what failed delivering the notifications of row id. */
MUST_CHECK int history_set_notify(struct history *h, long long id, const char *text);

/* Newest first, at most n rows (n <= 0: all). */
MUST_CHECK int history_list(struct history *h, const char *app, int n,
    struct history_row **rows, size_t *nrows);
void history_rows_free(struct history_row *rows, size_t n);
/* The log of deploy id of app (allocated), or NULL with error_set. */
char *history_log(struct history *h, const char *app, long long id);
/*
 * The commits of the newest succeeded deploys of app, newest first, distinct,
 * at most max. 0 or -1.
 */
MUST_CHECK int history_succeeded_commits(struct history *h, const char *app, size_t max,
    char ***commits, size_t *n);
/* The commit of deploy id of app (allocated), or NULL. */
char *history_commit_of(struct history *h, const char *app, long long id);

/* Remove every row of app (`app destroy`): a new app of that name starts at 1. */
MUST_CHECK int history_forget(struct history *h, const char *app);

json_t *history_row_json(const struct history_row *r);
/* ISO 8601 UTC ("2026-11-25T22:20:38Z") of a unix time; writes into buf[21]. */
void history_iso8601(long long t, char buf[21]);

#endif
