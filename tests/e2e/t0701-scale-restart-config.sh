#!/usr/bin/env bash
# Day-to-day operation on a real engine: scale (kept outside git, beats the
# compose file, survives a deploy and a rollback), restart (new containers,
# health-gated), stop/start (a stopped app stays stopped across a deploy),
# config set that redeploys itself and is rolled back (values not kept) when
# the new value makes the app unhealthy; --no-deploy only stores.
. "$(dirname "$0")/lib.sh"

app=e2e-ops-$RUN
port=$(free_port)
new_app $app
src=$WORLD/src/$app
web_app $app $port "version A"
cat >>"$src/compose.yaml" <<'YML'
  worker:
    build: .
    init: true
    command: ["httpd", "-f", "-p", "8080", "-h", "/var/www"]
    environment:
      MODE: ${MODE:-ok}
      GREETING: ${GREETING:-none}
    healthcheck:
      test: ["CMD-SHELL", "test \"$$MODE\" != broken"]
      interval: 1s
      timeout: 2s
      retries: 1
YML
commit_all $app "A"
shaA=$(git -C "$src" rev-parse HEAD)
push $app || { cat "$WORLD/push.out"; fail "push A"; }
wait_http "http://127.0.0.1:$port/" "version A"

running() { # running SERVICE: how many containers of the service run
	docker ps -q --filter "label=com.docker.compose.project=$app" \
	    --filter "label=com.docker.compose.service=$1" | wc -l
}
[ "$(running worker)" = 1 ] || fail "one worker at first"

say "scale worker=3: applied at once, no build"
slipway scale $app worker=3 >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "scale"; }
expect_in "$WORLD/out" "Reusing images"
expect_not_in "$WORLD/out" "Step 1/"
[ "$(running worker)" = 3 ] || fail "scale to 3: $(running worker) run"
[ "$(running web)" = 1 ] || fail "web touched by scale"
say "ps shows the scale: one line per service, one per container with an app"
slipway ps --json >"$WORLD/ps.json"
jq -e --arg app $app --arg sha $shaA '
	[.[] | select(.app == $app)] as $mine |
	($mine | length) == 2 and
	($mine[] | select(.service == "worker") | .running == 3 and .wanted == 3
	    and .commit == $sha and .health == "healthy" and .stopped == false) and
	($mine[] | select(.service == "web") | .running == 1 and
	    (.address | contains("127.0.0.1:'$port'->8080")) and
	    .last_deploy == "succeeded")' "$WORLD/ps.json" >/dev/null ||
	{ cat "$WORLD/ps.json"; fail "ps --json"; }
slipway ps >"$WORLD/ps.txt"
grep -E "^$app +worker +${shaA:0:7} +3/3 +healthy" "$WORLD/ps.txt" >/dev/null ||
	{ cat "$WORLD/ps.txt"; fail "ps table"; }
slipway ps $app >"$WORLD/ps.txt"
[ "$(grep -c "^$app-worker-" "$WORLD/ps.txt")" = 3 ] || { cat "$WORLD/ps.txt"; fail "ps APP"; }
slipway ps $app --json | jq -e 'length == 4 and .[0].service == "web"' >/dev/null || fail "ps APP --json"

say "bad scale arguments change nothing"
! slipway scale $app worker=x >"$WORLD/out" 2>&1 || fail "worker=x accepted"
expect_in "$WORLD/out" "error:"
! slipway scale $app nosuch=2 >"$WORLD/out" 2>&1 || fail "unknown service accepted"
expect_in "$WORLD/out" 'has no service "nosuch"'
[ "$(running worker)" = 3 ] || fail "bad scale changed something"

say "the scale survives a deploy and a rollback"
printf 'version B\n' >"$src/www/index.html"
commit_all $app "B"
push $app || { cat "$WORLD/push.out"; fail "push B"; }
wait_http "http://127.0.0.1:$port/" "version B"
[ "$(running worker)" = 3 ] || fail "deploy lost the scale: $(running worker)"
slipway rollback $app >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "rollback"; }
wait_http "http://127.0.0.1:$port/" "version A"
[ "$(running worker)" = 3 ] || fail "rollback lost the scale: $(running worker)"
slipway scale $app worker=2 >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "scale 2"; }
[ "$(running worker)" = 2 ] || fail "scale in to 2: $(running worker)"

