/*
 * json.h - what slipway adds to jansson: allocation through the aborting
 * allocator, and strings that fail loudly when they cannot be encoded.
 */
#ifndef SLIPWAY_JSON_H
#define SLIPWAY_JSON_H

#include <jansson.h>

/*
 * Make jansson allocate with xmalloc() (which aborts rather than return
 * NULL). Call once, before any JSON value exists: main() and the unit tests.
 */
void jsonx_alloc_init(void);

/*
 * A new JSON string for s, or NULL with error_set() when s is not valid
 * UTF-8 (jansson refuses it); what names the value in the message.
 */
json_t *jsonx_string(const char *what, const char *s);

#endif
