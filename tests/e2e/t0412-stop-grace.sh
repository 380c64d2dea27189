#!/usr/bin/env bash
# e2e: alone (see run.sh): it measures time or changes the machine
# A container that ignores SIGTERM is killed at the end of its grace period:
# the deploy says which one and what to change. One that stops at once is not
# named.
. "$(dirname "$0")/lib.sh"

app=e2e-grace-$RUN
new_app $app
src=$WORLD/src/$app
write() {
	cat >"$src/compose.yaml" <<YML
services:
  stubborn:
    image: $BASE_IMAGE
    command: ["sh", "-c", "trap '' TERM; while :; do sleep 1; done"]
    stop_grace_period: 2s
    environment:
      V: "$1"
  polite:
    image: $BASE_IMAGE
    init: true
    command: ["sleep", "3600"]
    environment:
      V: "$1"
YML
	commit_all $app "v$1"
}
write 1
push $app || { cat "$WORLD/push.out"; fail "first push"; }

say "replacing them: only the one that ignored SIGTERM is named"
write 2
push $app || { cat "$WORLD/push.out"; fail "second push"; }
expect_in "$WORLD/push.out" "warning: $app-stubborn-1 ignored SIGTERM and was killed after its 2s grace period"
expect_in "$WORLD/push.out" "add \"init: true\" to service \"stubborn\""
expect_not_in "$WORLD/push.out" "$app-polite-1 ignored SIGTERM"