say "restart worker: new containers, web untouched"
w1=$(container_id $app-worker-1) web1=$(container_id $app-web-1)
slipway restart $app worker >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "restart"; }
expect_in "$WORLD/out" "Health gate"
[ "$(container_id $app-worker-1)" != "$w1" ] || fail "restart kept the worker container"
[ "$(container_id $app-web-1)" = "$web1" ] || fail "restart worker touched web"
[ "$(running worker)" = 2 ] || fail "restart changed the scale"
say "a later deploy does not restart again"
w1=$(container_id $app-worker-1)
slipway deploy $app "$shaA" >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "deploy after restart"; }
[ "$(container_id $app-worker-1)" = "$w1" ] || fail "deploy after restart recreated the worker"

say "stop: nothing runs, across a deploy, until start"
slipway stop $app >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "stop"; }
[ "$(running web)" = 0 ] && [ "$(running worker)" = 0 ] || fail "stop left containers running"
! curl -fsS --max-time 2 "http://127.0.0.1:$port/" >/dev/null 2>&1 || fail "web still answers after stop"
slipway ps --json | jq -e --arg app $app '[.[] | select(.app == $app and .stopped and .running == 0)] | length == 2' >/dev/null ||
	fail "ps does not say stopped"
slipway ps | grep -E "^$app +web .* stopped " >/dev/null || fail "ps table does not say stopped"
printf 'version C\n' >"$src/www/index.html"
commit_all $app "C"
push $app || { cat "$WORLD/push.out"; fail "push C while stopped"; }
[ "$(running web)" = 0 ] && [ "$(running worker)" = 0 ] || fail "a deploy started a stopped app"
slipway start $app >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "start"; }
wait_http "http://127.0.0.1:$port/" "version C"
[ "$(running worker)" = 2 ] || fail "start lost the scale: $(running worker)"
slipway stop $app worker >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "stop worker"; }
[ "$(running worker)" = 0 ] && [ "$(running web)" = 1 ] || fail "stop worker"
! slipway start $app nosuch >"$WORLD/out" 2>&1 || fail "start nosuch"
slipway start $app worker >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "start worker"; }
[ "$(running worker)" = 2 ] || fail "start worker"

say "config set redeploys with the value"
slipway config $app set GREETING=hello >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "config set"; }
docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' $app-worker-1 | grep -qx GREETING=hello ||
	fail "config set did not reach the container"
expect_not_in "$WORLD/out" "hello"

say "config set that makes the app unhealthy is rolled back and not kept"
w1=$(container_id $app-worker-1)
! slipway config $app set MODE=broken >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "broken config deployed"; }
expect_in "$WORLD/out" "unhealthy"
expect_in "$WORLD/out" "rolled back"
expect_not_in "$WORLD/out" "broken"
slipway config $app list >"$WORLD/list"
expect_not_in "$WORLD/list" "MODE"
[ "$(running worker)" = 2 ] || fail "worker not back after the rollback"
docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' $app-worker-1 | grep -qx MODE=ok ||
	fail "the rollback did not restore MODE=ok"

say "config set --no-deploy only stores"
w1=$(container_id $app-worker-1)
slipway config $app set --no-deploy GREETING=later >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "--no-deploy"; }
[ "$(container_id $app-worker-1)" = "$w1" ] || fail "--no-deploy touched the container"
slipway config $app list --values | grep -qx GREETING=later || fail "--no-deploy did not store"
slipway config $app unset GREETING >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "unset"; }
docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' $app-worker-1 | grep -qx GREETING=none ||
	fail "config unset did not reach the container"

say "history records each operation"
slipway history $app --json >"$WORLD/h.json"
jq -e '[.[].kind] | index("scale") and index("restart") and index("stop") and
	index("start") and index("config")' "$WORLD/h.json" >/dev/null ||
	{ cat "$WORLD/h.json"; fail "history kinds"; }
