#!/usr/bin/env bash
# keep_releases = 2: images and release directories beyond the newest two
# succeeded releases are removed; the live and previous ones never are.
. "$(dirname "$0")/lib.sh"

printf 'keep_releases = 2\n' >>"$CONF"
app=e2e-retention-$RUN
port=$(free_port)
new_app $app
src=$WORLD/src/$app
shas=()
for v in 1 2 3 4; do
	web_app $app $port "version $v"
	commit_all $app "v$v"
	shas+=("$(git -C "$src" rev-parse HEAD)")
	push $app || { cat "$WORLD/push.out"; fail "push v$v"; }
done
wait_http "http://127.0.0.1:$port/" "version 4"
for i in 0 1; do
	! docker image inspect "$app-web:${shas[$i]}" >/dev/null 2>&1 || fail "image of v$((i+1)) kept"
	[ ! -d "$WORLD/state/apps/$app/releases/${shas[$i]}" ] || fail "release dir of v$((i+1)) kept"
done
for i in 2 3; do
	docker image inspect "$app-web:${shas[$i]}" >/dev/null || fail "image of v$((i+1)) removed"
	[ -d "$WORLD/state/apps/$app/releases/${shas[$i]}" ] || fail "release dir of v$((i+1)) removed"
done
expect_in "$WORLD/push.out" "Removed image $app-web:${shas[1]}"
say "the previous release can still be rolled back to"
slipway rollback $app >"$WORLD/rb.out" 2>&1 || { cat "$WORLD/rb.out"; fail "rollback"; }
wait_http "http://127.0.0.1:$port/" "version 3"
