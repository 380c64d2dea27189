#!/usr/bin/env bash
# `rollback APP ID` takes a deploy's number from `history` (as the README
# says): the commit of that deploy goes live again, without a build. An ID
# that names no deploy, or one without a commit, is one error line.
. "$(dirname "$0")/lib.sh"

app=e2e-rbid-$RUN
port=$(free_port)
new_app $app
web_app $app $port "v1"
commit_all $app "v1"
push $app || { cat "$WORLD/push.out"; fail "push v1"; }
v1=$(git -C "$WORLD/src/$app" rev-parse HEAD)
web_app $app $port "v2"
commit_all $app "v2"
push $app || { cat "$WORLD/push.out"; fail "push v2"; }
wait_http "http://127.0.0.1:$port/" "v2"

id=$(slipway history $app --json | python3 -c "
import json, sys
print([r['id'] for r in json.load(sys.stdin) if r['commit'] == '$v1'][0])")
say "rollback $app $id (the deploy of v1)"
slipway rollback $app "$id" >"$WORLD/out" 2>&1 || { cat "$WORLD/out"; fail "rollback by id"; }
expect_in "$WORLD/out" "Reusing images of ${v1:0:7}"
wait_http "http://127.0.0.1:$port/" "v1"
slipway status $app --json | grep -q "\"commit\": \"$v1\"" || fail "status does not show v1 live"

say "an unknown id"
if slipway rollback $app 9999 >"$WORLD/out" 2>&1; then fail "rollback to deploy 9999 succeeded"; fi
expect_in "$WORLD/out" "error: no deploy 9999 of \"$app\" with a commit"
wait_http "http://127.0.0.1:$port/" "v1"
say "ok"
