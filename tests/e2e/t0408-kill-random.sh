#!/usr/bin/env bash
# e2e: alone (see run.sh): its kill times are drawn against a deploy's usual length
# kill -9 of a deploy at random points (at least 20 per run), each followed by
# another slipway run for the app (`recover` or `status`): every one must end
# with the previous or the new release serving and the record (current, the
# history rows, no journal left) saying which.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-faults.sh"

app=e2e-kill9-$RUN
port=$(free_port)
rounds=${KILL_ROUNDS:-20}
new_app $app
src=$WORLD/src/$app
web_app $app $port "release A"
commit_all $app "A"
shaA=$(git -C "$src" rev-parse HEAD)
push $app || { cat "$WORLD/push.out"; fail "push A"; }
web_app $app $port "release B"
commit_all $app "B"
shaB=$(git -C "$src" rev-parse HEAD)
push $app || { cat "$WORLD/push.out"; fail "push B"; }
wait_http "http://127.0.0.1:$port/" "release B"
text_of() { [ "$1" = "$shaA" ] && echo "release A" || echo "release B"; }

# How long one deploy between the two takes: the kills land within it.
t0=$(date +%s%N)
slipway deploy $app $shaA >/dev/null 2>&1 || fail "timing deploy"
dur=$(( ($(date +%s%N) - t0) / 1000000 ))
say "a deploy between A and B takes $dur ms"

ok=0 killed=0 new=0 previous=0 bad=0
declare -A phases=()
for i in $(seq 1 "$rounds"); do
	prev=$(cat "$WORLD/state/apps/$app/current")
	[ "$prev" = "$shaA" ] && target=$shaB || target=$shaA
	delay=$(( RANDOM % (dur * 11 / 10 + 1) ))
	"$SLIPWAY_BIN" -c "$CONF" deploy $app $target >"$WORLD/d.out" 2>&1 &
	pid=$!
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	if kill -9 $pid 2>/dev/null; then
		killed=$((killed + 1))
		phase=$(grep -o -- '-----> [A-Z][a-z]*' "$WORLD/d.out" | tail -1 | cut -c8-)
		phases[${phase:-Starting}]=$(( ${phases[${phase:-Starting}]:-0} + 1 ))
	fi
	wait $pid 2>/dev/null || true
	# The next run for the app finishes what the killed one left.
	if [ $((i % 2)) -eq 0 ]; then
		slipway status $app >"$WORLD/next.out" 2>&1 || true
	else
		slipway recover $app >"$WORLD/next.out" 2>&1 || true
	fi
	v=$(verdict $app $port $target "$(text_of $target)" "$prev" "$(text_of "$prev")")
	case $v in
	new) new=$((new + 1)); ok=$((ok + 1));;
	previous) previous=$((previous + 1)); ok=$((ok + 1));;
	*)
		bad=$((bad + 1))
		say "round $i (killed after ${delay} ms): $v"
		sed 's/^/    | /' "$WORLD/d.out" "$WORLD/next.out"
		docker ps -a --filter label=com.docker.compose.project=$app \
			--format '    | {{.Names}} {{.Status}}'
		# Repair for the next round.
		slipway deploy $app "$prev" >/dev/null 2>&1 || true;;
	esac
done
where=""
for p in "${!phases[@]}"; do where="$where $p:${phases[$p]}"; done
say "figure: kill -9 at random points: $ok/$rounds consistent ($killed killed mid-deploy, at:$where; $new with the new release serving, $previous with the previous)"
[ "$(docker ps -aq --filter label=com.docker.compose.project=$app | wc -l)" = 1 ] ||
	{ docker ps -a --filter label=com.docker.compose.project=$app; fail "leftover containers"; }
[ $bad -eq 0 ] || fail "$bad of $rounds rounds inconsistent"
[ $killed -ge $((rounds / 2)) ] || fail "only $killed of $rounds kills landed mid-deploy"
