/*
 * util.h - the few helpers every module uses: allocation that never returns
 * NULL, one growable string buffer with a size cap, the last-error slot, and
 * the output sink through which libraries report progress without printing.
 */
#ifndef SLIPWAY_UTIL_H
#define SLIPWAY_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
/* A status the caller must look at (gcc refuses a plain (void) cast). */
#define MUST_CHECK __attribute__((warn_unused_result))
/* Tells the analyzers (make analyze) that the x* allocators never return NULL. */
#define RETURNS_NONNULL __attribute__((returns_nonnull))

/* Allocation: on failure these print one line and abort (tmux xmalloc.c). */
void *xmalloc(size_t n) RETURNS_NONNULL;
void *xcalloc(size_t n, size_t size) RETURNS_NONNULL;
void *xrealloc(void *p, size_t n) RETURNS_NONNULL;
/* Grow *p (an array of *alloc elements of size) so that it holds at least want. */
void *xgrow(void *p, size_t *alloc, size_t want, size_t size) RETURNS_NONNULL;
char *xstrdup(const char *s) RETURNS_NONNULL;
char *xstrndup(const char *s, size_t n) RETURNS_NONNULL;
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2) RETURNS_NONNULL;
char *xvasprintf(const char *fmt, va_list ap) RETURNS_NONNULL;

/*
 * struct buf: always NUL-terminated, .buf never NULL after BUF_INIT.
 * .max, when non-zero, caps .len: buf_add() past it sets .overflow and keeps
 * the first .max bytes (curl dynbuf). Everything read from the network, the
 * engine or a pusher goes through a capped buf.
 */
struct buf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t max;
	int overflow;
};
extern char buf_slop[];
#define BUF_INIT { buf_slop, 0, 0, 0, 0 }

void buf_init(struct buf *b, size_t max);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addch(struct buf *b, int c);
void buf_addf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);
void buf_release(struct buf *b);
/* Hand the string over to the caller; b is left empty (BUF_INIT). */
char *buf_detach(struct buf *b, size_t *len);
void buf_rtrim(struct buf *b);

/*
 * The last error, one line, kept for the caller (libgit2 git_error_last).
 * error_set() formats a new message (it may use error_last() among its
 * arguments) and returns -1, so a failure reads `return error_set(...)`.
 */
int error_set(const char *fmt, ...) PRINTF_LIKE(1, 2);
const char *error_last(void);
void error_clear(void);
/*
 * Keep the current error across a cleanup that may set its own:
 *	char *saved = error_save(); ...cleanup...; error_restore(saved);
 * error_save() returns a copy of error_last() (free it, or hand it to
 * error_restore(), which puts it back as the last error and returns -1).
 */
char *error_save(void);
int error_restore(char *saved);
/*
 * Deliberately drop a status, e.g. a best-effort cleanup whose failure
 * changes nothing for the caller. Every call site says why in a comment.
 */
static inline void ignore_status(int status) { (void)status; }

/*
 * Output. Libraries never print: they call out_info() and out_warn(), which go to the
 * sink the command installed (default: stdout / stderr). Every line passes the
 * redaction filter first, so a secret registered with out_redact() never
 * reaches a pusher or a log.
 */
typedef void (*out_sink_fn)(void *ctx, int is_warning, const char *line);
void out_set_sink(out_sink_fn fn, void *ctx);
void out_info(const char *fmt, ...) PRINTF_LIKE(1, 2);
void out_warn(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Write one raw line (no formatting) through the sink. */
void out_line(int is_warning, const char *line);
void out_redact(const char *secret);
/*
 * Values shorter than this cannot be redacted without blanking ordinary
 * words: `config set` refuses them (empty is fine: nothing to leak).
 */
#define OUT_REDACT_MIN 4
void out_redact_clear(void);
/* Apply the redaction filter to s; returns a new string. */
char *out_redacted(const char *s);
/*
 * s with the terminal controls it holds shown as ^X (C0 but tab, and
 * newline when keep_newlines; DEL; C1 in UTF-8 as '?'), a CR that ends a
 * line dropped; a new string. out_line() keeps newlines.
 */
char *out_printable(const char *s, int keep_newlines);

/* Files and paths. All return 0 / -1 with error_set. */
MUST_CHECK int read_file(const char *path, struct buf *out, size_t max);
/* Write atomically: temp file in the same directory, fsync, rename. A file
 * that already holds exactly data with mode (and our owner) is left as it is:
 * no write, no fsync. */
MUST_CHECK int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);
MUST_CHECK int mkdir_p(const char *path, mode_t mode);
/* rm -rf without following symlinks; a missing path is not an error. */
MUST_CHECK int remove_tree(const char *path);
int path_exists(const char *path);
int is_dir(const char *path);
/* Is name a placeholder file (.gitkeep, .keep, .gitignore): what a commit
 * holds of a directory whose contents are not its own? */
int placeholder_name(const char *name);
/* Join a and b with exactly one '/'. */
char *path_join(const char *a, const char *b);
/* Absolute, normalised path of an existing file (realpath). */
char *path_absolute(const char *path);

/*
 * Run a command line split on blanks (no shell, no quoting) and wait for it.
 * Its stdout and stderr go into output (capped). Returns the exit status, or
 * -1 with error_set when it could not run or died of a signal.
 */
MUST_CHECK int run_command(const char *cmdline, struct buf *output);
/*
 * Before an exec: every signal back to its default, none blocked (the agent
 * ignores SIGPIPE, and SIGINT/SIGHUP while deploying). Async-signal-safe.
 */
void signals_reset(void);

/*
 * A short excerpt of untrusted s for a message: at most SHOWN_MAX bytes, then
 * "...", control and non-ASCII bytes as '?' so that no escape sequence
 * reaches a terminal. Returns out.
 */
#define SHOWN_MAX 64
const char *shown(const char *s, char out[SHOWN_MAX + 4]);

/* True when s starts with prefix / ends with suffix. */
int starts_with(const char *s, const char *prefix);
int ends_with(const char *s, const char *suffix);

/*
 * The length of the longest valid UTF-8 prefix of s[0..len) (len when all of
 * it is valid): no overlong forms, surrogates or code points past U+10FFFF,
 * which is what JSON, and so the engine, carries.
 */
size_t utf8_valid_prefix(const char *s, size_t len);

/* Parse a non-negative integer fully; 0 / -1. */
MUST_CHECK int parse_long(const char *s, long *out);

/* Monotonic milliseconds, for timeouts and reporting. */
long long now_ms(void);
void sleep_ms(long ms);

/* A NULL-terminated array of strings. */
struct strv {
	char **v;
	size_t n;
	size_t alloc;
};
#define STRV_INIT { NULL, 0, 0 }
void strv_push(struct strv *s, const char *str);
void strv_push_owned(struct strv *s, char *str);
int strv_contains(const struct strv *s, const char *str);
/* Remove every entry equal to str. */
void strv_remove(struct strv *s, const char *str);
/* Sort the entries by strcmp. */
void strv_sort(struct strv *s);
void strv_clear(struct strv *s);

/* The system headers banned.h redefines come first (fortify inlines). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/banned.h"

#endif
