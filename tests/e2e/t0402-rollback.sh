#!/usr/bin/env bash
# Rollback by force-push reuses the old images (no build, same image ID);
# `slipway rollback` goes back to the previous succeeded release; history
# records each attempt.
. "$(dirname "$0")/lib.sh"

app=e2e-rollback-$RUN
port=$(free_port)
new_app $app
src=$WORLD/src/$app
web_app $app $port "version A"
commit_all $app "A"
shaA=$(git -C "$src" rev-parse HEAD)
start=$(date +%s%N)
push $app || { cat "$WORLD/push.out"; fail "push A"; }
say "a fresh deploy by push took $(( ($(date +%s%N) - start) / 1000000 )) ms: $(grep -o 'Deployed.*' "$WORLD/push.out" | sed 's/ *$//')"
wait_http "http://127.0.0.1:$port/" "version A"
imageA=$(docker image inspect -f '{{.Id}}' "$app-web:$shaA")

printf 'version B\n' >"$src/www/index.html"
commit_all $app "B"
shaB=$(git -C "$src" rev-parse HEAD)
push $app || { cat "$WORLD/push.out"; fail "push B"; }
wait_http "http://127.0.0.1:$port/" "version B"

say "git push -f production OLD:main rolls back without a build"
start=$(date +%s%N)
git -C "$src" push -f production "$shaA:main" >"$WORLD/push.out" 2>&1 || { cat "$WORLD/push.out"; fail "rollback push"; }
end=$(date +%s%N)
expect_in "$WORLD/push.out" "Reusing images of ${shaA:0:7}"
expect_not_in "$WORLD/push.out" "-----> Building"
wait_http "http://127.0.0.1:$port/" "version A"
[ "$(docker inspect -f '{{.Image}}' $app-web-1)" = "$imageA" ] || fail "rollback did not reuse image A"
say "rollback by push took $(( (end - start) / 1000000 )) ms: $(grep -o 'Deployed.*' "$WORLD/push.out" | sed 's/ *$//')"

say "slipway rollback goes back to the previous succeeded release (B)"
slipway rollback $app >"$WORLD/rb.out" 2>&1 || { cat "$WORLD/rb.out"; fail "slipway rollback"; }
expect_in "$WORLD/rb.out" "Reusing images of ${shaB:0:7}"
wait_http "http://127.0.0.1:$port/" "version B"

say "slipway rollback REV"
slipway rollback $app "${shaA:0:10}" >"$WORLD/rb.out" 2>&1 || { cat "$WORLD/rb.out"; fail "rollback REV"; }
wait_http "http://127.0.0.1:$port/" "version A"

say "history: newest first, kinds and statuses, ISO 8601 times"
SLIPWAY_USER=carol slipway deploy $app "$shaB" >/dev/null
slipway history $app --json >"$WORLD/h.json"
jq -e --arg a "$shaA" --arg b "$shaB" '
	length == 6 and
	[.[].kind] == ["deploy", "rollback", "rollback", "push", "push", "push"] and
	[.[].commit] == [$b, $a, $b, $a, $b, $a] and
	all(.[]; .status == "succeeded") and .[0].user == "carol" and
	all(.[]; (.started | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")) and
	          (.finished | test("Z$")))' "$WORLD/h.json" >/dev/null ||
	{ cat "$WORLD/h.json"; fail "history json"; }
slipway history $app -n 2 >"$WORLD/h.txt"
[ "$(wc -l <"$WORLD/h.txt")" = 2 ] || fail "history -n 2"

say "a push of what is already live does nothing"
id_before=$(container_id $app-web-1)
git -C "$src" push -f production "$shaB:main" >"$WORLD/push.out" 2>&1 || { cat "$WORLD/push.out"; fail "push B again"; }
expect_in "$WORLD/push.out" "${shaB:0:7} is already live"
[ "$(container_id $app-web-1)" = "$id_before" ] || fail "a push of the live commit touched the container"

say "rollback without REV refuses a live record that disagrees with the history"
cur=$WORLD/state/apps/$app/current
[ "$(cat "$cur")" = "$shaB" ] || fail "current is not B: $(cat "$cur")"
printf '%s\n' "$shaA" >"$cur"
! slipway rollback $app >"$WORLD/rb.out" 2>&1 || { cat "$WORLD/rb.out"; fail "rollback chose against a wrong record"; }
expect_in "$WORLD/rb.out" "error: \"$app\" is recorded as running ${shaA:0:7}, but its newest succeeded deploy is ${shaB:0:7}"
wait_http "http://127.0.0.1:$port/" "version B"
say "rollback without REV refuses when no live release is recorded"
rm "$cur"
! slipway rollback $app >"$WORLD/rb.out" 2>&1 || fail "rollback without a record"
expect_in "$WORLD/rb.out" "has no recorded live release to roll back from"
printf '%s\n' "$shaB" >"$cur"
slipway rollback $app >"$WORLD/rb.out" 2>&1 || { cat "$WORLD/rb.out"; fail "rollback after the record is right"; }
wait_http "http://127.0.0.1:$port/" "version A"
