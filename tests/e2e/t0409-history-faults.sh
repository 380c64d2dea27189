#!/usr/bin/env bash
# The history cannot block deploys, and a full disk is named: a garbage and a
# 0-byte history.db are moved aside with one warning line; a history locked
# past the busy timeout at the end of a deploy leaves the release live, the
# pusher told it is not recorded, and the next run records it; state_dir on a
# small tmpfs, full before a deploy (refused, named, nothing changed) and full
# at the health gate (live; the record finished by the next run); a record
# lost with its journal is repaired from the containers' labels.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-faults.sh"

STATE=$WORLD/state
mkdir -p "$STATE"
mount -t tmpfs -o size=8m tmpfs "$STATE" || fail "cannot mount a tmpfs (needs root)"
locker=
trap 'rc=$?; set +e; [ -z "$locker" ] || kill -- -$locker 2>/dev/null; rm -f "$STATE/filler";
	for a in "${APPS_MADE[@]}"; do slipway app destroy "$a" --volumes >/dev/null 2>&1; done
	APPS_MADE=(); umount -l "$STATE"; (exit $rc); cleanup' EXIT

app=e2e-hist-$RUN
port=$(free_port)
new_app $app
src=$WORLD/src/$app
n=0
release() { # release TEXT: commit and push a release, print its sha
	web_app $app $port "$1"
	commit_all $app "$1"
	git -C "$src" rev-parse HEAD
}
shaA=$(release "release A")
push $app || { cat "$WORLD/push.out"; fail "push A"; }
wait_http "http://127.0.0.1:$port/" "release A"
figures=()

say "a garbage history.db is moved aside; the deploy goes on"
head -c 8192 /dev/urandom >"$STATE/history.db"
rm -f "$STATE/history.db-wal" "$STATE/history.db-shm"
shaB=$(release "release B")
push $app || { cat "$WORLD/push.out"; fail "push with a garbage history"; }
wait_http "http://127.0.0.1:$port/" "release B"
[ "$(grep -c 'moved aside as' "$WORLD/push.out")" = 1 ] || { cat "$WORLD/push.out"; fail "want one warning line"; }
ls "$STATE"/history.db.corrupt-* >/dev/null || fail "no history.db.corrupt-* file"
[ "$(verdict $app $port $shaB "release B" $shaA "release A")" = new ] || fail "record after garbage: $(verdict $app $port $shaB "release B" $shaA "release A")"
figures+=("garbage db: moved aside, deploy succeeded")

say "a history.db truncated to 0 bytes is noticed"
: >"$STATE/history.db"
rm -f "$STATE/history.db-wal" "$STATE/history.db-shm"
shaC=$(release "release C")
push $app || { cat "$WORLD/push.out"; fail "push with a truncated history"; }
expect_in "$WORLD/push.out" "was unusable (it is empty (0 bytes))"
[ "$(verdict $app $port $shaC "release C" $shaB "release B")" = new ] || fail "record after truncation"
figures+=("0-byte db: noticed, moved aside, deploy succeeded")

say "the history is locked past the busy timeout when the deploy ends"
shaD=$(release "release D")
t0=$(date +%s)
: >"$WORLD/push.out"
push $app &
pusher=$!
wait_line "$WORLD/push.out" "-----> Deploying" 60 || fail "the deploy never started"
setsid bash -c '(echo "BEGIN EXCLUSIVE;"; sleep 120) | sqlite3 "$1"' _ "$STATE/history.db" &
locker=$!
wait $pusher || { cat "$WORLD/push.out"; fail "push with a locked history"; }
kill -- -$locker; wait $locker 2>/dev/null || true; locker=
expect_in "$WORLD/push.out" "Deployed $app"
expect_in "$WORLD/push.out" "is live but not recorded in the history"
expect_in "$WORLD/push.out" "database is locked"
wait_http "http://127.0.0.1:$port/" "release D"
[ -e "$STATE/apps/$app/journal" ] || fail "no journal kept for the unrecorded release"
slipway status $app >"$WORLD/status.out" || { cat "$WORLD/status.out"; fail "status"; }
expect_in "$WORLD/status.out" "recording it as live"
v=$(verdict $app $port $shaD "release D" $shaC "release C")
[ "$v" = new ] || fail "record after a locked history: $v"
figures+=("locked db at the end: live, pusher warned, recorded by the next run ($(( $(date +%s) - t0 )) s)")

say "state_dir full before a deploy: refused with the reason, nothing changed"
live=$(container_id $app-web-1)
dd if=/dev/zero of="$STATE/filler" bs=64k >/dev/null 2>&1 || true
shaE=$(release "release E")
push $app || true
expect_in "$WORLD/push.out" "no space left on the device of state_dir ($STATE, "
[ "$(container_id $app-web-1)" = "$live" ] || fail "a container changed on a full disk"
wait_http "http://127.0.0.1:$port/" "release D"
rm -f "$STATE/filler"
slipway status $app >/dev/null
v=$(verdict $app $port $shaE "release E" $shaD "release D")
[ "$v" = previous ] || fail "record after a full disk: $v"
figures+=("full before: refused, $(grep -o 'no space left[^;]*' "$WORLD/push.out" | head -1)")

say "state_dir fills up during the health gate"
web_app $app $port "release F"
cat >>"$src/compose.yaml" <<'YML'
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 3s
      timeout: 2s
      retries: 2
YML
commit_all $app "F"
shaF=$(git -C "$src" rev-parse HEAD)
: >"$WORLD/push.out"
push $app &
pusher=$!
wait_line "$WORLD/push.out" "-----> Health gate" 60 || fail "no health gate"
dd if=/dev/zero of="$STATE/filler" bs=64k >/dev/null 2>&1 || true
wait $pusher || { cat "$WORLD/push.out"; fail "push with a disk filling up"; }
expect_in "$WORLD/push.out" "Deployed $app"
if grep -q "not recorded" "$WORLD/push.out"; then
	expect_in "$WORLD/push.out" "no space left on the device of state_dir"
	how="live, pusher told it is not recorded"
else
	how="live and recorded (the writes fitted)"
fi
rm -f "$STATE/filler"
slipway status $app >/dev/null
v=$(verdict $app $port $shaF "release F" $shaD "release D")
[ "$v" = new ] || { cat "$WORLD/push.out"; fail "record after the disk filled at the gate: $v"; }
figures+=("full at the gate: $how; consistent after the next run")

say "live but unrecorded, journal lost: the next run records it from the labels"
echo "$shaD" >"$STATE/apps/$app/current"
sqlite3 "$STATE/history.db" "UPDATE deploys SET status = 'running', finished = NULL
	WHERE id = (SELECT max(id) FROM deploys WHERE app = '$app')"
[ ! -e "$STATE/apps/$app/journal" ] || fail "a journal is left"
slipway status $app --json >"$WORLD/status.json" 2>"$WORLD/status.err" || { cat "$WORLD/status.err"; fail "status"; }
expect_in "$WORLD/status.err" "whose deploy did not end: recording ${shaF:0:7} as live"
jq -e --arg s "$shaF" '.commit == $s' "$WORLD/status.json" >/dev/null || { cat "$WORLD/status.json"; fail "status commit"; }
v=$(verdict $app $port $shaF "release F" $shaD "release D")
[ "$v" = new ] || fail "record after the labels repair: $v"
[ "$(cat "$STATE/apps/$app/previous")" = "$shaD" ] || fail "previous not kept"
figures+=("record lost (current behind, row running, no journal): repaired from the containers' labels by status")

for f in "${figures[@]}"; do say "figure: $f"; done
