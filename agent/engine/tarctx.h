/*
 * tarctx.h - a build context as a tar stream, produced on demand (pull) with
 * libarchive so that libcurl can send it without the context ever being held
 * in memory. Honours .dockerignore; the Dockerfile and .dockerignore are always
 * sent. Symlinks are sent as links, never followed out of the context.
 */
#ifndef SLIPWAY_TARCTX_H
#define SLIPWAY_TARCTX_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/util.h"

struct tarctx;

/*
 * Prepare the stream for directory dir. dockerfile is the Dockerfile's path
 * relative to dir (NULL: "Dockerfile"). Reads dir/.dockerignore if present.
 * 0 or -1 with error_set.
 */
MUST_CHECK int tarctx_open(struct tarctx **out, const char *dir, const char *dockerfile);
/* Fill buf with up to len bytes of tar; 0 at the end, -1 on error. */
ssize_t tarctx_read(void *tarctx, char *buf, size_t len);
/* How many files and bytes of file data have been sent (for reports). */
void tarctx_stats(const struct tarctx *t, unsigned long *files,
    unsigned long long *bytes);
void tarctx_free(struct tarctx *t);

/* File data is read and sent TARCTX_CHUNK bytes at a time. */
#define TARCTX_CHUNK (64 * 1024)
/* For tests: the most tar bytes ever held in the internal buffer. */
size_t tarctx_peak_buffer(const struct tarctx *t);

/* A file of a tar made in memory (tar_memory). */
struct tar_member {
	const char *path;     /* inside the archive, no leading "/" */
	const char *data;
	size_t len;
	unsigned mode;
	long uid, gid;
};
/* A tar of the n members into out (uncapped: the caller bounds the data). */
MUST_CHECK int tar_memory(const struct tar_member *m, size_t n, struct buf *out);

#endif
