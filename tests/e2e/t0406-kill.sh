#!/usr/bin/env bash
# kill -9 of slipway mid-deploy, then another deploy: it converges, no orphan
# containers, history consistent. And a pusher who hangs up does not stop a
# deploy: it finishes, and its output is kept with the history row.
. "$(dirname "$0")/lib.sh"
# mode = post-receive (the default is atomic): the deploy runs after the
# push is accepted.
sed -i 's/^branch = main$/branch = main\nmode = post-receive/' "$CONF"

app=e2e-kill-$RUN
port=$(free_port)
new_app $app
src=$WORLD/src/$app
web_app $app $port "before kill"
commit_all $app "one"
push $app || { cat "$WORLD/push.out"; fail "push one"; }
wait_http "http://127.0.0.1:$port/" "before kill"

say "kill -9 during a build"
sed -i "s|^COPY www /var/www|RUN sleep 30 # $RUN\nCOPY www /var/www|" "$src/Dockerfile"
printf 'after kill\n' >"$src/www/index.html"
commit_all $app "slow"
git -C "$src" push -q production HEAD:main >/dev/null 2>&1 &
for _ in $(seq 1 100); do
	pgrep -f "slipway -c $CONF hook post-receive" >/dev/null && break
	sleep 0.1
done
sleep 1
pkill -9 -f "slipway -c $CONF hook post-receive" || fail "no deploy to kill"
wait || true
slipway history $app -n 1 --json | jq -e '.[0].status == "running"' >/dev/null || fail "killed row not left running"

say "the next deploy reaps the killed one and converges"
sed -i "/^RUN sleep 30 /d" "$src/Dockerfile"
commit_all $app "fast"
push $app || { cat "$WORLD/push.out"; fail "push after kill"; }
wait_http "http://127.0.0.1:$port/" "after kill"
slipway history $app -n 2 --json >"$WORLD/h.json"
jq -e '.[0].status == "succeeded" and .[1].status == "failed" and
	(.[1].message | contains("interrupted"))' "$WORLD/h.json" >/dev/null || { cat "$WORLD/h.json"; fail "history after kill"; }
[ "$(docker ps -aq --filter label=com.docker.compose.project=$app | wc -l)" = 1 ] || fail "orphan containers"

say "the pusher hangs up mid-deploy: the deploy still finishes"
sed -i "s|^COPY www /var/www|RUN sleep 3 # $RUN\nCOPY www /var/www|" "$src/Dockerfile"
printf 'after hangup\n' >"$src/www/index.html"
commit_all $app "hangup"
setsid git -C "$src" push -q production HEAD:main >/dev/null 2>&1 &
pusher=$!
sleep 1.5
kill -HUP -- -$pusher 2>/dev/null || kill -HUP $pusher
kill -INT -- -$pusher 2>/dev/null || true
for _ in $(seq 1 150); do
	slipway history $app -n 1 --json | jq -e '.[0].status != "running"' >/dev/null 2>&1 && break
	sleep 0.2
done
slipway history $app -n 1 --json >"$WORLD/h.json"
jq -e '.[0].status == "succeeded"' "$WORLD/h.json" >/dev/null || { cat "$WORLD/h.json"; fail "deploy did not finish after hang-up"; }
wait_http "http://127.0.0.1:$port/" "after hangup"
slipway history $app --log "$(jq -r '.[0].id' "$WORLD/h.json")" >"$WORLD/log.txt"
expect_in "$WORLD/log.txt" "Deployed $app"
