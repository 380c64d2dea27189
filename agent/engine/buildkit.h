/*
 * buildkit.h - BuildKit's build progress as lines for the pusher. The engine
 * streams it during POST /build?version=2 as {"id":"moby.buildkit.trace",
 * "aux":"<base64>"} where the base64 is a moby.buildkit.v1.StatusResponse
 * (decoded with protobuf-c from buildkit.proto). Steps are numbered as
 * docker's plain progress numbers them: "#3 [2/4] RUN make", "#3 CACHED",
 * "#3 <output line>", "#3 ERROR: <message>".
 */
#ifndef SLIPWAY_BUILDKIT_H
#define SLIPWAY_BUILDKIT_H

#include <stddef.h>

#include "engine/engine.h"

struct bk_progress;

struct bk_progress *bk_progress_new(void);
void bk_progress_free(struct bk_progress *bk);

/*
 * Decode one trace message (base64 text) and show what is new through
 * line_fn: steps that started, cached or failed, and their output. 0, or -1
 * with error_set when the message cannot be decoded.
 */
MUST_CHECK int bk_progress_feed(struct bk_progress *bk, const char *b64, size_t len,
    engine_line_fn line_fn, void *line_ctx);

/* The error of the first step that failed, or NULL. */
const char *bk_progress_error(const struct bk_progress *bk);

#endif
