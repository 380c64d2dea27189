/*
 * announce.h - tell the configured webhooks ([notify] url, [app] notify_url)
 * how a deploy ended, from a detached process: the deploy neither waits for
 * nor fails with the delivery. A failed delivery is written into the
 * deploy's history row.
 */
#ifndef SLIPWAY_ANNOUNCE_H
#define SLIPWAY_ANNOUNCE_H

#include <jansson.h>

#include "lib/config.h"

/*
 * Send event (a JSON object; the caller keeps its reference) about history
 * row `row` of app to every URL configured for app. Returns at once; nothing
 * is sent when no URL is configured.
 */
void announce(const struct config *cfg, const char *app, long long row,
    json_t *event);

#endif
