#!/usr/bin/env bash
# `slipway logs NAME [SERVICE] [-n N] [-f]` reads the containers' output
# through the Engine API (multiplexed stdout and stderr, and a tty
# container's raw stream), prefixed by container like compose; over SSH too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-sshd.sh"

app=e2e-logs-$RUN
new_app $app
d=$WORLD/src/$app
cat >"$d/Dockerfile" <<DF
FROM $BASE_IMAGE
DF
cat >"$d/compose.yaml" <<'YML'
services:
  api:
    build: .
    command: ["sh", "-c", "echo api says hello; sleep 0.2; echo api complains >&2; sleep 0.2; echo api line three; exec sleep 3600"]
  worker:
    build: .
    command: ["sh", "-c", "i=0; while true; do echo tick $$i; i=$$((i+1)); sleep 0.5; done"]
  console:
    build: .
    tty: true
    command: ["sh", "-c", "echo from a tty; exec sleep 3600"]
YML
commit_all $app "three services"
push $app || { cat "$WORLD/push.out"; fail "push failed"; }
sleep 1.5

say "every service's lines, stdout and stderr, prefixed like compose"
slipway logs $app >"$WORLD/out" 2>"$WORLD/err" || { cat "$WORLD/err"; fail "logs"; }
grep -qx "api-1     | api says hello" "$WORLD/out" || { cat "$WORLD/out"; fail "api stdout line"; }
grep -qx "api-1     | api complains" "$WORLD/out" || fail "api stderr line"
grep -qx "console-1 | from a tty" "$WORLD/out" || { cat -A "$WORLD/out"; fail "tty line"; }
grep -qx "worker-1  | tick 0" "$WORLD/out" || fail "worker line"
! grep -v -E '^(api-1 {5}|console-1 |worker-1 {2})[|] ' "$WORLD/out" || fail "unprefixed lines"

say "one service, and -n"
slipway logs $app api >"$WORLD/out" || fail "logs api"
[ "$(grep -c . "$WORLD/out")" = 3 ] || { cat "$WORLD/out"; fail "logs api: want 3 lines"; }
! grep -q worker "$WORLD/out" || fail "logs api shows the worker"
slipway logs $app api -n 1 >"$WORLD/out" || fail "logs -n 1"
[ "$(cat "$WORLD/out")" = "api-1 | api line three" ] || { cat "$WORLD/out"; fail "logs -n 1"; }
rc=0; slipway logs $app nosuch 2>"$WORLD/err" || rc=$?
[ $rc = 1 ] || fail "logs of an unknown service: exit $rc"
expect_in "$WORLD/err" "no container for service \"nosuch\""
rc=0; slipway logs e2e-logs-none-$RUN 2>/dev/null || rc=$?
[ $rc = 1 ] || fail "logs of an unknown app: exit $rc"

say "-f follows until stopped"
before=$(slipway logs $app worker | grep -c tick)
rc=0; timeout 3 "$SLIPWAY_BIN" -c "$CONF" logs $app worker -f >"$WORLD/out" || rc=$?
[ $rc = 124 ] || fail "logs -f ended by itself (exit $rc)"
after=$(grep -c tick "$WORLD/out")
[ "$after" -gt "$before" ] || fail "logs -f showed no new lines ($before, then $after)"
rc=0; timeout --foreground 3 "$SLIPWAY_BIN" -c "$CONF" logs $app -f -n 1 >"$WORLD/out" || rc=$?
[ $rc = 124 ] || fail "logs -f of every service ended (exit $rc)"
grep -q "^api-1     | api line three" "$WORLD/out" || { cat "$WORLD/out"; fail "logs -f: api"; }
grep -q "^console-1 | from a tty" "$WORLD/out" || fail "logs -f: console"
[ "$(grep -c "^worker-1  | tick" "$WORLD/out")" -gt 2 ] || fail "logs -f: worker did not go on"
sleep 0.5
! pgrep -f "$CONF logs $app" >/dev/null || fail "logs -f left followers behind"

say "logs over SSH, for the key's app only"
new_key dev --apps $app
ssh_as dev $SSH_HOST "logs $app api -n 2" >"$WORLD/out" || fail "logs over ssh"
[ "$(cat "$WORLD/out")" = "$(printf 'api-1 | api complains\napi-1 | api line three')" ] ||
	{ cat "$WORLD/out"; fail "logs over ssh output"; }
