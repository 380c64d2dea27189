/*
 * journal.c - the deploy journal file: four "key value" lines, written to a
 * temporary file, fsync'd, renamed over app_dir/journal, and the directory
 * fsync'd, so that after a crash it is either the old file or the new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline/journal.h"
#include "lib/util.h"

#define JOURNAL_MAX 1024

static const char *const phase_names[] = {
	[JOURNAL_CONVERGING] = "converging",
	[JOURNAL_LIVE] = "live",
};

static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0 || fsync(fd) < 0)
		rc = error_set("cannot sync \"%s\": %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

static int
write_as(const char *app_dir, const char *name, const struct journal *j)
{
	char *path = path_join(app_dir, name);
	char *text = xasprintf("previous %s\ntarget %s\nphase %s\nrow %lld\n",
	    j->previous[0] != '\0' ? j->previous : "-", j->target,
	    phase_names[j->phase], j->row);
	int rc = -1, saved;

	if (write_file_atomic(path, text, strlen(text), 0600) < 0)
		goto done;
	rc = sync_dir(app_dir);
done:
	saved = errno;
	free(text);
	free(path);
	errno = saved;
	return rc;
}

int
journal_write(const char *app_dir, const struct journal *j)
{
	return write_as(app_dir, "journal", j);
}

int
journal_stage_live(const char *app_dir, const struct journal *j)
{
	struct journal live = *j;

	live.phase = JOURNAL_LIVE;
	return write_as(app_dir, "journal.live", &live);
}

/* Rename app_dir/from over app_dir/to and sync the directory. */
static int
rename_sync(const char *app_dir, const char *from_name, const char *to_name)
{
	char *from = path_join(app_dir, from_name);
	char *to = path_join(app_dir, to_name);
	int rc = 0;

	if (rename(from, to) < 0)
		rc = error_set("cannot rename \"%s\": %s", from, strerror(errno));
	else
		rc = sync_dir(app_dir);
	free(from);
	free(to);
	return rc;
}

int
journal_promote(const char *app_dir, const char *name)
{
	char *next = xasprintf("%s.next", name);
	int rc = rename_sync(app_dir, next, name);

	free(next);
	return rc;
}

int
journal_go_live(const char *app_dir)
{
	return rename_sync(app_dir, "journal.live", "journal");
}

static int
is_commit(const char *s)
{
	return strlen(s) == 40 && strspn(s, "0123456789abcdef") == 40;
}

int
journal_read(const char *app_dir, struct journal *j)
{
	char *path = path_join(app_dir, "journal");
	char prev[64], target[64], phase[32];
	struct buf b = BUF_INIT;
	long long row;
	int rc = -1;

	memset(j, 0, sizeof *j);
	if (!path_exists(path)) {
		rc = 1;
		goto done;
	}
	if (read_file(path, &b, JOURNAL_MAX) < 0)
		goto done;
	if (sscanf(b.buf, "previous %63s\ntarget %63s\nphase %31s\nrow %lld",
	    prev, target, phase, &row) != 4 || !is_commit(target) ||
	    (strcmp(prev, "-") != 0 && !is_commit(prev)) ||
	    (strcmp(phase, "converging") != 0 && strcmp(phase, "live") != 0)) {
		error_set("%s: malformed deploy journal", path);
		goto done;
	}
	if (strcmp(prev, "-") != 0)
		memcpy(j->previous, prev, 41);
	memcpy(j->target, target, 41);
	j->phase = strcmp(phase, "live") == 0 ? JOURNAL_LIVE : JOURNAL_CONVERGING;
	j->row = row;
	rc = 0;
done:
	buf_release(&b);
	free(path);
	return rc;
}

int
journal_clear(const char *app_dir)
{
	char *path = path_join(app_dir, "journal");
	char *live = path_join(app_dir, "journal.live");
	int rc = 0;

	unlink(live);
	free(live);
	if (unlink(path) < 0 && errno != ENOENT)
		rc = error_set("cannot remove \"%s\": %s", path, strerror(errno));
	else
		rc = sync_dir(app_dir);
	free(path);
	return rc;
}
