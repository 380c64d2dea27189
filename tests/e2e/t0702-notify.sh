#!/usr/bin/env bash
# Notifications: every deploy, failed deploy and rollback is POSTed as JSON
# to the [notify] URLs (and the app's notify_url), signed with HMAC-SHA256 of
# the secret, which the receiver checks on its own. A receiver that hangs
# delays nothing, and its failed delivery is written into the history row.
. "$(dirname "$0")/lib.sh"

app=e2e-notify-$RUN
port=$(free_port) okport=$(free_port) hangport=$(free_port) appport=$(free_port)
secret="s3cr3t-$RUN"
PIDS=()
stop_receivers() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap 'rc=$?; stop_receivers; (exit $rc); cleanup' EXIT
/usr/bin/python3 "$TOP/tests/e2e/notify-receiver.py" $okport "$WORLD/ok" "$secret" ok & PIDS+=($!)
/usr/bin/python3 "$TOP/tests/e2e/notify-receiver.py" $hangport "$WORLD/hang" x hang & PIDS+=($!)
/usr/bin/python3 "$TOP/tests/e2e/notify-receiver.py" $appport "$WORLD/app" "app-$secret" ok & PIDS+=($!)
for p in $okport $hangport $appport; do
	for i in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.1; done
done

cat >>"$CONF" <<CONF
[notify]
url = http://127.0.0.1:$okport/hook
secret = $secret
timeout = 2
retries = 1
[app "$app"]
notify_url = http://127.0.0.1:$appport/app-hook?token=abc
notify_secret = app-$secret
CONF

# wait_file FILE SECONDS
wait_file() {
	local n=$(( $2 * 10 ))
	while [ $n -gt 0 ]; do [ -e "$1" ] && return 0; sleep 0.1; n=$((n - 1)); done
	fail "no $1 after $2 s"
}

new_app $app
src=$WORLD/src/$app
web_app $app $port "version A"
commit_all $app "A"
shaA=$(git -C "$src" rev-parse HEAD)
push $app || { cat "$WORLD/push.out"; fail "push A"; }

say "a deploy is announced, signed with the secret"
wait_file "$WORLD/ok/1.json" 10
[ "$(cat "$WORLD/ok/1.check")" = good ] || fail "bad signature"
jq -e --arg sha $shaA --arg app $app '.app == $app and .event == "push" and
	.status == "succeeded" and .commit == $sha and .error == null and
	.rolled_back == false and (.durations_ms.total | type) == "number" and
	(.durations_ms.build > 0) and (.history_id | type) == "number"' \
	"$WORLD/ok/1.json" >/dev/null || { cat "$WORLD/ok/1.json"; fail "event body"; }
say "the app's own URL gets it too, signed with the app's secret"
wait_file "$WORLD/app/1.json" 10
[ "$(cat "$WORLD/app/1.check")" = good ] || fail "bad app signature"

say "a failed deploy is announced with its first error line"
printf 'services:\n  web:\n    build: .\n    command: ["false"]\n    init: true\n' >"$src/compose.yaml"
commit_all $app "broken"
push $app || true
wait_file "$WORLD/ok/2.json" 10
[ "$(cat "$WORLD/ok/2.check")" = good ] || fail "bad signature (failed deploy)"
jq -e '.status == "failed" and .rolled_back == true and
	(.error | test("rolled back")) and (.error | contains("\n") | not)' \
	"$WORLD/ok/2.json" >/dev/null || { cat "$WORLD/ok/2.json"; fail "failed event"; }

say "a rollback is announced"
slipway rollback $app "$shaA" >/dev/null 2>&1 || true
wait_file "$WORLD/ok/3.json" 10
jq -e '.event == "rollback" and .status == "succeeded"' "$WORLD/ok/3.json" >/dev/null ||
	{ cat "$WORLD/ok/3.json"; fail "rollback event"; }

say "a receiver that hangs delays nothing; its failure is in the history row"
sed -i "s|^url = http://127.0.0.1:$okport/hook|url = http://127.0.0.1:$hangport/hook\nurl = http://127.0.0.1:$okport/hook|" "$CONF"
git -C "$src" checkout -q "$shaA" -- compose.yaml
printf 'version B\n' >"$src/www/index.html"
commit_all $app "B"
start=$(date +%s%N)
push $app || { cat "$WORLD/push.out"; fail "push B"; }
ms=$(( ($(date +%s%N) - start) / 1000000 ))
wait_file "$WORLD/hang/hung-1" 10
say "push with a hanging receiver took $ms ms"
# The receiver holds each of 2 attempts for the 2 s timeout: a deploy that
# waited would take at least 5 s more than one that did not.
[ $ms -lt 15000 ] || fail "the push waited for the notification ($ms ms)"
slipway history $app --json | jq -e '.[0].notify == null' >/dev/null ||
	fail "failure recorded before the delivery could have failed"
wait_file "$WORLD/ok/4.json" 15
n=100
while [ $n -gt 0 ]; do
	slipway history $app --json | jq -e '.[0].notify != null' >/dev/null && break
	sleep 0.1; n=$((n - 1))
done
slipway history $app --json >"$WORLD/h.json"
jq -e --arg p "$hangport" '.[0].status == "succeeded" and
	(.[0].notify | test("notification failed: http://127.0.0.1:" + $p + ": .* after 2 attempts"))' \
	"$WORLD/h.json" >/dev/null || { cat "$WORLD/h.json"; fail "notify failure in history"; }
expect_not_in "$WORLD/h.json" "token=abc"
[ -e "$WORLD/hang/hung-2" ] || fail "no retry after the timeout"
