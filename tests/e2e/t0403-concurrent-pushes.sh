#!/usr/bin/env bash
# Two pushes at once: the second waits for the first and says so, and the app
# ends on what the branch ends on.
. "$(dirname "$0")/lib.sh"
# mode = post-receive (the default is atomic): it deploys the branch tip
# as it is after the lock.
sed -i 's/^branch = main$/branch = main\nmode = post-receive/' "$CONF"

app=e2e-concurrent-$RUN
port=$(free_port)
new_app $app
src=$WORLD/src/$app
web_app $app $port "first"
# A slow build keeps the first deploy busy while the second push arrives:
# the step names the run, so no build cache on the engine skips it.
sed -i "s|^COPY www /var/www|RUN sleep 6 # $RUN\nCOPY www /var/www|" "$src/Dockerfile"
commit_all $app "first"
git -C "$src" push production HEAD:main >"$WORLD/first.out" 2>&1 &
first=$!
# The second push goes once the first holds the lock (it is building).
n=300
until grep -q "Building web" "$WORLD/first.out"; do
	n=$((n - 1)); [ $n -gt 0 ] || { cat "$WORLD/first.out"; fail "first push never built"; }
	sleep 0.1
done
printf 'second\n' >"$src/www/index.html"
commit_all $app "second"
sha2=$(git -C "$src" rev-parse HEAD)
push $app || { cat "$WORLD/push.out"; fail "second push"; }
wait $first || { cat "$WORLD/first.out"; fail "first push failed"; }
expect_in "$WORLD/push.out" "Waiting for the deploy of"
wait_http "http://127.0.0.1:$port/" "second"
slipway status $app --json | jq -e --arg s "$sha2" '.commit == $s' >/dev/null || fail "not on the branch tip"
[ "$(docker ps -aq --filter label=com.docker.compose.project=$app | wc -l)" = 1 ] || fail "containers left over"
