/*
 * journal.h - the deploy journal: one small file per app under state_dir,
 * written (and fsync'd, with its directory) before a deploy touches anything
 * that runs, saying which release was live and which one is going in. A run
 * that finds it knows a deploy did not end, and whether the new release had
 * passed its health gate.
 */
#ifndef SLIPWAY_JOURNAL_H
#define SLIPWAY_JOURNAL_H

enum journal_phase {
	JOURNAL_CONVERGING, /* containers may be half-way: restore previous */
	JOURNAL_LIVE,       /* target passed its gate: finish recording it */
};

struct journal {
	char previous[41];  /* the last good release, "" when there is none */
	char target[41];    /* the release going in */
	enum journal_phase phase;
	long long row;      /* its history row, 0 when it has none */
};

/* Write app_dir/journal atomically and durably. 0 or -1 (errno kept). */
int journal_write(const char *app_dir, const struct journal *j);
/*
 * Write j with phase live as app_dir/journal.live, while there is room, so
 * that journal_go_live() is a rename: it works on a full disk.
 */
int journal_stage_live(const char *app_dir, const struct journal *j);
int journal_go_live(const char *app_dir);
/* Durably rename app_dir/name.next over app_dir/name. 0 or -1. */
int journal_promote(const char *app_dir, const char *name);
/* Read it: 0 found, 1 none, -1 unreadable or malformed (error_set). */
int journal_read(const char *app_dir, struct journal *j);
/* Remove it (and journal.live) durably. 0 or -1. */
int journal_clear(const char *app_dir);

#endif
