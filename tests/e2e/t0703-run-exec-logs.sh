#!/usr/bin/env bash
# run: a one-off container of the live release's image with the service's
# environment (the app's config), networks and volumes; output streamed
# (stdout and stderr apart), stdin passed, the exit status returned, the
# container removed; a TTY only when slipway's stdin and stdout are terminals.
# exec: the same in the running container. logs --since, --timestamps.
. "$(dirname "$0")/lib.sh"

app=e2e-run-$RUN
port=$(free_port)
new_app $app
src=$WORLD/src/$app
web_app $app $port "version A"
cat >>"$src/compose.yaml" <<'YML'
    environment:
      GREETING: ${GREETING:-none}
    volumes:
      - data:/data
  ticker:
    build: .
    command: ["sh", "-c", "i=0; while true; do echo tick $$i; i=$$((i+1)); sleep 0.5; done"]
volumes:
  data:
YML
commit_all $app "A"
slipway config $app set --no-deploy GREETING=bonjour >/dev/null
push $app || { cat "$WORLD/push.out"; fail "push A"; }
wait_http "http://127.0.0.1:$port/" "version A"

say "run: output on stdout and stderr, the app's environment, the exit status"
rc=0
slipway run $app web sh -c 'echo out $GREETING; echo err >&2; exit 7' \
	>"$WORLD/out" 2>"$WORLD/err" </dev/null || rc=$?
[ $rc = 7 ] || { cat "$WORLD/out" "$WORLD/err"; fail "run exit status: $rc"; }
[ "$(cat "$WORLD/out")" = "out bonjour" ] || { cat "$WORLD/out"; fail "run stdout"; }
[ "$(cat "$WORLD/err")" = "err" ] || { cat "$WORLD/err"; fail "run stderr"; }
[ -z "$(docker ps -aq --filter "name=$app-web-run-")" ] || fail "run left its container"

say "run: the service's volumes and networks; stdin"
slipway run $app web sh -c 'echo saved >/data/f' </dev/null || fail "run write volume"
[ "$(docker exec $app-web-1 cat /data/f)" = saved ] || fail "run did not share the volume"
slipway run $app web wget -qO- http://web:8080/ </dev/null >"$WORLD/out" || fail "run on the network"
expect_in "$WORLD/out" "version A"
[ "$(printf 'piped in\n' | slipway run $app web cat)" = "piped in" ] || fail "run stdin"
head -c 300000 /dev/urandom | base64 -w0 >"$WORLD/big"
slipway run $app web cat <"$WORLD/big" >"$WORLD/big.out" || fail "run big stdin"
cmp -s "$WORLD/big" "$WORLD/big.out" || fail "run changed 400 KB of data passing through"

say "run: no TTY without a terminal, a TTY with one"
rc=0; slipway run $app web tty </dev/null >"$WORLD/out" 2>&1 || rc=$?
[ $rc = 1 ] && grep -q "not a tty" "$WORLD/out" || { cat "$WORLD/out"; fail "run without a terminal got a TTY ($rc)"; }
script -qec "$SLIPWAY_BIN -c $CONF run $app web sh -c 'tty; exit 3'" /dev/null >"$WORLD/out" </dev/null && rc=0 || rc=$?
grep -q "/dev/pts/[0-9]" "$WORLD/out" || { cat -A "$WORLD/out"; fail "run in a terminal got no TTY"; }
[ $rc = 3 ] || fail "run with a TTY: exit status $rc"

say "run: bad input"
rc=0; slipway run $app nosuch true </dev/null 2>"$WORLD/err" || rc=$?
[ $rc = 125 ] || fail "run of an unknown service: exit $rc"
expect_in "$WORLD/err" "has no service \"nosuch\""

say "exec: in the running container, exit status, stdin"
rc=0; slipway exec $app web sh -c 'cat /data/f; echo $GREETING; exit 4' </dev/null >"$WORLD/out" || rc=$?
[ $rc = 4 ] || fail "exec exit status: $rc"
[ "$(cat "$WORLD/out")" = "$(printf 'saved\nbonjour')" ] || { cat "$WORLD/out"; fail "exec output"; }
[ "$(echo via-exec | slipway exec $app web cat)" = via-exec ] || fail "exec stdin"
rc=0; slipway exec $app web </dev/null 2>/dev/null || rc=$?
[ $rc = 129 ] || fail "exec without a command: exit $rc"

say "logs --since and --timestamps"
sleep 3
all=$(slipway logs $app ticker | grep -c tick)
recent=$(slipway logs $app ticker --since 1s | grep -c tick || true)
[ "$recent" -lt "$all" ] && [ "$recent" -le 4 ] || fail "--since 1s: $recent of $all lines"
[ "$(slipway logs $app ticker --since 10m | grep -c tick)" -ge "$all" ] || fail "--since 10m lost lines"
slipway logs $app ticker -n 2 --timestamps >"$WORLD/out"
grep -Eq '^ticker-1 \| 20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z tick [0-9]+$' "$WORLD/out" ||
	{ cat "$WORLD/out"; fail "--timestamps"; }
! slipway logs $app --since yesterday 2>"$WORLD/err" || fail "--since yesterday accepted"
expect_in "$WORLD/err" "invalid --since"
