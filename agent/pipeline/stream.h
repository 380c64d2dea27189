/*
 * stream.h - the deploy's output to the pusher, written by a thread from a
 * bounded queue so that a slow or stuck pusher never holds the deploy (or its
 * lock). When the queue is full, lines are dropped for the pusher, and a note
 * says how many; the history log keeps every line.
 */
#ifndef SLIPWAY_STREAM_H
#define SLIPWAY_STREAM_H

#include <stddef.h>

#define STREAM_QUEUE_MAX (256u << 10)

struct stream;

/* Start the writer thread for fds 1 (lines) and 2 (warnings). */
struct stream *stream_start(size_t max);
/* Queue one line (without its newline); never blocks on the pusher. */
void stream_line(struct stream *s, int is_warning, const char *line);
/*
 * Let the writer drain for up to timeout_ms, then free s. A writer still
 * stuck on the pusher after that is left behind (the process ends soon).
 */
void stream_finish(struct stream *s, long timeout_ms);
/* How many lines were dropped for the pusher so far. */
size_t stream_dropped(struct stream *s);

#endif
