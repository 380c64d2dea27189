#!/usr/bin/env bash
# [deploy] timeout ends a deploy that runs too long (issue 9, class 8): the
# push fails saying so, the live release keeps serving, the lock is free
# for the next deploy.
. "$(dirname "$0")/lib.sh"

sed -i 's/^min_uptime = 1$/min_uptime = 1\ntimeout = 10/' "$CONF"
grep -q '^timeout = 10$' "$CONF" || fail "could not set the timeout"

app=e2e-timeout-$RUN
port=$(free_port)
new_app $app
web_app $app $port "v1"
commit_all $app "v1"
push $app || { cat "$WORLD/push.out"; fail "first push"; }
wait_http "http://127.0.0.1:$port/" "v1"
live=$(container_id $app-web-1)
src=$WORLD/src/$app

say "a build that outlasts the timeout"
printf 'RUN sleep 30 # %s\n' "$RUN" >>"$src/Dockerfile"
echo "v2" >"$src/www/index.html"
commit_all $app "slow build"
t0=$(date +%s)
push $app || true
took=$(( $(date +%s) - t0 ))
[ $took -lt 25 ] || fail "the deploy ran ${took}s past a 10s timeout"
expect_in "$WORLD/push.out" "remote: error: build of \"web\" failed: time is up (the deploy's [deploy] timeout)"
[ "$(container_id $app-web-1)" = "$live" ] || fail "the live container changed"
wait_http "http://127.0.0.1:$port/" "v1" 2

say "a release whose health stays starting is rolled back at the timeout"
git -C "$src" reset -q --hard HEAD~1
cat >>"$src/compose.yaml" <<YML
    healthcheck:
      test: ["CMD", "sleep", "120"]
      interval: 1s
      timeout: 120s
YML
commit_all $app "never healthy"
t0=$(date +%s)
push $app -f || true
took=$(( $(date +%s) - t0 ))
[ $took -lt 60 ] || fail "took ${took}s"
expect_in "$WORLD/push.out" "time is up"
expect_in "$WORLD/push.out" "rolled back to"
wait_http "http://127.0.0.1:$port/" "v1" 5

say "the lock is free: the next deploy runs"
git -C "$src" reset -q --hard HEAD~1
echo "v3" >"$src/www/index.html"
commit_all $app "v3"
push $app -f || { cat "$WORLD/push.out"; fail "deploy after a timeout"; }
wait_http "http://127.0.0.1:$port/" "v3"
