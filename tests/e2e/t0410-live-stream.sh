#!/usr/bin/env bash
# e2e: alone (see run.sh): it measures time or changes the machine
# The pusher hears from a deploy at least every 10 s, even through a silent
# build step, and a pusher who reads too slowly never holds the deploy: its
# lines are dropped with a note, the history log keeps them all.
. "$(dirname "$0")/lib.sh"

app=e2e-stream-$RUN
port=$(free_port)
new_app $app
src=$WORLD/src/$app
web_app $app $port "one"
commit_all $app "one"
push $app || { cat "$WORLD/push.out"; fail "first push"; }

say "a silent build step of 22 s: heartbeat lines"
# The step names the run: a cached step from another run would be silent for 0 s.
sed -i "s|^COPY www /var/www|RUN echo $RUN >/dev/null; sleep 22\nCOPY www /var/www|" "$src/Dockerfile"
printf 'two\n' >"$src/www/index.html"
commit_all $app "silent step"
# Stored on a side branch, deployed by hand (the output is timed here).
git -C "$src" push -q production HEAD:refs/heads/wip 2>/dev/null
slipway deploy $app "$(git -C "$src" rev-parse HEAD)" 2>&1 | while IFS= read -r l; do
	printf '%s %s\n' "$(date +%s%N)" "$l"
done >"$WORLD/ts.out"
expect_in "$WORLD/ts.out" "Deployed $app"
# BuildKit's progress has no "Step N/M": its heartbeat says "still building"
grep -E 'still (running step 2/[0-9]+|building), 1[0-9] s$' "$WORLD/ts.out" >/dev/null ||
	{ cat "$WORLD/ts.out"; fail "no heartbeat line during the silent step"; }
gap=$(awk 'NR > 1 { g = ($1 - p) / 1e9; if (g > m) m = g } { p = $1 } END { printf "%.1f", m }' "$WORLD/ts.out")
awk -v g="$gap" 'BEGIN { exit !(g <= 10.5) }' || { cat "$WORLD/ts.out"; fail "$gap s without a line"; }
beats=$(grep -cE 'still (running step|building)' "$WORLD/ts.out")
say "figure: a 22 s silent step: $beats heartbeat lines, longest silence $gap s"

say "a pusher who does not read: the deploy ends and frees the lock anyway"
# BuildKit clips a step's output past 200 KiB/s: 1000 lines (100 KiB) a second.
lines=6000
cat >"$src/Dockerfile" <<DF
FROM $BASE_IMAGE
RUN echo $RUN >/dev/null; i=0; while [ \$i -lt $lines ]; do echo "build line \$i ........................................................................................."; i=\$((i+1)); [ \$((i % 1000)) -eq 0 ] && sleep 1; done
COPY www /var/www
CMD ["httpd", "-f", "-p", "8080", "-h", "/var/www"]
DF
printf 'three\n' >"$src/www/index.html"
commit_all $app "chatty build"
git -C "$src" push -q production HEAD:refs/heads/wip 2>/dev/null
sha=$(git -C "$src" rev-parse HEAD)
t0=$(date +%s%N)
("$SLIPWAY_BIN" -c "$CONF" deploy $app $sha 2>&1; echo "exit $?") | { sleep 45; cat; } >"$WORLD/slow.out" &
reader=$!
ended=
for _ in $(seq 1 400); do
	if slipway history $app -n 1 --json | jq -e '.[0].status != "running"' >/dev/null 2>&1 &&
		flock -n "$WORLD/state/apps/$app/lock" true; then
		ended=$(( ($(date +%s%N) - t0) / 1000000 ))
		break
	fi
	sleep 0.1
done
[ -n "$ended" ] || fail "the deploy did not end while its pusher was not reading"
wait_http "http://127.0.0.1:$port/" "three"
wait $reader
expect_in "$WORLD/slow.out" "exit 0"
expect_in "$WORLD/slow.out" "not shown: the connection was too slow"
shown=$(grep -c 'build line' "$WORLD/slow.out")
id=$(slipway history $app -n 1 --json | jq -r '.[0].id')
kept=$(slipway history $app --log "$id" | grep -c 'build line')
# The engine may split a line of build output in two stream messages: count
# with a little slack, and insist on the last line.
slipway history $app --log "$id" | grep -q "build line $((lines - 1)) " || fail "the log lost the last line"
[ "$kept" -ge $((lines * 99 / 100)) ] || fail "the history log kept $kept of $lines lines"
[ "$shown" -lt "$lines" ] || fail "nothing was dropped: the test did not test"
say "figure: a pusher not reading for 45 s: the deploy ended and freed the lock after $ended ms; $shown of $lines build lines shown, $kept in the history log"
