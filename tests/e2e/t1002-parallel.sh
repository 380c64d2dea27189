#!/usr/bin/env bash
# e2e: alone (see run.sh): it measures time or changes the machine
# Services that do not depend on each other are created and started at the
# same time; a service that depends on another's health starts only once it
# is healthy. Here "fast" comes after "dep" in the file, and "dep" waits for
# "slow" to be healthy (3 s): one after the other, "fast" would start after
# that wait; in parallel it starts with "slow".
. "$(dirname "$0")/lib.sh"

app=e2e-par-$RUN
new_app $app
src=$WORLD/src/$app
cat >"$src/compose.yaml" <<YML
services:
  slow:
    image: $BASE_IMAGE
    init: true
    command: ["sh", "-c", "sleep 3; touch /tmp/ready; exec sleep 86400"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 500ms
      retries: 30
  dep:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "86400"]
    depends_on:
      slow:
        condition: service_healthy
  fast:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "86400"]
  other:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "86400"]
YML
commit_all $app "four services"
push $app || { cat "$WORLD/push.out"; fail "push"; }
expect_in "$WORLD/push.out" "Deployed $app"

started() { # seconds since the epoch (fractional) when container $1 started
	date -d "$(docker inspect -f '{{.State.StartedAt}}' "$1")" +%s.%N
}
slow=$(started $app-slow-1)
dep=$(started $app-dep-1)
fast=$(started $app-fast-1)
other=$(started $app-other-1)
say "started after slow: dep $(echo "$dep - $slow" | bc)s, fast $(echo "$fast - $slow" | bc)s, other $(echo "$other - $slow" | bc)s"
[ "$(echo "$dep - $slow >= 3" | bc)" = 1 ] || fail "dep started before slow was healthy"
[ "$(echo "$fast - $slow < 2" | bc)" = 1 ] || fail "fast waited for slow's health: not in parallel"
[ "$(echo "$other - $slow < 2" | bc)" = 1 ] || fail "other waited for slow's health: not in parallel"

say "a failure in one parallel service fails the deploy and names it"
sed -i -e '/^  fast:$/,/^  other:$/s|^    command: .*$|    command: ["/nonexistent"]|' \
	-e '/^  fast:$/,/^  other:$/{/^    init: true$/d}' \
	-e 's|^  other:$|  other:\n    environment: {CHANGED: "1"}|' "$src/compose.yaml"
grep -q nonexistent "$src/compose.yaml" || fail "fixture edit"
commit_all $app "bad fast"
push $app || true
expect_in "$WORLD/push.out" "cannot start \"$app-fast-1\""
expect_in "$WORLD/push.out" "rolled back"
expect_in "$WORLD/push.out" "Recreating $app-other-1"
