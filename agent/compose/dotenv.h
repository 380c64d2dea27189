/*
 * dotenv.h - the .env format as compose-go's dotenv parser reads it.
 */
#ifndef SLIPWAY_DOTENV_H
#define SLIPWAY_DOTENV_H

#include "lib/kvlist.h"
#include "lib/util.h"

/*
 * Parse text into out (later keys replace earlier ones). lookup, when not
 * NULL, supplies values for ${VAR} expansion inside unquoted and
 * double-quoted values (variables defined earlier in the same file count
 * too). name is used in errors: `.env:3: unterminated quoted value`.
 */
MUST_CHECK int dotenv_parse(const char *text, size_t len, const char *name,
    const struct kvlist *lookup, struct kvlist *out);
/* env_file format: raw: KEY=VALUE lines taken literally (docker run
 * --env-file); a bare KEY takes its value from lookup, or is left out. */
MUST_CHECK int dotenv_parse_raw(const char *text, size_t len,
    const char *name, const struct kvlist *lookup, struct kvlist *out);
MUST_CHECK int dotenv_read(const char *path, const struct kvlist *lookup,
    struct kvlist *out);

#endif
